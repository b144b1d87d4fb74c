; cr_gp - the guest's own illegal control-register writes in 64-bit mode
; fault with #GP(0) and change nothing (SDM vol. 2 "MOV-Move to/from
; Control Registers", 64-bit mode exceptions).
; vireo-run --mode long --load cr_gp.bin@0x100000 --entry 0x100000
;
; On SVM vireo.ko emulates CR4 writes and, while EFER.LME is set, CR0
; writes; QEMU's SVM model turned an L2's MOV to CR3 with reserved bits
; into VMEXIT_INVALID (FINDINGS F5), which vireo.ko now reflects as the
; #GP the hardware raises.  On VMX the CR0.PG write exits and was let
; through in 64-bit mode.

	bits	64
	org	0x100000
%include "lib.inc"

IDT		equ 0x20000		; 256 x 16-byte gates
CODE64		equ 0x18		; the monitor's 64-bit code selector
CR0_PG		equ 1 << 31
CR4_PAE		equ 1 << 5

; TRY n, insn: insn must #GP(0) and leave RIP on itself; n is the check.
%macro TRY 2
	mov	dword [rel gp_count], 0
%%insn:	%2
	mov	eax, [rel gp_count]
	CHECK	%1, 1
	mov	rax, [rel gp_rip]
	lea	rbx, [rel %%insn]
	sub	rax, rbx
	CHECK	%1 + 50, 0
	mov	rax, [rel gp_error]
	CHECK	%1 + 100, 0
%endmacro

start:
	mov	rsp, STACK_TOP
	call	setup_idt
	mov	r12, cr0
	mov	r13, cr3
	mov	r14, cr4

	; CR4: a reserved bit; PAE off in long mode.
	mov	rax, r14
	bts	rax, 15
	mov	byte [rel skip], 3
	TRY	1, {mov cr4, rax}
	mov	rax, r14
	and	eax, ~CR4_PAE
	TRY	2, {mov cr4, rax}
	; CR3: a bit above MAXPHYADDR (bits 62:52 are reserved).
	mov	rax, r13
	bts	rax, 60
	TRY	3, {mov cr3, rax}
	; CR0: paging off in 64-bit mode.  (Not tried: a bit above 31, which
	; QEMU's model drops instead of faulting, so no intercept sees it.)
	mov	rax, r12
	and	eax, ~CR0_PG
	TRY	4, {mov cr0, rax}

	; Nothing changed, and the legal writes still work.
	mov	rax, cr0
	cmp	rax, r12
	jne	.changed
	mov	rax, cr4
	cmp	rax, r14
	jne	.changed
	mov	rax, cr3
	cmp	rax, r13
	jne	.changed
	mov	rax, r14
	xor	eax, 1 << 7			; toggle PGE
	mov	cr4, rax
	mov	cr4, r14
	mov	cr0, r12
	mov	cr3, r13
	mov	eax, [rel gp_count]
	CHECK	6, 1				; no further #GP
	PUTS	"cr #GP OK", 10
	EXIT	EXIT_OK

.changed:
	PUTS	"FAIL: a refused write changed a control register", 10
	EXIT	EXIT_FAIL

IDT64 IDT, CODE64, 13, gp_handler

gp_handler:
	pop	qword [rel gp_error]		; #GP pushes an error code
	push	rax
	push	rbx
	mov	rax, [rsp + 16]			; faulting RIP
	mov	[rel gp_rip], rax
	movzx	rbx, byte [rel skip]
	add	[rsp + 16], rbx			; skip the MOV (0F 22 /r)
	inc	dword [rel gp_count]
	pop	rbx
	pop	rax
	iretq

	align	8
gp_count:	dd 0
		dd 0
gp_rip:		dq 0
gp_error:	dq 0
skip:		db 3

LIB_CODE
