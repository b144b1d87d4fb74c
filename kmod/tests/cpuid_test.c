// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: CPUID (cpuid.c).  The guest's CPUID instruction answered from the
 * table userland set (Intel SDM vol. 2 CPUID; uapi vireo.h: a leaf not in
 * the table reads as zeros), with the bits that follow live state patched
 * in; and VIREO_GET_SUPPORTED_CPUID's filtering of the host's leaves, as
 * the uapi header documents it.
 */
#include <linux/kernel.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "vireo_test.h"

#define CPUID_INSN_LEN		2
#define CR4_OSXSAVE		(1ULL << 18)
#define CR4_PKE			(1ULL << 22)
#define C1_ECX_OSXSAVE		(1U << 27)
#define C7_ECX_OSPKE		(1U << 4)
#define MSR_APIC_BASE		0x1b

static const struct vireo_cpuid_entry table[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x756e6547, .ecx = 0x6c65746e, .edx = 0x49656e69 },
	{ .function = 1, .eax = 0x906ea, .ebx = 0x00010800, .ecx = C1_ECX_OSXSAVE | 1,
	  .edx = 0x178bfbff },
	{ .function = 7, .index = 0, .flags = VIREO_CPUID_FLAG_INDEXED, .ebx = 0x29c6fbf,
	  .ecx = C7_ECX_OSPKE | 0x8 },
	{ .function = 7, .index = 1, .flags = VIREO_CPUID_FLAG_INDEXED, .eax = 0x10,
	  .ecx = C7_ECX_OSPKE },
	{ .function = 0xd, .index = 0, .flags = VIREO_CPUID_FLAG_INDEXED, .eax = 0x7,
	  .ebx = 0x340 },
	{ .function = 0xd, .index = 1, .flags = VIREO_CPUID_FLAG_INDEXED, .eax = 0x7 },
	{ .function = 0xd, .index = 2, .flags = VIREO_CPUID_FLAG_INDEXED, .eax = 0x100,
	  .ebx = 0x240 },
	{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
};

static struct vireo_vcpu *cpuid_vcpu(struct kunit *test, u32 id)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = id ? vt_env_add_vcpu(test, env, id) : env->vcpu[0];

	vcpu->cpuid = kunit_kmalloc(test, sizeof(table), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	memcpy(vcpu->cpuid, table, sizeof(table));
	vcpu->cpuid_nent = ARRAY_SIZE(table);
	return vcpu;
}

/* Runs CPUID with EAX = fn, ECX = idx and returns the four registers. */
static void guest_cpuid(struct kunit *test, struct vireo_vcpu *vcpu, u64 rax, u64 rcx, u32 out[4])
{
	u64 rip = vcpu->regs[VIREO_REG_RIP];

	vcpu->regs[VIREO_REG_RAX] = rax;
	vcpu->regs[VIREO_REG_RCX] = rcx;
	vcpu->regs[VIREO_REG_RBX] = 0xffffffffffffffffULL;
	vcpu->regs[VIREO_REG_RDX] = 0xffffffffffffffffULL;
	KUNIT_ASSERT_EQ(test, vireo_handle_cpuid(vcpu, CPUID_INSN_LEN), 0);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], rip + CPUID_INSN_LEN);
	/* 64-bit mode: CPUID clears bits 63:32 of RAX, RBX, RCX and RDX. */
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX] >> 32, 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RBX] >> 32, 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RCX] >> 32, 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RDX] >> 32, 0ULL);
	out[0] = vcpu->regs[VIREO_REG_RAX];
	out[1] = vcpu->regs[VIREO_REG_RBX];
	out[2] = vcpu->regs[VIREO_REG_RCX];
	out[3] = vcpu->regs[VIREO_REG_RDX];
}

/* A leaf in the table answers with its registers; only EAX/ECX select. */
static void cpuid_answers_from_table(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	guest_cpuid(test, vcpu, 0xffffffff00000000ULL, 0, r);	/* EAX = 0 */
	KUNIT_EXPECT_EQ(test, r[0], 0xdU);
	KUNIT_EXPECT_EQ(test, r[1], 0x756e6547U);
	KUNIT_EXPECT_EQ(test, r[2], 0x6c65746eU);
	KUNIT_EXPECT_EQ(test, r[3], 0x49656e69U);

	/* a leaf without FLAG_INDEXED ignores ECX */
	guest_cpuid(test, vcpu, 0x80000001, 0x1234, r);
	KUNIT_EXPECT_EQ(test, r[2], 0x121U);
	KUNIT_EXPECT_EQ(test, r[3], 0x2c100800U);
}

