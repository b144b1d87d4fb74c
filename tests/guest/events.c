// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-events: debug traps and NMI blocking, raw ioctls, with the guest in
 * events.asm and the in-kernel LAPIC.
 *
 * Single step (SDM 17.3.1.4): with RFLAGS.TF set, an instruction that the
 * hypervisor completes (CPUID, IN, OUT, RDMSR/WRMSR handled in the kernel
 * or here, an MMIO access emulated here) is followed by a #DB with DR6.BS
 * and the return EIP just past it, as one the CPU runs itself; after MOV
 * SS or POP SS the trap comes after the next instruction (SDM 6.8.3).
 * Some of it again at CPL 3.
 * This program completes the MMIO accesses the way userland must (RIP
 * moved past the instruction with VIREO_SET_REGS).
 *
 * Data and I/O breakpoints (SDM 17.2.4, 17.3.1.2): a #DB trap right after
 * the instruction, DR6.Bn for every breakpoint it met (enabled or not,
 * SDM 17.2.3), when an enabled one is among them: for IN and OUT, which
 * the kernel completes, for MMIO accesses emulated here (reported in the
 * run page), and for a RAM write the CPU does itself (the guest's DR0-3
 * and DR7 are live while it runs); none for a disabled or unmet one.
 *
 * NMIs (SDM 6.7.1): NMIs a handler sends itself wait for its IRET, two
 * are latched as one, and it arrives right after that IRET.
 *
 * Usage: vireo-events [-g GUESTS_DIR]
 * Prints "TEST events/<name> PASS|FAIL ..." lines and a summary.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtest.h"

#define MEM_SIZE	0x100000
#define IMAGE_GPA	0x10000
#define RESULTS_GPA	0x30000		/* events.asm: RESULTS */
#define NMI_SLOT_GPA	(RESULTS_GPA + 0x200)
#define MARK_GPA	(RESULTS_GPA + 0x1fc)
#define PORT_DONE	0xf4
#define PORT_IN		0x81
#define MSR_USER	0x4b564d00
#define MMIO_GPA	0xc0000000ULL
#define RUN_TIMEOUT_S	20
#define DR6_BS		(1U << 14)

static struct vt_tally tally = { .group = "events" };

static void on_alarm(int sig)
{
	(void)sig;
}

static void report_access(struct vireo_run *run, uint64_t linear, bool is_write)
{
	struct vireo_emulated_access *a = &run->accesses[run->nr_accesses++];

	memset(a, 0, sizeof(*a));
	a->linear = linear;
	a->len = 4;
	a->is_write = is_write;
}

/*
 * MOV EAX, [moffs32] (A1), MOV [moffs32], EAX (A3) and OR dword [disp32],
 * imm8 (83 /1 with ModRM 0x0d), the only MMIO forms events.asm uses: a
 * read gives 0xabcd1234.  Completes the instruction by moving RIP past it
 * and reports its data accesses (flat segments: linear = the address),
 * as the exit contract asks of userland.
 */
static int emulate_mmio(struct vt_vm *v)
{
	struct vireo_run *run = v->run;
	struct vireo_regs regs;
	const uint8_t *op;
	uint32_t addr;
	long r;

	r = vt_ioctl(v->vcpu, VIREO_GET_REGS, (unsigned long)&regs);
	if (r < 0)
		return (int)r;
	if (run->mmio.gpa < MMIO_GPA || run->mmio.gpa > MMIO_GPA + 8 ||
	    regs.rip >= MEM_SIZE - 7)
		return -EPROTO;
	op = (const uint8_t *)v->mem + regs.rip;
	if (op[0] == 0xa1 && !run->mmio.is_write) {
		memcpy(&addr, op + 1, 4);
		regs.rax = 0xabcd1234;
		report_access(run, addr, false);
		regs.rip += 5;
	} else if (op[0] == 0xa3 && run->mmio.is_write) {
		memcpy(&addr, op + 1, 4);
		report_access(run, addr, true);
		regs.rip += 5;
	} else if (op[0] == 0x83 && op[1] == 0x0d) {
		memcpy(&addr, op + 2, 4);
		report_access(run, addr, false);
		report_access(run, addr, true);
		regs.rip += 7;
	} else {
		return -EPROTO;
	}
	r = vt_ioctl(v->vcpu, VIREO_SET_REGS, (unsigned long)&regs);
	return r < 0 ? (int)r : 0;
}

