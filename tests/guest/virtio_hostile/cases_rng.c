// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng cases (userland/virtio/rng.c): the one request queue of the
 * rng every Vireo PC has.  A request must be device-writable only, else
 * "device-readable buffer in a request" and NEEDS_RESET; a good one comes
 * back filled from getrandom(), at most VIREO_VIRTIO_RNG_MAX_REQUEST
 * bytes of it (5.4.6.1: one or more bytes, maybe fewer than asked).  The
 * follow-up reads 64 bytes, which must not be all alike nor what the last
 * read gave.
 */
#include "cases.h"

#define MAX_REQUEST	65536	/* VIREO_VIRTIO_RNG_MAX_REQUEST, userland/virtio/rng.h */
#define SAMPLE		64

static struct vdev rng_dev = {
	.name = "virtio-rng",
	.type = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.rings = VH_RINGS_RNG,
};

static struct vdev *const d = &rng_dev;

/* Random-looking: not all one byte value. */
static const char *varied(const uint8_t *p, uint32_t n, const char *what)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (p[i] != p[0])
			return NULL;
	return errf("%s: %u bytes, all 0x%x", what, n, p[0]);
}

/* Post the chain at head 0; it must come back with len bytes written. */
static const char *expect_filled(uint32_t want)
{
	const char *err;
	uint32_t len;

	vd_submit(d, RNG_Q, 0);
	err = vh_expect_used(d, RNG_Q, 0, &len);
	if (!err && len != want)
		err = errf("used len %u, want %u", len, want);
	return err;
}

/* SAMPLE bytes in one buffer: filled, varied, not the last sample again. */
static const char *sample(void)
{
	static uint8_t last[SAMPLE];
	struct vqueue *vq = &d->vq[RNG_Q];
	uint8_t *p = phys(VH_INBUF);
	const char *err;

	memset(p, 0, SAMPLE);
	set_desc(vq->desc, 0, VH_INBUF, SAMPLE, DESC_F_WRITE, 0);
	err = expect_filled(SAMPLE) ?: varied(p, SAMPLE, "sample");
	if (!err && !memcmp(p, last, SAMPLE))
		err = "the same 64 bytes as the last sample";
	memcpy(last, p, SAMPLE);
	return err;
}

/* ---- cases --------------------------------------------------------------- */

static const char *c_rng_read(void)
{
	return sample();
}

/* 16 bytes, an empty descriptor above 4 GiB, then 2 x 24 through an indirect table. */
static const char *c_rng_read_scatter(void)
{
	struct vqueue *vq = &d->vq[RNG_Q];
	volatile struct vring_desc *t = ITABLE(0);
	uint8_t *p = phys(VH_INBUF);

	memset(p, 0, 0x3000);
	set_desc(vq->desc, 0, VH_INBUF, 16, DESC_F_WRITE | DESC_F_NEXT, 1);
	set_desc(vq->desc, 1, ABOVE_4G, 0, DESC_F_WRITE | DESC_F_NEXT, 2);
	set_desc(vq->desc, 2, VH_INDIRECT, 2 * 16, DESC_F_INDIRECT, 0);
	set_desc(t, 0, VH_INBUF + 0x1000, 24, DESC_F_WRITE | DESC_F_NEXT, 1);
	set_desc(t, 1, VH_INBUF + 0x2000, 24, DESC_F_WRITE, 0);
	return expect_filled(64) ?: varied(p, 16, "first buffer") ?:
	       varied(p + 0x1000, 24, "second buffer") ?: varied(p + 0x2000, 24, "third buffer");
}

/* 128 KiB asked for: at most MAX_REQUEST come, and those are random. */
static const char *c_rng_read_big(void)
{
	struct vqueue *vq = &d->vq[RNG_Q];
	uint8_t *p = phys(VH_BIG);
	uint32_t len, i, zeros = 0;
	const char *err;

	memset(p, 0, 0x20000);
	set_desc(vq->desc, 0, VH_BIG, 0x20000, DESC_F_WRITE, 0);
	vd_submit(d, RNG_Q, 0);
	err = vh_expect_used(d, RNG_Q, 0, &len);
	if (err)
		return err;
	if (!len || len > MAX_REQUEST)
		return errf("used len %u, want 1..%u", len, MAX_REQUEST);
	/* About len / 256 zero bytes; many more: not written. */
	for (i = 0; i < len; i++)
		zeros += !p[i];
	if (zeros > len / 64 + 8)
		return errf("%u of the %u bytes used are 0", zeros, len);
	return NULL;
}

/* ---- the table ----------------------------------------------------------- */

static const struct vtarget rng_q = { &vh_rng, RNG_Q, true, true, NULL };

static const struct vcase rng_cases[] = {
	{ "rng-read", c_rng_read, AFTER_SAME_QUEUE },
	{ "rng-read-scatter", c_rng_read_scatter, AFTER_SAME_QUEUE },
	{ "rng-read-big", c_rng_read_big, AFTER_SAME_QUEUE },

	ATTACK("rng-read-only-buffer", rng_q, A_WRONG_WAY, AFTER_RESET),
	ATTACK("rng-readable-then-writable", rng_q, A_READABLE_THEN_WRITABLE, AFTER_RESET),
	CHAIN_ATTACKS("rng", rng_q),
	RING_ATTACKS("rng", rng_q),
};

/* The follow-up: fresh random bytes. */
static const char *rng_check(const struct vcase *c, unsigned int n)
{
	const char *err = sample();

	(void)c;
	(void)n;
	return err ? errf("follow-up read: %s", err) : NULL;
}

const struct vhdev vh_rng = {
	.dev = &rng_dev,
	.features = DEFAULT_FEATURES,
	.restart = true,
	.check = rng_check,
	.cases = rng_cases,
	.nr_cases = ARRAY_SIZE(rng_cases),
};
