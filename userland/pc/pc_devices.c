// SPDX-License-Identifier: GPL-2.0
/*
 * The machine description (device.h, machine_table.c) turned into a
 * machine and back: each table line's instances created in table order,
 * their fixed ports and MMIO registered on the buses (pc_bus.c), and at
 * teardown destroyed in the reverse order, so a device may rely on every
 * device above it in the table (the interrupt router on the IOAPIC and the
 * PIC, the virtio functions on the PCI host).
 *
 * Also the services a device gets (struct vireo_pc_services): each a thin
 * call into the machine, so the devices never see struct vireo_pc.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "virtio/blk.h"

#include "dev/models.h"
#include "pc.h"

int vireo_pc_device_fail(const struct vireo_pc_services *svc, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(svc->err, "vireo-run: ");
	va_start(ap, fmt);
	vfprintf(svc->err, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(svc->err, ": %s", vireo_strerror(err));
	fprintf(svc->err, "\n");
	return err ? err : -EINVAL;
}

/* ---- services ------------------------------------------------------------------ */

/* The router's lines: NULL to a device above the router in the table. */
static struct vireo_irq_router *svc_irq(void *machine)
{
	return vireo_pc_find(machine, &vireo_pc_dev_irq_router, 0);
}

static void timer_arm(void *opaque, uint64_t deadline_ns)
{
	struct vireo_pc_timer *t = opaque;
	struct itimerspec its = { 0 };

	if (deadline_ns != VIREO_TIMER_OFF) {
		if (!deadline_ns)
			deadline_ns = 1;	/* 0 would disarm */
		its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
		its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ULL);
	}
	timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int svc_timer(void *machine, void (*expired)(void *dev), void *dev,
		     struct vireo_timer *out)
{
	struct vireo_pc *pc = machine;
	struct vireo_pc_timer *t;

	if (pc->nr_timers == VIREO_PC_MAX_TIMERS)
		return -ENOSPC;
	t = &pc->timers[pc->nr_timers];
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	t->expired = expired;
	t->dev = dev;
	pc->nr_timers++;
	out->arm = timer_arm;
	out->opaque = t;
	return 0;
}

static void svc_console_write(void *machine, const uint8_t *buf, size_t len)
{
	struct vireo_pc *pc = machine;

	vireo_pc_console_write(&pc->host->console, buf, len);
}

static void svc_console_room(void *machine)
{
	struct vireo_pc *pc = machine;
	uint64_t one = 1;
	ssize_t n = write(pc->uart_room_fd, &one, sizeof(one));

	(void)n;	/* a full counter still wakes the loop */
}

static void svc_request(void *machine, enum vireo_pc_device_request req, uint32_t value)
{
	struct vireo_pc *pc = machine;

	switch (req) {
	case VIREO_PC_DEV_RESET:
		vireo_pc_request(pc, VIREO_PC_RESET);
		break;
	case VIREO_PC_DEV_POWEROFF:
		vireo_pc_request(pc, VIREO_PC_POWEROFF);
		break;
	case VIREO_PC_DEV_DEBUG_EXIT:
		vireo_pc_request_debug_exit(pc, value);
		break;
	case VIREO_PC_DEV_SLEEP:
		vireo_pc_sleep_enter(pc);
		break;
	case VIREO_PC_DEV_WAKE:
		vireo_pc_sleep_wake(pc);
		break;
	}
}

static atomic_uint_fast64_t *svc_status_field(void *machine, const char *key)
{
	struct vireo_pc *pc = machine;

	return vireo_pc_control_status_field(&pc->host->ctl, key);
}

static void *svc_find(void *machine, const struct vireo_pc_device_model *model,
		      unsigned int instance)
{
	return vireo_pc_find(machine, model, instance);
}

static int svc_nic_backend(void *machine, unsigned int instance, struct vireo_net_backend *be,
			   GError **error)
{
	return vireo_pc_nic_backend(machine, instance, be, error);
}

static void svc_nic_forget(void *machine, unsigned int instance)
{
	vireo_pc_nic_forget(machine, instance);
}

void vireo_pc_services_init(struct vireo_pc *pc)
{
	struct vireo_pc_services *s = &pc->svc;

	s->machine = pc;
	s->opts = pc->opts;
	s->layout = &pc->layout;
	s->ram = &pc->guest_ram;
	s->err = pc->err;
	s->irq = svc_irq;
	s->msi = vireo_pc_msi;
	s->timer = svc_timer;
	s->console_write = svc_console_write;
	s->console_room = svc_console_room;
	s->request = svc_request;
	s->status_field = svc_status_field;
	s->find = svc_find;
	s->virtio_plug = vireo_pc_virtio_plug;
	s->nic_backend = svc_nic_backend;
	s->nic_forget = svc_nic_forget;
	s->pci_bar_change = vireo_pc_virtio_bar_change;
}

