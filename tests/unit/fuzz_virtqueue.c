// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the split virtqueue parser (make fuzz-virtqueue).
 * The input is a hostile driver: a 16-byte header (queue size and the
 * device's maximum, ring addresses, features, what the device does) and
 * then the contents of a 64 KiB guest RAM holding the rings, descriptors
 * and indirect tables.  Ring addresses may point anywhere near RAM,
 * inside or out (with the raw-layout flag).  Whatever the bytes, the parser must not touch memory
 * outside RAM (ASan), and every chain it hands out must be one the
 * device can trust: buffers inside RAM, lengths summing to the totals,
 * at most queue-size entries, readable before writable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"

/*
 * RAM at GPA 0, as in the guest: small little-endian numbers are then RAM
 * addresses, which lets the fuzzer reach valid buffers quickly.
 */
#define RAM_SIZE	0x10000ULL
#define MAX_POPS	64

static uint8_t *ram;

/* A broken promise: say which one, then abort so libFuzzer keeps the input. */
#define check(ok)                                                                           \
	do {                                                                                \
		if (!(ok)) {                                                                \
			fprintf(stderr, "fuzz_virtqueue.c:%d: %s\n", __LINE__, #ok);       \
			abort();                                                            \
		}                                                                           \
	} while (0)

static void *ram_map(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return ram + gpa;
}

static const struct vireo_guest_ram guest = { ram_map, NULL };

/*
 * The header.  Most inputs get a legal queue (power-of-two size, aligned
 * rings inside RAM) so that the fuzzer spends its time on descriptors;
 * flag RAW_LAYOUT hands size and placement over to the input entirely.
 */
struct hdr {
	uint8_t qlog;		/* size 1 << (qlog % 11) */
	uint8_t flags;		/* FUZZ_* */
	uint16_t raw_size;	/* RAW_LAYOUT: the driver's queue size, any value */
	uint16_t max;		/* the device's maximum; 0: 1024 */
	uint16_t desc, avail, used;	/* ring placement */
	uint16_t written;	/* used length the device reports */
	uint16_t pad;
};

#define FUZZ_INDIRECT	0x01
#define FUZZ_EVENT_IDX	0x02
#define FUZZ_UNPOP	0x04
#define FUZZ_SUPPRESS	0x08
#define FUZZ_RAW_LAYOUT	0x10

/* RAW_LAYOUT: anywhere up to 8 KiB past RAM, any alignment. */
static uint64_t place_raw(uint16_t off)
{
	return (uint64_t)off * 3 % (RAM_SIZE + 0x2000);
}

static uint64_t place(uint16_t off, unsigned int align)
{
	return ((uint64_t)off * align) % RAM_SIZE;
}

static void check_chain(const struct vireo_vq *vq, const struct vireo_vq_chain *c)
{
	uint64_t out = 0, in = 0;
	uint8_t scratch[64];

	check(c->head < vq->size);
	check((unsigned int)c->nout + c->nin <= vq->size);
	for (unsigned int i = 0; i < (unsigned int)c->nout + c->nin; i++) {
		const uint8_t *p = c->iov[i].iov_base;

		check(c->iov[i].iov_len > 0);
		check(p >= ram && p < ram + RAM_SIZE);
		check(c->iov[i].iov_len <= (size_t)(ram + RAM_SIZE - p));
		if (i < c->nout)
			out += c->iov[i].iov_len;
		else
			in += c->iov[i].iov_len;
	}
	check(out == c->out_len && in == c->in_len);
	check(out <= VIREO_VQ_MAX_BYTES && in <= VIREO_VQ_MAX_BYTES);
	/* Touch the buffers the way a device would. */
	vireo_vq_chain_read(c, c->out_len > 64 ? c->out_len - 64 : 0, scratch, sizeof(scratch));
	memset(scratch, 0xa5, sizeof(scratch));
	vireo_vq_chain_write(c, 0, scratch, sizeof(scratch));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vireo_vq vq;
	static struct vireo_vq_chain chain;
	struct hdr h;
	uint64_t features = 0;
	int pops = 0, r = 0;

	if (!ram) {
		ram = aligned_alloc(4096, RAM_SIZE);
		if (!ram)
			abort();
	}
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	memset(ram, 0, RAM_SIZE);
	memcpy(ram, data + sizeof(h),
	       size - sizeof(h) < RAM_SIZE ? size - sizeof(h) : RAM_SIZE);

	if (h.flags & FUZZ_INDIRECT)
		features |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (h.flags & FUZZ_EVENT_IDX)
		features |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	vireo_vq_init(&vq, 0);
	if (h.flags & FUZZ_RAW_LAYOUT) {
		vq.size = h.raw_size;
		vq.desc_gpa = place_raw(h.desc);
		vq.avail_gpa = place_raw(h.avail);
		vq.used_gpa = place_raw(h.used);
	} else {
		vq.size = (uint16_t)(1U << (h.qlog % 11));
		vq.desc_gpa = place(h.desc, VRING_DESC_ALIGN);
		vq.avail_gpa = place(h.avail, VRING_AVAIL_ALIGN);
		vq.used_gpa = place(h.used, VRING_USED_ALIGN);
	}
	if (vireo_vq_start(&vq, &guest, h.max ? h.max % (VIREO_VQ_MAX_SIZE + 1) : 1024, features)) {
		check(vq.error && !vq.ready);
		check(vireo_vq_pop(&vq, &chain) < 0);
		return 0;
	}
	check(vq.size && !(vq.size & (vq.size - 1)) && vq.size <= VIREO_VQ_MAX_SIZE);

	if (h.flags & FUZZ_SUPPRESS)
		vireo_vq_notify_disable(&vq);
	while (pops++ < MAX_POPS && (r = vireo_vq_pop(&vq, &chain)) == 1) {
		check_chain(&vq, &chain);
		/*
		 * Give it back and take it again.  Not necessarily the same
		 * chain: the device's own writes may have landed on the rings
		 * (buffers may alias them), which is the driver's business, but
		 * whatever comes back must again be a trustworthy chain.
		 */
		if ((h.flags & FUZZ_UNPOP) && pops == 1) {
			vireo_vq_unpop(&vq);
			r = vireo_vq_pop(&vq, &chain);
			check(r == 1 || r == -EIO);
			if (r != 1)
				break;
			check_chain(&vq, &chain);
		}
		check(vireo_vq_push(&vq, chain.head, h.written) == 0);
		(void)vireo_vq_need_interrupt(&vq);
	}
	check(r == 1 || r == 0 || (r == -EIO && vq.error));
	if (vq.error) {
		check(vireo_vq_pop(&vq, &chain) == -EIO);
		check(vireo_vq_push(&vq, 0, 0) == -EIO);
	} else {
		(void)vireo_vq_notify_enable(&vq);
	}
	return 0;
}
