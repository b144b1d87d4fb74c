/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): the guest FPU API.  Allocation and the
 * guest/host swap are not run by the harness (kshim.c: a call is a bug);
 * switch_fpu_return() only clears kshim_need_fpu_load.
 */
#ifndef KSHIM_ASM_FPU_API_H
#define KSHIM_ASM_FPU_API_H

#include <linux/types.h>
#include <asm/processor.h>
#include <asm/fpu/types.h>

bool fpu_alloc_guest_fpstate(struct fpu_guest *gfpu);
void fpu_free_guest_fpstate(struct fpu_guest *gfpu);
int fpu_swap_kvm_fpstate(struct fpu_guest *gfpu, bool enter_guest);
void switch_fpu_return(void);
void fpu_copy_guest_fpstate_to_uabi(struct fpu_guest *gfpu, void *buf, unsigned int size,
				    u64 xfeatures, u32 pkru);
int fpu_copy_uabi_to_guest_fpstate(struct fpu_guest *gfpu, const void *buf, u64 xcr0,
				   u32 *vpkru);

#endif
