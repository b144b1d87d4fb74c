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
#include <vireo/error.h>

#include "net/spec.h"

#define VIREO_MAX_LOADS		16
#define VIREO_DEFAULT_MEM	(16ULL << 20)
/* RAM is one slot at GPA 0; it must stay below the PCI/MMIO hole. */
#define VIREO_MAX_MEM		(3ULL << 30)
#define VIREO_DEFAULT_LOAD_GPA	0x100000ULL
#define VIREO_DEFAULT_MMIO_TEST	0xd0000000ULL

/* The PC machine (--kernel). */
#define VIREO_PC_DEFAULT_MEM	(256ULL << 20)
#define VIREO_PC_MIN_MEM	(16ULL << 20)
#define VIREO_PC_MAX_MEM	(1ULL << 40)
#define VIREO_PC_MAX_DISKS	8
#define VIREO_PC_MAX_NICS	4
#define VIREO_PC_MAX_CPUS	VIREO_MAX_VCPUS
/* --debug-exit PORT: QEMU's isa-debug-exit, whose iosize defaults to 2. */
#define VIREO_PC_DEBUG_EXIT_IOSIZE	2

enum vireo_boot_mode {
	VIREO_BOOT_REAL = 0,
	VIREO_BOOT_PROTECTED,
	VIREO_BOOT_LONG,
};

struct vireo_load {
	const char *path;	/* points into argv */
	uint64_t gpa;
};

enum vireo_disk_fmt_opt {
	VIREO_DISK_FMT_AUTO = 0,	/* qcow2 if the magic says so, else raw */
	VIREO_DISK_FMT_RAW,
	VIREO_DISK_FMT_QCOW2,
};

/* --disk FILE[,ro][,format=raw|qcow2] */
struct vireo_disk_opt {
	const char *path;	/* points into argv */
	bool readonly;
	enum vireo_disk_fmt_opt format;
};

/*
 * --net nat[,mac=MAC][,hostfwd=RULE]... or tap,ifname=NAME[,mac=MAC]
 * (net/spec.h has the grammar).  ifname, has_mac and mac repeat spec's
 * for the code that predates NAT; ifname is "" for nat.
 */
struct vireo_net_opt {
	struct vireo_net_spec spec;
	char ifname[VIREO_NET_IFNAMSIZ];
	bool has_mac;
	uint8_t mac[6];
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
	const char *cpu_model;	/* --cpu MODEL[,-FEATURE]... (cpu_model.h), or NULL: host */
	int irq_on_hlt;		/* vector, or -1 */
	uint64_t mmio_test_gpa;
	bool stats;
	bool help;
	bool version;

	/* The PC machine: set when --kernel is given (pc is then true). */
	bool pc;
	const char *kernel;
	const char *initrd;	/* NULL: none */
	const char *append;	/* NULL: empty command line */
	unsigned int cpus;	/* default 1 */
	bool mem_given;
	struct vireo_disk_opt disks[VIREO_PC_MAX_DISKS];
	unsigned int nr_disks;
	struct vireo_net_opt nets[VIREO_PC_MAX_NICS];
	unsigned int nr_nets;
	bool console;		/* serial console on stdin/stdout */
	bool verbose;		/* notes on stderr: unemulated MSRs, device faults */
	bool vga;		/* --vga: the standard VGA (display/vga_pci.h) */
	int debug_exit_port;	/* --debug-exit PORT[,iosize=N]; -1: none */
	unsigned int debug_exit_size;	/* ports from debug_exit_port: 1, 2 or 4 */

	/* Run by `vireo start` (docs/vm-definition.md); NULL when not given. */
	const char *name;	/* --name: for messages and query-status */
	const char *lock;	/* --lock: the machine lock, taken first of all */
	const char *control;	/* --control: the control socket (needs --kernel) */
	const char *console_socket;	/* --console-socket: the serial console's socket */
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
 * "FILE[,ro][,format=raw|qcow2]", ",," in FILE for a literal comma
 * (QEMU's convention, vmlib/optsplit.h); 0 or -EINVAL.  Edits s in place.
 */
int vireo_parse_disk_spec(char *s, struct vireo_disk_opt *d);

/*
 * A --net argument (net/spec.h: nat or tap); 0, or -EINVAL with a message
 * naming what is wrong.  s is not edited.
 */
int vireo_parse_net_spec(const char *s, struct vireo_net_opt *n, GError **error);

/* "PORT[,iosize=1|2|4]" (--debug-exit); 0 or -EINVAL. */
int vireo_parse_debug_exit(const char *s, int *port, unsigned int *iosize);

/* "52:54:00:12:34:56" */
int vireo_parse_mac(const char *s, uint8_t mac[6]);

/*
 * Parse argv.  Returns 0, or -EINVAL with a message (without program name
 * or newline).  Checks everything that does not need the kernel:
 * sizes, ranges, mode/entry constraints.
 */
int vireo_options_parse(int argc, char **argv, struct vireo_options *opts, GError **error);

void vireo_usage(FILE *f);

#endif /* VIREO_RUN_OPTIONS_H */
