// SPDX-License-Identifier: GPL-2.0
/* SMBIOS 3.0 structures and entry point for fw_cfg (smbios.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw/smbios.h"

/* Structure lengths of DSP0134 3.0 (the formatted area, header included). */
#define T0_LEN		0x18
#define T1_LEN		0x1b
#define T3_LEN		0x16
#define T4_LEN		0x30
#define T16_LEN		0x17
#define T17_LEN		0x28
#define T19_LEN		0x1f
#define T32_LEN		0x0b
#define T127_LEN	0x04
#define MAX_LEN		T4_LEN
#define STRINGS_MAX	4096

#define HANDLE(type, n)	((uint16_t)((type) << 8 | (n)))
#define NO_HANDLE	0xfffe		/* "not provided" (error information) */
#define NO_CACHE	0xffff

struct blob {
	uint8_t *p;
	size_t len, cap;
	int err;
};

/* One structure being built: its formatted area and its string set. */
struct smb {
	uint8_t f[MAX_LEN];
	uint8_t len;
	char strings[STRINGS_MAX];
	size_t strings_len;
	unsigned int nr_strings;
	bool bad;
};

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

static void smb_begin(struct smb *s, uint8_t type, uint8_t len, uint16_t handle)
{
	memset(s->f, 0, sizeof(s->f));
	s->f[0] = type;
	s->f[1] = len;
	le16(s->f + 2, handle);
	s->len = len;
	s->strings_len = 0;
	s->nr_strings = 0;
	s->bad = false;
}

/* Add a string, return its number (1-based) for the field; 0 for none. */
static uint8_t smb_str(struct smb *s, const char *str)
{
	size_t n;

	if (!str || !*str)
		return 0;
	n = strlen(str) + 1;
	if (s->nr_strings == 255 || n > STRINGS_MAX - s->strings_len) {
		s->bad = true;
		return 0;
	}
	memcpy(s->strings + s->strings_len, str, n);
	s->strings_len += n;
	s->nr_strings++;
	return (uint8_t)s->nr_strings;
}

