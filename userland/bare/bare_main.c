// SPDX-License-Identifier: GPL-2.0
/*
 * The bare-image test monitor's main (bare.h): /dev/vireo, RAM at GPA 0,
 * the images, the mode's CPU state, CPUID, then the vCPU loop (run.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bare.h"
#include "boot.h"
#include "cpu_model.h"
#include "cpuid_table.h"
#include "monitor.h"
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

/* Everything between the options and the first VIREO_RUN. */
static int setup(struct vireo_monitor *m)
{
	struct vireo_cpuid_table cpuid;
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	g_autoptr(GError) error = NULL;
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
	    vireo_cpu_model_apply(m->opts.cpu_model, cpuid.e, cpuid.n, &error)) {
		fprintf(stderr, "vireo-run: %s\n", error->message);
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

int vireo_bare_main(const struct vireo_options *o)
{
	static struct vireo_monitor monitor;
	struct vireo_monitor *m = &monitor;
	int status;

	m->opts = *o;
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
