// SPDX-License-Identifier: GPL-2.0
/* vireo-run command line: the size parser, --cpuid specs, whole argv. */
#include <errno.h>
#include <stdlib.h>

#include <vireo/error.h>

#include "options.h"
#include "test.h"

static void size_parser(void)
{
	uint64_t v;

	T_EQ(vireo_parse_size("16M", &v), 0);
	T_EQ(v, 16ULL << 20);
	T_EQ(vireo_parse_size("512k", &v), 0);
	T_EQ(v, 512ULL << 10);
	T_EQ(vireo_parse_size("1G", &v), 0);
	T_EQ(v, 1ULL << 30);
	T_EQ(vireo_parse_size("3g", &v), 0);
	T_EQ(v, 3ULL << 30);
	T_EQ(vireo_parse_size("4096", &v), 0);
	T_EQ(v, 4096);
	T_EQ(vireo_parse_size("0x1000", &v), 0);
	T_EQ(v, 0x1000);
	T_EQ(vireo_parse_size("0x10M", &v), 0);
	T_EQ(v, 16ULL << 20);
	T_EQ(vireo_parse_size("", &v), -EINVAL);
	T_EQ(vireo_parse_size("M", &v), -EINVAL);
	T_EQ(vireo_parse_size("12X", &v), -EINVAL);
	T_EQ(vireo_parse_size("12MB", &v), -EINVAL);
	T_EQ(vireo_parse_size("-1", &v), -EINVAL);
	T_EQ(vireo_parse_size(" 1", &v), -EINVAL);
	T_EQ(vireo_parse_size("99999999999999999999", &v), -EINVAL);
	T_EQ(vireo_parse_size("17179869184G", &v), -EINVAL);	/* 2^34 G overflows */
	T_EQ(vireo_parse_size(NULL, &v), -EINVAL);
}

