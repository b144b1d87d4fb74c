; irq_long - an external interrupt injected on HLT in 64-bit mode.  Run with
; --irq-on-hlt 0x20.  The handler checks the 64-bit frame (RIP just past
; HLT, CS 0x18, RFLAGS.IF, the old RSP) and that RSP was 16-byte aligned by
; the CPU, then IRETQs; the guest then halts again with IF=0 (status 0)
; after printing, which proves the IRETQ returned to the right place.
; vireo-run --mode long --load irq_long.bin@0x100000 --entry 0x100000 --irq-on-hlt 0x20

	bits	64
	org	0x100000
%include "lib.inc"

IDT	equ 0x20000
CODE64	equ 0x18

start:
	mov	rsp, STACK_TOP - 8		; deliberately misaligned
	xor	ecx, ecx
	lea	rax, [rel unexpected]
.all:	call	set_gate
	inc	ecx
	cmp	ecx, 256
	jne	.all
	mov	ecx, 0x20
	lea	rax, [rel irq_handler]
	call	set_gate
	lidt	[rel idtr]

	PUTS	"halting with IF=1 (long mode)", 10
	mov	[rel saved_rsp], rsp
	sti
	hlt
after_hlt:
	cli
	cmp	byte [rel got_irq], 1
	jne	.none
	PUTS	"back after iretq", 10
	hlt					; IF=0: status 0
.none:	PUTS	"FAIL: hlt returned without the interrupt", 10
	EXIT	EXIT_FAIL

; set_gate: IDT[ecx] = 64-bit interrupt gate to RAX.  Clobbers RDI, RDX.
set_gate:
	mov	rdi, rcx
	shl	rdi, 4
	add	rdi, IDT
	mov	[rdi + 0], ax
	mov	word [rdi + 2], CODE64
	mov	word [rdi + 4], 0x8e00
	mov	rdx, rax
	shr	rdx, 16
	mov	[rdi + 6], dx
	shr	rdx, 16
	mov	[rdi + 8], edx
	mov	dword [rdi + 12], 0
	ret

irq_handler:
	push	rax
	lea	rax, [rsp + 8 + 40]		; RSP before the CPU pushed its frame:
	test	al, 0xf				; 64-bit mode aligns it to 16
	jnz	.bad
	lea	rax, [rel after_hlt]
	cmp	[rsp + 8], rax			; RIP
	jne	.bad
	cmp	qword [rsp + 16], CODE64	; CS
	jne	.bad
	bt	qword [rsp + 24], 9		; RFLAGS.IF
	jnc	.bad
	mov	rax, [rel saved_rsp]
	cmp	[rsp + 32], rax			; RSP
	jne	.bad
	mov	byte [rel got_irq], 1
	PUTS	"interrupt 0x20 delivered in long mode", 10
	pop	rax
	iretq
.bad:	PUTS	"FAIL: bad interrupt frame", 10
	EXIT	EXIT_FAIL

unexpected:
	PUTS	"FAIL: unexpected exception or interrupt", 10
	EXIT	EXIT_FAIL

	align	8
idtr:	dw	256 * 16 - 1
	dq	IDT
saved_rsp:	dq 0
got_irq:	db 0

LIB_CODE
