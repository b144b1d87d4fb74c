/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what vireo-bench and kvm-bench share, so that the two runners
 * differ only in the ioctls they make.  Header-only (static functions): each
 * runner is one .c file.
 *
 * The guest (bench.asm) announces phases by writing 1..5 to BENCH_MARK_PORT;
 * the runner stamps CLOCK_MONOTONIC at each marker exit.  Phase 1..2 is N
 * CPUIDs, 2..3 N OUTs to BENCH_WORK_PORT, 3..4 N ORs into the MMIO device
 * register (bench_mmio_access), 4..5 N iterations of AVX work with an OUT
 * each.  Each round restarts the guest; the best (lowest) round per phase is
 * reported, the usual choice for a cost that noise can only increase.
 *
 * Output, one line: BENCH <name> cpuid_ns=<f> pio_ns=<f> mmio_or_ns=<f>
 * avx_exit_ns=<f|skip> n=<N> rounds=<R>; "skip" when the vCPU's CPUID offers
 * no AVX, with the reason on a line of its own.
 */
#ifndef VIREO_BENCH_H
#define VIREO_BENCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MARK_PORT		0x500
#define BENCH_WORK_PORT		0x501
/*
 * The guest's verdicts: BENCH_STATUS_NO_AVX (the AVX phase is skipped), or
 * BENCH_STATUS_YMM_LOST + k (YMMk did not come back from the exits intact).
 */
#define BENCH_STATUS_PORT	0x502
#define BENCH_STATUS_NO_AVX	0x01
#define BENCH_STATUS_YMM_LOST	0x10
/*
 * The device register the guest ORs into: no RAM behind it, so every OR
 * exits.  bench.asm has the same address and mask.
 */
#define BENCH_MMIO_GPA		0xd0000000UL
#define BENCH_MMIO_OR_MASK	0x00f0000fU
/* The XCR0 of the AVX phase: x87 | SSE | AVX (SDM vol. 1 13.3). */
#define BENCH_XCR0_AVX		0x7U
#define BENCH_ENTRY		0x100000UL
#define BENCH_MEM_SIZE		(4UL << 20)	/* image at 1 MiB, stack below */
#define BENCH_STACK		0x7fff0UL
#define BENCH_GDT_GPA		0x8000UL
#define BENCH_DEFAULT_N		100000UL
#define BENCH_DEFAULT_ROUNDS	5

/* Flat GDT: null, 0x08 32-bit code, 0x10 data (base 0, 4 GiB). */
static const uint64_t bench_gdt[3] = {
	0,
	0x00cf9b000000ffffULL,
	0x00cf93000000ffffULL,
};

/*
 * The CPUID leaf 0 both runners install, so both kernels answer alike; the
 * other leaves are leaf 1 and leaf 0xD from the kernel's supported table
 * (bench_wants_leaf), which the AVX phase needs: XSAVE, AVX, XCR0 bits.
 */
#define BENCH_CPUID0_EAX	0xd
#define BENCH_CPUID0_EBX	0x636e6542	/* "Benc" */
#define BENCH_CPUID0_EDX	0x55504368	/* "hCPU" */
#define BENCH_CPUID0_ECX	0x20202020	/* "    " */
/* Leaf 0 as an initializer of either ABI's CPUID entry (same field names). */
#define BENCH_CPUID0_ENTRY { .function = 0, .eax = BENCH_CPUID0_EAX, .ebx = BENCH_CPUID0_EBX, \
			     .ecx = BENCH_CPUID0_ECX, .edx = BENCH_CPUID0_EDX }

/* The leaves of a kernel's supported CPUID table a runner passes on. */
static bool bench_wants_leaf(uint32_t function)
{
	return function == 1 || function == 0xd;
}

struct bench_opts {
	unsigned long n;
	int rounds;
	const char *image;
};

#define BENCH_MARKS		5

/*
 * The MMIO device: each read returns a new value, and the write that follows
 * must be that value ORed with BENCH_MMIO_OR_MASK, or the emulator got the
 * OR wrong.  KVM's emulator reads and writes in two exits, libvireo's in one
 * exit; both reach this device as a read then a write.
 */
struct bench_mmio {
	uint32_t seq;		/* reads so far, the value generator */
	uint32_t last_read;
	bool read_pending;	/* a read not yet followed by its write */
	unsigned long ors;	/* completed read-write pairs */
};

struct bench_round {
	int next;		/* the marker expected next: 1..5, then 6 = done */
	struct timespec t[BENCH_MARKS + 1];	/* t[1..5]: stamps at markers 1..5 */
	struct bench_mmio mmio;
	bool avx_skipped;	/* the guest said BENCH_STATUS_NO_AVX */
	char error[160];	/* why the round failed (bench_port_out, bench_mmio_access) */
};

struct bench_result {
	/* best round, ns per instruction (per loop iteration for AVX) */
	double cpuid_ns, pio_ns, mmio_or_ns, avx_exit_ns;
	bool avx_skipped;
};

