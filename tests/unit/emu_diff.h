/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differential test of the MMIO emulator against the host CPU: random
 * instruction forms with random operands and flags, run natively on a RAM
 * buffer and through vireo_emu_mmio() on a fake device (emu_diff.c).
 */
#ifndef VIREO_UNIT_EMU_DIFF_H
#define VIREO_UNIT_EMU_DIFF_H

#include <stdint.h>
#include <stdio.h>

/* Instruction families; a mask of (1 << family) selects what to generate. */
enum emu_diff_family {
	DIFF_ALU,		/* 00-3B, 80-83, 84/85, F6/F7 /0 */
	DIFF_UNARY,		/* INC DEC NOT NEG */
	DIFF_MULDIV,		/* F6/F7 /4-/7, IMUL 69/6B/0F AF */
	DIFF_SHIFT,		/* C0/C1, D0-D3, SHLD/SHRD */
	DIFF_BIT,		/* BT BTS BTR BTC, BSF BSR */
	DIFF_XCHG,		/* XCHG CMPXCHG XADD CMPXCHG8B/16B */
	DIFF_MOV,		/* MOV family, MOVZX/MOVSX, MOVNTI, moffs */
	DIFF_STACK,		/* PUSH/POP memory */
	DIFF_STRING,		/* MOVS CMPS STOS LODS SCAS, REP */
	DIFF_VECTOR,		/* SSE and AVX moves */
	DIFF_COND,		/* SETcc, CMOVcc */
	DIFF_FAMILIES,
};

#define DIFF_ALL ((1U << DIFF_FAMILIES) - 1)

struct emu_diff_stats {
	unsigned long cases;
	unsigned long native_faults;	/* cases where the host raised #DE/#GP */
	unsigned long mismatches;
	unsigned long per_family[DIFF_FAMILIES];
};

extern const char *const emu_diff_family_names[DIFF_FAMILIES];

/*
 * Run n cases of the families in mask from seed; describe up to
 * max_report mismatches on log.  Returns 0 if every case matched, 1 if
 * some did not, -1 if the host refused the harness (no fixed mapping, no
 * AVX): the caller skips.
 */
int emu_diff_run(uint64_t seed, unsigned long n, unsigned int mask, unsigned int max_report,
		 FILE *log, struct emu_diff_stats *stats);

#endif /* VIREO_UNIT_EMU_DIFF_H */
