/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): the subset of the KUnit API (include/kunit/test.h
 * of Linux 6.1) that kmod/tests/ uses, with the same names and meanings, so
 * that the same suite files build as real KUnit in a kernel and as a host
 * program here.  tests/kunit/runner.c runs the suites and prints KTAP.
 *
 * Differences from the kernel's KUnit, all on the strict side: a WARN_ON()
 * hit in the code under test fails the running case, and a BUG_ON() (or a
 * shim-detected deadlock) ends the case as failed instead of the kernel.
 */
#ifndef KSHIM_KUNIT_TEST_H
#define KSHIM_KUNIT_TEST_H

#include <setjmp.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#define KUNIT_PARAM_DESC_SIZE		128
#define KUNIT_STATUS_COMMENT_SIZE	256

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

struct kunit_resource_shim;

struct kunit {
	void *priv;

	/* private: the runner's */
	const char *name;
	const void *param_value;
	int param_index;
	enum kunit_status status;
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	jmp_buf *abort;
	struct kunit_resource_shim *resources;
};

struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

#define KUNIT_CASE(test_name)	{ .run_case = test_name, .name = #test_name }
#define KUNIT_CASE_PARAM(test_name, gen_params)			\
	{ .run_case = test_name, .name = #test_name,		\
	  .generate_params = gen_params }

/* An array of parameters, each described by get_desc(param, desc) (or not). */
#define KUNIT_ARRAY_PARAM(name, array, get_desc)					\
	static const void *name##_gen_params(const void *prev, char *desc)		\
	{										\
		__typeof__((array)[0]) *__next = prev ? ((__typeof__(__next))prev) + 1 : \
						       (array);				\
		if (__next - (array) < (long)ARRAY_SIZE(array)) {			\
			void (*__get_desc)(__typeof__(__next), char *) = get_desc;	\
			if (__get_desc)							\
				__get_desc(__next, desc);				\
			return __next;							\
		}									\
		return NULL;								\
	}

struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

/* Registration: runner.c walks the section from __start_ to __stop_. */
#define KSHIM_KUNIT_CONCAT_(a, b)	a##b
#define KSHIM_KUNIT_CONCAT(a, b)	KSHIM_KUNIT_CONCAT_(a, b)
#define kunit_test_suites(__suites...)							\
	static struct kunit_suite *KSHIM_KUNIT_CONCAT(__kunit_suites_, __COUNTER__)[]	\
	__used __section("kunit_test_suites") __aligned(sizeof(struct kunit_suite *)) =	\
		{ __suites }
#define kunit_test_suite(suite)		kunit_test_suites(&suite)

/* ------------------------------------------------------------- runtime */

void kunit_fail_msg(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *fmt, ...) __printf(5, 6);
void kunit_fail_binary(struct kunit *test, const char *file, int line, bool is_assert,
		       const char *left, const char *op, const char *right,
		       unsigned long long lval, unsigned long long rval, const char *fmt, ...);
void kunit_fail_ptr(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *left, const char *op, const char *right,
		    const void *lval, const void *rval, const char *fmt, ...);
void kunit_fail_str(struct kunit *test, const char *file, int line, bool is_assert,
		    const char *left, const char *op, const char *right,
		    const char *lval, const char *rval, const char *fmt, ...);
void kunit_do_skip(struct kunit *test, bool abort_case, const char *fmt, ...) __printf(3, 4);
void kunit_log_msg(struct kunit *test, const char *level, const char *fmt, ...) __printf(3, 4);

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size, gfp_t gfp);
void kunit_kfree(struct kunit *test, const void *ptr);

static inline void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc_array(test, 1, size, gfp);
}

static inline void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc(test, size, gfp | __GFP_ZERO);
}

static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size, gfp_t gfp)
{
	return kunit_kmalloc_array(test, n, size, gfp | __GFP_ZERO);
}

#define kunit_info(test, fmt, ...)	kunit_log_msg(test, "", fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...)	kunit_log_msg(test, "warning: ", fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)	kunit_log_msg(test, "error: ", fmt, ##__VA_ARGS__)

#define kunit_mark_skipped(test, fmt, ...)	kunit_do_skip(test, false, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...)		kunit_do_skip(test, true, fmt, ##__VA_ARGS__)

