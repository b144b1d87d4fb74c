/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch (APM vol. 2 15.5 "VMRUN", 15.5.2 "VMSAVE/VMLOAD").
 *
 * void vireo_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa);
 *
 * Called with GIF clear (CLGI) and interrupts off.  VMRUN itself switches
 * RAX, RSP, RIP, RFLAGS, the control registers and segments; this code
 * switches the other general registers (regs[] is indexed like enum
 * vireo_reg) and, with VMLOAD/VMSAVE, the "hidden" state: FS/GS/TR/LDTR
 * and the syscall MSRs.  The host's copy of that state was VMSAVEd to
 * host_save_pa by the caller and is VMLOADed back here before anything
 * can touch per-CPU data through GS.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

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

	.text
SYM_FUNC_START(vireo_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx		/* 16(%rsp): host_save_pa */
	push	%rsi		/*  8(%rsp): regs */
	push	%rdi		/*  0(%rsp): vmcb_pa */

	mov	%rdi, %rax
	vmload	%rax

	mov	REG_RCX(%rsi), %rcx
	mov	REG_RDX(%rsi), %rdx
	mov	REG_RBX(%rsi), %rbx
	mov	REG_RBP(%rsi), %rbp
	mov	REG_RDI(%rsi), %rdi
	mov	REG_R8(%rsi),  %r8
	mov	REG_R9(%rsi),  %r9
	mov	REG_R10(%rsi), %r10
	mov	REG_R11(%rsi), %r11
	mov	REG_R12(%rsi), %r12
	mov	REG_R13(%rsi), %r13
	mov	REG_R14(%rsi), %r14
	mov	REG_R15(%rsi), %r15
	mov	REG_RSI(%rsi), %rsi

	/*
	 * IF must be set at VMRUN: with V_INTR_MASKING the host's IF decides
	 * whether a physical interrupt ends the guest's run (APM 15.21.1).
	 * GIF is still clear, so nothing is taken before VMRUN.  The NOP
	 * ends STI's interrupt shadow before VMRUN: QEMU's TCG SVM carries
	 * that shadow into the guest, which then runs one instruction before
	 * it can take an interrupt posted in V_IRQ.
	 */
	sti
	nop
	vmrun	%rax
	cli

	/* RSP and RAX are the host's again; everything else is the guest's. */
	mov	8(%rsp), %rax
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

	/* Do not let guest values linger for speculation to find. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	pop	%rax		/* vmcb_pa */
	vmsave	%rax
	pop	%rax		/* regs, no longer needed */
	pop	%rax		/* host_save_pa */
	vmload	%rax

	/* The guest may have filled the RSB with its own targets. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vireo_svm_enter)
