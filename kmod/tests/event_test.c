// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: event injection in vcpu.c.  The encoding shared by SVM's EVENTINJ
 * and VMX's VM-entry interruption information (AMD APM vol. 2 15.20, Intel
 * SDM vol. 3 25.8.3 / 27.2.4), the events an exit interrupted, which event
 * an entry delivers (SDM 6.9: an exception of the instruction being
 * completed, then NMI, then maskable interrupts, these only with RFLAGS.IF
 * set and no interrupt shadow, SDM 6.8.1 and 6.8.3), and handing a picked
 * event back to where it came from.  Also the vCPU's reset state.
 */
#include "vireo_test.h"

static struct vireo_pending_event exc(u8 vector, bool has_error, u32 error)
{
	return (struct vireo_pending_event){
		.valid = true, .type = VIREO_EVENT_EXCEPTION, .vector = vector,
		.has_error_code = has_error, .error_code = error,
	};
}

static struct vireo_pending_event intr(u8 vector)
{
	return (struct vireo_pending_event){
		.valid = true, .type = VIREO_EVENT_EXTINT, .vector = vector,
	};
}

#define EXPECT_EVENT(test, ev, t, vec, src) do {			\
	KUNIT_EXPECT_TRUE(test, (ev).valid);				\
	KUNIT_EXPECT_EQ(test, (ev).type, (u8)(t));			\
	KUNIT_EXPECT_EQ(test, (ev).vector, (u8)(vec));			\
	KUNIT_EXPECT_EQ(test, (ev).source, (u8)(src));			\
} while (0)

/* Valid bit 31, error-code-valid bit 11, type in 10:8, vector in 7:0. */
static void event_encode_layout(struct kunit *test)
{
	struct vireo_pending_event ev = exc(13, true, 0);

	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), 0x80000b0dU);
	ev = exc(14, true, 0x6);
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), VT_EV_VALID | VT_EV_ERROR |
			VT_EV_TYPE(VT_EV_TYPE_EXCEPTION) | 14);
	ev = exc(6, false, 0);
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), 0x80000306U);
	ev = (struct vireo_pending_event){ .valid = true, .type = VIREO_EVENT_NMI, .vector = 2 };
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), 0x80000202U);
	ev = intr(0x30);
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), 0x80000030U);
	ev = intr(0xff);
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&ev), 0x800000ffU);
}

/* An interrupted hardware event (INTR, NMI, exception) is delivered again. */
static void event_interrupted_is_reinjected(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | 0x30, 0);
	KUNIT_EXPECT_TRUE(test, vcpu->reinject.valid);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.type, (u8)VIREO_EVENT_EXTINT);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.vector, 0x30);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.has_error_code);

	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_ERROR |
				     VT_EV_TYPE(VT_EV_TYPE_EXCEPTION) | 14, 0x2);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.type, (u8)VIREO_EVENT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.vector, 14);
	KUNIT_EXPECT_TRUE(test, vcpu->reinject.has_error_code);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.error_code, 0x2U);
	/* the encoding round-trips */
	KUNIT_EXPECT_EQ(test, vireo_event_encode(&vcpu->reinject),
			VT_EV_VALID | VT_EV_ERROR | VT_EV_TYPE(VT_EV_TYPE_EXCEPTION) | 14);

	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_TYPE(VT_EV_TYPE_NMI) | 2, 0);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.type, (u8)VIREO_EVENT_NMI);
	KUNIT_EXPECT_EQ(test, vcpu->reinject.vector, 2);
}

/*
 * Software interrupts and exceptions (INTn, INT1, INT3, INTO) are not: RIP
 * is still on the instruction, which executes again.  Nor is an invalid
 * (bit 31 clear) information field.
 */
static void event_interrupted_ignores_soft_and_invalid(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_TYPE(VT_EV_TYPE_SOFT_INT) | 0x80, 0);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_TYPE(VT_EV_TYPE_PRIV_SOFT_EXC) | 1,
				     0);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_TYPE(VT_EV_TYPE_SOFT_EXC) | 3, 0);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
	vireo_vcpu_interrupted_event(vcpu, 0x30, 0);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
}

