; spin - prints one line, then spins forever with IF=0 and no exits at all.
; Only a signal to vireo-run can stop it (the suite sends SIGTERM: status 10).
; vireo-run --mode long --load spin.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

start:
	mov	rsp, STACK_TOP
	PUTS	"spinning", 10
	cli
.spin:	pause
	jmp	.spin

LIB_CODE
