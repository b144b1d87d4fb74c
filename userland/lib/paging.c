// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker: linear -> guest-physical, as the CPU does it
 * (SDM vol. 3 chapter 4, APM vol. 2 chapter 5).
 *
 * Modes, chosen from CR0.PG, CR4.PAE, EFER.LMA and CR4.LA57:
 *   no paging     linear == physical (32 bits outside long mode)
 *   32-bit        2 levels, 4 KiB pages, 4 MiB pages with CR4.PSE (PSE-36)
 *   PAE           PDPTE + 2 levels, 4 KiB and 2 MiB pages, NX with EFER.NXE
 *   4/5-level     long mode, 4 KiB, 2 MiB and 1 GiB pages
 *
 * Differences from the CPU, all deliberate: PAE PDPTEs are read from memory
 * at walk time rather than cached at the last CR3 load; accessed/dirty bits
 * are never written (see paging.h); protection keys are ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vireo/paging.h>
#include <vireo/x86.h>

/* State accumulated down the walk: the AND of R/W and U/S, the OR of NX. */
struct walk {
	const struct vireo_paging *pg;
	const struct vireo_mem *mem;
	uint64_t gva;
	unsigned int access;
	struct vireo_fault *fault;
	bool rw, us, nx;
};

static uint64_t bits_range(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (hi >= 63 ? ~0ULL : ((1ULL << (hi + 1)) - 1)) & ~((1ULL << lo) - 1);
}

static unsigned int phys_bits(const struct vireo_paging *pg)
{
	if (pg->phys_bits < 32 || pg->phys_bits > 52)
		return 52;
	return pg->phys_bits;
}

void vireo_paging_from_sregs(struct vireo_paging *pg, const struct vireo_sregs *sregs,
			     unsigned int phys_bits)
{
	pg->cr0 = sregs->cr0;
	pg->cr3 = sregs->cr3;
	pg->cr4 = sregs->cr4;
	pg->efer = sregs->efer;
	pg->phys_bits = phys_bits;
}

static int walk_fail(struct walk *w, enum vireo_fault_kind kind, unsigned int level)
{
	struct vireo_fault *f = w->fault;
	uint32_t ec = 0;

	f->kind = kind;
	f->level = level;
	f->address = w->gva;
	f->vector = VIREO_VEC_PF;
	if (kind == VIREO_FAULT_NONCANONICAL) {
		f->vector = VIREO_VEC_GP;
		f->error_code = 0;
		return -EFAULT;
	}
	if (kind == VIREO_FAULT_RESERVED)
		ec |= VIREO_PF_RSVD | VIREO_PF_P;
	if (kind == VIREO_FAULT_PROTECTION)
		ec |= VIREO_PF_P;
	if (w->access & VIREO_ACCESS_WRITE)
		ec |= VIREO_PF_W;
	if (w->access & VIREO_ACCESS_USER)
		ec |= VIREO_PF_U;
	/* I/D is defined only when NX or SMEP can make fetches fault. */
	if ((w->access & VIREO_ACCESS_FETCH) &&
	    (((w->pg->cr4 & VIREO_CR4_PAE) && (w->pg->efer & VIREO_EFER_NXE)) ||
	     (w->pg->cr4 & VIREO_CR4_SMEP)))
		ec |= VIREO_PF_I;
	f->error_code = ec;
	return -EFAULT;
}

static int read_entry(struct walk *w, uint64_t addr, unsigned int size, unsigned int level,
		      uint64_t *entry)
{
	uint32_t e32;
	int ret;

	if (size == 4) {
		ret = w->mem->read(w->mem->opaque, addr, &e32, 4);
		*entry = e32;
	} else {
		ret = w->mem->read(w->mem->opaque, addr, entry, 8);
	}
	if (ret) {
		w->fault->gpa = addr;
		return walk_fail(w, VIREO_FAULT_TABLE_IO, level);
	}
	return 0;
}