static void event_queue_exception(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vireo_vcpu_queue_exception(vcpu, 13, true, 0x18);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.type, (u8)VIREO_EVENT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, 13);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.has_error_code);
	KUNIT_EXPECT_EQ(test, vcpu->exception.error_code, 0x18U);
}

/* Interrupted delivery, then exception, then NMI, then a maskable interrupt. */
static void event_pick_priority(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vt_set_if(vcpu, true);
	vcpu->extint = intr(0x40);
	vcpu->nmi_pending = true;
	vireo_vcpu_queue_exception(vcpu, 13, true, 0);
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | 0x31, 0);

	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x31, VIREO_EVSRC_QUEUED);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXCEPTION, 13, VIREO_EVSRC_QUEUED);
	KUNIT_EXPECT_TRUE(test, ev.has_error_code);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
	KUNIT_EXPECT_FALSE(test, vcpu->nmi_pending);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x40, VIREO_EVSRC_QUEUED);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
}

/*
 * Exceptions are not masked by IF or the interrupt shadow; NMI is not
 * masked by IF, but is held in the shadow (blocking by MOV SS blocks NMI,
 * blocking by STI may: SDM 6.8.3 and table 25-3), so the vCPU holds it.
 */
static void event_exception_and_nmi_masking(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vt_set_if(vcpu, false);
	vireo_vcpu_queue_exception(vcpu, 6, false, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, true, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXCEPTION, 6, VIREO_EVSRC_QUEUED);

	vcpu->nmi_pending = true;
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, true, &ev));
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_pending);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
}

/* A maskable interrupt needs IF = 1, no shadow, and no other event queued. */
static void event_interrupt_masking(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vcpu->extint = intr(0x40);
	vt_set_if(vcpu, false);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_interruptible(vcpu, false));
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_TRUE(test, vcpu->extint.valid);

	vt_set_if(vcpu, true);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_interruptible(vcpu, true));
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, true, &ev));
	KUNIT_EXPECT_TRUE(test, vcpu->extint.valid);

	vireo_vcpu_queue_exception(vcpu, 13, true, 0);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_interruptible(vcpu, false));
	vcpu->exception.valid = false;
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | 0x50, 0);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_interruptible(vcpu, false));
	vcpu->reinject.valid = false;

	KUNIT_EXPECT_TRUE(test, vireo_vcpu_interruptible(vcpu, false));
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x40, VIREO_EVSRC_QUEUED);
	KUNIT_EXPECT_FALSE(test, vcpu->extint.valid);
}

static struct vireo_vcpu *lapic_vcpu(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);

	vt_apic_enable(test, env->vcpu[0]);
	vt_set_if(env->vcpu[0], true);
	return env->vcpu[0];
}

/* Picking a LAPIC interrupt acknowledges it: IRR -> ISR (SDM 11.8.4). */
static void event_lapic_pick_acknowledges(struct kunit *test)
{
	struct vireo_vcpu *vcpu = lapic_vcpu(test);
	struct vireo_pending_event ev;

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x33);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x45, VIREO_EVSRC_LAPIC);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	/* 0x33 waits for the EOI: lower class than the one in service */
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vt_apic_set(test, vcpu, VT_APIC_EOI, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x33, VIREO_EVSRC_LAPIC);
}

/* With IF = 0 (or a shadow) nothing is acknowledged: the IRR keeps it. */
static void event_lapic_masked_stays_in_irr(struct kunit *test)
{
	struct vireo_vcpu *vcpu = lapic_vcpu(test);
	struct vireo_pending_event ev;

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	vt_set_if(vcpu, false);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vt_set_if(vcpu, true);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, true, &ev));
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
}

