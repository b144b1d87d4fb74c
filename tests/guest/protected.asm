; protected - flat 32-bit protected mode, no paging.
; vireo-run --mode protected --load protected.bin@0x100000 --entry 0x100000
; Checks CR0 (PE=1, PG=0) and IN completion at byte/word/dword width: an
; unknown port reads all-ones, and IN AL must keep the upper bits of EAX.

	bits	32
	org	0x100000
%include "lib.inc"

UNKNOWN_PORT	equ 0x5a0		; nothing decodes it: reads all-ones

start:
	mov	esp, STACK_TOP
	PUTS	"Hello from 32-bit protected mode!", 10

	mov	eax, cr0
	and	eax, 0x80000001		; PG | PE
	CHECK	1, 0x00000001

	mov	dx, SERIAL_LSR
	mov	eax, 0x12345600
	in	al, dx
	CHECK	2, 0x12345660		; IN AL writes AL only

	mov	dx, UNKNOWN_PORT
	mov	eax, 0x12345678
	in	al, dx
	CHECK	3, 0x123456ff
	mov	dx, UNKNOWN_PORT
	mov	eax, 0x12345678
	in	ax, dx
	CHECK	4, 0x1234ffff
	mov	dx, UNKNOWN_PORT
	in	eax, dx
	CHECK	5, 0xffffffff

	PUTS	"protected mode OK", 10
	EXIT	EXIT_OK

LIB_CODE
