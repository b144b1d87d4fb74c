// SPDX-License-Identifier: GPL-2.0
/*
 * Building the PC machine and taking it apart (pc.h), in the order of
 * userland/boot/README.md: VM with the in-kernel LAPIC, RAM and its slots
 * as boot/layout.h lays them out, the CPUID table, ACPI tables, the
 * kernel, the platform devices and their interrupt wiring, the PCI bus
 * with the virtio functions, and last the vCPUs with the boot processor's
 * entry state.
 *
 * Interrupts, all as MSI messages into the kernel's LAPICs: devices drive
 * lines of the router (hw/irq.h), which feeds the IOAPIC and the PIC;
 * those and the PCI functions' MSI-X deliver through vireo_pc_msi(), the
 * VIREO_SIGNAL_MSI ioctl, from whatever thread raised the interrupt.
 * Level-triggered IOAPIC vectors come back as VIREO_EXIT_IOAPIC_EOI.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "boot/bda.h"
#include "boot/entry.h"
#include "boot/image.h"
#include "boot/linux.h"
#include "boot/multiboot.h"
#include "disk/disk.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/net.h"
#include "virtio/rng.h"

#include "cpu_model.h"
#include "pc.h"
#include "pc_disk.h"

/* hw_ready[] slots: which device inits succeeded. */
enum { HW_ROUTER, HW_IOAPIC, HW_PIC, HW_PIT, HW_RTC, HW_UART, HW_I8042, HW_PM, HW_PCI };

/* Everything the PC's serial and virtio consoles print goes here too. */
#define PC_OUT_FD	1