/* Fold one present entry's permissions into the walk. */
static void accumulate(struct walk *w, uint64_t entry, bool nx_enabled)
{
	w->rw = w->rw && (entry & VIREO_PTE_RW);
	w->us = w->us && (entry & VIREO_PTE_US);
	if (nx_enabled && (entry & VIREO_PTE_NX))
		w->nx = true;
}

/* Permission check on the final, accumulated rights (SDM vol. 3 4.6). */
static int check_access(struct walk *w, unsigned int level)
{
	const struct vireo_paging *pg = w->pg;
	bool user = w->access & VIREO_ACCESS_USER;
	bool write = w->access & VIREO_ACCESS_WRITE;
	bool fetch = w->access & VIREO_ACCESS_FETCH;

	if (user && !w->us)
		goto fault;
	if (write && !w->rw && (user || (pg->cr0 & VIREO_CR0_WP)))
		goto fault;
	if (fetch && w->nx)
		goto fault;
	if (!user && w->us) {
		if (fetch && (pg->cr4 & VIREO_CR4_SMEP))
			goto fault;
		if (!fetch && (pg->cr4 & VIREO_CR4_SMAP) && !(w->access & VIREO_ACCESS_AC))
			goto fault;
	}
	return 0;
fault:
	return walk_fail(w, VIREO_FAULT_PROTECTION, level);
}

static int walk_32bit(struct walk *w, uint64_t *gpa, uint64_t *psize)
{
	uint32_t va = (uint32_t)w->gva;
	uint64_t pde, pte;
	unsigned int m = phys_bits(w->pg);
	int ret;

	ret = read_entry(w, (w->pg->cr3 & 0xfffff000ULL) + ((va >> 22) << 2), 4, 2, &pde);
	if (ret)
		return ret;
	if (!(pde & VIREO_PTE_P))
		return walk_fail(w, VIREO_FAULT_NOT_PRESENT, 2);
	accumulate(w, pde, false);

	if ((pde & VIREO_PTE_PS) && (w->pg->cr4 & VIREO_CR4_PSE)) {
		/*
		 * 4 MiB page, PSE-36: bits 20:13 hold physical address bits
		 * 39:32, those at or above MAXPHYADDR are reserved, bit 21 is.
		 */
		uint64_t rsvd = (1ULL << 21) | (m < 40 ? bits_range(20, 13 + (m - 32)) : 0);

		if (pde & rsvd)
			return walk_fail(w, VIREO_FAULT_RESERVED, 2);
		ret = check_access(w, 2);
		if (ret)
			return ret;
		*gpa = (pde & 0xffc00000ULL) | (((pde >> 13) & 0xff) << 32) | (va & 0x3fffff);
		*psize = 4ULL << 20;
		return 0;
	}

	ret = read_entry(w, (pde & 0xfffff000ULL) + (((va >> 12) & 0x3ff) << 2), 4, 1, &pte);
	if (ret)
		return ret;
	if (!(pte & VIREO_PTE_P))
		return walk_fail(w, VIREO_FAULT_NOT_PRESENT, 1);
	accumulate(w, pte, false);
	ret = check_access(w, 1);
	if (ret)
		return ret;
	*gpa = (pte & 0xfffff000ULL) | (va & 0xfff);
	*psize = VIREO_PAGE_SIZE;
	return 0;
}

/*
 * PAE and long-mode walks share their entry format below the top: 64-bit
 * entries, 9 index bits per level.  levels is 3 (PAE, the PDPT indexed by
 * bits 31:30), 4 or 5.
 */