/* NMI before the PIC's ExtINT before the LAPIC's fixed interrupts. */
static void event_nmi_pic_lapic_order(struct kunit *test)
{
	struct vireo_vcpu *vcpu = lapic_vcpu(test);
	struct vireo_pending_event ev;

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	vt_msi(vcpu->vm, 0, false, VT_DM_EXTINT, false, 0x20);
	vt_msi(vcpu->vm, 0, false, VT_DM_NMI, false, 0);

	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x20, VIREO_EVSRC_PIC);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vcpu->pic_vector), 0U);
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x20));
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x45, VIREO_EVSRC_LAPIC);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
}

/* A LAPIC interrupt handed back is requested again: ISR -> IRR. */
static void event_unpick_lapic(struct kunit *test)
{
	struct vireo_vcpu *vcpu = lapic_vcpu(test);
	struct vireo_pending_event ev, again;

	vt_msi(vcpu->vm, 0, false, VT_DM_FIXED, false, 0x45);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_TRUE(test, vt_apic_vec(test, vcpu, VT_APIC_IRR, 0x45));
	KUNIT_EXPECT_FALSE(test, vt_apic_vec(test, vcpu, VT_APIC_ISR, 0x45));
	KUNIT_EXPECT_EQ(test, vt_apic_get(test, vcpu, VT_APIC_PPR), 0U);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &again));
	EXPECT_EVENT(test, again, VIREO_EVENT_EXTINT, 0x45, VIREO_EVSRC_LAPIC);
}

/*
 * The 8259 has acknowledged a vector it handed over: given back, it is
 * delivered before anything the PIC posts afterwards.
 */
static void event_unpick_pic(struct kunit *test)
{
	struct vireo_vcpu *vcpu = lapic_vcpu(test);
	struct vireo_pending_event ev, again;

	vt_msi(vcpu->vm, 0, false, VT_DM_EXTINT, false, 0x20);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vcpu->pic_vector), 0x20U | VIREO_PIC_VECTOR_VALID);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &again));
	EXPECT_EVENT(test, again, VIREO_EVENT_EXTINT, 0x20, VIREO_EVSRC_PIC);

	/* the PIC posts 0x21 while 0x20 is out */
	vt_msi(vcpu->vm, 0, false, VT_DM_EXTINT, false, 0x21);
	vireo_vcpu_unpick_event(vcpu, &again);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vcpu->pic_vector), 0x21U | VIREO_PIC_VECTOR_VALID);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_EQ(test, ev.vector, 0x20);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x21, VIREO_EVSRC_PIC);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
}

/* An NMI or a queued event handed back is pending again, unchanged. */
static void event_unpick_nmi_and_queued(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vt_set_if(vcpu, true);
	vcpu->nmi_pending = true;
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_pending);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);

	vireo_vcpu_queue_exception(vcpu, 14, true, 0x7);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, 14);
	KUNIT_EXPECT_EQ(test, vcpu->exception.error_code, 0x7U);
	KUNIT_EXPECT_FALSE(test, vcpu->extint.valid);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXCEPTION, 14, VIREO_EVSRC_QUEUED);

	/* an interrupt from the reinject slot comes back as a pending interrupt */
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | 0x31, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_FALSE(test, vcpu->reinject.valid);
	KUNIT_EXPECT_TRUE(test, vcpu->extint.valid);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x31, VIREO_EVSRC_QUEUED);
}

/*
 * The backend asks for an interrupt-window exit when an interrupt waits
 * for the guest to become interruptible, or userland asked for one.
 */
