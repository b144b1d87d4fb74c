// SPDX-License-Identifier: GPL-2.0
/*
 * AML encoder (contract in aml.h; encodings from ACPI 6.5 chapter 20).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"

/* A PkgLength counts itself: at most 2^28 - 1 bytes in four bytes. */
#define PKGLENGTH_MAX	0x0fffffffU

void vireo_aml_init(struct vireo_aml *a)
{
	memset(a, 0, sizeof(*a));
}

void vireo_aml_fini(struct vireo_aml *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

int vireo_aml_finish(const struct vireo_aml *a)
{
	if (a->nomem)
		return -ENOMEM;
	if (a->failed)
		return -EINVAL;
	return a->depth ? -EINVAL : 0;
}

static bool reserve(struct vireo_aml *a, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (a->failed)
		return false;
	if (a->len + n <= a->cap)
		return true;
	cap = a->cap ? a->cap : 256;
	while (cap < a->len + n)
		cap *= 2;
	p = realloc(a->buf, cap);
	if (!p) {
		a->failed = a->nomem = true;
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

void vireo_aml_bytes(struct vireo_aml *a, const void *p, size_t n)
{
	if (!reserve(a, n))
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void vireo_aml_byte(struct vireo_aml *a, uint8_t b)
{
	vireo_aml_bytes(a, &b, 1);
}

static unsigned int encode_int(uint64_t v, uint8_t out[9])
{
	unsigned int n, i;

	if (v == 0 || v == 1) {
		out[0] = v ? VIREO_AML_ONE : VIREO_AML_ZERO;
		return 1;
	}
	if (v == UINT64_MAX) {
		out[0] = VIREO_AML_ONES;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = VIREO_AML_BYTE;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = VIREO_AML_WORD;
		n = 2;
	} else if (v <= 0xffffffffULL) {
		out[0] = VIREO_AML_DWORD;
		n = 4;
	} else {
		out[0] = VIREO_AML_QWORD;
		n = 8;
	}
	for (i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

void vireo_aml_int(struct vireo_aml *a, uint64_t v)
{
	uint8_t b[9];

	vireo_aml_bytes(a, b, encode_int(v, b));
}

void vireo_aml_string(struct vireo_aml *a, const char *s)
{
	const char *c;

	/* AsciiCharList: 0x01-0x7f. */
	for (c = s; *c; c++) {
		if ((unsigned char)*c > 0x7f)
			a->failed = true;
	}
	vireo_aml_byte(a, VIREO_AML_STRING);
	vireo_aml_bytes(a, s, strlen(s) + 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint32_t vireo_aml_eisaid_value(const char *id)
{
	uint16_t vendor = 0;
	uint8_t b[4];
	int i;

	if (strlen(id) != 7)
		return 0;
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		vendor = (uint16_t)(vendor << 5 | (id[i] - 0x40));
	}
	for (i = 3; i < 7; i++) {
		if (hexval(id[i]) < 0)
			return 0;
	}
	/* Big-endian compressed vendor, then the product number's bytes. */
	b[0] = (uint8_t)(vendor >> 8);
	b[1] = (uint8_t)vendor;
	b[2] = (uint8_t)(hexval(id[3]) << 4 | hexval(id[4]));
	b[3] = (uint8_t)(hexval(id[5]) << 4 | hexval(id[6]));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void vireo_aml_eisaid(struct vireo_aml *a, const char *id)
{
	uint32_t v = vireo_aml_eisaid_value(id);
	uint8_t b[5] = { VIREO_AML_DWORD, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	if (!v)
		a->failed = true;
	/* Always a DWordConst, as iasl emits it, even for small values. */
	vireo_aml_bytes(a, b, sizeof(b));
}

static bool seg_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

void vireo_aml_namestring(struct vireo_aml *a, const char *path)
{
	char segs[255][4];
	unsigned int nseg = 0, i;
	const char *p = path;

	if (*p == '\\') {
		vireo_aml_byte(a, VIREO_AML_ROOT);
		p++;
	} else {
		while (*p == '^') {
			vireo_aml_byte(a, VIREO_AML_PARENT);
			p++;
		}
	}
	while (*p) {
		unsigned int n = 0;

		if (nseg == 255) {
			a->failed = true;
			return;
		}
		memset(segs[nseg], '_', 4);
		while (*p && *p != '.') {
			if (n == 4 || !seg_char(*p, n == 0)) {
				a->failed = true;
				return;
			}
			segs[nseg][n++] = *p++;
		}
		if (n == 0) {
			a->failed = true;
			return;
		}
		nseg++;
		if (*p == '.' && !*++p) {
			a->failed = true;	/* trailing dot */
			return;
		}
	}
	if (nseg == 0) {
		vireo_aml_byte(a, 0x00);	/* NullName */
		return;
	}
	if (nseg == 2) {
		vireo_aml_byte(a, VIREO_AML_DUAL_NAME);
	} else if (nseg > 2) {
		vireo_aml_byte(a, VIREO_AML_MULTI_NAME);
		vireo_aml_byte(a, (uint8_t)nseg);
	}
	for (i = 0; i < nseg; i++)
		vireo_aml_bytes(a, segs[i], 4);
}

void vireo_aml_name(struct vireo_aml *a, const char *name)
{
	vireo_aml_byte(a, VIREO_AML_NAME);
	vireo_aml_namestring(a, name);
}

void vireo_aml_return(struct vireo_aml *a)
{
	vireo_aml_byte(a, VIREO_AML_RETURN);
}

void vireo_aml_arg(struct vireo_aml *a, unsigned int n)
{
	if (n > 6)
		a->failed = true;
	vireo_aml_byte(a, (uint8_t)(VIREO_AML_ARG0 + (n > 6 ? 0 : n)));
}

static void open_body(struct vireo_aml *a, bool is_buffer)
{
	if (a->depth == VIREO_AML_MAX_DEPTH) {
		a->failed = true;
		return;
	}
	a->open_at[a->depth] = a->len;
	a->open_buffer[a->depth] = is_buffer;
	a->depth++;
}

void vireo_aml_scope(struct vireo_aml *a, const char *path)
{
	vireo_aml_byte(a, VIREO_AML_SCOPE);
	open_body(a, false);
	vireo_aml_namestring(a, path);
}

void vireo_aml_device(struct vireo_aml *a, const char *path)
{
	vireo_aml_byte(a, VIREO_AML_EXT);
	vireo_aml_byte(a, VIREO_AML_DEVICE);
	open_body(a, false);
	vireo_aml_namestring(a, path);
}

void vireo_aml_method(struct vireo_aml *a, const char *path, unsigned int nargs,
		      bool serialized)
{
	if (nargs > 7)
		a->failed = true;
	vireo_aml_byte(a, VIREO_AML_METHOD);
	open_body(a, false);
	vireo_aml_namestring(a, path);
	/* MethodFlags: ArgCount 2:0, SerializeFlag 3, SyncLevel 7:4 = 0. */
	vireo_aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 8 : 0)));
}

void vireo_aml_package(struct vireo_aml *a, unsigned int nelems)
{
	if (nelems > 255)
		a->failed = true;
	vireo_aml_byte(a, VIREO_AML_PACKAGE);
	open_body(a, false);
	vireo_aml_byte(a, (uint8_t)nelems);
}

void vireo_aml_buffer(struct vireo_aml *a)
{
	vireo_aml_byte(a, VIREO_AML_BUFFER);
	open_body(a, true);
}

unsigned int vireo_aml_pkglength(size_t body_len, uint8_t out[4])
{
	unsigned int n, i;
	size_t total;

	/* One byte holds 6 bits; each further byte adds 8 to 4 lead bits. */
	if (body_len + 1 <= 0x3f) {
		out[0] = (uint8_t)(body_len + 1);
		return 1;
	}
	for (n = 2; n <= 4; n++) {
		total = body_len + n;
		if (total < (1ULL << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4)
		return 0;
	total = body_len + n;
	out[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

/* Insert n bytes at offset at, moving what follows. */
static bool insert(struct vireo_aml *a, size_t at, const uint8_t *p, size_t n)
{
	if (!reserve(a, n))
		return false;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
	return true;
}

void vireo_aml_close(struct vireo_aml *a)
{
	uint8_t hdr[4 + 9];
	unsigned int n, k = 0;
	size_t at;

	if (a->depth == 0) {
		a->failed = true;
		return;
	}
	a->depth--;
	if (a->failed)
		return;
	at = a->open_at[a->depth];
	if (a->open_buffer[a->depth]) {
		uint8_t size[9];

		k = encode_int(a->len - at, size);
		if (!insert(a, at, size, k))
			return;
	}
	if (a->len - at > PKGLENGTH_MAX - 4) {
		a->failed = true;
		return;
	}
	n = vireo_aml_pkglength(a->len - at, hdr);
	insert(a, at, hdr, n);
}
