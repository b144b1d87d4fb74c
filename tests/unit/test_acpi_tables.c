// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables read back the way an OS reads them: RSDP found by the
 * legacy scan, checksums and lengths of every table, every FADT field
 * Linux uses, MADT entries for several vCPU counts, MCFG, FACS, and the
 * DSDT walked by a small AML parser (names, _CRS descriptors, _PRT, _S5,
 * processors).  When iasl (Debian acpica-tools) is installed, it
 * disassembles the tables and recompiles the DSDT's disassembly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vireo/error.h>

#include "acpi/aml.h"
#include "acpi/pm.h"
#include "acpi/tables.h"
#include "boot/image.h"
#include "test.h"
#include "test_boot_util.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define AREA 0xe0000ULL
#define AREA_SIZE 0x20000ULL

struct built {
	struct vireo_layout l;
	struct vireo_acpi_config c;
	struct vireo_acpi_tables t;
	uint8_t buf[AREA_SIZE];
};

static const uint8_t *at(const struct built *b, uint64_t gpa)
{
	return b->buf + (gpa - AREA);
}

static int build(struct built *b, uint64_t ram, uint64_t mmio64, unsigned int cpus)
{
	struct vireo_layout_config lc = { .ram_size = ram, .mmio64_size = mmio64 };
	g_autoptr(GError) err = NULL;

	if (vireo_layout_init(&b->l, &lc, &err))
		return -1;
	vireo_acpi_config_init(&b->c, &b->l, cpus);
	return vireo_acpi_build(&b->c, b->buf, sizeof(b->buf), AREA, &b->t, &err);
}

/* A table at gpa: signature, length, checksum, inside the area. */
static void check_table(const struct built *b, uint64_t gpa, const char *sig, uint8_t rev)
{
	const uint8_t *t = at(b, gpa);
	uint32_t len;

	T_TRUE(gpa >= AREA && gpa + VIREO_ACPI_HDR_SIZE <= b->t.end);
	T_TRUE(!memcmp(t, sig, 4));
	len = vireo_le32(t + 4);
	T_TRUE(len >= VIREO_ACPI_HDR_SIZE && gpa + len <= b->t.end);
	T_EQ(t[8], rev);
	T_EQ(vireo_acpi_sum(t, len), 0);
	T_TRUE(!memcmp(t + 10, "VIREO ", 6));
	T_TRUE(!memcmp(t + 16, "VIREOPC ", 8));
}

static void acpi_rsdp_and_roots(void)
{
	static struct built b;
	const uint8_t *r, *x, *rs;
	uint64_t addr;
	unsigned int i;

	T_EQ(build(&b, 512 * MIB, 0, 2), 0);
	/* Linux's legacy scan: 16-byte steps over 0xe0000-0xfffff. */
	for (addr = AREA; addr < 0x100000; addr += 16) {
		if (!memcmp(at(&b, addr), "RSD PTR ", 8))
			break;
	}
	T_EQ(addr, b.t.rsdp);
	r = at(&b, addr);
	T_EQ(vireo_acpi_sum(r, 20), 0);
	T_EQ(vireo_acpi_sum(r, 36), 0);
	T_EQ(r[15], 2);
	T_EQ(vireo_le32(r + 20), 36);
	T_EQ(vireo_le32(r + 16), b.t.rsdt);
	T_EQ(vireo_le64(r + 24), b.t.xsdt);

	T_CALL(check_table(&b, b.t.xsdt, "XSDT", 1));
	T_CALL(check_table(&b, b.t.rsdt, "RSDT", 1));
	x = at(&b, b.t.xsdt);
	rs = at(&b, b.t.rsdt);
	T_EQ(vireo_le32(x + 4), 36 + 3 * 8);
	T_EQ(vireo_le32(rs + 4), 36 + 3 * 4);
	for (i = 0; i < 3; i++) {
		uint64_t e = vireo_le64(x + 36 + 8 * i);
		static const char *const sigs[] = { "FACP", "APIC", "MCFG" };

		T_TRUE(!memcmp(at(&b, e), sigs[i], 4));
		T_EQ(vireo_le32(rs + 36 + 4 * i), e);
	}
	T_TRUE(b.t.end <= AREA + AREA_SIZE);
}

