// SPDX-License-Identifier: GPL-2.0
/*
 * Building the PC machine and taking it apart (pc.h), in the order of
 * userland/boot/README.md: VM with the in-kernel LAPIC, RAM and its slots
 * as boot/layout.h lays them out, the CPUID table, ACPI tables, the
 * kernel, the devices of the machine description (machine_table.c,
 * built by pc_devices.c: the platform devices and their interrupt wiring,
 * the PCI bus with the virtio functions), and last the vCPUs with the
 * boot processor's entry state.
 *
 * Interrupts, all as MSI messages into the kernel's LAPICs: devices drive
 * lines of the router (hw/irq.h), which feeds the IOAPIC and the PIC;
 * those and the PCI functions' MSI-X deliver through vireo_pc_msi(), the
 * VIREO_SIGNAL_MSI ioctl, from whatever thread raised the interrupt.
 * Level-triggered IOAPIC vectors come back as VIREO_EXIT_IOAPIC_EOI.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "boot/bda.h"
#include "boot/entry.h"
#include "boot/image.h"
#include "boot/linux.h"
#include "boot/multiboot.h"

#include "cpu_model.h"
#include "pc.h"

/* The machine's own failures, worded as its devices' (pc_devices.c). */
#define fail(pc, ...)	vireo_pc_device_fail(&(pc)->svc, __VA_ARGS__)

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

/* ---- the MSI sink of the device models ---------------------------------------- */

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

/* ---- pieces ------------------------------------------------------------------ */

/* Guest RAM for the devices' DMA (virtio/virtio.h). */
static void *ram_map(void *opaque, uint64_t gpa, uint64_t len)
{
	struct vireo_pc *pc = opaque;
	uint64_t off = vireo_layout_ram_offset(&pc->layout, gpa, len);

	return off == (uint64_t)-1 ? NULL : pc->ram + off;
}

static int memory_init(struct vireo_pc *pc)
{
	struct vireo_layout_config lc = { .ram_size = pc->opts->mem_size };
	g_autoptr(GError) error = NULL;
	unsigned int i;
	void *ram;
	int r;

	r = vireo_layout_init(&pc->layout, &lc, &error);
	if (r)
		return fail(pc, 0, "%s", error->message);
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
	g_autoptr(GError) error = NULL;

	if (n < 0)
		return fail(pc, n, "VIREO_GET_SUPPORTED_CPUID");
	pc->nr_cpuid = (unsigned int)n;
	vireo_pc_cpuid_adjust(pc->cpuid, pc->nr_cpuid);
	if (pc->opts->cpu_model &&
	    vireo_cpu_model_apply(pc->opts->cpu_model, pc->cpuid, pc->nr_cpuid, &error))
		return fail(pc, 0, "%s", error->message);
	pc->phys_bits = vireo_pc_cpuid_phys_bits(pc->cpuid, pc->nr_cpuid);
	return 0;
}

/*
 * A Multiboot kernel with --initrd's module list (QEMU's syntax,
 * boot/multiboot.h): each module read, its string as given.
 */
static int load_multiboot(struct vireo_pc *pc, const struct vireo_mem *mem, const void *kernel,
			  size_t kernel_size, struct vireo_boot_entry *entry, GError **error)
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
			vireo_error_set(error, ENOMEM, "%s: out of memory", o->initrd);
			goto out;
		}
		n = vireo_multiboot_parse_modules(list, args, VIREO_MB_MAX_MODULES);
		if (n < 0) {
			r = vireo_error_set(error, n,
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
		r = path ? vireo_boot_read_file(path, (void **)&mods[i].data, &mods[i].size, error)
			 : vireo_error_set(error, ENOMEM, "%s: out of memory", o->initrd);
		if (r)
			goto out;
	}
	mcfg.modules = mods;
	mcfg.nr_modules = (unsigned int)n;
	r = vireo_multiboot_load(&pc->layout, mem, &mcfg, &info, error);
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
	g_autoptr(GError) error = NULL;
	void *kernel = NULL, *initrd = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	int r;

	vireo_acpi_config_init(&ac, &pc->layout, pc->nr_vcpus);
	r = vireo_acpi_install(&ac, mem, VIREO_LAYOUT_ACPI_BASE, VIREO_LAYOUT_ACPI_END, &pc->acpi,
			       &error);
	if (r)
		return fail(pc, 0, "%s", error ? error->message : strerror(-r));
	if (!vireo_pc_sleep_trampoline_fits(pc))
		return fail(pc, -ENOSPC, "the ACPI tables reach the S3 wake trampoline");

	/* What a BIOS would have left: kernels read it without asking. */
	if (vireo_bda_install(mem))
		return fail(pc, -EFAULT, "cannot write the BIOS data area");

	r = vireo_boot_read_file(o->kernel, &kernel, &kernel_size, &error);
	if (r) {
		fail(pc, 0, "%s", error->message);
		goto out;
	}
	switch (vireo_boot_detect(kernel, kernel_size)) {
	case VIREO_IMAGE_LINUX: {
		if (o->initrd) {
			r = vireo_boot_read_file(o->initrd, &initrd, &initrd_size, &error);
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

		r = vireo_linux_load(&pc->layout, mem, &lcfg, &info, &error);
		*entry = info.entry;
		break;
	}
	case VIREO_IMAGE_MULTIBOOT:
		r = load_multiboot(pc, mem, kernel, kernel_size, entry, &error);
		break;
	default:
		r = vireo_error_set(&error, ENOEXEC,
				    "%s: neither a Linux bzImage nor a Multiboot kernel", o->kernel);
		break;
	}
	if (r)
		fail(pc, 0, "%s", error ? error->message : strerror(-r));
out:
	free(kernel);
	free(initrd);
	return r;
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
	vireo_pc_services_init(pc);
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
		r = vireo_pc_devices_build(pc);
	if (!r)
		r = vcpus_init(pc, &mem, &entry);
	return r;
}

void vireo_pc_destroy(struct vireo_pc *pc)
{
	unsigned int i;

	for (i = 0; i < pc->nr_vcpus; i++)
		vireo_vcpu_destroy(pc->vcpus[i].vcpu);
	vireo_pc_devices_destroy(pc);
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