static int walk_64bit_entries(struct walk *w, unsigned int levels, uint64_t *gpa,
			      uint64_t *psize)
{
	const struct vireo_paging *pg = w->pg;
	unsigned int m = phys_bits(pg);
	bool nxe = pg->efer & VIREO_EFER_NXE;
	bool pae = levels == 3;
	uint64_t addr_mask = bits_range(m - 1, 12);
	uint64_t rsvd_common, entry, table;
	unsigned int level;
	int ret;

	/* PAE: bits 62:M are reserved; long mode: only 51:M (62:52 ignored). */
	rsvd_common = pae ? bits_range(62, m) : bits_range(51, m);
	if (!nxe)
		rsvd_common |= VIREO_PTE_NX;

	if (pae)
		table = pg->cr3 & 0xffffffe0ULL;
	else
		table = pg->cr3 & addr_mask;

	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t idx = (w->gva >> shift) & 0x1ff;
		uint64_t rsvd = rsvd_common;

		if (pae && level == 3)
			idx &= 3;
		ret = read_entry(w, table + idx * 8, 8, level, &entry);
		if (ret)
			return ret;
		if (!(entry & VIREO_PTE_P))
			return walk_fail(w, VIREO_FAULT_NOT_PRESENT, level);

		if (pae && level == 3) {
			/* PAE PDPTE: no rights bits, 2:1, 8:5 and 63 reserved. */
			rsvd = bits_range(2, 1) | bits_range(8, 5) | bits_range(63, m);
			if (entry & rsvd)
				return walk_fail(w, VIREO_FAULT_RESERVED, level);
			table = entry & addr_mask;
			continue;
		}

		if (entry & VIREO_PTE_PS) {
			if (level >= 4)
				rsvd |= VIREO_PTE_PS;	/* no 512 GiB pages */
			else if (level == 3)
				rsvd |= bits_range(29, 13);
			else if (level == 2)
				rsvd |= bits_range(20, 13);
			/* level 1: bit 7 is PAT, not PS. */
		}
		if (entry & rsvd)
			return walk_fail(w, VIREO_FAULT_RESERVED, level);
		accumulate(w, entry, nxe);

		if (level == 1 || (entry & VIREO_PTE_PS)) {
			uint64_t size = 1ULL << shift;

			ret = check_access(w, level);
			if (ret)
				return ret;
			*gpa = (entry & addr_mask & ~(size - 1)) | (w->gva & (size - 1));
			*psize = size;
			return 0;
		}
		table = entry & addr_mask;
	}
	/* not reached: level 1 always returns */
	return walk_fail(w, VIREO_FAULT_NOT_PRESENT, 1);
}

int vireo_gva_to_gpa(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		     unsigned int access, uint64_t *gpa, uint64_t *page_size,
		     struct vireo_fault *fault)
{
	struct vireo_fault dummy;
	struct walk w = {
		.pg = pg,
		.mem = mem,
		.gva = gva,
		.access = access,
		.fault = fault ? fault : &dummy,
		.rw = true,
		.us = true,
		.nx = false,
	};
	uint64_t psize = 0;
	int ret;

	memset(w.fault, 0, sizeof(*w.fault));
	if (!(pg->cr0 & VIREO_CR0_PG) || !(pg->cr0 & VIREO_CR0_PE)) {
		/* Without long mode, linear addresses are 32 bits wide. */
		*gpa = (pg->efer & VIREO_EFER_LMA) ? gva : (gva & 0xffffffffULL);
		ret = 0;
		goto out;
	}

	if (pg->efer & VIREO_EFER_LMA) {
		unsigned int levels = (pg->cr4 & VIREO_CR4_LA57) ? 5 : 4;
		unsigned int vbits = levels == 5 ? 57 : 48;
		int64_t sext = (int64_t)(gva << (64 - vbits)) >> (64 - vbits);

		if ((uint64_t)sext != gva) {
			ret = walk_fail(&w, VIREO_FAULT_NONCANONICAL, levels);
			goto out;
		}
		ret = walk_64bit_entries(&w, levels, gpa, &psize);
	} else if (pg->cr4 & VIREO_CR4_PAE) {
		w.gva = gva & 0xffffffffULL;
		ret = walk_64bit_entries(&w, 3, gpa, &psize);
	} else {
		w.gva = gva & 0xffffffffULL;
		ret = walk_32bit(&w, gpa, &psize);
	}
out:
	if (!ret && page_size)
		*page_size = psize;
	return ret;
}

