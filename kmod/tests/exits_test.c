// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the exit handlers both backends share (exits.c).  What an exit
 * to userland reports (uapi vireo.h, struct vireo_run), port I/O (OUT of
 * 1/2/4 bytes takes AL/AX/EAX, Intel SDM vol. 2 OUT), HLT, XSETBV's rules
 * (SDM vol. 2 XSETBV, vol. 1 13.3), nested-paging faults, and the guest
 * XCR0/PKRU switch around the world switch.
 */
#include <linux/kernel.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr.h>
#include <asm/pkru.h>

#include "vireo_test.h"

#define NEXT_RIP	0x2001

static struct vireo_vcpu *exit_vcpu(struct kunit *test, bool lapic)
{
	struct vt_env *env = vt_env_new(test, 1, lapic);

	env->vcpu[0]->regs[VIREO_REG_RIP] = 0x2000;
	return env->vcpu[0];
}

/* The run page reports RIP, IF, whether an interrupt can go in, CR8, exits. */
static void exit_to_user_reports_state(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	struct vireo_run *run = vcpu->run;

	vcpu->cr8 = 5;
	vcpu->exit_count = 42;
	vt_set_if(vcpu, true);
	KUNIT_EXPECT_EQ(test, vireo_exit_to_user(vcpu, VIREO_EXIT_HLT), 1);
	KUNIT_EXPECT_EQ(test, run->exit_reason, (u32)VIREO_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, run->rip, 0x2000ULL);
	KUNIT_EXPECT_EQ(test, run->if_flag, 1);
	KUNIT_EXPECT_EQ(test, run->ready_for_interrupt_injection, 1);
	KUNIT_EXPECT_EQ(test, run->cr8, 5ULL);
	KUNIT_EXPECT_EQ(test, run->exit_count, 42ULL);

	vcpu->interrupt_shadow = true;		/* STI; HLT */
	vireo_exit_to_user(vcpu, VIREO_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, run->if_flag, 1);
	KUNIT_EXPECT_EQ(test, run->ready_for_interrupt_injection, 0);
	vcpu->interrupt_shadow = false;

	vcpu->extint = (struct vireo_pending_event){ .valid = true, .vector = 0x30 };
	vireo_exit_to_user(vcpu, VIREO_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, run->ready_for_interrupt_injection, 0);	/* slot taken */
	vcpu->extint.valid = false;

	vt_set_if(vcpu, false);
	vireo_exit_to_user(vcpu, VIREO_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, run->if_flag, 0);
	KUNIT_EXPECT_EQ(test, run->ready_for_interrupt_injection, 0);
}

static struct vireo_exit_io io(u8 dir, u8 size, u16 port)
{
	return (struct vireo_exit_io){ .direction = dir, .size = size, .port = port };
}

/* OUT sends AL, AX or EAX; userland sees the value and the port. */
static void io_out_sizes(struct kunit *test)
{
	static const struct { u8 size; u32 data; } cases[] = {
		{ 1, 0x78 }, { 2, 0x5678 }, { 4, 0x12345678 },
	};
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	struct vireo_exit_io e;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vcpu->regs[VIREO_REG_RAX] = 0xaaaaaaaa12345678ULL;
		e = io(VIREO_IO_OUT, cases[i].size, 0x3f8);
		KUNIT_EXPECT_EQ(test, vireo_handle_io(vcpu, &e, NEXT_RIP), 1);
		KUNIT_EXPECT_EQ(test, vcpu->run->exit_reason, (u32)VIREO_EXIT_IO);
		KUNIT_EXPECT_EQ(test, vcpu->run->io.data, cases[i].data);
		KUNIT_EXPECT_EQ(test, vcpu->run->io.port, 0x3f8);
		KUNIT_EXPECT_EQ(test, vcpu->run->io.size, cases[i].size);
		KUNIT_EXPECT_EQ(test, vcpu->run->io.direction, VIREO_IO_OUT);
		KUNIT_EXPECT_EQ(test, vcpu->completion, VIREO_COMPLETE_IO_OUT);
		KUNIT_EXPECT_EQ(test, vcpu->completion_rip, (u64)NEXT_RIP);
		/* RIP moves when the next VIREO_RUN completes the OUT */
		KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x2000ULL);
	}
}

