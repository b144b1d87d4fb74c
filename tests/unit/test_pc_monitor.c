// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run's PC machine, the parts that need no /dev/vireo: the
 * --kernel command line, the userland MSRs, the CPUID adjustments, the
 * console's escape filter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <vireo/error.h>

#include "options.h"
#include "pc.h"
#include "pc_console.h"
#include "pc_msr.h"
#include "dev/models.h"
#include "test.h"
#include "test_pc_machine.h"

static int parse(struct vireo_options *o, GError **err, const char *const *args)
{
	static char storage[40][160];
	char *argv[41];
	int argc = 0;

	argv[argc++] = "vireo-run";
	for (; *args && argc < 40; args++, argc++) {
		snprintf(storage[argc], sizeof(storage[argc]), "%s", *args);
		argv[argc] = storage[argc];
	}
	argv[argc] = NULL;
	return vireo_options_parse(argc, argv, o, err);
}

static void pc_options_all(void)
{
	static struct vireo_options o;
	const char *args[] = { "--kernel", "bzImage", "--initrd", "initrd.gz", "--append",
			       "console=ttyS0 quiet", "--cpus", "2", "--mem", "1G", "--disk",
			       "a.img", "--disk", "b.qcow2,ro,format=qcow2", "--net",
			       "tap,ifname=tap0", "--net", "tap,ifname=tap1,mac=52:54:00:12:34:56",
			       "--console", "--verbose", NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, args), 0);
	T_TRUE(o.pc);
	T_TRUE(!strcmp(o.kernel, "bzImage"));
	T_TRUE(!strcmp(o.initrd, "initrd.gz"));
	T_TRUE(!strcmp(o.append, "console=ttyS0 quiet"));
	T_EQ(o.cpus, 2);
	T_EQ(o.mem_size, 1ULL << 30);
	T_EQ(o.nr_disks, 2);
	T_TRUE(!strcmp(o.disks[0].path, "a.img"));
	T_TRUE(!o.disks[0].readonly);
	T_EQ(o.disks[0].format, VIREO_DISK_FMT_AUTO);
	T_TRUE(!strcmp(o.disks[1].path, "b.qcow2"));
	T_TRUE(o.disks[1].readonly);
	T_EQ(o.disks[1].format, VIREO_DISK_FMT_QCOW2);
	T_EQ(o.nr_nets, 2);
	T_TRUE(!strcmp(o.nets[0].ifname, "tap0"));
	T_TRUE(!o.nets[0].has_mac);
	T_TRUE(o.nets[1].has_mac);
	T_EQ(o.nets[1].mac[5], 0x56);
	T_TRUE(o.console);
	T_TRUE(o.verbose);
}

static void pc_options_defaults(void)
{
	static struct vireo_options o;
	const char *args[] = { "--kernel", "k", NULL };
	const char *two_words[] = { "--kernel", "k", "--console", "none", NULL };
	const char *stdio[] = { "--kernel", "k", "--console", "stdio", "--cpus", "3", NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, args), 0);
	T_EQ(o.cpus, 1);
	T_EQ(o.mem_size, VIREO_PC_DEFAULT_MEM);
	T_TRUE(!o.console);
	T_TRUE(!o.initrd && !o.append);
	/* `vireo start` passes --console stdio|none as two words. */
	T_EQ(parse(&o, &err, two_words), 0);
	T_TRUE(!o.console);
	T_EQ(parse(&o, &err, stdio), 0);
	T_TRUE(o.console);
	T_EQ(o.cpus, 3);
}

#define T_REJECT(needle, ...)                                                               \
	do {                                                                                \
		static struct vireo_options _o;                                             \
		const char *_args[] = { __VA_ARGS__, NULL };                                \
		g_autoptr(GError) _err = NULL;                                              \
		T_EQ(parse(&_o, &_err, _args), -EINVAL);                                    \
		T_STR_CONTAINS(ERRMSG(_err), needle);                                       \
	} while (0)

