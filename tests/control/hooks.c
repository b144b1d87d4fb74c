// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks of vireo-unit-cli for tests/unit/runner.c: every test runs with
 * XDG_DATA_HOME and XDG_RUNTIME_DIR in a fresh temporary directory
 * (VIREO_TEST_TMP names it; removed afterwards), so that no test sees the
 * user's machines or another test's leftovers.
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "test.h"

static char *tmp;

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

static void cli_test_begin(const char *name)
{
	char *data, *run;

	(void)name;
	tmp = g_dir_make_tmp("vireo-unit-XXXXXX", NULL);
	if (!tmp)
		g_error("no temporary directory");
	data = g_build_filename(tmp, "data", NULL);
	run = g_build_filename(tmp, "run", NULL);
	g_mkdir(run, 0700);
	g_setenv("XDG_DATA_HOME", data, TRUE);
	g_setenv("XDG_RUNTIME_DIR", run, TRUE);
	g_setenv("VIREO_TEST_TMP", tmp, TRUE);
	g_free(data);
	g_free(run);
}

static void cli_test_end(void)
{
	rm_rf(tmp);
	g_free(tmp);
	tmp = NULL;
}

static const struct vireo_test_hooks cli_test_hooks = {
	.begin = cli_test_begin,
	.end = cli_test_end,
};

__attribute__((constructor)) static void cli_test_install_hooks(void)
{
	vireo_test_set_hooks(&cli_test_hooks);
}
