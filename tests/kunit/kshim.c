// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the kernel shims (tests/kunit/include): allocation with
 * leak counters, the fake clock and its hrtimers, the fake CPU (CPUID,
 * XCR0, PKRU), fake eventfds behind a fake fd table, and the few kernel
 * functions the harness never runs (a call to one ends the case).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/anon_inodes.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/pkru.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "kshim.h"

/* ----------------------------------------------------------- WARN, BUG */

void kshim_warn(const char *file, int line, const char *cond)
{
	kshim_runner_warn(file, line, cond);
}

void kshim_bug(const char *file, int line, const char *what)
{
	kshim_runner_bug(file, line, what);	/* returns only outside a case */
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, what);
	abort();
}

/* ------------------------------------------------------------- lockdep */

static bool lockdep_expecting;	/* inside kshim_lockdep_expect(true) */
static int lockdep_splats;

void kshim_lockdep_check(bool held, bool want_held, const char *lock, const char *file,
			 int line)
{
	static char msg[200];

	if (held == want_held)
		return;
	if (lockdep_expecting) {
		lockdep_splats++;
		return;
	}
	snprintf(msg, sizeof(msg), "lockdep: %s %s", lock,
		 want_held ? "not held where the caller must hold it" : "held");
	kshim_warn(file, line, msg);
}

int kshim_lockdep_expect(bool on)
{
	int n = lockdep_splats;

	lockdep_expecting = on;
	lockdep_splats = 0;
	return n;
}

static void not_modelled(const char *fn)
{
	kshim_bug(__FILE__, __LINE__, fn);
}

#define NOT_MODELLED()	not_modelled(__func__)

/* -------------------------------------------------------------- memory */

static long kmalloc_blocks, pages;

void *kmalloc(size_t size, gfp_t flags)
{
	void *p = (flags & __GFP_ZERO) ? calloc(1, size ? size : 1) : malloc(size ? size : 1);

	if (p)
		kmalloc_blocks++;
	return p;
}

void kfree(const void *ptr)
{
	if (!ptr)
		return;
	kmalloc_blocks--;
	free((void *)ptr);
}

long kshim_kmalloc_outstanding(void)
{
	return kmalloc_blocks;
}