/* Linear addresses wrap at 4 GiB outside long mode. */
static uint64_t linear_next(const struct vireo_paging *pg, uint64_t gva, uint64_t n)
{
	gva += n;
	if (!(pg->efer & VIREO_EFER_LMA))
		gva &= 0xffffffffULL;
	return gva;
}

static int copy_virt(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		     uint8_t *rbuf, const uint8_t *wbuf, size_t len, unsigned int access,
		     size_t *done, struct vireo_fault *fault)
{
	struct vireo_fault dummy;
	size_t copied = 0;
	int ret = 0;

	if (!fault)
		fault = &dummy;
	while (copied < len) {
		size_t chunk = VIREO_PAGE_SIZE - (gva & (VIREO_PAGE_SIZE - 1));
		uint64_t gpa;

		if (chunk > len - copied)
			chunk = len - copied;
		ret = vireo_gva_to_gpa(pg, mem, gva, access, &gpa, NULL, fault);
		if (ret)
			goto out;
		if (rbuf)
			ret = mem->read(mem->opaque, gpa, rbuf + copied, chunk);
		else
			ret = mem->write ? mem->write(mem->opaque, gpa, wbuf + copied, chunk)
					 : -EFAULT;
		if (ret) {
			memset(fault, 0, sizeof(*fault));
			fault->kind = VIREO_FAULT_NOT_RAM;
			fault->address = gva;
			fault->gpa = gpa;
			ret = -EFAULT;
			goto out;
		}
		copied += chunk;
		gva = linear_next(pg, gva, chunk);
	}
out:
	if (done)
		*done = copied;
	return ret;
}

int vireo_read_virt(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		    void *buf, size_t len, unsigned int access, size_t *done,
		    struct vireo_fault *fault)
{
	return copy_virt(pg, mem, gva, buf, NULL, len, access, done, fault);
}

int vireo_write_virt(const struct vireo_paging *pg, const struct vireo_mem *mem, uint64_t gva,
		     const void *buf, size_t len, unsigned int access, struct vireo_fault *fault)
{
	return copy_virt(pg, mem, gva, NULL, buf, len, access | VIREO_ACCESS_WRITE, NULL, fault);
}

void vireo_fault_describe(const struct vireo_fault *fault, char *buf, size_t size)
{
	static const char *const names[] = {
		[VIREO_FAULT_NONE] = "no fault",
		[VIREO_FAULT_NOT_PRESENT] = "page not present",
		[VIREO_FAULT_RESERVED] = "reserved bit set in page-table entry",
		[VIREO_FAULT_PROTECTION] = "page protection violation",
		[VIREO_FAULT_NONCANONICAL] = "non-canonical address",
		[VIREO_FAULT_TABLE_IO] = "page table outside guest RAM",
		[VIREO_FAULT_NOT_RAM] = "address is not guest RAM",
	};
	const char *name = "unknown fault";

	if ((unsigned int)fault->kind < sizeof(names) / sizeof(names[0]))
		name = names[fault->kind];
	switch (fault->kind) {
	case VIREO_FAULT_TABLE_IO:
	case VIREO_FAULT_NOT_RAM:
		snprintf(buf, size, "%s (linear 0x%llx, physical 0x%llx)", name,
			 (unsigned long long)fault->address, (unsigned long long)fault->gpa);
		break;
	case VIREO_FAULT_NONE:
		snprintf(buf, size, "%s", name);
		break;
	default:
		snprintf(buf, size, "%s (linear 0x%llx, level %u, #%s error code 0x%x)", name,
			 (unsigned long long)fault->address, fault->level,
			 fault->vector == VIREO_VEC_GP ? "GP" : "PF", fault->error_code);
		break;
	}
}
