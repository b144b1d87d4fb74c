// SPDX-License-Identifier: GPL-2.0
/*
 * Runner of vireo-unit-cli: the suites of tests/vmlib and tests/control,
 * registered with VIREO_TEST_SUITE (tests/unit/test.h).  Same output as
 * vireo-unit: "PASS name" / "FAIL name: detail" per test and
 * "N passed, M failed" at the end; arguments select tests by substring.
 *
 * Every test runs with XDG_DATA_HOME and XDG_RUNTIME_DIR pointing at a
 * fresh temporary directory (removed afterwards), so no test sees the
 * user's machines or another test's leftovers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "test.h"

static bool failed;
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

static void rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *e;

	if (d) {
		while ((e = g_dir_read_name(d))) {
			char *p = g_build_filename(path, e, NULL);

			if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
				rm_rf(p);
			else
				g_unlink(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	g_rmdir(path);
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, nfailed = 0;
	const struct vireo_test_suite *r;
	const struct vireo_test *t;

	for (r = registered; r; r = r->next) {
		for (t = r->tests; t->name; t++) {
			char name[160], *tmp, *data, *run;

			snprintf(name, sizeof(name), "%s/%s", r->prefix, t->name);
			if (!selected(name, argc, argv))
				continue;
			tmp = g_dir_make_tmp("vireo-unit-XXXXXX", NULL);
			if (!tmp) {
				printf("FAIL %s: no temporary directory\n", name);
				nfailed++;
				continue;
			}
			data = g_build_filename(tmp, "data", NULL);
			run = g_build_filename(tmp, "run", NULL);
			g_mkdir(run, 0700);
			g_setenv("XDG_DATA_HOME", data, TRUE);
			g_setenv("XDG_RUNTIME_DIR", run, TRUE);
			g_setenv("VIREO_TEST_TMP", tmp, TRUE);
			failed = false;
			detail[0] = 0;
			t->fn();
			if (failed) {
				printf("FAIL %s: %s\n", name, detail);
				nfailed++;
			} else {
				printf("PASS %s\n", name);
				passed++;
			}
			fflush(stdout);
			rm_rf(tmp);
			g_free(data);
			g_free(run);
			g_free(tmp);
		}
	}
	printf("%u passed, %u failed\n", passed, nfailed);
	return nfailed ? 1 : 0;
}
