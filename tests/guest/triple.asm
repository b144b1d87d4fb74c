; triple - a triple fault.  With an empty IDT, UD2 raises #UD, which cannot
; be delivered (#GP), which cannot be delivered (#DF), which cannot be
; delivered: shutdown.  vireo-run must report it (status 8, stderr
; "guest triple fault (shutdown) at rip=...").
; vireo-run --mode long --load triple.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

start:
	mov	rsp, STACK_TOP
	PUTS	"about to triple fault", 10
	lidt	[rel null_idtr]
	ud2
	PUTS	"FAIL: survived ud2", 10
	EXIT	EXIT_FAIL

null_idtr:
	dw	0			; limit
	dq	0			; base

LIB_CODE
