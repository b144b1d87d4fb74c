/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the KUnit suites of vireo.ko's core (kmod/tests/<name>_test.c): a VM
 * with vCPUs made per case, a fake backend, and the architectural constants
 * the suites check against, taken from the manuals rather than from the
 * code under test.
 *
 * The suites build two ways: as real KUnit in a kernel with CONFIG_KUNIT
 * (kmod/tests/Kbuild, vireo-kunit.ko), and on the host with the shims of
 * tests/kunit (VIREO_KUNIT_HOST defined).  A few cases need what only the
 * host harness has (a clock the test moves, a CPUID the test chooses,
 * eventfds without a process, user memory): vt_need_host() skips them in a
 * kernel.
 */
#ifndef VIREO_KUNIT_VIREO_TEST_H
#define VIREO_KUNIT_VIREO_TEST_H

#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>

#include "../vireo.h"

#ifdef VIREO_KUNIT_HOST
#include <linux/eventfd.h>
#include <asm/processor.h>
#endif

/* ------------------------------------------------------ host-only fakes */

#ifdef VIREO_KUNIT_HOST
#define VT_HOST	1
static inline void vt_clock_advance(u64 ns)
{
	kshim_clock_advance(ns);
}

static inline long vt_pages_outstanding(void)
{
	return kshim_pages_outstanding();
}
#else
#define VT_HOST	0
static inline void vt_clock_advance(u64 ns)
{
}

static inline long vt_pages_outstanding(void)
{
	return 0;
}
#endif

/*
 * Host only: runs stmt, in which a "caller holds" function is called
 * without its lock on purpose, and evaluates to the number of
 * lockdep_assert_held() that failed (elsewhere each one fails the case).
 */
#ifdef VIREO_KUNIT_HOST
#define vt_lockdep_splats(stmt) ({		\
	kshim_lockdep_expect(true);		\
	stmt;					\
	kshim_lockdep_expect(false);		\
})
#else
#define vt_lockdep_splats(stmt)	({ 0; })
#endif

/* Skips the case where it cannot run: in a kernel, without the fakes. */
#define vt_need_host(test, what) do {							\
	if (!VT_HOST)									\
		kunit_skip(test, "needs the host harness (tests/kunit): %s", what);	\
} while (0)

/*
 * A case that shows a known deviation from the manuals is skipped, naming
 * it, unless VIREO_KUNIT_KNOWN_BUGS is defined (make kunit KUNIT_KNOWN_BUGS=1):
 * then it runs, and fails until the code is fixed.
 */
#ifdef VIREO_KUNIT_KNOWN_BUGS
#define vt_known_bug(test, why)	kunit_info(test, "known bug: %s", why)
#else
#define vt_known_bug(test, why)	kunit_skip(test, "known bug: %s", why)
#endif

/* ------------------------------------------------------- the fixture */

#define VT_MAX_VCPUS	4

struct vt_env {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu[VT_MAX_VCPUS];
	int nr_vcpus;
	const struct vireo_backend_ops *saved_ops;
};

/*
 * A VM with nr vCPUs (ids 0..nr-1), each with an in-kernel LAPIC if lapic,
 * RFLAGS = 2 (IF clear), and the fake backend installed as vireo_ops.
 * Freed, LAPIC timers first, by vt_env_free(), which the suites' exit
 * callbacks call.
 */
struct vt_env *vt_env_new(struct kunit *test, int nr, bool lapic);
struct vireo_vcpu *vt_env_add_vcpu(struct kunit *test, struct vt_env *env, u32 id);
void vt_env_free(struct vt_env *env);
/* A suite's .exit: vt_env_free(test->priv). */
void vt_suite_exit(struct kunit *test);

/* The fake backend's state, reset by vt_env_new(). */
#define VT_FAKE_MSRS	8
struct vt_backend {
	u64 cr4;
	struct vireo_sregs sregs;
	int set_sregs_calls;
	u32 msr_index[VT_FAKE_MSRS];
	u64 msr_data[VT_FAKE_MSRS];
	u32 refuse_msr;			/* set_msr/get_msr of this index fail */
	u32 last_set_msr;
	u64 last_set_data;
	bool last_set_from_guest;
	enum vireo_fault_result fault_result;	/* what vireo_mmu_fault() says */
	u64 fault_gpa;
	bool fault_write;
	int faults;
};
extern struct vt_backend vt_backend;
/* Guest-physical memory behind vireo_read_guest() (NULL: none), set by a case. */
extern u8 *vt_guest_mem;
extern size_t vt_guest_mem_size;
/* vireo_write_guest() refuses guest-physical addresses below this (0: none). */
extern u64 vt_guest_ro_below;
/* Sets an MSR of the fake backend's, as if the guest state held it. */
int vt_fake_msr_set(u32 index, u64 data);

/* ------------------------------------------------------------ helpers */

static inline void vt_set_if(struct vireo_vcpu *vcpu, bool on)
{
	if (on)
		vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_IF;
	else
		vcpu->regs[VIREO_REG_RFLAGS] &= ~X86_EFLAGS_IF;
}

/* ------------------------------- local APIC (Intel SDM vol. 3, ch. 11) */

