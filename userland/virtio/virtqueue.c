// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue parser (virtqueue.h states the guarantees).
 *
 * The rings live in guest RAM that the driver may rewrite at any moment,
 * from another vCPU.  So every ring field is read with a single load into
 * a local before it is checked and used, descriptors are copied out whole
 * behind a compiler barrier, and the memory ordering follows 2.6.13 /
 * 2.6.14: read avail->idx, then (acquire) the ring entries; write the
 * used element, then (release) used->idx; and a full barrier between
 * publishing our index and reading the driver's suppression fields.
 */
#include <errno.h>
#include <string.h>

#include "virtio/iov.h"
#include "virtio/virtqueue.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio rings are little-endian and used as host structs");
_Static_assert(sizeof(struct vireo_vring_desc) == 16, "virtq_desc layout (2.6.5)");
_Static_assert(sizeof(struct vireo_vring_used_elem) == 8, "virtq_used_elem layout (2.6.8)");

#define LOAD16(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE16(p, v)	__atomic_store_n((p), (uint16_t)(v), __ATOMIC_RELAXED)

static int fail(struct vireo_vq *vq, const char *why)
{
	if (!vq->error)
		vq->error = why;
	return -EIO;
}

void vireo_vq_init(struct vireo_vq *vq, uint16_t max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->size = max_size;
}

int vireo_vq_start(struct vireo_vq *vq, const struct vireo_guest_ram *ram, uint16_t max_size,
		   uint64_t features)
{
	uint16_t n = vq->size;

	vq->ready = false;
	vq->error = NULL;
	if (!n || (n & (n - 1)) || n > max_size || max_size > VIREO_VQ_MAX_SIZE) {
		vq->error = "queue size is not a power of two within the maximum";
		return -EINVAL;
	}
	if (vq->desc_gpa % VRING_DESC_ALIGN || vq->avail_gpa % VRING_AVAIL_ALIGN ||
	    vq->used_gpa % VRING_USED_ALIGN) {
		vq->error = "ring area misaligned";
		return -EINVAL;
	}
	vq->desc = vireo_guest_map(ram, vq->desc_gpa, VRING_DESC_SIZE(n));
	vq->avail = vireo_guest_map(ram, vq->avail_gpa, VRING_AVAIL_SIZE(n));
	vq->used = vireo_guest_map(ram, vq->used_gpa, VRING_USED_SIZE(n));
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->error = "ring area outside guest RAM";
		return -EINVAL;
	}
	vq->ram = ram;
	vq->indirect = features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	vq->event_idx = features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = true;
	return 0;
}

/* One copy of the descriptor; the barrier keeps the compiler from re-reading it. */
static void read_desc(const struct vireo_vring_desc *src, struct vireo_vring_desc *d)
{
	memcpy(d, src, sizeof(*d));
	__asm__ __volatile__("" ::: "memory");
}