static int fail(struct vireo_pc *pc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct vireo_pc *pc, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(pc->err, "vireo-run: ");
	va_start(ap, fmt);
	vfprintf(pc->err, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(pc->err, ": %s", vireo_strerror(err));
	fprintf(pc->err, "\n");
	return err ? err : -EINVAL;
}

/* ---- events ---------------------------------------------------------------- */

void vireo_pc_request(struct vireo_pc *pc, enum vireo_pc_event ev)
{
	uint64_t one = 1;
	ssize_t n;

	pthread_mutex_lock(&pc->event_lock);
	if (ev > pc->event)
		pc->event = ev;
	pthread_mutex_unlock(&pc->event_lock);
	n = write(pc->event_fd, &one, sizeof(one));
	(void)n;	/* a full counter is still readable: the loop wakes */
}

void vireo_pc_request_debug_exit(struct vireo_pc *pc, uint32_t value)
{
	pthread_mutex_lock(&pc->event_lock);
	if (pc->event < VIREO_PC_DEBUG_EXIT)
		pc->debug_exit_value = value;
	pthread_mutex_unlock(&pc->event_lock);
	vireo_pc_request(pc, VIREO_PC_DEBUG_EXIT);
}

enum vireo_pc_event vireo_pc_event(struct vireo_pc *pc)
{
	enum vireo_pc_event ev;

	pthread_mutex_lock(&pc->event_lock);
	ev = pc->event;
	pthread_mutex_unlock(&pc->event_lock);
	return ev;
}

/* ---- callbacks the device models make ---------------------------------------- */

int vireo_pc_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct vireo_pc *pc = opaque;
	int r = vireo_pc_signal_msi(pc->vm_fd, address, data);

	if (r > 0)
		atomic_fetch_add(&pc->msi_sent, 1);
	else
		atomic_fetch_add(&pc->msi_refused, 1);
	return r;
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

static void pit_expired(void *dev)
{
	vireo_pit_timer(dev);
}

static void rtc_expired(void *dev)
{
	vireo_rtc_timer(dev);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct vireo_pc *pc = opaque;

	vireo_pc_console_write(&pc->host->console, &byte, 1);
}

static void uart_rx_room(void *opaque)
{
	struct vireo_pc *pc = opaque;
	uint64_t one = 1;
	ssize_t n = write(pc->uart_room_fd, &one, sizeof(one));

	(void)n;
}

static void on_reset(void *opaque)
{
	vireo_pc_request(opaque, VIREO_PC_RESET);
}

static void on_poweroff(void *opaque)
{
	vireo_pc_request(opaque, VIREO_PC_POWEROFF);
}

static void rtc_alarm(void *opaque)
{
	vireo_pm_rtc_alarm(opaque);
}

static void *ram_map(void *opaque, uint64_t gpa, uint64_t len)
{
	struct vireo_pc *pc = opaque;
	uint64_t off = vireo_layout_ram_offset(&pc->layout, gpa, len);

	return off == (uint64_t)-1 ? NULL : pc->ram + off;
}

static void virtio_log(void *opaque, const char *device, const char *msg)
{
	struct vireo_pc_virtio *v = opaque;

	fprintf(v->pc->err, "vireo-run: %s (%s): the guest's driver broke the rules: %s\n",
		device, v->what, msg);
}

static void virtio_wake(void *opaque, struct vireo_virtio_dev *vd)
{
	struct vireo_pc_virtio *v = opaque;
	uint64_t one = 1;
	ssize_t n;

	(void)vd;
	n = write(v->wake_fd, &one, sizeof(one));
	(void)n;
}

/*
 * A virtio function's BARs moved (pci/pci.h): when its notify BAR
 * decodes, each queue's ioeventfd follows it, so that the guest's OUT
 * completes in the kernel and only wakes the I/O loop.
 */
static void bar_change(void *opaque, struct vireo_pci_dev *dev, unsigned int bar, bool is_io,
		       uint64_t addr, uint64_t size, bool mapped)
{
	struct vireo_pc *pc = opaque;
	struct vireo_virtio_pci *vp = vireo_virtio_pci_from_pci(dev);
	struct vireo_pc_virtio *v = NULL;
	unsigned int i, q;

	(void)size;
	if (!vp || bar != VIREO_VIRTIO_PCI_NOTIFY_BAR || !is_io)
		return;
	for (i = 0; i < pc->nr_virtio; i++)
		if (&pc->virtio[i]->vp == vp)
			v = pc->virtio[i];
	if (!v)
		return;
	for (q = 0; q < vireo_virtio_num_queues(v->vd); q++) {
		uint16_t port = (uint16_t)(addr + VIREO_VIRTIO_PCI_NOTIFY_OFF(q));
		int r;

		if (v->queue_port[q]) {
			vireo_pc_ioeventfd(pc->vm_fd, v->queue_port[q], 2, v->queue_fd[q], q,
					   false);
			v->queue_port[q] = 0;
		}
		if (!mapped)
			continue;
		r = vireo_pc_ioeventfd(pc->vm_fd, port, 2, v->queue_fd[q], q, true);
		if (r) {
			/* The notification still works, through an exit. */
			fprintf(pc->err, "vireo-run: %s: ioeventfd on port 0x%x: %s\n", v->what,
				port, vireo_strerror(r));
			continue;
		}
		v->queue_port[q] = port;
	}
}

static void set_gsi(void *opaque, unsigned int gsi, bool asserted)
{
	struct vireo_pc *pc = opaque;

	vireo_irq_set(&pc->irq, gsi, asserted);
}

static const struct vireo_pci_irq_ops pci_irq_ops = {
	.set_gsi = set_gsi,
	.msi = vireo_pc_msi,
};

/* ---- pieces ------------------------------------------------------------------ */

static int timer_init(struct vireo_pc *pc, struct vireo_pc_timer *t, void (*expired)(void *),
		      void *dev)
{
	t->expired = expired;
	t->dev = dev;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0)
		return fail(pc, -errno, "timerfd_create");
	return 0;
}

static int memory_init(struct vireo_pc *pc)
{
	struct vireo_layout_config lc = { .ram_size = pc->opts->mem_size };
	char err[VIREO_BOOT_ERR_LEN];
	unsigned int i;
	void *ram;
	int r;

	r = vireo_layout_init(&pc->layout, &lc, err);
	if (r)
		return fail(pc, 0, "%s", err);
	r = vireo_ram_alloc(pc->layout.ram_size, &ram);
	if (r)
		return fail(pc, r, "cannot allocate %" PRIu64 "M of guest RAM",
			    pc->layout.ram_size >> 20);
	pc->ram = ram;
	for (i = 0; i < pc->layout.nr_ram; i++) {
		const struct vireo_ram_region *reg = &pc->layout.ram[i];

		r = vireo_vm_set_memory(pc->vm, i, 0, reg->gpa, reg->size, pc->ram + reg->offset);
		if (r == -ENOMEM)
			vireo_memlock_explain(pc->err, "vireo-run");
		if (r)
			return fail(pc, r, "cannot map guest RAM at 0x%" PRIx64, reg->gpa);
	}
	pc->guest_ram.map = ram_map;
	pc->guest_ram.opaque = pc;
	return 0;
}