/* Register offsets in the xAPIC page (SDM table 11-1). */
#define VT_APIC_ID		0x020
#define VT_APIC_VERSION		0x030
#define VT_APIC_TPR		0x080
#define VT_APIC_APR		0x090
#define VT_APIC_PPR		0x0a0
#define VT_APIC_EOI		0x0b0
#define VT_APIC_LDR		0x0d0
#define VT_APIC_DFR		0x0e0
#define VT_APIC_SVR		0x0f0
#define VT_APIC_ISR		0x100
#define VT_APIC_TMR		0x180
#define VT_APIC_IRR		0x200
#define VT_APIC_ESR		0x280
#define VT_APIC_ICR_LOW		0x300
#define VT_APIC_ICR_HIGH	0x310
#define VT_APIC_LVT_TIMER	0x320
#define VT_APIC_LVT_THERMAL	0x330
#define VT_APIC_LVT_PERF	0x340
#define VT_APIC_LVT_LINT0	0x350
#define VT_APIC_LVT_LINT1	0x360
#define VT_APIC_LVT_ERROR	0x370
#define VT_APIC_TIMER_ICR	0x380
#define VT_APIC_TIMER_CCR	0x390
#define VT_APIC_TIMER_DCR	0x3e0
#define VT_APIC_SELF_IPI	0x3f0

/* x2APIC MSR of an xAPIC offset (SDM 11.12.1.2, table 11-6). */
#define VT_X2APIC_MSR(off)	(0x800 + ((off) >> 4))

#define VT_APIC_BASE_MSR	0x01b
#define VT_TSC_DEADLINE_MSR	0x6e0
#define VT_APIC_BASE_BSP	(1ULL << 8)
#define VT_APIC_BASE_EXTD	(1ULL << 10)
#define VT_APIC_BASE_EN		(1ULL << 11)
#define VT_APIC_DEFAULT_BASE	0xfee00000ULL

#define VT_SVR_ENABLE		(1U << 8)
#define VT_LVT_MASKED		(1U << 16)
#define VT_LVT_ONESHOT		(0U << 17)
#define VT_LVT_PERIODIC		(1U << 17)
#define VT_LVT_TSC_DEADLINE	(2U << 17)

/* Delivery modes (SDM 11.6.1). */
#define VT_DM_FIXED		0
#define VT_DM_LOWEST		1
#define VT_DM_SMI		2
#define VT_DM_NMI		4
#define VT_DM_INIT		5
#define VT_DM_STARTUP		6
#define VT_DM_EXTINT		7

/* ICR (SDM figure 11-12): level bit 14, trigger bit 15, shorthand 19:18. */
#define VT_ICR_LOGICAL		(1U << 11)
#define VT_ICR_ASSERT		(1U << 14)
#define VT_ICR_LEVEL_TRIG	(1U << 15)
#define VT_ICR_SELF		(1U << 18)
#define VT_ICR_ALL		(2U << 18)
#define VT_ICR_OTHERS		(3U << 18)

/*
 * The APIC timer's input clock: the architecture leaves the bus frequency
 * to the implementation (SDM 11.5.4); lapic.c counts at 1 GHz before the
 * divide configuration.
 */
#define VT_APIC_NS_PER_TICK	1

/*
 * Register access the way the guest has it in the current mode: MMIO
 * (VIREO_APIC_ACCESS) in xAPIC mode, RDMSR/WRMSR in x2APIC mode.
 */
u32 vt_apic_get(struct kunit *test, struct vireo_vcpu *vcpu, u32 off);
void vt_apic_set(struct kunit *test, struct vireo_vcpu *vcpu, u32 off, u32 val);
/* vireo_lapic_msr(); returns its result (0 or -EINVAL for #GP). */
int vt_rdmsr(struct vireo_vcpu *vcpu, u32 index, u64 *val);
int vt_wrmsr(struct vireo_vcpu *vcpu, u32 index, u64 val);
/* Whether vec is set in the IRR, ISR or TMR (base VT_APIC_IRR/ISR/TMR). */
bool vt_apic_vec(struct kunit *test, struct vireo_vcpu *vcpu, u32 base, u8 vec);
/* Software-enables the APIC (SVR bit 8, spurious vector 0xff). */
void vt_apic_enable(struct kunit *test, struct vireo_vcpu *vcpu);
/* An MSI (SDM 11.11): returns vireo_lapic_deliver_msi()'s result. */
int vt_msi(struct vireo_vm *vm, u32 dest, bool logical, u32 mode, bool level_trig, u8 vector);
/* Switches a vCPU's APIC to x2APIC mode through IA32_APIC_BASE. */
void vt_x2apic_enable(struct kunit *test, struct vireo_vcpu *vcpu);

/* ------------------------------------ event encoding (SDM 25.8.3, APM 15.20) */

#define VT_EV_VALID		(1U << 31)
#define VT_EV_ERROR		(1U << 11)
#define VT_EV_TYPE(t)		((u32)(t) << 8)
#define VT_EV_TYPE_EXTINT	0
#define VT_EV_TYPE_NMI		2
#define VT_EV_TYPE_EXCEPTION	3
#define VT_EV_TYPE_SOFT_INT	4
#define VT_EV_TYPE_PRIV_SOFT_EXC 5
#define VT_EV_TYPE_SOFT_EXC	6

#endif /* VIREO_KUNIT_VIREO_TEST_H */
