/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML encoder (ACPI 6.5 chapter 20, "ACPI Machine Language
 * Specification"): just what the DSDT of the Vireo PC needs.  Terms are
 * appended to a growing buffer; the constructs with a PkgLength (Scope,
 * Device, Method, Package, Buffer) are opened, filled and closed, and the
 * length is encoded at close time in as few bytes as it needs.
 *
 * Errors (out of memory, a bad name, more closes than opens, nesting too
 * deep) do not stop the calls: they set a flag that vireo_aml_finish()
 * reports, so a builder checks once at the end.
 */
#ifndef VIREO_ACPI_AML_H
#define VIREO_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes (ACPI 6.5 20.3) */
#define VIREO_AML_ZERO		0x00
#define VIREO_AML_ONE		0x01
#define VIREO_AML_NAME		0x08
#define VIREO_AML_BYTE		0x0a
#define VIREO_AML_WORD		0x0b
#define VIREO_AML_DWORD		0x0c
#define VIREO_AML_STRING	0x0d
#define VIREO_AML_QWORD		0x0e
#define VIREO_AML_SCOPE		0x10
#define VIREO_AML_BUFFER	0x11
#define VIREO_AML_PACKAGE	0x12
#define VIREO_AML_METHOD	0x14
#define VIREO_AML_DUAL_NAME	0x2e
#define VIREO_AML_MULTI_NAME	0x2f
#define VIREO_AML_EXT		0x5b
#define VIREO_AML_DEVICE	0x82	/* after VIREO_AML_EXT */
#define VIREO_AML_ROOT		0x5c	/* '\' */
#define VIREO_AML_PARENT	0x5e	/* '^' */
#define VIREO_AML_ARG0		0x68
#define VIREO_AML_RETURN	0xa4
#define VIREO_AML_ONES		0xff

#define VIREO_AML_MAX_DEPTH	16

struct vireo_aml {
	uint8_t *buf;
	size_t len, cap;
	size_t open_at[VIREO_AML_MAX_DEPTH];	/* where each open body starts */
	bool open_buffer[VIREO_AML_MAX_DEPTH];	/* Buffer: size goes in at close */
	unsigned int depth;
	bool failed;		/* a call went wrong ... */
	bool nomem;		/* ... for want of memory */
};

void vireo_aml_init(struct vireo_aml *a);
void vireo_aml_fini(struct vireo_aml *a);

/*
 * 0 when every call succeeded and every construct is closed; -ENOMEM or
 * -EINVAL otherwise.  The bytes are a->buf[0 .. a->len).
 */
int vireo_aml_finish(const struct vireo_aml *a);

void vireo_aml_byte(struct vireo_aml *a, uint8_t b);
void vireo_aml_bytes(struct vireo_aml *a, const void *p, size_t n);

/* Data: the shortest encoding (Zero, One, Ones, Byte .. QWord). */
void vireo_aml_int(struct vireo_aml *a, uint64_t v);
void vireo_aml_string(struct vireo_aml *a, const char *s);
/* An EISA ID ("PNP0A08") as the DWord ASL's EisaId() makes. */
void vireo_aml_eisaid(struct vireo_aml *a, const char *id);
uint32_t vireo_aml_eisaid_value(const char *id);	/* 0: malformed */

/*
 * A NameString: "\_SB.PCI0", "^PCI0", "_S5", "" (NullName); segments of
 * one to four of A-Z, 0-9 and _ (not starting with a digit), padded with _.
 */
void vireo_aml_namestring(struct vireo_aml *a, const char *path);

/* Name(name, <the next term>) */
void vireo_aml_name(struct vireo_aml *a, const char *name);
/* Return(<the next term>) */
void vireo_aml_return(struct vireo_aml *a);
/* Arg0..Arg6 */
void vireo_aml_arg(struct vireo_aml *a, unsigned int n);

/* Constructs closed with vireo_aml_close(). */
void vireo_aml_scope(struct vireo_aml *a, const char *path);
void vireo_aml_device(struct vireo_aml *a, const char *path);
void vireo_aml_method(struct vireo_aml *a, const char *path, unsigned int nargs,
		      bool serialized);
void vireo_aml_package(struct vireo_aml *a, unsigned int nelems);
/* Buffer: the bytes that follow; its BufferSize is inserted at close. */
void vireo_aml_buffer(struct vireo_aml *a);
void vireo_aml_close(struct vireo_aml *a);

/* The PkgLength encoding of a body of body_len bytes: 1-4 bytes in out. */
unsigned int vireo_aml_pkglength(size_t body_len, uint8_t out[4]);

#endif /* VIREO_ACPI_AML_H */
