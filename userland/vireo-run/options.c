// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run command-line parsing and the --help text.  The test suite
 * drives vireo-run through this interface, so the option names, defaults
 * and exit statuses documented in vireo_usage() are a contract.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_model.h"
#include "options.h"
#include "boot.h"
#include "status.h"
#include "vmlib/optsplit.h"

/* strtoull with every error made visible, plus an optional suffix. */
static int parse_number(const char *s, bool suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (suffix && *end) {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		end++;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int vireo_parse_size(const char *s, uint64_t *out)
{
	return parse_number(s, true, out);
}

int vireo_parse_addr(const char *s, uint64_t *out)
{
	return parse_number(s, true, out);
}

static int parse_u32(const char *s, size_t len, uint32_t *out)
{
	char buf[32];
	uint64_t v;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (parse_number(buf, false, &v) || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int vireo_parse_cpuid_spec(const char *s, struct vireo_cpuid_entry *e)
{
	const char *eq = strchr(s, '='), *dot, *p;
	uint32_t *regs[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };
	unsigned int i;

	memset(e, 0, sizeof(*e));
	if (!eq)
		return -EINVAL;
	dot = memchr(s, '.', eq - s);
	if (dot) {
		if (parse_u32(s, dot - s, &e->function) ||
		    parse_u32(dot + 1, eq - dot - 1, &e->index))
			return -EINVAL;
		e->flags = VIREO_CPUID_FLAG_INDEXED;
	} else if (parse_u32(s, eq - s, &e->function)) {
		return -EINVAL;
	}
	p = eq + 1;
	for (i = 0; i < 4; i++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if ((i < 3) != (comma != NULL))
			return -EINVAL;	/* exactly four values */
		if (parse_u32(p, len, regs[i]))
			return -EINVAL;
		p += len + 1;
	}
	return 0;
}

int vireo_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++) {
		char *end;
		unsigned long v;

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		v = strtoul(s, &end, 16);
		if (end != s + 2 || v > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v;
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	/* A multicast address cannot be a NIC's. */
	return mac[0] & 1 ? -EINVAL : 0;
}

int vireo_parse_disk_spec(char *s, struct vireo_disk_opt *d)
{
	char *opt, *rest;

	memset(d, 0, sizeof(*d));
	/* The path first, with ",," for a literal comma (vmlib/optsplit.h). */
	d->path = s;
	rest = vireo_opt_take_field(s);
	if (!*d->path)
		return -EINVAL;
	while (rest) {
		opt = rest;
		rest = strchr(rest, ',');
		if (rest)
			*rest++ = 0;
		if (!strcmp(opt, "ro"))
			d->readonly = true;
		else if (!strcmp(opt, "rw"))
			d->readonly = false;
		else if (!strcmp(opt, "format=raw"))
			d->format = VIREO_DISK_FMT_RAW;
		else if (!strcmp(opt, "format=qcow2"))
			d->format = VIREO_DISK_FMT_QCOW2;
		else
			return -EINVAL;
	}
	return 0;
}

int vireo_parse_net_spec(const char *s, struct vireo_net_opt *n, GError **error)
{
	int r;

	memset(n, 0, sizeof(*n));
	r = vireo_net_spec_parse(s, &n->spec, error);
	if (r)
		return r;
	if (n->spec.kind == VIREO_NET_TAP)
		memcpy(n->ifname, n->spec.ifname, sizeof(n->ifname));
	n->has_mac = n->spec.has_mac;
	memcpy(n->mac, n->spec.mac, sizeof(n->mac));
	return 0;
}

int vireo_parse_debug_exit(const char *s, int *port, unsigned int *iosize)
{
	const char *comma = strchr(s, ',');
	uint32_t p;
	uint64_t n;

	if (parse_u32(s, comma ? (size_t)(comma - s) : strlen(s), &p) || p > 0xffff)
		return -EINVAL;
	n = VIREO_PC_DEBUG_EXIT_IOSIZE;
	if (comma && (strncmp(comma + 1, "iosize=", 7) || parse_number(comma + 8, false, &n)))
		return -EINVAL;
	if ((n != 1 && n != 2 && n != 4) || p + n > 0x10000)
		return -EINVAL;
	*port = (int)p;
	*iosize = (unsigned int)n;
	return 0;
}

static int parse_load(const char *arg, struct vireo_load *load)
{
	const char *at = strrchr(arg, '@');

	if (!at) {
		load->path = arg;
		load->gpa = VIREO_DEFAULT_LOAD_GPA;
		return 0;
	}
	if (at == arg)
		return -EINVAL;
	/* The path is NUL-terminated at the '@': argv is ours to edit. */
	*(char *)at = 0;
	load->path = arg;
	return vireo_parse_addr(at + 1, &load->gpa);
}

enum {
	OPT_MEM = 256,
	OPT_LOAD,
	OPT_MODE,
	OPT_ENTRY,
	OPT_CPUID,
	OPT_CPU,
	OPT_IRQ_ON_HLT,
	OPT_MMIO_TEST,
	OPT_STATS,
	OPT_HELP,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_CPUS,
	OPT_DISK,
	OPT_NET,
	OPT_CONSOLE,
	OPT_VERBOSE,
	OPT_NAME,
	OPT_LOCK,
	OPT_CONTROL,
	OPT_VERSION,
	OPT_CONSOLE_SOCKET,
	OPT_DEBUG_EXIT,
	OPT_VGA,
};

static const struct option long_options[] = {
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "cpuid", required_argument, NULL, OPT_CPUID },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "irq-on-hlt", required_argument, NULL, OPT_IRQ_ON_HLT },
	{ "mmio-test", required_argument, NULL, OPT_MMIO_TEST },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "console", optional_argument, NULL, OPT_CONSOLE },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "lock", required_argument, NULL, OPT_LOCK },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "debug-exit", required_argument, NULL, OPT_DEBUG_EXIT },
	{ "vga", no_argument, NULL, OPT_VGA },
	{ NULL, 0, NULL, 0 },
};

