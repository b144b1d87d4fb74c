// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (Intel SDM vol. 3 chapter 12; AMD APM vol. 2
 * chapter 16): one per vCPU once VIREO_ENABLE_LAPIC is on.  xAPIC
 * registers (reached through VIREO_APIC_ACCESS after userland decoded the
 * MMIO access) and x2APIC MSRs share one register file; the timer runs
 * on an hrtimer; interrupts arrive as MSI messages from userland (IOAPIC,
 * PIC, MSI-X) or as IPIs from other vCPUs.
 *
 * Locking: lapic->lock (irq-safe) guards the register file, because
 * deliveries come from other threads, hrtimer and eventfd wakeup context.
 * The owning vCPU thread alone moves a vector from IRR to ISR.
 */
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "vireo.h"

#define LAPIC_REG_ID		0x020
#define LAPIC_REG_VERSION	0x030
#define LAPIC_REG_TPR		0x080
#define LAPIC_REG_APR		0x090
#define LAPIC_REG_PPR		0x0a0
#define LAPIC_REG_EOI		0x0b0
#define LAPIC_REG_LDR		0x0d0
#define LAPIC_REG_DFR		0x0e0
#define LAPIC_REG_SVR		0x0f0
#define LAPIC_REG_ISR		0x100
#define LAPIC_REG_TMR		0x180
#define LAPIC_REG_IRR		0x200
#define LAPIC_REG_ESR		0x280
#define LAPIC_REG_LVT_CMCI	0x2f0
#define LAPIC_REG_ICR_LOW	0x300
#define LAPIC_REG_ICR_HIGH	0x310
#define LAPIC_REG_LVT_TIMER	0x320
#define LAPIC_REG_LVT_THERMAL	0x330
#define LAPIC_REG_LVT_PERF	0x340
#define LAPIC_REG_LVT_LINT0	0x350
#define LAPIC_REG_LVT_LINT1	0x360
#define LAPIC_REG_LVT_ERROR	0x370
#define LAPIC_REG_TIMER_ICR	0x380
#define LAPIC_REG_TIMER_CCR	0x390
#define LAPIC_REG_TIMER_DCR	0x3e0
#define LAPIC_REG_SELF_IPI	0x3f0	/* x2APIC only */

#define LAPIC_SVR_ENABLE		(1U << 8)
#define LAPIC_LVT_MASKED		(1U << 16)
#define LAPIC_LVT_LEVEL		(1U << 15)
#define LAPIC_TIMER_MODE_MASK	(3U << 17)
#define LAPIC_TIMER_ONESHOT	(0U << 17)
#define LAPIC_TIMER_PERIODIC	(1U << 17)
#define LAPIC_TIMER_TSC_DEADLINE	(2U << 17)

#define LAPIC_BASE_BSP		(1ULL << 8)
#define LAPIC_BASE_EXTD		(1ULL << 10)
#define LAPIC_BASE_ENABLE	(1ULL << 11)
#define LAPIC_DEFAULT_BASE	0xfee00000ULL

#define LAPIC_DM_FIXED		0
#define LAPIC_DM_LOWEST		1
#define LAPIC_DM_SMI		2
#define LAPIC_DM_NMI		4
#define LAPIC_DM_INIT		5
#define LAPIC_DM_STARTUP		6
#define LAPIC_DM_EXTINT		7

/* The APIC timer counts at 1 GHz divided by the DCR (an arbitrary bus). */
#define LAPIC_BUS_NS		1

struct vireo_lapic {
	struct vireo_vcpu *vcpu;
	spinlock_t lock;
	u64 base;			/* IA32_APIC_BASE */
	u32 regs[0x400 / 4];		/* indexed by offset / 4 */
	struct hrtimer timer;
	ktime_t timer_start;		/* when TIMER_ICR was loaded */
	u64 timer_period_ns;		/* one round of the count */
	u64 timer_interval_ns;		/* between hrtimer expirations */
	u64 tsc_deadline;		/* guest TSC value, 0: disarmed */
	bool ipi_queued;		/* an ICR write waiting for the unlock */
	u32 ipi_low, ipi_high;
};

static u32 reg_get(struct vireo_lapic *a, u32 off)
{
	return a->regs[off >> 2];
}