/* A leaf the table lacks reads as zeros (uapi vireo.h, VIREO_SET_CPUID). */
static void cpuid_missing_leaf_is_zero(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	guest_cpuid(test, vcpu, 0x12345, 0, r);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
	guest_cpuid(test, vcpu, 0xd, 5, r);		/* an indexed leaf, absent sub-leaf */
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
	vcpu->cpuid_nent = 0;
	guest_cpuid(test, vcpu, 0, 0, r);
	KUNIT_EXPECT_EQ(test, r[0] | r[1] | r[2] | r[3], 0U);
}

/* FLAG_INDEXED entries match ECX (the sub-leaf); upper RCX bits do not count. */
static void cpuid_subleaves(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	vcpu->xcr0 = 0x7;
	guest_cpuid(test, vcpu, 0xd, 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 0x340U);
	guest_cpuid(test, vcpu, 0xd, 1, r);
	KUNIT_EXPECT_EQ(test, r[0], 0x7U);
	KUNIT_EXPECT_EQ(test, r[1], 0U);
	guest_cpuid(test, vcpu, 0xd, 1ULL << 32 | 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 0x340U);
	guest_cpuid(test, vcpu, 7, 1, r);
	KUNIT_EXPECT_EQ(test, r[0], 0x10U);
}

/*
 * CPUID.(0DH,0):EBX is the XSAVE area's size for the XCR0 of the moment
 * (SDM vol. 1 13.2), not the table's: 576 for x87/SSE, the end of the AVX
 * component (offset 0x240 + 0x100) once XCR0.AVX is set; EAX (what XCR0
 * may hold) stays the table's.
 */
static void cpuid_xsave_size_follows_xcr0(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	vcpu->xcr0 = 0x1;
	guest_cpuid(test, vcpu, 0xd, 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 576U);
	KUNIT_EXPECT_EQ(test, r[0], 0x7U);
	vcpu->xcr0 = 0x3;
	guest_cpuid(test, vcpu, 0xd, 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 576U);
	vcpu->xcr0 = 0x7;
	guest_cpuid(test, vcpu, 0xd, 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 0x340U);
	/* A component the table does not describe adds nothing. */
	vcpu->xcr0 = 0x207;
	guest_cpuid(test, vcpu, 0xd, 0, r);
	KUNIT_EXPECT_EQ(test, r[1], 0x340U);
}

/* CPUID.1:EBX[31:24] is the initial APIC ID: the vCPU's id. */
static void cpuid_initial_apic_id(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 3);
	u32 r[4];

	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[1] >> 24, 3U);
	KUNIT_EXPECT_EQ(test, r[1] & 0xffffff, 0x010800U);
	KUNIT_EXPECT_EQ(test, r[0], 0x906eaU);
}

/* CPUID.1:ECX.OSXSAVE[27] reflects CR4.OSXSAVE, whatever the table says. */
static void cpuid_osxsave_follows_cr4(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	vt_backend.cr4 = 0;
	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[2], 1U);
	vt_backend.cr4 = CR4_OSXSAVE;
	vcpu->cpuid[1].ecx = 1;
	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[2], C1_ECX_OSXSAVE | 1);
}

/* CPUID.1:EDX.APIC[9] is clear while IA32_APIC_BASE[11] is (SDM vol. 3 11.4.3). */
static void cpuid_apic_follows_apic_base(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	u64 base;
	u32 r[4];

	vcpu->cpuid = kunit_kmalloc(test, sizeof(table), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->cpuid);
	memcpy(vcpu->cpuid, table, sizeof(table));
	vcpu->cpuid_nent = ARRAY_SIZE(table);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->lapic);

	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[3], 0x178bfbffU);
	KUNIT_ASSERT_EQ(test, vireo_lapic_msr(vcpu, MSR_APIC_BASE, false, &base, 0), 0);
	base &= ~(1ULL << 11);
	KUNIT_ASSERT_EQ(test, vireo_lapic_msr(vcpu, MSR_APIC_BASE, true, &base, 0), 0);
	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[3], 0x178bfbffU & ~(1U << 9));
	base |= 1ULL << 11;
	KUNIT_ASSERT_EQ(test, vireo_lapic_msr(vcpu, MSR_APIC_BASE, true, &base, 0), 0);
	guest_cpuid(test, vcpu, 1, 0, r);
	KUNIT_EXPECT_EQ(test, r[3], 0x178bfbffU);
}

