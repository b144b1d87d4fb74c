// SPDX-License-Identifier: GPL-2.0
/*
 * Page-walker tests on a fake memory: each paging mode, each page size,
 * not-present / reserved / protection faults with their error codes,
 * non-canonical addresses, tables outside RAM and page-crossing copies.
 */
#include <errno.h>

#include <libvireo.h>

#include "fake_mem.h"
#include "test.h"

#define P  VIREO_PTE_P
#define RW VIREO_PTE_RW
#define US VIREO_PTE_US
#define PS VIREO_PTE_PS
#define NX VIREO_PTE_NX

/* Translate and require success with the given result. */
#define T_XLATE(pg, f, gva, access, want_gpa, want_size)                                    \
	do {                                                                                \
		struct vireo_fault _flt;                                                    \
		uint64_t _gpa = 0, _size = 0;                                               \
		int _r = vireo_gva_to_gpa((pg), &(f)->mem, (gva), (access), &_gpa, &_size,  \
					  &_flt);                                           \
		if (_r) {                                                                   \
			char _why[160];                                                     \
			vireo_fault_describe(&_flt, _why, sizeof(_why));                    \
			vireo_test_fail(__FILE__, __LINE__, "translate 0x%llx: %s",         \
					(unsigned long long)(gva), _why);                   \
			return;                                                             \
		}                                                                           \
		T_EQ(_gpa, (want_gpa));                                                     \
		T_EQ(_size, (want_size));                                                   \
	} while (0)

/* Translate and require a fault of the given kind and #PF error code. */
#define T_FAULT(pg, f, gva, access, want_kind, want_ec)                                     \
	do {                                                                                \
		struct vireo_fault _flt;                                                    \
		uint64_t _gpa = 0;                                                          \
		T_EQ(vireo_gva_to_gpa((pg), &(f)->mem, (gva), (access), &_gpa, NULL, &_flt), \
		     -EFAULT);                                                              \
		T_EQ(_flt.kind, (want_kind));                                               \
		T_EQ(_flt.error_code, (want_ec));                                           \
		T_EQ(_flt.address, (gva));                                                  \
	} while (0)

static void no_paging(void)
{
	struct vireo_paging pg = { .cr0 = VIREO_CR0_PE };
	struct fake_mem f;

	fake_mem_init(&f, 1 << 20);
	T_XLATE(&pg, &f, 0x12345, 0, 0x12345, 0);
	T_XLATE(&pg, &f, 0x100012345ULL, 0, 0x12345, 0);	/* 32-bit linear */
	pg.cr0 = 0;
	T_XLATE(&pg, &f, 0xfffff, VIREO_ACCESS_WRITE, 0xfffff, 0);
}

/* 32-bit paging: PD at 0x1000, PT at 0x2000. */
static void setup_32bit(struct fake_mem *f, struct vireo_paging *pg)
{
	fake_mem_init(f, 1 << 20);
	memset(pg, 0, sizeof(*pg));
	pg->cr0 = VIREO_CR0_PE | VIREO_CR0_PG;
	pg->cr3 = 0x1000;
	pg->phys_bits = 36;
	fake_put32(f, 0x1000 + 1 * 4, 0x2000 | P | RW | US);	/* 4M-8M -> PT */
	fake_put32(f, 0x2000 + 3 * 4, 0x5000 | P | RW | US);	/* 0x403000 */
	fake_put32(f, 0x2000 + 4 * 4, 0x6000 | P | US);		/* read-only */
	fake_put32(f, 0x2000 + 5 * 4, 0x7000 | P | RW);		/* supervisor */
}

static void paging_32bit_4k(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_32bit(&f, &pg));
	T_XLATE(&pg, &f, 0x403abc, 0, 0x5abc, 4096);
	T_XLATE(&pg, &f, 0x100403abcULL, 0, 0x5abc, 4096);	/* top bits ignored */
	T_XLATE(&pg, &f, 0x404000, VIREO_ACCESS_USER, 0x6000, 4096);
}

static void paging_32bit_not_present(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_32bit(&f, &pg));
	T_FAULT(&pg, &f, 0x800000, 0, VIREO_FAULT_NOT_PRESENT, 0);	/* PDE 2 */
	T_FAULT(&pg, &f, 0x406000, VIREO_ACCESS_WRITE | VIREO_ACCESS_USER,
		VIREO_FAULT_NOT_PRESENT, VIREO_PF_W | VIREO_PF_U);	/* PTE 6 */
	/* No NX/SMEP in this mode: fetches do not set I/D. */
	T_FAULT(&pg, &f, 0x406000, VIREO_ACCESS_FETCH, VIREO_FAULT_NOT_PRESENT, 0);
}