static void pc_options_rejected(void)
{
	T_REJECT("need --kernel", "--load", "x@0x1000", "--cpus", "2");
	T_REJECT("need --kernel", "--load", "x@0x1000", "--disk", "a.img");
	T_REJECT("cannot be combined", "--kernel", "k", "--load", "x@0x1000");
	T_REJECT("cannot be combined", "--kernel", "k", "--mode", "long");
	T_REJECT("--cpus", "--kernel", "k", "--cpus", "0");
	T_REJECT("--cpus", "--kernel", "k", "--cpus", "65");
	T_REJECT("at least 16M", "--kernel", "k", "--mem", "8M");
	T_REJECT("--disk", "--kernel", "k", "--disk", "a.img,rx");
	T_REJECT("--disk", "--kernel", "k", "--disk", ",ro");
	T_REJECT("--disk", "--kernel", "k", "--disk", "a.img,format=vmdk");
	T_REJECT("--net", "--kernel", "k", "--net", "user");
	T_REJECT("--net", "--kernel", "k", "--net", "tap");
	T_REJECT("--net", "--kernel", "k", "--net", "tap,ifname=a-very-long-name-x");
	T_REJECT("--net", "--kernel", "k", "--net", "tap,ifname=t,mac=01:00:00:00:00:01");
	T_REJECT("--net", "--kernel", "k", "--net", "tap,ifname=t,mac=52:54:00:12:34");
	T_REJECT("--console", "--kernel", "k", "--console=serial");
	T_REJECT("need --kernel", "--load", "x@0x1000", "--debug-exit", "0x501");
	T_REJECT("need --kernel", "--load", "x@0x1000", "--vga");
	T_REJECT("--debug-exit", "--kernel", "k", "--debug-exit", "0x10000");
	T_REJECT("--debug-exit", "--kernel", "k", "--debug-exit", "0xffff,iosize=2");
	T_REJECT("--debug-exit", "--kernel", "k", "--debug-exit", "0x501,iosize=3");
	T_REJECT("--debug-exit", "--kernel", "k", "--debug-exit", "0x501,size=2");
	T_REJECT("--debug-exit", "--kernel", "k", "--debug-exit", "");
}

static void pc_options_debug_exit(void)
{
	static struct vireo_options o;
	const char *none[] = { "--kernel", "k", NULL };
	const char *qemu[] = { "--kernel", "k", "--debug-exit", "0x501", NULL };
	const char *wide[] = { "--kernel", "k", "--debug-exit", "0xf4,iosize=4", NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, none), 0);
	T_EQ(o.debug_exit_port, -1);	/* off by default */
	T_EQ(parse(&o, &err, qemu), 0);
	T_EQ(o.debug_exit_port, 0x501);
	T_EQ(o.debug_exit_size, VIREO_PC_DEBUG_EXIT_IOSIZE);
	T_EQ(parse(&o, &err, wide), 0);
	T_EQ(o.debug_exit_port, 0xf4);
	T_EQ(o.debug_exit_size, 4);
}

/*
 * The port as a vCPU's IN and OUT reach it: the machine description's
 * debug-exit line, built from the options and placed on the PC's bus.
 */
