; demo - the guest of `make demo` / tests/l1/run-demo.sh.  Tells a person
; what the world looks like from inside a Vireo VM: the CPU vendor and brand
; strings (CPUID 0, 0x80000002-4), the hypervisor signature (CPUID
; 0x40000000, if CPUID.1:ECX[31] says there is one), and how much RAM it
; has.  RAM is probed honestly: from 2 MiB up in 1 MiB steps, write a
; pattern, read it back, restore; the first address where the pattern does
; not stick (unbacked guest-physical memory reads as all-ones) is the end.
; Then it halts with IF=0 (vireo-run status 0).
; vireo-run --mem 64M --mode long --load demo.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

PROBE_LIMIT	equ 0xd0000000		; the MMIO test device lives here
PATTERN		equ 0x6f65726956216948	; "Hi!Vireo"

start:
	mov	rsp, STACK_TOP
	PUTS	10
	PUTS	"    +--------------------------------------------------+", 10
	PUTS	"    |   Hello from inside a Vireo virtual machine!  :) |", 10
	PUTS	"    +--------------------------------------------------+", 10
	PUTS	10
	PUTS	"    I am a tiny 64-bit guest.  This is my world:", 10, 10

	; ---- CPU vendor --------------------------------------------------
	xor	eax, eax
	cpuid
	mov	[rel strbuf + 0], ebx
	mov	[rel strbuf + 4], edx
	mov	[rel strbuf + 8], ecx
	mov	byte [rel strbuf + 12], 0
	PUTS	"      CPU vendor   : "
	lea	rsi, [rel strbuf]
	call	lib_puts
	PUTS	10

	; ---- CPU brand string, if the extended leaves exist ---------------
	mov	eax, 0x80000000
	cpuid
	cmp	eax, 0x80000004
	jb	.no_brand
	lea	rdi, [rel strbuf]
	mov	esi, 0x80000002
.brand:	mov	eax, esi
	cpuid
	mov	[rdi + 0], eax
	mov	[rdi + 4], ebx
	mov	[rdi + 8], ecx
	mov	[rdi + 12], edx
	add	rdi, 16
	inc	esi
	cmp	esi, 0x80000005
	jne	.brand
	mov	byte [rdi], 0
	lea	rsi, [rel strbuf]
.skip:	cmp	byte [rsi], ' '			; brand strings may be padded
	jne	.print_brand
	inc	rsi
	jmp	.skip
.print_brand:
	cmp	byte [rsi], 0
	je	.no_brand
	PUTS	"      CPU model    : "
	call	lib_puts
	PUTS	10
.no_brand:

	; ---- hypervisor ---------------------------------------------------
	PUTS	"      Hypervisor   : "
	mov	eax, 1
	cpuid
	bt	ecx, 31
	jnc	.no_hv
	mov	eax, 0x40000000
	xor	ecx, ecx
	cpuid
	mov	[rel strbuf + 0], ebx
	mov	[rel strbuf + 4], ecx
	mov	[rel strbuf + 8], edx
	mov	byte [rel strbuf + 12], 0
	mov	al, '"'
	call	lib_putc
	lea	rsi, [rel strbuf]
	call	lib_puts
	call	lib_putc
	PUTS	"  (CPUID leaf 0x40000000)", 10
	jmp	.memory
.no_hv:	PUTS	"none announced (CPUID.1:ECX bit 31 is clear)", 10

	; ---- memory --------------------------------------------------------
.memory:
	mov	rdi, 0x200000			; we run below 2 MiB: that part is RAM
	mov	rdx, PATTERN
	mov	r9, PROBE_LIMIT			; (an imm32 would sign-extend)
.probe:	cmp	rdi, r9
	jae	.sized
	; Only MOVs touch the probed address: beyond RAM it is MMIO, and
	; vireo-run's decoder emulates the MOV family, nothing else.
	mov	rax, [rdi]			; keep what was there
	mov	[rdi], rdx
	mov	rcx, [rdi]
	cmp	rcx, rdx
	jne	.sized
	mov	[rdi], rax
	add	rdi, 0x100000
	jmp	.probe
.sized:	PUTS	"      Memory       : "
	mov	rax, rdi
	shr	rax, 20
	call	lib_putdec
	PUTS	" MiB  (probed 1 MiB at a time)", 10

	PUTS	"      CPU mode     : 64-bit long mode, paging on", 10
	PUTS	10
	PUTS	"    That's all from me.  Goodbye!  (halting the CPU)", 10, 10
	cli
	hlt
	jmp	$

strbuf:	times 52 db 0

LIB_CODE
