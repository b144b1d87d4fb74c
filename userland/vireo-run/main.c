// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run: run a bare guest image on vireo.ko, or (--kernel) boot a kernel
 * on the PC machine (pc_main.c).  This file only wires the pieces together:
 * options, /dev/vireo, RAM, images, CPU state, CPUID, the vCPU loop; each
 * piece lives in its own file and is unit-tested there.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vireo_version.h"
#include "boot/multiboot.h"
#include "vmlib/lock.h"

#include "boot.h"
#include "cpu_model.h"
#include "cpuid_table.h"
#include "monitor.h"
#include "pc.h"
#include "status.h"

static void on_stop_signal(int sig)
{
	(void)sig;
	vireo_request_stop();
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: VIREO_RUN must return -EINTR. */
	sa.sa_flags = 0;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "vireo-run: %s: %s\n", what, vireo_strerror(err));
	return VIREO_STATUS_ERROR;
}

/*
 * --initrd that is no file but a Multiboot module list ("a.gz,b args"):
 * its first missing module file, or NULL.  Written to name (size len).
 */
static const char *missing_module(const char *list, char *name, size_t len)
{
	struct vireo_multiboot_module_arg m[VIREO_MB_MAX_MODULES];
	char *copy = strdup(list);
	struct stat st;
	int n, i;

	if (!copy)
		return NULL;
	n = vireo_multiboot_parse_modules(copy, m, VIREO_MB_MAX_MODULES);
	for (i = 0; i < n; i++) {
		snprintf(name, len, "%.*s", (int)m[i].path_len, m[i].string);
		if (stat(name, &st) && errno == ENOENT)
			break;
	}
	free(copy);
	return i < n ? name : NULL;
}

/*
 * The files the command line names (kernel, initrd, disks, --load
 * images): a missing one is "not found" in the exit table, told before
 * anything is set up, rather than an error from deep in the boot.
 */
static int missing_file(const struct vireo_options *o)
{
	const char *paths[2 + VIREO_PC_MAX_DISKS + VIREO_MAX_LOADS];
	unsigned int n = 0, i;
	struct stat st;

	paths[n++] = o->kernel;
	paths[n++] = o->initrd;
	for (i = 0; i < o->nr_disks; i++)
		paths[n++] = o->disks[i].path;
	for (i = 0; i < o->nr_loads; i++)
		paths[n++] = o->loads[i].path;
	for (i = 0; i < n; i++) {
		const char *what = paths[i];
		char module[4096];

		if (!what || !stat(what, &st) || errno != ENOENT)
			continue;
		/* Not a file: a Multiboot kernel's module list, file by file. */
		if (what == o->initrd && strpbrk(what, ", ")) {
			what = missing_module(what, module, sizeof(module));
			if (!what)
				continue;
		}
		fprintf(stderr, "vireo-run: %s: no such file\n", what);
		return VIREO_EXIT_NOT_FOUND;
	}
	return 0;
}