/* --kernel: the PC machine's checks; the tiny-guest options do not apply. */
static int check_pc_options(struct vireo_options *o, GError **error)
{
	if (o->nr_loads || o->has_entry || o->irq_on_hlt >= 0 ||
	    o->mmio_test_gpa != VIREO_DEFAULT_MMIO_TEST || o->mode != VIREO_BOOT_REAL)
		return vireo_error_set(error, EINVAL,
				"--load, --mode, --entry, --irq-on-hlt and --mmio-test are for bare images; they cannot be combined with --kernel");
	if (!o->mem_given)
		o->mem_size = VIREO_PC_DEFAULT_MEM;
	if ((o->mem_size & 0xfff) || o->mem_size < VIREO_PC_MIN_MEM)
		return vireo_error_set(error, EINVAL,
				"--mem must be a multiple of 4K and at least %" PRIu64 "M with --kernel",
				(uint64_t)(VIREO_PC_MIN_MEM >> 20));
	if (o->mem_size > VIREO_PC_MAX_MEM)
		return vireo_error_set(error, EINVAL, "--mem %" PRIu64 "G is too big (at most %" PRIu64 "G)",
				o->mem_size >> 30, (uint64_t)(VIREO_PC_MAX_MEM >> 30));
	return 0;
}

/* Cross-option checks, once everything is known. */
static int check_options(struct vireo_options *o, GError **error)
{
	uint64_t min_mem = vireo_boot_min_mem(o->mode);
	unsigned int i;

	if (o->pc)
		return check_pc_options(o, error);
	if (o->initrd || o->append || o->cpus || o->nr_disks || o->nr_nets || o->console ||
	    o->control || o->console_socket || o->debug_exit_port >= 0 || o->vga)
		return vireo_error_set(error, EINVAL,
				"--initrd, --append, --cpus, --disk, --net, --console, --console-socket, --control, --debug-exit and --vga need --kernel (bare images always have the debug-exit port 0xf4)");
	if ((o->mem_size & 0xfff) || o->mem_size < min_mem)
		return vireo_error_set(error, EINVAL,
				"--mem must be a multiple of 4K and at least %" PRIu64
				"K in this mode",
				min_mem >> 10);
	if (o->mem_size > VIREO_MAX_MEM)
		return vireo_error_set(error, EINVAL,
				"--mem %" PRIu64 "M is too big: guest RAM must end at or below 3G",
				o->mem_size >> 20);
	if (!o->nr_loads)
		return vireo_error_set(error, EINVAL,
				       "nothing to run: give at least one --load FILE@GPA");
	if (!o->has_entry)
		o->entry = o->loads[0].gpa;
	if (o->mode == VIREO_BOOT_REAL && o->entry >= 0x10000)
		return vireo_error_set(error, EINVAL,
				"entry 0x%" PRIx64 " is not reachable in real mode (CS=0): it must be below 0x10000",
				o->entry);
	if (o->entry > 0xffffffffULL)
		return vireo_error_set(error, EINVAL, "entry 0x%" PRIx64 " is above 4G", o->entry);
	if ((o->mmio_test_gpa & 0xfff) || o->mmio_test_gpa < o->mem_size ||
	    o->mmio_test_gpa + 0x1000 < o->mmio_test_gpa)
		return vireo_error_set(error, EINVAL,
				"--mmio-test 0x%" PRIx64 " must be 4K aligned and outside guest RAM (which ends at 0x%" PRIx64 ")",
				o->mmio_test_gpa, o->mem_size);
	for (i = 0; i < o->nr_loads; i++) {
		const struct vireo_load *l = &o->loads[i];

		if (o->mode != VIREO_BOOT_REAL && l->gpa < VIREO_BOOT_RESERVED_END &&
		    l->gpa >= VIREO_BOOT_RESERVED_START)
			return vireo_error_set(error, EINVAL,
					"%s: load address 0x%" PRIx64 " is in 0x8000-0xffff, reserved for the monitor's GDT and page tables",
					l->path, l->gpa);
	}
	return 0;
}