static int cpuid_init(struct vireo_pc *pc)
{
	int n = vireo_supported_cpuid(pc->sys, pc->cpuid, VIREO_MAX_CPUID_ENTRIES);
	char err[256];

	if (n < 0)
		return fail(pc, n, "VIREO_GET_SUPPORTED_CPUID");
	pc->nr_cpuid = (unsigned int)n;
	vireo_pc_cpuid_adjust(pc->cpuid, pc->nr_cpuid);
	if (pc->opts->cpu_model &&
	    vireo_cpu_model_apply(pc->opts->cpu_model, pc->cpuid, pc->nr_cpuid, err, sizeof(err)))
		return fail(pc, 0, "%s", err);
	pc->phys_bits = vireo_pc_cpuid_phys_bits(pc->cpuid, pc->nr_cpuid);
	return 0;
}

/*
 * A Multiboot kernel with --initrd's module list (QEMU's syntax,
 * boot/multiboot.h): each module read, its string as given.
 */
static int load_multiboot(struct vireo_pc *pc, const struct vireo_mem *mem, const void *kernel,
			  size_t kernel_size, struct vireo_boot_entry *entry, char *err)
{
	const struct vireo_options *o = pc->opts;
	struct vireo_multiboot_module_arg *args = NULL;
	struct vireo_multiboot_module *mods = NULL;
	struct vireo_multiboot_config mcfg = {
		.kernel_name = o->kernel,
		.kernel = kernel,
		.kernel_size = kernel_size,
		.cmdline = o->append,
	};
	struct vireo_multiboot_info info;
	char *list = NULL;
	int n = 0, i, r = -ENOMEM;

	if (o->initrd) {
		list = strdup(o->initrd);
		args = calloc(VIREO_MB_MAX_MODULES, sizeof(*args));
		mods = calloc(VIREO_MB_MAX_MODULES, sizeof(*mods));
		if (!list || !args || !mods) {
			snprintf(err, VIREO_BOOT_ERR_LEN, "%s: out of memory", o->initrd);
			goto out;
		}
		n = vireo_multiboot_parse_modules(list, args, VIREO_MB_MAX_MODULES);
		if (n < 0) {
			r = n;
			snprintf(err, VIREO_BOOT_ERR_LEN,
				 "--initrd '%s': a module without a file name, or more than %d (a Multiboot kernel's list is FILE[ ARGS][,FILE[ ARGS]]...)",
				 o->initrd, (int)VIREO_MB_MAX_MODULES);
			n = 0;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		char *path = strndup(args[i].string, args[i].path_len);

		mods[i].name = path;
		mods[i].cmdline = args[i].string;
		r = path ? vireo_boot_read_file(path, (void **)&mods[i].data, &mods[i].size, err)
			 : -ENOMEM;
		if (r)
			goto out;
	}
	mcfg.modules = mods;
	mcfg.nr_modules = (unsigned int)n;
	r = vireo_multiboot_load(&pc->layout, mem, &mcfg, &info, err);
	*entry = info.entry;
out:
	for (i = 0; mods && i < n; i++) {
		free((void *)mods[i].name);
		free((void *)mods[i].data);
	}
	free(mods);
	free(args);
	free(list);
	return r;
}

/* ACPI tables, then the kernel: fills the boot processor's entry state. */
static int firmware_init(struct vireo_pc *pc, const struct vireo_mem *mem,
			 struct vireo_boot_entry *entry)
{
	const struct vireo_options *o = pc->opts;
	struct vireo_acpi_config ac;
	char err[VIREO_BOOT_ERR_LEN];
	void *kernel = NULL, *initrd = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	int r;

	vireo_acpi_config_init(&ac, &pc->layout, pc->nr_vcpus);
	r = vireo_acpi_install(&ac, mem, VIREO_LAYOUT_ACPI_BASE, VIREO_LAYOUT_ACPI_END, &pc->acpi,
			       err);
	if (r)
		return fail(pc, 0, "%s", err);
	if (!vireo_pc_sleep_trampoline_fits(pc))
		return fail(pc, -ENOSPC, "the ACPI tables reach the S3 wake trampoline");

	/* What a BIOS would have left: kernels read it without asking. */
	if (vireo_bda_install(mem))
		return fail(pc, -EFAULT, "cannot write the BIOS data area");

	r = vireo_boot_read_file(o->kernel, &kernel, &kernel_size, err);
	if (r) {
		fail(pc, 0, "%s", err);
		goto out;
	}
	switch (vireo_boot_detect(kernel, kernel_size)) {
	case VIREO_IMAGE_LINUX: {
		if (o->initrd) {
			r = vireo_boot_read_file(o->initrd, &initrd, &initrd_size, err);
			if (r)
				break;
		}
		struct vireo_linux_config lcfg = {
			.kernel_name = o->kernel,
			.kernel = kernel,
			.kernel_size = kernel_size,
			.initrd_name = o->initrd,
			.initrd = initrd,
			.initrd_size = initrd_size,
			.cmdline = o->append,
			.acpi_rsdp = pc->acpi.rsdp,
		};
		struct vireo_linux_info info;

		r = vireo_linux_load(&pc->layout, mem, &lcfg, &info, err);
		*entry = info.entry;
		break;
	}
	case VIREO_IMAGE_MULTIBOOT:
		r = load_multiboot(pc, mem, kernel, kernel_size, entry, err);
		break;
	default:
		r = -ENOEXEC;
		snprintf(err, sizeof(err), "%s: neither a Linux bzImage nor a Multiboot kernel",
			 o->kernel);
		break;
	}
	if (r)
		fail(pc, 0, "%s", err);
out:
	free(kernel);
	free(initrd);
	return r;
}

static int platform_init(struct vireo_pc *pc)
{
	struct vireo_timer pit_t = { timer_arm, &pc->pit_timer };
	struct vireo_timer rtc_t = { timer_arm, &pc->rtc_timer };
	struct vireo_uart_ops uart_ops = { .tx = uart_tx, .rx_room = uart_rx_room };
	struct vireo_pm_config pmc = {
		.irq = &pc->irq,
		.poweroff = on_poweroff,
		.suspend = vireo_pc_sleep_enter,
		.wake = vireo_pc_sleep_wake,
		.opaque = pc,
	};
	int r;

	r = timer_init(pc, &pc->pit_timer, pit_expired, &pc->pit);
	if (!r)
		r = timer_init(pc, &pc->rtc_timer, rtc_expired, &pc->rtc);
	if (r)
		return r;

#define HW(slot, call, what)                                                                 \
	do {                                                                                 \
		r = (call);                                                                  \
		if (r)                                                                       \
			return fail(pc, r, "cannot set up the %s", what);                    \
		pc->hw_ready[slot] = true;                                                   \
	} while (0)

	HW(HW_IOAPIC, vireo_ioapic_init(&pc->ioapic, vireo_pc_msi, pc), "IOAPIC");
	HW(HW_PIC, vireo_pic_init(&pc->pic, vireo_pc_msi, pc), "PIC");
	HW(HW_ROUTER, vireo_irq_router_init(&pc->irq, &pc->ioapic, &pc->pic), "interrupt router");
	HW(HW_PIT, vireo_pit_init(&pc->pit, &pc->irq, VIREO_IRQ_PIT, vireo_clock_monotonic, pit_t),
	   "PIT");
	HW(HW_RTC,
	   vireo_rtc_init(&pc->rtc, &pc->irq, VIREO_IRQ_RTC, vireo_clock_monotonic, rtc_t,
			  vireo_clock_utc_ns()),
	   "RTC");
	vireo_rtc_set_memory(&pc->rtc, pc->layout.low_end, pc->layout.high_size);
	HW(HW_UART, vireo_uart_init(&pc->uart, &pc->irq, VIREO_IRQ_COM1, &uart_ops, pc), "UART");
	HW(HW_I8042,
	   vireo_i8042_init(&pc->i8042, &pc->irq, VIREO_IRQ_KEYBOARD, VIREO_IRQ_MOUSE, on_reset,
			    pc),
	   "i8042");
	HW(HW_PM, vireo_pm_init(&pc->pm, &pmc), "ACPI PM block");
#undef HW
	vireo_rtc_set_alarm_hook(&pc->rtc, rtc_alarm, &pc->pm);

	/* First: the user's choice of port outranks a device already there. */
	r = 0;
	if (pc->opts->debug_exit_port >= 0)
		r = vireo_pc_add_ports(pc, (uint16_t)pc->opts->debug_exit_port,
				       (uint16_t)pc->opts->debug_exit_size, vireo_pc_debug_exit_pio,
				       pc, "debug-exit");
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_pic_desc, &pc->pic);
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_pit_desc, &pc->pit);
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_rtc_desc, &pc->rtc);
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_uart_desc, &pc->uart);
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_i8042_desc, &pc->i8042);
	if (!r)
		r = vireo_pc_add_desc(pc, &vireo_pm_desc, &pc->pm);
	if (r)
		return fail(pc, r, "port table");
	return 0;
}

