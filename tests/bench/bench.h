/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what vireo-bench and kvm-bench share, so that the two runners
 * differ only in the ioctls they make.  Header-only (static functions): each
 * runner is one .c file.
 *
 * The guest (bench.asm) announces phases by writing 1, 2, 3 to BENCH_MARK_PORT;
 * the runner stamps CLOCK_MONOTONIC at each marker exit.  Phase 1..2 is N
 * CPUIDs, phase 2..3 is N OUTs to BENCH_WORK_PORT.  Each round restarts the
 * guest; the best (lowest) round per phase is reported, the usual choice for
 * a cost that noise can only increase.
 *
 * Output, one line: BENCH <name> cpuid_ns=<f> pio_ns=<f> n=<N> rounds=<R>
 */
#ifndef VIREO_BENCH_H
#define VIREO_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MARK_PORT		0x500
#define BENCH_WORK_PORT		0x501
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

/* The CPUID leaf 0 both runners install, so both kernels answer alike. */
#define BENCH_CPUID0_EAX	0x1
#define BENCH_CPUID0_EBX	0x636e6542	/* "Benc" */
#define BENCH_CPUID0_EDX	0x55504368	/* "hCPU" */
#define BENCH_CPUID0_ECX	0x20202020	/* "    " */

struct bench_opts {
	unsigned long n;
	int rounds;
	const char *image;
};

struct bench_round {
	int next;		/* the marker expected next: 1, 2, 3, then 4 = done */
	struct timespec t[4];	/* t[1..3]: stamps at markers 1..3 */
};

struct bench_result {
	double cpuid_ns, pio_ns;	/* best round, ns per instruction */
};

static void bench_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n N] [-r ROUNDS] [-g IMAGE]\n"
		"  -n  CPUID and OUT instructions per phase (default %lu)\n"
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
	if ((int)value != r->next || value > 3)
		return -EPROTO;
	r->t[value] = now;
	r->next++;
	return 0;
}

static double bench_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e9 + (b->tv_nsec - a->tv_nsec);
}

/* Folds a finished round into the best-so-far result. */
static int bench_round_end(const struct bench_round *r, unsigned long n, int first,
			   struct bench_result *best)
{
	double c, p;

	if (r->next != 4)
		return -EPROTO;
	c = bench_ns(&r->t[1], &r->t[2]) / n;
	p = bench_ns(&r->t[2], &r->t[3]) / n;
	if (first || c < best->cpuid_ns)
		best->cpuid_ns = c;
	if (first || p < best->pio_ns)
		best->pio_ns = p;
	return 0;
}

static void bench_print(const char *name, const struct bench_opts *o,
			const struct bench_result *res)
{
	printf("BENCH %s cpuid_ns=%.1f pio_ns=%.1f n=%lu rounds=%d\n", name, res->cpuid_ns,
	       res->pio_ns, o->n, o->rounds);
	fflush(stdout);
}

#endif /* VIREO_BENCH_H */
