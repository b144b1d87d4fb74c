// SPDX-License-Identifier: GPL-2.0
/* virtio-rng: buffers come back full of random bytes, capped per request. */
#include "test.h"
#include "test_virtio_dev.h"
#include "virtio/rng.h"

static struct tvdev tv;

static int setup_rng(void)
{
	struct vireo_virtio_dev *vd;

	if (tv_ram(&tv) || vireo_virtio_rng_create(&vd, &tv.tr.ram) || tv_attach(&tv, vd))
		return -1;
	return tv_bringup(&tv, 0, 16);
}

static void rng_fills(void)
{
	static const uint8_t zero[256];
	struct tbuf b[2];
	uint32_t id, len;

	T_EQ(setup_rng(), 0);
	T_EQ(tp_cf8_read(&tv.tb, TV_DEVFN, 2, 2), 0x1044);
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 256), 256, VRING_DESC_F_WRITE };
	b[1] = (struct tbuf){ tdrv_alloc(&tv.q[0], 256), 256, VRING_DESC_F_WRITE };
	tdrv_add(&tv.q[0], b, 2);
	tv_kick(&tv, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(len, 512);
	T_TRUE(memcmp(tram_ptr(&tv.tr, b[0].gpa), zero, 256) != 0);
	T_TRUE(memcmp(tram_ptr(&tv.tr, b[1].gpa), zero, 256) != 0);
	/* A huge request gets at most the cap. */
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 1 << 20), 1 << 20, VRING_DESC_F_WRITE };
	tdrv_add(&tv.q[0], b, 1);
	tv_kick(&tv, 0);
	T_TRUE(tdrv_used_next(&tv.q[0], &id, &len));
	T_EQ(len, VIREO_VIRTIO_RNG_MAX_REQUEST);
	/* A readable buffer is a broken driver. */
	b[0] = (struct tbuf){ tdrv_alloc(&tv.q[0], 16), 16, 0 };
	tdrv_add(&tv.q[0], b, 1);
	tv_kick(&tv, 0);
	T_TRUE(tv_status(&tv) & VIRTIO_STATUS_NEEDS_RESET);
	tv_detach(&tv);
}

static const struct vireo_test vireo_tests_virtio_rng[] = {
	VIREO_TEST(rng_fills),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(virtio_rng, vireo_tests_virtio_rng);