static void pc_debug_exit_port(void)
{
	static struct vireo_options o;
	static struct vireo_pc_host host;
	static struct vireo_pc pc;
	static struct vireo_pc_vcpu v;
	static const struct vireo_pc_slot slot = { .model = &vireo_pc_dev_debug_exit };
	uint32_t data;

	memset(&o, 0, sizeof(o));
	o.debug_exit_port = -1;
	T_EQ(vireo_pc_dev_debug_exit.count(&o), 0);	/* no --debug-exit, no device */
	o.debug_exit_port = 0x501;
	o.debug_exit_size = 2;
	T_EQ(vireo_pc_dev_debug_exit.count(&o), 1);
	T_TRUE(test_pc_machine_init(&pc, &host, &o));
	v.pc = &pc;
	T_EQ(vireo_pc_device_add(&pc, &slot, 0), 0);

	data = 0xffffffff;
	T_EQ(vireo_pc_pio(&v, 0x502, 1, false, &data), 0);
	T_EQ(data, 0);				/* reads give 0, and end nothing */
	T_EQ(vireo_pc_event(&pc), VIREO_PC_RUNNING);
	data = 0;
	T_EQ(vireo_pc_pio(&v, 0x503, 1, false, &data), 0);
	T_EQ(data, 0xff);			/* past the two ports: nobody's */
	data = 0x12345;				/* OUT of AL: V is the byte */
	T_EQ(vireo_pc_pio(&v, 0x502, 1, true, &data), 0);
	T_EQ(vireo_pc_event(&pc), VIREO_PC_DEBUG_EXIT);
	T_EQ(pc.debug_exit_value, 0x45);
	data = 7;				/* a second write: the first V stays */
	T_EQ(vireo_pc_pio(&v, 0x501, 2, true, &data), 0);
	T_EQ(pc.debug_exit_value, 0x45);
	/* A power-off does not outrank it; a monitor error would. */
	vireo_pc_request(&pc, VIREO_PC_POWEROFF);
	T_EQ(vireo_pc_event(&pc), VIREO_PC_DEBUG_EXIT);

	T_EQ(vireo_pc_debug_exit_status(0x45), 0x8b);
	T_EQ(vireo_pc_debug_exit_status(0), 1);
	T_EQ(vireo_pc_debug_exit_status(0x80), 1);	/* exit(3) keeps 8 bits */
	T_EQ(vireo_pc_debug_exit_status(0x21), 0x43);
	test_pc_machine_fini(&pc);
}

static void pc_options_mem_beyond_hole(void)
{
	static struct vireo_options o;
	const char *args[] = { "--kernel", "k", "--mem", "6G", NULL };
	g_autoptr(GError) err = NULL;

	/* Above 3G is fine for the PC: the layout puts the rest above 4G. */
	T_EQ(parse(&o, &err, args), 0);
	T_EQ(o.mem_size, 6ULL << 30);
}

static void pc_help_documents_kernel(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	T_TRUE(f != NULL);
	vireo_usage(f);
	fclose(f);
	T_STR_CONTAINS(text, "--kernel FILE");
	T_STR_CONTAINS(text, "--net tap,ifname=NAME");
	T_STR_CONTAINS(text, "Ctrl-A");
	T_STR_CONTAINS(text, "powered off");
	free(text);
}

/* ---- MSRs -------------------------------------------------------------------- */

static void pc_msr_mtrr_defaults(void)
{
	static struct vireo_pc_msrs m;
	uint64_t v;

	vireo_pc_msrs_init(&m, 40);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MTRRCAP, false, &v), 0);
	T_EQ(v, 0x508);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MTRR_DEF_TYPE, false, &v), 0);
	T_EQ(v, 0xc06);
	/* Range 0: the 1 GiB at 3 GiB, uncacheable; the mask fits 40 bits. */
	T_EQ(vireo_pc_msr(&m, 0x200, false, &v), 0);
	T_EQ(v, 0xc0000000);
	T_EQ(vireo_pc_msr(&m, 0x201, false, &v), 0);
	T_EQ(v, 0xffc0000800ULL);
	T_EQ(vireo_pc_msr(&m, 0x203, false, &v), 0);
	T_EQ(v, 0);
	T_EQ(vireo_pc_msr(&m, 0x250, false, &v), 0);
	T_EQ(v, VIREO_MTRR_FIX_WB);
	T_EQ(vireo_pc_msr(&m, 0x259, false, &v), 0);
	T_EQ(v, 0);
	T_EQ(vireo_pc_msr(&m, 0x26f, false, &v), 0);
	T_EQ(v, VIREO_MTRR_FIX_WB);
	T_EQ(vireo_pc_msr(&m, 0x260, false, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0x210, false, &v), -ENOENT);
}