/* CPUID.(7,0):ECX.OSPKE[4] reflects CR4.PKE; other sub-leaves are left alone. */
static void cpuid_ospke_follows_cr4(struct kunit *test)
{
	struct vireo_vcpu *vcpu = cpuid_vcpu(test, 0);
	u32 r[4];

	vt_backend.cr4 = 0;
	guest_cpuid(test, vcpu, 7, 0, r);
	KUNIT_EXPECT_EQ(test, r[2], 0x8U);
	vt_backend.cr4 = CR4_PKE;
	vcpu->cpuid[2].ecx = 0x8;
	guest_cpuid(test, vcpu, 7, 0, r);
	KUNIT_EXPECT_EQ(test, r[2], C7_ECX_OSPKE | 0x8);
	vt_backend.cr4 = 0;
	guest_cpuid(test, vcpu, 7, 1, r);
	KUNIT_EXPECT_EQ(test, r[2], C7_ECX_OSPKE);
}

/* ------------------------------------------------ the supported table */

#ifdef VIREO_KUNIT_HOST
/* A host that has everything: every feature bit of every leaf set. */
static void everything_host(void)
{
	kshim_cpuid_set(0, 0, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69);
	kshim_cpuid_set(1, 0, 0x906ea, 0xff100800, 0xffffffff, 0xffffffff);
	kshim_cpuid_set(7, 0, 2, 0xffffffff, 0xffffffff, 0xffffffff);
	kshim_cpuid_set(0xd, 0, 0x1f, 0x440, 0x440, 0);
	kshim_cpuid_set(0xd, 1, 0xf, 0, 0, 0);
	kshim_cpuid_set(0xd, 2, 0x100, 0x240, 0, 0);
	kshim_cpuid_set(0xd, 3, 0x40, 0x3c0, 0, 0);
	kshim_cpuid_set(0xd, 4, 0x40, 0x400, 0, 0);
	kshim_cpuid_set(0x80000000, 0, 0x80000021, 0x68747541, 0x444d4163, 0x69746e65);
	kshim_cpuid_set(0x80000001, 0, 0, 0, 0xffffffff, 0xffffffff);
	kshim_cpuid_set(0x80000008, 0, 0x3030, 0, 0, 0);
	kshim_xcr0 = 0x1f;
	kshim_host_ospke = true;
}
#else
static void everything_host(void)
{
}
#endif

static const struct vireo_cpuid_entry *find(const struct vireo_cpuid_entry *t, int n, u32 fn,
					    u32 idx)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].function == fn && t[i].index == idx)
			return &t[i];
	return NULL;
}

static int get_supported(struct kunit *test, struct vireo_cpuid_entry *t, u32 nent)
{
	struct vireo_cpuid c = { .nent = nent, .entries = (u64)(uintptr_t)t };

	return vireo_get_supported_cpuid(&c);
}

