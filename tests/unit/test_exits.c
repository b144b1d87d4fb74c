// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run exit dispatch with synthetic exits: a hand-filled struct
 * vireo_run, no vCPU.  Checks each exit's status and message (the test
 * suite's contract) and what is left in the run page for the kernel.
 */
#include <stdlib.h>

#include "monitor.h"
#include "status.h"
#include "test.h"

static char *err_text, *out_text;
static size_t err_len, out_len;

struct exit_env {
	struct vireo_monitor m;
	struct vireo_run run;
	FILE *out;
};

static void env_init(struct exit_env *e)
{
	free(err_text);
	free(out_text);
	err_text = out_text = NULL;
	memset(e, 0, sizeof(*e));
	e->out = open_memstream(&out_text, &out_len);
	e->m.err = open_memstream(&err_text, &err_len);
	e->m.opts.irq_on_hlt = -1;
	e->m.opts.mmio_test_gpa = 0xd0000000;
	vireo_devices_init(&e->m, e->out);
}

static int dispatch(struct exit_env *e)
{
	int status = vireo_handle_exit(&e->m, &e->run);

	fflush(e->out);
	fflush(e->m.err);
	return status;
}

static void exit_io_out_serial(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_IO;
	e.run.io = (struct vireo_exit_io){ .direction = VIREO_IO_OUT, .size = 1, .port = 0x3f8,
					   .data = 'Z' };
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	e.run.io.data = '\n';
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	T_TRUE(!strcmp(out_text, "Z\n"));
}

static void exit_io_in(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_IO;
	e.run.io = (struct vireo_exit_io){ .direction = VIREO_IO_IN, .size = 1, .port = 0x3fd };
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	T_EQ(e.run.io.data, 0x60);	/* the kernel loads it into AL */
	e.run.io = (struct vireo_exit_io){ .direction = VIREO_IO_IN, .size = 2, .port = 0x1234 };
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	T_EQ(e.run.io.data, 0xffff);
	e.run.io.size = 3;
	T_EQ(dispatch(&e), VIREO_STATUS_ERROR);
}

static void exit_debug_port(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_IO;
	e.run.io = (struct vireo_exit_io){ .direction = VIREO_IO_OUT, .size = 1, .port = 0xf4,
					   .data = 0x10 };
	dispatch(&e);
	T_TRUE(e.m.done);
	T_EQ(e.m.status, 33);
}

static void exit_hlt(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_HLT;
	e.run.if_flag = 0;
	e.m.opts.irq_on_hlt = 0x20;	/* irrelevant with IF=0 */
	T_EQ(dispatch(&e), VIREO_STATUS_HALTED);
	T_STR_CONTAINS(err_text, "vireo-run: guest halted");

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_HLT;
	e.run.if_flag = 1;	/* no --irq-on-hlt: also the end */
	T_EQ(dispatch(&e), VIREO_STATUS_HALTED);
	T_STR_CONTAINS(err_text, "guest halted");
}

static void exit_shutdown(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_SHUTDOWN;
	e.run.rip = 0x100abc;
	T_EQ(dispatch(&e), VIREO_STATUS_CRASH);
	T_STR_CONTAINS(err_text, "vireo-run: guest triple fault (shutdown) at rip=0x100abc");
}

static void exit_hw_failures(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_FAIL_ENTRY;
	e.run.hw.hardware_code = (uint64_t)-1;
	T_EQ(dispatch(&e), VIREO_STATUS_CRASH);
	T_STR_CONTAINS(err_text, "VM entry failed");
	T_STR_CONTAINS(err_text, "hardware code 0xffffffffffffffff");

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_INTERNAL_ERROR;
	e.run.hw.suberror = VIREO_INTERNAL_NO_MEMORY;
	e.run.hw.hardware_code = 0x400;
	e.run.hw.info1 = 0x6;
	T_EQ(dispatch(&e), VIREO_STATUS_CRASH);
	T_STR_CONTAINS(err_text, "internal error 1");
	T_STR_CONTAINS(err_text, "hardware code 0x400, info1 0x6");

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_UNKNOWN;
	e.run.hw.hardware_code = 0x7f;
	T_EQ(dispatch(&e), VIREO_STATUS_CRASH);
	T_STR_CONTAINS(err_text, "hardware code 0x7f");

	env_init(&e);
	e.run.exit_reason = 99;
	T_EQ(dispatch(&e), VIREO_STATUS_CRASH);
}

static void exit_msr(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_MSR;
	e.run.msr = (struct vireo_exit_msr){ .index = VIREO_MSR_SCRATCH };
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	T_EQ(e.run.msr.data, 0x1122334455667788ULL);
	T_EQ(e.run.msr.error, 0);
	e.run.msr = (struct vireo_exit_msr){ .index = 0x12345678, .is_write = 1 };
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	T_EQ(e.run.msr.error, 1);	/* the kernel injects #GP */
}

static void exit_benign(void)
{
	static struct exit_env e;

	env_init(&e);
	e.run.exit_reason = VIREO_EXIT_IRQ_WINDOW;
	T_EQ(dispatch(&e), VIREO_CONTINUE);
	e.run.exit_reason = VIREO_EXIT_INTR;
	T_EQ(dispatch(&e), VIREO_CONTINUE);
}

const struct vireo_test vireo_tests_exits[] = {
	VIREO_TEST(exit_io_out_serial),
	VIREO_TEST(exit_io_in),
	VIREO_TEST(exit_debug_port),
	VIREO_TEST(exit_hlt),
	VIREO_TEST(exit_shutdown),
	VIREO_TEST(exit_hw_failures),
	VIREO_TEST(exit_msr),
	VIREO_TEST(exit_benign),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(exits, vireo_tests_exits);
