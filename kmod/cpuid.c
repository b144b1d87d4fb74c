// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID is answered in the kernel from the table userland set with
 * VIREO_SET_CPUID; a leaf not in the table reads as zeros.  A few bits
 * depend on live vCPU state and are patched in here.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vireo.h"

#define CPUID_1_ECX_OSXSAVE	(1U << 27)
#define CPUID_1_EDX_APIC	(1U << 9)
#define CPUID_7_ECX_PKU		(1U << 3)
#define CPUID_7_ECX_OSPKE	(1U << 4)

const struct vireo_cpuid_entry *vireo_cpuid_find(struct vireo_vcpu *vcpu, u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct vireo_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != fn)
			continue;
		if ((e->flags & VIREO_CPUID_FLAG_INDEXED) && e->index != idx)
			continue;
		return e;
	}
	return NULL;
}

/*
 * CPUID.(EAX=0DH,ECX=0):EBX is the size of an XSAVE area for the
 * components enabled in XCR0 *now* (SDM vol. 1 13.2, "Enumeration of CPU
 * Support for XSAVE Instructions and XSAVE-Supported Features"): the
 * legacy region and header (576 bytes), or the end of the highest enabled
 * component, whose offset (EBX) and size (EAX) sub-leaf i gives.  A table
 * taken from the host would report the host's XCR0 instead, and a guest
 * that sizes its buffers (signal frames) by it would disagree with what
 * its own XSAVE writes.
 */
u32 vireo_cpuid_xsave_size(struct vireo_vcpu *vcpu, u64 xcr0)
{
	u32 size = 576, i;

	for (i = 2; i < 63; i++) {
		const struct vireo_cpuid_entry *c;

		if (!(xcr0 & (1ULL << i)))
			continue;
		c = vireo_cpuid_find(vcpu, 0xd, i);
		if (c && c->eax && c->ebx + c->eax > size)
			size = c->ebx + c->eax;
	}
	return size;
}

int vireo_handle_cpuid(struct vireo_vcpu *vcpu, unsigned int insn_len)
{
	u64 *regs = vcpu->regs;
	u32 fn = regs[VIREO_REG_RAX], idx = regs[VIREO_REG_RCX];
	const struct vireo_cpuid_entry *e = vireo_cpuid_find(vcpu, fn, idx);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	if (fn == 1) {
		u64 cr4 = vireo_ops->get_cr4(vcpu);

		/* The initial APIC ID is the vCPU id. */
		ebx = (ebx & 0x00ffffff) | (vcpu->id << 24);
		ecx &= ~CPUID_1_ECX_OSXSAVE;
		if (cr4 & X86_CR4_OSXSAVE)
			ecx |= CPUID_1_ECX_OSXSAVE;
		/*
		 * SDM vol. 3 11.4.3: with IA32_APIC_BASE[11] clear "the CPUID
		 * feature flag for the APIC ... is also set to 0".
		 */
		if (vireo_lapic_disabled(vcpu))
			edx &= ~CPUID_1_EDX_APIC;
	} else if (fn == 7 && idx == 0) {
		ecx &= ~CPUID_7_ECX_OSPKE;
		if (vireo_ops->get_cr4(vcpu) & X86_CR4_PKE)
			ecx |= CPUID_7_ECX_OSPKE;
	} else if (fn == 0xd && idx == 0 && e) {
		ebx = vireo_cpuid_xsave_size(vcpu, vcpu->xcr0);
	}
	regs[VIREO_REG_RAX] = eax;
	regs[VIREO_REG_RBX] = ebx;
	regs[VIREO_REG_RCX] = ecx;
	regs[VIREO_REG_RDX] = edx;
	vireo_retire_insn(vcpu, regs[VIREO_REG_RIP] + insn_len);
	return 0;
}

/* ------------------------------------------------- the supported table */

#define SUPPORTED_MAX	64

/* Leaf 1 ECX/EDX bits a guest must not see (features Vireo does not give). */
#define C1_ECX_HIDE	((1U << 3) /* MONITOR */ | (1U << 4) /* DS-CPL */ |		\
			 (1U << 5) /* VMX */ | (1U << 6) /* SMX */ | (1U << 7) /* EST */ | \
			 (1U << 8) /* TM2 */ | (1U << 15) /* PDCM */ | (1U << 18) /* DCA */)
#define C1_EDX_HIDE	((1U << 21) /* DS */ | (1U << 22) /* ACPI */ | (1U << 28) /* HTT */ | \
			 (1U << 29) /* TM */ | (1U << 31) /* PBE */)
/*
 * Leaf 7 EDX: only bits that need no MSR Vireo lacks (the speculation
 * controls would have the guest write MSRs it would #GP on).
 */