/*
 * One virtio function: the device made by a create function, on the bus,
 * with its fds.  Takes vd and what (malloc()ed, may be NULL) in any case.
 */
static int add_virtio(struct vireo_pc *pc, struct vireo_virtio_dev *vd, char *what)
{
	struct vireo_pc_virtio *v;
	unsigned int q;
	int r;

	v = calloc(1, sizeof(*v));
	if (!v) {
		vireo_virtio_destroy(vd);
		free(what);
		return fail(pc, -ENOMEM, "virtio device");
	}
	if (!what)
		what = strdup("virtio device");
	v->pc = pc;
	v->vd = vd;
	v->what = what;
	v->wake_fd = -1;
	for (q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++)
		v->queue_fd[q] = -1;
	pc->virtio[pc->nr_virtio++] = v;	/* from here on, destroy() frees it */

	vireo_virtio_set_log(vd, virtio_log, v);
	for (q = 0; q < vireo_virtio_num_queues(vd); q++) {
		v->queue_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->queue_fd[q] < 0)
			return fail(pc, -errno, "%s: eventfd", what);
	}
	v->backend_fd = vireo_virtio_backend_fd(vd);
	if (v->backend_fd >= 0) {
		v->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->wake_fd < 0)
			return fail(pc, -errno, "%s: eventfd", what);
		vireo_virtio_set_backend_wake(vd, virtio_wake, v);
	}
	r = vireo_virtio_pci_init(&v->vp, vd);
	if (r)
		return fail(pc, r, "%s: virtio-pci", what);
	r = vireo_pci_bus_add(&pc->pci, &v->vp.pci, -1);
	if (r)
		return fail(pc, r, "%s: no PCI slot", what);
	return 0;
}

