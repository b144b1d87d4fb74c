// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the eventfd shortcuts (eventfd.c) as uapi vireo.h describes them.
 * VIREO_IRQFD: each signal of the eventfd delivers its MSI to the LAPICs;
 * VIREO_IOEVENTFD: a guest OUT of len bytes to the port (and of the value,
 * with DATAMATCH) signals the eventfd and completes without an exit.
 *
 * The eventfds are the host harness's (fs/eventfd.c's counter and wake-up
 * semantics, fds from a fake table): in a kernel these cases skip.
 */
#include <linux/eventfd.h>

#include "vireo_test.h"

#ifdef VIREO_KUNIT_HOST
static int new_eventfd(struct kunit *test)
{
	int fd = kshim_eventfd_create();

	KUNIT_ASSERT_GE(test, fd, 0);
	return fd;
}

/* What a write(2) of 1 to the eventfd does. */
static void signal_fd(int fd)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);

	eventfd_signal(ctx);
	eventfd_ctx_put(ctx);
}
#else
static int new_eventfd(struct kunit *test)
{
	return -1;
}

static void signal_fd(int fd)
{
}

static int kshim_eventfd_refs(int fd)
{
	return 0;
}

static int kshim_eventfd_waiters(int fd)
{
	return 0;
}

static u64 kshim_eventfd_count(int fd)
{
	return 0;
}

static void kshim_eventfd_close(int fd)
{
}
#endif

static struct vt_env *fd_env(struct kunit *test, bool lapic)
{
	vt_need_host(test, "eventfds without a process");
	return vt_env_new(test, 2, lapic);
}

static struct vireo_ioeventfd iofd(int fd, u16 port, u32 len)
{
	return (struct vireo_ioeventfd){
		.addr = port, .len = len, .fd = fd, .flags = VIREO_IOEVENTFD_PIO,
	};
}

static void ioeventfd_rejects_bad_requests(struct kunit *test)
{
	struct vt_env *env = fd_env(test, false);
	int fd = new_eventfd(test);
	struct vireo_ioeventfd a;

	a = iofd(fd, 0x500, 2);
	a.reserved = 1;
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0x500, 2);
	a.flags = 0;				/* port I/O is required */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0x500, 2);
	a.flags |= 1U << 7;
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0, 2);
	a.addr = 0x10000;			/* ports are 16 bits */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0x500, 3);
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0x500, 8);
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd, 0x500, 1);
	a.flags |= VIREO_IOEVENTFD_DATAMATCH;
	a.datamatch = 0x100;			/* wider than the access */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EINVAL);
	a = iofd(fd + 1, 0x500, 2);		/* not an open fd */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EBADF);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd), 1);	/* no reference kept */
	kshim_eventfd_close(fd);
}

/* An OUT of the registered port and size signals, and completes in the kernel. */
static void ioeventfd_signals_matching_out(struct kunit *test)
{
	struct vt_env *env = fd_env(test, false);
	struct vireo_vcpu *vcpu = env->vcpu[0];
	int fd = new_eventfd(test);
	struct vireo_ioeventfd a = iofd(fd, 0x500, 2);
	struct vireo_exit_io out = { .direction = VIREO_IO_OUT, .size = 2, .port = 0x500 };

	KUNIT_ASSERT_EQ(test, vireo_ioeventfd(env->vm, &a), 0);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd), 2);
	KUNIT_EXPECT_TRUE(test, vireo_ioeventfd_signal(env->vm, 0x500, 2, 0x1234));
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 1ULL);
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x500, 1, 0x12));
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x500, 4, 0x1234));
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x501, 2, 0x1234));
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 1ULL);

	/* through the exit handler: no exit, RIP past the OUT */
	vcpu->regs[VIREO_REG_RIP] = 0x100;
	vcpu->regs[VIREO_REG_RAX] = 0xffff0001;
	KUNIT_EXPECT_EQ(test, vireo_handle_io(vcpu, &out, 0x102), 0);
	KUNIT_EXPECT_EQ(test, vcpu->regs[VIREO_REG_RIP], 0x102ULL);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 2ULL);
	/* an IN of the port is not a notification */
	out.direction = VIREO_IO_IN;
	KUNIT_EXPECT_EQ(test, vireo_handle_io(vcpu, &out, 0x102), 1);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 2ULL);

	kshim_eventfd_close(fd);		/* the entry keeps the eventfd */
	KUNIT_EXPECT_TRUE(test, vireo_ioeventfd_signal(env->vm, 0x500, 2, 0));
}

