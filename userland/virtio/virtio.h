/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio device, independent of its transport: status state machine,
 * feature negotiation, queues, device configuration space, reset, and the
 * entry points the monitor calls from its own threads.
 *
 * A device type is one const struct vireo_virtio_ops (virtio-blk in
 * blk.c, virtio-net in net.c, ...); an instance is a struct
 * vireo_virtio_dev made by the type's create function.  A transport
 * (virtio_pci.c) drives the registers and delivers interrupts through the
 * struct vireo_virtio_transport it installs.
 *
 * Threads.  The monitor owns them: it calls vireo_virtio_process() when a
 * queue's notification eventfd fires (after reading the eventfd), and
 * vireo_virtio_backend_event() when the device's backend fd is readable.
 * Any thread may call either; vCPU threads reach the device through the
 * transport's register handlers.  One mutex per device (vd->lock) covers
 * all of it, and the PCI transport makes it the PCI function's lock too.
 * Backend I/O (disk reads, tap writes) happens with the lock held, so a
 * device serves one request at a time.
 *
 * Faults.  A driver that breaks the rules (bad ring, malformed request)
 * gets DEVICE_NEEDS_RESET (2.1.2) and a configuration-change interrupt,
 * and the device ignores its queues until the driver resets it; the
 * monitor hears about it once through the log callback, with the queue
 * named ("queue 0: descriptor chain longer than ...").  A driver that
 * resets and breaks the device again and again is rate limited: a burst
 * of VIREO_VIRTIO_LOG_BURST messages, then one per
 * VIREO_VIRTIO_LOG_PERIOD_NS; the next message that gets through says how
 * many were left out, and vireo_virtio_log_suppressed() tells the rest.
 */
#ifndef VIREO_VIRTIO_H
#define VIREO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/virtqueue.h"

#define VIREO_VIRTIO_MAX_QUEUES	8
#define VIREO_VIRTIO_CONFIG_MAX	256

/* Fault messages per device: a burst, then one per period (see above). */
#define VIREO_VIRTIO_LOG_BURST		100
#define VIREO_VIRTIO_LOG_PERIOD_NS	1000000000ULL

struct vireo_virtio_dev;

/* One per device type, const. */
struct vireo_virtio_ops {
	const char *name;
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint16_t num_queues;		/* <= VIREO_VIRTIO_MAX_QUEUES */
	uint16_t queue_max_size;	/* power of two <= VIREO_VQ_MAX_SIZE */
	uint32_t config_size;		/* <= VIREO_VIRTIO_CONFIG_MAX */

	/* Buffers may be waiting on queue q (lock held, DRIVER_OK, queue live). */
	void (*queue_notify)(struct vireo_virtio_dev *vd, unsigned int q);
	/* The fd the monitor polls for input (net: tap, console: input); optional. */
	int (*backend_fd)(struct vireo_virtio_dev *vd);
	/* That fd is readable (lock held, device running); see backend_event(). */
	void (*backend_event)(struct vireo_virtio_dev *vd);
	/* The driver wrote device configuration bytes (lock held); optional. */
	void (*config_write)(struct vireo_virtio_dev *vd, unsigned int offset, unsigned int size,
			     uint64_t val);
	/* Device-specific part of a reset (lock held); optional. */
	void (*reset)(struct vireo_virtio_dev *vd);
	/* Release the backend; optional. */
	void (*destroy)(struct vireo_virtio_dev *vd);
};

/* What a transport provides (virtio_pci.c). */
struct vireo_virtio_transport {
	/* Signal the driver: queue q used buffers, or (q < 0) config change. */
	void (*interrupt)(struct vireo_virtio_dev *vd, int q);
	/* May the device touch guest memory now (PCI: bus mastering on)? */
	bool (*dma_allowed)(struct vireo_virtio_dev *vd);
	/* The transport's part of a device reset (ISR, INTx). */
	void (*reset)(struct vireo_virtio_dev *vd);
};

