/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfuzz: a fuzzer of vireo.ko's ioctl interface (tests/kfuzz/README.md).
 *
 * One seed is one program: a sequence of calls (ioctls on /dev/vireo, VM,
 * vCPU and eventfd fds, plus mmap/munmap/close/fork/guest-code writes)
 * drawn from a PRNG seeded with it.  Each program runs in a process of
 * its own; the supervisor (super.c) forks it, may SIGKILL it at a moment
 * also drawn from the seed, and checks that it goes away.  The judge
 * (judge.c) reads the kernel log and the pin counters around the run.
 *
 * Files, one job each:
 *   main.c   options, the summary
 *   super.c  the supervisor: fork per program, kill, stuck detection
 *   judge.c  kernel log scan (/dev/kmsg), pinned pages and memory figures
 *   exec.c   one program: its objects, threads (runners, watchdog), RUN and
 *            the answers to exits, tracing and counting of calls
 *   gen.c    the call table: every ioctl of vireo.h and every action, each
 *            drawing its arguments (well- and ill-formed)
 *   guest.c  guest memory: layout, mode set-up, instruction snippets
 */
#ifndef KFUZZ_H
#define KFUZZ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo.h>

/* ------------------------------------------------------------ PRNG */

/* splitmix64: tiny, fast, and every seed gives a different stream. */
struct kf_rng {
	uint64_t s;
};

