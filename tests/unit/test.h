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

extern const struct vireo_test vireo_tests_decode[];
extern const struct vireo_test vireo_tests_paging[];
extern const struct vireo_test vireo_tests_emulate[];
extern const struct vireo_test vireo_tests_slots[];
extern const struct vireo_test vireo_tests_options[];
extern const struct vireo_test vireo_tests_cpuid[];
extern const struct vireo_test vireo_tests_devices[];
extern const struct vireo_test vireo_tests_boot[];
extern const struct vireo_test vireo_tests_exits[];
extern const struct vireo_test vireo_tests_lib[];

#endif /* VIREO_UNIT_TEST_H */
