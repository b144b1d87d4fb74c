// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87/SSE/AVX state (XSAVE components), between runs and around
 * each world switch.  Neither VMRUN nor VM entry switches it: the CPU's
 * registers are the guest's from just before the entry to just after the
 * exit, and the host's (the vCPU thread's user state, or a kernel FPU
 * user's) at all other times.
 *
 * Where the kernel exports its guest-FPU API to every module
 * (VIREO_HAVE_KVM_GUEST_FPU, compat/conftest.sh), the kernel keeps the
 * state as it does for KVM.  Newer kernels export it to KVM's modules
 * only; there vireo.ko keeps the state itself, in one page in the standard
 * XSAVE format (SDM vol. 1 13.4), the format of struct vireo_xsave, and
 * loads it only while interrupts are off around the world switch, inside
 * a kernel FPU section.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "vireo.h"

#ifdef VIREO_HAVE_KVM_GUEST_FPU

int vireo_guest_fpu_alloc(struct vireo_vcpu *vcpu)
{
	return fpu_alloc_guest_fpstate(&vcpu->guest_fpu) ? 0 : -ENOMEM;
}

void vireo_guest_fpu_free(struct vireo_vcpu *vcpu)
{
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
}

/*
 * The guest's state is the task's for the whole VIREO_RUN: the kernel
 * saves and restores it with the task's on a context switch.
 */
void vireo_guest_fpu_run_begin(struct vireo_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
}

void vireo_guest_fpu_run_end(struct vireo_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
}

void vireo_guest_fpu_load(struct vireo_vcpu *vcpu)
{
	/*
	 * A context switch or a kernel_fpu_begin() since the guest state was
	 * loaded leaves the registers holding someone else's state and only
	 * marks the task; load the guest's back now, or the guest would run
	 * on (and leak) foreign FPU/vector registers.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

void vireo_guest_fpu_put(struct vireo_vcpu *vcpu)
{
}

int vireo_guest_fpu_get(struct vireo_vcpu *vcpu, struct vireo_xsave *x, u64 offered)
{
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x, sizeof(*x), offered, vcpu->pkru);
	return 0;
}

int vireo_guest_fpu_set(struct vireo_vcpu *vcpu, const struct vireo_xsave *x)
{
	return fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, x,
					      xgetbv(XCR_XFEATURE_ENABLED_MASK), &vcpu->pkru);
}

#else /* !VIREO_HAVE_KVM_GUEST_FPU */

/* The standard XSAVE format (SDM vol. 1 10.5.1, 13.4). */
#define XSAVE_FCW		0
#define XSAVE_MXCSR		24
#define XSAVE_MXCSR_MASK	28
#define XSAVE_ST		32	/* x87 data after the control words */
#define XSAVE_XMM		160
#define XSAVE_XMM_END		416
#define XSAVE_HEADER		512	/* XSTATE_BV, then XCOMP_BV */
#define XSAVE_HEADER_END	576
#define FCW_INIT		0x37f
#define MXCSR_INIT		0x1f80
#define MXCSR_MASK_DEFAULT	0xffbf	/* when FXSAVE reports 0 (SDM vol. 1 11.6.6) */

/* What the host's XSAVE and XRSTOR give: fixed once the module runs. */
static struct {
	bool ready;
	u64 carried;		/* the components vireo.ko saves and loads */
	u32 mxcsr_mask;		/* MXCSR bits the CPU allows */
	u32 pkru_offset;	/* CPUID.(0DH,9):EBX */
} host_fpu;
static DEFINE_MUTEX(host_fpu_lock);

static u64 *xsave_header(const void *area)
{
	return (u64 *)((u8 *)area + XSAVE_HEADER);
}

static u32 *xsave_u32(const void *area, unsigned int offset)
{
	return (u32 *)((u8 *)area + offset);
}

/*
 * Every component the host's XCR0 enables, but PKRU (exits.c switches the
 * register itself, and the host's value must not be overwritten by an
 * XRSTOR) and what lies past the 4096 bytes of struct vireo_xsave (AMX
 * tile data, whose XRSTOR the host's XFD may fault; cpuid.c offers no AMX).
 * Loading every component, not only those under the guest's XCR0, leaves
 * none of the vCPU thread's vector registers in the CPU for the guest.
 */
static u64 host_fpu_carried(void)
{
	u64 xcr0, carried = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	unsigned int i, size, offset, ecx, edx;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return carried;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)) || i == XFEATURE_PKRU)
			continue;
		cpuid_count(0xd, i, &size, &offset, &ecx, &edx);
		if (offset + size <= sizeof(struct vireo_xsave))
			carried |= BIT_ULL(i);
	}
	return carried;
}

