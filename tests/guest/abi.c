// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-abi: the run-loop contract of vireo.h, checked with raw ioctls and
 * without libvireo: who completes an IN, an MSR access, an injected event;
 * when the interrupt window exit comes; register state round trips.  The
 * guest snippets are real-mode code in abi.asm ($VIREO_GUESTS/abi.bin,
 * loaded at 0x1000; offsets below must match it).
 *
 * Usage: vireo-abi [-g GUESTS_DIR] [-l] [FILTER...]
 *   -l      list the case names
 *   FILTER  run only the cases whose name contains one of these strings
 * Prints one "TEST abi/<name> ..." per case, then "abi: N passed, M failed".
 *
 * Every VIREO_RUN is bounded by an alarm (SIGALRM without SA_RESTART): a
 * guest that keeps running when it should have exited fails its case
 * instead of hanging the suite.
 */
#include <errno.h>
#include <signal.h>
#include <cpuid.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

/* abi.asm layout */
#define IMAGE_GPA	0x1000
#define G_IN_ECHO	0x1000
#define G_MSR_READ	0x1100
#define G_MSR_WRITE	0x1200
#define G_SPIN		0x1300
#define G_WINDOW	0x1400
#define G_HELD		0x1500
#define G_PKRU		0x1600
#define G_SYSENTER	0x1700
#define G_SYSENTER_EIP	0x1740
#define H_UD		0x1800
#define H_NMI		0x1880
#define H_GP		0x1900
#define H_IRQ20		0x1980
#define PORT_REPORT	0xe9
#define PORT_ECHO	0xea
#define SCRATCH_MSR	0x4b564d00

#define RUN_TIMEOUT_S	10
#define WHY_LEN		512

static const char *guests_dir;
static int sys_fd;
static int passed, failed;

static void on_alarm(int sig)
{
	(void)sig;
}

/* ------------------------------------------------------------------ */

struct ctx {
	struct vt_vm v;
	char why[WHY_LEN];
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0])
		return -1;	/* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* A fresh VM with abi.bin at 0x1000, the IVT pointing at the handlers, and
 * the vCPU in real mode at `entry`. */
static int setup(struct ctx *c, uint64_t entry)
{
	static const struct { int vec; uint16_t off; } ivt[] = {
		{ 2, H_NMI }, { 6, H_UD }, { 13, H_GP }, { 0x20, H_IRQ20 },
	};
	char path[4096];
	const char *step;
	size_t i;
	int r;

	memset(c, 0, sizeof(*c));
	r = vt_vm_create(sys_fd, &c->v, 0x10000, &step);
	if (r < 0)
		return fail(c, "%s: %s", step, strerror(-r));
	snprintf(path, sizeof(path), "%s/abi.bin", guests_dir);
	r = vt_load_file(&c->v, path, IMAGE_GPA);
	if (r < 0)
		return fail(c, "load %s: %s", path, strerror(-r));
	for (i = 0; i < sizeof(ivt) / sizeof(ivt[0]); i++) {
		uint16_t *e = (uint16_t *)((char *)c->v.mem + ivt[i].vec * 4);

		e[0] = ivt[i].off;	/* offset */
		e[1] = 0;		/* segment */
	}
	r = vt_mode_real(&c->v, entry);
	if (r < 0)
		return fail(c, "real mode: %s", strerror(-r));
	return 0;
}

/* VIREO_RUN, bounded by RUN_TIMEOUT_S.  Returns 0 or -1 (why filled). */
static int run(struct ctx *c)
{
	long r;

	alarm(RUN_TIMEOUT_S);
	r = vt_ioctl(c->v.vcpu, VIREO_RUN, 0);
	alarm(0);
	if (r == -EINTR)
		return fail(c, "RUN did not exit within %d s (guest kept running)", RUN_TIMEOUT_S);
	if (r < 0)
		return fail(c, "RUN: %s", strerror((int)-r));
	return 0;
}