static void check_gas(const uint8_t *g, uint8_t bits, uint8_t access, uint64_t port)
{
	T_EQ(g[0], 1);	/* system I/O */
	T_EQ(g[1], bits);
	T_EQ(g[2], 0);
	T_EQ(g[3], access);
	T_EQ(vireo_le64(g + 4), port);
}

static void acpi_fadt(void)
{
	static struct built b;
	const uint8_t *f, *facs;
	uint32_t flags;

	T_EQ(build(&b, 512 * MIB, 0, 1), 0);
	T_CALL(check_table(&b, b.t.fadt, "FACP", 6));
	f = at(&b, b.t.fadt);
	T_EQ(vireo_le32(f + 4), 276);
	T_EQ(f[131], 3);				/* minor version: 6.3 */
	T_EQ(vireo_le32(f + 36), b.t.facs);
	T_EQ(vireo_le32(f + 40), b.t.dsdt);
	T_EQ(vireo_le64(f + 132), b.t.facs);
	T_EQ(vireo_le64(f + 140), b.t.dsdt);
	T_EQ(vireo_le16(f + 46), 9);			/* SCI_INT */
	T_EQ(vireo_le32(f + 48), 0);			/* SMI_CMD: always ACPI mode */
	T_EQ(vireo_le32(f + 56), 0x600);		/* PM1a_EVT_BLK */
	T_EQ(vireo_le32(f + 60), 0);			/* no PM1b */
	T_EQ(vireo_le32(f + 64), 0x604);		/* PM1a_CNT_BLK */
	T_EQ(vireo_le32(f + 68), 0);
	T_EQ(vireo_le32(f + 76), 0x608);		/* PM_TMR_BLK */
	T_EQ(vireo_le32(f + 80), 0);			/* no GPE0 */
	T_EQ(f[88], 4);
	T_EQ(f[89], 2);
	T_EQ(f[91], 4);
	T_EQ(f[92], 0);
	T_TRUE(vireo_le16(f + 96) > 100);		/* no C2 */
	T_TRUE(vireo_le16(f + 98) > 1000);		/* no C3 */
	T_EQ(vireo_le16(f + 109), 0x7);			/* legacy, 8042, no VGA */
	flags = vireo_le32(f + 112);
	T_EQ(flags & (1U << 4), 0);			/* fixed power button */
	T_EQ(flags & (1U << 5), 1U << 5);		/* no fixed sleep button */
	T_EQ(flags & (1U << 6), 0);			/* RTC wake status in PM1 */
	T_EQ(flags & (1U << 8), 1U << 8);		/* 32-bit PM timer */
	T_EQ(flags & (1U << 10), 1U << 10);		/* reset register */
	T_EQ(flags & (1U << 20), 0);			/* not hardware-reduced */
	T_CALL(check_gas(f + 116, 8, 1, 0x64));
	T_EQ(f[128], 0xfe);
	T_CALL(check_gas(f + 148, 32, 2, 0x600));
	T_CALL(check_gas(f + 172, 16, 2, 0x604));
	T_CALL(check_gas(f + 208, 32, 3, 0x608));
	T_EQ(vireo_le64(f + 160 + 4), 0);		/* X_PM1b_EVT */
	T_EQ(vireo_le64(f + 220 + 4), 0);		/* X_GPE0 */

	facs = at(&b, b.t.facs);
	T_EQ(b.t.facs % 64, 0);
	T_TRUE(!memcmp(facs, "FACS", 4));
	T_EQ(vireo_le32(facs + 4), 64);
	T_EQ(facs[32], 2);

	/* The 24-bit timer clears TMR_VAL_EXT. */
	b.c.pm_timer_32bit = false;
	{
		g_autoptr(GError) err = NULL;

		T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), 0);
	}
	T_EQ(vireo_le32(at(&b, b.t.fadt) + 112) & (1U << 8), 0);
	T_EQ(vireo_acpi_sum(at(&b, b.t.fadt), 276), 0);
}