int vireo_options_parse(int argc, char **argv, struct vireo_options *o, GError **error)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mem_size = VIREO_DEFAULT_MEM;
	o->mode = VIREO_BOOT_REAL;
	o->irq_on_hlt = -1;
	o->debug_exit_port = -1;
	o->mmio_test_gpa = VIREO_DEFAULT_MMIO_TEST;

	optind = 0;	/* glibc: reinitialise, so that tests can parse twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		uint64_t v;

		switch (c) {
		case OPT_MEM:
			if (vireo_parse_size(optarg, &o->mem_size))
				return vireo_error_set(error, EINVAL, "--mem: bad size '%s' (try 16M)",
						optarg);
			o->mem_given = true;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			o->pc = true;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_CPUS:
			if (parse_number(optarg, false, &v) || v < 1 || v > VIREO_PC_MAX_CPUS)
				return vireo_error_set(error, EINVAL, "--cpus: '%s' is not a number 1-%d",
						optarg, VIREO_PC_MAX_CPUS);
			o->cpus = (unsigned int)v;
			break;
		case OPT_DISK:
			if (o->nr_disks == VIREO_PC_MAX_DISKS)
				return vireo_error_set(error, EINVAL, "too many --disk options (at most %d)",
						VIREO_PC_MAX_DISKS);
			if (vireo_parse_disk_spec(optarg, &o->disks[o->nr_disks]))
				return vireo_error_set(error, EINVAL,
						"--disk: expected FILE[,ro][,format=raw|qcow2] (a comma in FILE written \",,\"), got '%s'",
						optarg);
			o->nr_disks++;
			break;
		case OPT_NET:
			if (o->nr_nets == VIREO_PC_MAX_NICS)
				return vireo_error_set(error, EINVAL, "too many --net options (at most %d)",
						VIREO_PC_MAX_NICS);
			if (vireo_parse_net_spec(optarg, &o->nets[o->nr_nets], error))
				return vireo_error_prefix(error, -EINVAL, "--net: ");
			o->nr_nets++;
			break;
		case OPT_NAME:
			/* It names files and appears in messages: keep it printable. */
			if (!*optarg || strlen(optarg) > 64 || strpbrk(optarg, "/\n\t"))
				return vireo_error_set(error, EINVAL,
						"--name: '%s' must be 1-64 characters without '/' or control characters",
						optarg);
			o->name = optarg;
			break;
		case OPT_LOCK:
			if (!*optarg)
				return vireo_error_set(error, EINVAL, "--lock: empty path");
			o->lock = optarg;
			break;
		case OPT_CONTROL:
			if (!*optarg)
				return vireo_error_set(error, EINVAL, "--control: empty path");
			o->control = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			if (!*optarg)
				return vireo_error_set(error, EINVAL,
						       "--console-socket: empty path");
			o->console_socket = optarg;
			break;
		case OPT_CONSOLE:
			/*
			 * --console, --console=stdio|none, and (as `vireo start`
			 * passes it) --console stdio|none as two words.
			 */
			if (!optarg && optind < argc &&
			    (!strcmp(argv[optind], "stdio") || !strcmp(argv[optind], "none")))
				optarg = argv[optind++];
			if (!optarg || !strcmp(optarg, "stdio"))
				o->console = true;
			else if (!strcmp(optarg, "none"))
				o->console = false;
			else
				return vireo_error_set(error, EINVAL, "--console: '%s' is not stdio or none",
						optarg);
			break;
		case OPT_VERBOSE:
			o->verbose = true;
			break;
		case OPT_VGA:
			o->vga = true;
			break;
		case OPT_DEBUG_EXIT:
			if (vireo_parse_debug_exit(optarg, &o->debug_exit_port,
						   &o->debug_exit_size))
				return vireo_error_set(error, EINVAL,
						"--debug-exit: expected PORT[,iosize=1|2|4] within 0-0xffff, got '%s'",
						optarg);
			break;
		case OPT_LOAD:
			if (o->nr_loads == VIREO_MAX_LOADS)
				return vireo_error_set(error, EINVAL, "too many --load options (at most %d)",
						VIREO_MAX_LOADS);
			if (parse_load(optarg, &o->loads[o->nr_loads]))
				return vireo_error_set(error, EINVAL, "--load: expected FILE@GPA, got '%s'",
						optarg);
			o->nr_loads++;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "real"))
				o->mode = VIREO_BOOT_REAL;
			else if (!strcmp(optarg, "protected"))
				o->mode = VIREO_BOOT_PROTECTED;
			else if (!strcmp(optarg, "long"))
				o->mode = VIREO_BOOT_LONG;
			else
				return vireo_error_set(error, EINVAL,
						"--mode: '%s' is not real, protected or long", optarg);
			break;
		case OPT_ENTRY:
			if (vireo_parse_addr(optarg, &o->entry))
				return vireo_error_set(error, EINVAL, "--entry: bad address '%s'",
						       optarg);
			o->has_entry = true;
			break;
		case OPT_CPUID:
			if (o->nr_cpuid == VIREO_MAX_CPUID_ENTRIES)
				return vireo_error_set(error, EINVAL, "too many --cpuid options");
			if (vireo_parse_cpuid_spec(optarg, &o->cpuid[o->nr_cpuid]))
				return vireo_error_set(error, EINVAL,
						"--cpuid: expected LEAF[.SUBLEAF]=EAX,EBX,ECX,EDX, got '%s'",
						optarg);
			o->nr_cpuid++;
			break;
		case OPT_CPU:
			if (vireo_cpu_model_apply(optarg, NULL, 0, error))
				return -EINVAL;
			o->cpu_model = optarg;
			break;
		case OPT_IRQ_ON_HLT:
			if (parse_number(optarg, false, &v) || v > 255)
				return vireo_error_set(error, EINVAL,
						"--irq-on-hlt: '%s' is not a vector 0-255", optarg);
			o->irq_on_hlt = (int)v;
			break;
		case OPT_MMIO_TEST:
			if (vireo_parse_addr(optarg, &o->mmio_test_gpa))
				return vireo_error_set(error, EINVAL, "--mmio-test: bad address '%s'",
						optarg);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_HELP:
			o->help = true;
			return 0;
		case OPT_VERSION:
			o->version = true;
			return 0;
		case ':':
			return vireo_error_set(error, EINVAL, "option '%s' needs an argument",
					argv[optind - 1]);
		default:
			return vireo_error_set(error, EINVAL, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vireo_error_set(error, EINVAL, "unexpected argument '%s'", argv[optind]);
	ret = check_options(o, error);
	if (!ret && o->pc && !o->cpus)
		o->cpus = 1;
	return ret;
}

