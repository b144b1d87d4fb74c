/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_ASM_TSC_H
#define KSHIM_ASM_TSC_H

/* The host TSC frequency; a test sets it (kshim.c starts it at 1 GHz). */
extern unsigned int tsc_khz;

#endif