static void check_madt(unsigned int cpus)
{
	static struct built b;
	const uint8_t *m, *e, *end;
	unsigned int lapics = 0, ioapics = 0, nmis = 0, isos = 0;

	T_EQ(build(&b, 256 * MIB, 0, cpus), 0);
	T_CALL(check_table(&b, b.t.madt, "APIC", 5));
	m = at(&b, b.t.madt);
	T_EQ(vireo_le32(m + 36), 0xfee00000);
	T_EQ(vireo_le32(m + 40), 1);	/* PCAT_COMPAT */
	end = m + vireo_le32(m + 4);
	for (e = m + 44; e < end; e += e[1]) {
		T_TRUE(e[1] >= 2 && e + e[1] <= end);
		switch (e[0]) {
		case 0:
			T_EQ(e[1], 8);
			T_EQ(e[2], lapics);		/* UID */
			T_EQ(e[3], lapics);		/* APIC ID */
			T_EQ(vireo_le32(e + 4), 1);	/* enabled */
			lapics++;
			break;
		case 1:
			T_EQ(e[1], 12);
			T_EQ(e[2], 0);
			T_EQ(vireo_le32(e + 4), 0xfec00000);
			T_EQ(vireo_le32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			T_EQ(e[1], 10);
			T_EQ(e[2], 0);
			if (e[3] == 0) {
				T_EQ(vireo_le32(e + 4), 2);
				T_EQ(vireo_le16(e + 8), 0);
			} else {
				T_EQ(e[3], 9);
				T_EQ(vireo_le32(e + 4), 9);
				T_EQ(vireo_le16(e + 8), 0x000d);	/* level, active high */
			}
			isos++;
			break;
		case 4:
			T_EQ(e[1], 6);
			T_EQ(e[2], 0xff);
			T_EQ(e[5], 1);
			nmis++;
			break;
		default:
			T_TRUE(0);
		}
	}
	T_TRUE(e == end);
	T_EQ(lapics, cpus);
	T_EQ(ioapics, 1);
	T_EQ(isos, 2);
	T_EQ(nmis, 1);
}

static void acpi_madt(void)
{
	T_CALL(check_madt(1));
	T_CALL(check_madt(2));
	T_CALL(check_madt(64));
	T_CALL(check_madt(255));
}

static void acpi_mcfg(void)
{
	static struct built b;
	const uint8_t *m;

	T_EQ(build(&b, 256 * MIB, 0, 1), 0);
	T_CALL(check_table(&b, b.t.mcfg, "MCFG", 1));
	m = at(&b, b.t.mcfg);
	T_EQ(vireo_le32(m + 4), 36 + 8 + 16);
	T_EQ(vireo_le64(m + 44), 0xe0000000);
	T_EQ(vireo_le16(m + 52), 0);
	T_EQ(m[54], 0);
	T_EQ(m[55], 255);
}

/* ---- a small AML reader for the subset the DSDT uses ---- */

#define MAX_OBJS 1024

struct aml_obj {
	char path[64];		/* "\_SB_.PCI0._HID" */
	char kind;		/* 'n' Name, 'd' Device, 'm' Method */
	const uint8_t *val;	/* Name: the data object; Method: flags byte */
	const uint8_t *end;
};

struct aml_doc {
	struct aml_obj obj[MAX_OBJS];
	unsigned int n;
	bool bad;
};

static const uint8_t *pkglen(const uint8_t *p, const uint8_t *end, const uint8_t **pkg_end)
{
	unsigned int n, i;
	size_t len;

	if (p >= end)
		return NULL;
	n = p[0] >> 6;
	if (p + 1 + n > end)
		return NULL;
	len = n ? (p[0] & 0x0f) : (p[0] & 0x3f);
	for (i = 1; i <= n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	if (len > (size_t)(end - p))
		return NULL;
	*pkg_end = p + len;
	return p + 1 + n;
}

/* Parses a NameString into out (dotted, segments of 4), appended to scope. */
static const uint8_t *namestring(const uint8_t *p, const uint8_t *end, const char *scope,
				 char *out, size_t outlen)
{
	unsigned int nseg = 1, i;
	bool root = false;

	if (p < end && *p == 0x5c) {
		root = true;
		p++;
	}
	if (p >= end)
		return NULL;
	if (*p == 0x00) {
		nseg = 0;
		p++;
	} else if (*p == 0x2e) {
		nseg = 2;
		p++;
	} else if (*p == 0x2f) {
		if (p + 1 >= end)
			return NULL;
		nseg = p[1];
		p += 2;
	}
	if (p + 4 * nseg > end)
		return NULL;
	snprintf(out, outlen, "%s", root ? "\\" : scope);
	for (i = 0; i < nseg; i++, p += 4) {
		size_t l = strlen(out);

		if (l + 6 > outlen)
			return NULL;
		if (l > 1 || (l == 1 && out[0] != '\\'))
			out[l++] = '.';
		memcpy(out + l, p, 4);
		out[l + 4] = 0;
	}
	return p;
}

static const uint8_t *data_object(const uint8_t *p, const uint8_t *end);

static const uint8_t *package_body(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *pend, *q = pkglen(p, end, &pend);
	unsigned int n, i;

	if (!q || q >= pend)
		return NULL;
	n = *q++;
	for (i = 0; i < n; i++) {
		q = data_object(q, pend);
		if (!q)
			return NULL;
	}
	return q == pend ? pend : NULL;
}

static const uint8_t *data_object(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *pend, *q;

	if (p >= end)
		return NULL;
	switch (*p) {
	case 0x00: case 0x01: case 0xff:
		return p + 1;
	case 0x0a: return p + 2 <= end ? p + 2 : NULL;
	case 0x0b: return p + 3 <= end ? p + 3 : NULL;
	case 0x0c: return p + 5 <= end ? p + 5 : NULL;
	case 0x0e: return p + 9 <= end ? p + 9 : NULL;
	case 0x0d:
		q = memchr(p + 1, 0, end - p - 1);
		return q ? q + 1 : NULL;
	case 0x11:
		q = pkglen(p + 1, end, &pend);
		return q ? pend : NULL;
	case 0x12:
		return package_body(p + 1, end);
	default:
		return NULL;
	}
}

static uint64_t int_value(const uint8_t *p)
{
	switch (p[0]) {
	case 0x00: return 0;
	case 0x01: return 1;
	case 0xff: return ~0ULL;
	case 0x0a: return p[1];
	case 0x0b: return vireo_le16(p + 1);
	case 0x0c: return vireo_le32(p + 1);
	case 0x0e: return vireo_le64(p + 1);
	}
	return 0xdeadbeefdeadULL;	/* not an integer */
}

static void add(struct aml_doc *d, const char *path, char kind, const uint8_t *val,
		const uint8_t *end)
{
	if (d->n == MAX_OBJS) {
		d->bad = true;
		return;
	}
	snprintf(d->obj[d->n].path, sizeof(d->obj[d->n].path), "%s", path);
	d->obj[d->n].kind = kind;
	d->obj[d->n].val = val;
	d->obj[d->n].end = end;
	d->n++;
}

/* A TermList with Scope, Device, Method and Name; the rest is an error. */
static bool term_list(struct aml_doc *d, const uint8_t *p, const uint8_t *end, const char *scope)
{
	char name[64];
	const uint8_t *pend, *q;

	while (p < end) {
		switch (*p) {
		case 0x10:	/* Scope */
			q = pkglen(p + 1, end, &pend);
			if (!q || !(q = namestring(q, pend, scope, name, sizeof(name))) ||
			    !term_list(d, q, pend, name))
				return false;
			p = pend;
			break;
		case 0x5b:	/* Device */
			if (p + 1 >= end || p[1] != 0x82)
				return false;
			q = pkglen(p + 2, end, &pend);
			if (!q || !(q = namestring(q, pend, scope, name, sizeof(name))))
				return false;
			add(d, name, 'd', q, pend);
			if (!term_list(d, q, pend, name))
				return false;
			p = pend;
			break;
		case 0x14:	/* Method: body kept raw */
			q = pkglen(p + 1, end, &pend);
			if (!q || !(q = namestring(q, pend, scope, name, sizeof(name))) || q >= pend)
				return false;
			add(d, name, 'm', q, pend);
			p = pend;
			break;
		case 0x08:	/* Name */
			q = namestring(p + 1, end, scope, name, sizeof(name));
			if (!q)
				return false;
			p = data_object(q, end);
			if (!p)
				return false;
			add(d, name, 'n', q, p);
			break;
		default:
			return false;
		}
	}
	return p == end;
}

static const struct aml_obj *find(const struct aml_doc *d, const char *path)
{
	unsigned int i;

	for (i = 0; i < d->n; i++) {
		if (!strcmp(d->obj[i].path, path))
			return &d->obj[i];
	}
	return NULL;
}

/* Element i of a package value (the opcode at val). */
static const uint8_t *pkg_elem(const uint8_t *val, const uint8_t *end, unsigned int i,
			       unsigned int *count)
{
	const uint8_t *pend, *q = pkglen(val + 1, end, &pend);
	unsigned int k;

	*count = *q;
	q++;
	for (k = 0; k < i && q; k++)
		q = data_object(q, pend);
	return q;
}

static int parse_dsdt(const struct built *b, struct aml_doc *d)
{
	const uint8_t *t = at(b, b->t.dsdt);

	memset(d, 0, sizeof(*d));
	return term_list(d, t + 36, t + vireo_le32(t + 4), "\\") && !d->bad ? 0 : -1;
}

static void acpi_dsdt_names(void)
{
	static struct built b;
	static struct aml_doc d;
	const struct aml_obj *o;
	unsigned int i, n;
	char path[64];

	T_EQ(build(&b, 512 * MIB, 0, 3), 0);
	T_CALL(check_table(&b, b.t.dsdt, "DSDT", 2));
	T_EQ(parse_dsdt(&b, &d), 0);

	T_TRUE((o = find(&d, "\\_SB_.PCI0")) && o->kind == 'd');
	T_TRUE((o = find(&d, "\\_SB_.PCI0._HID")));
	T_EQ(o->val[0], 0x0c);
	T_EQ(int_value(o->val), 0x080ad041);	/* PNP0A08 */
	T_TRUE((o = find(&d, "\\_SB_.PCI0._CID")));
	T_EQ(int_value(o->val), 0x030ad041);	/* PNP0A03 */
	T_TRUE((o = find(&d, "\\_SB_.PCI0._SEG")) && int_value(o->val) == 0);
	T_TRUE((o = find(&d, "\\_SB_.PCI0._BBN")) && int_value(o->val) == 0);
	T_TRUE((o = find(&d, "\\_SB_.PCI0._UID")) && int_value(o->val) == 0);
	T_TRUE((o = find(&d, "\\_SB_.PCI0._OSC")) && o->kind == 'm');
	T_EQ(o->val[0], 4);			/* 4 arguments, not serialized */
	T_EQ(o->val[1], 0xa4);			/* Return (Arg3) */
	T_EQ(o->val[2], 0x6b);

	/* \_S5: SLP_TYPa = the PM device's S5 value. */
	T_TRUE((o = find(&d, "\\_S5_")) && o->val[0] == 0x12);
	T_EQ(int_value(pkg_elem(o->val, o->end, 0, &n)), VIREO_PM_S5_SLP_TYP);
	T_EQ(n, 4);
	T_EQ(int_value(pkg_elem(o->val, o->end, 1, &n)), VIREO_PM_S5_SLP_TYP);
	/* \_S3 likewise, with a value of its own. */
	T_TRUE((o = find(&d, "\\_S3_")) && o->val[0] == 0x12);
	T_EQ(int_value(pkg_elem(o->val, o->end, 0, &n)), VIREO_PM_S3_SLP_TYP);
	T_EQ(n, 4);
	T_EQ(int_value(pkg_elem(o->val, o->end, 1, &n)), VIREO_PM_S3_SLP_TYP);
	T_TRUE(VIREO_PM_S3_SLP_TYP != VIREO_PM_S5_SLP_TYP);

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "\\_SB_.C%03X._HID", i);
		T_TRUE((o = find(&d, path)) && o->val[0] == 0x0d);
		T_TRUE(!strcmp((const char *)o->val + 1, "ACPI0007"));
		snprintf(path, sizeof(path), "\\_SB_.C%03X._UID", i);
		T_TRUE((o = find(&d, path)) && int_value(o->val) == i);
	}
	T_TRUE(!find(&d, "\\_SB_.C003"));
}