#define C7_EDX_KEEP	((1U << 8) | (1U << 10) /* MD_CLEAR */ | (1U << 14) | (1U << 23))
#define C7_EBX_HIDE	((1U << 2) /* SGX */ | (1U << 12) /* PQM */ | (1U << 14) /* MPX */ | \
			 (1U << 15) /* PQE */ | (1U << 25) /* Intel PT */)
/*
 * XSAVE components not offered: MPX's two (IA32_BNDCFGS is not emulated,
 * and Linux gave MPX up in 5.6), and AMX's two (tile configuration and
 * data, 17 and 18): tile data lies past struct vireo_xsave's 4096 bytes,
 * which is all the guest's FPU state vireo.ko carries (guest_fpu.c), and
 * its XRSTOR is subject to the host's XFD.  Leaf 7 hides AMX's flags.
 */
#define XSTATE_HIDE	((1ULL << 3) | (1ULL << 4) | (1ULL << 17) | (1ULL << 18))
/*
 * CET shadow stacks, Key Locker and PKS come with CR4 bits (23, 19, 24)
 * vireo.ko keeps reserved (state_check.c) and MSRs it does not switch
 * (IA32_PKRS, the CET MSRs): a CPUID that showed them would promise a
 * CR4 bit the guest's MOV then #GPs on (issue 11).
 */
#define C7_ECX_HIDE	((1U << 5) /* WAITPKG */ | (1U << 7) /* CET_SS */ |		\
			 (1U << 23) /* KL */ | (1U << 30) /* SGX_LC */ | (1U << 31) /* PKS */)
#define C81_ECX_HIDE	((1U << 2) /* SVM */ | (1U << 12) /* SKINIT */ | (1U << 13) /* WDT */ | \
			 (1U << 15) /* LWP */)

static void supported_add(struct vireo_cpuid_entry *t, u32 *n, u32 fn, u32 idx, bool indexed)
{
	struct vireo_cpuid_entry *e;
	u32 eax, ebx, ecx, edx;

	if (*n >= SUPPORTED_MAX)
		return;
	cpuid_count(fn, idx, &eax, &ebx, &ecx, &edx);
	e = &t[(*n)++];
	*e = (struct vireo_cpuid_entry){
		.function = fn, .index = indexed ? idx : 0,
		.flags = indexed ? VIREO_CPUID_FLAG_INDEXED : 0,
		.eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx,
	};

	switch (fn) {
	case 0:
		e->eax = min_t(u32, e->eax, 0xd);
		break;
	case 1:
		e->ebx &= 0x0000ffff;	/* APIC ID and CPU count are per vCPU */
		e->ecx = (e->ecx & ~C1_ECX_HIDE) | (1U << 31) /* hypervisor */;
		e->edx &= ~C1_EDX_HIDE;
		break;
	case 7:
		if (idx == 0) {
			e->eax = 0;	/* no sub-leaves beyond 0 */
			e->ebx &= ~C7_EBX_HIDE;
			e->ecx &= ~(C7_ECX_HIDE | CPUID_7_ECX_OSPKE);
			e->edx &= C7_EDX_KEEP;
			/*
			 * The guest's PKRU is switched with WRPKRU, which #UDs
			 * in the host unless its kernel set CR4.PKE (OSPKE):
			 * without that, PKU is not vireo.ko's to give (KVM
			 * hides it the same way).
			 */
			if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
				e->ecx &= ~CPUID_7_ECX_PKU;
		}
		break;
	case 0xd:
		if (idx == 0)
			e->eax &= ~(u32)XSTATE_HIDE;
		else if (idx == 1)
			e->eax &= ~(1U << 3);	/* XSAVES needs IA32_XSS */
		break;
	case 0x80000000:
		e->eax = min_t(u32, e->eax, 0x80000008);
		break;
	case 0x80000001:
		e->ecx &= ~C81_ECX_HIDE;
		break;
	}
}

