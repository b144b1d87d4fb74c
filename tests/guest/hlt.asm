; hlt - HLT with IF=0 ends the VM: vireo-run exits with status 0.
; vireo-run --mode protected --load hlt.bin@0x100000 --entry 0x100000

	bits	32
	org	0x100000
%include "lib.inc"

start:
	mov	esp, STACK_TOP
	PUTS	"halting with IF=0", 10
	cli
	hlt
	; The monitor must not resume a halted vCPU with IF=0.
	PUTS	"FAIL: resumed after hlt", 10
	EXIT	EXIT_FAIL

LIB_CODE
