/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the hostile-guest test kernel: a Multiboot v1 header (memory
 * information wanted) and _start, which sets up a stack and calls
 * vh_main(magic, info).  The loader (userland/boot/multiboot.c) enters in
 * flat 32-bit protected mode with paging and interrupts off; its GDT is
 * kept as it is.
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
	movl $vh_stack_top, %esp
	pushl %ebx
	pushl %eax
	call vh_main
	/* vh_main powers the machine off; should that not work, stop here. */
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 16384
vh_stack_top:

	.section .note.GNU-stack, "", @progbits