static void reg_set(struct vireo_lapic *a, u32 off, u32 v)
{
	a->regs[off >> 2] = v;
}

/* IRR/ISR/TMR are 256-bit vectors in 8 registers 16 bytes apart. */
static bool vec_test(struct vireo_lapic *a, u32 base, u8 vec)
{
	return reg_get(a, base + (vec / 32) * 0x10) & (1U << (vec % 32));
}

static void vec_set(struct vireo_lapic *a, u32 base, u8 vec, bool on)
{
	u32 off = base + (vec / 32) * 0x10;
	u32 bit = 1U << (vec % 32);

	reg_set(a, off, on ? reg_get(a, off) | bit : reg_get(a, off) & ~bit);
}

static int vec_highest(struct vireo_lapic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 v = reg_get(a, base + i * 0x10);

		if (v)
			return i * 32 + fls(v) - 1;
	}
	return -1;
}

static bool lapic_hw_enabled(struct vireo_lapic *a)
{
	return a->base & LAPIC_BASE_ENABLE;
}

static bool lapic_sw_enabled(struct vireo_lapic *a)
{
	return reg_get(a, LAPIC_REG_SVR) & LAPIC_SVR_ENABLE;
}

static bool lapic_x2apic(struct vireo_lapic *a)
{
	return a->base & LAPIC_BASE_EXTD;
}

static u32 lapic_id(struct vireo_lapic *a)
{
	return a->vcpu->id;
}

/* PPR = max(TPR, ISRV class) (SDM 12.8.3.1).  Caller holds a->lock. */
static u32 lapic_ppr(struct vireo_lapic *a)
{
	u32 tpr, isr_class;
	int isrv;

	lockdep_assert_held(&a->lock);
	tpr = reg_get(a, LAPIC_REG_TPR) & 0xff;
	isrv = vec_highest(a, LAPIC_REG_ISR);
	isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;
	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* ------------------------------------------------------------ delivery */

/* Caller holds a->lock.  Returns true if a new vector became pending. */
VIREO_VISIBLE_IF_KUNIT bool lapic_set_irr(struct vireo_lapic *a, u8 vector, bool level)
{
	lockdep_assert_held(&a->lock);
	if (!lapic_hw_enabled(a) || vector < 16)
		return false;
	vec_set(a, LAPIC_REG_TMR, vector, level);
	if (vec_test(a, LAPIC_REG_IRR, vector))
		return false;
	vec_set(a, LAPIC_REG_IRR, vector, true);
	return true;
}

static void lapic_accept(struct vireo_lapic *a, u32 mode, u8 vector, bool level)
{
	struct vireo_vcpu *vcpu = a->vcpu;
	unsigned long flags;

	switch (mode) {
	case LAPIC_DM_FIXED:
	case LAPIC_DM_LOWEST:
		spin_lock_irqsave(&a->lock, flags);
		lapic_set_irr(a, vector, level);
		spin_unlock_irqrestore(&a->lock, flags);
		break;
	case LAPIC_DM_NMI:
		WRITE_ONCE(vcpu->nmi_pending, true);
		break;
	case LAPIC_DM_INIT:
		if (!level)
			return;		/* INIT level de-assert: nothing to do */
		set_bit(VIREO_REQ_INIT, &vcpu->requests);
		break;
	case LAPIC_DM_STARTUP:
		WRITE_ONCE(vcpu->sipi_vector, vector);
		set_bit(VIREO_REQ_SIPI, &vcpu->requests);
		break;
	case LAPIC_DM_EXTINT:
		/* From the 8259 through LINT0: not through IRR/ISR. */
		WRITE_ONCE(vcpu->pic_vector, vector | VIREO_PIC_VECTOR_VALID);
		break;
	default:
		return;		/* SMI and reserved modes are dropped */
	}
	vireo_vcpu_kick(vcpu);
}

/* x2APIC logical ID: cluster << 16 | 1 << (id & 15) (SDM 12.12.10.2). */
static u32 lapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 15));
}

