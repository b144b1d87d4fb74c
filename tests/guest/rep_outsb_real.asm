; rep_outsb_real - REP OUTSB in real mode with a non-zero DS base, so the
; emulation must use DS.base + SI, not SI alone.  Prints "12345\n".
; vireo-run --mode real --load rep_outsb_real.bin@0x1000 --entry 0x1000

	bits	16
	org	0x1000
%include "lib.inc"

start:
	cld
	mov	ax, 0x0100		; DS.base = 0x1000
	mov	ds, ax
	mov	si, digits - 0x1000
	mov	cx, 5
	mov	dx, SERIAL_THR
	rep outsb
	xor	ax, ax
	mov	ds, ax			; PUTS wants DS=0
	cmp	cx, 0
	jne	.bad
	cmp	si, digits - 0x1000 + 5
	jne	.bad
	PUTS	10
	EXIT	EXIT_OK
.bad:
	PUTS	10, "FAIL: SI/CX not advanced", 10
	EXIT	EXIT_FAIL

digits:	db	"12345"

LIB_CODE