void vireo_usage(FILE *f)
{
	fprintf(f,
		"usage: vireo-run --kernel FILE [--initrd FILE] [--append STRING] [--cpus N]\n"
		"                 [--mem SIZE] [--disk FILE[,ro][,format=raw|qcow2] ...]\n"
		"                 [--net nat[,mac=MAC][,hostfwd=RULE]... ...]\n"
		"                 [--net tap,ifname=NAME[,mac=MAC] ...] [--console] [--verbose]\n"
		"                 [--name NAME] [--lock FILE] [--control SOCKET]\n"
		"                 [--console-socket SOCKET] [--debug-exit PORT[,iosize=N]]\n"
		"                 [--cpu MODEL[,-FEATURE]...] [--vga]\n"
		"       vireo-run [--mem SIZE] --load FILE@GPA [--load FILE@GPA ...]\n"
		"                 [--mode real|protected|long] [--entry GPA]\n"
		"                 [--cpu MODEL[,-FEATURE]...] [--cpuid LEAF[.SUBLEAF]=EAX,EBX,ECX,EDX ...]\n"
		"                 [--irq-on-hlt VECTOR] [--mmio-test GPA] [--stats]\n"
		"       vireo-run --help | --version\n"
		"\n"
		"Boot a kernel on the Vireo PC (first form), or run a bare guest image on\n"
		"one vCPU (second form), on vireo.ko (/dev/vireo).\n"
		"\n"
		"The PC (--kernel):\n"
		"  --kernel FILE     a Linux bzImage (64-bit boot protocol when the kernel has\n"
		"                    it) or a Multiboot v1 kernel\n"
		"  --initrd FILE     initial ramdisk; for a Multiboot kernel, its modules as\n"
		"                    QEMU takes them: FILE[ ARGS][,FILE[ ARGS]]... (\",,\" a\n"
		"                    comma), each module's string \"FILE ARGS\"; the kernel's\n"
		"                    command line starts with its file name, as from GRUB\n"
		"  --append STRING   kernel command line (e.g. \"console=ttyS0\")\n"
		"  --cpus N          vCPUs, 1-%d (default 1), one thread each\n"
		"  --cpu MODEL[,-FEATURE]...\n"
		"                    the guest's CPU, a subset of what vireo.ko offers: MODEL\n"
		"                    host (all of it, the default) or x86-64-v1 ... x86-64-v4\n"
		"                    (that psABI level's ISA and nothing beyond it; refused if\n"
		"                    the host lacks part of it); each -FEATURE (e.g. -avx512f,\n"
		"                    -aes, -x2apic) takes one more away with what needs it.\n"
		"                    Nothing can be added\n"
		"  --mem SIZE        guest RAM (default 256M); what does not fit below the\n"
		"                    PCI hole at 3G goes above 4G\n"
		"  --disk FILE[,ro][,format=raw|qcow2]\n"
		"                    a virtio-blk disk (raw or qcow2, probed by default);\n"
		"                    repeatable: /dev/vda, /dev/vdb, ... in order.  A comma\n"
		"                    in FILE is written \",,\" (as in QEMU): --disk a,,b.img is\n"
		"                    the file a,b.img; any other byte goes through as it is\n"
		"  --net nat[,mac=XX:XX:XX:XX:XX:XX][,hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT]...\n"
		"                    a virtio-net NIC on user-mode NAT (libslirp, no privileges):\n"
		"                    10.0.2.0/24, DHCP gives 10.0.2.15, gateway 10.0.2.2 (the\n"
		"                    host's loopback), DNS 10.0.2.3; hostfwd forwards a host port\n"
		"                    (HADDR default 127.0.0.1) to the guest; repeatable\n"
		"  --net tap,ifname=NAME[,mac=XX:XX:XX:XX:XX:XX]\n"
		"                    a virtio-net NIC on tap device NAME (created if missing;\n"
		"                    needs CAP_NET_ADMIN); default MAC 52:54:00:56:49:1N for\n"
		"                    the Nth NIC; repeatable\n"
		"  --console         connect stdin to the serial port too (output always goes\n"
		"                    to stdout); a terminal is put in raw mode.  Escapes\n"
		"                    after Ctrl-A: x quit (status %d), p press the power\n"
		"                    button, Ctrl-A a literal Ctrl-A, h help\n"
		"  --verbose         notes on stderr: MSRs the guest uses that are not\n"
		"                    emulated, device errors, resets\n"
		"  --vga             the standard VGA with Bochs VBE (QEMU's -vga std, PCI\n"
		"                    1234:1111, 16 MiB framebuffer on BAR 0). For now the\n"
		"                    window at 0xa0000 stays RAM and framebuffer accesses\n"
		"                    exit to the monitor; nothing shows the screen yet\n"
		"  --console-socket SOCKET\n"
		"                    serve the serial console on a UNIX socket too, for one\n"
		"                    client at a time (`vireo console`): it gets the line\n"
		"                    \"VIREO-CONSOLE ok\" (or \"VIREO-CONSOLE busy\" and is closed),\n"
		"                    the last 4K of output, then the output from then on;\n"
		"                    what it sends goes to the\n"
		"                    UART as typed, without escapes.  Output goes to stdout as\n"
		"                    always; a client that does not read loses output\n"
		"  --debug-exit PORT[,iosize=1|2|4]\n"
		"                    QEMU's isa-debug-exit, for test kernels: a write of V\n"
		"                    to the IOSIZE ports from PORT (default 2; any width)\n"
		"                    ends the monitor with status (V << 1) | 1, the low 8\n"
		"                    bits (V=0 gives 1, V=1 gives 3: odd, so never the\n"
		"                    guest's power-off or a monitor outcome once the guest\n"
		"                    runs); reads return 0.  Off by default; it takes the\n"
		"                    ports from any device there (QEMU's usual: 0xf4 or\n"
		"                    0x501)\n"
		"  --name NAME       the machine's name, for messages and query-status\n"
		"  --lock FILE       take the machine lock FILE (vmlib/lock.h) before anything\n"
		"                    else; exit with status %d if another monitor holds it\n"
		"  --control SOCKET  serve the control socket (docs/control-protocol.md):\n"
		"                    query-status, stop, kill, pause, resume, reset, query-vcpus;\n"
		"                    query-disks, and the jobs disk-export (a copy of a disk as\n"
		"                    it is, while the guest runs) and disk-resize, job-cancel\n"
		"  The machine: COM1 at 0x3f8 (IRQ 4, Linux's ttyS0), 8259 PIC pair, IOAPIC\n"
		"  at 0xfec00000, 8254 PIT, CMOS RTC, i8042 (reset line), ACPI tables with\n"
		"  a power button, S3 and S5 (PM block at 0x600), PCI host bridge (CF8/CFC and\n"
		"  ECAM at 0xe0000000), virtio-pci devices with MSI-X: the --disk and --net\n"
		"  devices, a virtio-console (hvc0, output to stdout) and a virtio-rng.\n"
		"  Guest reboot (i8042, port 0xcf9 or 0x92 reset) rebuilds the machine and\n"
		"  boots the kernel again; SIGPWR presses the power button.\n"
		"  Exit status: 0 the guest powered off (ACPI S5), %d the guest crashed\n"
		"  (triple fault, failed entry), %d monitor error, %d SIGINT/SIGTERM or the\n"
		"  console escape (the table below).\n"
		"\n"
		"Bare images (--load):\n"
		"  --mem SIZE        guest RAM, one slot at GPA 0 (K/M/G suffixes; default 16M,\n"
		"                    at most 3G)\n"
		"  --load FILE@GPA   copy FILE into guest RAM at GPA (default GPA 0x100000);\n"
		"                    repeatable; the file must fit in RAM\n"
		"  --mode MODE       initial CPU mode (default real):\n"
		"                      real       CS=DS=ES=SS=0, RSP=0x7000, CR0=0x60000010;\n"
		"                                 entry must be below 0x10000\n"
		"                      protected  flat 32-bit, CS=0x08, data 0x10, RSP=0x7fff0,\n"
		"                                 CR0=PE|ET|NE, no paging, IDT limit 0\n"
		"                      long       64-bit, CS=0x18, data 0x10, RSP=0x7fff0,\n"
		"                                 identity map of the first 4G with 2M pages\n"
		"  --entry GPA       initial RIP (default: the first --load's GPA)\n"
		"  --cpu MODEL[,-FEATURE]...  as for the PC\n"
		"  --cpuid L[.S]=A,B,C,D  add or override a CPUID leaf (sub-leaf S) for the\n"
		"                    guest; the defaults are vireo.ko's supported table\n"
		"                    (hypervisor bit set, VMX/SVM hidden, leaf 0x40000000 =\n"
		"                    \"VireoVireoVi\"); vireo.ko refuses a feature flag it\n"
		"                    does not offer\n"
		"  --irq-on-hlt V    on HLT with interrupts enabled, inject external interrupt\n"
		"                    vector V and continue (otherwise such a HLT ends the run)\n"
		"  --mmio-test GPA   where the 4K MMIO test device sits (default 0xd0000000)\n"
		"  --stats           print exit counts to stderr at the end\n"
		"\n"
		"Guest memory layout in protected and long mode (0x8000-0xffff is reserved\n"
		"for the monitor; --load refuses it):\n"
		"  0x8000  GDT: 0x08 32-bit code, 0x10 data, 0x18 64-bit code, 0x20 TSS\n"
		"  0x8100  TSS (TR=0x20, busy, limit 0x67)\n"
		"  0x9000  PML4, 0xa000 PDPT, 0xb000-0xefff four page directories (long)\n"
		"  0x7fff0 initial stack pointer, 0x100000 default load address\n"
		"\n"
		"Devices:\n"
		"  ports 0x3f8-0x3ff  serial: THR writes go to stdout, LSR reads 0x60\n"
		"  port 0xf4          debug exit: writing V exits with status (V << 1) | 1\n"
		"  other ports        reads return all-ones, writes are ignored\n"
		"  MSR 0x4b564d00     scratch: reads return the last write\n"
		"                     (initially 0x1122334455667788); other MSRs #GP\n"
		"  MMIO test device   +0x000-0x0ff scratch registers (read back writes, any\n"
		"                     width), +0x100 ID 0x0123456789abcdef (read only),\n"
		"                     +0x200 prints 'mmio: SIZE VALUE' (VALUE in hex) on write;\n"
		"                     other MMIO reads all-ones, writes ignored\n"
		"\n"
		"Bare images also end with: 0 the guest halted (HLT with interrupts\n"
		"disabled, or enabled without --irq-on-hlt); (V<<1)|1 the guest wrote V to\n"
		"the debug-exit port 0xf4 (odd, so never one of the even outcome codes);\n"
		"%d for a crash includes MMIO the emulator cannot decode and an instruction\n"
		"fetch from outside RAM.\n"
		"\n"
		"  --version         print the version and exit\n"
		"  --help            this text\n"
		"\n"
		VIREO_EXIT_TABLE_TEXT,
		VIREO_PC_MAX_CPUS, VIREO_STATUS_SIGNAL, VIREO_STATUS_LOCKED, VIREO_STATUS_CRASH,
		VIREO_STATUS_ERROR, VIREO_STATUS_SIGNAL, VIREO_STATUS_CRASH);
}