static bool lapic_match_dest(struct vireo_lapic *a, u32 dest, bool logical)
{
	if (lapic_x2apic(a)) {
		if (!logical)
			return dest == 0xffffffff || dest == lapic_id(a);
		return (dest >> 16) == (lapic_x2apic_ldr(lapic_id(a)) >> 16) &&
		       (dest & lapic_x2apic_ldr(lapic_id(a)) & 0xffff);
	}
	dest &= 0xff;
	if (!logical)
		return dest == 0xff || dest == lapic_id(a);
	if (dest == 0xff)
		return true;
	if ((reg_get(a, LAPIC_REG_DFR) >> 28) == 0xf)	/* flat model */
		return (reg_get(a, LAPIC_REG_LDR) >> 24) & dest;
	/* cluster model: high nibble cluster, low nibble member bits */
	return ((reg_get(a, LAPIC_REG_LDR) >> 28) == (dest >> 4)) &&
	       ((reg_get(a, LAPIC_REG_LDR) >> 24) & dest & 0xf);
}

static int lapic_deliver(struct vireo_vm *vm, struct vireo_lapic *self, u32 shorthand, u32 dest,
			 bool logical, u32 mode, u8 vector, bool level)
{
	int i, n = 0;

	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		struct vireo_vcpu *v = READ_ONCE(vm->vcpus[i]);
		struct vireo_lapic *a = v ? v->lapic : NULL;

		if (!a)
			continue;
		switch (shorthand) {
		case 1:		/* self */
			if (a != self)
				continue;
			break;
		case 2:		/* all including self */
			break;
		case 3:		/* all excluding self */
			if (a == self)
				continue;
			break;
		default:
			if (!lapic_match_dest(a, dest, logical))
				continue;
		}
		lapic_accept(a, mode, vector, level);
		n++;
		/* Lowest priority: the first match will do. */
		if (mode == LAPIC_DM_LOWEST && !shorthand)
			break;
	}
	return n;
}

/*
 * An interrupt message is a write to 0FEEx_xxxxH (SDM vol. 3 11.11.1): a
 * 64-bit MSI address with any of bits 63:32 set is a memory write above
 * 4 GiB, whatever its low half.
 */
bool vireo_lapic_msi_address_valid(u64 address)
{
	return (address & 0xfffffffffff00000ULL) == LAPIC_DEFAULT_BASE;
}

/* An MSI write (SDM 12.11.1, 12.11.2).  Any context. */
int vireo_lapic_deliver_msi(struct vireo_vm *vm, u64 address, u32 data)
{
	/* Bits 11:5 extend the destination for x2APIC guests beyond 255. */
	u32 dest = ((address >> 12) & 0xff) | (((address >> 5) & 0x7f) << 8);
	bool logical = address & (1ULL << 2);
	u32 mode = (data >> 8) & 7;
	bool level_triggered = data & (1U << 15);

	if (!vireo_lapic_msi_address_valid(address))
		return -EINVAL;
	/* An INIT message is always an assertion. */
	return lapic_deliver(vm, NULL, 0, dest, logical, mode, data & 0xff,
			     mode == LAPIC_DM_INIT ? true : level_triggered);
}

/* ICR write: an IPI from this vCPU. */
static void lapic_send_ipi(struct vireo_lapic *a, u32 low, u32 high)
{
	u32 mode = (low >> 8) & 7;
	bool logical = low & (1U << 11);
	bool level = low & (1U << 14);
	u32 shorthand = (low >> 18) & 3;
	u32 dest = lapic_x2apic(a) ? high : high >> 24;

	/* INIT de-assert (level 0) is a no-op on modern CPUs. */
	if (mode == LAPIC_DM_INIT && !level)
		return;
	if (mode == LAPIC_DM_INIT || mode == LAPIC_DM_STARTUP)
		level = true;
	lapic_deliver(a->vcpu->vm, a, shorthand, dest, logical, mode, low & 0xff,
		      mode == LAPIC_DM_FIXED || mode == LAPIC_DM_LOWEST ? false : level);
}

/* --------------------------------------------------------------- timer */

static u32 lapic_timer_divide(struct vireo_lapic *a)
{
	u32 dcr = reg_get(a, LAPIC_REG_TIMER_DCR);
	u32 code = (dcr & 3) | ((dcr >> 1) & 4);

	return code == 7 ? 1 : 2U << code;
}