/* uapi vireo.h: no VMX, SVM or MONITOR, the hypervisor bit, "VireoVireoVi". */
static void supported_cpuid_filters(struct kunit *test)
{
	struct vireo_cpuid_entry *t;
	const struct vireo_cpuid_entry *e;
	int n, i;

	vt_need_host(test, "user memory and a chosen host CPUID");
	everything_host();
	t = kunit_kcalloc(test, VIREO_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	n = get_supported(test, t, VIREO_MAX_CPUID_ENTRIES);
	KUNIT_ASSERT_GT(test, n, 0);

	e = find(t, n, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_LE(test, e->eax, 0xdU);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, t[i].reserved, 0U);
		if (t[i].function < 0x40000000)
			KUNIT_EXPECT_LE(test, t[i].function, e->eax);
	}

	e = find(t, n, 1, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->ecx & (1U << 31));		/* hypervisor */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 5));		/* VMX */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 3));		/* MONITOR */
	KUNIT_EXPECT_EQ(test, e->ebx >> 24, 0U);		/* APIC ID: per vCPU */

	e = find(t, n, 7, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_TRUE(test, e->flags & VIREO_CPUID_FLAG_INDEXED);
	KUNIT_EXPECT_EQ(test, e->eax, 0U);	/* no sub-leaf past 0 is listed */
	KUNIT_EXPECT_NULL(test, find(t, n, 7, 1));
	KUNIT_EXPECT_FALSE(test, e->ebx & (1U << 14));		/* MPX */
	/* Features whose CR4 bit vireo.ko keeps reserved (issue 11). */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 31));		/* PKS */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 7));		/* CET_SS */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 23));		/* KL */
	KUNIT_EXPECT_TRUE(test, e->ecx & (1U << 3));		/* PKU stays */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 4));		/* OSPKE: per vCPU, from CR4 */

	e = find(t, n, 0x80000000, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_LE(test, e->eax, 0x80000008U);
	for (i = 0; i < n; i++)
		if (t[i].function >= 0x80000000)
			KUNIT_EXPECT_LE(test, t[i].function, e->eax);
	e = find(t, n, 0x80000001, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 2));		/* SVM */

	e = find(t, n, 0x40000000, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, memcmp(&e->ebx, "Vire", 4), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&e->ecx, "oVir", 4), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&e->edx, "eoVi", 4), 0);
	KUNIT_EXPECT_EQ(test, e->eax, 0x40000001U);	/* the highest hypervisor leaf */
	KUNIT_EXPECT_NOT_NULL(test, find(t, n, 0x40000001, 0));
}

/*
 * Leaf 0xd: one sub-leaf per state component the host enables in XCR0
 * except MPX's, and no XSAVES (CPUID.(0xd,1):EAX[3]): it needs IA32_XSS, which is not an
 * MSR the guest has.
 */
static void supported_cpuid_xsave(struct kunit *test)
{
	struct vireo_cpuid_entry *t;
	const struct vireo_cpuid_entry *e;
	int n;

	vt_need_host(test, "user memory and a chosen host CPUID");
	everything_host();
	t = kunit_kcalloc(test, VIREO_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	n = get_supported(test, t, VIREO_MAX_CPUID_ENTRIES);
	KUNIT_ASSERT_GT(test, n, 0);
	e = find(t, n, 0xd, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	/* MPX's components (3, 4) are not offered; ECX is the area without them. */
	KUNIT_EXPECT_EQ(test, e->eax, 0x7U);
	KUNIT_EXPECT_EQ(test, e->ecx, 0x340U);
	KUNIT_EXPECT_NOT_NULL(test, find(t, n, 0xd, 2));
	KUNIT_EXPECT_NULL(test, find(t, n, 0xd, 3));
	KUNIT_EXPECT_NULL(test, find(t, n, 0xd, 4));
	KUNIT_EXPECT_NULL(test, find(t, n, 0xd, 5));
	e = find(t, n, 0xd, 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_FALSE(test, e->eax & (1U << 3));
	KUNIT_EXPECT_FALSE(test, vireo_msr_is_listed(0xda0));	/* IA32_XSS */

#ifdef VIREO_KUNIT_HOST
	kshim_host_xsave = false;
#endif
	n = get_supported(test, t, VIREO_MAX_CPUID_ENTRIES);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_NULL(test, find(t, n, 0xd, 0));
}

/*
 * PKU only on a host whose kernel set CR4.PKE (OSPKE): vireo.ko switches
 * the guest's PKRU with WRPKRU, which #UDs there otherwise.
 */
static void supported_cpuid_pku_needs_ospke(struct kunit *test)
{
	struct vireo_cpuid_entry *t;
	const struct vireo_cpuid_entry *e;
	int n;

	vt_need_host(test, "user memory and a chosen host CPUID");
	everything_host();
#ifdef VIREO_KUNIT_HOST
	kshim_host_ospke = false;
#endif
	t = kunit_kcalloc(test, VIREO_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	n = get_supported(test, t, VIREO_MAX_CPUID_ENTRIES);
	KUNIT_ASSERT_GT(test, n, 0);
	e = find(t, n, 7, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 3));		/* PKU */
	KUNIT_EXPECT_FALSE(test, e->ecx & (1U << 4));		/* OSPKE */
	KUNIT_EXPECT_TRUE(test, e->ecx & (1U << 2));		/* UMIP, as before */
}

/*
 * VIREO_SET_CPUID takes features away, never adds one: a feature flag the
 * supported table lacks is -EINVAL; flags vireo.ko sets per vCPU itself
 * (OSXSAVE, OSPKE) and every other register are the caller's.
 */
static void set_cpuid_only_takes_away(struct kunit *test)
{
	struct vireo_cpuid_entry *t, *e;
	int n;

	vt_need_host(test, "user memory and a chosen host CPUID");
	everything_host();
	t = kunit_kcalloc(test, VIREO_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	n = get_supported(test, t, VIREO_MAX_CPUID_ENTRIES);
	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), 0);
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, 0), 0);

	e = (struct vireo_cpuid_entry *)find(t, n, 1, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->ecx &= ~(1U << 28);				/* AVX taken away */
	e->ecx |= 1U << 27;				/* OSXSAVE: vireo.ko's to set */
	e->ebx = 0x12345678;				/* not a feature register */
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), 0);
	e->ecx |= 1U << 5;				/* VMX */
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), -EINVAL);
	e->ecx &= ~(1U << 5);

	e = (struct vireo_cpuid_entry *)find(t, n, 7, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->ebx |= 1U << 14;				/* MPX */
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), -EINVAL);
	e->ebx &= ~(1U << 14);

	e = (struct vireo_cpuid_entry *)find(t, n, 0xd, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->eax |= 1U << 3;				/* MPX's XSAVE component */
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), -EINVAL);
	e->eax &= ~(1U << 3);
	KUNIT_EXPECT_EQ(test, vireo_cpuid_check_features(t, n), 0);
}