/* Expects an exit of `reason`; for IO also port, direction and AL. */
static int want_exit(struct ctx *c, const char *when, uint32_t reason)
{
	if (c->v.run->exit_reason != reason)
		return fail(c, "%s: exit %s at rip 0x%llx, want %s", when,
			    vt_exit_name(c->v.run->exit_reason),
			    (unsigned long long)c->v.run->rip, vt_exit_name(reason));
	return 0;
}

static int want_io(struct ctx *c, const char *when, int dir, uint16_t port, int al)
{
	struct vireo_exit_io *io = &c->v.run->io;

	if (want_exit(c, when, VIREO_EXIT_IO))
		return -1;
	if (io->direction != dir || io->port != port || io->size != 1 || io->string ||
	    (al >= 0 && (io->data & 0xff) != (uint32_t)al))
		return fail(c, "%s: %s port 0x%x size %u data 0x%x, want %s port 0x%x data 0x%x",
			    when, io->direction == VIREO_IO_OUT ? "OUT" : "IN", io->port, io->size,
			    io->data, dir == VIREO_IO_OUT ? "OUT" : "IN", port, al);
	return 0;
}

static int get_regs(struct ctx *c, struct vireo_regs *regs)
{
	long r = vt_ioctl(c->v.vcpu, VIREO_GET_REGS, (uintptr_t)regs);

	if (r < 0)
		return fail(c, "GET_REGS: %s", strerror((int)-r));
	return 0;
}