static void blob_put(struct blob *b, const void *data, size_t n)
{
	if (b->err)
		return;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *p;

		while (n > cap - b->len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* The formatted area, then the strings and the set's terminating NUL. */
static void smb_end(struct blob *b, const struct smb *s)
{
	static const uint8_t nul2[2];

	if (s->bad) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	blob_put(b, s->f, s->len);
	if (s->nr_strings) {
		blob_put(b, s->strings, s->strings_len);
		blob_put(b, nul2, 1);
	} else {
		blob_put(b, nul2, 2);
	}
}

static void type0(struct blob *b, struct smb *s, const struct vireo_smbios_config *c)
{
	smb_begin(s, 0, T0_LEN, HANDLE(0, 0));
	s->f[0x04] = smb_str(s, c->bios_vendor);
	s->f[0x05] = smb_str(s, c->bios_version);
	le16(s->f + 0x06, 0xe800);	/* starting segment, as QEMU */
	s->f[0x08] = smb_str(s, c->bios_date);
	le64(s->f + 0x0a, 1ULL << 3);	/* characteristics not supported */
	s->f[0x13] = 1 << 2;		/* targeted content distribution */
	s->f[0x16] = 0xff;		/* no upgradeable embedded controller */
	s->f[0x17] = 0xff;
	smb_end(b, s);
}

/* SMBIOS 2.6+: the first three UUID fields are little-endian (7.2.1). */
static void put_uuid(uint8_t *p, const uint8_t uuid[16])
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned int i;

	for (i = 0; i < 16; i++)
		p[i] = uuid[order[i]];
}

static void type1(struct blob *b, struct smb *s, const struct vireo_smbios_config *c)
{
	smb_begin(s, 1, T1_LEN, HANDLE(1, 0));
	s->f[0x04] = smb_str(s, c->manufacturer);
	s->f[0x05] = smb_str(s, c->product);
	s->f[0x06] = smb_str(s, c->version);
	s->f[0x07] = smb_str(s, c->serial);
	put_uuid(s->f + 0x08, c->uuid);
	s->f[0x18] = 0x06;		/* wake-up type: power switch */
	s->f[0x19] = smb_str(s, c->sku);
	s->f[0x1a] = smb_str(s, c->family);
	smb_end(b, s);
}

static void type3(struct blob *b, struct smb *s, const struct vireo_smbios_config *c)
{
	smb_begin(s, 3, T3_LEN, HANDLE(3, 0));
	s->f[0x04] = smb_str(s, c->manufacturer);
	s->f[0x05] = 0x01;		/* enclosure type: other */
	s->f[0x06] = smb_str(s, c->version);
	s->f[0x07] = smb_str(s, c->serial);
	s->f[0x09] = 0x03;		/* boot-up state: safe */
	s->f[0x0a] = 0x03;		/* power supply state: safe */
	s->f[0x0b] = 0x03;		/* thermal state: safe */
	s->f[0x0c] = 0x02;		/* security status: unknown */
	s->f[0x15] = smb_str(s, c->sku);	/* after 0 contained elements */
	smb_end(b, s);
}

static void type4(struct blob *b, struct smb *s, const struct vireo_smbios_config *c,
		  unsigned int cpu)
{
	char socket[16];

	snprintf(socket, sizeof(socket), "CPU %u", cpu);
	/* Handles 0x400 + n for n < 256, then on into 0x5xx as QEMU does. */
	smb_begin(s, 4, T4_LEN, (uint16_t)(0x400 + cpu));
	s->f[0x04] = smb_str(s, socket);
	s->f[0x05] = 0x03;		/* central processor */
	s->f[0x06] = 0x01;		/* family: other (no model table here) */
	s->f[0x07] = smb_str(s, c->cpu_manufacturer);
	le32(s->f + 0x08, c->cpuid_1_eax);
	le32(s->f + 0x0c, c->cpuid_1_edx);
	s->f[0x10] = smb_str(s, c->cpu_version);
	le16(s->f + 0x14, c->cpu_mhz);	/* max speed */
	le16(s->f + 0x16, c->cpu_mhz);	/* current speed */
	s->f[0x18] = 0x41;		/* socket populated, CPU enabled */
	s->f[0x19] = 0x01;		/* upgrade: other */
	le16(s->f + 0x1a, NO_CACHE);
	le16(s->f + 0x1c, NO_CACHE);
	le16(s->f + 0x1e, NO_CACHE);
	s->f[0x23] = 1;			/* cores */
	s->f[0x24] = 1;			/* cores enabled */
	s->f[0x25] = 1;			/* threads */
	le16(s->f + 0x26, 1 << 2);	/* 64-bit capable */
	le16(s->f + 0x28, 0x01);	/* family 2: other */
	le16(s->f + 0x2a, 1);
	le16(s->f + 0x2c, 1);
	le16(s->f + 0x2e, 1);
	smb_end(b, s);
}

static void type16(struct blob *b, struct smb *s, uint64_t ram, unsigned int nr_dimms)
{
	uint64_t kib = ram >> 10;

	smb_begin(s, 16, T16_LEN, HANDLE(0x10, 0));
	s->f[0x04] = 0x01;		/* location: other */
	s->f[0x05] = 0x03;		/* use: system memory */
	s->f[0x06] = 0x06;		/* error correction: multi-bit ECC, as QEMU */
	if (kib < 0x80000000ULL) {
		le32(s->f + 0x07, (uint32_t)kib);
	} else {
		le32(s->f + 0x07, 0x80000000U);	/* see the extended field */
		le64(s->f + 0x0f, ram);
	}
	le16(s->f + 0x0b, NO_HANDLE);
	le16(s->f + 0x0d, (uint16_t)nr_dimms);
	smb_end(b, s);
}

static void type17(struct blob *b, struct smb *s, unsigned int n, uint64_t size)
{
	uint64_t mib = (size + (1ULL << 20) - 1) >> 20;
	char locator[16];

	snprintf(locator, sizeof(locator), "DIMM %u", n);
	smb_begin(s, 17, T17_LEN, HANDLE(0x11, n));
	le16(s->f + 0x04, HANDLE(0x10, 0));
	le16(s->f + 0x06, NO_HANDLE);
	le16(s->f + 0x08, 0xffff);	/* total width: unknown */
	le16(s->f + 0x0a, 0xffff);	/* data width: unknown */
	if (mib < 0x7fff) {
		le16(s->f + 0x0c, (uint16_t)mib);
	} else {
		le16(s->f + 0x0c, 0x7fff);	/* see extended size */
		le32(s->f + 0x1c, (uint32_t)mib);
	}
	s->f[0x0e] = 0x09;		/* form factor: DIMM */
	s->f[0x10] = smb_str(s, locator);
	s->f[0x12] = 0x07;		/* memory type: RAM */
	le16(s->f + 0x13, 1 << 1);	/* type detail: other */
	smb_end(b, s);
}

static void type19(struct blob *b, struct smb *s, unsigned int n, uint64_t start, uint64_t size)
{
	uint64_t end = start + size - 1;	/* inclusive */

	smb_begin(s, 19, T19_LEN, HANDLE(0x13, n));
	if ((end >> 10) < 0xffffffffULL) {
		le32(s->f + 0x04, (uint32_t)(start >> 10));
		le32(s->f + 0x08, (uint32_t)(end >> 10));
	} else {
		le32(s->f + 0x04, 0xffffffffU);	/* see the extended fields */
		le32(s->f + 0x08, 0xffffffffU);
		le64(s->f + 0x0f, start);
		le64(s->f + 0x17, end);
	}
	le16(s->f + 0x0c, HANDLE(0x10, 0));
	s->f[0x0e] = 1;			/* partition width */
	smb_end(b, s);
}

static void type_simple(struct blob *b, struct smb *s, uint8_t type, uint8_t len)
{
	smb_begin(s, type, len, HANDLE(type, 0));
	smb_end(b, s);		/* 32: boot status 0 = no errors; 127: nothing */
}

static void fill_anchor(uint8_t a[VIREO_SMBIOS_ANCHOR_SIZE], uint32_t tables_len)
{
	uint8_t sum = 0;
	unsigned int i;

	memset(a, 0, VIREO_SMBIOS_ANCHOR_SIZE);
	memcpy(a, "_SM3_", 5);
	a[0x06] = VIREO_SMBIOS_ANCHOR_SIZE;
	a[0x07] = 3;			/* SMBIOS 3.0 */
	a[0x08] = 0;
	a[0x09] = 0;			/* docrev */
	a[0x0a] = 0x01;			/* entry point revision: 3.0 */
	le32(a + 0x0c, tables_len);	/* structure table maximum size */
	/* 0x10: table address, 0 until the firmware places the tables. */
	for (i = 0; i < VIREO_SMBIOS_ANCHOR_SIZE; i++)
		sum += a[i];
	a[0x05] = (uint8_t)-sum;
}

int vireo_smbios_build(const struct vireo_smbios_config *c, const struct vireo_layout *l,
		       uint8_t **tables, size_t *tables_len,
		       uint8_t anchor[VIREO_SMBIOS_ANCHOR_SIZE])
{
	struct blob b = { 0 };
	struct smb *s;
	unsigned int i, nr_dimms;
	uint64_t left;

	*tables = NULL;
	*tables_len = 0;
	if (!c->nr_cpus || c->nr_cpus > VIREO_SMBIOS_MAX_CPUS || !c->manufacturer ||
	    !*c->manufacturer || !c->product || !*c->product)
		return -EINVAL;
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	nr_dimms = (unsigned int)((l->ram_size + VIREO_SMBIOS_DIMM_SIZE - 1) /
				  VIREO_SMBIOS_DIMM_SIZE);

	if (c->bios_vendor && *c->bios_vendor)
		type0(&b, s, c);
	type1(&b, s, c);
	type3(&b, s, c);
	for (i = 0; i < c->nr_cpus; i++)
		type4(&b, s, c, i);
	type16(&b, s, l->ram_size, nr_dimms);
	for (i = 0, left = l->ram_size; i < nr_dimms; i++) {
		uint64_t size = left < VIREO_SMBIOS_DIMM_SIZE ? left : VIREO_SMBIOS_DIMM_SIZE;

		type17(&b, s, i, size);
		left -= size;
	}
	for (i = 0; i < l->nr_ram; i++)
		type19(&b, s, i, l->ram[i].gpa, l->ram[i].size);
	type_simple(&b, s, 32, T32_LEN);
	type_simple(&b, s, 127, T127_LEN);
	free(s);

	if (!b.err && b.len > UINT32_MAX)
		b.err = -EINVAL;
	if (b.err) {
		free(b.p);
		return b.err;
	}
	fill_anchor(anchor, (uint32_t)b.len);
	*tables = b.p;
	*tables_len = b.len;
	return 0;
}