static void acpi_dsdt_prt(void)
{
	static struct built b;
	static struct aml_doc d;
	const struct aml_obj *o;
	unsigned int i, n, m;

	T_EQ(build(&b, 512 * MIB, 0, 1), 0);
	T_EQ(parse_dsdt(&b, &d), 0);
	T_TRUE((o = find(&d, "\\_SB_.PCI0._PRT")) && o->val[0] == 0x12);
	pkg_elem(o->val, o->end, 0, &n);
	T_EQ(n, 128);
	for (i = 0; i < 128; i++) {
		const uint8_t *e = pkg_elem(o->val, o->end, i, &n);
		unsigned int slot = i / 4, pin = i % 4;

		T_TRUE(e && e[0] == 0x12);
		T_EQ(int_value(pkg_elem(e, o->end, 0, &m)), (uint64_t)slot << 16 | 0xffff);
		T_EQ(m, 4);
		T_EQ(int_value(pkg_elem(e, o->end, 1, &m)), pin);
		T_EQ(int_value(pkg_elem(e, o->end, 2, &m)), 0);
		T_EQ(int_value(pkg_elem(e, o->end, 3, &m)), 16 + (slot + pin) % 8);
		T_EQ(vireo_acpi_intx_gsi(slot, pin), 16 + (slot + pin) % 8);
	}

	/* Without legacy INTx there is no _PRT. */
	{
		g_autoptr(GError) err = NULL;

		b.c.pci_intx = false;
		T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), 0);
	}
	T_EQ(parse_dsdt(&b, &d), 0);
	T_TRUE(!find(&d, "\\_SB_.PCI0._PRT"));
	T_TRUE(find(&d, "\\_SB_.PCI0._CRS") != NULL);
}

