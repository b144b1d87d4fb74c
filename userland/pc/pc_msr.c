// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's userland MSRs (pc_msr.h).  MTRR layout: SDM vol. 3 12.11.
 */
#include <errno.h>
#include <string.h>

#include "pc_msr.h"

#define PCI_HOLE_BASE	0xc0000000ULL	/* boot/layout.h's default hole */
#define PCI_HOLE_SIZE	0x40000000ULL	/* up to 4 GiB */
#define MTRR_VALID	(1ULL << 11)

static uint64_t phys_mask(const struct vireo_pc_msrs *m)
{
	return ((1ULL << m->phys_bits) - 1) & ~0xfffULL;
}

void vireo_pc_msrs_init(struct vireo_pc_msrs *m, unsigned int phys_bits)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->phys_bits = phys_bits < 36 || phys_bits > 52 ? 36 : phys_bits;
	m->def_type = VIREO_MTRR_DEF_VALUE;
	m->var[0] = PCI_HOLE_BASE | 0;	/* UC */
	m->var[1] = (~(PCI_HOLE_SIZE - 1) & phys_mask(m)) | MTRR_VALID;
	for (i = 0; i < 11; i++)
		m->fix[i] = VIREO_MTRR_FIX_WB;
	m->fix[2] = 0;			/* 0xa0000-0xbffff: the VGA window, UC */
	m->misc_enable = VIREO_MISC_ENABLE_VALUE;
	m->hwcr = VIREO_HWCR_VALUE;
}

/* A memory type an MTRR may hold: UC, WC, WT, WP, WB. */
static bool valid_type(uint8_t t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool valid_fixed(uint64_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (!valid_type((uint8_t)(v >> (8 * i))))
			return false;
	return true;
}

static int fixed_index(uint32_t index)
{
	if (index == VIREO_MSR_MTRR_FIX_64K)
		return 0;
	if (index == VIREO_MSR_MTRR_FIX_16K_80000)
		return 1;
	if (index == VIREO_MSR_MTRR_FIX_16K_A0000)
		return 2;
	if (index >= VIREO_MSR_MTRR_FIX_4K_C0000 && index <= VIREO_MSR_MTRR_FIX_4K_C0000 + 7)
		return 3 + (int)(index - VIREO_MSR_MTRR_FIX_4K_C0000);
	return -1;
}

static int mtrr(struct vireo_pc_msrs *m, uint32_t index, bool is_write, uint64_t *data)
{
	int fix = fixed_index(index);
	uint64_t *reg, reserved;

	if (index == VIREO_MSR_MTRRCAP) {
		if (is_write)
			return -EPERM;
		*data = VIREO_MTRRCAP_VALUE;
		return 0;
	}
	if (index == VIREO_MSR_MTRR_DEF_TYPE) {
		reg = &m->def_type;
		reserved = ~0xcffULL;
		if (is_write && !valid_type((uint8_t)*data))
			return -EPERM;
	} else if (fix >= 0) {
		reg = &m->fix[fix];
		reserved = 0;
		if (is_write && !valid_fixed(*data))
			return -EPERM;
	} else if (index >= VIREO_MSR_MTRR_PHYS_BASE0 && index < VIREO_MSR_MTRR_VAR_END) {
		bool is_mask = index & 1;

		reg = &m->var[index - VIREO_MSR_MTRR_PHYS_BASE0];
		reserved = is_mask ? ~(phys_mask(m) | MTRR_VALID) : ~(phys_mask(m) | 0xff);
		if (is_write && !is_mask && !valid_type((uint8_t)*data))
			return -EPERM;
	} else {
		return -ENOENT;
	}
	if (!is_write) {
		*data = *reg;
		return 0;
	}
	if (*data & reserved)
		return -EPERM;
	*reg = *data;
	return 0;
}

int vireo_pc_msr(struct vireo_pc_msrs *m, uint32_t index, bool is_write, uint64_t *data)
{
	int r = mtrr(m, index, is_write, data);
	uint64_t *rw = NULL;

	if (r != -ENOENT)
		return r;
	if (m->amd_pmu && index >= VIREO_MSR_AMD_PERF_LEGACY &&
	    index < VIREO_MSR_AMD_PERF_LEGACY_END) {
		if (!is_write)
			*data = 0;
		return 0;
	}
	switch (index) {
	case VIREO_MSR_MISC_ENABLE:
		rw = &m->misc_enable;
		break;
	case VIREO_MSR_MCG_STATUS:
		rw = &m->mcg_status;
		break;
	case VIREO_MSR_AMD_HWCR:
		rw = &m->hwcr;
		break;
	case VIREO_MSR_AMD_DE_CFG:
		rw = &m->de_cfg;
		break;
	case VIREO_MSR_FEAT_CTL:
		if (is_write)
			return -EPERM;	/* locked */
		*data = 1;
		return 0;
	case VIREO_MSR_UCODE_REV:
	case VIREO_MSR_AMD_SYSCFG:
	case VIREO_MSR_AMD_INT_PENDING:
		/* Writes are accepted and change nothing (Intel writes 0 to 0x8b). */
		if (!is_write)
			*data = 0;
		return 0;
	case VIREO_MSR_PLATFORM_INFO:
	case VIREO_MSR_MCG_CAP:
		if (is_write)
			return -EPERM;
		*data = 0;
		return 0;
	case VIREO_MSR_DEBUGCTL:
		if (is_write)
			return *data ? -EPERM : 0;
		*data = 0;
		return 0;
	default:
		return -ENOENT;
	}
	if (is_write)
		*rw = *data;
	else
		*data = *rw;
	return 0;
}