/* Fills t (SUPPORTED_MAX entries) with what vireo.ko can give a guest; returns the count. */
static u32 vireo_supported_build(struct vireo_cpuid_entry *t)
{
	u32 n = 0, max, fn, i;

	/*
	 * Basic leaves 0, 1, 7 and 0xd only: caches, topology, power and
	 * performance monitoring (2-6, 0xa, 0xb) would describe the host or
	 * promise MSRs that Vireo does not emulate.
	 */
	max = cpuid_eax(0);
	supported_add(t, &n, 0, 0, false);
	if (max >= 1)
		supported_add(t, &n, 1, 0, false);
	if (max >= 7)
		supported_add(t, &n, 7, 0, true);
	if (max >= 0xd && boot_cpu_has(X86_FEATURE_XSAVE)) {
		u64 xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		u32 leaf0 = n, size = 576;

		supported_add(t, &n, 0xd, 0, true);
		supported_add(t, &n, 0xd, 1, true);
		for (i = 2; i < 63; i++) {
			if (!(xcr0 & (1ULL << i)) || (XSTATE_HIDE & (1ULL << i)))
				continue;
			supported_add(t, &n, 0xd, i, true);
			size = max(size, t[n - 1].ebx + t[n - 1].eax);
		}
		/* ECX: the largest area for every component offered (SDM vol. 1 13.2). */
		if (leaf0 < n)
			t[leaf0].ecx = size;
	}
	max = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	for (fn = 0x80000000; fn <= max; fn++)
		supported_add(t, &n, fn, 0, false);

	if (n < SUPPORTED_MAX) {
		t[n++] = (struct vireo_cpuid_entry){
			.function = 0x40000000, .eax = 0x40000001,
			.ebx = 0x65726956, .ecx = 0x7269566f, .edx = 0x69566f65,	/* "VireoVireoVi" */
		};
	}
	if (n < SUPPORTED_MAX)
		t[n++] = (struct vireo_cpuid_entry){ .function = 0x40000001 };

	return n;
}

long vireo_get_supported_cpuid(void __user *argp)
{
	struct vireo_cpuid_entry *t;
	struct vireo_cpuid c;
	u32 n;
	long r;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.reserved)
		return -EINVAL;
	t = kcalloc(SUPPORTED_MAX, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	n = vireo_supported_build(t);

	r = n;
	if (c.nent < n) {
		c.nent = n;
		r = copy_to_user(argp, &c, sizeof(c)) ? -EFAULT : -E2BIG;
	} else if (copy_to_user(u64_to_user_ptr(c.entries), t, n * sizeof(*t))) {
		r = -EFAULT;
	}
	kfree(t);
	return r;
}

/* ------------------------------------------- userland only takes away */

enum { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

/*
 * The registers of CPUID that are feature flags, and the bits of each that
 * vireo.ko sets per vCPU itself (vireo_handle_cpuid): a table from userland
 * may clear any flag but set only those the supported table has.
 */
static const struct {
	u32 fn, idx;
	u8 reg;
	u32 live;
} feature_regs[] = {
	{ 1, 0, REG_ECX, CPUID_1_ECX_OSXSAVE },
	{ 1, 0, REG_EDX, 0 },
	{ 7, 0, REG_EBX, 0 },
	{ 7, 0, REG_ECX, CPUID_7_ECX_OSPKE },
	{ 7, 0, REG_EDX, 0 },
	{ 0xd, 0, REG_EAX, 0 },
	{ 0xd, 0, REG_EDX, 0 },
	{ 0xd, 1, REG_EAX, 0 },
	{ 0x80000001, 0, REG_ECX, 0 },
	{ 0x80000001, 0, REG_EDX, 0 },
};

static u32 cpuid_reg(const struct vireo_cpuid_entry *e, u8 reg)
{
	switch (reg) {
	case REG_EAX:
		return e->eax;
	case REG_EBX:
		return e->ebx;
	case REG_ECX:
		return e->ecx;
	default:
		return e->edx;
	}
}

static const struct vireo_cpuid_entry *table_find(const struct vireo_cpuid_entry *t, u32 n,
						  u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (t[i].function == fn &&
		    (!(t[i].flags & VIREO_CPUID_FLAG_INDEXED) || t[i].index == idx))
			return &t[i];
	return NULL;
}

int vireo_cpuid_check_features(const struct vireo_cpuid_entry *e, u32 n)
{
	struct vireo_cpuid_entry *supported;
	u32 nsup, i;
	int r = 0;

	supported = kcalloc(SUPPORTED_MAX, sizeof(*supported), GFP_KERNEL);
	if (!supported)
		return -ENOMEM;
	nsup = vireo_supported_build(supported);
	for (i = 0; i < ARRAY_SIZE(feature_regs) && !r; i++) {
		const struct vireo_cpuid_entry *mine, *can;
		u32 extra;

		mine = table_find(e, n, feature_regs[i].fn, feature_regs[i].idx);
		if (!mine)
			continue;
		can = table_find(supported, nsup, feature_regs[i].fn, feature_regs[i].idx);
		extra = cpuid_reg(mine, feature_regs[i].reg) & ~feature_regs[i].live;
		if (can)
			extra &= ~cpuid_reg(can, feature_regs[i].reg);
		if (extra)
			r = -EINVAL;
	}
	kfree(supported);
	return r;
}

bool vireo_cpuid_has_tsc_aux(struct vireo_vcpu *vcpu)
{
	const struct vireo_cpuid_entry *ext = vireo_cpuid_find(vcpu, 0x80000001, 0);
	const struct vireo_cpuid_entry *l7 = vireo_cpuid_find(vcpu, 7, 0);

	return (ext && (ext->edx & (1U << 27))) || (l7 && (l7->ecx & (1U << 22)));
}