/* IN waits for userland's data; INS/OUTS are left to userland entirely. */
static void io_in_and_string(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	struct vireo_exit_io e = io(VIREO_IO_IN, 2, 0x60);

	KUNIT_EXPECT_EQ(test, vireo_handle_io(vcpu, &e, NEXT_RIP), 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->io.direction, VIREO_IO_IN);
	KUNIT_EXPECT_EQ(test, vcpu->run->io.data, 0U);
	KUNIT_EXPECT_EQ(test, vcpu->completion, VIREO_COMPLETE_IO_IN);
	KUNIT_EXPECT_EQ(test, vcpu->io_size, 2);

	e = io(VIREO_IO_OUT, 1, 0x3f8);
	e.string = 1;
	e.rep = 1;
	e.address_size = 8;
	KUNIT_EXPECT_EQ(test, vireo_handle_io(vcpu, &e, NEXT_RIP), 1);
	KUNIT_EXPECT_EQ(test, vcpu->completion, VIREO_COMPLETE_NONE);
	KUNIT_EXPECT_EQ(test, vcpu->run->io.string, 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->io.rep, 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->io.address_size, 8);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x2000ULL);
}

/* HLT: past the instruction; to userland, or asleep in the kernel with the LAPIC. */
static void hlt(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);

	KUNIT_EXPECT_EQ(test, vireo_handle_hlt(vcpu, 1), 1);
	KUNIT_EXPECT_EQ(test, vcpu->run->exit_reason, (u32)VIREO_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x2001ULL);
	KUNIT_EXPECT_EQ(test, vcpu->run->rip, 0x2001ULL);

	vt_env_free(test->priv);
	vcpu = exit_vcpu(test, true);
	KUNIT_EXPECT_EQ(test, vireo_handle_hlt(vcpu, 1), 0);
	KUNIT_EXPECT_EQ(test, vcpu->mp_state, (int)VIREO_MP_HALTED);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x2001ULL);
}

/* Gives the vCPU a CPUID leaf 0xD offering the components in `offered`. */
static void offer_xsave(struct kunit *test, struct vireo_vcpu *vcpu, u64 offered)
{
	vcpu->cpuid = kunit_kzalloc(test, sizeof(*vcpu->cpuid), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	vcpu->cpuid[0] = (struct vireo_cpuid_entry){
		.function = 0xd, .index = 0, .flags = VIREO_CPUID_FLAG_INDEXED,
		.eax = (u32)offered, .edx = offered >> 32,
	};
	vcpu->cpuid_nent = 1;
}

static bool guest_xsetbv(struct vireo_vcpu *vcpu, u32 ecx, u64 value)
{
	vcpu->regs[VIREO_REG_RIP] = 0x2000;
	vcpu->exception.valid = false;
	vcpu->regs[VIREO_REG_RCX] = ecx;
	vcpu->regs[VIREO_REG_RAX] = 0xffffffff00000000ULL | (u32)value;
	vcpu->regs[VIREO_REG_RDX] = 0xffffffff00000000ULL | value >> 32;
	vireo_handle_xsetbv(vcpu, 3);
	if (vcpu->exception.valid)
		return false;
	return vcpu->regs[VIREO_REG_RIP] == 0x2003;
}

#define EXPECT_GP(test, vcpu, ecx, value) do {					\
	u64 __old = (vcpu)->xcr0;						\
	KUNIT_EXPECT_FALSE_MSG(test, guest_xsetbv(vcpu, ecx, value),			\
			       "XSETBV ecx %u value 0x%llx", ecx, (u64)(value));\
	KUNIT_EXPECT_EQ(test, (vcpu)->exception.vector, 13);			\
	KUNIT_EXPECT_TRUE(test, (vcpu)->exception.has_error_code);		\
	KUNIT_EXPECT_EQ(test, (vcpu)->regs[VIREO_REG_RIP], 0x2000ULL);		\
	KUNIT_EXPECT_EQ(test, (vcpu)->xcr0, __old);				\
} while (0)