static void bench_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n N] [-r ROUNDS] [-g IMAGE]\n"
		"  -n  iterations per phase: CPUIDs, OUTs, ORs, AVX loops (default %lu)\n"
		"  -r  rounds; the best is reported (default %d)\n"
		"  -g  the bench guest (default $VIREO_GUESTS/bench.bin, else "
		"/vireo/guests/bench.bin)\n",
		prog, BENCH_DEFAULT_N, BENCH_DEFAULT_ROUNDS);
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	static char path[4096];
	const char *dir = getenv("VIREO_GUESTS");
	int opt;

	o->n = BENCH_DEFAULT_N;
	o->rounds = BENCH_DEFAULT_ROUNDS;
	snprintf(path, sizeof(path), "%s/bench.bin", dir ? dir : "/vireo/guests");
	o->image = path;
	while ((opt = getopt(argc, argv, "n:r:g:")) != -1) {
		switch (opt) {
		case 'n':
			o->n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 'g':
			o->image = optarg;
			break;
		default:
			bench_usage(argv[0]);
			return -1;
		}
	}
	if (o->n < 1 || o->n > 0xffffffffUL || o->rounds < 1) {
		bench_usage(argv[0]);
		return -1;
	}
	return 0;
}

/* Reads the guest image into buf (size bytes); returns its length or -errno. */
static long bench_read_image(const char *path, void *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	long ret;

	if (!f)
		return -errno;
	n = fread(buf, 1, size, f);
	if (ferror(f))
		ret = -EIO;
	else if (!feof(f))
		ret = -E2BIG;		/* more bytes than room */
	else
		ret = (long)n;
	fclose(f);
	return ret;
}

/*
 * What both runners do first: parse the command line (status 2 on a bad
 * one) and make the guest's RAM, BENCH_MEM_SIZE anonymous bytes with the
 * image at BENCH_ENTRY and bench_gdt at BENCH_GDT_GPA (status 1, with
 * the reason, when that fails).
 */
static char *bench_start(int argc, char **argv, struct bench_opts *o, const char *prog)
{
	const char *what = "mmap guest RAM";
	char *mem;
	long len;

	if (bench_parse(argc, argv, o) < 0)
		exit(2);
	mem = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		goto fail;
	len = bench_read_image(o->image, mem + BENCH_ENTRY, BENCH_MEM_SIZE - BENCH_ENTRY);
	if (len < 0) {
		what = o->image;
		errno = (int)-len;
		goto fail;
	}
	memcpy(mem + BENCH_GDT_GPA, bench_gdt, sizeof(bench_gdt));
	return mem;
fail:
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/*
 * Flat 32-bit protected mode at BENCH_ENTRY with ESI = n, on a struct
 * kvm_sregs/kvm_regs or vireo_sregs/vireo_regs (the same field names):
 * macros, so that one text serves both ABIs.
 */
#define BENCH_FLAT_SEG(seg, sel, type_)						\
	do {									\
		memset(&(seg), 0, sizeof(seg));					\
		(seg).limit = 0xffffffff;					\
		(seg).selector = (sel);						\
		(seg).type = (type_);						\
		(seg).present = 1;						\
		(seg).s = 1;							\
		(seg).db = 1;							\
		(seg).g = 1;							\
	} while (0)

#define BENCH_PROTECTED_MODE(sregs, regs, n)					\
	do {									\
		BENCH_FLAT_SEG((sregs).cs, 0x08, 0xb);				\
		BENCH_FLAT_SEG((sregs).ds, 0x10, 0x3);				\
		(sregs).es = (sregs).fs = (sregs).gs = (sregs).ss = (sregs).ds;	\
		(sregs).gdt.base = BENCH_GDT_GPA;				\
		(sregs).gdt.limit = sizeof(bench_gdt) - 1;			\
		(sregs).cr0 = 0x11;	/* PE | ET */				\
		(sregs).cr4 = 0;						\
		(sregs).efer = 0;						\
		memset(&(regs), 0, sizeof(regs));				\
		(regs).rip = BENCH_ENTRY;					\
		(regs).rsp = BENCH_STACK;					\
		(regs).rsi = (n);						\
		(regs).rflags = 0x2;						\
	} while (0)

static void bench_round_start(struct bench_round *r)
{
	memset(r, 0, sizeof(*r));
	r->next = 1;
}

/* A write to BENCH_MARK_PORT: stamp it.  -EPROTO on a marker out of order. */
static int bench_mark(struct bench_round *r, unsigned int value)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((int)value != r->next || value > BENCH_MARKS) {
		snprintf(r->error, sizeof(r->error), "marker %u out of order (expected %d)",
			 value, r->next);
		return -EPROTO;
	}
	r->t[value] = now;
	r->next++;
	return 0;
}