static void check_crs(uint64_t mmio64)
{
	static struct built b;
	static struct aml_doc d;
	const struct aml_obj *o;
	const uint8_t *p, *pend, *q, *end;
	unsigned int words = 0, ios = 0, dwords = 0, qwords = 0;
	bool ended = false;

	T_EQ(build(&b, 5 * GIB, mmio64, 1), 0);
	T_EQ(parse_dsdt(&b, &d), 0);
	T_TRUE((o = find(&d, "\\_SB_.PCI0._CRS")) && o->val[0] == 0x11);
	q = pkglen(o->val + 1, o->end, &pend);
	/* BufferSize, then the descriptors fill the buffer exactly. */
	p = data_object(q, pend);
	T_EQ(int_value(q), (uint64_t)(pend - p));
	end = pend;
	while (p < end && !ended) {
		if (p[0] == 0x79) {		/* End tag */
			T_EQ(p + 2, end);
			ended = true;
			break;
		}
		if (p[0] == 0x47) {		/* IO */
			T_EQ(vireo_le16(p + 2), 0xcf8);
			T_EQ(vireo_le16(p + 4), 0xcf8);
			T_EQ(p[7], 8);
			ios++;
			p += 8;
			continue;
		}
		T_TRUE(p[0] & 0x80);
		T_TRUE(p + 3 + vireo_le16(p + 1) <= end);
		T_EQ(p[4], 0x0c);		/* producer, min/max fixed */
		if (p[0] == 0x88) {
			uint16_t min = vireo_le16(p + 8), max = vireo_le16(p + 10);

			T_EQ(vireo_le16(p + 1), 13);
			T_EQ(vireo_le16(p + 14), max - min + 1);
			if (p[3] == 2) {
				T_EQ(min, 0);
				T_EQ(max, 255);
			} else {
				T_EQ(p[3], 1);
				T_TRUE((min == 0 && max == 0xcf7) || (min == 0xd00 && max == 0xffff));
			}
			words++;
		} else if (p[0] == 0x87) {
			T_EQ(vireo_le16(p + 1), 23);
			T_EQ(p[3], 0);
			T_EQ(vireo_le32(p + 10), b.l.mmio32_base);
			T_EQ(vireo_le32(p + 14), b.l.mmio32_base + b.l.mmio32_size - 1);
			T_EQ(vireo_le32(p + 22), b.l.mmio32_size);
			/* The window must not overlap RAM or the ECAM. */
			T_TRUE(vireo_le32(p + 10) >= b.l.low_end);
			T_TRUE(vireo_le32(p + 14) < b.l.ecam_base);
			dwords++;
		} else {
			T_EQ(p[0], 0x8a);
			T_EQ(vireo_le16(p + 1), 43);
			T_EQ(vireo_le64(p + 14), b.l.mmio64_base);
			T_EQ(vireo_le64(p + 22), b.l.mmio64_base + mmio64 - 1);
			T_EQ(vireo_le64(p + 38), mmio64);
			T_TRUE(vireo_le64(p + 14) >= 4 * GIB + b.l.high_size);
			qwords++;
		}
		p += 3 + vireo_le16(p + 1);
	}
	T_TRUE(ended);
	T_EQ(ios, 1);
	T_EQ(words, 3);
	T_EQ(dwords, 1);
	T_EQ(qwords, mmio64 ? 1 : 0);
}