/*
 * SDM XSETBV: #GP(0) unless ECX = 0, XCR0[0] = 1, nothing beyond what the
 * processor supports, XCR0[2] (AVX) only with XCR0[1] (SSE), and XCR0[7:5]
 * (AVX-512) all or none and only with XCR0[2].
 */
static void xsetbv_rules(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	u64 host;

#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
		     XFEATURE_MASK_AVX512;
#endif
	host = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	offer_xsave(test, vcpu, host);
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, XFEATURE_MASK_FP));
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, XFEATURE_MASK_FP);
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, host));
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, host);

	EXPECT_GP(test, vcpu, 1, XFEATURE_MASK_FP);
	EXPECT_GP(test, vcpu, 0, 0);
	EXPECT_GP(test, vcpu, 0, XFEATURE_MASK_SSE);
	EXPECT_GP(test, vcpu, 0, host | 1ULL << 62);
	if (host & XFEATURE_MASK_YMM)
		EXPECT_GP(test, vcpu, 0, XFEATURE_MASK_FP | XFEATURE_MASK_YMM);
	if ((host & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512) {
		EXPECT_GP(test, vcpu, 0, XFEATURE_MASK_FP | XFEATURE_MASK_SSE |
			  XFEATURE_MASK_YMM | XFEATURE_MASK_OPMASK);
		EXPECT_GP(test, vcpu, 0, XFEATURE_MASK_FP | XFEATURE_MASK_SSE |
			  XFEATURE_MASK_AVX512);
		KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, XFEATURE_MASK_FP | XFEATURE_MASK_SSE |
					       XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512));
	}
}

/*
 * SDM XSETBV: #GP(0) for a bit CPUID.(0DH,0):EDX:EAX does not list, even
 * one the host has enabled; without leaf 0xD only x87 may be set.
 */
static void xsetbv_follows_cpuid(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	u64 base = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;

#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = base | XFEATURE_MASK_YMM;
#endif
	if (!(xgetbv(XCR_XFEATURE_ENABLED_MASK) & XFEATURE_MASK_YMM))
		kunit_skip(test, "the host has no AVX");
	EXPECT_GP(test, vcpu, 0, base);			/* no leaf 0xD at all */
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, XFEATURE_MASK_FP));
	offer_xsave(test, vcpu, base);
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, base));
	EXPECT_GP(test, vcpu, 0, base | XFEATURE_MASK_YMM);	/* hidden AVX */
	offer_xsave(test, vcpu, base | XFEATURE_MASK_YMM);
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, base | XFEATURE_MASK_YMM));
}

/* The PKRU component (XCR0[9]) likewise: only with CPUID.(0DH,0):EAX[9] (--cpu ...,-pku). */
static void xsetbv_pkru_follows_cpuid(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	u64 base = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;

#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = base | XFEATURE_MASK_PKRU;
#endif
	if (!(xgetbv(XCR_XFEATURE_ENABLED_MASK) & XFEATURE_MASK_PKRU))
		kunit_skip(test, "the host has no PKRU state");
	offer_xsave(test, vcpu, base);
	EXPECT_GP(test, vcpu, 0, base | XFEATURE_MASK_PKRU);
	offer_xsave(test, vcpu, base | XFEATURE_MASK_PKRU);
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, base | XFEATURE_MASK_PKRU));
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, base | XFEATURE_MASK_PKRU);
}