static void event_wants_irq_window(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 2, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vt_apic_enable(test, vcpu);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_irq_window(vcpu));
	vcpu->run->request_interrupt_window = 1;
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_irq_window(vcpu));
	vcpu->run->request_interrupt_window = 0;

	vt_apic_set(test, vcpu, VT_APIC_TPR, 0x50);
	vt_msi(env->vm, 0, false, VT_DM_FIXED, false, 0x45);	/* masked by TPR */
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_irq_window(vcpu));
	vt_msi(env->vm, 0, false, VT_DM_FIXED, false, 0x65);
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_irq_window(vcpu));
	vireo_lapic_ack(vcpu, 0x65);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_irq_window(vcpu));

	vt_msi(env->vm, 0, false, VT_DM_EXTINT, false, 0x20);
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_irq_window(vcpu));
	vcpu->pic_vector = 0;
	vcpu->extint = intr(0x30);
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_irq_window(vcpu));
}

/*
 * Delivering an NMI blocks NMIs until the IRET that ends its handler (SDM
 * 6.7.1): one arriving meanwhile waits, two are latched as one, and the
 * backend is asked for an exit when blocking ends.
 */
static void event_nmi_blocked_until_iret(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, true);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vt_set_if(vcpu, true);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_nmi_window(vcpu));
	vt_msi(env->vm, 0, false, VT_DM_NMI, false, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_blocked);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_nmi_window(vcpu));

	/* two more inside the handler: held, as one */
	vt_msi(env->vm, 0, false, VT_DM_NMI, false, 0);
	vt_msi(env->vm, 0, false, VT_DM_NMI, false, 0);
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_TRUE(test, vireo_vcpu_wants_nmi_window(vcpu));
	/* an interrupt is not held by NMI blocking */
	vcpu->extint = intr(0x40);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXTINT, 0x40, VIREO_EVSRC_QUEUED);

	/* the backend saw the IRET complete */
	vcpu->nmi_blocked = false;
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_blocked);
	vcpu->nmi_blocked = false;
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_wants_nmi_window(vcpu));
}

/*
 * An NMI handed back was never delivered: NMIs are not blocked.  One whose
 * delivery an exit interrupted blocks them when it goes in again.
 */
static void event_nmi_unpick_and_reinject_blocking(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vcpu->nmi_pending = true;
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	vireo_vcpu_unpick_event(vcpu, &ev);
	KUNIT_EXPECT_FALSE(test, vcpu->nmi_blocked);
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_pending);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));

	vcpu->nmi_blocked = false;
	vireo_vcpu_interrupted_event(vcpu, VT_EV_VALID | VT_EV_TYPE(VT_EV_TYPE_NMI) | 2, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_QUEUED);
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_blocked);
}

/*
 * An instruction the hypervisor completes with RFLAGS.TF set owes a
 * single-step trap (SDM 17.3.1.4, DR6.BS); without TF it owes nothing.
 */
static void event_retire_insn_single_step(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vcpu->regs[VIREO_REG_RIP] = 0x1000;
	vireo_retire_insn(vcpu, 0x1002);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1002ULL);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);

	vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_TF;
	vireo_retire_insn(vcpu, 0x1004);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1004ULL);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, (u32)VIREO_DR6_BS);
}

/*
 * That trap comes before NMIs and interrupts (SDM 6.9: traps of the
 * previous instruction, priority 4, before NMI 5 and INTR 6): pick holds
 * them back while it is owed, but not a queued exception.
 */
static void event_debug_trap_holds_nmi_and_interrupts(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_pending_event ev;

	vt_set_if(vcpu, true);
	vcpu->nmi_pending = true;
	vcpu->extint = intr(0x40);
	vcpu->pending_dbg = VIREO_DR6_BS;
	KUNIT_EXPECT_FALSE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	KUNIT_EXPECT_TRUE(test, vcpu->nmi_pending);
	KUNIT_EXPECT_TRUE(test, vcpu->extint.valid);

	vireo_vcpu_queue_exception(vcpu, 1, false, 0);
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_EXCEPTION, 1, VIREO_EVSRC_QUEUED);

	vcpu->pending_dbg = 0;
	KUNIT_ASSERT_TRUE(test, vireo_vcpu_pick_event(vcpu, false, &ev));
	EXPECT_EVENT(test, ev, VIREO_EVENT_NMI, 2, VIREO_EVSRC_NMI);
}

