/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSRs of the PC machine that vireo.ko leaves to userland
 * (VIREO_EXIT_MSR): what a minimal PC's firmware leaves behind for the
 * MSRs Linux reads with plain rdmsr/wrmsr (a #GP there is an "unchecked
 * MSR access" warning and a wrong value), and #GP for the rest, as on a
 * CPU without them (Linux probes those with rdmsr_safe).
 *
 *   0xfe         MTRRcap       8 variable ranges, fixed ranges, WC
 *   0x2ff        MTRRdefType   enabled, fixed enabled, default WB
 *   0x200-0x20f  MTRRphysBase/Mask 0-7: range 0 = the 1 GiB from 3 GiB
 *                (PCI hole, ECAM, APICs) uncacheable, the rest unused
 *   0x250, 0x258, 0x259, 0x268-0x26f  fixed ranges: WB, 0xa0000-0xbffff UC
 *   0x1a0        MISC_ENABLE   fast strings, BTS and PEBS unavailable
 *   0x3a         FEAT_CTL      locked, VMX off (Linux does not try to
 *                              write it)
 *   0x8b         microcode revision / AMD patch level: 0
 *   0xce         PLATFORM_INFO 0 (no CPUID faulting, no turbo ratios)
 *   0x179, 0x17a MCG_CAP (no banks), MCG_STATUS
 *   0x1d9        DEBUGCTL      0; only 0 may be written
 *   0xc0010010   SYSCFG        0 (no MtrrFixDramModEn, no TOM2)
 *   0xc0010015   HWCR          TscFreqSel (the TSC counts at P0)
 *   0xc0010055   INT_PENDING_MSG 0 (no C1E: Linux's E400 check reads it)
 *   0xc0011029   DE_CFG        read/write (Linux sets LFENCE serialising)
 *   0xc0010000-0xc0010007  the AMD legacy performance counters
 *                PerfEvtSel0-3 and PerfCtr0-3 (APM vol. 2 13.2.1), on
 *                AMD guests only (amd_pmu): every AMD CPU since the K7 has
 *                them, with no CPUID bit, and kernels write them unguarded.
 *                They read 0 and ignore writes: a CPU whose counters
 *                count nothing.  Linux's check_hw_exists() then finds the
 *                written PerfCtr value does not come back and runs with
 *                software events only, which is the truth here.
 *   Not here, so #GP, as CPUID says: the Intel architectural PMU
 *   (IA32_PMCx 0xc1.., PERFEVTSELx 0x186.., fixed counters 0x309..,
 *   PERF_GLOBAL_* 0x38d-0x390: SDM vol. 3 20.2.1, absent when CPUID leaf
 *   0xa reports version 0, and the guest's table has no leaf 0xa) and
 *   AMD's PerfCtrExtCore MSRs 0xc0010200-0xc001020b (APM vol. 2 13.2.2,
 *   gated by CPUID 0x80000001 ECX[23], which pc_cpuid.c clears).
 * Writes to the MTRRs are kept per vCPU when valid (type 0, 1, 4, 5, 6,
 * reserved bits clear) and #GP otherwise; writes to the read-only ones
 * #GP; the others keep what was written.
 */
#ifndef VIREO_RUN_PC_MSR_H
#define VIREO_RUN_PC_MSR_H

#include <stdbool.h>
#include <stdint.h>

#define VIREO_MSR_MTRRCAP		0xfe
#define VIREO_MSR_MTRR_DEF_TYPE		0x2ff
#define VIREO_MSR_MTRR_PHYS_BASE0	0x200
#define VIREO_MSR_MTRR_VAR_END		0x210	/* exclusive */
#define VIREO_MSR_MTRR_FIX_64K		0x250
#define VIREO_MSR_MTRR_FIX_16K_80000	0x258
#define VIREO_MSR_MTRR_FIX_16K_A0000	0x259
#define VIREO_MSR_MTRR_FIX_4K_C0000	0x268	/* .. 0x26f */
#define VIREO_MSR_MISC_ENABLE		0x1a0
#define VIREO_MSR_FEAT_CTL		0x3a
#define VIREO_MSR_UCODE_REV		0x8b
#define VIREO_MSR_PLATFORM_INFO		0xce
#define VIREO_MSR_MCG_CAP		0x179
#define VIREO_MSR_MCG_STATUS		0x17a
#define VIREO_MSR_DEBUGCTL		0x1d9
#define VIREO_MSR_AMD_SYSCFG		0xc0010010
#define VIREO_MSR_AMD_HWCR		0xc0010015
#define VIREO_MSR_AMD_INT_PENDING	0xc0010055
#define VIREO_MSR_AMD_DE_CFG		0xc0011029
#define VIREO_MSR_AMD_PERF_LEGACY	0xc0010000	/* PerfEvtSel0 */
#define VIREO_MSR_AMD_PERF_LEGACY_END	0xc0010008	/* after PerfCtr3 */

#define VIREO_MTRR_VCNT			8
#define VIREO_MTRRCAP_VALUE		(VIREO_MTRR_VCNT | 1U << 8 | 1U << 10)
#define VIREO_MTRR_DEF_VALUE		(1U << 11 | 1U << 10 | 6)	/* E, FE, WB */
#define VIREO_MTRR_FIX_WB		0x0606060606060606ULL
#define VIREO_MISC_ENABLE_VALUE		(1U << 0 | 1U << 11 | 1U << 12)
#define VIREO_HWCR_VALUE		(1U << 24)

struct vireo_pc_msrs {
	unsigned int phys_bits;
	uint64_t def_type;
	uint64_t var[2 * VIREO_MTRR_VCNT];	/* base, mask pairs */
	uint64_t fix[11];	/* 0x250, 0x258, 0x259, 0x268-0x26f */
	uint64_t misc_enable;
	uint64_t mcg_status;
	uint64_t hwcr;
	uint64_t de_cfg;
	bool amd_pmu;		/* the legacy AMD counters exist (an AMD guest) */
};

/*
 * Power-on values for a guest with phys_bits of physical address; set
 * amd_pmu afterwards for a guest whose CPUID vendor is AMD's.
 */
void vireo_pc_msrs_init(struct vireo_pc_msrs *m, unsigned int phys_bits);

/*
 * One access: 0 (read value in *data), or -EPERM (inject #GP), or -ENOENT
 * (an MSR this model does not know: #GP too, worth a note).
 */
int vireo_pc_msr(struct vireo_pc_msrs *m, uint32_t index, bool is_write, uint64_t *data);

#endif /* VIREO_RUN_PC_MSR_H */