static inline uint64_t kf_rand(struct kf_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t kf_below(struct kf_rng *r, uint64_t n)
{
	return n ? kf_rand(r) % n : 0;
}

static inline bool kf_pct(struct kf_rng *r, unsigned int pct)
{
	return kf_below(r, 100) < pct;
}

static inline void kf_rng_init(struct kf_rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0x2545f4914f6cdd1dULL + stream * 0x9e3779b97f4a7c15ULL + 1;
	kf_rand(r);
}

/* A value from the usual boundaries (0, 1, 2^n +-1, ~0, ...) or random. */
uint64_t kf_boundary(struct kf_rng *r);

/* ------------------------------------------------------------ options */

/*
 * Known problems (FINDINGS.md) the generator avoids unless asked for them
 * with --known: each is one bit, so that --known=dr7 picks one.  The two
 * kernel bugs of issue 25 (EFER.LME, F1; the 1 TiB slot, F2) are fixed
 * and no longer avoided.
 */
#define KF_KNOWN_DR7		(1U << 2)	/* guest DR breakpoints crash QEMU's L1 (SVM leg) */
#define KF_KNOWN_VM86		(1U << 3)	/* virtual-8086 guests crash QEMU's L1 (SVM leg) */
#define KF_KNOWN_ALL		(KF_KNOWN_DR7 | KF_KNOWN_VM86)
/* Known problems of QEMU's L1 only, not of Bochs's: allowed on VMX. */
#define KF_KNOWN_QEMU		(KF_KNOWN_DR7 | KF_KNOWN_VM86)

struct kf_opts {
	const char *dev;	/* /dev/vireo */
	bool trace;		/* print every call */
	bool dump_fail;		/* print the state a RUN started from when it fails entry */
	unsigned int known;	/* KF_KNOWN_* allowed */
	unsigned int max_calls;	/* calls per program (upper bound) */
	unsigned int kill_pct;	/* programs SIGKILLed at a random moment */
	unsigned int deadline_ms;	/* a program's wall-time budget */
	unsigned int stuck_ms;	/* not reaped this long after SIGKILL: stuck */
	unsigned int slow;	/* emulator slowness factor (Bochs: 5) */
	int seed_log;		/* fd: each seed written before it runs, or -1 */
	const char *snippets;	/* only these guest snippets (comma list), or NULL */
	unsigned int runners;	/* runner threads a program may start at once */
	uint32_t backend;	/* enum vireo_backend, from VIREO_GET_CAPS */
};

/* ------------------------------------------------------------ statistics */

#define KF_MAX_UNKNOWN	32
#define KF_NR_EXITS	16	/* exit reasons 0..11, the rest counted at 15 */

/* Counters shared by every program process (MAP_SHARED, atomic adds). */
struct kf_stats {
	uint64_t programs, killed, overtime, stuck, slow_exit, crashed;
	uint64_t calls, calls_ok;
	uint64_t runs, runs_ok;
	uint64_t exits[KF_NR_EXITS];
	uint64_t internal_suberror[4];
	uint64_t per_call[64], per_call_ok[64];
	uint64_t hung_ioctls;	/* an ioctl that ignored kicks for hang_ns */
	uint64_t hung_seed;
	/*
	 * Hardware exit codes of VIREO_EXIT_UNKNOWN and FAIL_ENTRY, filled
	 * lock-free (a program may die holding nothing): key = code + 1.
	 */
	struct kf_code_count {
		uint64_t key, count, seed;
	} unknown[KF_MAX_UNKNOWN], fail_entry[KF_MAX_UNKNOWN];
};

static inline void kf_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ a program */

#define KF_MAX_OBJS	40
#define KF_MAX_MEMS	12
#define KF_MAX_SLOTS	24
#define KF_MAX_THREADS	6
#define KF_MAX_SNIPS	96

enum kf_kind {
	KF_SYS,		/* /dev/vireo */
	KF_VM,
	KF_VCPU,
	KF_EVENTFD,
	KF_NR_KINDS,
};

enum kf_mode {
	KF_MODE_RESET,		/* as created: CS:IP f000:fff0 */
	KF_MODE_REAL,		/* CS=0, code at KF_CODE_GPA */
	KF_MODE_PROT,		/* flat 32-bit */
	KF_MODE_LONG,		/* 64-bit, identity map of the first GiB */
	KF_NR_MODES,
};

/* Guest memory layout at GPA 0 of a VM's code slot (guest.c). */
#define KF_IVT_GPA	0x0000
#define KF_GDT_GPA	0x1000
#define KF_GDTR_GPA	0x1800	/* pseudo-descriptors for LGDT/LIDT */
#define KF_PML4_GPA	0x2000
#define KF_PDPT_GPA	0x3000
#define KF_PD_GPA	0x4000
#define KF_IDT_GPA	0x5000
#define KF_STUB_GPA	0x6000	/* exception stubs */
#define KF_STACK_TOP	0x7ff0
#define KF_CODE_GPA	0x8000
#define KF_CODE_MIN	0x10000	/* smallest code slot */

#define KF_SEL_CODE32	0x08
#define KF_SEL_DATA	0x10
#define KF_SEL_CODE64	0x18
#define KF_SEL_CODE16	0x20
#define KF_SEL_TSS	0x28

struct kf_obj {
	int fd;
	enum kf_kind kind;
	bool open;		/* closed ones stay as stale fd numbers */
	int vm;			/* vCPU: its VM's object index */
	uint32_t vcpu_id;
	struct vireo_run *run;	/* vCPU: mapped run page, or NULL */
	enum kf_mode mode;	/* vCPU: the mode it was last set up for */
	/* VM only: */
	int code_mem;		/* kf_mem backing the slot at GPA 0, or -1 */
	bool lapic;
	uint32_t snips[KF_MAX_SNIPS];	/* snippet starts (GPA) in the code */
	int nsnips;
};

struct kf_mem {
	uint8_t *addr;
	size_t size;
	bool mapped;
	bool readonly;
};

struct kf_slot {
	int vm;			/* object index */
	uint32_t slot;
	uint64_t gpa, size;
	bool live;
};

struct kf_thread {
	pthread_t tid;
	bool used;
	int index;
	/* Written by the thread, read by the watchdog. */
	uint64_t enter_ns;	/* 0: not in an ioctl */
	uint64_t last_kick_ns;
	const char *call;	/* name of the ioctl in progress */
	bool hang_reported;
};

struct kf_prog {
	uint64_t seed;
	const struct kf_opts *o;
	struct kf_stats *st;
	struct kf_rng rng;		/* the main thread's */
	struct vireo_caps caps;
	bool have_caps;

	pthread_mutex_t lock;		/* objs/mems/slots vs runner spawn */
	struct kf_obj objs[KF_MAX_OBJS];
	int nobjs;
	struct kf_mem mems[KF_MAX_MEMS];
	int nmems;
	struct kf_slot slots[KF_MAX_SLOTS];
	int nslots;

	/* Pages for ill-formed pointers. */
	uint8_t *ro_page;		/* PROT_READ */
	uint8_t *hole;			/* a page with no access (PROT_NONE) */
	uint8_t *edge;			/* last RW page before the hole */

	struct kf_thread threads[KF_MAX_THREADS];
	pthread_mutex_t wd_lock;	/* threads[].used vs the watchdog's kicks */
	pthread_t watchdog;
	volatile bool stop;		/* runners end */
	volatile bool wd_stop;
	uint64_t kick_ns;		/* kick an ioctl after this long */
	uint64_t hang_ns;		/* report one still there after this */
	unsigned int ncalls;		/* calls made (main thread) */
	int children;			/* forked */
};

/* ------------------------------------------------------------ exec.c */

/*
 * ioctl through the watchdog: registers the calling thread as "in a
 * call" so that it is kicked (SIGUSR1, pthread_kill) when it stays too
 * long, counts the call, returns the result or -errno.
 */
long kf_ioctl(struct kf_prog *p, int tid, const char *name, int fd, unsigned long req,
	      unsigned long arg);

/* What a RUN needs of a vCPU, copied so that runner threads own it. */
struct kf_vcpu_view {
	int obj;		/* object index (main thread) or -1 */
	int fd;
	struct vireo_run *run;	/* may be NULL: exits are then not seen */
	enum kf_mode mode;
	uint32_t snips[KF_MAX_SNIPS];
	int nsnips;
};

void kf_vcpu_view(struct kf_prog *p, int obj, struct kf_vcpu_view *v);

/* One VIREO_RUN and the answer to its exit; returns the ioctl's result. */
long kf_run_once(struct kf_prog *p, struct kf_rng *r, int tid, struct kf_vcpu_view *v,
		 char *desc, size_t n);

/* fork() with the program's fds open: the child pokes them and exits. */
long kf_fork_child(struct kf_prog *p, struct kf_rng *r, char *desc, size_t n);

/* Starts a thread looping VIREO_RUN on vCPU object obj; -1 if none free. */
int kf_spawn_runner(struct kf_prog *p, int obj, unsigned int runs);

/* Stops and joins every runner. */
void kf_join_runners(struct kf_prog *p);

void kf_trace(struct kf_prog *p, int tid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Runs program seed in this process (the supervisor's child); returns 0. */
int kf_program(uint64_t seed, const struct kf_opts *o, struct kf_stats *st);

/* Counts one exit in the shared statistics. */
void kf_count_exit(struct kf_prog *p, const struct vireo_run *run);

const char *kf_exit_name(uint32_t reason);

/* ------------------------------------------------------------ gen.c */

struct kf_call_desc {
	const char *name;
	unsigned int weight;	/* relative frequency in the random part */
	/* Draws arguments, makes the call, writes a description; result or -errno. */
	long (*fn)(struct kf_prog *p, struct kf_rng *r, char *desc, size_t n);
};

extern const struct kf_call_desc kf_calls[];
extern const int kf_nr_calls;

/* The well-formed start most programs get (open, VM, slot, vCPU, mode). */
void kf_gen_setup(struct kf_prog *p);

/* One random call from the table; returns its index. */
int kf_gen_call(struct kf_prog *p);

/* Object helpers shared with exec.c. */
int kf_obj_add(struct kf_prog *p, int fd, enum kf_kind kind);
int kf_obj_pick(struct kf_prog *p, struct kf_rng *r, enum kf_kind kind, bool open_only);

/* ------------------------------------------------------------ guest.c */

/* Fills the VM's code slot: tables, stubs and random snippets for mode. */
void kf_guest_fill(struct kf_prog *p, struct kf_rng *r, int vm, enum kf_mode mode,
		   char *desc, size_t n);

/* The TR type kf_guest_sregs() uses, chosen once per program (guest.c). */

/* Well-formed sregs/regs for mode (the code slot must be filled for it). */
void kf_guest_sregs(enum kf_mode mode, struct vireo_sregs *sr);
void kf_guest_regs(struct kf_rng *r, enum kf_mode mode, struct vireo_regs *regs);

/* An interesting MSR index (guest.c's list) or a random one. */
uint32_t kf_msr_index(struct kf_rng *r);

/* ------------------------------------------------------------ judge.c */

struct kf_snapshot {
	long long pins_acquired, pins_released;	/* /proc/vmstat nr_foll_pin_* */
	long long mem_available_kb, mem_free_kb;
	bool have_pins;
};

int kf_kmsg_open(void);				/* positioned at the end */
/* Reads new kernel log lines; prints the bad ones; returns how many. */
int kf_kmsg_scan(int fd, uint64_t seed_lo, uint64_t seed_hi, bool quiet);
void kf_snapshot(struct kf_snapshot *s);

/* ------------------------------------------------------------ super.c */

struct kf_run_result {
	uint64_t programs;
	uint64_t bad_log_lines;
	uint64_t stuck;
	uint64_t pin_leaks;
	uint64_t first_bad_seed, first_stuck_seed, first_pin_seed;
};

/* Runs seeds [first, first + count) or until deadline (0: none). */
void kf_supervise(const struct kf_opts *o, struct kf_stats *st, uint64_t first,
		  uint64_t count, uint64_t deadline_ns, int kmsg, struct kf_run_result *res);

uint64_t kf_now_ns(void);

#endif /* KFUZZ_H */