static int inject(struct ctx *c, uint8_t type, uint8_t vector)
{
	struct vireo_event ev = { .type = type, .vector = vector };
	long r = vt_ioctl(c->v.vcpu, VIREO_INJECT_EVENT, (uintptr_t)&ev);

	if (r < 0)
		return fail(c, "INJECT_EVENT type %u vector 0x%x: %s", type, vector,
			    strerror((int)-r));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cases: each returns 0 or -1 with c->why                              */
/* ------------------------------------------------------------------ */

/* IN: userland stores run->io.data; the kernel loads AL and moves RIP. */
static int t_in_completion(struct ctx *c)
{
	struct vireo_regs regs;

	if (setup(c, G_IN_ECHO) || run(c) || want_io(c, "first exit", VIREO_IO_IN, PORT_REPORT, -1))
		return -1;
	c->v.run->io.data = 0x5a;
	if (run(c) || want_io(c, "second exit", VIREO_IO_OUT, PORT_ECHO, 0x5a))
		return -1;
	if (run(c) || want_exit(c, "third exit", VIREO_EXIT_HLT) || get_regs(c, &regs))
		return -1;
	if ((regs.rax & 0xff) != 0x5a || regs.rip != G_IN_ECHO + 5)
		return fail(c, "at HLT: rax 0x%llx rip 0x%llx, want al 0x5a rip 0x%x",
			    (unsigned long long)regs.rax, (unsigned long long)regs.rip,
			    G_IN_ECHO + 5);
	if (c->v.run->rip != G_IN_ECHO + 5)
		return fail(c, "run->rip 0x%llx at HLT, want 0x%x (past the HLT)",
			    (unsigned long long)c->v.run->rip, G_IN_ECHO + 5);
	return 0;
}

/* RDMSR: userland fills run->msr.data; the kernel loads EDX:EAX. */
static int t_msr_read(struct ctx *c)
{
	struct vireo_regs regs;

	if (setup(c, G_MSR_READ) || run(c) || want_exit(c, "first exit", VIREO_EXIT_MSR))
		return -1;
	if (c->v.run->msr.index != SCRATCH_MSR || c->v.run->msr.is_write)
		return fail(c, "MSR exit: index 0x%x is_write %u, want 0x%x read",
			    c->v.run->msr.index, c->v.run->msr.is_write, SCRATCH_MSR);
	c->v.run->msr.data = 0x1122334455667788ULL;
	c->v.run->msr.error = 0;
	if (run(c) || want_exit(c, "second exit", VIREO_EXIT_HLT) || get_regs(c, &regs))
		return -1;
	if (regs.rax != 0x55667788 || regs.rdx != 0x11223344)
		return fail(c, "after RDMSR: rax 0x%llx rdx 0x%llx, want 0x55667788 0x11223344",
			    (unsigned long long)regs.rax, (unsigned long long)regs.rdx);
	return 0;
}

/* WRMSR: the exit carries EDX:EAX. */
static int t_msr_write(struct ctx *c)
{
	if (setup(c, G_MSR_WRITE) || run(c) || want_exit(c, "first exit", VIREO_EXIT_MSR))
		return -1;
	if (c->v.run->msr.index != SCRATCH_MSR || !c->v.run->msr.is_write ||
	    c->v.run->msr.data != 0x123456789abcdef0ULL)
		return fail(c, "MSR exit: index 0x%x is_write %u data 0x%llx, want write of "
			    "0x123456789abcdef0", c->v.run->msr.index, c->v.run->msr.is_write,
			    (unsigned long long)c->v.run->msr.data);
	if (run(c) || want_exit(c, "second exit", VIREO_EXIT_HLT))
		return -1;
	return 0;
}

/* run->msr.error != 0: the kernel injects #GP instead of completing. */
static int t_msr_error_gp(struct ctx *c)
{
	if (setup(c, G_MSR_READ) || run(c) || want_exit(c, "first exit", VIREO_EXIT_MSR))
		return -1;
	c->v.run->msr.error = 1;
	if (run(c) || want_io(c, "after error=1", VIREO_IO_OUT, PORT_REPORT, 13))
		return -1;
	return 0;
}

/* An injected exception is delivered at the next entry, IF=0 or not. */
static int t_inject_exception(struct ctx *c)
{
	if (setup(c, G_SPIN) || inject(c, VIREO_EVENT_EXCEPTION, 6))
		return -1;
	if (run(c) || want_io(c, "after injecting #UD", VIREO_IO_OUT, PORT_REPORT, 6))
		return -1;
	return 0;
}

static int t_inject_nmi(struct ctx *c)
{
	if (setup(c, G_SPIN) || inject(c, VIREO_EVENT_NMI, 2))
		return -1;
	if (run(c) || want_io(c, "after injecting NMI", VIREO_IO_OUT, PORT_REPORT, 2))
		return -1;
	return 0;
}

/* request_interrupt_window: exit IRQ_WINDOW once IF=1 and no shadow; then
 * an injected external interrupt is taken at once. */
static int t_irq_window(struct ctx *c)
{
	struct vireo_run *run_page;

	if (setup(c, G_WINDOW) || run(c) || want_io(c, "first exit", VIREO_IO_OUT, PORT_REPORT, 1))
		return -1;
	run_page = c->v.run;
	if (run_page->if_flag)
		return fail(c, "if_flag set at the OUT, but the guest ran CLI");
	run_page->request_interrupt_window = 1;
	if (run(c) || want_exit(c, "with a window requested", VIREO_EXIT_IRQ_WINDOW))
		return -1;
	if (!run_page->ready_for_interrupt_injection || !run_page->if_flag)
		return fail(c, "IRQ_WINDOW exit with ready_for_interrupt_injection %u if_flag %u",
			    run_page->ready_for_interrupt_injection, run_page->if_flag);
	run_page->request_interrupt_window = 0;
	if (inject(c, VIREO_EVENT_EXTINT, 0x20))
		return -1;
	if (run(c) || want_io(c, "after injecting 0x20", VIREO_IO_OUT, PORT_REPORT, 0x20))
		return -1;
	return 0;
}

/* An external interrupt waits while IF=0: the guest reaches its HLT. */
static int t_extint_held(struct ctx *c)
{
	if (setup(c, G_HELD) || inject(c, VIREO_EVENT_EXTINT, 0x20))
		return -1;
	if (run(c) || want_io(c, "first exit", VIREO_IO_OUT, PORT_REPORT, 1))
		return -1;
	if (run(c) || want_exit(c, "second exit (IF=0 all along)", VIREO_EXIT_HLT))
		return -1;
	return 0;
}

/* SET_REGS then GET_REGS gives the same values. */
static int t_regs_roundtrip(struct ctx *c)
{
	struct vireo_regs in, out;
	uint64_t *p = (uint64_t *)&in;
	size_t i;
	long r;

	if (setup(c, G_SPIN))
		return -1;
	for (i = 0; i < sizeof(in) / sizeof(uint64_t); i++)
		p[i] = 0x0101010101010101ULL * (i + 1);
	in.rip = 0x1300;
	in.rflags = 0x2 | (1 << 0) | (1 << 6) | (1 << 11);	/* CF ZF OF */
	r = vt_ioctl(c->v.vcpu, VIREO_SET_REGS, (uintptr_t)&in);
	if (r < 0)
		return fail(c, "SET_REGS: %s", strerror((int)-r));
	if (get_regs(c, &out))
		return -1;
	if (memcmp(&in, &out, sizeof(in))) {
		for (i = 0; i < sizeof(in) / sizeof(uint64_t); i++)
			if (p[i] != ((uint64_t *)&out)[i])
				return fail(c, "register #%zu: set 0x%llx, got 0x%llx", i,
					    (unsigned long long)p[i],
					    (unsigned long long)((uint64_t *)&out)[i]);
	}
	return 0;
}

/* SET_SREGS then GET_SREGS keeps what a monitor sets. */
static int t_sregs_roundtrip(struct ctx *c)
{
	struct vireo_sregs out;
	long r;

	if (setup(c, G_SPIN))
		return -1;
	r = vt_mode_protected(&c->v, 0x1300);
	if (r < 0)
		return fail(c, "protected mode: %s", strerror((int)-r));
	r = vt_ioctl(c->v.vcpu, VIREO_GET_SREGS, (uintptr_t)&out);
	if (r < 0)
		return fail(c, "GET_SREGS: %s", strerror((int)-r));
	if (out.cs.selector != VT_SEL_CODE32 || out.cs.base || out.cs.limit != 0xffffffff ||
	    !out.cs.db || !out.cs.present || (out.cs.type & 0xa) != 0xa)
		return fail(c, "CS came back as sel 0x%x base 0x%llx limit 0x%x db %u p %u type 0x%x",
			    out.cs.selector, (unsigned long long)out.cs.base, out.cs.limit,
			    out.cs.db, out.cs.present, out.cs.type);
	if (out.ss.selector != VT_SEL_DATA || out.ds.selector != VT_SEL_DATA ||
	    out.ss.limit != 0xffffffff)
		return fail(c, "SS/DS came back as 0x%x/0x%x limit 0x%x", out.ss.selector,
			    out.ds.selector, out.ss.limit);
	if (out.gdt.base != VT_GDT_GPA || out.gdt.limit != 23)
		return fail(c, "GDTR came back as base 0x%llx limit %u",
			    (unsigned long long)out.gdt.base, out.gdt.limit);
	if (!(out.cr0 & 1) || (out.cr0 & 0x80000000) || out.efer & 0x500)
		return fail(c, "CR0 0x%llx EFER 0x%llx: want PE, no PG, no LME/LMA",
			    (unsigned long long)out.cr0, (unsigned long long)out.efer);
	return 0;
}

/*
 * SET_MSRS then GET_MSRS of every MSR the backend holds (each backend's
 * table: vmx_msr.c, svm.c) gives back what was set; the TSC reads the
 * value set plus the time since.  The values pass vireo_check_msr() in
 * real mode: canonical addresses, SFMASK below 2^32, a PAT of defined
 * types, EFER without LMA; SYSENTER_CS within 16 bits (a 32-bit VMCS field).
 */
static int t_msrs_roundtrip(struct ctx *c)
{
	static const struct vireo_msr_entry set[] = {
		{ .index = 0xc0000080, .data = 0x801 },			/* EFER: SCE, NX */
		{ .index = 0xc0000081, .data = 0x0023001000000000ULL },	/* STAR */
		{ .index = 0xc0000082, .data = 0xffffffff81234560ULL },	/* LSTAR */
		{ .index = 0xc0000083, .data = 0xffffffff81234570ULL },	/* CSTAR */
		{ .index = 0xc0000084, .data = 0x47700 },		/* SFMASK */
		{ .index = 0xc0000102, .data = 0xffff888012345000ULL },	/* KERNEL_GS_BASE */
		{ .index = 0xc0000100, .data = 0x00007f0012340000ULL },	/* FS_BASE */
		{ .index = 0xc0000101, .data = 0xffff888056780000ULL },	/* GS_BASE */
		{ .index = 0x174, .data = 0x10 },			/* SYSENTER_CS */
		{ .index = 0x175, .data = 0xffffc90000001000ULL },	/* SYSENTER_ESP */
		{ .index = 0x176, .data = 0xffffffff81000040ULL },	/* SYSENTER_EIP */
		{ .index = 0x277, .data = 0x0001050400070406ULL },	/* PAT */
		{ .index = 0x10, .data = 1ULL << 40 },			/* TSC */
	};
	const size_t n = sizeof(set) / sizeof(set[0]);
	struct vireo_msr_entry got[sizeof(set) / sizeof(set[0])];
	struct vireo_msrs m = { .nmsrs = n, .entries = (uintptr_t)set };
	struct vireo_sregs sr;
	size_t i;
	long r;

	if (setup(c, G_SPIN))
		return -1;
	r = vt_ioctl(c->v.vcpu, VIREO_SET_MSRS, (uintptr_t)&m);
	if (r != (long)n)
		return fail(c, "SET_MSRS of %zu MSRs returned %ld (stopped at index 0x%x)", n, r,
			    r >= 0 && r < (long)n ? set[r].index : 0);
	for (i = 0; i < n; i++)
		got[i] = (struct vireo_msr_entry){ .index = set[i].index };
	m.entries = (uintptr_t)got;
	r = vt_ioctl(c->v.vcpu, VIREO_GET_MSRS, (uintptr_t)&m);
	if (r != (long)n)
		return fail(c, "GET_MSRS of %zu MSRs returned %ld", n, r);
	for (i = 0; i < n; i++) {
		bool ok = set[i].index == 0x10 ?
			  got[i].data >= set[i].data && got[i].data - set[i].data < (1ULL << 36) :
			  got[i].data == set[i].data;

		if (!ok)
			return fail(c, "MSR 0x%x: set 0x%llx, got 0x%llx", set[i].index,
				    (unsigned long long)set[i].data,
				    (unsigned long long)got[i].data);
	}
	/* The segment bases are the same registers as FS_BASE and GS_BASE. */
	r = vt_ioctl(c->v.vcpu, VIREO_GET_SREGS, (uintptr_t)&sr);
	if (r < 0)
		return fail(c, "GET_SREGS: %s", strerror((int)-r));
	if (sr.fs.base != set[6].data || sr.gs.base != set[7].data || sr.efer != set[0].data)
		return fail(c, "GET_SREGS after SET_MSRS: fs.base 0x%llx gs.base 0x%llx efer 0x%llx",
			    (unsigned long long)sr.fs.base, (unsigned long long)sr.gs.base,
			    (unsigned long long)sr.efer);
	return 0;
}

/*
 * SYSENTER takes CS, EIP and ESP from the SYSENTER MSRs (SDM vol. 2B
 * "SYSENTER"), where the CPU finds them: the VMCS guest-state fields, the
 * VMCB save area.  A backend that kept one MSR in another's field would
 * still round-trip it through GET_MSRS; here the guest lands elsewhere.
 */
static int t_sysenter_msrs(struct ctx *c)
{
	static const struct vireo_msr_entry set[] = {
		{ .index = 0x174, .data = VT_SEL_CODE32 },	/* SYSENTER_CS */
		{ .index = 0x175, .data = 0x8000 },		/* SYSENTER_ESP */
		{ .index = 0x176, .data = G_SYSENTER_EIP },	/* SYSENTER_EIP */
	};
	struct vireo_msrs m = { .nmsrs = 3, .entries = (uintptr_t)set };
	struct vireo_regs regs;
	struct vireo_sregs sr;
	long r;

	if (setup(c, G_SPIN))
		return -1;
	r = vt_mode_protected(&c->v, G_SYSENTER);
	if (r < 0)
		return fail(c, "protected mode: %s", strerror((int)-r));
	r = vt_ioctl(c->v.vcpu, VIREO_SET_MSRS, (uintptr_t)&m);
	if (r != 3)
		return fail(c, "SET_MSRS of the SYSENTER MSRs returned %ld", r);
	if (run(c) || want_exit(c, "after SYSENTER", VIREO_EXIT_HLT) || get_regs(c, &regs))
		return -1;
	if (regs.rip != G_SYSENTER_EIP + 1 || regs.rsp != 0x8000)
		return fail(c, "after SYSENTER and HLT: rip 0x%llx rsp 0x%llx, want 0x%x 0x8000",
			    (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
			    G_SYSENTER_EIP + 1);
	r = vt_ioctl(c->v.vcpu, VIREO_GET_SREGS, (uintptr_t)&sr);
	if (r < 0)
		return fail(c, "GET_SREGS: %s", strerror((int)-r));
	if (sr.cs.selector != VT_SEL_CODE32 || sr.ss.selector != VT_SEL_CODE32 + 8)
		return fail(c, "after SYSENTER: CS 0x%x SS 0x%x, want 0x%x 0x%x", sr.cs.selector,
			    sr.ss.selector, VT_SEL_CODE32, VT_SEL_CODE32 + 8);
	return 0;
}

/* exit_count grows with every exit. */
static int t_exit_count(struct ctx *c)
{
	uint64_t before;

	if (setup(c, G_IN_ECHO) || run(c))
		return -1;
	before = c->v.run->exit_count;
	c->v.run->io.data = 0;
	if (run(c))
		return -1;
	if (before < 1 || c->v.run->exit_count <= before)
		return fail(c, "exit_count %llu then %llu: want >= 1, then growing",
			    (unsigned long long)before,
			    (unsigned long long)c->v.run->exit_count);
	return 0;
}

/* The vCPU gets vireo.ko's whole supported table. */
static int set_supported_cpuid(struct ctx *c)
{
	static struct vireo_cpuid_entry e[VIREO_MAX_CPUID_ENTRIES];
	struct vireo_cpuid t = { .nent = VIREO_MAX_CPUID_ENTRIES, .entries = (uintptr_t)e };
	long r = vt_ioctl(sys_fd, VIREO_GET_SUPPORTED_CPUID, (uintptr_t)&t);

	if (r < 0)
		return fail(c, "GET_SUPPORTED_CPUID: %s", strerror((int)-r));
	t.nent = (uint32_t)r;
	r = vt_ioctl(c->v.vcpu, VIREO_SET_CPUID, (uintptr_t)&t);
	if (r < 0)
		return fail(c, "SET_CPUID: %s", strerror((int)-r));
	return 0;
}

/*
 * VIREO_SET/GET_XSAVE carry PKRU as XSAVE state component 9, at the
 * offset CPUID.(0DH,9):EBX gives (SDM vol. 1 13.4): what SET_XSAVE puts
 * there the guest's RDPKRU reads, and its WRPKRU comes back in GET_XSAVE.
 * Returns 1 (skip) where the L1 kernel has no CR4.PKE: vireo.ko then
 * offers no PKU.
 */
static int t_xsave_pkru(struct ctx *c)
{
	static struct vireo_xsave x;
	unsigned int eax, ebx, ecx, edx, off;
	uint64_t *xstate_bv = (uint64_t *)&x.region[512 / 4];
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	long r;

	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ecx & (1U << 4))) {
		snprintf(c->why, sizeof(c->why), "no OSPKE in this CPU's CPUID");
		return 1;
	}
	__get_cpuid_count(0xd, 9, &eax, &ebx, &ecx, &edx);
	off = ebx;
	if (eax != 4 && eax != 8)
		return fail(c, "CPUID.(0DH,9): size %u, want the 4-byte PKRU (8 with padding)", eax);
	if (off + 4 > sizeof(x))
		return fail(c, "CPUID.(0DH,9): offset %u beyond struct vireo_xsave", off);
	if (setup(c, G_PKRU) || set_supported_cpuid(c))
		return -1;
	r = vt_ioctl(c->v.vcpu, VIREO_GET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return fail(c, "GET_SREGS: %s", strerror((int)-r));
	sregs.cr4 |= 1ULL << 22;	/* PKE */
	r = vt_ioctl(c->v.vcpu, VIREO_SET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return fail(c, "SET_SREGS with CR4.PKE: %s", strerror((int)-r));

	r = vt_ioctl(c->v.vcpu, VIREO_GET_XSAVE, (uintptr_t)&x);
	if (r < 0)
		return fail(c, "GET_XSAVE: %s", strerror((int)-r));
	*xstate_bv |= 1ULL << 9;
	x.region[off / 4] = 0x12345678;
	r = vt_ioctl(c->v.vcpu, VIREO_SET_XSAVE, (uintptr_t)&x);
	if (r < 0)
		return fail(c, "SET_XSAVE with PKRU: %s", strerror((int)-r));

	if (run(c) || want_exit(c, "RDPKRU/WRPKRU", VIREO_EXIT_HLT) || get_regs(c, &regs))
		return -1;
	if ((uint32_t)regs.rbx != 0x12345678)
		return fail(c, "the guest's RDPKRU read 0x%x, want 0x12345678 from SET_XSAVE",
			    (uint32_t)regs.rbx);
	memset(&x, 0, sizeof(x));
	r = vt_ioctl(c->v.vcpu, VIREO_GET_XSAVE, (uintptr_t)&x);
	if (r < 0)
		return fail(c, "GET_XSAVE: %s", strerror((int)-r));
	if (!(*xstate_bv & (1ULL << 9)) || x.region[off / 4] != 0x0badf00c)
		return fail(c, "GET_XSAVE: XSTATE_BV 0x%llx, component 9 0x%x; want bit 9 and the guest's 0x0badf00c",
			    (unsigned long long)*xstate_bv, x.region[off / 4]);
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(struct ctx *c);
} acases[] = {
	{ "in-completed-by-kernel", t_in_completion },
	{ "msr-read-completed-by-kernel", t_msr_read },
	{ "msr-write-exit-data", t_msr_write },
	{ "msr-error-injects-gp", t_msr_error_gp },
	{ "inject-exception", t_inject_exception },
	{ "inject-nmi", t_inject_nmi },
	{ "irq-window-then-extint", t_irq_window },
	{ "extint-held-while-if0", t_extint_held },
	{ "regs-roundtrip", t_regs_roundtrip },
	{ "sregs-roundtrip", t_sregs_roundtrip },
	{ "msrs-roundtrip", t_msrs_roundtrip },
	{ "sysenter-uses-msrs", t_sysenter_msrs },
	{ "exit-count", t_exit_count },
	{ "xsave-carries-pkru", t_xsave_pkru },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	bool list = false;
	struct ctx c;
	size_t i;
	int opt;

	guests_dir = getenv("VIREO_GUESTS") ? getenv("VIREO_GUESTS") : "/vireo/guests";
	while ((opt = getopt(argc, argv, "g:l")) != -1) {
		switch (opt) {
		case 'g':
			guests_dir = optarg;
			break;
		case 'l':
			list = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-g GUESTS_DIR] [-l] [FILTER...]\n", argv[0]);
			return 2;
		}
	}
	if (list) {
		for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++)
			printf("%s\n", acases[i].name);
		return 0;
	}
	sigaction(SIGALRM, &sa, NULL);
	sys_fd = vt_open_dev();
	for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++) {
		bool sel = optind >= argc;
		int r, k;

		for (k = optind; k < argc; k++)
			sel |= strstr(acases[i].name, argv[k]) != NULL;
		if (!sel)
			continue;

		if (sys_fd < 0) {
			printf("TEST abi/%s FAIL open %s: %s\n", acases[i].name, VIREO_DEVICE_PATH,
			       strerror(-sys_fd));
			failed++;
			continue;
		}
		r = acases[i].fn(&c);
		vt_vm_destroy(&c.v);
		if (r > 0) {
			printf("TEST abi/%s SKIP %s\n", acases[i].name, c.why);
		} else if (r) {
			printf("TEST abi/%s FAIL %s\n", acases[i].name, c.why);
			failed++;
		} else {
			printf("TEST abi/%s PASS\n", acases[i].name);
			passed++;
		}
		fflush(stdout);
	}
	printf("abi: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