/* DATAMATCH: only that value; entries for one port must not overlap. */
static void ioeventfd_datamatch(struct kunit *test)
{
	struct vt_env *env = fd_env(test, false);
	int fd1 = new_eventfd(test), fd2 = new_eventfd(test);
	struct vireo_ioeventfd a = iofd(fd1, 0x600, 4), b = iofd(fd2, 0x600, 4), c;

	a.flags |= VIREO_IOEVENTFD_DATAMATCH;
	a.datamatch = 0x1;
	b.flags |= VIREO_IOEVENTFD_DATAMATCH;
	b.datamatch = 0x2;
	KUNIT_ASSERT_EQ(test, vireo_ioeventfd(env->vm, &a), 0);
	KUNIT_ASSERT_EQ(test, vireo_ioeventfd(env->vm, &b), 0);
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -EEXIST);
	c = iofd(fd2, 0x600, 4);		/* any value: overlaps both */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &c), -EEXIST);
	c = iofd(fd2, 0x600, 2);		/* another size is another match */
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &c), 0);

	KUNIT_EXPECT_TRUE(test, vireo_ioeventfd_signal(env->vm, 0x600, 4, 0x2));
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd2), 1ULL);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd1), 0ULL);
	KUNIT_EXPECT_TRUE(test, vireo_ioeventfd_signal(env->vm, 0x600, 4, 0x1));
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd1), 1ULL);
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x600, 4, 0x3));
	kshim_eventfd_close(fd1);
	kshim_eventfd_close(fd2);
}

/* DEASSIGN removes the entries of that fd and port and drops their references. */
static void ioeventfd_deassign(struct kunit *test)
{
	struct vt_env *env = fd_env(test, false);
	int fd = new_eventfd(test);
	struct vireo_ioeventfd a = iofd(fd, 0x700, 1);

	KUNIT_ASSERT_EQ(test, vireo_ioeventfd(env->vm, &a), 0);
	a.flags |= VIREO_IOEVENTFD_DEASSIGN;
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), 0);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd), 1);
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x700, 1, 0));
	KUNIT_EXPECT_EQ(test, vireo_ioeventfd(env->vm, &a), -ENOENT);
	kshim_eventfd_close(fd);
}

static struct vireo_irqfd irqfd(int fd, u8 dest, u8 vector)
{
	return (struct vireo_irqfd){
		.fd = fd, .msi_address = VT_APIC_DEFAULT_BASE | (u64)dest << 12,
		.msi_data = vector,
	};
}

static void irqfd_rejects_bad_requests(struct kunit *test)
{
	struct vt_env *env = fd_env(test, true);
	int fd = new_eventfd(test);
	struct vireo_irqfd a;

	a = irqfd(fd, 0, 0x40);
	a.reserved = 1;
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -EINVAL);
	a = irqfd(fd, 0, 0x40);
	a.flags = 1U << 5;
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -EINVAL);
	a = irqfd(fd, 0, 0x40);
	a.msi_address = 0xfed00000;		/* not an interrupt message */
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -EINVAL);
	a = irqfd(fd, 0, 0x40);
	a.msi_address |= 1ULL << 32;		/* memory above 4 GiB (SDM 11.11.1) */
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -EINVAL);
	a = irqfd(fd + 3, 0, 0x40);
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -EBADF);
	a = irqfd(fd, 0, 0x40);
	a.flags = VIREO_IRQFD_DEASSIGN;		/* not assigned */
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -ENOENT);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd), 1);

	env->vm->lapic_enabled = false;		/* no in-kernel LAPIC: no irqfd */
	a = irqfd(fd, 0, 0x40);
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), -ENXIO);
	env->vm->lapic_enabled = true;
	kshim_eventfd_close(fd);
}

