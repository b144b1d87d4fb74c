// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the "caller holds" contracts of the core are checked, not only
 * written down (lock order and legends: kmod/vireo.h).  A helper that
 * says its caller holds a lock asserts it with lockdep_assert_held(); in
 * the host harness such an assertion fails the running case, so every
 * other suite proves the callers take the lock, and these cases prove the
 * assertion is there: calling the helper without its lock trips it.
 *
 * Counting the splats needs the host harness (in a kernel they are
 * lockdep reports, with CONFIG_PROVE_LOCKING, and not countable): these
 * cases skip there.
 */
#include <linux/eventfd.h>

#include "vireo_test.h"

/* lapic.c: the register file is a->lock's; lapic_set_irr() asserts it. */
static void lockdep_lapic_set_irr_needs_lock(struct kunit *test)
{
	struct vt_env *env;
	struct vireo_vcpu *vcpu;

	vt_need_host(test, "counting lockdep splats");
	env = vt_env_new(test, 1, true);
	vcpu = env->vcpu[0];
	vt_apic_enable(test, vcpu);
	KUNIT_EXPECT_EQ(test, vt_lockdep_splats(lapic_set_irr(vcpu->lapic, 0x40, false)), 1);
	/* the MSI path takes the lock around the same helper */
	KUNIT_EXPECT_EQ(test, vt_lockdep_splats(vt_msi(env->vm, 0, false, VT_DM_FIXED, false,
						       0x41)), 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(vcpu), 0x41);
}

/* eventfd.c: the irqfd list is eventfds_lock's; irqfd_may_add() asserts it. */
static void lockdep_irqfd_may_add_needs_lock(struct kunit *test)
{
#ifdef VIREO_KUNIT_HOST
	struct vt_env *env;
	struct eventfd_ctx *ctx;
	int fd;

	env = vt_env_new(test, 1, true);
	fd = kshim_eventfd_create();
	KUNIT_ASSERT_GE(test, fd, 0);
	ctx = eventfd_ctx_fdget(fd);
	KUNIT_EXPECT_EQ(test, vt_lockdep_splats(irqfd_may_add(env->vm, ctx)), 1);
	mutex_lock(&env->vm->eventfds_lock);
	KUNIT_EXPECT_EQ(test, vt_lockdep_splats(irqfd_may_add(env->vm, ctx)), 0);
	mutex_unlock(&env->vm->eventfds_lock);
	eventfd_ctx_put(ctx);
	kshim_eventfd_close(fd);
#else
	vt_need_host(test, "eventfds without a process");
#endif
}

static struct kunit_case lockdep_cases[] = {
	KUNIT_CASE(lockdep_lapic_set_irr_needs_lock),
	KUNIT_CASE(lockdep_irqfd_may_add_needs_lock),
	{}
};

static struct kunit_suite lockdep_suite = {
	.name = "vireo_lockdep",
	.exit = vt_suite_exit,
	.test_cases = lockdep_cases,
};

kunit_test_suite(lockdep_suite);