static void host_fpu_probe(void *page)
{
	unsigned int eax, ecx, edx;

	mutex_lock(&host_fpu_lock);
	if (!host_fpu.ready) {
		host_fpu.carried = host_fpu_carried();
		if (boot_cpu_has(X86_FEATURE_XSAVE))
			cpuid_count(0xd, XFEATURE_PKRU, &eax, &host_fpu.pkru_offset, &ecx, &edx);
		/* FXSAVE writes MXCSR_MASK; the page is 16-byte aligned. */
		kernel_fpu_begin_mask(0);
		asm volatile("fxsave64 (%[area])" : : [area] "r" (page) : "memory");
		kernel_fpu_end();
		host_fpu.mxcsr_mask = *xsave_u32(page, XSAVE_MXCSR_MASK) ?: MXCSR_MASK_DEFAULT;
		host_fpu.ready = true;
	}
	mutex_unlock(&host_fpu_lock);
}

/* The x87 and SSE state after RESET/INIT (SDM vol. 3 10.1.1, table 10-1). */
static void xsave_init_legacy(void *area, bool x87, bool sse)
{
	u8 *p = area;

	if (x87) {
		memset(p, 0, XSAVE_MXCSR);
		memset(p + XSAVE_ST, 0, XSAVE_XMM - XSAVE_ST);
		*(u16 *)(p + XSAVE_FCW) = FCW_INIT;
	}
	if (sse)
		memset(p + XSAVE_XMM, 0, XSAVE_XMM_END - XSAVE_XMM);
}

int vireo_guest_fpu_alloc(struct vireo_vcpu *vcpu)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	vcpu->guest_xsave = page_address(page);
	host_fpu_probe(vcpu->guest_xsave);
	memset(vcpu->guest_xsave, 0, PAGE_SIZE);
	/* XSTATE_BV 0: every component in its initial state; MXCSR is always loaded. */
	xsave_init_legacy(vcpu->guest_xsave, true, true);
	*xsave_u32(vcpu->guest_xsave, XSAVE_MXCSR) = MXCSR_INIT;
	return 0;
}

void vireo_guest_fpu_free(struct vireo_vcpu *vcpu)
{
	if (vcpu->guest_xsave)
		free_page((unsigned long)vcpu->guest_xsave);
}

/* Nothing lives in the CPU between entries: see vireo_guest_fpu_load(). */
void vireo_guest_fpu_run_begin(struct vireo_vcpu *vcpu)
{
}

void vireo_guest_fpu_run_end(struct vireo_vcpu *vcpu)
{
}

/*
 * With interrupts off, before the entry and before the guest's XCR0 is
 * loaded.  kernel_fpu_begin_mask() saves the vCPU thread's user state once
 * per VIREO_RUN (TIF_NEED_FPU_LOAD: the return to userland reloads it) and
 * keeps every other kernel FPU user off this CPU until kernel_fpu_end():
 * preemption is off and, with interrupts off, so are softirqs.  FNINIT
 * (KFPU_387) zeroes the x87 instruction and data pointers, which XRSTOR
 * leaves alone on CPUs that save them only with an exception pending.
 */
