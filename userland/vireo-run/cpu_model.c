// SPDX-License-Identifier: GPL-2.0
/*
 * CPU models: feature names, the x86-64 micro-architecture levels of the
 * System V psABI (x86-64-v2: CMPXCHG16B, LAHF/SAHF, POPCNT, SSE3, SSE4.1,
 * SSE4.2, SSSE3; -v3: AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE,
 * XSAVE; -v4: AVX512F, BW, CD, DQ, VL), and what each feature needs.
 * Bits: Intel SDM vol. 2 CPUID, AMD APM vol. 3 appendix E.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cpu_model.h"

enum { EAX, EBX, ECX, EDX };

/* Level 0: not an ISA level's (kept by every model); 5: beyond v4. */
#define BEYOND	5

struct cpu_feature {
	const char *name;
	unsigned int fn, idx, reg, bit;
	int level;
	const char *needs;	/* taken away with this one */
	int xstate;		/* XSAVE components (bits of CPUID.(0DH,0):EAX) it brings, or -1 */
};

static const struct cpu_feature features[] = {
	{ "fpu", 1, 0, EDX, 0, 1, NULL, -1 },
	{ "cx8", 1, 0, EDX, 8, 1, NULL, -1 },
	{ "cmov", 1, 0, EDX, 15, 1, NULL, -1 },
	{ "mmx", 1, 0, EDX, 23, 1, NULL, -1 },
	{ "fxsr", 1, 0, EDX, 24, 1, NULL, -1 },
	{ "sse", 1, 0, EDX, 25, 1, NULL, -1 },
	{ "sse2", 1, 0, EDX, 26, 1, NULL, -1 },
	{ "syscall", 0x80000001, 0, EDX, 11, 1, NULL, -1 },
	{ "lm", 0x80000001, 0, EDX, 29, 1, NULL, -1 },
	{ "sse3", 1, 0, ECX, 0, 2, NULL, -1 },
	{ "ssse3", 1, 0, ECX, 9, 2, "sse3", -1 },
	{ "cx16", 1, 0, ECX, 13, 2, NULL, -1 },
	{ "sse4_1", 1, 0, ECX, 19, 2, "ssse3", -1 },
	{ "sse4_2", 1, 0, ECX, 20, 2, "sse4_1", -1 },
	{ "popcnt", 1, 0, ECX, 23, 2, NULL, -1 },
	{ "lahf_lm", 0x80000001, 0, ECX, 0, 2, NULL, -1 },
	{ "xsave", 1, 0, ECX, 26, 3, NULL, -1 },
	{ "avx", 1, 0, ECX, 28, 3, "xsave", 1 << 2 },
	{ "fma", 1, 0, ECX, 12, 3, "avx", -1 },
	{ "f16c", 1, 0, ECX, 29, 3, "avx", -1 },
	{ "movbe", 1, 0, ECX, 22, 3, NULL, -1 },
	{ "abm", 0x80000001, 0, ECX, 5, 3, NULL, -1 },	/* LZCNT */
	{ "bmi1", 7, 0, EBX, 3, 3, NULL, -1 },
	{ "avx2", 7, 0, EBX, 5, 3, "avx", -1 },
	{ "bmi2", 7, 0, EBX, 8, 3, NULL, -1 },
	{ "avx512f", 7, 0, EBX, 16, 4, "avx2", 7 << 5 },
	{ "avx512dq", 7, 0, EBX, 17, 4, "avx512f", -1 },
	{ "avx512cd", 7, 0, EBX, 28, 4, "avx512f", -1 },
	{ "avx512bw", 7, 0, EBX, 30, 4, "avx512f", -1 },
	{ "avx512vl", 7, 0, EBX, 31, 4, "avx512f", -1 },
	{ "avx512ifma", 7, 0, EBX, 21, BEYOND, "avx512f", -1 },
	{ "avx512vbmi", 7, 0, ECX, 1, BEYOND, "avx512f", -1 },
	{ "avx512vnni", 7, 0, ECX, 11, BEYOND, "avx512f", -1 },
	{ "avx512bitalg", 7, 0, ECX, 12, BEYOND, "avx512f", -1 },
	{ "avx512vpopcntdq", 7, 0, ECX, 14, BEYOND, "avx512f", -1 },
	{ "avx512vbmi2", 7, 0, ECX, 6, BEYOND, "avx512f", -1 },
	{ "avx512pf", 7, 0, EBX, 26, BEYOND, "avx512f", -1 },
	{ "avx512er", 7, 0, EBX, 27, BEYOND, "avx512f", -1 },
	{ "avx512-vp2intersect", 7, 0, EDX, 8, BEYOND, "avx512f", -1 },
	{ "avx512-fp16", 7, 0, EDX, 23, BEYOND, "avx512f", -1 },
	{ "pclmulqdq", 1, 0, ECX, 1, BEYOND, NULL, -1 },
	{ "aes", 1, 0, ECX, 25, BEYOND, NULL, -1 },
	{ "rdrand", 1, 0, ECX, 30, BEYOND, NULL, -1 },
	{ "rdseed", 7, 0, EBX, 18, BEYOND, NULL, -1 },
	{ "adx", 7, 0, EBX, 19, BEYOND, NULL, -1 },
	{ "sha", 7, 0, EBX, 29, BEYOND, NULL, -1 },
	{ "gfni", 7, 0, ECX, 8, BEYOND, NULL, -1 },
	{ "vaes", 7, 0, ECX, 9, BEYOND, "avx", -1 },
	{ "vpclmulqdq", 7, 0, ECX, 10, BEYOND, "avx", -1 },
	{ "sse4a", 0x80000001, 0, ECX, 6, BEYOND, NULL, -1 },
	{ "xop", 0x80000001, 0, ECX, 11, BEYOND, "avx", -1 },
	{ "fma4", 0x80000001, 0, ECX, 16, BEYOND, "avx", -1 },
	{ "tbm", 0x80000001, 0, ECX, 21, BEYOND, NULL, -1 },
	/* Not an ISA level's: kept by the models, taken away by name only. */
	{ "x2apic", 1, 0, ECX, 21, 0, NULL, -1 },
	{ "tsc-deadline", 1, 0, ECX, 24, 0, NULL, -1 },
	{ "pcid", 1, 0, ECX, 17, 0, NULL, -1 },
	{ "erms", 7, 0, EBX, 9, 0, NULL, -1 },
	{ "fsgsbase", 7, 0, EBX, 0, 0, NULL, -1 },
	{ "smep", 7, 0, EBX, 7, 0, NULL, -1 },
	{ "smap", 7, 0, EBX, 20, 0, NULL, -1 },
	{ "umip", 7, 0, ECX, 2, 0, NULL, -1 },
	{ "pdpe1gb", 0x80000001, 0, EDX, 26, 0, NULL, -1 },
	{ "rdtscp", 0x80000001, 0, EDX, 27, 0, NULL, -1 },
	{ "rdpid", 7, 0, ECX, 22, 0, NULL, -1 },
	{ "pku", 7, 0, ECX, 3, 0, NULL, 1 << 9 },	/* and the PKRU state component */
};