struct vireo_virtio_queue {
	struct vireo_vq vq;
	uint16_t vector;	/* MSI-X vector or VIRTIO_MSI_NO_VECTOR */
	bool kick_pending;	/* notified before DRIVER_OK: process then */
};

/* Legend: (i) set at creation, then fixed; (l) vd->lock. */
struct vireo_virtio_dev {
	const struct vireo_virtio_ops *ops;		/* (i) */
	void *priv;					/* (i) the device type's state */
	struct vireo_guest_ram ram;			/* (i) */
	pthread_mutex_t lock;
	uint64_t host_features;				/* (i) device + transport bits */

	uint64_t driver_features;			/* (l) */
	uint8_t status;					/* (l) */
	uint8_t config_generation;			/* (l) */
	uint16_t config_vector;				/* (l) */
	uint8_t config[VIREO_VIRTIO_CONFIG_MAX];	/* (l) device config, LE */
	struct vireo_virtio_queue queues[VIREO_VIRTIO_MAX_QUEUES];	/* (l) */
	bool backend_stalled;				/* (l) see backend_wanted() */
	void (*wake)(void *opaque, struct vireo_virtio_dev *vd);	/* (i) */
	void *wake_opaque;				/* (i) */

	const struct vireo_virtio_transport *transport;	/* (i) */
	void *transport_priv;				/* (i) */

	const char *broken;		/* (l) why NEEDS_RESET was set, or NULL */
	uint64_t nr_faults;		/* (l) times a driver broke the rules */
	void (*log)(void *opaque, const char *device, const char *msg);	/* (i) */
	void *log_opaque;		/* (i) */
	unsigned int log_tokens;	/* (l) messages that may go out now */
	uint64_t log_stamp_ns;		/* (l) when log_tokens was last refilled */
	uint64_t log_suppressed;	/* (l) left out since the last message */

	struct vireo_vq_chain chain;	/* (l) scratch for queue processing */
};

/* Feature bits every device offers (the transport's). */
#define VIREO_VIRTIO_F_COMMON                                                               \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |              \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

/*
 * For the device types' create functions: allocate the device with priv
 * and the device-specific features (the common ones are added).
 * Returns NULL on allocation failure.
 */
struct vireo_virtio_dev *vireo_virtio_alloc(const struct vireo_virtio_ops *ops,
					    const struct vireo_guest_ram *ram, void *priv,
					    uint64_t device_features);

/* Destroy a device (ops->destroy, then free).  NULL is fine. */
void vireo_virtio_destroy(struct vireo_virtio_dev *vd);

/*
 * Called with a message when the driver breaks the rules (once per
 * incident, rate limited: see "Faults" above), on the thread that found
 * out, with the device lock held; optional.
 */
void vireo_virtio_set_log(struct vireo_virtio_dev *vd,
			  void (*log)(void *opaque, const char *device, const char *msg),
			  void *opaque);

/* Fault messages the rate limit left out and no later message mentioned. */
uint64_t vireo_virtio_log_suppressed(struct vireo_virtio_dev *vd);

/* ---- for the monitor -------------------------------------------------- */

/* Queue q's notification arrived: process it.  Any thread. */
void vireo_virtio_process(struct vireo_virtio_dev *vd, unsigned int q);

/* The backend fd (net: tap, console: input) for the monitor to poll, or -1. */
int vireo_virtio_backend_fd(struct vireo_virtio_dev *vd);

/* The backend fd is readable: move input to the guest.  Any thread. */
void vireo_virtio_backend_event(struct vireo_virtio_dev *vd);

/*
 * Should the monitor poll the backend fd now?  False after the device
 * found no guest buffers to receive into (or no running driver): the
 * monitor stops polling so that pending input does not spin it, and the
 * device calls wake (set below) when it wants input again: the driver
 * posted receive buffers, started, or reset.  wake runs with the device
 * lock held on whatever thread caused it; it should only write an eventfd
 * the polling thread watches.
 */