static int walk(struct vireo_vq *vq, uint16_t head, struct vireo_vq_chain *c)
{
	const struct vireo_vring_desc *table = vq->desc;
	unsigned int table_len = vq->size, idx = head, budget = vq->size;
	unsigned int niov = 0, nout = 0;
	uint64_t out_len = 0, in_len = 0;
	bool in_indirect = false, writable = false;

	if (head >= vq->size)
		return fail(vq, "avail ring entry is not a descriptor index");
	for (;;) {
		struct vireo_vring_desc d;
		void *p;

		read_desc(&table[idx], &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return fail(vq, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
			if (in_indirect)
				return fail(vq, "indirect descriptor inside an indirect table");
			if (d.flags & VRING_DESC_F_NEXT)
				return fail(vq, "indirect descriptor with NEXT set");
			if (!d.len || d.len % sizeof(d) || d.len / sizeof(d) > vq->size)
				return fail(vq, "indirect table length not 16 x 1..queue size");
			table = vireo_guest_map(vq->ram, d.addr, d.len);
			if (!table)
				return fail(vq, "indirect table outside guest RAM");
			table_len = d.len / sizeof(d);
			idx = 0;
			in_indirect = true;
			continue;
		}
		if (!budget--)
			return fail(vq, "descriptor chain longer than the queue (a loop?)");
		if (d.flags & VRING_DESC_F_WRITE)
			writable = true;
		else if (writable)
			return fail(vq, "device-readable descriptor after a device-writable one");
		if (d.len) {
			p = vireo_guest_map(vq->ram, d.addr, d.len);
			if (!p)
				return fail(vq, "buffer outside guest RAM");
			if (writable)
				in_len += d.len;
			else
				out_len += d.len;
			if (in_len > VIREO_VQ_MAX_BYTES || out_len > VIREO_VQ_MAX_BYTES)
				return fail(vq, "chain longer than VIREO_VQ_MAX_BYTES");
			c->iov[niov].iov_base = p;
			c->iov[niov].iov_len = d.len;
			niov++;
			if (!writable)
				nout++;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= table_len)
			return fail(vq, "next index outside the descriptor table");
		idx = d.next;
	}
	c->head = head;
	c->nout = (uint16_t)nout;
	c->nin = (uint16_t)(niov - nout);
	c->out_len = (uint32_t)out_len;
	c->in_len = (uint32_t)in_len;
	return 0;
}

int vireo_vq_pop(struct vireo_vq *vq, struct vireo_vq_chain *c)
{
	uint16_t avail_idx, pending, head;
	int err;

	if (vq->error)
		return -EIO;
	if (!vq->ready)
		return 0;
	avail_idx = LOAD16(&vq->avail->idx);
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (!pending)
		return 0;
	if (pending > vq->size)
		return fail(vq, "avail index moved more than the queue size ahead");
	/* The entries the index covers, not older values. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = LOAD16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	err = walk(vq, head, c);
	if (err)
		return err;
	vq->last_avail++;
	return 1;
}

void vireo_vq_unpop(struct vireo_vq *vq)
{
	vq->last_avail--;
}

int vireo_vq_push(struct vireo_vq *vq, uint16_t head, uint32_t len)
{
	struct vireo_vring_used_elem *e;

	if (vq->error || !vq->ready)
		return -EIO;
	if (head >= vq->size)
		return -EINVAL;
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* The element before the index that publishes it. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	return 0;
}

bool vireo_vq_need_interrupt(struct vireo_vq *vq)
{
	uint16_t old = vq->signalled_used, new = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (!vq->ready || vq->error || (valid && old == new))
		return false;
	/* Our used->idx store before the driver's flags / used_event load. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!vq->event_idx)
		return !(LOAD16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	event = LOAD16(&vq->avail->ring[vq->size]);
	/* 2.6.7.2: interrupt if used_event lies in [old, new). */
	return !valid || (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

static uint16_t *avail_event(struct vireo_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

void vireo_vq_notify_disable(struct vireo_vq *vq)
{
	/* With event_idx, leaving avail_event behind is what suppresses. */
	if (vq->ready && !vq->event_idx)
		STORE16(&vq->used->flags, VRING_USED_F_NO_NOTIFY);
}

bool vireo_vq_notify_enable(struct vireo_vq *vq)
{
	if (!vq->ready || vq->error)
		return false;
	if (vq->event_idx)
		STORE16(avail_event(vq), vq->last_avail);
	else
		STORE16(&vq->used->flags, 0);
	/* Publish before looking again, or a buffer added meanwhile is missed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return LOAD16(&vq->avail->idx) != vq->last_avail;
}

size_t vireo_vq_chain_read(const struct vireo_vq_chain *c, size_t offset, void *buf, size_t len)
{
	return vireo_iov_to_buf(c->iov, c->nout, offset, buf, len);
}

size_t vireo_vq_chain_write(const struct vireo_vq_chain *c, size_t offset, const void *buf,
			    size_t len)
{
	return vireo_iov_from_buf(c->iov + c->nout, c->nin, offset, buf, len);
}