#define NR_FEATURES (sizeof(features) / sizeof(features[0]))

static const struct cpu_feature *feature_named(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_FEATURES; i++)
		if (strlen(features[i].name) == len && !strncmp(features[i].name, name, len))
			return &features[i];
	return NULL;
}

static struct vireo_cpuid_entry *entry_for(struct vireo_cpuid_entry *e, unsigned int n,
					   unsigned int fn, unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!(e[i].flags & VIREO_CPUID_FLAG_INDEXED) || e[i].index == idx))
			return &e[i];
	return NULL;
}

static uint32_t *reg_of(struct vireo_cpuid_entry *c, unsigned int reg)
{
	return reg == EAX ? &c->eax : reg == EBX ? &c->ebx : reg == ECX ? &c->ecx : &c->edx;
}

static bool has(struct vireo_cpuid_entry *e, unsigned int n, const struct cpu_feature *f)
{
	struct vireo_cpuid_entry *c = entry_for(e, n, f->fn, f->idx);

	return c && (*reg_of(c, f->reg) & (1U << f->bit));
}

/* Takes f away, and its XSAVE components with it. */
static void take_away(struct vireo_cpuid_entry *e, unsigned int n, const struct cpu_feature *f)
{
	struct vireo_cpuid_entry *c = entry_for(e, n, f->fn, f->idx);
	unsigned int i;

	if (c)
		*reg_of(c, f->reg) &= ~(1U << f->bit);
	if (f->xstate > 0) {
		c = entry_for(e, n, 0xd, 0);
		if (c)
			c->eax &= ~(uint32_t)f->xstate;
		for (i = 0; i < n; i++)
			if (e[i].function == 0xd && e[i].index >= 2 && e[i].index < 32 &&
			    (f->xstate & (1 << e[i].index)))
				e[i].eax = e[i].ebx = e[i].ecx = e[i].edx = 0;
	}
	if (!strcmp(f->name, "xsave")) {
		/* No XSAVE: leaf 0xD describes nothing (SDM vol. 1 13.2). */
		for (i = 0; i < n; i++)
			if (e[i].function == 0xd)
				e[i].eax = e[i].ebx = e[i].ecx = e[i].edx = 0;
	}
}

