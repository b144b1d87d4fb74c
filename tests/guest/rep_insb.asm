; rep_insb - string input in 64-bit mode.  Nothing decodes UNKNOWN_PORT, so
; every element reads as all-ones.  Checks the buffer contents, the guard
; bytes around them, and that RDI/RCX advanced exactly:
;   1  REP INSB, RCX=8, DF=0     -> 8 bytes 0xff, RDI += 8, RCX = 0
;   2  REP INSW, RCX=3, DF=0     -> 6 bytes 0xff, RDI += 6
;   3  REP INSB, RCX=2, DF=1     -> 2 bytes 0xff going down, RDI -= 2
;   4  INSB without REP          -> 1 byte, RCX untouched
; Reports through the exit status: 33 on success, else 35 after a message.
; vireo-run --mode long --load rep_insb.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

UNKNOWN_PORT	equ 0x5a0
BUF		equ 0x200000		; 64 zeroed bytes we own
ONES		equ 0xffffffffffffffff

start:
	mov	rsp, STACK_TOP
	mov	rdi, BUF
	mov	ecx, 8
	xor	eax, eax
	cld
	rep stosq

	; 1: REP INSB into BUF+8 .. BUF+15
	mov	rdi, BUF + 8
	mov	ecx, 8
	mov	dx, UNKNOWN_PORT
	rep insb
	mov	rax, rcx
	CHECK	10, 0
	mov	rax, rdi
	CHECK	11, BUF + 16
	mov	rax, [BUF + 8]
	CHECK	12, ONES
	mov	rax, [BUF]		; guard below
	CHECK	13, 0
	mov	rax, [BUF + 16]		; guard above
	CHECK	14, 0

	; 2: REP INSW into BUF+16 .. BUF+21
	mov	rdi, BUF + 16
	mov	ecx, 3
	mov	dx, UNKNOWN_PORT
	rep insw
	mov	rax, rdi
	CHECK	20, BUF + 22
	mov	rax, [BUF + 16]
	CHECK	21, 0x0000ffffffffffff

	; 3: REP INSB backwards (DF=1) into BUF+33, BUF+32
	mov	rdi, BUF + 33
	mov	ecx, 2
	mov	dx, UNKNOWN_PORT
	std
	rep insb
	cld
	mov	rax, rdi
	CHECK	30, BUF + 31
	mov	rax, [BUF + 32]
	CHECK	31, 0x000000000000ffff
	mov	rax, [BUF + 24]
	CHECK	32, 0

	; 4: one INSB, no REP: RCX is not a count and must not change
	mov	rdi, BUF + 40
	mov	ecx, 7
	mov	dx, UNKNOWN_PORT
	insb
	mov	rax, rcx
	CHECK	40, 7
	mov	rax, rdi
	CHECK	41, BUF + 41
	mov	rax, [BUF + 40]
	CHECK	42, 0xff

	PUTS	"rep insb OK", 10
	EXIT	EXIT_OK

LIB_CODE
