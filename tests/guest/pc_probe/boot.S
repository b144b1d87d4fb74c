/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the PC probe kernel: a Multiboot v1 header, _start (stack,
 * then probe_main(magic, info)), the exception stubs, and the two MSR
 * accessors that survive a #GP.  Flat 32-bit protected mode, paging and
 * interrupts off; the loader's GDT (code 0x10) is kept.
 *
 * A #GP inside probe_rdmsr/probe_wrmsr resumes after the instruction with
 * the vector in fault_vector; any other exception calls
 * probe_unexpected(vector), which reports and ends the machine.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory information */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	cld
	movl $probe_stack_top, %esp
	pushl %ebx
	pushl %eax
	call probe_main
1:	cli
	hlt
	jmp 1b

/* int probe_rdmsr(uint32_t index, uint64_t *value): 0, or the vector (13). */
	.globl probe_rdmsr
probe_rdmsr:
	pushl %ebx
	movl 8(%esp), %ecx
	movl $0, fault_vector
	movl $2f, fault_resume
	rdmsr
	movl 12(%esp), %ebx
	movl %eax, (%ebx)
	movl %edx, 4(%ebx)
2:	movl $0, fault_resume
	movl fault_vector, %eax
	popl %ebx
	ret

/* int probe_wrmsr(uint32_t index, uint32_t lo, uint32_t hi): 0, or the vector. */
	.globl probe_wrmsr
probe_wrmsr:
	movl 4(%esp), %ecx
	movl 8(%esp), %eax
	movl 12(%esp), %edx
	movl $0, fault_vector
	movl $2f, fault_resume
	wrmsr
2:	movl $0, fault_resume
	movl fault_vector, %eax
	ret

/* #GP: error code, EIP, CS, EFLAGS on the stack (no privilege change). */
	.globl probe_gp_entry
probe_gp_entry:
	cmpl $0, fault_resume
	je 3f
	movl $13, fault_vector
	addl $4, %esp
	pushl %eax
	movl fault_resume, %eax
	movl %eax, 4(%esp)
	popl %eax
	iret
3:	pushl $13
	call probe_unexpected

/* Every other vector: report it (probe_unexpected does not return). */
	.macro stub n
	.globl probe_stub_\n
probe_stub_\n:
	pushl $\n
	call probe_unexpected
	.endm
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \n
	.endr

	.bss
	.balign 16
	.skip 65536	/* also carries the image over 0x10000: the information moves */
probe_stack_top:

	.section .note.GNU-stack, "", @progbits