/* Takes away whatever needs a feature no longer there, until nothing changes. */
static void drop_orphans(struct vireo_cpuid_entry *e, unsigned int n)
{
	bool changed = true;
	size_t i;

	while (changed) {
		changed = false;
		for (i = 0; i < NR_FEATURES; i++) {
			const struct cpu_feature *f = &features[i], *need;

			if (!f->needs || !has(e, n, f))
				continue;
			need = feature_named(f->needs, strlen(f->needs));
			if (need && !has(e, n, need)) {
				take_away(e, n, f);
				changed = true;
			}
		}
	}
}

static int parse_level(const char *model, size_t len)
{
	if (len == 4 && !strncmp(model, "host", 4))
		return 0;
	if (len == 9 && !strncmp(model, "x86-64-v", 8) && model[8] >= '1' && model[8] <= '4')
		return model[8] - '0';
	return -1;
}

int vireo_cpu_model_apply(const char *spec, struct vireo_cpuid_entry *e, unsigned int n,
			  GError **error)
{
	const char *p = strchr(spec, ','), *item;
	size_t len = p ? (size_t)(p - spec) : strlen(spec), i;
	int level = parse_level(spec, len);

	if (level < 0)
		return vireo_error_set(error, EINVAL,
				       "--cpu: unknown model '%.*s' (host, x86-64-v1 ... x86-64-v4)",
				       (int)len, spec);
	/* The names first, so that a misspelling changes nothing. */
	for (item = p; item; item = strchr(item + 1, ',')) {
		const char *name = item + 1, *end = strchr(name, ',');
		size_t nlen = end ? (size_t)(end - name) : strlen(name);

		if (*name != '-')
			return vireo_error_set(error, EINVAL,
					       "--cpu: '%.*s': features can only be taken away ('-NAME'): vireo.ko offers what the host allows",
					       (int)nlen, name);
		if (!feature_named(name + 1, nlen - 1))
			return vireo_error_set(error, EINVAL, "--cpu: unknown feature '%.*s'",
					       (int)nlen - 1, name + 1);
	}
	if (!e)
		return 0;

	if (level) {
		for (i = 0; i < NR_FEATURES; i++) {
			if (features[i].level >= 1 && features[i].level <= level &&
			    !has(e, n, &features[i])) {
				return vireo_error_set(error, EINVAL,
						       "--cpu x86-64-v%d: this host (or vireo.ko) does not offer %s",
						       level, features[i].name);
			}
		}
		for (i = 0; i < NR_FEATURES; i++)
			if (features[i].level > level)
				take_away(e, n, &features[i]);
	}
	for (item = p; item; item = strchr(item + 1, ',')) {
		const char *name = item + 2, *end = strchr(name, ',');
		size_t nlen = end ? (size_t)(end - name) : strlen(name);

		take_away(e, n, feature_named(name, nlen));
	}
	drop_orphans(e, n);
	return 0;
}
