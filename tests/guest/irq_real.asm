; irq_real - an external interrupt injected on HLT in real mode, delivered
; through the IVT.  Run with --irq-on-hlt 0x20.  The handler checks the
; IRET frame (IP just past HLT, CS 0, FLAGS.IF set), prints, exits 33.
; vireo-run --mode real --load irq_real.bin@0x1000 --entry 0x1000 --irq-on-hlt 0x20

	bits	16
	org	0x1000
%include "lib.inc"

start:
	cli
	mov	word [0x20 * 4], irq_handler	; IVT[0x20] = 0000:irq_handler
	mov	word [0x20 * 4 + 2], 0
	PUTS	"halting with IF=1 (real mode)", 10
	sti
	hlt
after_hlt:
	cli
	PUTS	"FAIL: hlt returned without the interrupt", 10
	EXIT	EXIT_FAIL

irq_handler:
	mov	bp, sp
	cmp	word [bp + 0], after_hlt	; IP
	jne	.bad
	cmp	word [bp + 2], 0		; CS
	jne	.bad
	test	word [bp + 4], 0x200		; FLAGS.IF
	jz	.bad
	PUTS	"interrupt 0x20 delivered through the IVT", 10
	EXIT	EXIT_OK
.bad:	PUTS	"FAIL: bad interrupt frame", 10
	EXIT	EXIT_FAIL

LIB_CODE
