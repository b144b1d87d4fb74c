/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the test_virtio_*.c suites: a fake guest RAM (1 GiB of lazily
 * allocated address space at GPA 1 MiB, so that huge but valid buffers
 * can be described without memory behind them) and a fake driver that
 * lays out a split virtqueue in it and posts chains the way a guest does.
 */
#ifndef VIREO_TEST_VIRTIO_UTIL_H
#define VIREO_TEST_VIRTIO_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "virtio/virtqueue.h"

#define TRAM_BASE 0x100000ULL
#define TRAM_SIZE (1ULL << 30)

struct tram {
	uint8_t *buf;
	struct vireo_guest_ram ram;
	unsigned int maps;	/* calls of map() */
};

static inline void *tram_map(void *opaque, uint64_t gpa, uint64_t len)
{
	struct tram *t = opaque;

	t->maps++;
	if (gpa < TRAM_BASE || gpa - TRAM_BASE >= TRAM_SIZE || len > TRAM_SIZE - (gpa - TRAM_BASE))
		return NULL;
	return t->buf + (gpa - TRAM_BASE);
}

static inline int tram_init(struct tram *t)
{
	memset(t, 0, sizeof(*t));
	t->buf = mmap(NULL, TRAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->buf == MAP_FAILED)
		return -1;
	t->ram.map = tram_map;
	t->ram.opaque = t;
	return 0;
}

static inline void tram_fini(struct tram *t)
{
	munmap(t->buf, TRAM_SIZE);
}

static inline void *tram_ptr(struct tram *t, uint64_t gpa)
{
	return t->buf + (gpa - TRAM_BASE);
}

/* The driver side of one queue: rings at base, buffers allocated above. */
struct tdrv {
	struct tram *t;
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t next_desc;	/* next free descriptor (round robin) */
	uint16_t avail_idx;
	uint16_t used_seen;
	uint64_t heap;		/* next free buffer GPA */
};

struct tbuf {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags;		/* VRING_DESC_F_WRITE / INDIRECT; NEXT is added */
};

static inline void tdrv_init(struct tdrv *d, struct tram *t, uint16_t size, uint64_t base)
{
	memset(d, 0, sizeof(*d));
	d->t = t;
	d->size = size;
	d->desc = base;
	d->avail = base + VRING_DESC_SIZE(size);
	d->used = (d->avail + VRING_AVAIL_SIZE(size) + 3) & ~3ULL;
	d->heap = (d->used + VRING_USED_SIZE(size) + 4095) & ~4095ULL;
}

/* Program vq with this driver's ring addresses and start it. */
static inline int tdrv_start(struct tdrv *d, struct vireo_vq *vq, uint64_t features)
{
	vireo_vq_init(vq, 256);
	vq->size = d->size;
	vq->desc_gpa = d->desc;
	vq->avail_gpa = d->avail;
	vq->used_gpa = d->used;
	return vireo_vq_start(vq, &d->t->ram, 256, features);
}

static inline uint64_t tdrv_alloc(struct tdrv *d, uint32_t len)
{
	uint64_t gpa = d->heap;

	d->heap = (d->heap + len + 15) & ~15ULL;
	return gpa;
}

static inline struct vireo_vring_desc *tdrv_desc(struct tdrv *d, uint16_t i)
{
	return (struct vireo_vring_desc *)tram_ptr(d->t, d->desc) + i;
}

static inline struct vireo_vring_avail *tdrv_avail(struct tdrv *d)
{
	return tram_ptr(d->t, d->avail);
}

static inline struct vireo_vring_used *tdrv_used(struct tdrv *d)
{
	return tram_ptr(d->t, d->used);
}

static inline void tdrv_publish(struct tdrv *d, uint16_t head)
{
	tdrv_avail(d)->ring[d->avail_idx % d->size] = head;
	d->avail_idx++;
	tdrv_avail(d)->idx = d->avail_idx;
}

/* Write n chained descriptors into the table (not published); the head. */
static inline uint16_t tdrv_chain(struct tdrv *d, const struct tbuf *b, unsigned int n)
{
	uint16_t head = d->next_desc;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) % d->size);
		struct vireo_vring_desc *desc = tdrv_desc(d, idx);

		desc->addr = b[i].gpa;
		desc->len = b[i].len;
		desc->flags = b[i].flags;
		desc->next = 0;
		if (i + 1 < n) {
			desc->flags |= VRING_DESC_F_NEXT;
			desc->next = (uint16_t)((idx + 1) % d->size);
		}
	}
	d->next_desc = (uint16_t)((head + n) % d->size);
	return head;
}

static inline uint16_t tdrv_add(struct tdrv *d, const struct tbuf *b, unsigned int n)
{
	uint16_t head = tdrv_chain(d, b, n);

	tdrv_publish(d, head);
	return head;
}

/* Lay out an indirect table of n entries at a fresh GPA; returns its GPA. */
static inline uint64_t tdrv_indirect(struct tdrv *d, const struct tbuf *b, unsigned int n)
{
	uint64_t gpa = tdrv_alloc(d, 16 * n);
	struct vireo_vring_desc *t = tram_ptr(d->t, gpa);

	for (unsigned int i = 0; i < n; i++) {
		t[i].addr = b[i].gpa;
		t[i].len = b[i].len;
		t[i].flags = b[i].flags;
		t[i].next = 0;
		if (i + 1 < n) {
			t[i].flags |= VRING_DESC_F_NEXT;
			t[i].next = (uint16_t)(i + 1);
		}
	}
	return gpa;
}

/* Take the next used element: true with id and len set. */
static inline bool tdrv_used_next(struct tdrv *d, uint32_t *id, uint32_t *len)
{
	struct vireo_vring_used *u = tdrv_used(d);

	if (u->idx == d->used_seen)
		return false;
	*id = u->ring[d->used_seen % d->size].id;
	*len = u->ring[d->used_seen % d->size].len;
	d->used_seen++;
	return true;
}

#endif /* VIREO_TEST_VIRTIO_UTIL_H */