/*
 * Userland completes an MMIO access by moving RIP past it: the next
 * VIREO_RUN then owes the single-step trap.  Not if RIP did not move (the
 * instruction is still to run, or faulted) or TF is clear.
 */
static void event_emulated_insn_single_step(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];

	vt_backend.fault_result = VIREO_FAULT_MMIO;
	vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_TF;
	vcpu->regs[VIREO_REG_RIP] = 0x1000;
	KUNIT_ASSERT_EQ(test, vireo_handle_tdp_fault(vcpu, 0xfed00000, false), 1);
	vcpu->regs[VIREO_REG_RIP] = 0x1005;	/* userland's SET_REGS */
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, (u32)VIREO_DR6_BS);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1005ULL);

	vcpu->pending_dbg = 0;
	KUNIT_ASSERT_EQ(test, vireo_handle_tdp_fault(vcpu, 0xfed00000, true), 1);
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);
	/* one completion per exit: a later RUN owes nothing more */
	vcpu->regs[VIREO_REG_RIP] = 0x2000;
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);

	vcpu->regs[VIREO_REG_RFLAGS] &= ~X86_EFLAGS_TF;
	KUNIT_ASSERT_EQ(test, vireo_handle_tdp_fault(vcpu, 0xfed00000, false), 1);
	vcpu->regs[VIREO_REG_RIP] = 0x2005;
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);
}

/*
 * IN and userland's MSRs the kernel completes on the next VIREO_RUN, with
 * the trap; an MSR access userland refuses faults (#GP) and owes none.
 */
static void event_completed_exit_single_step(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	struct vireo_exit_io in = { .direction = VIREO_IO_IN, .size = 1, .port = 0x81 };

	vcpu->regs[VIREO_REG_RFLAGS] |= X86_EFLAGS_TF;
	vcpu->regs[VIREO_REG_RIP] = 0x1000;
	KUNIT_ASSERT_EQ(test, vireo_handle_io(vcpu, &in, 0x1002), 1);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);	/* not yet completed */
	vcpu->run->io.data = 0x5a;
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX] & 0xff, 0x5aULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1002ULL);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, (u32)VIREO_DR6_BS);

	vcpu->pending_dbg = 0;
	vcpu->regs[VIREO_REG_RCX] = 0x4b564d00;	/* not the kernel's */
	KUNIT_ASSERT_EQ(test, vireo_handle_msr(vcpu, false, 0x1004), 1);
	vcpu->run->msr.error = 1;
	vireo_complete_user_exit(vcpu);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x1002ULL);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);
	KUNIT_EXPECT_TRUE(test, vcpu->exception.valid);
	KUNIT_EXPECT_EQ(test, vcpu->exception.vector, 13);
}