static void paging_32bit_protection(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_32bit(&f, &pg));
	/* user write to a read-only page */
	T_FAULT(&pg, &f, 0x404000, VIREO_ACCESS_WRITE | VIREO_ACCESS_USER,
		VIREO_FAULT_PROTECTION, VIREO_PF_P | VIREO_PF_W | VIREO_PF_U);
	/* supervisor write to it: allowed without CR0.WP, not with */
	T_XLATE(&pg, &f, 0x404000, VIREO_ACCESS_WRITE, 0x6000, 4096);
	pg.cr0 |= VIREO_CR0_WP;
	T_FAULT(&pg, &f, 0x404000, VIREO_ACCESS_WRITE, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_W);
	/* user read of a supervisor page */
	T_FAULT(&pg, &f, 0x405000, VIREO_ACCESS_USER, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_U);
	T_XLATE(&pg, &f, 0x405000, 0, 0x7000, 4096);
}

static void paging_32bit_pse(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_32bit(&f, &pg));
	fake_put32(&f, 0x1000 + 2 * 4, 0x00c00000 | P | RW | PS);
	/* PSE-36: bits 20:13 are physical bits 39:32 */
	fake_put32(&f, 0x1000 + 3 * 4, 0x00400000 | (0x3 << 13) | P | RW | PS);
	fake_put32(&f, 0x1000 + 4 * 4, 0x00400000 | (1 << 21) | P | RW | PS);

	/* Without CR4.PSE, PS is ignored and 0xc00000 is a page table. */
	T_FAULT(&pg, &f, 0x812345, 0, VIREO_FAULT_TABLE_IO, 0);
	pg.cr4 = VIREO_CR4_PSE;
	T_XLATE(&pg, &f, 0x812345, 0, 0xc12345, 4 << 20);
	T_XLATE(&pg, &f, 0xc00010, 0, 0x300400010ULL, 4 << 20);
	T_FAULT(&pg, &f, 0x1000000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	/* Physical bits at or above MAXPHYADDR are reserved too. */
	pg.phys_bits = 32;
	T_FAULT(&pg, &f, 0xc00010, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
}

/* PAE: PDPT at 0x3020 (32-byte aligned), PD 0x4000, PT 0x5000. */
static void setup_pae(struct fake_mem *f, struct vireo_paging *pg)
{
	fake_mem_init(f, 1 << 20);
	memset(pg, 0, sizeof(*pg));
	pg->cr0 = VIREO_CR0_PE | VIREO_CR0_PG;
	pg->cr3 = 0x3020;
	pg->cr4 = VIREO_CR4_PAE;
	pg->phys_bits = 40;
	fake_put64(f, 0x3020 + 1 * 8, 0x4000 | P);		/* 1G-2G */
	fake_put64(f, 0x4000 + 0 * 8, 0x5000 | P | RW | US);	/* 1G + 0..2M */
	fake_put64(f, 0x4000 + 1 * 8, 0x40200000ULL | P | RW | PS);	/* 2M page */
	fake_put64(f, 0x5000 + 7 * 8, 0x9000 | P | RW | US);
	fake_put64(f, 0x5000 + 8 * 8, 0xa000 | P | RW | NX);
}

static void paging_pae(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_pae(&f, &pg));
	T_XLATE(&pg, &f, 0x40007123, 0, 0x9123, 4096);
	T_XLATE(&pg, &f, 0x40312345, 0, 0x40312345, 2 << 20);
	T_FAULT(&pg, &f, 0x7123, 0, VIREO_FAULT_NOT_PRESENT, 0);	/* PDPTE 0 */
	T_FAULT(&pg, &f, 0x40400000, 0, VIREO_FAULT_NOT_PRESENT, 0);	/* PDE 2 */
}