bool vireo_virtio_backend_wanted(struct vireo_virtio_dev *vd);
void vireo_virtio_set_backend_wake(struct vireo_virtio_dev *vd,
				   void (*wake)(void *opaque, struct vireo_virtio_dev *vd),
				   void *opaque);

uint16_t vireo_virtio_num_queues(const struct vireo_virtio_dev *vd);

/* ---- for device types (lock held) --------------------------------------- */

/*
 * Pop a chain from queue q into c: 1, 0 (empty), or -EIO after marking
 * the device broken.  Notifications stay suppressed until
 * vireo_virtio_queue_rearm().
 */
int vireo_virtio_pop(struct vireo_virtio_dev *vd, unsigned int q, struct vireo_vq_chain *c);
void vireo_virtio_unpop(struct vireo_virtio_dev *vd, unsigned int q);
/* Return a chain, len bytes written into it. */
void vireo_virtio_push(struct vireo_virtio_dev *vd, unsigned int q, uint16_t head, uint32_t len);
/* Interrupt the driver if it wants one for what was pushed. */
void vireo_virtio_flush(struct vireo_virtio_dev *vd, unsigned int q);
/* Re-enable notifications; true if buffers arrived meanwhile (pop again). */
bool vireo_virtio_queue_rearm(struct vireo_virtio_dev *vd, unsigned int q);
/* Is queue q enabled and the device running (DRIVER_OK, not broken)? */
bool vireo_virtio_queue_live(struct vireo_virtio_dev *vd, unsigned int q);
/* Out of receive buffers (true), or taking input again (false: wakes the monitor). */
void vireo_virtio_backend_stall(struct vireo_virtio_dev *vd, bool stalled);

/* The driver broke the rules: NEEDS_RESET, config interrupt, log once. */
void vireo_virtio_fail(struct vireo_virtio_dev *vd, const char *why);
/* The same, for something found on queue q (the message names it). */
void vireo_virtio_fail_queue(struct vireo_virtio_dev *vd, unsigned int q, const char *why);

/* The device changed its configuration: new generation, config interrupt. */
void vireo_virtio_config_changed(struct vireo_virtio_dev *vd);

/* Little-endian stores into vd->config, for create functions. */
void vireo_virtio_config_put(struct vireo_virtio_dev *vd, unsigned int offset, unsigned int size,
			     uint64_t val);

/* ---- for transports (lock held) ------------------------------------------ */

void vireo_virtio_reset(struct vireo_virtio_dev *vd);
void vireo_virtio_set_status(struct vireo_virtio_dev *vd, uint8_t status);
uint32_t vireo_virtio_device_features(const struct vireo_virtio_dev *vd, uint32_t select);
void vireo_virtio_set_driver_features(struct vireo_virtio_dev *vd, uint32_t select,
				      uint32_t val);
uint32_t vireo_virtio_get_driver_features(const struct vireo_virtio_dev *vd, uint32_t select);
/* Queue registers of queue q; writes are ignored once the queue is enabled. */
struct vireo_vq *vireo_virtio_queue_regs(struct vireo_virtio_dev *vd, unsigned int q);
/* The driver wrote queue_enable = 1. */
void vireo_virtio_queue_enable(struct vireo_virtio_dev *vd, unsigned int q);
/* The driver notified queue q through the transport (trapped, no eventfd). */
void vireo_virtio_notify_locked(struct vireo_virtio_dev *vd, unsigned int q);
/* Device configuration access; reads past config_size return 0. */
uint64_t vireo_virtio_config_read(struct vireo_virtio_dev *vd, unsigned int offset,
				  unsigned int size);
void vireo_virtio_config_write(struct vireo_virtio_dev *vd, unsigned int offset,
			       unsigned int size, uint64_t val);

#endif /* VIREO_VIRTIO_H */
