/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch (SDM vol. 3 26 "VM entries", 28 "VM exits").
 *
 * int vireo_vmx_enter(u64 *regs, bool launched);
 *
 * Called with interrupts off and the vCPU's VMCS current.  VM entry loads
 * RSP, RIP, RFLAGS, control registers and segments from the VMCS; this
 * code loads the other general registers from regs[] (indexed like enum
 * vireo_reg).  A VM exit resumes at vireo_vmx_exit_point with RSP =
 * HOST_RSP, which is written here just before entering.
 *
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed (VMfail: the
 * VM-instruction error field says why; no guest code ran).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>
#include <asm/ibt.h>

#define REG_RAX		(0 * 8)
#define REG_RCX		(1 * 8)
#define REG_RDX		(2 * 8)
#define REG_RBX		(3 * 8)
#define REG_RBP		(5 * 8)
#define REG_RSI		(6 * 8)
#define REG_RDI		(7 * 8)
#define REG_R8		(8 * 8)
#define REG_R9		(9 * 8)
#define REG_R10		(10 * 8)
#define REG_R11		(11 * 8)
#define REG_R12		(12 * 8)
#define REG_R13		(13 * 8)
#define REG_R14		(14 * 8)
#define REG_R15		(15 * 8)

#define VMCS_HOST_RSP	0x00006c14

	.text
SYM_FUNC_START(vireo_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* 0(%rsp): regs, found again after the exit */

	mov	$VMCS_HOST_RSP, %rdx
	vmwrite	%rsp, %rdx
	jna	.Lvmfail_early

	/* MOVs keep the flags: test "launched" now, branch after loading. */
	test	%sil, %sil

	mov	REG_RAX(%rdi), %rax
	mov	REG_RCX(%rdi), %rcx
	mov	REG_RDX(%rdi), %rdx
	mov	REG_RBX(%rdi), %rbx
	mov	REG_RBP(%rdi), %rbp
	mov	REG_RSI(%rdi), %rsi
	mov	REG_R8(%rdi),  %r8
	mov	REG_R9(%rdi),  %r9
	mov	REG_R10(%rdi), %r10
	mov	REG_R11(%rdi), %r11
	mov	REG_R12(%rdi), %r12
	mov	REG_R13(%rdi), %r13
	mov	REG_R14(%rdi), %r14
	mov	REG_R15(%rdi), %r15
	mov	REG_RDI(%rdi), %rdi

	/*
	 * A successful entry "returns" at vireo_vmx_exit_point via HOST_RIP;
	 * tell objtool to carry the unwind state over to there.
	 */
	UNWIND_HINT_SAVE
	jnz	.Lresume
	/*
	 * Enter with IF set, in the STI shadow: no host interrupt is taken
	 * before the entry, and one pending exits at once (as SVM does).
	 */
	sti
	vmlaunch
	jmp	.Lvmfail
.Lresume:
	sti
	vmresume
.Lvmfail:
	cli
	/* Host RSP never changed; RBP and friends are restored below. */
.Lvmfail_early:
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(vireo_vmx_exit_point, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/*
	 * A VM exit clears IF (SDM 28.5.3); say it again so that Bochs,
	 * which sets RFLAGS on exit without updating its interrupt masking,
	 * keeps host interrupts off until the C code enables them.
	 */
	cli
	/* RSP = HOST_RSP; every other register holds the guest's value. */
	push	%rax
	mov	8(%rsp), %rax		/* regs */
	mov	%rcx, REG_RCX(%rax)
	mov	%rdx, REG_RDX(%rax)
	mov	%rbx, REG_RBX(%rax)
	mov	%rbp, REG_RBP(%rax)
	mov	%rsi, REG_RSI(%rax)
	mov	%rdi, REG_RDI(%rax)
	mov	%r8,  REG_R8(%rax)
	mov	%r9,  REG_R9(%rax)
	mov	%r10, REG_R10(%rax)
	mov	%r11, REG_R11(%rax)
	mov	%r12, REG_R12(%rax)
	mov	%r13, REG_R13(%rax)
	mov	%r14, REG_R14(%rax)
	mov	%r15, REG_R15(%rax)
	pop	REG_RAX(%rax)

	/* Do not let guest values linger for speculation to find. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* The guest may have filled the RSB with its own targets. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	xor	%eax, %eax

.Lout:
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vireo_vmx_enter)
