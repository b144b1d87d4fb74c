; rep_outsb - string output in 64-bit mode; libvireo emulates OUTS by walking
; the guest page tables.  Prints "12345" with REP OUTSB, then "6" with a
; single OUTSB, then a REP OUTSB with RCX=0 (must print nothing and not
; hang), and checks RSI/RCX afterwards.  Expected stdout: "123456\n".
; vireo-run --mode long --load rep_outsb.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

start:
	mov	rsp, STACK_TOP
	cld
	mov	dx, SERIAL_THR

	lea	rsi, [rel digits]
	mov	ecx, 5
	rep outsb
	test	rcx, rcx		; RCX counted down to 0
	jnz	.bad_rcx
	lea	rax, [rel digits + 5]
	cmp	rsi, rax
	jne	.bad_rsi

	mov	dx, SERIAL_THR
	outsb				; "6"
	lea	rax, [rel digits + 6]
	cmp	rsi, rax
	jne	.bad_rsi

	xor	ecx, ecx		; REP with RCX=0: no output at all
	rep outsb
	cmp	rsi, rax
	jne	.bad_rsi

	PUTS	10
	EXIT	EXIT_OK

.bad_rcx:
	PUTS	10, "FAIL: RCX not 0", 10
	EXIT	EXIT_FAIL
.bad_rsi:
	PUTS	10, "FAIL: RSI="
	mov	rax, rsi
	call	lib_puthex
	PUTS	10
	EXIT	EXIT_FAIL

digits:	db	"123456", 0

LIB_CODE
