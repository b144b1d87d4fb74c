// SPDX-License-Identifier: GPL-2.0
/*
 * The host KUnit runner: runs every suite that kunit_test_suite() placed in
 * the kunit_test_suites section (kmod/tests/<name>_test.c), or those matching
 * the arguments ("suite" or "suite.case" globs, like kunit.filter_glob),
 * and prints KTAP version 1 as the kernel's KUnit executor does:
 *
 *	KTAP version 1
 *	1..<suites>
 *	    KTAP version 1
 *	    # Subtest: <suite>
 *	    1..<cases>
 *	    ok 1 <case>
 *	    not ok 2 <case>
 *	    ok 3 <case> # SKIP <why>
 *	    # <suite>: pass:1 fail:1 skip:1 total:3
 *	not ok 1 <suite>
 *
 * then "# Totals: ..." and, for tools/check.sh, "N passed, N failed[, N
 * skipped]" counting cases.  Exits non-zero if any case failed.
 */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kunit/test.h>
#include <linux/mm.h>

#include "kshim.h"

extern struct kunit_suite *__start_kunit_test_suites[];
extern struct kunit_suite *__stop_kunit_test_suites[];

struct kunit_resource_shim {
	struct kunit_resource_shim *next;
	void *ptr;
};

static struct kunit *running;		/* the case being run, for kshim_bug() */
static const char *indent = "    ";	/* of the case's diagnostics */

/* ----------------------------------------------------------- reporting */

static void diag(struct kunit *test, const char *fmt, va_list ap)
{
	printf("%s# %s: ", indent, test->name);
	vprintf(fmt, ap);
	printf("\n");
}

static void diag_f(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag(test, fmt, ap);
	va_end(ap);
}

static void fail_common(struct kunit *test, const char *file, int line, bool is_assert)
{
	const char *base = strrchr(file, '/');

	test->status = KUNIT_FAILURE;
	diag_f(test, "%s FAILED at %s:%d", is_assert ? "ASSERTION" : "EXPECTATION",
	       base ? base + 1 : file, line);
}

static void user_msg(const char *fmt, va_list ap)
{
	if (!fmt)
		return;
	printf("%s", indent);
	vprintf(fmt, ap);
	printf("\n");
}

static void end_check(struct kunit *test, bool is_assert)
{
	fflush(stdout);
	if (is_assert)
		longjmp(*test->abort, 1);
}

void kunit_fail_msg(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *fmt, ...)
{
	va_list ap;

	fail_common(test, file, line, is_assert);
	va_start(ap, fmt);
	user_msg(fmt, ap);
	va_end(ap);
	end_check(test, is_assert);
}

void kunit_fail_binary(struct kunit *test, const char *file, int line, bool is_assert,
		       const char *left, const char *op, const char *right,
		       unsigned long long lval, unsigned long long rval, const char *fmt, ...)
{
	va_list ap;

	fail_common(test, file, line, is_assert);
	printf("%sExpected %s %s %s, but\n", indent, left, op, right);
	printf("%s    %s == %lld (0x%llx)\n", indent, left, (long long)lval, lval);
	printf("%s    %s == %lld (0x%llx)\n", indent, right, (long long)rval, rval);
	va_start(ap, fmt);
	user_msg(fmt, ap);
	va_end(ap);
	end_check(test, is_assert);
}

void kunit_fail_ptr(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *left, const char *op, const char *right,
		    const void *lval, const void *rval, const char *fmt, ...)
{
	va_list ap;

	fail_common(test, file, line, is_assert);
	printf("%sExpected %s %s %s, but\n", indent, left, op, right);
	printf("%s    %s == %p\n", indent, left, lval);
	printf("%s    %s == %p\n", indent, right, rval);
	va_start(ap, fmt);
	user_msg(fmt, ap);
	va_end(ap);
	end_check(test, is_assert);
}

void kunit_fail_str(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *left, const char *op, const char *right,
		    const char *lval, const char *rval, const char *fmt, ...)
{
	va_list ap;

	fail_common(test, file, line, is_assert);
	printf("%sExpected %s %s %s, but\n", indent, left, op, right);
	printf("%s    %s == \"%s\"\n", indent, left, lval);
	printf("%s    %s == \"%s\"\n", indent, right, rval);
	va_start(ap, fmt);
	user_msg(fmt, ap);
	va_end(ap);
	end_check(test, is_assert);
}

void kunit_do_skip(struct kunit *test, bool abort_case, const char *fmt, ...)
{
	va_list ap;

	if (test->status != KUNIT_FAILURE)
		test->status = KUNIT_SKIPPED;
	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
	end_check(test, abort_case);
}