/* SDM vol. 3 10.1.1, table 10-1: the processor state after power-up. */
static void vcpu_reset_state(struct kunit *test)
{
	struct vt_env *env = vt_env_new(test, 1, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	const struct vireo_sregs *sr = &vt_backend.sregs;
	const struct vireo_segment *data[] = { &sr->ds, &sr->es, &sr->fs, &sr->gs, &sr->ss };
	int i;

	for (i = 0; i < VIREO_NR_REGS; i++)
		vcpu->regs[i] = 0xdead;
	vireo_vcpu_queue_exception(vcpu, 13, true, 0);
	vcpu->xcr0 = 7;
	vcpu->nmi_blocked = true;	/* INIT ends NMI blocking and owes no trap */
	vcpu->pending_dbg = VIREO_DR6_BS;
	KUNIT_ASSERT_EQ(test, vireo_vcpu_init_state(vcpu), 0);
	KUNIT_EXPECT_FALSE(test, vcpu->nmi_blocked);
	KUNIT_EXPECT_EQ(test, vcpu->pending_dbg, 0U);
	KUNIT_EXPECT_EQ(test, vt_backend.set_sregs_calls, 1);

	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0xfff0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RFLAGS], 0x2ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RAX], 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RSP], 0ULL);
	KUNIT_EXPECT_EQ(test, vcpu->xcr0, 1ULL);
	KUNIT_EXPECT_FALSE(test, vcpu->exception.valid);

	KUNIT_EXPECT_EQ(test, sr->cr0, 0x60000010ULL);
	KUNIT_EXPECT_EQ(test, sr->cs.selector, 0xf000);
	KUNIT_EXPECT_EQ(test, sr->cs.base, 0xffff0000ULL);
	KUNIT_EXPECT_EQ(test, sr->cs.limit, 0xffffU);
	KUNIT_EXPECT_EQ(test, sr->cs.type, 0xb);	/* execute/read, accessed */
	KUNIT_EXPECT_TRUE(test, sr->cs.present && sr->cs.s);
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		KUNIT_EXPECT_EQ(test, data[i]->selector, 0);
		KUNIT_EXPECT_EQ(test, data[i]->base, 0ULL);
		KUNIT_EXPECT_EQ(test, data[i]->limit, 0xffffU);
		KUNIT_EXPECT_EQ(test, data[i]->type, 0x3);	/* read/write, accessed */
		KUNIT_EXPECT_TRUE(test, data[i]->present && data[i]->s);
	}
	KUNIT_EXPECT_EQ(test, sr->gdt.base, 0ULL);
	KUNIT_EXPECT_EQ(test, sr->gdt.limit, 0xffff);
	KUNIT_EXPECT_EQ(test, sr->idt.base, 0ULL);
	KUNIT_EXPECT_EQ(test, sr->idt.limit, 0xffff);
	KUNIT_EXPECT_EQ(test, sr->ldt.limit, 0xffffU);
	KUNIT_EXPECT_EQ(test, sr->ldt.type, 0x2);	/* LDT */
	KUNIT_EXPECT_EQ(test, sr->tr.limit, 0xffffU);
	/* a busy TSS, 16- or 32-bit */
	KUNIT_EXPECT_TRUE(test, sr->tr.type == 0x3 || sr->tr.type == 0xb);
	KUNIT_EXPECT_EQ(test, sr->efer, 0ULL);
	KUNIT_EXPECT_EQ(test, sr->cr3, 0ULL);
	KUNIT_EXPECT_EQ(test, sr->cr4, 0ULL);
}

static struct kunit_case event_cases[] = {
	KUNIT_CASE(event_encode_layout),
	KUNIT_CASE(event_interrupted_is_reinjected),
	KUNIT_CASE(event_interrupted_ignores_soft_and_invalid),
	KUNIT_CASE(event_queue_exception),
	KUNIT_CASE(event_pick_priority),
	KUNIT_CASE(event_exception_and_nmi_masking),
	KUNIT_CASE(event_interrupt_masking),
	KUNIT_CASE(event_lapic_pick_acknowledges),
	KUNIT_CASE(event_lapic_masked_stays_in_irr),
	KUNIT_CASE(event_nmi_pic_lapic_order),
	KUNIT_CASE(event_unpick_lapic),
	KUNIT_CASE(event_unpick_pic),
	KUNIT_CASE(event_unpick_nmi_and_queued),
	KUNIT_CASE(event_wants_irq_window),
	KUNIT_CASE(event_nmi_blocked_until_iret),
	KUNIT_CASE(event_nmi_unpick_and_reinject_blocking),
	KUNIT_CASE(event_retire_insn_single_step),
	KUNIT_CASE(event_debug_trap_holds_nmi_and_interrupts),
	KUNIT_CASE(event_emulated_insn_single_step),
	KUNIT_CASE(event_completed_exit_single_step),
	KUNIT_CASE(vcpu_reset_state),
	{}
};

static struct kunit_suite event_suite = {
	.name = "vireo_event",
	.exit = vt_suite_exit,
	.test_cases = event_cases,
};

kunit_test_suite(event_suite);
