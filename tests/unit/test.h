/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit-test framework.  A test is a void function; the first failed
 * check records "file:line: detail" and returns from it.  Each test file
 * exports one NULL-terminated table of tests; runner.c lists the tables.
 */
#ifndef VIREO_UNIT_TEST_H
#define VIREO_UNIT_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct vireo_test {
	const char *name;
	void (*fn)(void);
};

void vireo_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vireo_test_failed(void);
/* Mark the running test skipped (it needs something this machine lacks). */
void vireo_test_skip(const char *why);

/*
 * Per-program setup around every test (a fresh temporary directory, say):
 * a test program that needs it sets these from a constructor.
 */
struct vireo_test_hooks {
	void (*begin)(const char *name);
	void (*end)(void);
};
void vireo_test_set_hooks(const struct vireo_test_hooks *hooks);

#define T_TRUE(cond)                                                                        \
	do {                                                                                \
		if (!(cond)) {                                                              \
			vireo_test_fail(__FILE__, __LINE__, "%s", #cond);                   \
			return;                                                             \
		}                                                                           \
	} while (0)

#define T_EQ(a, b)                                                                          \
	do {                                                                                \
		unsigned long long t_a_ = (unsigned long long)(a);                            \
		unsigned long long t_b_ = (unsigned long long)(b);                            \
		if (t_a_ != t_b_) {                                                             \
			vireo_test_fail(__FILE__, __LINE__, "%s is 0x%llx, want 0x%llx", #a, \
					t_a_, t_b_);                                            \
			return;                                                             \
		}                                                                           \
	} while (0)

#define T_STR_CONTAINS(hay, needle)                                                         \
	do {                                                                                \
		const char *_h = (hay), *_n = (needle);                                     \
		if (!_h || !strstr(_h, _n)) {                                               \
			vireo_test_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"",           \
					_h ? _h : "(null)", _n);                            \
			return;                                                             \
		}                                                                           \
	} while (0)

/* Run a helper that may fail a check, and stop the caller if it did. */
#define T_CALL(expr)                                                                        \
	do {                                                                                \
		expr;                                                                       \
		if (vireo_test_failed())                                                    \
			return;                                                             \
	} while (0)

#define VIREO_TEST(fn) { #fn, fn }

/*
 * Self-registration, so that a new test file needs no edit elsewhere:
 *   VIREO_TEST_SUITE(pic, vireo_tests_pic);
 * after the file's NULL-terminated table.
 */
struct vireo_test_suite {
	const char *prefix;
	const struct vireo_test *tests;
	struct vireo_test_suite *next;
};
void vireo_test_register(struct vireo_test_suite *suite);
#define VIREO_TEST_SUITE(prefix_, table_)                                                   \
	static struct vireo_test_suite vireo_suite_##prefix_ = { #prefix_, table_, NULL };  \
	__attribute__((constructor)) static void vireo_suite_register_##prefix_(void)       \
	{                                                                                   \
		vireo_test_register(&vireo_suite_##prefix_);                               \
	}


/* The message of a GError (vireo/error.h, <glib.h>) for T_STR_CONTAINS; "" if none was set. */
#define ERRMSG(error) ((error) ? (error)->message : "")

#endif /* VIREO_UNIT_TEST_H */
