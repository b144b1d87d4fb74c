// SPDX-License-Identifier: GPL-2.0
/*
 * Runner of the disk tests (tests/disk): the same framework as
 * tests/unit (test.h, self-registered suites), its own main so that
 * libvireo-disk is tested alone.  Prints PASS/FAIL/SKIP per test and
 * "N passed, N failed" (plus the skipped count); exits non-zero on failure.
 * Arguments select tests whose "suite/name" contains one of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "helpers.h"

static bool failed, skipped;
static char detail[1024];
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
		return;
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

void disk_test_skip(const char *why)
{
	skipped = true;
	snprintf(detail, sizeof(detail), "%s", why);
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, nfailed = 0, nskipped = 0;

	for (const struct vireo_test_suite *r = registered; r; r = r->next) {
		for (const struct vireo_test *t = r->tests; t->name; t++) {
			char name[160];

			snprintf(name, sizeof(name), "%s/%s", r->prefix, t->name);
			if (!selected(name, argc, argv))
				continue;
			failed = skipped = false;
			detail[0] = 0;
			disk_test_begin();
			t->fn();
			disk_test_end();
			if (failed) {
				printf("FAIL %s: %s\n", name, detail);
				nfailed++;
			} else if (skipped) {
				printf("SKIP %s: %s\n", name, detail);
				nskipped++;
			} else {
				printf("PASS %s\n", name);
				passed++;
			}
			fflush(stdout);
		}
	}
	printf("%u passed, %u failed", passed, nfailed);
	if (nskipped)
		printf(" (%u skipped)", nskipped);
	printf("\n");
	return nfailed ? 1 : 0;
}
