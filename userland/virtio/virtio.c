// SPDX-License-Identifier: GPL-2.0
/*
 * The transport-independent virtio device (virtio.h): device status
 * (2.1), feature negotiation (2.2, 3.1.1), queue enabling, reset, device
 * configuration, and the glue between the monitor's threads and a device
 * type's queue processing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "virtio/virtio.h"

static void queues_reset(struct vireo_virtio_dev *vd)
{
	for (unsigned int q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++) {
		vireo_vq_init(&vd->queues[q].vq, vd->ops->queue_max_size);
		vd->queues[q].vector = VIRTIO_MSI_NO_VECTOR;
		vd->queues[q].kick_pending = false;
	}
}

struct vireo_virtio_dev *vireo_virtio_alloc(const struct vireo_virtio_ops *ops,
					    const struct vireo_guest_ram *ram, void *priv,
					    uint64_t device_features)
{
	struct vireo_virtio_dev *vd;

	if (ops->num_queues > VIREO_VIRTIO_MAX_QUEUES || ops->config_size > VIREO_VIRTIO_CONFIG_MAX ||
	    ops->queue_max_size > VIREO_VQ_MAX_SIZE)
		return NULL;
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return NULL;
	vd->ops = ops;
	vd->priv = priv;
	vd->ram = *ram;
	pthread_mutex_init(&vd->lock, NULL);
	vd->host_features = device_features | VIREO_VIRTIO_F_COMMON;
	vd->config_vector = VIRTIO_MSI_NO_VECTOR;
	vd->log_tokens = VIREO_VIRTIO_LOG_BURST;
	queues_reset(vd);
	return vd;
}

void vireo_virtio_destroy(struct vireo_virtio_dev *vd)
{
	if (!vd)
		return;
	if (vd->ops->destroy)
		vd->ops->destroy(vd);
	pthread_mutex_destroy(&vd->lock);
	free(vd);
}

void vireo_virtio_set_log(struct vireo_virtio_dev *vd,
			  void (*log)(void *opaque, const char *device, const char *msg),
			  void *opaque)
{
	vd->log = log;
	vd->log_opaque = opaque;
}

void vireo_virtio_set_backend_wake(struct vireo_virtio_dev *vd,
				   void (*wake)(void *opaque, struct vireo_virtio_dev *vd),
				   void *opaque)
{
	vd->wake = wake;
	vd->wake_opaque = opaque;
}

uint16_t vireo_virtio_num_queues(const struct vireo_virtio_dev *vd)
{
	return vd->ops->num_queues;
}

/* ---- state --------------------------------------------------------------- */

static bool running(const struct vireo_virtio_dev *vd)
{
	return (vd->status & VIRTIO_STATUS_DRIVER_OK) && !vd->broken;
}

bool vireo_virtio_queue_live(struct vireo_virtio_dev *vd, unsigned int q)
{
	return q < vd->ops->num_queues && running(vd) && vd->queues[q].vq.ready;
}

static bool dma_allowed(struct vireo_virtio_dev *vd)
{
	return !vd->transport || !vd->transport->dma_allowed || vd->transport->dma_allowed(vd);
}

static void interrupt(struct vireo_virtio_dev *vd, int q)
{
	if (vd->transport && vd->transport->interrupt)
		vd->transport->interrupt(vd, q);
}

