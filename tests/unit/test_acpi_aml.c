// SPDX-License-Identifier: GPL-2.0
/*
 * The AML encoder byte by byte: PkgLength at every size boundary (checked
 * against a decoder), integers, NameStrings, EISA IDs, Buffer sizes, and
 * the errors vireo_aml_finish() reports.
 */
#include <errno.h>

#include "acpi/aml.h"
#include "test.h"

static size_t decode_pkglength(const uint8_t *p, unsigned int *nbytes)
{
	unsigned int n = p[0] >> 6, i;
	size_t len;

	*nbytes = n + 1;
	if (n == 0)
		return p[0] & 0x3f;
	len = p[0] & 0x0f;
	for (i = 1; i <= n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

static void aml_pkglength(void)
{
	static const size_t bodies[] = { 0, 1, 61, 62, 63, 64, 0xffd, 0xffe, 0xfff, 0x1000,
					 0xffffc, 0xffffd, 0xfffff, 0xffffffb };
	uint8_t out[4];
	unsigned int i, n, used;

	T_EQ(vireo_aml_pkglength(0, out), 1);
	T_EQ(out[0], 1);
	T_EQ(vireo_aml_pkglength(62, out), 1);
	T_EQ(out[0], 0x3f);
	T_EQ(vireo_aml_pkglength(63, out), 2);
	T_EQ(out[0], 0x41);	/* 65 = 0x41: lead nibble 1, next byte 4 */
	T_EQ(out[1], 0x04);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		n = vireo_aml_pkglength(bodies[i], out);
		T_TRUE(n >= 1 && n <= 4);
		T_EQ(decode_pkglength(out, &used), bodies[i] + n);
		T_EQ(used, n);
		/* Never longer than needed: one byte less would not hold it. */
		if (n > 1)
			T_TRUE(bodies[i] + n - 1 >= (n == 2 ? 0x40U : (1U << (4 + 8 * (n - 2)))) - 1);
	}
	T_EQ(vireo_aml_pkglength(0x10000000, out), 0);
}

static void expect_bytes(struct vireo_aml *a, const uint8_t *want, size_t n)
{
	T_EQ(vireo_aml_finish(a), 0);
	T_EQ(a->len, n);
	T_TRUE(!memcmp(a->buf, want, n));
}

static void aml_integers(void)
{
	struct vireo_aml a;
	static const uint8_t want[] = {
		0x00, 0x01, 0xff, 0x0a, 0x02, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x00, 0x00, 0x01, 0x00, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
	};

	vireo_aml_init(&a);
	vireo_aml_int(&a, 0);
	vireo_aml_int(&a, 1);
	vireo_aml_int(&a, ~0ULL);
	vireo_aml_int(&a, 2);
	vireo_aml_int(&a, 0xff);
	vireo_aml_int(&a, 0x100);
	vireo_aml_int(&a, 0x10000);
	vireo_aml_int(&a, 1ULL << 32);
	T_CALL(expect_bytes(&a, want, sizeof(want)));
	vireo_aml_fini(&a);
}

static void aml_names(void)
{
	struct vireo_aml a;
	static const uint8_t want[] = {
		'_', 'S', '5', '_',
		0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		0x5c, 0x2f, 3, 'A', '_', '_', '_', 'B', 'C', '_', '_', 'D', '1', '2', '3',
		0x00,
		0x5e, 0x5e, 'X', '_', '_', '_',
		0x5c, 0x00,
	};

	vireo_aml_init(&a);
	vireo_aml_namestring(&a, "_S5");
	vireo_aml_namestring(&a, "\\_SB.PCI0");
	vireo_aml_namestring(&a, "\\A.BC.D123");
	vireo_aml_namestring(&a, "");
	vireo_aml_namestring(&a, "^^X");
	vireo_aml_namestring(&a, "\\");
	T_CALL(expect_bytes(&a, want, sizeof(want)));
	vireo_aml_fini(&a);
}

static void aml_bad_names(void)
{
	static const char *const bad[] = { "1ABC", "ABCDE", "a", "A..B", "A.", ".A", "A-B",
					   "\\^A" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vireo_aml a;

		vireo_aml_init(&a);
		vireo_aml_namestring(&a, bad[i]);
		T_EQ(vireo_aml_finish(&a), -EINVAL);
		vireo_aml_fini(&a);
	}
}

static void aml_eisaid(void)
{
	struct vireo_aml a;
	static const uint8_t want[] = { 0x0c, 0x41, 0xd0, 0x0a, 0x08 };

	T_EQ(vireo_aml_eisaid_value("PNP0A03"), 0x030ad041);
	T_EQ(vireo_aml_eisaid_value("PNP0A08"), 0x080ad041);
	T_EQ(vireo_aml_eisaid_value("PNP0C0C"), 0x0c0cd041);
	T_EQ(vireo_aml_eisaid_value("PNP0a03"), 0);
	T_EQ(vireo_aml_eisaid_value("pNP0A03"), 0);
	T_EQ(vireo_aml_eisaid_value("PNP0A0"), 0);
	vireo_aml_init(&a);
	vireo_aml_eisaid(&a, "PNP0A08");
	T_CALL(expect_bytes(&a, want, sizeof(want)));
	vireo_aml_eisaid(&a, "BAD");
	T_EQ(vireo_aml_finish(&a), -EINVAL);
	vireo_aml_fini(&a);
}

static void aml_constructs(void)
{
	struct vireo_aml a;
	/* Scope(\_SB){ Device(DEV0){ Name(_S5, Package(2){1, "x"}) Name(BUF, Buffer{1,2,3})
	 *   Method(_OSC, 4){ Return(Arg3) } } } */
	static const uint8_t want[] = {
		0x10, 0x2e, 0x5c, '_', 'S', 'B', '_',
		0x5b, 0x82, 0x26, 'D', 'E', 'V', '0',
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x01, 0x0d, 'x', 0x00,
		0x08, 'B', 'U', 'F', '_', 0x11, 0x06, 0x0a, 0x03, 1, 2, 3,
		0x14, 0x08, '_', 'O', 'S', 'C', 0x04, 0xa4, 0x6b,
	};

	vireo_aml_init(&a);
	vireo_aml_scope(&a, "\\_SB");
	vireo_aml_device(&a, "DEV0");
	vireo_aml_name(&a, "_S5");
	vireo_aml_package(&a, 2);
	vireo_aml_int(&a, 1);
	vireo_aml_string(&a, "x");
	vireo_aml_close(&a);
	vireo_aml_name(&a, "BUF");
	vireo_aml_buffer(&a);
	vireo_aml_bytes(&a, (uint8_t[]){ 1, 2, 3 }, 3);
	vireo_aml_close(&a);
	vireo_aml_method(&a, "_OSC", 4, false);
	vireo_aml_return(&a);
	vireo_aml_arg(&a, 3);
	vireo_aml_close(&a);
	vireo_aml_close(&a);
	vireo_aml_close(&a);
	T_CALL(expect_bytes(&a, want, sizeof(want)));
	vireo_aml_fini(&a);
}

/* A body past 63 bytes: the PkgLength grows and the body moves intact. */
static void aml_long_package(void)
{
	struct vireo_aml a;
	unsigned int i, used;
	size_t len;

	vireo_aml_init(&a);
	vireo_aml_package(&a, 200);
	for (i = 0; i < 200; i++)
		vireo_aml_int(&a, 0x1000 + i);	/* 3 bytes each */
	vireo_aml_close(&a);
	T_EQ(vireo_aml_finish(&a), 0);
	T_EQ(a.buf[0], 0x12);
	len = decode_pkglength(a.buf + 1, &used);
	T_EQ(used, 2);
	T_EQ(len, 2 + 1 + 600);	/* PkgLength, NumElements, elements */
	T_EQ(a.len, 1 + len);
	T_EQ(a.buf[1 + used], 200);
	for (i = 0; i < 200; i++) {
		const uint8_t *e = a.buf + 1 + used + 1 + 3 * i;

		T_EQ(e[0], 0x0b);
		T_EQ(e[1] | e[2] << 8, 0x1000 + i);
	}
	vireo_aml_fini(&a);

	/* A Buffer of 300 bytes: WordConst size, 2-byte PkgLength. */
	vireo_aml_init(&a);
	vireo_aml_buffer(&a);
	for (i = 0; i < 300; i++)
		vireo_aml_byte(&a, (uint8_t)i);
	vireo_aml_close(&a);
	T_EQ(vireo_aml_finish(&a), 0);
	len = decode_pkglength(a.buf + 1, &used);
	T_EQ(len, 2 + 3 + 300);
	T_EQ(a.buf[3], 0x0b);
	T_EQ(a.buf[4] | a.buf[5] << 8, 300);
	T_EQ(a.buf[6 + 299], (uint8_t)299);
	vireo_aml_fini(&a);
}

static void aml_misuse(void)
{
	struct vireo_aml a;
	unsigned int i;

	vireo_aml_init(&a);
	vireo_aml_scope(&a, "\\_SB");
	T_EQ(vireo_aml_finish(&a), -EINVAL);	/* not closed */
	vireo_aml_close(&a);
	T_EQ(vireo_aml_finish(&a), 0);
	vireo_aml_close(&a);			/* one close too many */
	T_EQ(vireo_aml_finish(&a), -EINVAL);
	vireo_aml_fini(&a);

	vireo_aml_init(&a);
	for (i = 0; i <= VIREO_AML_MAX_DEPTH; i++)
		vireo_aml_package(&a, 1);
	T_EQ(vireo_aml_finish(&a), -EINVAL);
	vireo_aml_fini(&a);

	vireo_aml_init(&a);
	vireo_aml_arg(&a, 7);
	T_EQ(vireo_aml_finish(&a), -EINVAL);
	vireo_aml_fini(&a);

	vireo_aml_init(&a);
	vireo_aml_string(&a, "\xc3\xa9");
	T_EQ(vireo_aml_finish(&a), -EINVAL);
	vireo_aml_fini(&a);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(aml_pkglength),
	VIREO_TEST(aml_integers),
	VIREO_TEST(aml_names),
	VIREO_TEST(aml_bad_names),
	VIREO_TEST(aml_eisaid),
	VIREO_TEST(aml_constructs),
	VIREO_TEST(aml_long_package),
	VIREO_TEST(aml_misuse),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(acpi_aml, tests);