/* A guest OUT of one byte: a marker, the work port or a verdict.  -EPROTO: stop. */
static int bench_port_out(struct bench_round *r, uint16_t port, uint8_t value)
{
	switch (port) {
	case BENCH_MARK_PORT:
		return bench_mark(r, value);
	case BENCH_WORK_PORT:
		return 0;
	case BENCH_STATUS_PORT:
		if (value == BENCH_STATUS_NO_AVX) {
			r->avx_skipped = true;
			return 0;
		}
		if (value >= BENCH_STATUS_YMM_LOST && value < BENCH_STATUS_YMM_LOST + 8)
			snprintf(r->error, sizeof(r->error),
				 "YMM%u lost its value across the AVX phase's exits",
				 value - BENCH_STATUS_YMM_LOST);
		else
			snprintf(r->error, sizeof(r->error), "unknown guest status 0x%x", value);
		return -EPROTO;
	}
	snprintf(r->error, sizeof(r->error), "OUT to unexpected port 0x%x", port);
	return -EPROTO;
}

/* The device register's next read value: varied, so a wrong OR shows. */
static uint32_t bench_mmio_value(uint32_t seq)
{
	return (seq * 0x9e3779b9U) ^ (seq >> 5);
}

/*
 * The guest's access to the MMIO register: a 4-byte read, then the 4-byte
 * write of OR's result.  -EPROTO (with r->error) for anything else.
 */
static int bench_mmio_access(struct bench_round *r, uint64_t gpa, unsigned int size,
			     bool is_write, uint64_t *data)
{
	struct bench_mmio *m = &r->mmio;

	if (gpa != BENCH_MMIO_GPA || size != 4) {
		snprintf(r->error, sizeof(r->error), "MMIO %s of %u bytes at 0x%llx",
			 is_write ? "write" : "read", size, (unsigned long long)gpa);
		return -EPROTO;
	}
	if (!is_write) {
		if (m->read_pending) {
			snprintf(r->error, sizeof(r->error), "MMIO read %u without its write",
				 m->seq);
			return -EPROTO;
		}
		m->last_read = bench_mmio_value(m->seq++);
		m->read_pending = true;
		*data = m->last_read;
		return 0;
	}
	if (!m->read_pending || (uint32_t)*data != (m->last_read | BENCH_MMIO_OR_MASK)) {
		snprintf(r->error, sizeof(r->error),
			 "MMIO write 0x%08x, OR of the read 0x%08x and 0x%08x is 0x%08x%s",
			 (uint32_t)*data, m->last_read, BENCH_MMIO_OR_MASK,
			 m->last_read | BENCH_MMIO_OR_MASK,
			 m->read_pending ? "" : " (and no read came first)");
		return -EPROTO;
	}
	m->read_pending = false;
	m->ors++;
	return 0;
}

static double bench_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

static void bench_keep_best(double *best, double v, int first)
{
	if (first || v < *best)
		*best = v;
}

/* Folds a finished round into the best-so-far result; -EPROTO with r->error. */
static int bench_round_end(struct bench_round *r, unsigned long n, int first,
			   struct bench_result *best)
{
	if (r->next != BENCH_MARKS + 1) {
		snprintf(r->error, sizeof(r->error), "guest halted before marker %d", r->next);
		return -EPROTO;
	}
	if (r->mmio.ors != n || r->mmio.read_pending) {
		snprintf(r->error, sizeof(r->error), "%lu MMIO ORs completed, %lu expected",
			 r->mmio.ors, n);
		return -EPROTO;
	}
	bench_keep_best(&best->cpuid_ns, bench_ns(&r->t[1], &r->t[2]) / n, first);
	bench_keep_best(&best->pio_ns, bench_ns(&r->t[2], &r->t[3]) / n, first);
	bench_keep_best(&best->mmio_or_ns, bench_ns(&r->t[3], &r->t[4]) / n, first);
	bench_keep_best(&best->avx_exit_ns, bench_ns(&r->t[4], &r->t[5]) / n, first);
	best->avx_skipped = r->avx_skipped;
	return 0;
}

/* What the guest checks before its AVX phase (bench.asm). */
#define BENCH_NO_AVX_REASON "the vCPU's CPUID offers no AVX (1:ECX XSAVE, AVX; 0DH.0:EAX bit 2)"

static void bench_print(const char *name, const struct bench_opts *o,
			const struct bench_result *res)
{
	char avx[32] = "skip";

	if (res->avx_skipped)
		printf("%s-bench: avx_exit_ns skipped: %s\n", name, BENCH_NO_AVX_REASON);
	else
		snprintf(avx, sizeof(avx), "%.1f", res->avx_exit_ns);
	printf("BENCH %s cpuid_ns=%.1f pio_ns=%.1f mmio_or_ns=%.1f avx_exit_ns=%s n=%lu rounds=%d\n",
	       name, res->cpuid_ns, res->pio_ns, res->mmio_or_ns, avx, o->n, o->rounds);
	fflush(stdout);
}

#endif /* VIREO_BENCH_H */
