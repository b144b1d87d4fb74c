; irq - an external interrupt injected on HLT.  Run with --irq-on-hlt 0x20:
; the guest enables interrupts and halts; vireo-run injects vector 0x20 and
; resumes; the handler checks the interrupted EIP is the one after HLT (HLT
; completes before the interrupt is taken), prints, exits (status 33).
; vireo-run --mode protected --load irq.bin@0x100000 --entry 0x100000 --irq-on-hlt 0x20

	bits	32
	org	0x100000
%include "lib.inc"

IDT	equ 0x20000			; 256 x 8-byte gates
CODE32	equ 0x08

start:
	mov	esp, STACK_TOP

	xor	ecx, ecx
	mov	eax, unexpected
.all:	call	set_gate
	inc	ecx
	cmp	ecx, 256
	jne	.all
	mov	ecx, 0x20
	mov	eax, irq_handler
	call	set_gate
	lidt	[idtr]

	PUTS	"halting with IF=1", 10
	sti
	hlt
after_hlt:
	cli
	PUTS	"FAIL: hlt returned without the interrupt", 10
	EXIT	EXIT_FAIL

; set_gate: IDT[ecx] = 32-bit interrupt gate to EAX.  Clobbers EDI, EDX.
set_gate:
	lea	edi, [IDT + ecx * 8]
	mov	[edi + 0], ax			; offset 15:0
	mov	word [edi + 2], CODE32
	mov	word [edi + 4], 0x8e00		; present, DPL 0, 32-bit int gate
	mov	edx, eax
	shr	edx, 16
	mov	[edi + 6], dx			; offset 31:16
	ret

irq_handler:
	mov	eax, [esp]			; EIP of the interrupted code
	CHECK	1, after_hlt
	mov	eax, [esp + 4]
	and	eax, 0xffff
	CHECK	2, CODE32
	mov	eax, [esp + 8]			; EFLAGS at the interrupt: IF set
	shr	eax, 9
	and	eax, 1
	CHECK	3, 1
	PUTS	"interrupt 0x20 delivered after hlt", 10
	EXIT	EXIT_OK

unexpected:
	PUTS	"FAIL: unexpected exception or interrupt", 10
	EXIT	EXIT_FAIL

idtr:	dw	256 * 8 - 1
	dd	IDT

LIB_CODE
