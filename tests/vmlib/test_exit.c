// SPDX-License-Identifier: GPL-2.0
/*
 * The one exit-status table (userland/include/vireo_exit.h): the codes
 * are distinct and named, the monitor's outcome codes are even (never a
 * bare-image debug exit, (V << 1) | 1), and a monitor's wait status maps
 * into the table as `vireo start --attach` reports it.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vireo_exit.h"
#include "vireo_imgname.h"
#include "test.h"

static const int codes[] = {
	VIREO_EXIT_OK,	      VIREO_EXIT_USAGE,	      VIREO_EXIT_NOT_FOUND,
	VIREO_EXIT_STATE,     VIREO_EXIT_ERROR,	      VIREO_EXIT_TIMEOUT,
	VIREO_EXIT_DECLINED,  VIREO_EXIT_GUEST_CRASH, VIREO_EXIT_INTERRUPTED,
	VIREO_EXIT_CORRUPT,   VIREO_EXIT_LEAKS,
};

static void exit_table_distinct(void)
{
	unsigned int i, j, n = sizeof(codes) / sizeof(codes[0]);

	for (i = 0; i < n; i++) {
		T_TRUE(vireo_exit_name(codes[i]) != NULL);
		for (j = 0; j < i; j++) {
			T_TRUE(codes[i] != codes[j]);
			T_TRUE(strcmp(vireo_exit_name(codes[i]), vireo_exit_name(codes[j])));
		}
	}
	T_TRUE(vireo_exit_name(7) == NULL);
	T_TRUE(!strcmp(vireo_exit_name(VIREO_EXIT_NOT_FOUND), "not-found"));
	/* The monitor's and the checker's outcomes are even. */
	T_EQ(VIREO_EXIT_GUEST_CRASH & 1, 0);
	T_EQ(VIREO_EXIT_INTERRUPTED & 1, 0);
	T_EQ(VIREO_EXIT_CORRUPT & 1, 0);
	T_EQ(VIREO_EXIT_LEAKS & 1, 0);
}

/* A child that ends as told: its wait status. */
static int wait_status_of(int code, int sig)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (sig)
			raise(sig);
		_exit(code);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void exit_from_wait(void)
{
	T_EQ(vireo_exit_from_wait(wait_status_of(0, 0)), VIREO_EXIT_OK);
	T_EQ(vireo_exit_from_wait(wait_status_of(3, 0)), VIREO_EXIT_STATE);
	T_EQ(vireo_exit_from_wait(wait_status_of(4, 0)), VIREO_EXIT_ERROR);
	T_EQ(vireo_exit_from_wait(wait_status_of(8, 0)), VIREO_EXIT_GUEST_CRASH);
	T_EQ(vireo_exit_from_wait(wait_status_of(10, 0)), VIREO_EXIT_INTERRUPTED);
	/* Not a monitor's: never passed through as a CLI meaning. */
	T_EQ(vireo_exit_from_wait(wait_status_of(2, 0)), VIREO_EXIT_ERROR);
	T_EQ(vireo_exit_from_wait(wait_status_of(6, 0)), VIREO_EXIT_ERROR);
	T_EQ(vireo_exit_from_wait(wait_status_of(1, 0)), VIREO_EXIT_ERROR);
	T_EQ(vireo_exit_from_wait(wait_status_of(127, 0)), VIREO_EXIT_ERROR);
	T_EQ(vireo_exit_from_wait(wait_status_of(0, SIGKILL)), VIREO_EXIT_INTERRUPTED);
}

static void format_by_name(void)
{
	T_TRUE(!strcmp(vireo_format_by_name("a/b.raw"), "raw"));
	T_TRUE(!strcmp(vireo_format_by_name("b.IMG"), "raw"));
	T_TRUE(!strcmp(vireo_format_by_name("x.iso"), "raw"));
	T_TRUE(!strcmp(vireo_format_by_name("/d.qcow2/b.qcow2"), "qcow2"));
	T_TRUE(vireo_format_by_name("b") == NULL);
	T_TRUE(vireo_format_by_name("dir.raw/b") == NULL);	/* the directory's name */
	T_TRUE(vireo_format_by_name(".raw") == NULL);		/* a dot file */
	T_TRUE(vireo_format_by_name("b.vmdk") == NULL);
	T_TRUE(vireo_format_default_ok("b.qcow2", "qcow2"));
	T_TRUE(vireo_format_default_ok("b", "qcow2"));
	T_TRUE(!vireo_format_default_ok("b.raw", "qcow2"));
}

static const struct vireo_test vireo_tests_exit[] = {
	VIREO_TEST(exit_table_distinct),
	VIREO_TEST(exit_from_wait),
	VIREO_TEST(format_by_name),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(exit, vireo_tests_exit);