/* uapi: too small a buffer gets -E2BIG and nent set to the number needed. */
static void supported_cpuid_e2big(struct kunit *test)
{
	struct vireo_cpuid_entry *t;
	struct vireo_cpuid c = { .nent = 2 };
	int n;

	vt_need_host(test, "user memory and a chosen host CPUID");
	everything_host();
	t = kunit_kcalloc(test, VIREO_MAX_CPUID_ENTRIES, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t[0].function = 0xdeadbeef;
	c.entries = (u64)(uintptr_t)t;
	KUNIT_EXPECT_EQ(test, vireo_get_supported_cpuid(&c), (long)-E2BIG);
	KUNIT_EXPECT_GT(test, c.nent, 2U);
	KUNIT_EXPECT_EQ(test, t[0].function, 0xdeadbeefU);	/* nothing written */

	n = c.nent;
	KUNIT_EXPECT_EQ(test, get_supported(test, t, n), n);
	KUNIT_EXPECT_EQ(test, get_supported(test, t, n - 1), -E2BIG);

	c = (struct vireo_cpuid){ .nent = n, .reserved = 1, .entries = (u64)(uintptr_t)t };
	KUNIT_EXPECT_EQ(test, vireo_get_supported_cpuid(&c), (long)-EINVAL);
}

static struct kunit_case cpuid_cases[] = {
	KUNIT_CASE(cpuid_answers_from_table),
	KUNIT_CASE(cpuid_missing_leaf_is_zero),
	KUNIT_CASE(cpuid_subleaves),
	KUNIT_CASE(cpuid_xsave_size_follows_xcr0),
	KUNIT_CASE(cpuid_initial_apic_id),
	KUNIT_CASE(cpuid_osxsave_follows_cr4),
	KUNIT_CASE(cpuid_apic_follows_apic_base),
	KUNIT_CASE(cpuid_ospke_follows_cr4),
	KUNIT_CASE(supported_cpuid_pku_needs_ospke),
	KUNIT_CASE(supported_cpuid_filters),
	KUNIT_CASE(supported_cpuid_xsave),
	KUNIT_CASE(set_cpuid_only_takes_away),
	KUNIT_CASE(supported_cpuid_e2big),
	{}
};

static struct kunit_suite cpuid_suite = {
	.name = "vireo_cpuid",
	.exit = vt_suite_exit,
	.test_cases = cpuid_cases,
};

kunit_test_suite(cpuid_suite);
