; abi - real-mode snippets for vireo-abi (tests/guest/abi.c), which drives
; vireo.ko with raw ioctls and checks who completes what (vireo.h).  One
; image, loaded at 0x1000; each snippet and handler sits at a fixed offset
; that abi.c knows.  Handlers report through OUT 0xe9 with their vector in
; AL, then halt.  Not a vireo-run guest: the ports here mean nothing to it.

	bits	16
	org	0x1000

REPORT	equ 0xe9
ECHO	equ 0xea
SCRATCH_MSR	equ 0x4b564d00

%macro AT 1				; place the next code at 0x1000 + %1
	times	(%1) - ($ - $$) db 0xf4
%endmacro

; 0x1000: IN completion.  The IN's value comes back on ECHO.
in_echo:
	in	al, REPORT
	out	ECHO, al
	hlt

AT 0x100	; 0x1100: RDMSR of the scratch MSR, then halt (abi.c reads EDX:EAX)
msr_read:
	mov	ecx, SCRATCH_MSR
	rdmsr
	hlt

AT 0x200	; 0x1200: WRMSR of 0x123456789abcdef0 to the scratch MSR
msr_write:
	mov	ecx, SCRATCH_MSR
	mov	eax, 0x9abcdef0
	mov	edx, 0x12345678
	wrmsr
	hlt

AT 0x300	; 0x1300: spin with IF=0 (events are injected by abi.c)
spin:
	cli
.l:	jmp	.l

AT 0x400	; 0x1400: IF=0, report, open the window, spin with IF=1
window:
	cli
	mov	al, 0x01
	out	REPORT, al
	sti
	nop
.l:	jmp	.l

AT 0x500	; 0x1500: IF=0 throughout: an external interrupt must wait
held:
	cli
	mov	al, 0x01
	out	REPORT, al
	hlt

AT 0x600	; 0x1600: PKRU as SET_XSAVE left it into EBX, then WRPKRU 0x0badf00c
pkru:
	xor	ecx, ecx
	db	0x0f, 0x01, 0xee		; rdpkru (nasm: not in 16-bit code; the CPU: any mode)
	mov	ebx, eax
	mov	eax, 0x0badf00c
	xor	edx, edx
	db	0x0f, 0x01, 0xef		; wrpkru
	hlt

AT 0x700	; 0x1700: SYSENTER, in protected mode (abi.c sets up the mode and the MSRs)
sysenter_go:
	db	0x0f, 0x34			; sysenter (nasm: not in 16-bit code; the CPU: PE=1)
AT 0x740	; 0x1740: where abi.c's SYSENTER_EIP points
sysenter_target:
	hlt

; Handlers (IVT entries written by abi.c: vector -> 0000:handler).
AT 0x800	; 0x1800: #UD
	mov	al, 6
	out	REPORT, al
	hlt
AT 0x880	; 0x1880: NMI
	mov	al, 2
	out	REPORT, al
	hlt
AT 0x900	; 0x1900: #GP
	mov	al, 13
	out	REPORT, al
	hlt
AT 0x980	; 0x1980: external interrupt 0x20
	mov	al, 0x20
	out	REPORT, al
	hlt
