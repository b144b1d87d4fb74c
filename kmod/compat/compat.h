/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels vireo.ko builds against
 * (Debian 12's 6.1 to sid's newest), in one place.  Kbuild force-includes
 * this file before every source file; compat-autoconf.h holds the answers
 * of the feature tests in conftest.sh for the kernel being built for.  The
 * code uses one spelling of each API; what an older or newer kernel lacks
 * is supplied here.
 */
#ifndef VIREO_COMPAT_H
#define VIREO_COMPAT_H

#include "compat-autoconf.h"

#include <linux/types.h>
#include <asm/msr.h>
#include <asm/asm.h>

#ifdef VIREO_HAVE_ASM_CPUID_API_H
#include <asm/cpuid/api.h>
#else
#include <asm/processor.h>
#endif

/*
 * smp_send_reschedule() is a macro that traces through trace_ipi_send_cpu
 * (6.3 on), declared by this header, which older kernels have too.
 */
#include <trace/events/ipi.h>

/* 6.16 renamed the 64-bit MSR accessors rdmsrq()/wrmsrq(). */
#ifndef VIREO_HAVE_RDMSRQ
#define rdmsrq(msr, val)	rdmsrl(msr, val)
#define wrmsrq(msr, val)	wrmsrl(msr, val)
#endif

/* Flag outputs of inline asm, as <asm/asm.h> had them. */
#ifndef VIREO_HAVE_CC_SET
#define CC_SET(c)	"\n\t/* output condition code " #c "*/\n"
#define CC_OUT(c)	"=@cc" #c
#endif

/*
 * The code uses the newest spelling of each API below; an older kernel
 * gets it here.  The header is included first so that its own
 * declarations are read before a macro of the same name exists.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/hrtimer.h>

/* 6.8: eventfd_signal() lost its count argument (always 1 here). */
#ifndef VIREO_HAVE_EVENTFD_SIGNAL_ONE_ARG
#define eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/* 6.12: struct fd's file is read through fd_file(). */
#ifndef VIREO_HAVE_FD_FILE
#define fd_file(f)	((f).file)
#endif

/* 6.8: the fd's file taken out of the table is file_close_fd()'s. */
#include <linux/fdtable.h>
#ifndef VIREO_HAVE_FILE_CLOSE_FD
#define file_close_fd(fd)	close_fd_get_file(fd)
#endif

/* 6.13: hrtimer_setup() initialises a timer with its callback. */
#ifndef VIREO_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * struct syscore and callbacks that take its data: older kernels register
 * a bare struct syscore_ops whose callbacks take nothing.  vireo.ko
 * registers one syscore; a trampoline carries it to the old interface.
 */
#include <linux/syscore_ops.h>
#ifndef VIREO_HAVE_REGISTER_SYSCORE
struct vireo_syscore_ops {
	int (*suspend)(void *data);
	void (*resume)(void *data);
	void (*shutdown)(void *data);
};

struct syscore {
	const struct vireo_syscore_ops *ops;
	void *data;
};

static struct syscore *vireo_compat_syscore __maybe_unused;

static inline int vireo_compat_syscore_suspend(void)
{
	struct syscore *s = vireo_compat_syscore;

	return s && s->ops->suspend ? s->ops->suspend(s->data) : 0;
}

static inline void vireo_compat_syscore_resume(void)
{
	struct syscore *s = vireo_compat_syscore;

	if (s && s->ops->resume)
		s->ops->resume(s->data);
}

static struct syscore_ops vireo_compat_syscore_ops __maybe_unused = {
	.suspend = vireo_compat_syscore_suspend,
	.resume = vireo_compat_syscore_resume,
};

static inline void register_syscore(struct syscore *s)
{
	vireo_compat_syscore = s;
	register_syscore_ops(&vireo_compat_syscore_ops);
}

static inline void unregister_syscore(struct syscore *s)
{
	unregister_syscore_ops(&vireo_compat_syscore_ops);
	vireo_compat_syscore = NULL;
}

/* The code's struct syscore_ops is the data-taking one. */
#define syscore_ops vireo_syscore_ops
#endif

#endif /* VIREO_COMPAT_H */