static int pci_init(struct vireo_pc *pc)
{
	const struct vireo_options *o = pc->opts;
	struct vireo_pci_bus_config bc = {
		.ecam_base = pc->layout.ecam_base,
		.ecam_buses = (unsigned int)(pc->layout.ecam_size >> 20),
		.mem_base = pc->layout.mmio32_base,
		.mem_end = pc->layout.mmio32_base + pc->layout.mmio32_size,
		.io_base = VIREO_PCI_IO_BASE,
		.io_end = VIREO_PCI_IO_END,
		.irq = &pci_irq_ops,
		.irq_opaque = pc,
		.bar_change = bar_change,
		.bar_opaque = pc,
	};
	struct vireo_virtio_dev *vd;
	char *what;
	unsigned int i;
	int r;

	r = vireo_pci_bus_init(&pc->pci, &bc);
	if (r)
		return fail(pc, r, "cannot set up the PCI bus");
	pc->hw_ready[HW_PCI] = true;

	for (i = 0; i < o->nr_disks; i++) {
		g_autoptr(GError) error = NULL;
		struct vireo_disk *disk;
		char serial[21];

		r = vireo_pc_disk_open(&o->disks[i], &disk, &error);
		if (r)
			return fail(pc, 0, "%s", error ? error->message : o->disks[i].path);
		snprintf(serial, sizeof(serial), "vireo-disk%u", i);
		vd = NULL;
		r = vireo_virtio_blk_create(&vd, &pc->guest_ram, disk, serial);
		if (r) {
			vireo_disk_close(disk);
			return fail(pc, r, "%s: virtio-blk", o->disks[i].path);
		}
		if (asprintf(&what, "disk %s", o->disks[i].path) < 0)
			what = NULL;
		r = add_virtio(pc, vd, what);
		if (r)
			return r;
		pc->disks[i] = vd;
		atomic_store(&pc->host->ctl.disk_size[i], vireo_virtio_blk_size(vd));
	}
	for (i = 0; i < o->nr_nets; i++) {
		struct vireo_net_backend be;
		uint8_t mac[6];
		char msg[256];

		r = vireo_pc_nic_backend(pc, i, &be, msg, sizeof(msg));
		if (r) {
			fail(pc, 0, "%s", msg);	/* msg names the error */
			return r;
		}
		if (o->nets[i].has_mac)
			memcpy(mac, o->nets[i].mac, 6);
		else
			vireo_net_default_mac(i, mac);
		vd = NULL;
		r = vireo_virtio_net_create(&vd, &pc->guest_ram, &be, mac);
		if (r) {
			be.ops->close(be.opaque);
			vireo_pc_nic_forget(pc, i);
			return fail(pc, r, "%s: virtio-net", vireo_pc_nic_name(&o->nets[i]));
		}
		if (asprintf(&what, "%s %s", o->nets[i].spec.kind == VIREO_NET_TAP ? "tap" : "net",
			     vireo_pc_nic_name(&o->nets[i])) < 0)
			what = NULL;
		r = add_virtio(pc, vd, what);
		if (r)
			return r;
	}
	/* hvc0: output with the serial console's, no input (that is ttyS0's). */
	vd = NULL;
	r = vireo_virtio_console_create(&vd, &pc->guest_ram, -1, PC_OUT_FD);
	if (r)
		return fail(pc, r, "virtio-console");
	r = add_virtio(pc, vd, strdup("console"));
	if (r)
		return r;
	vd = NULL;
	r = vireo_virtio_rng_create(&vd, &pc->guest_ram);
	if (r)
		return fail(pc, r, "virtio-rng");
	r = add_virtio(pc, vd, strdup("rng"));
	if (r)
		return r;

	r = vireo_pci_bus_assign(&pc->pci);
	if (r)
		return fail(pc, r, "PCI BAR assignment");
	return 0;
}