static void paging_pae_nx(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_pae(&f, &pg));
	/* Without EFER.NXE bit 63 is reserved. */
	T_FAULT(&pg, &f, 0x40008000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	pg.efer = VIREO_EFER_NXE;
	T_XLATE(&pg, &f, 0x40008000, VIREO_ACCESS_WRITE, 0xa000, 4096);
	T_FAULT(&pg, &f, 0x40008000, VIREO_ACCESS_FETCH, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_I);
	/* I/D is set for fetches once NX is on, even on not-present. */
	T_FAULT(&pg, &f, 0x40009000, VIREO_ACCESS_FETCH, VIREO_FAULT_NOT_PRESENT, VIREO_PF_I);
}

static void paging_pae_reserved(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_pae(&f, &pg));
	fake_put64(&f, 0x3020 + 2 * 8, 0x4000 | P | RW);	/* RW reserved in PDPTE */
	T_FAULT(&pg, &f, 0x80000000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	fake_put64(&f, 0x4000 + 3 * 8, 0x40600000ULL | (1 << 13) | P | PS);	/* 20:13 */
	T_FAULT(&pg, &f, 0x40600000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	fake_put64(&f, 0x4000 + 4 * 8, (1ULL << 40) | 0x5000 | P);	/* above MAXPHYADDR */
	T_FAULT(&pg, &f, 0x40800000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
}

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void setup_long(struct fake_mem *f, struct vireo_paging *pg)
{
	fake_mem_init(f, 1 << 20);
	memset(pg, 0, sizeof(*pg));
	pg->cr0 = VIREO_CR0_PE | VIREO_CR0_PG;
	pg->cr3 = 0x1000;
	pg->cr4 = VIREO_CR4_PAE;
	pg->efer = VIREO_EFER_LME | VIREO_EFER_LMA | VIREO_EFER_NXE;
	pg->phys_bits = 48;
	fake_put64(f, 0x1000 + 0 * 8, 0x2000 | P | RW | US);
	fake_put64(f, 0x1000 + 256 * 8, 0x2000 | P | RW);		/* kernel half alias */
	fake_put64(f, 0x2000 + 0 * 8, 0x3000 | P | RW | US);
	fake_put64(f, 0x2000 + 1 * 8, 0x80000000ULL | P | RW | PS);	/* 1G page */
	fake_put64(f, 0x3000 + 0 * 8, 0x4000 | P | RW | US);
	fake_put64(f, 0x3000 + 1 * 8, 0x600000 | P | RW | PS | US);	/* 2M page */
	fake_put64(f, 0x4000 + 5 * 8, 0x8000 | P | RW | US);
	fake_put64(f, 0x4000 + 6 * 8, 0x9000 | P | RW | US | NX);
	fake_put64(f, 0x4000 + 7 * 8, 0xa000 | P | RW);		/* supervisor */
}

static void paging_long_sizes(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_long(&f, &pg));
	T_XLATE(&pg, &f, 0x5123, 0, 0x8123, 4096);
	T_XLATE(&pg, &f, 0x2abcde, 0, 0x6abcde, 2 << 20);
	T_XLATE(&pg, &f, 0x40000000ULL + 0x12345678, 0, 0x80000000ULL + 0x12345678,
		1ULL << 30);
	T_XLATE(&pg, &f, 0xffff800000005123ULL, 0, 0x8123, 4096);
}

static void paging_long_faults(void)
{
	struct vireo_paging pg;
	struct fake_mem f;
	struct vireo_fault flt;
	uint64_t gpa;

	T_CALL(setup_long(&f, &pg));
	T_FAULT(&pg, &f, 0x8000000000ULL, 0, VIREO_FAULT_NOT_PRESENT, 0);	/* PML4E 1 */
	T_FAULT(&pg, &f, 0x8000, VIREO_ACCESS_WRITE, VIREO_FAULT_NOT_PRESENT, VIREO_PF_W);
	T_FAULT(&pg, &f, 0x6000, VIREO_ACCESS_FETCH, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_I);
	T_FAULT(&pg, &f, 0x7000, VIREO_ACCESS_USER, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_U);
	/* A supervisor-only upper level denies the whole subtree to users. */
	T_FAULT(&pg, &f, 0xffff800000005000ULL, VIREO_ACCESS_USER, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_U);

	/* Non-canonical: #GP, not #PF. */
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0x0000800000000000ULL, 0, &gpa, NULL, &flt),
	     -EFAULT);
	T_EQ(flt.kind, VIREO_FAULT_NONCANONICAL);
	T_EQ(flt.vector, VIREO_VEC_GP);
}