static void acpi_dsdt_crs(void)
{
	T_CALL(check_crs(0));
	T_CALL(check_crs(64 * GIB));
}

static void acpi_rejects(void)
{
	static struct built b;
	g_autoptr(GError) err = NULL;

	T_EQ(build(&b, 256 * MIB, 0, 1), 0);
	b.c.nr_cpus = 0;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "ACPI: vCPU count");
	b.c.nr_cpus = 256;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), -EINVAL);
	b.c.nr_cpus = 1;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA + 8, &b.t, &err), -EINVAL);
	T_EQ(vireo_acpi_build(&b.c, b.buf, 0x200, AREA, &b.t, &err), -ENOSPC);
	T_STR_CONTAINS(ERRMSG(err), "tables need");
	b.c.pm_base = 0xfff8;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), -EINVAL);
	b.c.pm_base = 0x600;
	b.c.sci_irq = 20;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), -EINVAL);
	b.c.sci_irq = 9;
	b.c.mmio32_size = 0;
	T_EQ(vireo_acpi_build(&b.c, b.buf, sizeof(b.buf), AREA, &b.t, &err), -EINVAL);
}

/* 255 vCPUs: every table still fits the BIOS area. */
static void acpi_install_in_guest(void)
{
	struct vireo_acpi_config c;
	struct vireo_acpi_tables t;
	g_autoptr(GError) err = NULL;
	struct tguest g;

	T_EQ(tguest_init(&g, 256 * MIB, 0), 0);
	vireo_acpi_config_init(&c, &g.l, 255);
	T_EQ(vireo_acpi_install(&c, &g.mem, VIREO_LAYOUT_ACPI_BASE, VIREO_LAYOUT_ACPI_END, &t,
				&err), 0);
	T_EQ(t.rsdp, 0xe0000);
	T_TRUE(t.end <= 0x100000);
	T_TRUE(!memcmp(tguest_at(&g, 0xe0000), "RSD PTR ", 8));
	T_EQ(vireo_acpi_sum(tguest_at(&g, t.dsdt), tg32(&g, t.dsdt + 4)), 0);
	T_EQ(vireo_acpi_sum(tguest_at(&g, t.madt), tg32(&g, t.madt + 4)), 0);
	/* The area is reserved in the e820 the loaders pass on. */
	T_EQ(g.l.e820[1].addr, 0x9fc00);
	T_TRUE(g.l.e820[1].addr + g.l.e820[1].size >= t.end);
	T_EQ(vireo_acpi_install(&c, &g.mem, 0xe0000, 0xe0000, &t, &err), -EINVAL);
	tguest_fini(&g);
}