/* Runs the guest to its OUT to PORT_DONE; 0, or -errno with *why set. */
static int run_guest(struct vt_vm *v, const char **why, unsigned int *exit_reason)
{
	for (;;) {
		struct vireo_run *run = v->run;
		long r;

		alarm(RUN_TIMEOUT_S);
		r = vt_ioctl(v->vcpu, VIREO_RUN, 0);
		alarm(0);
		if (r == -EINTR) {
			*why = "timed out";
			return -ETIMEDOUT;
		}
		if (r < 0) {
			*why = "VIREO_RUN failed";
			return (int)r;
		}
		*exit_reason = run->exit_reason;
		switch (run->exit_reason) {
		case VIREO_EXIT_IO:
			if (run->io.port == PORT_DONE)
				return 0;
			if (run->io.port == PORT_IN && run->io.direction == VIREO_IO_IN)
				run->io.data = 0x5a;
			break;
		case VIREO_EXIT_MSR:
			run->msr.error = run->msr.index != MSR_USER;
			if (!run->msr.is_write)
				run->msr.data = 0x1122334455667788ULL;
			break;
		case VIREO_EXIT_MMIO:
			r = emulate_mmio(v);
			if (r < 0) {
				*why = "unexpected MMIO access";
				return (int)r;
			}
			break;
		default:
			*why = "unexpected exit";
			return -EPROTO;
		}
	}
}

static uint32_t guest_u32(const struct vt_vm *v, uint64_t gpa)
{
	uint32_t val;

	memcpy(&val, (const char *)v->mem + gpa, sizeof(val));
	return val;
}

/* The slots events.asm fills, in its order. */
static const char *const step_names[] = {
	"step-nop", "step-cpuid", "step-in", "step-out", "step-rdmsr-user",
	"step-wrmsr-user", "step-rdmsr-kernel", "step-wrmsr-kernel", "step-mmio-read",
	"step-mmio-write", "step-mov-ss-cpuid", "step-pop-ss-out", "user-step-cpuid",
	"user-step-in", "user-step-out", "user-step-mmio-read",
};

static void judge_steps(const struct vt_vm *v)
{
	unsigned int i;

	for (i = 0; i < sizeof(step_names) / sizeof(step_names[0]); i++) {
		uint64_t slot = RESULTS_GPA + i * 16;
		uint32_t count = guest_u32(v, slot), eip = guest_u32(v, slot + 4);
		uint32_t dr6 = guest_u32(v, slot + 8), want = guest_u32(v, slot + 12);

		if (count != 1 || eip != want || !(dr6 & DR6_BS))
			vt_report(&tally, step_names[i], "%u #DB, first at EIP %#x with DR6 %#x; want 1 at %#x with BS",
			       count, eip, dr6, want);
		else
			vt_report(&tally, step_names[i], NULL);
	}
}

/*
 * The breakpoint slots events.asm fills, in its order: whether a #DB trap
 * comes right after the instruction, and the DR6 it then reads.
 */
#define BP_SLOT_GPA	(RESULTS_GPA + 0x100)
#define DR6_FIXED	0xffff0ff0U

static const struct {
	const char *name;
	uint32_t dr6;		/* 0: no #DB */
} bp_cases[] = {
	{ "io-bp-out", DR6_FIXED | 1 },
	{ "io-bp-in-dr1", DR6_FIXED | 2 },
	{ "io-bp-len4-out-dx", DR6_FIXED | 1 },
	{ "io-bp-disabled-no-db", 0 },
	{ "io-bp-other-port-no-db", 0 },
	{ "io-bp-enabled-and-disabled-match", DR6_FIXED | 3 },
	{ "data-bp-mmio-mov-write", DR6_FIXED | 1 },
	{ "data-bp-mmio-or", DR6_FIXED | 1 },
	{ "data-bp-write-only-mmio-read-no-db", 0 },
	{ "data-bp-rw-mmio-read-dr1", DR6_FIXED | 2 },
	{ "data-bp-ram-write-native", DR6_FIXED | 1 },
	{ "data-bp-write-only-ram-read-no-db", 0 },
	{ "io-bp-with-single-step", DR6_FIXED | DR6_BS | 1 },
	{ "user-io-bp-out", DR6_FIXED | 1 },
};

static void judge_bps(const struct vt_vm *v)
{
	unsigned int i;

	for (i = 0; i < sizeof(bp_cases) / sizeof(bp_cases[0]); i++) {
		uint64_t slot = BP_SLOT_GPA + i * 16;
		uint32_t count = guest_u32(v, slot), eip = guest_u32(v, slot + 4);
		uint32_t dr6 = guest_u32(v, slot + 8), want = guest_u32(v, slot + 12);
		uint32_t want_dr6 = bp_cases[i].dr6;

		if (!want_dr6 && count)
			vt_report(&tally, bp_cases[i].name, "%u #DB (at EIP %#x, DR6 %#x); want none",
				  count, eip, dr6);
		else if (want_dr6 && (count != 1 || eip != want || dr6 != want_dr6))
			vt_report(&tally, bp_cases[i].name, "%u #DB, first at EIP %#x with DR6 %#x; want 1 at %#x with DR6 %#x",
				  count, eip, dr6, want, want_dr6);
		else
			vt_report(&tally, bp_cases[i].name, NULL);
	}
}

