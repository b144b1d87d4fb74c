; xsave - the guest's XCR0 and XSAVE state survive exits, and CPUID leaf
; 0xD answers for the XCR0 of the moment.
;   CR4.OSXSAVE, then XSETBV with x87|SSE and (when leaf 0xD offers it) AVX;
;   exits (serial output, CPUID); XGETBV must still read that value
;     (SDM vol. 2 XSETBV/XGETBV: XCR0 is the guest's until it writes it);
;   CPUID.(0DH,0):EBX must be the size for that XCR0: 576 for x87|SSE, the
;     end of the AVX component (leaf 0xD.2 offset + size) with AVX
;     (SDM vol. 1 13.2);
;   XMM0 and YMM0's upper half set, exits, then read back unchanged;
;   XSAVE to a buffer, XMM0 clobbered, XRSTOR: XMM0 comes back, and the
;     buffer's XSTATE_BV has the SSE bit (SDM vol. 1 13.4.2).
; Prints "xsave OK" (status 33).
; vireo-run --mode protected --load xsave.bin@0x100000 --entry 0x100000

	bits	32
	org	0x100000
%include "lib.inc"

CR4_OSFXSR	equ 1 << 9
CR4_OSXSAVE	equ 1 << 18

start:
	mov	esp, STACK_TOP

	mov	eax, 1
	cpuid
	mov	eax, ecx
	shr	eax, 26
	and	eax, 1
	CHECK	1, 1				; CPUID.1:ECX.XSAVE offered

	; SSE needs CR0.MP set, EM clear, and CR4.OSFXSR.
	mov	eax, cr0
	and	eax, ~(1 << 2)
	or	eax, 1 << 1
	mov	cr0, eax
	mov	eax, cr4
	or	eax, CR4_OSFXSR | CR4_OSXSAVE
	mov	cr4, eax

	; XCR0 = x87|SSE, plus AVX when leaf 0xD offers it.
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	and	eax, 7
	mov	[want_xcr0], eax
	xor	edx, edx
	xor	ecx, ecx
	xsetbv

	PUTS	"xcr0 set", 10			; an exit (or several)
	mov	eax, 1
	cpuid					; another
	xor	ecx, ecx
	xgetbv
	mov	ebx, [want_xcr0]
	CHECK	2, ebx

	; The size CPUID reports follows XCR0.
	mov	ebx, 576
	test	dword [want_xcr0], 4
	jz	.size
	mov	eax, 0xd
	mov	ecx, 2
	cpuid
	add	ebx, eax			; offset (EBX) + size (EAX)
.size:
	mov	[want_size], ebx
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	mov	eax, ebx
	mov	ebx, [want_size]
	CHECK	3, ebx

	; XMM0 across exits.
	movdqu	xmm0, [pattern]
	PUTS	"xmm0 loaded", 10
	mov	eax, 1
	cpuid
	movdqu	[readback], xmm0
	mov	eax, [readback + 12]
	CHECK	4, 0x0f0e0d0c
	mov	eax, [readback]
	CHECK	5, 0x03020100

	; YMM0's upper half across exits, when AVX is on.
	test	dword [want_xcr0], 4
	jz	.no_avx
	vmovdqu	ymm1, [pattern]			; both halves from 32 bytes
	PUTS	"ymm1 loaded", 10
	vextractf128 xmm2, ymm1, 1
	movdqu	[readback], xmm2
	mov	eax, [readback + 12]
	CHECK	6, 0x1f1e1d1c
.no_avx:

	; XSAVE, clobber, XRSTOR.
	mov	eax, [want_xcr0]
	xor	edx, edx
	xsave	[area]
	mov	eax, [area + 512]		; XSTATE_BV, low half
	and	eax, 2
	CHECK	7, 2
	pxor	xmm0, xmm0
	PUTS	"xmm0 cleared", 10
	mov	eax, [want_xcr0]
	xor	edx, edx
	xrstor	[area]
	movdqu	[readback], xmm0
	mov	eax, [readback + 4]
	CHECK	8, 0x07060504

	PUTS	"xsave OK", 10
	EXIT	EXIT_OK

want_xcr0:	dd 0
want_size:	dd 0
	align	16
pattern:	db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
		db 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
readback:	times 16 db 0
	align	64
area:		times 4096 db 0

LIB_CODE