void *memdup_user(const void __user *src, size_t len)
{
	void *p;

	if (!src)
		return ERR_PTR(-EFAULT);
	p = kmalloc(len, GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	memcpy(p, src, len);
	return p;
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	if (!p)
		return 0;
	memset(p, 0, PAGE_SIZE);
	pages++;
	return (unsigned long)p;
}

void free_page(unsigned long addr)
{
	if (!addr)
		return;
	if (addr & (PAGE_SIZE - 1))
		kshim_bug(__FILE__, __LINE__, "free_page() of an unaligned address");
	pages--;
	free((void *)addr);
}

struct page *alloc_page(gfp_t gfp_mask)
{
	struct page *page = calloc(1, sizeof(*page));

	if (!page)
		return NULL;
	page->kshim_addr = (void *)get_zeroed_page(gfp_mask);
	if (!page->kshim_addr) {
		free(page);
		return NULL;
	}
	page->kshim_refs = 1;
	return page;
}

void __free_page(struct page *page)
{
	free_page((unsigned long)page->kshim_addr);
	free(page);
}

long kshim_pages_outstanding(void)
{
	return pages;
}

/* ---------------------------------------------------- clock, hrtimers */

static ktime_t now;
static LIST_HEAD(queued_timers);

ktime_t ktime_get(void)
{
	return now;
}

void hrtimer_setup(struct hrtimer *timer, enum hrtimer_restart (*function)(struct hrtimer *),
		   int clock_id, enum hrtimer_mode mode)
{
	memset(timer, 0, sizeof(*timer));
	timer->function = function;
}

static void timer_dequeue(struct hrtimer *timer)
{
	if (timer->queued) {
		list_del(&timer->link);
		timer->queued = false;
	}
}

void hrtimer_start(struct hrtimer *timer, ktime_t tim, enum hrtimer_mode mode)
{
	timer_dequeue(timer);
	timer->expires = mode == HRTIMER_MODE_REL ? now + tim : tim;
	list_add_tail(&timer->link, &queued_timers);
	timer->queued = true;
}

/* 1: was queued and is no longer, 0: was not queued, -1: its function runs. */
int hrtimer_try_to_cancel(struct hrtimer *timer)
{
	if (timer->running)
		return -1;
	if (!timer->queued)
		return 0;
	timer_dequeue(timer);
	return 1;
}

int hrtimer_cancel(struct hrtimer *timer)
{
	int r = hrtimer_try_to_cancel(timer);

	if (r < 0)	/* the kernel would wait for the callback: forever, here */
		kshim_bug(__FILE__, __LINE__, "hrtimer_cancel() from the timer's own function");
	return r;
}

/* Moves the expiry on by whole intervals until it is after now. */
u64 hrtimer_forward(struct hrtimer *timer, ktime_t t, ktime_t interval)
{
	u64 overruns = 0;

	if (interval <= 0)
		kshim_bug(__FILE__, __LINE__, "hrtimer_forward() by a non-positive interval");
	if (WARN_ON(timer->queued))	/* as the kernel's */
		return 0;
	while (timer->expires <= t) {
		timer->expires += interval;
		overruns++;
	}
	return overruns;
}

void kshim_clock_advance(u64 ns)
{
	ktime_t target = now + (ktime_t)ns;

	for (;;) {
		struct hrtimer *t, *first = NULL;
		enum hrtimer_restart r;

		list_for_each_entry(t, &queued_timers, link)
			if (t->expires <= target && (!first || t->expires < first->expires))
				first = t;
		if (!first)
			break;
		if (first->expires > now)
			now = first->expires;
		timer_dequeue(first);
		first->running = true;
		r = first->function(first);
		first->running = false;
		if (r == HRTIMER_RESTART && !first->queued) {
			if (first->expires <= now)
				kshim_bug(__FILE__, __LINE__, "HRTIMER_RESTART without moving the expiry");
			list_add_tail(&first->link, &queued_timers);
			first->queued = true;
		}
	}
	now = target;
}

int kshim_timers_forget(void)
{
	struct hrtimer *t, *n;
	int count = 0;

	list_for_each_entry_safe(t, n, &queued_timers, link) {
		list_del(&t->link);
		count++;
	}
	INIT_LIST_HEAD(&queued_timers);
	return count;
}

/* ------------------------------------------------------------ fake CPU */

unsigned int tsc_khz;
bool kshim_host_xsave, kshim_host_ospke, kshim_host_rdtscp, kshim_need_fpu_load;
u64 kshim_tsc_aux;
unsigned int kshim_tsc_aux_writes;
struct cpuinfo_x86 boot_cpu_data = { .x86_phys_bits = 46 };
u64 kshim_xcr0;
unsigned long kshim_xsetbv_calls;
u32 kshim_pkru;
unsigned long kshim_ipis_sent;

struct cpuid_leaf {
	unsigned int fn, idx;
	u32 regs[4];
};

static struct cpuid_leaf cpuid_table[128];
static unsigned int cpuid_n;

void kshim_cpuid_reset(void)
{
	cpuid_n = 0;
}

void kshim_cpuid_set(unsigned int fn, unsigned int idx, u32 eax, u32 ebx, u32 ecx, u32 edx)
{
	struct cpuid_leaf *l = NULL;
	unsigned int i;

	for (i = 0; i < cpuid_n; i++)
		if (cpuid_table[i].fn == fn && cpuid_table[i].idx == idx)
			l = &cpuid_table[i];
	if (!l) {
		if (cpuid_n == ARRAY_SIZE(cpuid_table))
			kshim_bug(__FILE__, __LINE__, "kshim_cpuid_set(): table full");
		l = &cpuid_table[cpuid_n++];
	}
	*l = (struct cpuid_leaf){ fn, idx, { eax, ebx, ecx, edx } };
}

void cpuid_count(unsigned int op, int count, unsigned int *eax, unsigned int *ebx,
		 unsigned int *ecx, unsigned int *edx)
{
	unsigned int i;

	*eax = *ebx = *ecx = *edx = 0;
	for (i = 0; i < cpuid_n; i++) {
		if (cpuid_table[i].fn == op && cpuid_table[i].idx == (unsigned int)count) {
			*eax = cpuid_table[i].regs[0];
			*ebx = cpuid_table[i].regs[1];
			*ecx = cpuid_table[i].regs[2];
			*edx = cpuid_table[i].regs[3];
		}
	}
}

void switch_fpu_return(void)
{
	kshim_need_fpu_load = false;
}

void smp_send_reschedule(int cpu)
{
	kshim_ipis_sent++;
}

int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	kshim_ipis_sent++;
	return 0;
}