static u32 lapic_timer_mode(struct vireo_lapic *a)
{
	return reg_get(a, LAPIC_REG_LVT_TIMER) & LAPIC_TIMER_MODE_MASK;
}

/* Caller holds a->lock. */
static void lapic_timer_fire(struct vireo_lapic *a)
{
	u32 lvt = reg_get(a, LAPIC_REG_LVT_TIMER);

	lockdep_assert_held(&a->lock);
	if (!(lvt & LAPIC_LVT_MASKED) && lapic_sw_enabled(a))
		lapic_set_irr(a, lvt & 0xff, false);
}

static enum hrtimer_restart lapic_timer_expired(struct hrtimer *t)
{
	struct vireo_lapic *a = container_of(t, struct vireo_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	lapic_timer_fire(a);
	if (lapic_timer_mode(a) == LAPIC_TIMER_PERIODIC && a->timer_interval_ns) {
		hrtimer_forward_now(t, ns_to_ktime(a->timer_interval_ns));
		ret = HRTIMER_RESTART;
	} else if (lapic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE) {
		a->tsc_deadline = 0;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	vireo_vcpu_kick(a->vcpu);
	return ret;
}

/*
 * A periodic timer interrupts at most this often: a guest cannot flood the
 * host with expirations.  The interrupts of the rounds in between merge
 * into one (IRR holds a vector once), as when a real guest is slow to take
 * them; the count the guest reads keeps the architectural period.
 */
#define LAPIC_PERIODIC_MIN_NS	50000

/* Caller holds a->lock. */
static void lapic_timer_start_count(struct vireo_lapic *a)
{
	u32 count = reg_get(a, LAPIC_REG_TIMER_ICR);
	u64 rounds;

	lockdep_assert_held(&a->lock);
	hrtimer_try_to_cancel(&a->timer);
	a->timer_period_ns = (u64)count * lapic_timer_divide(a) * LAPIC_BUS_NS;
	a->timer_interval_ns = a->timer_period_ns;
	a->timer_start = ktime_get();
	if (!count || lapic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
		return;
	/* Whole rounds, so each expiration falls where the count reaches 0. */
	if (lapic_timer_mode(a) == LAPIC_TIMER_PERIODIC &&
	    a->timer_interval_ns < LAPIC_PERIODIC_MIN_NS) {
		rounds = div64_u64(LAPIC_PERIODIC_MIN_NS + a->timer_period_ns - 1,
				   a->timer_period_ns);
		a->timer_interval_ns = rounds * a->timer_period_ns;
	}
	hrtimer_start(&a->timer, ns_to_ktime(a->timer_interval_ns), HRTIMER_MODE_REL);
}

/* Caller holds a->lock. */
static u32 lapic_timer_current(struct vireo_lapic *a)
{
	u64 elapsed, div = lapic_timer_divide(a) * LAPIC_BUS_NS;

	lockdep_assert_held(&a->lock);
	if (!reg_get(a, LAPIC_REG_TIMER_ICR) || !a->timer_period_ns ||
	    lapic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	elapsed = ktime_to_ns(ktime_sub(ktime_get(), a->timer_start));
	if (lapic_timer_mode(a) == LAPIC_TIMER_PERIODIC) {
		u64 rem;

		div64_u64_rem(elapsed, a->timer_period_ns, &rem);
		elapsed = rem;
	} else if (elapsed >= a->timer_period_ns) {
		return 0;
	}
	return div64_u64(a->timer_period_ns - elapsed, div);
}

/*
 * deadline is in guest TSC units (host TSC + offset).  Outside TSC-deadline
 * mode the write is ignored (SDM vol. 3 11.5.4.1): it neither arms nor
 * stops the one-shot or periodic count.  Caller holds a->lock.
 */
static void lapic_timer_set_deadline(struct vireo_lapic *a, u64 deadline, u64 guest_tsc_now)
{
	u64 delta_ns = 0;

	lockdep_assert_held(&a->lock);
	if (lapic_timer_mode(a) != LAPIC_TIMER_TSC_DEADLINE)
		return;
	hrtimer_try_to_cancel(&a->timer);
	a->tsc_deadline = deadline;
	if (!deadline)
		return;
	if (deadline > guest_tsc_now && tsc_khz)
		delta_ns = div64_u64((deadline - guest_tsc_now) * 1000000ULL, tsc_khz);
	hrtimer_start(&a->timer, ns_to_ktime(delta_ns), HRTIMER_MODE_REL);
}

/* ----------------------------------------------------------- registers */

/*
 * The EOI of a level-triggered vector goes to userland's IOAPIC.  Caller
 * holds a->lock.
 */
static void lapic_eoi(struct vireo_lapic *a)
{
	int vec = vec_highest(a, LAPIC_REG_ISR);

	lockdep_assert_held(&a->lock);
	if (vec < 0)
		return;
	vec_set(a, LAPIC_REG_ISR, vec, false);
	if (vec_test(a, LAPIC_REG_TMR, vec)) {
		vec_set(a, LAPIC_REG_TMR, vec, false);
		a->vcpu->level_eoi = vec | VIREO_PIC_VECTOR_VALID;
	}
}

static void lapic_reset_regs(struct vireo_lapic *a)
{
	memset(a->regs, 0, sizeof(a->regs));
	reg_set(a, LAPIC_REG_ID, lapic_id(a) << 24);
	/* Version 0x14 (integrated APIC), 6 LVT entries (max LVT 5). */
	reg_set(a, LAPIC_REG_VERSION, 0x14 | (5 << 16));
	reg_set(a, LAPIC_REG_DFR, 0xffffffff);
	reg_set(a, LAPIC_REG_SVR, 0xff);
	reg_set(a, LAPIC_REG_LVT_CMCI, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_THERMAL, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_PERF, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_LINT1, LAPIC_LVT_MASKED);
	reg_set(a, LAPIC_REG_LVT_ERROR, LAPIC_LVT_MASKED);
	hrtimer_try_to_cancel(&a->timer);
	a->timer_period_ns = 0;
	a->timer_interval_ns = 0;
	a->tsc_deadline = 0;
}

/* Caller holds a->lock.  Returns -EINVAL for a register that does not exist. */
static int lapic_read(struct vireo_lapic *a, u32 off, u32 *val)
{
	lockdep_assert_held(&a->lock);
	switch (off) {
	case LAPIC_REG_ID:
		*val = lapic_x2apic(a) ? lapic_id(a) : reg_get(a, off);
		return 0;
	case LAPIC_REG_PPR:
		*val = lapic_ppr(a);
		return 0;
	case LAPIC_REG_LDR:
		*val = lapic_x2apic(a) ? lapic_x2apic_ldr(lapic_id(a)) : reg_get(a, off);
		return 0;
	case LAPIC_REG_TIMER_CCR:
		*val = lapic_timer_current(a);
		return 0;
	case LAPIC_REG_EOI:
	case LAPIC_REG_SELF_IPI:
		*val = 0;
		return 0;
	case LAPIC_REG_VERSION:
	case LAPIC_REG_TPR:
	case LAPIC_REG_APR:
	case LAPIC_REG_DFR:
	case LAPIC_REG_SVR:
	case LAPIC_REG_ESR:
	case LAPIC_REG_ICR_LOW:
	case LAPIC_REG_ICR_HIGH:
	case LAPIC_REG_LVT_CMCI:
	case LAPIC_REG_LVT_TIMER:
	case LAPIC_REG_LVT_THERMAL:
	case LAPIC_REG_LVT_PERF:
	case LAPIC_REG_LVT_LINT0:
	case LAPIC_REG_LVT_LINT1:
	case LAPIC_REG_LVT_ERROR:
	case LAPIC_REG_TIMER_ICR:
	case LAPIC_REG_TIMER_DCR:
		*val = reg_get(a, off);
		return 0;
	default:
		if (off >= LAPIC_REG_ISR && off < LAPIC_REG_ESR && !(off & 0xf)) {
			*val = reg_get(a, off);
			return 0;
		}
		return -EINVAL;
	}
}

/* Caller holds a->lock. */
static int lapic_write(struct vireo_lapic *a, u32 off, u32 val)
{
	u32 lvt_mask = LAPIC_LVT_MASKED | 0x7ff | (1U << 13) | LAPIC_LVT_LEVEL;

	lockdep_assert_held(&a->lock);
	switch (off) {
	case LAPIC_REG_ID:
		if (!lapic_x2apic(a))
			reg_set(a, off, val & 0xff000000);
		return 0;
	case LAPIC_REG_TPR:
		reg_set(a, off, val & 0xff);
		a->vcpu->cr8 = (val & 0xff) >> 4;
		return 0;
	case LAPIC_REG_EOI:
		lapic_eoi(a);
		return 0;
	case LAPIC_REG_LDR:
		if (!lapic_x2apic(a))
			reg_set(a, off, val & 0xff000000);
		return 0;
	case LAPIC_REG_DFR:
		if (!lapic_x2apic(a))
			reg_set(a, off, val | 0x0fffffff);
		return 0;
	case LAPIC_REG_SVR:
		reg_set(a, off, val & 0x13ff);
		if (!(val & LAPIC_SVR_ENABLE)) {
			/* Software disable masks every LVT entry. */
			u32 o;

			for (o = LAPIC_REG_LVT_TIMER; o <= LAPIC_REG_LVT_ERROR; o += 0x10)
				reg_set(a, o, reg_get(a, o) | LAPIC_LVT_MASKED);
		}
		return 0;
	case LAPIC_REG_ESR:
		reg_set(a, off, 0);
		return 0;
	case LAPIC_REG_ICR_LOW:
		reg_set(a, off, val & ~(1U << 12));	/* delivery status idle */
		a->ipi_low = val;
		a->ipi_high = reg_get(a, LAPIC_REG_ICR_HIGH);
		a->ipi_queued = true;	/* sent by lapic_unlock_and_send() */
		return 0;
	case LAPIC_REG_ICR_HIGH:
		reg_set(a, off, lapic_x2apic(a) ? val : val & 0xff000000);
		return 0;
	case LAPIC_REG_LVT_TIMER: {
		u32 old_mode = lapic_timer_mode(a);

		if (!lapic_sw_enabled(a))
			val |= LAPIC_LVT_MASKED;
		reg_set(a, off, val & (lvt_mask | LAPIC_TIMER_MODE_MASK));
		if (lapic_timer_mode(a) != old_mode) {
			hrtimer_try_to_cancel(&a->timer);
			a->tsc_deadline = 0;
			a->timer_period_ns = 0;
			a->timer_interval_ns = 0;
		}
		return 0;
	}
	case LAPIC_REG_LVT_CMCI:
	case LAPIC_REG_LVT_THERMAL:
	case LAPIC_REG_LVT_PERF:
	case LAPIC_REG_LVT_LINT0:
	case LAPIC_REG_LVT_LINT1:
	case LAPIC_REG_LVT_ERROR:
		if (!lapic_sw_enabled(a))
			val |= LAPIC_LVT_MASKED;
		reg_set(a, off, val & lvt_mask);
		return 0;
	case LAPIC_REG_TIMER_ICR:
		if (lapic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
			return 0;
		reg_set(a, off, val);
		lapic_timer_start_count(a);
		return 0;
	case LAPIC_REG_TIMER_DCR:
		reg_set(a, off, val & 0xb);
		return 0;
	case LAPIC_REG_SELF_IPI:
		if (!lapic_x2apic(a))
			return -EINVAL;
		lapic_set_irr(a, val & 0xff, false);
		return 0;
	case LAPIC_REG_VERSION:
	case LAPIC_REG_APR:
	case LAPIC_REG_PPR:
	case LAPIC_REG_TIMER_CCR:
		return 0;	/* read-only: writes ignored */
	default:
		if (off >= LAPIC_REG_ISR && off < LAPIC_REG_ESR && !(off & 0xf))
			return 0;
		return -EINVAL;
	}
}

/*
 * Drops the lock, then sends the IPI an ICR write queued under it.  Sending
 * takes each destination's lock, and a destination may be the sender itself
 * (a self IPI by destination ID or shorthand) or a vCPU sending to us at the
 * same moment: under our lock that is a deadlock with interrupts off.
 */
static void lapic_unlock_and_send(struct vireo_lapic *a, unsigned long flags)
{
	bool send = a->ipi_queued;
	u32 low = a->ipi_low, high = a->ipi_high;

	a->ipi_queued = false;
	spin_unlock_irqrestore(&a->lock, flags);
	if (send)
		lapic_send_ipi(a, low, high);
}

/*
 * IA32_APIC_BASE writes that #GP: reserved bits, and the transitions the
 * x2APIC state machine forbids (SDM vol. 3 11.12.5, figure 11-27): into
 * the invalid state (EXTD without EN), x2APIC -> xAPIC (the way back goes
 * through disabled) and disabled -> x2APIC (the way there goes through
 * xAPIC).
 */
static bool lapic_base_write_valid(struct vireo_lapic *a, u64 val)
{
	bool en = val & LAPIC_BASE_ENABLE, extd = val & LAPIC_BASE_EXTD;

	if (val & ~(0xfffff000ULL | LAPIC_BASE_BSP | LAPIC_BASE_EXTD | LAPIC_BASE_ENABLE))
		return false;
	if (extd && !en)
		return false;
	if (lapic_x2apic(a) && en && !extd)
		return false;
	return lapic_hw_enabled(a) || !extd;
}

/*
 * In x2APIC mode (SDM vol. 3 11.12.1.2, 11.12.1.3): WRMSR to a read-only
 * register and RDMSR of a write-only one (EOI, SELF IPI) #GP, and the DFR,
 * the APR and MSR 0x831 (the ICR's high half is now bits 63:32 of 0x830)
 * do not exist.
 */
static bool lapic_x2apic_access_ok(u32 off, bool is_write)
{
	switch (off) {
	case LAPIC_REG_APR:
	case LAPIC_REG_DFR:
	case LAPIC_REG_ICR_HIGH:
		return false;
	case LAPIC_REG_EOI:
	case LAPIC_REG_SELF_IPI:
		return is_write;
	case LAPIC_REG_ID:
	case LAPIC_REG_VERSION:
	case LAPIC_REG_PPR:
	case LAPIC_REG_LDR:
	case LAPIC_REG_TIMER_CCR:
		return !is_write;
	default:
		if (off >= LAPIC_REG_ISR && off < LAPIC_REG_ESR)
			return !is_write;	/* ISR, TMR, IRR */
		return true;
	}
}

/* IA32_APIC_BASE[11] is clear: the vCPU has no APIC (SDM vol. 3 11.4.3). */
bool vireo_lapic_disabled(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;
	bool off;

	if (!a)
		return false;
	spin_lock_irqsave(&a->lock, flags);
	off = !lapic_hw_enabled(a);
	spin_unlock_irqrestore(&a->lock, flags);
	return off;
}

/* VIREO_APIC_ACCESS: an xAPIC MMIO access userland decoded. */
int vireo_lapic_mmio(struct vireo_vcpu *vcpu, struct vireo_apic_access *acc)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;
	u32 val = acc->data;
	int r;

	if (!a)
		return -ENXIO;
	if (acc->reserved || acc->offset >= 0x1000 || acc->size != 4 || (acc->offset & 3) ||
	    acc->is_write > 1)
		return -EINVAL;
	if (!lapic_hw_enabled(a) || lapic_x2apic(a))
		return -ENXIO;	/* no xAPIC page is decoded in these modes */
	spin_lock_irqsave(&a->lock, flags);
	if (acc->is_write) {
		r = lapic_write(a, acc->offset & 0xff0, val);
		r = 0;		/* writes to reserved offsets are dropped */
	} else {
		r = lapic_read(a, acc->offset & 0xff0, &val);
		if (r)
			val = 0, r = 0;
		acc->data = val;
	}
	lapic_unlock_and_send(a, flags);
	vireo_vcpu_kick(vcpu);	/* an IPI or EOI may have made work */
	return r;
}

/* Guest RDMSR/WRMSR of APIC MSRs.  Returns -ENOENT if not an APIC MSR. */
int vireo_lapic_msr(struct vireo_vcpu *vcpu, u32 index, bool is_write, u64 *data,
		    u64 guest_tsc)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;
	int r = 0;

	if (!a || !(index == MSR_IA32_APICBASE || index == MSR_IA32_TSC_DEADLINE ||
		    (index >= 0x800 && index <= 0x8ff)))
		return -ENOENT;

	spin_lock_irqsave(&a->lock, flags);
	if (index == MSR_IA32_APICBASE) {
		if (!is_write) {
			*data = a->base;
		} else if (!lapic_base_write_valid(a, *data)) {
			r = -EINVAL;
		} else {
			bool was_x2 = lapic_x2apic(a);

			a->base = (*data & ~LAPIC_BASE_BSP) | (a->base & LAPIC_BASE_BSP);
			if (!lapic_hw_enabled(a))
				lapic_reset_regs(a);
			else if (lapic_x2apic(a) && !was_x2)
				reg_set(a, LAPIC_REG_LDR, lapic_x2apic_ldr(lapic_id(a)));
		}
	} else if (index == MSR_IA32_TSC_DEADLINE) {
		if (is_write)
			lapic_timer_set_deadline(a, *data, guest_tsc);
		else	/* 0 outside TSC-deadline mode (SDM 11.5.4.1) */
			*data = lapic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE ?
				a->tsc_deadline : 0;
	} else if (!lapic_x2apic(a)) {
		r = -EINVAL;		/* x2APIC MSRs #GP in xAPIC mode */
	} else {
		u32 off = (index - 0x800) << 4;

		if (!lapic_x2apic_access_ok(off, is_write)) {
			r = -EINVAL;
		} else if (is_write) {
			if (off == LAPIC_REG_ICR_LOW) {
				reg_set(a, LAPIC_REG_ICR_HIGH, *data >> 32);
				r = lapic_write(a, off, (u32)*data);
			} else if (*data >> 32) {
				r = -EINVAL;
			} else {
				r = lapic_write(a, off, *data);
			}
		} else {
			u32 lo = 0;

			r = lapic_read(a, off, &lo);
			*data = lo;
			if (off == LAPIC_REG_ICR_LOW)
				*data |= (u64)reg_get(a, LAPIC_REG_ICR_HIGH) << 32;
		}
	}
	lapic_unlock_and_send(a, flags);
	if (is_write && !r)
		vireo_vcpu_kick(vcpu);
	return r;
}

/* ------------------------------------------------------- vCPU interface */

/* The vector to deliver now, or -1 (priority per SDM 12.8.3). */
int vireo_lapic_pending(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;
	int vec;

	if (!a)
		return -1;
	spin_lock_irqsave(&a->lock, flags);
	/* CR8 writes (64-bit guests) are TPR writes. */
	reg_set(a, LAPIC_REG_TPR, (vcpu->cr8 & 0xf) << 4);
	vec = vec_highest(a, LAPIC_REG_IRR);
	if (vec >= 0 && ((u32)vec & 0xf0) <= (lapic_ppr(a) & 0xf0))
		vec = -1;
	if (!lapic_hw_enabled(a) || !lapic_sw_enabled(a))
		vec = -1;
	spin_unlock_irqrestore(&a->lock, flags);
	return vec;
}

/* The guest takes vector now: IRR -> ISR. */
void vireo_lapic_ack(struct vireo_vcpu *vcpu, u8 vector)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	vec_set(a, LAPIC_REG_IRR, vector, false);
	vec_set(a, LAPIC_REG_ISR, vector, true);
	spin_unlock_irqrestore(&a->lock, flags);
}

/*
 * Undoes vireo_lapic_ack() for an interrupt the guest did not take after
 * all.  It was the highest in service, so PPR falls back to what it was.
 */
void vireo_lapic_unack(struct vireo_vcpu *vcpu, u8 vector)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	vec_set(a, LAPIC_REG_ISR, vector, false);
	vec_set(a, LAPIC_REG_IRR, vector, true);
	spin_unlock_irqrestore(&a->lock, flags);
}

/* INIT: registers to their reset values, keeping the base address. */
void vireo_lapic_init_signal(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *a = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	lapic_reset_regs(a);
	spin_unlock_irqrestore(&a->lock, flags);
}

int vireo_lapic_create(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	spin_lock_init(&a->lock);
	hrtimer_setup(&a->timer, lapic_timer_expired, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	a->base = LAPIC_DEFAULT_BASE | LAPIC_BASE_ENABLE | (vcpu->id == 0 ? LAPIC_BASE_BSP : 0);
	lapic_reset_regs(a);
	vcpu->lapic = a;
	return 0;
}

void vireo_lapic_free(struct vireo_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return;
	hrtimer_cancel(&vcpu->lapic->timer);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}
