/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware task switches emulated for a backend whose CPU will not do them
 * in the guest (VMX: every task switch exits, SDM vol. 3 26.1.2 / 26.4.2).
 */
#ifndef VIREO_TASK_SWITCH_H
#define VIREO_TASK_SWITCH_H

#include "vireo.h"

/* What started the switch; the values are VMX's (SDM table 28-2, bits 31:30). */
enum vireo_task_switch_source {
	VIREO_TS_CALL = 0,
	VIREO_TS_IRET = 1,
	VIREO_TS_JMP = 2,
	VIREO_TS_GATE = 3,	/* an interrupt or exception through a task gate */
};

/*
 * Switches the vCPU to the task whose TSS selector is given, as the CPU
 * would (SDM vol. 3 8.3, "Task Switching").  insn_len is the length of the
 * CALL, JMP, IRET or INT n that started it (the old TSS keeps the EIP
 * after it), 0 for an interrupt or exception; the caller has taken the
 * delivered event out of the reinject slot.  An exception's error code,
 * if any, is pushed on the new task's stack.
 *
 * A check that fails queues the exception the SDM names (#TS, #NP, #SS,
 * #GP, #PF); before the commit point RIP and the registers are unchanged
 * (the fault is at the instruction).  Returns
 * 0 to re-enter, or 1 with run->exit_reason INTERNAL_ERROR when a TSS or
 * descriptor table is outside guest RAM.
 */
int vireo_task_switch(struct vireo_vcpu *vcpu, u16 selector,
		      enum vireo_task_switch_source source, unsigned int insn_len,
		      bool has_error_code, u32 error_code);

#endif /* VIREO_TASK_SWITCH_H */