/* ------------------------------------------- eventfds and the fd table */

struct eventfd_ctx {
	int refs;
	wait_queue_head_t wqh;
	__u64 count;
};

#define KSHIM_NR_FDS	16
#define KSHIM_FD_BASE	100	/* fd numbers handed out: 100, 101, ... */

static struct file files[KSHIM_NR_FDS];
static int file_refs[KSHIM_NR_FDS];	/* the fd's own reference and fdget()s */

static struct file *file_of(int fd)
{
	int i = fd - KSHIM_FD_BASE;

	if (i < 0 || i >= KSHIM_NR_FDS || !file_refs[i])
		return NULL;
	return &files[i];
}

static void ctx_put(struct eventfd_ctx *ctx)
{
	if (--ctx->refs == 0) {
		if (!list_empty(&ctx->wqh.head))
			kshim_bug(__FILE__, __LINE__, "eventfd freed with waiters queued");
		kfree(ctx);
	}
}

int kshim_eventfd_create(void)
{
	struct eventfd_ctx *ctx;
	int i;

	for (i = 0; i < KSHIM_NR_FDS && file_refs[i]; i++)
		;
	if (i == KSHIM_NR_FDS)
		kshim_bug(__FILE__, __LINE__, "kshim_eventfd_create(): fd table full");
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->refs = 1;
	init_waitqueue_head(&ctx->wqh);
	files[i].private_data = ctx;
	file_refs[i] = 1;
	return KSHIM_FD_BASE + i;
}

/* eventfd_release(): EPOLLHUP to the waiters, then the fd's reference goes. */
void kshim_eventfd_close(int fd)
{
	struct file *f = file_of(fd);
	struct eventfd_ctx *ctx;

	if (!f)
		kshim_bug(__FILE__, __LINE__, "kshim_eventfd_close() of a closed fd");
	ctx = f->private_data;
	__wake_up(&ctx->wqh, TASK_NORMAL, 0, poll_to_key(EPOLLHUP));
	fput(f);
}

__u64 kshim_eventfd_count(int fd)
{
	struct file *f = file_of(fd);

	return f ? ((struct eventfd_ctx *)f->private_data)->count : 0;
}

int kshim_eventfd_refs(int fd)
{
	struct file *f = file_of(fd);

	return f ? ((struct eventfd_ctx *)f->private_data)->refs : 0;
}

int kshim_eventfd_waiters(int fd)
{
	struct file *f = file_of(fd);
	struct eventfd_ctx *ctx;
	struct list_head *p;
	int n = 0;

	if (!f)
		return 0;
	ctx = f->private_data;
	for (p = ctx->wqh.head.next; p != &ctx->wqh.head; p = p->next)
		n++;
	return n;
}

struct fd fdget(unsigned int fd)
{
	struct file *f = file_of(fd);

	if (f)
		file_refs[f - files]++;
	return (struct fd){ .file = f };
}

void fput(struct file *file)
{
	int i = file - files;

	if (--file_refs[i] == 0) {
		ctx_put(file->private_data);
		file->private_data = NULL;
	}
}

struct eventfd_ctx *eventfd_ctx_fdget(int fd)
{
	struct fd f = fdget(fd);
	struct eventfd_ctx *ctx;

	if (!f.file)
		return ERR_PTR(-EBADF);
	ctx = f.file->private_data;
	ctx->refs++;
	fdput(f);
	return ctx;
}

void eventfd_ctx_put(struct eventfd_ctx *ctx)
{
	ctx_put(ctx);
}