void vireo_guest_fpu_load(struct vireo_vcpu *vcpu)
{
	u64 mask = host_fpu.carried;

	kernel_fpu_begin_mask(KFPU_387 | KFPU_MXCSR);
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		asm volatile("xrstor64 (%[area])"
			     : : [area] "r" (vcpu->guest_xsave), "a" ((u32)mask), "d" ((u32)(mask >> 32))
			     : "memory");
	else
		asm volatile("fxrstor64 (%[area])" : : [area] "r" (vcpu->guest_xsave) : "memory");
}

/* With interrupts off, after the exit, once the host's XCR0 is back. */
void vireo_guest_fpu_put(struct vireo_vcpu *vcpu)
{
	u64 mask = host_fpu.carried;

	if (boot_cpu_has(X86_FEATURE_XSAVE))
		asm volatile("xsave64 (%[area])"
			     : : [area] "r" (vcpu->guest_xsave), "a" ((u32)mask), "d" ((u32)(mask >> 32))
			     : "memory");
	else
		asm volatile("fxsave64 (%[area])" : : [area] "r" (vcpu->guest_xsave) : "memory");
	kernel_fpu_end();
}

/*
 * As KVM_GET_XSAVE: the components offered to the guest, each in its
 * initial state where XSTATE_BV says so (XSAVE need not write those), and
 * PKRU as component 9.
 */
int vireo_guest_fpu_get(struct vireo_vcpu *vcpu, struct vireo_xsave *x, u64 offered)
{
	const u8 *area = vcpu->guest_xsave;
	u64 mask = offered & host_fpu.carried;
	unsigned int i, size, offset, ecx, edx;
	u64 bv;

	/* FXSAVE, without XSAVE, writes the whole legacy region and no header. */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		bv = *xsave_header(area) & mask;
	else
		bv = mask;

	memset(x, 0, sizeof(*x));
	memcpy(x, area, XSAVE_XMM_END);
	xsave_init_legacy(x, !(bv & XFEATURE_MASK_FP), !(bv & XFEATURE_MASK_SSE));
	for (i = 2; i < 64; i++) {
		if (!(bv & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &size, &offset, &ecx, &edx);
		memcpy((u8 *)x + offset, area + offset, size);
	}
	if ((offered & XFEATURE_MASK_PKRU) && cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		*xsave_u32(x, host_fpu.pkru_offset) = vcpu->pkru;
		bv |= XFEATURE_MASK_PKRU;
	}
	*xsave_header(x) = bv;
	return 0;
}

/*
 * -EINVAL for what XRSTOR would refuse with #GP (SDM vol. 1 13.8.1: a
 * compacted or reserved header, an XSTATE_BV bit outside XCR0; an MXCSR
 * bit the CPU lacks) and for a component vireo.ko does not carry.
 */
int vireo_guest_fpu_set(struct vireo_vcpu *vcpu, const struct vireo_xsave *x)
{
	u64 allowed = host_fpu.carried, bv = *xsave_header(x);
	u8 *area = vcpu->guest_xsave;

	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		allowed |= XFEATURE_MASK_PKRU;
	if ((bv & ~allowed) ||
	    memchr_inv((u8 *)x + XSAVE_HEADER + 8, 0, XSAVE_HEADER_END - XSAVE_HEADER - 8))
		return -EINVAL;
	if (*xsave_u32(x, XSAVE_MXCSR) & ~host_fpu.mxcsr_mask)
		return -EINVAL;
	if (bv & XFEATURE_MASK_PKRU)
		vcpu->pkru = *xsave_u32(x, host_fpu.pkru_offset);
	memcpy(area, x, sizeof(*x));
	*xsave_header(area) = bv & ~XFEATURE_MASK_PKRU;
	/* FXRSTOR loads the legacy region whatever XSTATE_BV says. */
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		xsave_init_legacy(area, !(bv & XFEATURE_MASK_FP), !(bv & XFEATURE_MASK_SSE));
	return 0;
}

#endif /* VIREO_HAVE_KVM_GUEST_FPU */