static void paging_long_reserved(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_long(&f, &pg));
	fake_put64(&f, 0x4000 + 9 * 8, (1ULL << 50) | 0x8000 | P);	/* above 48 bits */
	T_FAULT(&pg, &f, 0x9000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	fake_put64(&f, 0x1000 + 2 * 8, 0x2000 | P | PS);		/* PS in a PML4E */
	T_FAULT(&pg, &f, 0x10000000000ULL, 0, VIREO_FAULT_RESERVED,
		VIREO_PF_P | VIREO_PF_RSVD);
	fake_put64(&f, 0x2000 + 2 * 8, 0x80000000ULL | (1 << 13) | P | PS);	/* 1G, 29:13 */
	T_FAULT(&pg, &f, 0x80000000ULL, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	fake_put64(&f, 0x3000 + 2 * 8, 0x400000 | (1 << 20) | P | PS);	/* 2M, 20:13 */
	T_FAULT(&pg, &f, 0x400000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
	/* Bits 62:52 are ignored in long mode; bit 63 is NX (NXE is on). */
	fake_put64(&f, 0x4000 + 10 * 8, (0x7ffULL << 52) | 0x8000 | P);
	T_XLATE(&pg, &f, 0xa000, 0, 0x8000, 4096);
	pg.efer &= ~VIREO_EFER_NXE;
	T_FAULT(&pg, &f, 0x6000, 0, VIREO_FAULT_RESERVED, VIREO_PF_P | VIREO_PF_RSVD);
}

static void paging_smep_smap(void)
{
	struct vireo_paging pg;
	struct fake_mem f;

	T_CALL(setup_long(&f, &pg));
	T_XLATE(&pg, &f, 0x5000, VIREO_ACCESS_FETCH, 0x8000, 4096);
	pg.cr4 |= VIREO_CR4_SMEP;
	T_FAULT(&pg, &f, 0x5000, VIREO_ACCESS_FETCH, VIREO_FAULT_PROTECTION,
		VIREO_PF_P | VIREO_PF_I);
	T_XLATE(&pg, &f, 0x5000, VIREO_ACCESS_FETCH | VIREO_ACCESS_USER, 0x8000, 4096);
	T_XLATE(&pg, &f, 0x5000, 0, 0x8000, 4096);
	pg.cr4 |= VIREO_CR4_SMAP;
	T_FAULT(&pg, &f, 0x5000, 0, VIREO_FAULT_PROTECTION, VIREO_PF_P);
	T_XLATE(&pg, &f, 0x5000, VIREO_ACCESS_AC, 0x8000, 4096);
}

static void paging_5level(void)
{
	struct vireo_paging pg;
	struct fake_mem f;
	uint64_t gva = 0xff12345678905123ULL;	/* bits 56:48 = 0x112 */

	T_CALL(setup_long(&f, &pg));
	/* Old PML4 at 0x1000 becomes a level-4 table under a PML5 at 0xb000. */
	pg.cr3 = 0xb000;
	pg.cr4 |= VIREO_CR4_LA57;
	fake_put64(&f, 0xb000 + 0 * 8, 0x1000 | P | RW | US);
	T_XLATE(&pg, &f, 0x5123, 0, 0x8123, 4096);
	/* A 57-bit address: PML5 index (gva >> 48) & 0x1ff = 0x112. */
	fake_put64(&f, 0xb000 + 0x112 * 8, 0xc000 | P | RW);
	fake_put64(&f, 0xc000 + ((gva >> 39) & 0x1ff) * 8, 0xd000 | P | RW);
	fake_put64(&f, 0xd000 + ((gva >> 30) & 0x1ff) * 8, 0x80000000ULL | P | RW | PS);
	T_XLATE(&pg, &f, gva, 0, 0x80000000ULL + (gva & 0x3fffffff), 1ULL << 30);
	/* Canonical for 5 levels but not for 4. */
	pg.cr4 &= ~VIREO_CR4_LA57;
	pg.cr3 = 0x1000;
	T_FAULT(&pg, &f, gva, 0, VIREO_FAULT_NONCANONICAL, 0);
}

static void paging_table_outside_ram(void)
{
	struct vireo_paging pg;
	struct fake_mem f;
	struct vireo_fault flt;
	uint64_t gpa;

	T_CALL(setup_long(&f, &pg));
	pg.cr3 = 0x40000000;
	T_EQ(vireo_gva_to_gpa(&pg, &f.mem, 0x1000, 0, &gpa, NULL, &flt), -EFAULT);
	T_EQ(flt.kind, VIREO_FAULT_TABLE_IO);
	T_EQ(flt.gpa, 0x40000000);
	T_EQ(flt.level, 4);
}

static void read_virt_crosses_pages(void)
{
	struct vireo_paging pg;
	struct fake_mem f;
	struct vireo_fault flt;
	uint8_t buf[8];
	size_t done;

	/* Virtually adjacent pages, physically apart: 0x5000 -> 0x8000, 0x6000 -> 0xc000. */
	T_CALL(setup_long(&f, &pg));
	fake_put64(&f, 0x4000 + 6 * 8, 0xc000 | P | RW);
	fake_put(&f, 0x8ffc, "abcd", 4);
	fake_put(&f, 0xc000, "efgh", 4);
	T_EQ(vireo_read_virt(&pg, &f.mem, 0x5ffc, buf, 8, 0, &done, &flt), 0);
	T_EQ(done, 8);
	T_TRUE(!memcmp(buf, "abcdefgh", 8));

	/* Second page not present: a partial read with the fault. */
	fake_put64(&f, 0x4000 + 6 * 8, 0);
	memset(buf, 0, sizeof(buf));
	T_EQ(vireo_read_virt(&pg, &f.mem, 0x5ffc, buf, 8, 0, &done, &flt), -EFAULT);
	T_EQ(done, 4);
	T_EQ(flt.kind, VIREO_FAULT_NOT_PRESENT);
	T_EQ(flt.address, 0x6000);
	T_TRUE(!memcmp(buf, "abcd", 4));

	/* Translated but not RAM. */
	fake_put64(&f, 0x4000 + 6 * 8, 0x40000000ULL | P | RW);
	T_EQ(vireo_read_virt(&pg, &f.mem, 0x5ffc, buf, 8, 0, &done, &flt), -EFAULT);
	T_EQ(flt.kind, VIREO_FAULT_NOT_RAM);
	T_EQ(flt.gpa, 0x40000000);
}

static void write_virt_checks_rights(void)
{
	struct vireo_paging pg;
	struct fake_mem f;
	struct vireo_fault flt;

	T_CALL(setup_long(&f, &pg));
	fake_put64(&f, 0x4000 + 6 * 8, 0xc000 | P | US);	/* read-only */
	pg.cr0 |= VIREO_CR0_WP;
	T_EQ(vireo_write_virt(&pg, &f.mem, 0x5ffe, "wxyz", 4, 0, &flt), -EFAULT);
	T_EQ(flt.kind, VIREO_FAULT_PROTECTION);
	T_EQ(flt.address, 0x6000);
	T_EQ(flt.error_code, VIREO_PF_P | VIREO_PF_W);
	T_EQ(f.buf[0x8ffe], 'w');	/* the first page was written */
	T_EQ(f.buf[0xc000], 0);
}

static void describe_fault(void)
{
	struct vireo_fault flt = {
		.kind = VIREO_FAULT_NOT_PRESENT,
		.vector = VIREO_VEC_PF,
		.level = 1,
		.error_code = 2,
		.address = 0x1234,
	};
	char buf[160];

	vireo_fault_describe(&flt, buf, sizeof(buf));
	T_STR_CONTAINS(buf, "not present");
	T_STR_CONTAINS(buf, "0x1234");
}

const struct vireo_test vireo_tests_paging[] = {
	VIREO_TEST(no_paging),
	VIREO_TEST(paging_32bit_4k),
	VIREO_TEST(paging_32bit_not_present),
	VIREO_TEST(paging_32bit_protection),
	VIREO_TEST(paging_32bit_pse),
	VIREO_TEST(paging_pae),
	VIREO_TEST(paging_pae_nx),
	VIREO_TEST(paging_pae_reserved),
	VIREO_TEST(paging_long_sizes),
	VIREO_TEST(paging_long_faults),
	VIREO_TEST(paging_long_reserved),
	VIREO_TEST(paging_smep_smap),
	VIREO_TEST(paging_5level),
	VIREO_TEST(paging_table_outside_ram),
	VIREO_TEST(read_virt_crosses_pages),
	VIREO_TEST(write_virt_checks_rights),
	VIREO_TEST(describe_fault),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(paging, vireo_tests_paging);
