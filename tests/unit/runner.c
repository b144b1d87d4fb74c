// SPDX-License-Identifier: GPL-2.0
/*
 * Unit-test runner: runs every test of every table (or those whose name
 * contains one of the command-line arguments), prints "PASS name" or
 * "FAIL name: detail" per test and "N passed, M failed" at the end; exits
 * non-zero if anything failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static const struct {
	const char *prefix;
	const struct vireo_test *tests;
} suites[] = {
	{ "decode", vireo_tests_decode },
	{ "paging", vireo_tests_paging },
	{ "emulate", vireo_tests_emulate },
	{ "slots", vireo_tests_slots },
	{ "options", vireo_tests_options },
	{ "cpuid", vireo_tests_cpuid },
	{ "devices", vireo_tests_devices },
	{ "boot", vireo_tests_boot },
	{ "exits", vireo_tests_exits },
	{ "lib", vireo_tests_lib },
};

static bool failed;
static char detail[512];
static struct vireo_test_suite *registered, **registered_tail = &registered;

void vireo_test_register(struct vireo_test_suite *suite)
{
	*registered_tail = suite;
	registered_tail = &suite->next;
}

void vireo_test_fail(const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	size_t n;
	va_list ap;

	if (failed)
		return;	/* keep the first failure */
	failed = true;
	n = snprintf(detail, sizeof(detail), "%s:%d: ", base ? base + 1 : file, line);
	if (n >= sizeof(detail))
		return;
	va_start(ap, fmt);
	vsnprintf(detail + n, sizeof(detail) - n, fmt, ap);
	va_end(ap);
}

bool vireo_test_failed(void)
{
	return failed;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++) {
		if (strstr(name, argv[i]))
			return true;
	}
	return false;
}

static void run_suite(const char *prefix, const struct vireo_test *tests, int argc, char **argv,
		      unsigned int *passed, unsigned int *nfailed)
{
	const struct vireo_test *t;

	for (t = tests; t->name; t++) {
		char name[128];

		snprintf(name, sizeof(name), "%s/%s", prefix, t->name);
		if (!selected(name, argc, argv))
			continue;
		failed = false;
		detail[0] = 0;
		t->fn();
		if (failed) {
			printf("FAIL %s: %s\n", name, detail);
			(*nfailed)++;
		} else {
			printf("PASS %s\n", name);
			(*passed)++;
		}
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, nfailed = 0;
	const struct vireo_test_suite *r;
	size_t s;

	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
		run_suite(suites[s].prefix, suites[s].tests, argc, argv, &passed, &nfailed);
	for (r = registered; r; r = r->next)
		run_suite(r->prefix, r->tests, argc, argv, &passed, &nfailed);
	printf("%u passed, %u failed\n", passed, nfailed);
	return nfailed ? 1 : 0;
}