static int vcpus_init(struct vireo_pc *pc, const struct vireo_mem *mem,
		      const struct vireo_boot_entry *entry)
{
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	unsigned int i;
	int r;

	for (i = 0; i < pc->nr_vcpus; i++) {
		struct vireo_pc_vcpu *v = &pc->vcpus[i];

		v->pc = pc;
		v->id = i;
		r = vireo_vcpu_create(pc->vm, i, &v->vcpu);
		if (r)
			return fail(pc, r, "cannot create vCPU %u", i);
		v->run = vireo_vcpu_run_page(v->vcpu);
		r = vireo_set_cpuid(v->vcpu, pc->cpuid, pc->nr_cpuid);
		if (r)
			return fail(pc, r, "VIREO_SET_CPUID");
		vireo_pc_msrs_init(&v->msrs, pc->phys_bits);
		v->msrs.amd_pmu = vireo_pc_cpuid_is_amd(pc->cpuid, pc->nr_cpuid);
	}
	/* Application processors wait in the kernel for INIT-SIPI. */
	r = vireo_boot_entry_setup(entry, mem, &regs, &sregs);
	if (r)
		return fail(pc, r, "boot processor state");
	r = vireo_set_sregs(pc->vcpus[0].vcpu, &sregs);
	if (!r)
		r = vireo_set_regs(pc->vcpus[0].vcpu, &regs);
	if (r)
		return fail(pc, r, "cannot set the boot processor's registers");
	return 0;
}

/* ---- build / destroy ------------------------------------------------------- */

int vireo_pc_build(struct vireo_pc *pc, const struct vireo_options *opts,
		   struct vireo_pc_host *host, FILE *err)
{
	struct vireo_layout_mem lm;
	struct vireo_mem mem;
	struct vireo_boot_entry entry;
	int r;