static void pc_msr_mtrr_writes(void)
{
	static struct vireo_pc_msrs m;
	uint64_t v;

	vireo_pc_msrs_init(&m, 40);
	v = 0x100000006ULL;		/* WB at 4 GiB */
	T_EQ(vireo_pc_msr(&m, 0x202, true, &v), 0);
	T_EQ(vireo_pc_msr(&m, 0x202, false, &v), 0);
	T_EQ(v, 0x100000006ULL);
	v = 0x100000002ULL;		/* type 2 is reserved */
	T_EQ(vireo_pc_msr(&m, 0x202, true, &v), -EPERM);
	v = 1ULL << 45;			/* beyond the 40-bit address width */
	T_EQ(vireo_pc_msr(&m, 0x203, true, &v), -EPERM);
	v = 0x0606060606060600ULL | 7;	/* UC- is not an MTRR type */
	T_EQ(vireo_pc_msr(&m, 0x268, true, &v), -EPERM);
	v = 0x0404040404040404ULL;
	T_EQ(vireo_pc_msr(&m, 0x268, true, &v), 0);
	v = 0;
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MTRRCAP, true, &v), -EPERM);
	v = 0x806;			/* E without FE: allowed */
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MTRR_DEF_TYPE, true, &v), 0);
	v = 0x1c06;			/* bit 12 is reserved */
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MTRR_DEF_TYPE, true, &v), -EPERM);
}

static void pc_msr_others(void)
{
	static struct vireo_pc_msrs m;
	uint64_t v;

	vireo_pc_msrs_init(&m, 0);	/* nonsense width: 36 */
	T_EQ(m.phys_bits, 36);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MISC_ENABLE, false, &v), 0);
	T_EQ(v, VIREO_MISC_ENABLE_VALUE);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_FEAT_CTL, false, &v), 0);
	T_EQ(v, 1);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_FEAT_CTL, true, &v), -EPERM);
	v = 0;
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_UCODE_REV, true, &v), 0);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_UCODE_REV, false, &v), 0);
	T_EQ(v, 0);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_MCG_CAP, false, &v), 0);
	T_EQ(v, 0);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_AMD_HWCR, false, &v), 0);
	T_EQ(v, 1U << 24);
	v |= 1U << 6;
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_AMD_HWCR, true, &v), 0);
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_AMD_HWCR, false, &v), 0);
	T_EQ(v, (1U << 24) | (1U << 6));
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_AMD_INT_PENDING, false, &v), 0);
	T_EQ(v, 0);
	v = 1;
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_DEBUGCTL, true, &v), -EPERM);
	v = 0;
	T_EQ(vireo_pc_msr(&m, VIREO_MSR_DEBUGCTL, true, &v), 0);
	T_EQ(vireo_pc_msr(&m, 0x48, true, &v), -ENOENT);	/* SPEC_CTRL */
	T_EQ(vireo_pc_msr(&m, 0xc0000103, false, &v), -ENOENT);	/* TSC_AUX */
}

/* AMD's legacy counters (APM vol. 2 13.2.1) read 0, drop writes; others #GP. */
static void pc_msr_amd_pmu(void)
{
	static struct vireo_pc_msrs m;
	uint32_t index;
	uint64_t v;

	vireo_pc_msrs_init(&m, 40);
	/* An Intel guest: these MSRs do not exist there. */
	v = 0;
	T_EQ(vireo_pc_msr(&m, 0xc0010000, true, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0xc0010004, false, &v), -ENOENT);
	m.amd_pmu = true;
	for (index = 0xc0010000; index <= 0xc0010007; index++) {
		v = 0x530076;		/* enabled, counting cycles in both rings */
		T_EQ(vireo_pc_msr(&m, index, true, &v), 0);
		v = 0xdead;
		T_EQ(vireo_pc_msr(&m, index, false, &v), 0);
		T_EQ(v, 0);
	}
	/* Neighbours and the PerfCtrExtCore bank (CPUID 0x80000001 ECX[23] is clear). */
	T_EQ(vireo_pc_msr(&m, 0xc0010008, false, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0xbfffffff, false, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0xc0010200, true, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0xc001020b, false, &v), -ENOENT);
	/* Intel's architectural PMU: CPUID leaf 0xa is absent, version 0. */
	T_EQ(vireo_pc_msr(&m, 0xc1, false, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0x186, true, &v), -ENOENT);
	T_EQ(vireo_pc_msr(&m, 0x38f, false, &v), -ENOENT);
}

