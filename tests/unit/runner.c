// SPDX-License-Identifier: GPL-2.0
/*
 * The test runner of every host test program (tests/unit, tests/disk,
 * tests/control): runs each test of each self-registered suite (or those
 * whose "suite/name" contains one of the command-line arguments), prints
 * "PASS name", "FAIL name: detail" or "SKIP name: why" per test and
 * "N passed, N failed[, N skipped]" at the end; exits non-zero if anything
 * failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static bool failed, skipped;
static char detail[1024];
static struct vireo_test_suite *registered, **registered_tail = &registered;
static const struct vireo_test_hooks *hooks;

void vireo_test_register(struct vireo_test_suite *suite)
{
	*registered_tail = suite;
	registered_tail = &suite->next;
}

void vireo_test_set_hooks(const struct vireo_test_hooks *h)
{
	hooks = h;
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

void vireo_test_skip(const char *why)
{
	skipped = true;
	snprintf(detail, sizeof(detail), "%s", why);
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

int main(int argc, char **argv)
{
	unsigned int passed = 0, nfailed = 0, nskipped = 0;
	const struct vireo_test_suite *r;
	const struct vireo_test *t;

	for (r = registered; r; r = r->next) {
		for (t = r->tests; t->name; t++) {
			char name[160];

			snprintf(name, sizeof(name), "%s/%s", r->prefix, t->name);
			if (!selected(name, argc, argv))
				continue;
			failed = skipped = false;
			detail[0] = 0;
			if (hooks && hooks->begin)
				hooks->begin(name);
			t->fn();
			if (hooks && hooks->end)
				hooks->end();
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
		printf(", %u skipped", nskipped);
	printf("\n");
	return nfailed ? 1 : 0;
}