/* SDM XSETBV: #GP(0) if XCR0[17] (XTILECFG) and XCR0[18] (XTILEDATA) differ. */
static void xsetbv_amx_pair(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	u64 base = XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM;

#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = base | XFEATURE_MASK_XTILE;
#endif
	if ((xgetbv(XCR_XFEATURE_ENABLED_MASK) & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE)
		kunit_skip(test, "the host has no AMX");
	offer_xsave(test, vcpu, xgetbv(XCR_XFEATURE_ENABLED_MASK));
	KUNIT_EXPECT_TRUE(test, guest_xsetbv(vcpu, 0, base | XFEATURE_MASK_XTILE));
	EXPECT_GP(test, vcpu, 0, base | XFEATURE_MASK_XTILE_CFG);
	EXPECT_GP(test, vcpu, 0, base | XFEATURE_MASK_XTILE_DATA);
}

/* A nested-paging fault: retried, MMIO for userland, or an internal error. */
static void tdp_fault_outcomes(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	struct vireo_run *run = vcpu->run;

	vt_backend.fault_result = VIREO_FAULT_MAPPED;
	KUNIT_EXPECT_EQ(test, vireo_handle_tdp_fault(vcpu, 0x1234, true), 0);
	KUNIT_EXPECT_EQ(test, vt_backend.fault_gpa, 0x1234ULL);
	KUNIT_EXPECT_TRUE(test, vt_backend.fault_write);

	vt_backend.fault_result = VIREO_FAULT_MMIO;
	KUNIT_EXPECT_EQ(test, vireo_handle_tdp_fault(vcpu, 0xfed00000, false), 1);
	KUNIT_EXPECT_EQ(test, run->exit_reason, (u32)VIREO_EXIT_MMIO);
	KUNIT_EXPECT_EQ(test, run->mmio.gpa, 0xfed00000ULL);
	KUNIT_EXPECT_EQ(test, run->mmio.is_write, 0);
	KUNIT_EXPECT_EQ(test, vcpu->completion, VIREO_COMPLETE_NONE);

	vt_backend.fault_result = VIREO_FAULT_NO_MEMORY;
	KUNIT_EXPECT_EQ(test, vireo_handle_tdp_fault(vcpu, 0x5000, true), 1);
	KUNIT_EXPECT_EQ(test, run->exit_reason, (u32)VIREO_EXIT_INTERNAL_ERROR);
	KUNIT_EXPECT_EQ(test, run->hw.suberror, (u32)VIREO_INTERNAL_NO_MEMORY);
	KUNIT_EXPECT_EQ(test, run->hw.info1, 0x5000ULL);
	KUNIT_EXPECT_EQ(test, run->hw.info2, 1ULL);
	KUNIT_EXPECT_EQ(test, vt_backend.faults, 3);
}

/*
 * VM entry does not switch XCR0 or PKRU: the guest's go in before and the
 * host's come back after (only while the guest has CR4.OSXSAVE / CR4.PKE).
 */
static void guest_xstate_switch(struct kunit *test)
{
	struct vireo_vcpu *vcpu;
	u64 host_xcr0;
	u32 host_pkru;

	vt_need_host(test, "fake XCR0 and PKRU registers");
	vcpu = exit_vcpu(test, false);
#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = 0x7;
	kshim_host_ospke = true;
	kshim_pkru = 0x55555554;
	kshim_need_fpu_load = true;
#endif
	vcpu->xcr0 = 0x3;
	vcpu->pkru = 0xc;
	vt_backend.cr4 = (1ULL << 18) | (1ULL << 22);	/* OSXSAVE, PKE */
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	KUNIT_EXPECT_EQ(test, host_xcr0, 0x7ULL);
	KUNIT_EXPECT_EQ(test, host_pkru, 0x55555554U);
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), 0x3ULL);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0xcU);
#ifdef VIREO_KUNIT_HOST
	KUNIT_EXPECT_FALSE(test, kshim_need_fpu_load);	/* guest FPU state reloaded */
#endif
	write_pkru(0x8);				/* the guest's WRPKRU */
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), 0x7ULL);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x55555554U);
	KUNIT_EXPECT_EQ(test, vcpu->pkru, 0x8U);

	vt_backend.cr4 = 0;				/* no OSXSAVE, no PKE */
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), 0x7ULL);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x55555554U);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, xgetbv(XCR_XFEATURE_ENABLED_MASK), 0x7ULL);
	/* The guest could not reach PKRU: its own value is kept, not the host's. */
	KUNIT_EXPECT_EQ(test, vcpu->pkru, 0x8U);
}

/*
 * XCR0[9] alone makes the guest's PKRU live (its XRSTOR loads it; SDM
 * vol. 1 13.2), as in KVM's kvm_load_guest_xsave_state(); and whatever
 * the bits, a PKRU that differs from the host's at exit is the guest's
 * and does not stay in the host.
 */
