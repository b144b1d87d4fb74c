/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_ASM_FPU_TYPES_H
#define KSHIM_ASM_FPU_TYPES_H

struct fpstate;

struct fpu_guest {
	struct fpstate *fpstate;
};

#endif