/* ---- CPUID ------------------------------------------------------------------- */

static void pc_cpuid_vendor(void)
{
	struct vireo_cpuid_entry amd[] = {
		{ .function = 1 },
		{ .function = 0, .eax = 0x10, .ebx = 0x68747541, .ecx = 0x444d4163,
		  .edx = 0x69746e65 },
	};
	struct vireo_cpuid_entry hygon[] = {
		{ .function = 0, .ebx = 0x6f677948, .ecx = 0x656e6975, .edx = 0x6e65476e },
	};
	struct vireo_cpuid_entry intel[] = {
		{ .function = 0, .ebx = 0x756e6547, .ecx = 0x6c65746e, .edx = 0x49656e69 },
	};

	T_TRUE(vireo_pc_cpuid_is_amd(amd, 2));
	T_TRUE(!vireo_pc_cpuid_is_amd(amd, 1));		/* no leaf 0 */
	T_TRUE(vireo_pc_cpuid_is_amd(hygon, 1));
	T_TRUE(!vireo_pc_cpuid_is_amd(intel, 1));
}

static void pc_cpuid_hides(void)
{
	struct vireo_cpuid_entry e[] = {
		{ .function = 1, .ecx = 0x80000000 | (1U << 21), .edx = 0xffffffff },
		{ .function = 7, .flags = VIREO_CPUID_FLAG_INDEXED, .ebx = 0xffffffff,
		  .ecx = 0xffffffff },
		{ .function = 0x80000001, .ecx = 0xffffffff, .edx = 0xffffffff },
		{ .function = 0x80000007, .ebx = 0xf, .edx = 0xffff },
		{ .function = 0x80000008, .eax = 0x3028, .ebx = 0xffffffff, .ecx = 0x3001 },
		{ .function = 0xd, .flags = VIREO_CPUID_FLAG_INDEXED, .eax = 0x21f },
	};

	vireo_pc_cpuid_adjust(e, 6);
	T_EQ(e[0].edx, 0xffffffff);	/* MCE, MCA stay: MCG_CAP reports no banks */
	T_EQ(e[0].edx & (1U << 12), 1U << 12);		/* MTRR stays */
	T_EQ(e[0].ecx, 0x80000000 | (1U << 21));	/* hypervisor, x2APIC stay */
	e[0].ecx = 0xffffffff;
	vireo_pc_cpuid_adjust(e, 1);
	T_EQ(e[0].ecx & (0xfU << 26), 0xfU << 26);	/* XSAVE, OSXSAVE, AVX, F16C stay */
	T_EQ(e[1].ebx & (1U << 1), 0);			/* TSC_ADJUST */
	T_EQ(e[1].ecx & (1U << 16), 0);			/* LA57 */
	T_EQ(e[1].ecx & (1U << 22), 1U << 22);		/* RDPID stays: TSC_AUX is switched */
	T_EQ(e[1].ecx & (1U << 3), 1U << 3);		/* PKU stays: PKRU is switched */
	T_EQ(e[1].ecx & (1U << 4), 0);			/* OSPKE: vireo.ko's, from CR4 */
	T_EQ(e[5].eax, 0x21f);				/* XSAVE state with PKRU */
	T_EQ(e[1].ebx & (1U << 5), 1U << 5);		/* AVX2 stays */
	T_EQ(e[2].edx & (1U << 27), 1U << 27);		/* RDTSCP stays */
	T_EQ(e[2].ecx & (1U << 9), 0);			/* OSVW */
	T_EQ(e[2].ecx & (1U << 22), 0);			/* TOPOEXT */
	T_EQ(e[2].ecx & 1, 1);				/* LAHF stays */
	T_EQ(e[2].ecx & ((1U << 11) | (1U << 16)), (1U << 11) | (1U << 16));	/* XOP, FMA4 */
	T_EQ(e[3].ebx, 0);
	T_EQ(e[3].edx, 1U << 8);
	T_EQ(e[4].ebx, (1U << 0) | (1U << 2) | (1U << 9));
	T_EQ(e[4].ecx, 0);
	T_EQ(vireo_pc_cpuid_phys_bits(e, 5), 0x28);
	T_EQ(vireo_pc_cpuid_phys_bits(e, 4), 36);
}

