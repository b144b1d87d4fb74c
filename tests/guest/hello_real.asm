; hello_real - 16-bit real mode and port I/O.
; vireo-run --mode real --load hello_real.bin@0x1000 --entry 0x1000
; Starts with CS=DS=ES=SS=0, SP=0x7000.  Prints a greeting with OUT, reads
; the serial LSR with IN (the kernel completes the IN into AL), exits 33.

	bits	16
	org	0x1000
%include "lib.inc"

start:
	PUTS	"Hello from 16-bit real mode!", 10

	; CR0.PE must be clear: we really are in real mode.
	mov	eax, cr0
	test	al, 1
	jnz	.pe_set

	; IN AL from the LSR must read 0x60 and leave AH alone.
	mov	ax, 0xa500
	mov	dx, SERIAL_LSR
	in	al, dx
	cmp	ax, 0xa560
	jne	.bad_lsr

	PUTS	"LSR reads 0x60", 10
	EXIT	EXIT_OK

.pe_set:
	PUTS	"FAIL: CR0.PE is set in real mode", 10
	EXIT	EXIT_FAIL
.bad_lsr:
	PUTS	"FAIL: in al, 0x3fd gave AX="
	call	lib_puthex
	PUTS	10
	EXIT	EXIT_FAIL

LIB_CODE