/* Everything between the options and the first VIREO_RUN. */
static int setup(struct vireo_monitor *m)
{
	struct vireo_cpuid_table cpuid;
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	char msg[256];
	unsigned int i;
	void *ram;
	int ret;

	ret = vireo_open(NULL, &m->sys);
	if (ret)
		return fail("cannot open " VIREO_DEVICE_PATH, ret);
	ret = vireo_vm_create(m->sys, &m->vm);
	if (ret)
		return fail("cannot create VM", ret);
	ret = vireo_ram_alloc(m->opts.mem_size, &ram);
	if (ret)
		return fail("cannot allocate guest RAM", ret);
	m->ram = ram;
	ret = vireo_vm_set_memory(m->vm, 0, 0, 0, m->opts.mem_size, ram);
	if (ret == -ENOMEM)
		vireo_memlock_explain(stderr, "vireo-run");
	if (ret)
		return fail("cannot map guest RAM (VIREO_SET_MEMORY_REGION)", ret);
	ret = vireo_vcpu_create(m->vm, 0, &m->vcpu);
	if (ret)
		return fail("cannot create vCPU", ret);

	ret = vireo_boot_setup(m->ram, m->opts.mem_size, m->opts.mode, m->opts.entry, &regs,
			       &sregs);
	if (ret)
		return fail("cannot set up the boot mode", ret);
	if (vireo_load_files(m))
		return VIREO_STATUS_ERROR;

	ret = vireo_supported_cpuid(m->sys, cpuid.e, VIREO_MAX_CPUID_ENTRIES);
	if (ret < 0)
		return fail("VIREO_GET_SUPPORTED_CPUID", ret);
	cpuid.n = (unsigned int)ret;
	if (m->opts.cpu_model &&
	    vireo_cpu_model_apply(m->opts.cpu_model, cpuid.e, cpuid.n, msg, sizeof(msg))) {
		fprintf(stderr, "vireo-run: %s\n", msg);
		return VIREO_STATUS_ERROR;
	}
	for (i = 0; i < m->opts.nr_cpuid; i++) {
		if (vireo_cpuid_set(&cpuid, &m->opts.cpuid[i]))
			return fail("--cpuid", -ENOSPC);
	}
	ret = vireo_set_cpuid(m->vcpu, cpuid.e, cpuid.n);
	if (ret)
		return fail("VIREO_SET_CPUID", ret);
	ret = vireo_set_sregs(m->vcpu, &sregs);
	if (ret)
		return fail("VIREO_SET_SREGS", ret);
	ret = vireo_set_regs(m->vcpu, &regs);
	if (ret)
		return fail("VIREO_SET_REGS", ret);
	return 0;
}

static void teardown(struct vireo_monitor *m)
{
	vireo_vcpu_destroy(m->vcpu);
	vireo_vm_destroy(m->vm);
	vireo_ram_free(m->ram, m->opts.mem_size);
	vireo_close(m->sys);
}

int main(int argc, char **argv)
{
	static struct vireo_monitor monitor;
	struct vireo_monitor *m = &monitor;
	char err[256];
	int status;

	/* Guest output must reach a pipe as it is produced, not at exit. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (vireo_options_parse(argc, argv, &m->opts, err, sizeof(err))) {
		fprintf(stderr, "vireo-run: %s\n(vireo-run --help for usage)\n", err);
		return VIREO_STATUS_USAGE;
	}
	if (m->opts.help) {
		vireo_usage(stdout);
		return 0;
	}
	if (m->opts.version) {
		printf("vireo-run %s\n", VIREO_VERSION);
		return 0;
	}
	/*
	 * --lock before anything else: a second monitor of the machine must
	 * touch nothing (not the control socket, not the disks).  The fd stays
	 * open until exit; the kernel drops the lock with it, crash or not.
	 */
	if (m->opts.lock) {
		int lock_fd, r = vireo_machine_lock(m->opts.lock, true, &lock_fd);

		if (r == -EBUSY) {
			fprintf(stderr,
				"vireo-run: %s: the machine is running already (another monitor holds %s)\n",
				m->opts.name ? m->opts.name : "this machine", m->opts.lock);
			return VIREO_STATUS_LOCKED;
		}
		if (r)
			return fail(m->opts.lock, r);
	}
	status = missing_file(&m->opts);
	if (status)
		return status;
	if (m->opts.pc)
		return vireo_pc_main(&m->opts);
	vireo_devices_init(m, stdout);

	/* Before setup: a stop requested meanwhile is seen by the loop. */
	status = install_signals();
	if (status)
		return fail("sigaction", status);
	status = setup(m);
	if (!status)
		status = vireo_run_loop(m);
	if (m->opts.stats)
		vireo_stats_print(&m->stats, stderr);
	fflush(stdout);
	teardown(m);
	return status;
}
