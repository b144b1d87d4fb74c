; cpuid - the CPUID table userland gave the kernel.  Run with
;   --cpuid 0x40000001=0x11111111,0x22222222,0x33333333,0x44444444
;   --cpuid 0x40000002.3=0xa,0xb,0xc,0xd
; and checks: those values; the default hypervisor leaf 0x40000000 with the
; "VireoVireoVi" signature; the hypervisor bit CPUID.1:ECX[31]; VMX and SVM
; hidden (vireo-run offers no nested virtualization).  Prints the
; vendor and signature it saw, then "cpuid OK" (status 33).
; vireo-run --mode protected --load cpuid.bin@0x100000 --entry 0x100000 ...

	bits	32
	org	0x100000
%include "lib.inc"

start:
	mov	esp, STACK_TOP

	; Vendor (leaf 0) for the log.
	xor	eax, eax
	cpuid
	mov	[vendor + 0], ebx
	mov	[vendor + 4], edx
	mov	[vendor + 8], ecx
	PUTS	"vendor: "
	mov	esi, vendor
	call	lib_puts
	PUTS	10

	; Hypervisor present bit; VMX (CPUID.1:ECX[5]) hidden.
	mov	eax, 1
	cpuid
	mov	ebx, ecx
	mov	eax, ecx
	shr	eax, 31
	CHECK	1, 1
	mov	eax, ebx
	and	eax, 1 << 5
	CHECK	5, 0

	; SVM (CPUID.80000001h:ECX[2]) hidden: no nested virtualization.
	mov	eax, 0x80000001
	cpuid
	mov	eax, ecx
	and	eax, 1 << 2
	CHECK	6, 0

	; Hypervisor leaf: max leaf in EAX, signature in EBX ECX EDX.
	mov	eax, 0x40000000
	xor	ecx, ecx
	cpuid
	mov	[sig + 0], ebx
	mov	[sig + 4], ecx
	mov	[sig + 8], edx
	PUTS	"hypervisor: "
	mov	esi, sig
	call	lib_puts
	PUTS	10
	mov	esi, eax			; max hypervisor leaf
	mov	eax, ebx
	CHECK	2, 'Vire'
	mov	eax, [sig + 4]
	CHECK	3, 'oVir'
	mov	eax, [sig + 8]
	CHECK	4, 'eoVi'
	cmp	esi, 0x40000000
	jb	.bad_max

	; Userland's leaf 0x40000001.
	mov	eax, 0x40000001
	xor	ecx, ecx
	cpuid
	push	edx				; CHECK clobbers EDX
	CHECK	10, 0x11111111
	mov	eax, ebx
	CHECK	11, 0x22222222
	mov	eax, ecx
	CHECK	12, 0x33333333
	pop	eax
	CHECK	13, 0x44444444

	; Userland's indexed leaf 0x40000002, sub-leaf 3.
	mov	eax, 0x40000002
	mov	ecx, 3
	cpuid
	push	edx				; CHECK clobbers EDX
	CHECK	20, 0xa
	mov	eax, ebx
	CHECK	21, 0xb
	mov	eax, ecx
	CHECK	22, 0xc
	pop	eax
	CHECK	23, 0xd

	PUTS	"cpuid OK", 10
	EXIT	EXIT_OK

.bad_max:
	PUTS	"FAIL: CPUID.40000000h:EAX below 0x40000000", 10
	EXIT	EXIT_FAIL

vendor:	times 13 db 0
sig:	times 13 db 0

LIB_CODE