/* ---- console ----------------------------------------------------------------- */

static void pc_console_escapes(void)
{
	static struct vireo_pc_console c;
	const uint8_t typed[] = { 'l', 's', '\r', 1, 1, 1, 'p', 1, 'q', 1 };
	const uint8_t more[] = { 'x', 'z' };

	T_EQ(vireo_pc_console_init(&c, true, -1, -1), 0);	/* not a tty: no raw mode */
	T_TRUE(!c.raw);
	T_EQ(vireo_pc_console_input(&c, typed, sizeof(typed)), VIREO_CONSOLE_POWER);
	/* "ls\r", one literal Ctrl-A, an unknown escape passed through as 'q'. */
	T_EQ(c.len, 5);
	T_EQ(c.buf[0], 'l');
	T_EQ(c.buf[3], 1);
	T_EQ(c.buf[4], 'q');
	/* The escape spans two reads. */
	T_EQ(vireo_pc_console_input(&c, more, sizeof(more)), VIREO_CONSOLE_QUIT);
	T_EQ(c.len, 6);
	T_EQ(c.buf[5], 'z');
	vireo_pc_console_consume(&c, 4);
	T_EQ(c.len, 2);
	T_EQ(c.buf[c.head], 'q');
	vireo_pc_console_consume(&c, 10);
	T_EQ(c.len, 0);
	T_EQ(vireo_pc_console_room(&c), VIREO_CONSOLE_BUF);
}

static void pc_console_full(void)
{
	static struct vireo_pc_console c;
	static uint8_t big[VIREO_CONSOLE_BUF + 10];

	memset(big, 'a', sizeof(big));
	T_EQ(vireo_pc_console_init(&c, true, -1, -1), 0);
	T_EQ(vireo_pc_console_input(&c, big, 100), 0);
	vireo_pc_console_consume(&c, 60);
	/* Wraps around the ring; more than the room is dropped, not overrun. */
	T_EQ(vireo_pc_console_input(&c, big, sizeof(big)), 0);
	T_EQ(c.len, VIREO_CONSOLE_BUF);
	T_EQ(vireo_pc_console_room(&c), 0);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(pc_options_all),
	VIREO_TEST(pc_options_defaults),
	VIREO_TEST(pc_options_rejected),
	VIREO_TEST(pc_options_mem_beyond_hole),
	VIREO_TEST(pc_options_debug_exit),
	VIREO_TEST(pc_debug_exit_port),
	VIREO_TEST(pc_help_documents_kernel),
	VIREO_TEST(pc_msr_mtrr_defaults),
	VIREO_TEST(pc_msr_mtrr_writes),
	VIREO_TEST(pc_msr_others),
	VIREO_TEST(pc_msr_amd_pmu),
	VIREO_TEST(pc_cpuid_hides),
	VIREO_TEST(pc_cpuid_vendor),
	VIREO_TEST(pc_console_escapes),
	VIREO_TEST(pc_console_full),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(pc_monitor, tests);