/* Like fs/eventfd.c: the count grows and the waiters see EPOLLIN, locked. */
/* As since 6.8: adds 1, saturating like the kernel's. */
void eventfd_signal(struct eventfd_ctx *ctx)
{
	spin_lock(&ctx->wqh.lock);
	if (ctx->count != UINT64_MAX)
		ctx->count++;
	if (!list_empty(&ctx->wqh.head))
		__wake_up_locked_key(&ctx->wqh, TASK_NORMAL, poll_to_key(EPOLLIN));
	spin_unlock(&ctx->wqh.lock);
}

/* As fs/eventfd.c: the caller holds the wait queue's lock. */
void eventfd_ctx_do_read(struct eventfd_ctx *ctx, __u64 *cnt)
{
	lockdep_assert_held(&ctx->wqh.lock);
	*cnt = ctx->count;
	ctx->count = 0;
}

int eventfd_ctx_remove_wait_queue(struct eventfd_ctx *ctx, wait_queue_entry_t *wait, __u64 *cnt)
{
	spin_lock(&ctx->wqh.lock);
	eventfd_ctx_do_read(ctx, cnt);
	__remove_wait_queue(&ctx->wqh, wait);
	spin_unlock(&ctx->wqh.lock);
	return *cnt ? 0 : -EAGAIN;
}

/* eventfd_poll(): poll_wait() queues the caller, then the count is reported. */
__poll_t vfs_poll(struct file *file, struct poll_table_struct *pt)
{
	struct eventfd_ctx *ctx = file->private_data;

	if (pt && pt->_qproc)
		pt->_qproc(file, &ctx->wqh, pt);
	return READ_ONCE(ctx->count) ? EPOLLIN : 0;
}

/* ------------------------------------------ what the harness never runs */

struct module {
	int unused;
};
struct module kshim_this_module;
struct task_struct kshim_current_task;
static struct mm_struct kshim_mm;

int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv,
		     int flags)
{
	NOT_MODELLED();
	return -ENODEV;
}

bool fpu_alloc_guest_fpstate(struct fpu_guest *gfpu)
{
	NOT_MODELLED();
	return false;
}

void fpu_free_guest_fpstate(struct fpu_guest *gfpu)
{
	NOT_MODELLED();
}

int fpu_swap_kvm_fpstate(struct fpu_guest *gfpu, bool enter_guest)
{
	NOT_MODELLED();
	return -ENODEV;
}

void fpu_copy_guest_fpstate_to_uabi(struct fpu_guest *gfpu, void *buf, unsigned int size,
				    u64 xfeatures, u32 pkru)
{
	NOT_MODELLED();
}

int fpu_copy_uabi_to_guest_fpstate(struct fpu_guest *gfpu, const void *buf, u64 xcr0,
				   u32 *vpkru)
{
	NOT_MODELLED();
	return -ENODEV;
}

loff_t noop_llseek(struct file *file, loff_t offset, int whence)
{
	return 0;
}

long compat_ptr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	NOT_MODELLED();
	return -ENOTTY;
}

/* --------------------------------------------------------------- reset */

void kshim_reset(void)
{
	now = 0;
	kshim_timers_forget();
	tsc_khz = 1000000;		/* 1 GHz: one TSC tick per ns */
	kshim_host_xsave = true;
	kshim_host_ospke = false;
	kshim_host_rdtscp = false;
	kshim_tsc_aux = 0;
	kshim_tsc_aux_writes = 0;
	kshim_need_fpu_load = false;
	kshim_xcr0 = 0x7;		/* x87, SSE, AVX */
	kshim_xsetbv_calls = 0;
	kshim_pkru = 0;
	kshim_ipis_sent = 0;
	kshim_lockdep_expect(false);
	kshim_cpuid_reset();
	kshim_current_task = (struct task_struct){ .mm = &kshim_mm };
}

int kshim_eventfds_forget(void)
{
	int i, n = 0;

	for (i = 0; i < KSHIM_NR_FDS; i++) {
		if (file_refs[i]) {
			file_refs[i] = 0;
			n++;
		}
	}
	return n;
}