/* Each signal delivers the MSI (SDM 11.11) to the LAPIC it names. */
static void irqfd_delivers_msi(struct kunit *test)
{
	struct vt_env *env = fd_env(test, true);
	struct vireo_vcpu *v1 = env->vcpu[1];
	int fd = new_eventfd(test);
	struct vireo_irqfd a = irqfd(fd, 1, 0x45);

	vt_apic_enable(test, env->vcpu[0]);
	vt_apic_enable(test, v1);
	KUNIT_ASSERT_EQ(test, vireo_irqfd(env->vm, &a), 0);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_waiters(fd), 1);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), -1);

	signal_fd(fd);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x45);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), -1);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 0ULL);	/* consumed */

	vireo_lapic_ack(v1, 0x45);
	vt_apic_set(test, v1, VT_APIC_EOI, 0);
	signal_fd(fd);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(v1), 0x45);

	/* closing the fd leaves the entry until deassign or VM teardown */
	kshim_eventfd_close(fd);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_waiters(fd), 0);
}

/* DEASSIGN unhooks the eventfd: signals no longer deliver. */
static void irqfd_deassign(struct kunit *test)
{
	struct vt_env *env = fd_env(test, true);
	int fd = new_eventfd(test);
	struct vireo_irqfd a = irqfd(fd, 0, 0x46);

	vt_apic_enable(test, env->vcpu[0]);
	KUNIT_ASSERT_EQ(test, vireo_irqfd(env->vm, &a), 0);
	a.flags = VIREO_IRQFD_DEASSIGN;
	KUNIT_EXPECT_EQ(test, vireo_irqfd(env->vm, &a), 0);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_waiters(fd), 0);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd), 1);
	signal_fd(fd);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), -1);
	kshim_eventfd_close(fd);
}

/* VM teardown drops every irqfd and ioeventfd with their references. */
static void eventfds_release_all(struct kunit *test)
{
	struct vt_env *env = fd_env(test, true);
	int fd1 = new_eventfd(test), fd2 = new_eventfd(test);
	struct vireo_irqfd a = irqfd(fd1, 0, 0x47);
	struct vireo_ioeventfd b = iofd(fd2, 0x800, 4);

	KUNIT_ASSERT_EQ(test, vireo_irqfd(env->vm, &a), 0);
	KUNIT_ASSERT_EQ(test, vireo_ioeventfd(env->vm, &b), 0);
	vireo_eventfds_release(env->vm);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd1), 1);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_refs(fd2), 1);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_waiters(fd1), 0);
	KUNIT_EXPECT_FALSE(test, vireo_ioeventfd_signal(env->vm, 0x800, 4, 0));
	kshim_eventfd_close(fd1);
	kshim_eventfd_close(fd2);
}

/*
 * uapi: "Writes made before we were listening count too": an eventfd
 * signalled before VIREO_IRQFD delivers at once.  fs/eventfd.c requires
 * eventfd_ctx_do_read() under the eventfd's wait-queue lock.
 */
static void irqfd_signalled_before_assign(struct kunit *test)
{
	struct vt_env *env = fd_env(test, true);
	struct vireo_irqfd a;
	int fd;

	fd = new_eventfd(test);
	a = irqfd(fd, 0, 0x48);
	vt_apic_enable(test, env->vcpu[0]);
	signal_fd(fd);
	KUNIT_ASSERT_EQ(test, vireo_irqfd(env->vm, &a), 0);
	KUNIT_EXPECT_EQ(test, vireo_lapic_pending(env->vcpu[0]), 0x48);
	KUNIT_EXPECT_EQ(test, kshim_eventfd_count(fd), 0ULL);
	kshim_eventfd_close(fd);
}

static void eventfd_exit(struct kunit *test)
{
	vt_suite_exit(test);
}

static struct kunit_case eventfd_cases[] = {
	KUNIT_CASE(ioeventfd_rejects_bad_requests),
	KUNIT_CASE(ioeventfd_signals_matching_out),
	KUNIT_CASE(ioeventfd_datamatch),
	KUNIT_CASE(ioeventfd_deassign),
	KUNIT_CASE(irqfd_rejects_bad_requests),
	KUNIT_CASE(irqfd_delivers_msi),
	KUNIT_CASE(irqfd_deassign),
	KUNIT_CASE(eventfds_release_all),
	KUNIT_CASE(irqfd_signalled_before_assign),
	{}
};

static struct kunit_suite eventfd_suite = {
	.name = "vireo_eventfd",
	.exit = eventfd_exit,
	.test_cases = eventfd_cases,
};

kunit_test_suite(eventfd_suite);