#define KUNIT_FAIL(test, fmt, ...) \
	kunit_fail_msg(test, __FILE__, __LINE__, false, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FAILURE(test, fmt, ...) \
	kunit_fail_msg(test, __FILE__, __LINE__, true, fmt, ##__VA_ARGS__)

/* ---------------------------------------------------------- assertions */

#define KSHIM_KUNIT_BINARY(test, is_assert, left, op, right, fmt, ...) do {		\
	const __typeof__(left) __left = (left);						\
	const __typeof__(right) __right = (right);					\
	if (!(__left op __right))							\
		kunit_fail_binary(test, __FILE__, __LINE__, is_assert, #left, #op,	\
				  #right, (unsigned long long)__left,			\
				  (unsigned long long)__right, fmt, ##__VA_ARGS__);	\
} while (0)

#define KSHIM_KUNIT_PTR(test, is_assert, left, op, right, fmt, ...) do {		\
	const void *__left = (left);							\
	const void *__right = (right);							\
	if (!(__left op __right))							\
		kunit_fail_ptr(test, __FILE__, __LINE__, is_assert, #left, #op, #right,	\
			       __left, __right, fmt, ##__VA_ARGS__);			\
} while (0)

#define KSHIM_KUNIT_STR(test, is_assert, left, op, right, fmt, ...) do {		\
	const char *__left = (left);							\
	const char *__right = (right);							\
	if (!(strcmp(__left, __right) op 0))						\
		kunit_fail_str(test, __FILE__, __LINE__, is_assert, #left, #op, #right,	\
			       __left, __right, fmt, ##__VA_ARGS__);			\
} while (0)

#define KSHIM_KUNIT_BOOL(test, is_assert, cond, expect, fmt, ...) do {			\
	const bool __cond = (cond);							\
	if (__cond != (expect))								\
		kunit_fail_binary(test, __FILE__, __LINE__, is_assert, #cond, "is",	\
				  (expect) ? "true" : "false", __cond, (expect),	\
				  fmt, ##__VA_ARGS__);					\
} while (0)

#define KSHIM_KUNIT_NOT_ERR_OR_NULL(test, is_assert, ptr, fmt, ...) do {		\
	const void *__ptr = (ptr);							\
	if (IS_ERR_OR_NULL(__ptr))							\
		kunit_fail_ptr(test, __FILE__, __LINE__, is_assert, #ptr, "is not",	\
			       "an error or NULL", __ptr, NULL, fmt, ##__VA_ARGS__);	\
} while (0)

#define KUNIT_EXPECT_TRUE_MSG(test, c, fmt, ...) \
	KSHIM_KUNIT_BOOL(test, false, c, true, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(test, c, fmt, ...) \
	KSHIM_KUNIT_BOOL(test, false, c, false, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_EQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GT_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, false, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_PTR(test, false, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_PTR(test, false, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_PTR(test, false, p, ==, NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_PTR(test, false, p, !=, NULL, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_NOT_ERR_OR_NULL(test, false, p, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STREQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_STR(test, false, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STRNEQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_STR(test, false, l, !=, r, fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_TRUE_MSG(test, c, fmt, ...) \
	KSHIM_KUNIT_BOOL(test, true, c, true, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FALSE_MSG(test, c, fmt, ...) \
	KSHIM_KUNIT_BOOL(test, true, c, false, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GT_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_BINARY(test, true, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_EQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_PTR(test, true, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_PTR(test, true, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_PTR(test, true, p, ==, NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_PTR(test, true, p, !=, NULL, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...) \
	KSHIM_KUNIT_NOT_ERR_OR_NULL(test, true, p, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_STREQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_STR(test, true, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_STRNEQ_MSG(test, l, r, fmt, ...) \
	KSHIM_KUNIT_STR(test, true, l, !=, r, fmt, ##__VA_ARGS__)

#define KUNIT_EXPECT_TRUE(test, c)		KUNIT_EXPECT_TRUE_MSG(test, c, NULL)
#define KUNIT_EXPECT_FALSE(test, c)		KUNIT_EXPECT_FALSE_MSG(test, c, NULL)
#define KUNIT_EXPECT_EQ(test, l, r)		KUNIT_EXPECT_EQ_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_NE(test, l, r)		KUNIT_EXPECT_NE_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_LT(test, l, r)		KUNIT_EXPECT_LT_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_LE(test, l, r)		KUNIT_EXPECT_LE_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_GT(test, l, r)		KUNIT_EXPECT_GT_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_GE(test, l, r)		KUNIT_EXPECT_GE_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_PTR_EQ(test, l, r)		KUNIT_EXPECT_PTR_EQ_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_PTR_NE(test, l, r)		KUNIT_EXPECT_PTR_NE_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_NULL(test, p)		KUNIT_EXPECT_NULL_MSG(test, p, NULL)
#define KUNIT_EXPECT_NOT_NULL(test, p)		KUNIT_EXPECT_NOT_NULL_MSG(test, p, NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p)	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, p, NULL)
#define KUNIT_EXPECT_STREQ(test, l, r)		KUNIT_EXPECT_STREQ_MSG(test, l, r, NULL)
#define KUNIT_EXPECT_STRNEQ(test, l, r)		KUNIT_EXPECT_STRNEQ_MSG(test, l, r, NULL)

#define KUNIT_ASSERT_TRUE(test, c)		KUNIT_ASSERT_TRUE_MSG(test, c, NULL)
#define KUNIT_ASSERT_FALSE(test, c)		KUNIT_ASSERT_FALSE_MSG(test, c, NULL)
#define KUNIT_ASSERT_EQ(test, l, r)		KUNIT_ASSERT_EQ_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_NE(test, l, r)		KUNIT_ASSERT_NE_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_LT(test, l, r)		KUNIT_ASSERT_LT_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_LE(test, l, r)		KUNIT_ASSERT_LE_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_GT(test, l, r)		KUNIT_ASSERT_GT_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_GE(test, l, r)		KUNIT_ASSERT_GE_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_PTR_EQ(test, l, r)		KUNIT_ASSERT_PTR_EQ_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_PTR_NE(test, l, r)		KUNIT_ASSERT_PTR_NE_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_NULL(test, p)		KUNIT_ASSERT_NULL_MSG(test, p, NULL)
#define KUNIT_ASSERT_NOT_NULL(test, p)		KUNIT_ASSERT_NOT_NULL_MSG(test, p, NULL)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p)	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, p, NULL)
#define KUNIT_ASSERT_STREQ(test, l, r)		KUNIT_ASSERT_STREQ_MSG(test, l, r, NULL)
#define KUNIT_ASSERT_STRNEQ(test, l, r)		KUNIT_ASSERT_STRNEQ_MSG(test, l, r, NULL)

#endif
