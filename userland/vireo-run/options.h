/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run command line: the parsed options and the parsers the unit
 * tests exercise one by one (sizes, addresses, --cpuid specs).
 */
#ifndef VIREO_RUN_OPTIONS_H
#define VIREO_RUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vireo.h>

#define VIREO_MAX_LOADS		16
#define VIREO_DEFAULT_MEM	(16ULL << 20)
/* RAM is one slot at GPA 0; it must stay below the PCI/MMIO hole. */
#define VIREO_MAX_MEM		(3ULL << 30)
#define VIREO_DEFAULT_LOAD_GPA	0x100000ULL
#define VIREO_DEFAULT_MMIO_TEST	0xd0000000ULL

enum vireo_boot_mode {
	VIREO_BOOT_REAL = 0,
	VIREO_BOOT_PROTECTED,
	VIREO_BOOT_LONG,
};

struct vireo_load {
	const char *path;	/* points into argv */
	uint64_t gpa;
};

struct vireo_options {
	uint64_t mem_size;
	struct vireo_load loads[VIREO_MAX_LOADS];
	unsigned int nr_loads;
	enum vireo_boot_mode mode;
	bool has_entry;
	uint64_t entry;		/* default: the first --load's GPA */
	struct vireo_cpuid_entry cpuid[VIREO_MAX_CPUID_ENTRIES];
	unsigned int nr_cpuid;	/* --cpuid overrides, in order */
	int irq_on_hlt;		/* vector, or -1 */
	uint64_t mmio_test_gpa;
	bool stats;
	bool help;
};

/*
 * A size: decimal, 0x hex or 0 octal, with an optional K, M or G suffix
 * (powers of 1024, either case).  0 or -EINVAL (junk, overflow).
 */
int vireo_parse_size(const char *s, uint64_t *out);

/* An address: like a size (so "1M" is 0x100000). */
int vireo_parse_addr(const char *s, uint64_t *out);

/* "LEAF[.SUBLEAF]=EAX,EBX,ECX,EDX" into a CPUID entry. */
int vireo_parse_cpuid_spec(const char *s, struct vireo_cpuid_entry *e);

/*
 * Parse argv.  Returns 0, or -EINVAL with a message (without program name
 * or newline) in err.  Checks everything that does not need the kernel:
 * sizes, ranges, mode/entry constraints.
 */
int vireo_options_parse(int argc, char **argv, struct vireo_options *opts, char *err,
			size_t errlen);

void vireo_usage(FILE *f);

#endif /* VIREO_RUN_OPTIONS_H */