	memset(pc, 0, sizeof(*pc));
	pc->opts = opts;
	pc->host = host;
	pc->err = err;
	pc->nr_vcpus = opts->cpus;
	pc->pit_timer.fd = pc->rtc_timer.fd = -1;
	pc->event_fd = pc->uart_room_fd = -1;
	pthread_mutex_init(&pc->event_lock, NULL);
	pc->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pc->uart_room_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pc->event_fd < 0 || pc->uart_room_fd < 0)
		return fail(pc, -errno, "eventfd");

	r = vireo_open(NULL, &pc->sys);
	if (r)
		return fail(pc, r, "cannot open " VIREO_DEVICE_PATH);
	if (pc->nr_vcpus > vireo_caps(pc->sys)->max_vcpus)
		return fail(pc, -EINVAL, "--cpus %u: vireo.ko runs at most %u", pc->nr_vcpus,
			    vireo_caps(pc->sys)->max_vcpus);
	r = vireo_vm_create(pc->sys, &pc->vm);
	if (r)
		return fail(pc, r, "cannot create the VM");
	pc->vm_fd = vireo_vm_fd(pc->vm);
	if (!(vireo_caps(pc->sys)->flags & VIREO_CAP_LAPIC) ||
	    !(vireo_caps(pc->sys)->flags & VIREO_CAP_IRQFD) ||
	    !(vireo_caps(pc->sys)->flags & VIREO_CAP_IOEVENTFD))
		return fail(pc, -ENOTSUP,
			    "this vireo.ko has no in-kernel LAPIC, irqfd or ioeventfd, which the PC needs");
	r = vireo_pc_enable_lapic(pc->vm_fd);
	if (r)
		return fail(pc, r, "VIREO_ENABLE_LAPIC (this vireo.ko has no in-kernel LAPIC?)");

	r = memory_init(pc);
	if (r)
		return r;
	vireo_layout_mem_init(&lm, &mem, &pc->layout, pc->ram);
	r = cpuid_init(pc);
	if (!r)
		r = firmware_init(pc, &mem, &entry);
	if (!r)
		r = platform_init(pc);
	if (!r)
		r = pci_init(pc);
	if (!r)
		r = vcpus_init(pc, &mem, &entry);
	return r;
}

static void virtio_destroy(struct vireo_pc *pc, struct vireo_pc_virtio *v)
{
	uint64_t unlogged = vireo_virtio_log_suppressed(v->vd);
	unsigned int q;

	if (unlogged)
		fprintf(pc->err, "vireo-run: %s (%s): %" PRIu64 " more driver errors not shown (rate limit)\n",
			v->vd->ops->name, v->what, unlogged);
	for (q = 0; q < VIREO_VIRTIO_MAX_QUEUES; q++) {
		if (v->queue_port[q])
			vireo_pc_ioeventfd(pc->vm_fd, v->queue_port[q], 2, v->queue_fd[q], q,
					   false);
		if (v->queue_fd[q] >= 0)
			close(v->queue_fd[q]);
	}
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	if (v->vp.vd)
		vireo_virtio_pci_fini(&v->vp);
	vireo_virtio_destroy(v->vd);
	free((void *)v->what);
	free(v);
}

void vireo_pc_destroy(struct vireo_pc *pc)
{
	unsigned int i;

	for (i = 0; i < pc->nr_vcpus; i++)
		vireo_vcpu_destroy(pc->vcpus[i].vcpu);
	for (i = 0; i < pc->nr_virtio; i++)
		virtio_destroy(pc, pc->virtio[i]);
	if (pc->hw_ready[HW_PCI])
		vireo_pci_bus_fini(&pc->pci);
	if (pc->hw_ready[HW_PM])
		vireo_pm_fini(&pc->pm);
	if (pc->hw_ready[HW_I8042])
		vireo_i8042_fini(&pc->i8042);
	if (pc->hw_ready[HW_UART])
		vireo_uart_fini(&pc->uart);
	if (pc->hw_ready[HW_RTC])
		vireo_rtc_fini(&pc->rtc);
	if (pc->hw_ready[HW_PIT])
		vireo_pit_fini(&pc->pit);
	if (pc->hw_ready[HW_ROUTER])
		vireo_irq_router_fini(&pc->irq);
	if (pc->hw_ready[HW_PIC])
		vireo_pic_fini(&pc->pic);
	if (pc->hw_ready[HW_IOAPIC])
		vireo_ioapic_fini(&pc->ioapic);
	if (pc->pit_timer.fd >= 0)
		close(pc->pit_timer.fd);
	if (pc->rtc_timer.fd >= 0)
		close(pc->rtc_timer.fd);
	vireo_vm_destroy(pc->vm);
	if (pc->ram)
		vireo_ram_free(pc->ram, pc->layout.ram_size);
	vireo_close(pc->sys);
	if (pc->event_fd >= 0)
		close(pc->event_fd);
	if (pc->uart_room_fd >= 0)
		close(pc->uart_room_fd);
	pthread_mutex_destroy(&pc->event_lock);
}