void vireo_virtio_backend_stall(struct vireo_virtio_dev *vd, bool stalled)
{
	bool was = vd->backend_stalled;

	vd->backend_stalled = stalled;
	if (was && !stalled && vd->wake)
		vd->wake(vd->wake_opaque, vd);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * May one more fault message go out?  A token bucket: the burst, then a
 * token per period.  The guest decides how often it breaks the device
 * (reset, break, reset, ...), so without this it decides how much the
 * monitor writes.
 */
static bool log_allowed(struct vireo_virtio_dev *vd)
{
	uint64_t now = now_ns(), periods;

	if (vd->log_tokens >= VIREO_VIRTIO_LOG_BURST) {
		vd->log_stamp_ns = now;
	} else {
		periods = (now - vd->log_stamp_ns) / VIREO_VIRTIO_LOG_PERIOD_NS;
		if (periods >= VIREO_VIRTIO_LOG_BURST - vd->log_tokens) {
			vd->log_tokens = VIREO_VIRTIO_LOG_BURST;
			vd->log_stamp_ns = now;
		} else {
			vd->log_tokens += (unsigned int)periods;
			vd->log_stamp_ns += periods * VIREO_VIRTIO_LOG_PERIOD_NS;
		}
	}
	if (!vd->log_tokens)
		return false;
	vd->log_tokens--;
	return true;
}

static void log_fault(struct vireo_virtio_dev *vd, int q, const char *why)
{
	char msg[256];
	int n = 0;

	if (!vd->log)
		return;
	if (!log_allowed(vd)) {
		vd->log_suppressed++;
		return;
	}
	if (q >= 0)
		n = snprintf(msg, sizeof(msg), "queue %d: ", q);
	snprintf(msg + n, sizeof(msg) - (size_t)n, "%s", why);
	if (vd->log_suppressed) {
		n = (int)strlen(msg);
		snprintf(msg + n, sizeof(msg) - (size_t)n, " (%llu earlier messages not shown)",
			 (unsigned long long)vd->log_suppressed);
		vd->log_suppressed = 0;
	}
	vd->log(vd->log_opaque, vd->ops->name, msg);
}

static void fault(struct vireo_virtio_dev *vd, int q, const char *why)
{
	vd->nr_faults++;
	if (vd->broken)
		return;
	vd->broken = why;
	vd->status |= VIRTIO_STATUS_NEEDS_RESET;
	log_fault(vd, q, why);
	/* 2.1.2: after DRIVER_OK the device must tell the driver. */
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		interrupt(vd, -1);
}

void vireo_virtio_fail(struct vireo_virtio_dev *vd, const char *why)
{
	fault(vd, -1, why);
}

void vireo_virtio_fail_queue(struct vireo_virtio_dev *vd, unsigned int q, const char *why)
{
	fault(vd, (int)q, why);
}

uint64_t vireo_virtio_log_suppressed(struct vireo_virtio_dev *vd)
{
	uint64_t n;

	pthread_mutex_lock(&vd->lock);
	n = vd->log_suppressed;
	pthread_mutex_unlock(&vd->lock);
	return n;
}

void vireo_virtio_config_changed(struct vireo_virtio_dev *vd)
{
	vd->config_generation++;
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		interrupt(vd, -1);
}

void vireo_virtio_reset(struct vireo_virtio_dev *vd)
{
	vd->status = 0;
	vd->driver_features = 0;
	vd->config_vector = VIRTIO_MSI_NO_VECTOR;
	vd->broken = NULL;
	queues_reset(vd);
	if (vd->ops->reset)
		vd->ops->reset(vd);
	if (vd->transport && vd->transport->reset)
		vd->transport->reset(vd);
	vireo_virtio_backend_stall(vd, false);
}

static bool features_acceptable(const struct vireo_virtio_dev *vd)
{
	/* Only what was offered (6.1), and no legacy interface (Vireo is modern-only). */
	return !(vd->driver_features & ~vd->host_features) &&
	       (vd->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

void vireo_virtio_set_status(struct vireo_virtio_dev *vd, uint8_t val)
{
	uint8_t old = vd->status, new;

	if (!val) {
		vireo_virtio_reset(vd);
		return;
	}
	/*
	 * The driver only ever adds bits (3.1.1); NEEDS_RESET is the
	 * device's.  FEATURES_OK sticks only for an acceptable feature set
	 * (the driver reads it back, 3.1.1 step 6), and DRIVER_OK only after
	 * FEATURES_OK.
	 */
	new = old | (val & (uint8_t)~VIRTIO_STATUS_NEEDS_RESET);
	if ((new & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(vd))
		new &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	if (!(new & VIRTIO_STATUS_FEATURES_OK))
		new &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
	vd->status = new;

	if ((new & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		vireo_virtio_backend_stall(vd, false);
		/* Notifications that came too early (2.1.2 forbids them; be kind). */
		for (unsigned int q = 0; q < vd->ops->num_queues; q++) {
			if (vd->queues[q].kick_pending) {
				vd->queues[q].kick_pending = false;
				vireo_virtio_notify_locked(vd, q);
			}
		}
	}
}

uint32_t vireo_virtio_device_features(const struct vireo_virtio_dev *vd, uint32_t select)
{
	return select < 2 ? (uint32_t)(vd->host_features >> (32 * select)) : 0;
}

uint32_t vireo_virtio_get_driver_features(const struct vireo_virtio_dev *vd, uint32_t select)
{
	return select < 2 ? (uint32_t)(vd->driver_features >> (32 * select)) : 0;
}

void vireo_virtio_set_driver_features(struct vireo_virtio_dev *vd, uint32_t select, uint32_t val)
{
	unsigned int shift = 32 * select;

	/* Settled once FEATURES_OK is set (3.1.1). */
	if (select >= 2 || (vd->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	vd->driver_features &= ~(0xffffffffULL << shift);
	vd->driver_features |= (uint64_t)val << shift;
}

struct vireo_vq *vireo_virtio_queue_regs(struct vireo_virtio_dev *vd, unsigned int q)
{
	if (q >= vd->ops->num_queues || vd->queues[q].vq.ready)
		return NULL;
	return &vd->queues[q].vq;
}

void vireo_virtio_queue_enable(struct vireo_virtio_dev *vd, unsigned int q)
{
	struct vireo_vq *vq;

	if (q >= vd->ops->num_queues || vd->queues[q].vq.ready || vd->broken)
		return;
	vq = &vd->queues[q].vq;
	if (!(vd->status & VIRTIO_STATUS_FEATURES_OK)) {
		vireo_virtio_fail_queue(vd, q, "queue enabled before FEATURES_OK");
		return;
	}
	if (vireo_vq_start(vq, &vd->ram, vd->ops->queue_max_size, vd->driver_features))
		vireo_virtio_fail_queue(vd, q, vq->error);
}

/* ---- queue processing ----------------------------------------------------- */

void vireo_virtio_notify_locked(struct vireo_virtio_dev *vd, unsigned int q)
{
	if (q >= vd->ops->num_queues)
		return;
	if (!(vd->status & VIRTIO_STATUS_DRIVER_OK)) {
		vd->queues[q].kick_pending = true;
		return;
	}
	if (!vireo_virtio_queue_live(vd, q) || !dma_allowed(vd))
		return;
	vd->ops->queue_notify(vd, q);
}

void vireo_virtio_process(struct vireo_virtio_dev *vd, unsigned int q)
{
	pthread_mutex_lock(&vd->lock);
	vireo_virtio_notify_locked(vd, q);
	pthread_mutex_unlock(&vd->lock);
}

int vireo_virtio_backend_fd(struct vireo_virtio_dev *vd)
{
	return vd->ops->backend_fd ? vd->ops->backend_fd(vd) : -1;
}

void vireo_virtio_backend_event(struct vireo_virtio_dev *vd)
{
	pthread_mutex_lock(&vd->lock);
	if (!vd->ops->backend_event)
		goto out;
	if (!running(vd) || !dma_allowed(vd)) {
		/* Nobody to give input to: stop polling until a driver starts. */
		vd->backend_stalled = true;
		goto out;
	}
	vd->ops->backend_event(vd);
out:
	pthread_mutex_unlock(&vd->lock);
}

bool vireo_virtio_backend_wanted(struct vireo_virtio_dev *vd)
{
	bool wanted;

	pthread_mutex_lock(&vd->lock);
	wanted = vd->ops->backend_event && !vd->backend_stalled;
	pthread_mutex_unlock(&vd->lock);
	return wanted;
}

int vireo_virtio_pop(struct vireo_virtio_dev *vd, unsigned int q, struct vireo_vq_chain *c)
{
	struct vireo_vq *vq;
	int r;

	if (!vireo_virtio_queue_live(vd, q))
		return 0;
	vq = &vd->queues[q].vq;
	r = vireo_vq_pop(vq, c);
	if (r < 0) {
		vireo_virtio_fail_queue(vd, q, vq->error ? vq->error : "virtqueue error");
		return -EIO;
	}
	if (r > 0)
		vireo_vq_notify_disable(vq);
	return r;
}

void vireo_virtio_unpop(struct vireo_virtio_dev *vd, unsigned int q)
{
	vireo_vq_unpop(&vd->queues[q].vq);
}

void vireo_virtio_push(struct vireo_virtio_dev *vd, unsigned int q, uint16_t head, uint32_t len)
{
	if (q < vd->ops->num_queues)
		vireo_vq_push(&vd->queues[q].vq, head, len);
}

void vireo_virtio_flush(struct vireo_virtio_dev *vd, unsigned int q)
{
	if (q < vd->ops->num_queues && vireo_vq_need_interrupt(&vd->queues[q].vq))
		interrupt(vd, (int)q);
}

bool vireo_virtio_queue_rearm(struct vireo_virtio_dev *vd, unsigned int q)
{
	return vireo_virtio_queue_live(vd, q) && vireo_vq_notify_enable(&vd->queues[q].vq);
}

/* ---- device configuration ------------------------------------------------- */

void vireo_virtio_config_put(struct vireo_virtio_dev *vd, unsigned int offset, unsigned int size,
			     uint64_t val)
{
	for (unsigned int i = 0; i < size && offset + i < VIREO_VIRTIO_CONFIG_MAX; i++)
		vd->config[offset + i] = (uint8_t)(val >> (8 * i));
}

uint64_t vireo_virtio_config_read(struct vireo_virtio_dev *vd, unsigned int offset,
				  unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size && i < 8; i++)
		if (offset + i < vd->ops->config_size)
			v |= (uint64_t)vd->config[offset + i] << (8 * i);
	return v;
}

void vireo_virtio_config_write(struct vireo_virtio_dev *vd, unsigned int offset,
			       unsigned int size, uint64_t val)
{
	if (vd->ops->config_write && offset < vd->ops->config_size &&
	    size <= vd->ops->config_size - offset)
		vd->ops->config_write(vd, offset, size, val);
}