static void guest_pkru_with_xcr0_only(struct kunit *test)
{
	struct vireo_vcpu *vcpu;
	u64 host_xcr0;
	u32 host_pkru;

	vt_need_host(test, "fake XCR0 and PKRU registers");
	vcpu = exit_vcpu(test, false);
#ifdef VIREO_KUNIT_HOST
	kshim_xcr0 = 0x207;
	kshim_host_ospke = true;
	kshim_pkru = 0x55555554;
#endif
	vcpu->xcr0 = 0x203;
	vcpu->pkru = 0x30;
	vt_backend.cr4 = 1ULL << 18;			/* OSXSAVE, no PKE */
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x30U);
	write_pkru(0x3c);				/* the guest's XRSTOR */
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x55555554U);
	KUNIT_EXPECT_EQ(test, vcpu->pkru, 0x3cU);

	/* Neither bit: nothing loaded, and a PKRU changed anyway is still undone. */
	vcpu->xcr0 = 0x3;
	vt_backend.cr4 = 0;
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x55555554U);
	write_pkru(0x4);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, read_pkru(), 0x55555554U);
	KUNIT_EXPECT_EQ(test, vcpu->pkru, 0x4U);
}

/*
 * IA32_TSC_AUX (SDM vol. 4 table 2-2): bits 63:32 reserved (#GP); the
 * guest reaches it only with RDTSCP or RDPID in its CPUID; the world
 * switch swaps it with the host's around the entry.
 */
static void tsc_aux(struct kunit *test)
{
	struct vireo_vcpu *vcpu = exit_vcpu(test, false);
	u64 host_xcr0, data;
	u32 host_pkru;

	vcpu->tsc_aux_offered = vireo_cpuid_has_tsc_aux(vcpu);	/* no CPUID table */
	KUNIT_EXPECT_FALSE(test, vcpu->tsc_aux_offered);
	data = 5;
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, true, &data, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, true, &data, false), 0);
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, false, &data, true), -EINVAL);

	vcpu->cpuid = kunit_kzalloc(test, sizeof(*vcpu->cpuid), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	vcpu->cpuid[0] = (struct vireo_cpuid_entry){ .function = 0x80000001, .edx = 1U << 27 };
	vcpu->cpuid_nent = 1;
	vcpu->tsc_aux_offered = vireo_cpuid_has_tsc_aux(vcpu);
	KUNIT_EXPECT_TRUE(test, vcpu->tsc_aux_offered);
	data = 0x1234;
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, true, &data, true), 0);
	data = 1ULL << 32;
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, true, &data, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, true, &data, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_tsc_aux_access(vcpu, false, &data, true), 0);
	KUNIT_EXPECT_EQ(test, data, 0x1234ULL);

#ifdef VIREO_KUNIT_HOST
	kshim_host_rdtscp = true;
	kshim_tsc_aux = 3;				/* the host's CPU number */
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	KUNIT_EXPECT_EQ(test, kshim_tsc_aux, 0x1234ULL);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, kshim_tsc_aux, 3ULL);
	/* Already the host's value: no WRMSR. */
	vcpu->tsc_aux = 3;
	kshim_tsc_aux_writes = 0;
	vireo_load_guest_xstate(vcpu, &host_xcr0, &host_pkru);
	vireo_put_guest_xstate(vcpu, host_xcr0, host_pkru);
	KUNIT_EXPECT_EQ(test, kshim_tsc_aux_writes, 0U);
#else
	(void)host_xcr0;
	(void)host_pkru;
#endif
}

static struct kunit_case exits_cases[] = {
	KUNIT_CASE(exit_to_user_reports_state),
	KUNIT_CASE(io_out_sizes),
	KUNIT_CASE(io_in_and_string),
	KUNIT_CASE(hlt),
	KUNIT_CASE(xsetbv_rules),
	KUNIT_CASE(xsetbv_follows_cpuid),
	KUNIT_CASE(xsetbv_pkru_follows_cpuid),
	KUNIT_CASE(tsc_aux),
	KUNIT_CASE(xsetbv_amx_pair),
	KUNIT_CASE(tdp_fault_outcomes),
	KUNIT_CASE(guest_xstate_switch),
	KUNIT_CASE(guest_pkru_with_xcr0_only),
	{}
};

static struct kunit_suite exits_suite = {
	.name = "vireo_exits",
	.exit = vt_suite_exit,
	.test_cases = exits_cases,
};

kunit_test_suite(exits_suite);