void kunit_log_msg(struct kunit *test, const char *level, const char *fmt, ...)
{
	va_list ap;

	printf("%s# %s: %s", indent, test->name, level);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ----------------------------------------------- test-managed memory */

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size, gfp_t gfp)
{
	struct kunit_resource_shim *r = calloc(1, sizeof(*r));
	void *p = kcalloc(n, size, gfp);

	if (!r || !p) {
		free(r);
		kfree(p);
		return NULL;
	}
	r->ptr = p;
	r->next = test->resources;
	test->resources = r;
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	struct kunit_resource_shim **pp, *r;

	for (pp = &test->resources; (r = *pp); pp = &r->next) {
		if (r->ptr == ptr) {
			*pp = r->next;
			kfree(r->ptr);
			free(r);
			return;
		}
	}
	kunit_fail_msg(test, __FILE__, __LINE__, false, "kunit_kfree(%p): not test-managed", ptr);
}

static void free_resources(struct kunit *test)
{
	struct kunit_resource_shim *r;

	while ((r = test->resources)) {
		test->resources = r->next;
		kfree(r->ptr);
		free(r);
	}
}

/* ------------------------------------------------------- kshim hooks */

/* A WARN in the code under test fails the case (the kernel only splats). */
void kshim_runner_warn(const char *file, int line, const char *cond)
{
	if (!running) {
		fprintf(stderr, "WARNING at %s:%d: %s (outside any case)\n", file, line, cond);
		return;
	}
	kunit_fail_msg(running, file, line, false, "WARNING: %s", cond);
}

/* A BUG (or a shim-detected deadlock) ends the case as failed. */
bool kshim_runner_bug(const char *file, int line, const char *what)
{
	if (!running)
		return false;
	kunit_fail_msg(running, file, line, true, "BUG: %s", what);
	return true;	/* not reached */
}

/* ------------------------------------------------------------- runner */

static int nargs;
static char **args;

static bool selected(const char *suite, const char *tcase)
{
	char full[512];
	int i;

	if (!nargs)
		return true;
	snprintf(full, sizeof(full), "%s.%s", suite, tcase ? tcase : "");
	for (i = 0; i < nargs; i++) {
		if (strchr(args[i], '.')) {
			if (!tcase || !fnmatch(args[i], full, 0))
				return true;
		} else if (!fnmatch(args[i], suite, 0)) {
			return true;
		}
	}
	return false;
}

static bool suite_selected(const struct kunit_suite *suite)
{
	const struct kunit_case *c;

	for (c = suite->test_cases; c->run_case; c++)
		if (selected(suite->name, c->name))
			return true;
	return false;
}

struct counts {
	unsigned int pass, fail, skip;
};

static void count(struct counts *c, enum kunit_status s)
{
	if (s == KUNIT_FAILURE)
		c->fail++;
	else if (s == KUNIT_SKIPPED)
		c->skip++;
	else
		c->pass++;
}

static void print_result(const char *ind, unsigned int n, const char *name, enum kunit_status s,
			 const char *comment)
{
	printf("%s%s %u %s", ind, s == KUNIT_FAILURE ? "not ok" : "ok", n, name);
	if (s == KUNIT_SKIPPED)
		printf(" # SKIP %s", comment);
	printf("\n");
	fflush(stdout);
}

/* One run of a case (one parameter of a parameterised one). */
static enum kunit_status run_once(struct kunit_suite *suite, struct kunit_case *c,
				  const void *param, int param_index, char *comment)
{
	struct kunit test = { 0 };
	jmp_buf abort_jmp;
	long pages = kshim_pages_outstanding(), blocks = kshim_kmalloc_outstanding();

	test.name = c->name;
	test.param_value = param;
	test.param_index = param_index;
	test.status = KUNIT_SUCCESS;
	test.abort = &abort_jmp;
	running = &test;
	kshim_reset();

	if (!setjmp(abort_jmp)) {
		if (suite->init && suite->init(&test)) {
			kunit_fail_msg(&test, __FILE__, __LINE__, false, "suite init failed");
		} else {
			c->run_case(&test);
		}
	}
	/* exit runs after an aborted case too, as in the kernel */
	if (suite->exit && !setjmp(abort_jmp))
		suite->exit(&test);
	running = NULL;
	free_resources(&test);
	/* What the kernel would trip over later: leaks and armed timers. */
	if (kshim_eventfds_forget()) {
		diag_f(&test, "an eventfd fd was left open");
		test.status = KUNIT_FAILURE;
	}
	if (kshim_pages_outstanding() != pages) {
		diag_f(&test, "page leak: %ld page(s) not freed",
		       kshim_pages_outstanding() - pages);
		test.status = KUNIT_FAILURE;
	}
	if (kshim_kmalloc_outstanding() != blocks) {
		diag_f(&test, "memory leak: %ld kmalloc block(s) not freed",
		       kshim_kmalloc_outstanding() - blocks);
		test.status = KUNIT_FAILURE;
	}
	if (kshim_timers_forget()) {
		diag_f(&test, "an hrtimer is still queued after the case (freed memory?)");
		test.status = KUNIT_FAILURE;
	}
	snprintf(comment, KUNIT_STATUS_COMMENT_SIZE, "%s", test.status_comment);
	return test.status;
}