/* ---- build / destroy ------------------------------------------------------------- */

void *vireo_pc_find(struct vireo_pc *pc, const struct vireo_pc_device_model *model,
		    unsigned int instance)
{
	unsigned int i;

	for (i = 0; i < pc->nr_devices; i++)
		if (pc->devices[i].slot->model == model && pc->devices[i].instance == instance)
			return pc->devices[i].dev;
	return NULL;
}

static int place(struct vireo_pc *pc, const struct vireo_pc_device_model *m, void *dev)
{
	struct vireo_hw_pio_range at;
	unsigned int i;
	int r = 0;

	/* First: a port chosen on the command line outranks a device already there. */
	if (m->pio_at && m->pio_at(dev, &at))
		r = vireo_pc_add_ports(pc, at.base, at.len, at.handler, dev, m->name);
	for (i = 0; !r && m->hw && i < m->hw->nr_pio; i++)
		r = vireo_pc_add_ports(pc, m->hw->pio[i].base, m->hw->pio[i].len,
				       m->hw->pio[i].handler, dev, m->name);
	if (!r && m->hw && m->hw->mmio)
		r = vireo_pc_add_mmio(pc, m->hw->mmio_base, m->hw->mmio_len, m->hw->mmio, dev,
				      m->name);
	if (!r && (m->decode_pio || m->decode_mmio))
		r = vireo_pc_add_decoder(pc, m->decode_pio, m->decode_mmio, dev);
	return r;
}

int vireo_pc_device_add(struct vireo_pc *pc, const struct vireo_pc_slot *slot,
			unsigned int instance)
{
	const struct vireo_pc_device_model *m = slot->model;
	struct vireo_pc_device *d;
	void *dev = NULL;
	int r;

	if (pc->nr_devices == VIREO_PC_MAX_DEVICES) {
		fprintf(pc->err, "vireo-run: %s: the machine's device table is full\n", m->name);
		return -ENOSPC;
	}
	r = m->create(&pc->svc, slot, instance, &dev);
	if (r)
		return r;
	d = &pc->devices[pc->nr_devices++];	/* from here on, destroy undoes it */
	d->slot = slot;
	d->instance = instance;
	d->dev = dev;
	r = place(pc, m, dev);
	if (r)
		fprintf(pc->err, "vireo-run: %s: the bus tables are full: %s\n", m->name,
			vireo_strerror(r));
	return r;
}

int vireo_pc_devices_build(struct vireo_pc *pc)
{
	unsigned int i, k, n;
	int r;

	for (i = 0; i < vireo_pc_machine_table_len; i++) {
		const struct vireo_pc_slot *slot = &vireo_pc_machine_table[i];

		n = slot->model->count ? slot->model->count(pc->opts) : 1;
		for (k = 0; k < n; k++) {
			r = vireo_pc_device_add(pc, slot, k);
			if (r)
				return r;
		}
	}
	for (i = 0; i < pc->nr_devices; i++) {
		const struct vireo_pc_device_model *m = pc->devices[i].slot->model;

		if (m->complete) {
			r = m->complete(pc->devices[i].dev);
			if (r)
				return r;
		}
	}
	/* The rest of the machine talks to these few itself. */
	pc->irq = vireo_pc_find(pc, &vireo_pc_dev_irq_router, 0);
	pc->ioapic = vireo_pc_find(pc, &vireo_pc_dev_ioapic, 0);
	pc->uart = vireo_pc_find(pc, &vireo_pc_dev_uart, 0);
	pc->pm = vireo_pc_find(pc, &vireo_pc_dev_pm, 0);
	if (!pc->irq || !pc->ioapic || !pc->uart || !pc->pm) {
		fprintf(pc->err,
			"vireo-run: the machine description lacks the router, IOAPIC, UART or PM block\n");
		return -EINVAL;
	}
	for (i = 0; i < VIREO_PC_MAX_DISKS; i++) {
		void *v = vireo_pc_find(pc, &vireo_pc_dev_virtio_blk, i);

		pc->disks[i] = v ? vireo_pc_virtio_dev(v) : NULL;
		if (pc->disks[i])
			atomic_store(&pc->host->ctl.disk_size[i],
				     vireo_virtio_blk_size(pc->disks[i]));
	}
	return 0;
}

void vireo_pc_devices_destroy(struct vireo_pc *pc)
{
	unsigned int i;

	while (pc->nr_devices) {
		struct vireo_pc_device *d = &pc->devices[--pc->nr_devices];

		if (d->slot->model->destroy)
			d->slot->model->destroy(d->dev);
	}
	pc->nr_virtio = 0;
	pc->irq = NULL;
	pc->ioapic = NULL;
	pc->uart = NULL;
	pc->pm = NULL;
	for (i = 0; i < pc->nr_timers; i++)
		close(pc->timers[i].fd);
	pc->nr_timers = 0;
}