static void judge_nmis(const struct vt_vm *v)
{
	uint32_t count = guest_u32(v, NMI_SLOT_GPA), nested = guest_u32(v, NMI_SLOT_GPA + 4);
	uint32_t in_handler = guest_u32(v, NMI_SLOT_GPA + 8);
	uint32_t eip1 = guest_u32(v, NMI_SLOT_GPA + 12), eip2 = guest_u32(v, NMI_SLOT_GPA + 16);
	uint32_t want = guest_u32(v, NMI_SLOT_GPA + 20);

	if (nested || in_handler != 1)
		vt_report(&tally, "nmi-blocked-in-handler", "%u NMIs nested in the handler, %u counted there (want 0, 1)",
		       nested, in_handler);
	else
		vt_report(&tally, "nmi-blocked-in-handler", NULL);
	if (count != 2)
		vt_report(&tally, "nmi-latched-once", "%u NMIs in all; want 2 (two sent while blocked are one)",
		       count);
	else
		vt_report(&tally, "nmi-latched-once", NULL);
	if (eip1 != want || eip2 != want)
		vt_report(&tally, "nmi-right-after-iret", "NMIs arrived at EIP %#x and %#x; want both at %#x",
		       eip1, eip2, want);
	else
		vt_report(&tally, "nmi-right-after-iret", NULL);
}

static void test_guest(int sys, const char *image)
{
	struct vt_vm v = { .vm = -1, .vcpu = -1 };
	struct vireo_memory_region mr = { .size = MEM_SIZE };
	unsigned int exit_reason = 0;
	const char *why = "";
	int r;

	v.vm = (int)vt_ioctl(sys, VIREO_CREATE_VM, 0);
	if (v.vm < 0) {
		vt_report(&tally, "setup", "CREATE_VM: %s", strerror(-v.vm));
		return;
	}
	r = (int)vt_ioctl(v.vm, VIREO_ENABLE_LAPIC, 0);
	if (r < 0) {
		vt_report(&tally, "setup", "VIREO_ENABLE_LAPIC: %s", strerror(-r));
		goto out;
	}
	v.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v.mem == MAP_FAILED) {
		v.mem = NULL;
		vt_report(&tally, "setup", "mmap: %s", strerror(errno));
		goto out;
	}
	v.mem_size = MEM_SIZE;
	mr.userspace_addr = (uintptr_t)v.mem;
	r = (int)vt_ioctl(v.vm, VIREO_SET_MEMORY_REGION, (uintptr_t)&mr);
	if (r >= 0)
		r = v.vcpu = (int)vt_ioctl(v.vm, VIREO_CREATE_VCPU, 0);
	if (r >= 0) {
		v.run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu, 0);
		if (v.run == MAP_FAILED) {
			v.run = NULL;
			r = -errno;
		}
	}
	if (r >= 0)
		r = vt_load_file(&v, image, IMAGE_GPA);
	if (r >= 0)
		r = vt_mode_protected(&v, IMAGE_GPA);
	if (r < 0) {
		vt_report(&tally, "setup", "memory, vCPU, image or registers: %s", strerror(-r));
		goto out;
	}

	r = run_guest(&v, &why, &exit_reason);
	if (r < 0) {
		vt_report(&tally, "guest", "%s: %s (exit %s)", why, strerror(-r), vt_exit_name(exit_reason));
		goto out;
	}
	if (guest_u32(&v, MARK_GPA) != 0x600d) {
		vt_report(&tally, "guest", "the guest wrote no results");
		goto out;
	}
	vt_report(&tally, "guest", NULL);
	judge_steps(&v);
	judge_bps(&v);
	judge_nmis(&v);
out:
	vt_vm_destroy(&v);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const char *guests = getenv("VIREO_GUESTS");
	char image[4096];
	int sys, opt;

	while ((opt = getopt(argc, argv, "g:")) != -1) {
		if (opt == 'g')
			guests = optarg;
		else
			return 2;
	}
	snprintf(image, sizeof(image), "%s/events.bin", guests ? guests : "/vireo/guests");
	sigaction(SIGALRM, &sa, NULL);

	sys = vt_open_dev();
	if (sys < 0) {
		vt_report(&tally, "open", "%s: %s", VIREO_DEVICE_PATH, strerror(-sys));
		return 1;
	}
	test_guest(sys, image);
	printf("events: %d passed, %d failed\n", tally.passed, tally.failed);
	return tally.failed ? 1 : 0;
}
