/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): RDMSR/WRMSR of the one MSR core code switches, IA32_TSC_AUX. */
#ifndef KSHIM_ASM_MSR_H
#define KSHIM_ASM_MSR_H

#include <linux/types.h>

extern u64 kshim_tsc_aux;	/* the "CPU's" IA32_TSC_AUX */
extern unsigned int kshim_tsc_aux_writes;

#define rdmsrq(msr, val)	do { (void)(msr); (val) = kshim_tsc_aux; } while (0)
#define wrmsrq(msr, val)	do { (void)(msr); kshim_tsc_aux = (val); kshim_tsc_aux_writes++; } while (0)

#endif
