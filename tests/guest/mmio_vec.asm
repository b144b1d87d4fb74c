; mmio_vec - SSE and AVX moves to and from the MMIO test device: vireo-run
; emulates them with the guest's own XMM/YMM registers (VIREO_GET_XSAVE,
; and VIREO_SET_XSAVE after a load).
;   MOVDQU store of XMM0 to the device, read back with 32-bit MOVs;
;   MOVDQU load from the device into XMM1, compared in RAM;
;   with AVX (leaf 0xD offers it): VMOVDQU store of YMM2 (32 bytes) and
;   load into YMM3, whose upper half must arrive too.
; Prints "mmio vec OK" (status 33).
; vireo-run --mode protected --load mmio_vec.bin@0x100000 --entry 0x100000

	bits	32
	org	0x100000
%include "lib.inc"

MMIO	equ 0xd0000000
SLOT	equ 0x10			; scratch registers 0x10-0x3f

start:
	mov	esp, STACK_TOP
	mov	eax, cr0
	and	eax, ~(1 << 2)			; EM off
	or	eax, 1 << 1			; MP on
	mov	cr0, eax
	mov	eax, cr4
	or	eax, (1 << 9) | (1 << 18)	; OSFXSR, OSXSAVE
	mov	cr4, eax
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	and	eax, 7
	mov	[xcr0], eax
	xor	edx, edx
	xor	ecx, ecx
	xsetbv

	; A 16-byte store to the device.
	movdqu	xmm0, [pattern]
	movdqu	[MMIO + SLOT], xmm0
	mov	eax, [MMIO + SLOT]
	CHECK	1, 0x03020100
	mov	eax, [MMIO + SLOT + 12]
	CHECK	2, 0x0f0e0d0c

	; A 16-byte load from it.
	pxor	xmm1, xmm1
	movdqu	xmm1, [MMIO + SLOT]
	movdqu	[readback], xmm1
	mov	eax, [readback + 4]
	CHECK	3, 0x07060504
	mov	eax, [readback + 12]
	CHECK	4, 0x0f0e0d0c

	test	dword [xcr0], 4
	jz	.done
	vmovdqu	ymm2, [pattern]
	vmovdqu	[MMIO + SLOT], ymm2
	mov	eax, [MMIO + SLOT + 28]
	CHECK	5, 0x1f1e1d1c
	vpxor	ymm3, ymm3, ymm3
	vmovdqu	ymm3, [MMIO + SLOT]
	vextractf128 xmm4, ymm3, 1
	movdqu	[readback], xmm4
	mov	eax, [readback + 12]
	CHECK	6, 0x1f1e1d1c
	movdqu	[readback], xmm3
	mov	eax, [readback]
	CHECK	7, 0x03020100
.done:
	PUTS	"mmio vec OK", 10
	EXIT	EXIT_OK

xcr0:		dd 0
	align	16
pattern:	db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
		db 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
readback:	times 16 db 0

LIB_CODE