/* ---- iasl, when installed ---- */

static bool have_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void acpi_iasl(void)
{
	static const char *const names[] = { "dsdt", "facp", "apic", "mcfg", "xsdt", "facs" };
	static struct built b;
	char dir[] = "/tmp/vireo-iasl-XXXXXX", cmd[512], path[256];
	uint64_t addrs[6];
	unsigned int i;
	size_t n;
	char *dsl;

	if (!have_iasl()) {
		printf("      SKIP iasl check: iasl not installed (Debian package acpica-tools)\n");
		return;
	}
	T_EQ(build(&b, 5 * GIB, 64 * GIB, 4), 0);
	T_TRUE(mkdtemp(dir) != NULL);
	addrs[0] = b.t.dsdt;
	addrs[1] = b.t.fadt;
	addrs[2] = b.t.madt;
	addrs[3] = b.t.mcfg;
	addrs[4] = b.t.xsdt;
	addrs[5] = b.t.facs;
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s.dat", dir, names[i]);
		T_EQ(write_file(path, at(&b, addrs[i]), vireo_le32(at(&b, addrs[i]) + 4)), 0);
		snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat >%s.log 2>&1", dir, names[i],
			 names[i]);
		if (system(cmd) != 0) {
			vireo_test_fail(__FILE__, __LINE__, "iasl -d %s failed: see %s/%s.log",
					names[i], dir, names[i]);
			return;
		}
	}
	/* The disassembled DSDT says what we meant, and compiles again cleanly. */
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	dsl = tread_file(path, &n);
	T_TRUE(dsl != NULL);
	dsl = realloc(dsl, n + 1);
	dsl[n] = 0;
	T_STR_CONTAINS(dsl, "EisaId (\"PNP0A08\")");
	T_STR_CONTAINS(dsl, "Name (\\_S5, Package (0x04)");
	T_STR_CONTAINS(dsl, "Name (\\_S3, Package (0x04)");
	T_STR_CONTAINS(dsl, "Method (_OSC, 4, NotSerialized)");
	T_STR_CONTAINS(dsl, "Name (_PRT, Package (0x80)");
	T_STR_CONTAINS(dsl, "QWordMemory");
	T_STR_CONTAINS(dsl, "\"ACPI0007\"");
	free(dsl);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -p recompiled dsdt.dsl >compile.log 2>&1", dir);
	if (system(cmd) != 0) {
		vireo_test_fail(__FILE__, __LINE__, "iasl could not recompile %s/dsdt.dsl", dir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "cmp -s %s/recompiled.aml %s/dsdt.dat", dir, dir);
	if (system(cmd) != 0)
		printf("      note: iasl's recompiled DSDT differs in bytes (encoding choices)\n");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("      note: could not remove %s\n", dir);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(acpi_rsdp_and_roots),
	VIREO_TEST(acpi_fadt),
	VIREO_TEST(acpi_madt),
	VIREO_TEST(acpi_mcfg),
	VIREO_TEST(acpi_dsdt_names),
	VIREO_TEST(acpi_dsdt_prt),
	VIREO_TEST(acpi_dsdt_crs),
	VIREO_TEST(acpi_rejects),
	VIREO_TEST(acpi_install_in_guest),
	VIREO_TEST(acpi_iasl),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(acpi_tables, tests);
