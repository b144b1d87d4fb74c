; busy - a guest that keeps its VM exiting for a while: 1000 MMIO write+read
; pairs on the test device (2000 round trips through vireo-run's decoder).
; The suite runs two of these at once.  Prints "busy done" (status 33).
; vireo-run --mode long --load busy.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

MMIO	equ 0xd0000000
ROUNDS	equ 1000

start:
	mov	rsp, STACK_TOP
	mov	rbx, MMIO
	mov	ecx, ROUNDS
.loop:	mov	rax, rcx
	imul	rax, rax, 0x1e3779b1		; a different value every round
	mov	rsi, rcx
	and	esi, 7				; one of the 8 scratch registers
	mov	[rbx + rsi * 8], rax
	mov	rdx, [rbx + rsi * 8]
	cmp	rdx, rax
	jne	.bad
	dec	ecx
	jnz	.loop

	PUTS	"busy done", 10
	EXIT	EXIT_OK

.bad:	PUTS	"FAIL: scratch register lost a write", 10
	EXIT	EXIT_FAIL

LIB_CODE