static void cpuid_spec_parser(void)
{
	struct vireo_cpuid_entry e;

	T_EQ(vireo_parse_cpuid_spec("0x40000001=0x11111111,0x22222222,0x33333333,0x44444444",
				    &e), 0);
	T_EQ(e.function, 0x40000001);
	T_EQ(e.flags, 0);
	T_EQ(e.eax, 0x11111111);
	T_EQ(e.edx, 0x44444444);
	T_EQ(vireo_parse_cpuid_spec("7.0=1,2,3,4", &e), 0);
	T_EQ(e.function, 7);
	T_EQ(e.index, 0);
	T_EQ(e.flags, VIREO_CPUID_FLAG_INDEXED);
	T_EQ(e.ebx, 2);
	T_EQ(vireo_parse_cpuid_spec("0x40000002.3=0xa,0xb,0xc,0xd", &e), 0);
	T_EQ(e.index, 3);
	T_EQ(e.ecx, 0xc);
	T_EQ(vireo_parse_cpuid_spec("1=1,2,3", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("1=1,2,3,4,5", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("1=1,2,,4", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("1", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("=1,2,3,4", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("1.=1,2,3,4", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("1=0x100000000,2,3,4", &e), -EINVAL);
	T_EQ(vireo_parse_cpuid_spec("x=1,2,3,4", &e), -EINVAL);
}

/* Parse a NULL-terminated argument list (copied: the parser edits it). */
static int parse(struct vireo_options *o, GError **err, const char *const *args)
{
	static char storage[32][128];
	char *argv[33];
	int argc = 0;

	argv[argc++] = "vireo-run";
	for (; *args && argc < 32; args++, argc++) {
		snprintf(storage[argc], sizeof(storage[argc]), "%s", *args);
		argv[argc] = storage[argc];
	}
	argv[argc] = NULL;
	return vireo_options_parse(argc, argv, o, err);
}

static void options_defaults(void)
{
	static struct vireo_options o;
	const char *args[] = { "--load", "guest.bin@0x1000", NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, args), 0);
	T_EQ(o.mem_size, 16 << 20);
	T_EQ(o.mode, VIREO_BOOT_REAL);
	T_EQ(o.nr_loads, 1);
	T_TRUE(!strcmp(o.loads[0].path, "guest.bin"));
	T_EQ(o.loads[0].gpa, 0x1000);
	T_EQ(o.entry, 0x1000);	/* the first load */
	T_EQ(o.irq_on_hlt, -1);
	T_EQ(o.mmio_test_gpa, 0xd0000000);
	T_TRUE(!o.stats);
}

static void options_all(void)
{
	static struct vireo_options o;
	const char *args[] = { "--mem", "64M", "--mode", "long", "--load", "a@user@1M",
			       "--load", "b.bin@0x200000", "--entry", "0x100010",
			       "--cpuid", "1=1,2,3,4", "--cpuid", "7.0=5,6,7,8",
			       "--irq-on-hlt", "0x20", "--mmio-test=0xe0000000", "--stats",
			       NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, args), 0);
	T_EQ(o.mem_size, 64 << 20);
	T_EQ(o.mode, VIREO_BOOT_LONG);
	T_EQ(o.nr_loads, 2);
	T_TRUE(!strcmp(o.loads[0].path, "a@user"));	/* the last '@' splits */
	T_EQ(o.loads[0].gpa, 0x100000);
	T_EQ(o.entry, 0x100010);
	T_EQ(o.nr_cpuid, 2);
	T_EQ(o.cpuid[1].function, 7);
	T_EQ(o.irq_on_hlt, 0x20);
	T_EQ(o.mmio_test_gpa, 0xe0000000);
	T_TRUE(o.stats);
}

#define T_REJECT(needle, ...)                                                               \
	do {                                                                                \
		static struct vireo_options _o;                                             \
		const char *_args[] = { __VA_ARGS__, NULL };                                \
		g_autoptr(GError) _err = NULL;                                              \
		T_EQ(parse(&_o, &_err, _args), -EINVAL);                                    \
		T_STR_CONTAINS(ERRMSG(_err), needle);                                       \
	} while (0)

static void options_rejected(void)
{
	T_REJECT("nothing to run", "--mem", "16M");
	T_REJECT("--mem", "--mem", "16Q", "--load", "x@0x1000");
	T_REJECT("too big", "--mem", "4G", "--load", "x@0x1000");
	T_REJECT("multiple of 4K", "--mem", "1000", "--load", "x@0x1000");
	T_REJECT("real mode", "--load", "x@0x10000");
	T_REJECT("real mode", "--load", "x@0x1000", "--entry", "0x20000");
	T_REJECT("--mode", "--mode", "unreal", "--load", "x@0x1000");
	T_REJECT("reserved", "--mode", "protected", "--load", "x@0x9000");
	T_REJECT("outside guest RAM", "--load", "x@0x1000", "--mmio-test", "0x100000");
	T_REJECT("4K aligned", "--load", "x@0x1000", "--mmio-test", "0xd0000010");
	T_REJECT("vector", "--load", "x@0x1000", "--irq-on-hlt", "256");
	T_REJECT("unknown option", "--load", "x@0x1000", "--frobnicate");
	T_REJECT("needs an argument", "--load");
	T_REJECT("unexpected argument", "--load", "x@0x1000", "stray");
	T_REJECT("FILE@GPA", "--load", "@0x1000");
	T_REJECT("--cpuid", "--load", "x@0x1000", "--cpuid", "1=2");
}

static void options_help(void)
{
	static struct vireo_options o;
	const char *args[] = { "--help", NULL };
	g_autoptr(GError) err = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	T_EQ(parse(&o, &err, args), 0);
	T_TRUE(o.help);
	f = open_memstream(&text, &len);
	T_TRUE(f != NULL);
	vireo_usage(f);
	fclose(f);
	/* The contract pieces the test suite relies on are documented. */
	T_STR_CONTAINS(text, "--irq-on-hlt");
	T_STR_CONTAINS(text, "0x8000-0xffff");
	T_STR_CONTAINS(text, "(V<<1)|1");
	T_STR_CONTAINS(text, "SIGINT");
	free(text);
}

static void options_default_load_gpa(void)
{
	static struct vireo_options o;
	const char *args[] = { "--mode", "protected", "--load", "k.bin", NULL };
	g_autoptr(GError) err = NULL;

	T_EQ(parse(&o, &err, args), 0);
	T_EQ(o.loads[0].gpa, VIREO_DEFAULT_LOAD_GPA);
	T_EQ(o.entry, VIREO_DEFAULT_LOAD_GPA);
}

const struct vireo_test vireo_tests_options[] = {
	VIREO_TEST(size_parser),
	VIREO_TEST(cpuid_spec_parser),
	VIREO_TEST(options_defaults),
	VIREO_TEST(options_all),
	VIREO_TEST(options_rejected),
	VIREO_TEST(options_help),
	VIREO_TEST(options_default_load_gpa),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(options, vireo_tests_options);