static enum kunit_status run_case(struct kunit_suite *suite, struct kunit_case *c,
				  char *comment)
{
	char desc[KUNIT_PARAM_DESC_SIZE];
	struct counts pc = { 0 };
	const void *param = NULL;
	enum kunit_status s;
	int i = 0;

	if (!c->generate_params)
		return run_once(suite, c, NULL, 0, comment);

	printf("        KTAP version 1\n        # Subtest: %s\n", c->name);
	indent = "        ";
	while (desc[0] = 0, (param = c->generate_params(param, desc))) {
		char pcomment[KUNIT_STATUS_COMMENT_SIZE];

		s = run_once(suite, c, param, i, pcomment);
		count(&pc, s);
		i++;
		if (!desc[0])
			snprintf(desc, sizeof(desc), "param-%d", i - 1);
		print_result("        ", i, desc, s, pcomment);
	}
	indent = "    ";
	printf("        # %s: pass:%u fail:%u skip:%u total:%d\n", c->name, pc.pass, pc.fail,
	       pc.skip, i);
	comment[0] = 0;
	if (pc.fail)
		return KUNIT_FAILURE;
	if (pc.skip && !pc.pass) {
		snprintf(comment, KUNIT_STATUS_COMMENT_SIZE, "all parameters skipped");
		return KUNIT_SKIPPED;
	}
	return KUNIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct kunit_suite **sp;
	struct counts total = { 0 };
	unsigned int nsuites = 0, n = 0;

	nargs = argc - 1;
	args = argv + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (sp = __start_kunit_test_suites; sp < __stop_kunit_test_suites; sp++)
		nsuites += suite_selected(*sp);
	printf("KTAP version 1\n1..%u\n", nsuites);

	for (sp = __start_kunit_test_suites; sp < __stop_kunit_test_suites; sp++) {
		struct kunit_suite *suite = *sp;
		struct counts sc = { 0 };
		enum kunit_status ss;
		struct kunit_case *c;
		unsigned int ncases = 0, i = 0;

		if (!suite_selected(suite))
			continue;
		for (c = suite->test_cases; c->run_case; c++)
			ncases += selected(suite->name, c->name);
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite->name, ncases);
		if (suite->suite_init && suite->suite_init(suite)) {
			printf("    # %s: suite_init failed\n", suite->name);
			sc.fail = ncases;
			goto suite_done;
		}
		for (c = suite->test_cases; c->run_case; c++) {
			char comment[KUNIT_STATUS_COMMENT_SIZE];
			enum kunit_status s;

			if (!selected(suite->name, c->name))
				continue;
			s = run_case(suite, c, comment);
			count(&sc, s);
			print_result("    ", ++i, c->name, s, comment);
		}
		if (suite->suite_exit)
			suite->suite_exit(suite);
suite_done:
		printf("    # %s: pass:%u fail:%u skip:%u total:%u\n", suite->name, sc.pass,
		       sc.fail, sc.skip, ncases);
		ss = sc.fail ? KUNIT_FAILURE : sc.pass ? KUNIT_SUCCESS :
		     ncases ? KUNIT_SKIPPED : KUNIT_SUCCESS;
		print_result("", ++n, suite->name, ss, "all cases skipped");
		total.pass += sc.pass;
		total.fail += sc.fail;
		total.skip += sc.skip;
	}
	printf("# Totals: pass:%u fail:%u skip:%u total:%u\n", total.pass, total.fail, total.skip,
	       total.pass + total.fail + total.skip);
	printf("%u passed, %u failed", total.pass, total.fail);
	if (total.skip)
		printf(", %u skipped", total.skip);
	printf("\n");
	return total.fail ? 1 : 0;
}
