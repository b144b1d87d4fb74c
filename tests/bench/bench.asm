; bench - the exit-cost benchmark guest (vireo-bench and kvm-bench).
;
; Flat 32-bit protected mode, no paging, loaded and entered at 0x100000 with
; ESI = N >= 1 (the runner sets it).  Five phases, each begun by an OUT of
; the phase number to MARK_PORT so the runner can take a CLOCK_MONOTONIC
; stamp at each marker exit:
;   1  N x CPUID (leaf 0)       answered inside the kernel: exit + re-entry
;   2  N x OUT to WORK_PORT     a full round trip to the runner in userland
;   3  N x OR into MMIO_REG     no RAM there: every OR exits and is emulated
;                               against the runner's device (bench.h), which
;                               checks that the written value is the OR
;   4  N x (AVX work + OUT)     as phase 2, with YMM0-7 live and dirty across
;                               every exit: the difference is the cost of
;                               switching the guest's extended state
;   5  done; YMM0-7 are compared with what they must hold, then HLT (IF=0)
; Verdicts go to STATUS_PORT: NO_AVX when the vCPU's CPUID offers no AVX
; (phase 4 is then empty), YMM_LOST + k when YMMk came back wrong.
; The runner restarts it at 0x100000 for each round.

	bits	32
	org	0x100000

MARK_PORT	equ 0x500
WORK_PORT	equ 0x501
STATUS_PORT	equ 0x502
STATUS_NO_AVX	equ 0x01
STATUS_YMM_LOST	equ 0x10

MMIO_REG	equ 0xd0000000		; BENCH_MMIO_GPA
MMIO_OR_MASK	equ 0x00f0000f		; BENCH_MMIO_OR_MASK

CPUID1_XSAVE	equ 1 << 26
CPUID1_AVX	equ 1 << 28
XCR0_AVX_ON	equ 7			; x87 | SSE | AVX (SDM vol. 1 13.3)
CR0_MP		equ 1 << 1
CR0_EM		equ 1 << 2
CR0_TS		equ 1 << 3
CR4_OSFXSR	equ 1 << 9
CR4_OSXSAVE	equ 1 << 18

; Dword i (0-7) of YMMk's starting value: distinct in every register and
; half, never zero, so a register reset or swapped shows.
%define PAT(k, i) ((((k) + 1) << 24) | ((i) << 16) | 0xbe00 | ((k) * 8 + (i)))

; YMM%1 stored and compared with the 32 bytes at %2; a mismatch reports it.
%macro CHECK_YMM 2
	vmovdqu	[readback], ymm%1
	mov	esi, readback
	mov	edi, %2
	mov	ecx, 8
	cld
	repe cmpsd
	mov	al, STATUS_YMM_LOST + %1
	jne	.lost
%endmacro

start:
	mov	ebp, esi			; N, kept across CPUID (EAX-EDX)

	mov	dx, MARK_PORT
	mov	al, 1
	out	dx, al
	mov	edi, ebp
.cpuid:	xor	eax, eax
	xor	ecx, ecx
	cpuid
	dec	edi
	jnz	.cpuid

	mov	dx, MARK_PORT
	mov	al, 2
	out	dx, al
	mov	edi, ebp
	mov	dx, WORK_PORT
.pio:	out	dx, al
	dec	edi
	jnz	.pio

	mov	dx, MARK_PORT
	mov	al, 3
	out	dx, al
	mov	edi, ebp
.mmio:	or	dword [MMIO_REG], MMIO_OR_MASK
	dec	edi
	jnz	.mmio

	; AVX needs CPUID.1:ECX.XSAVE and AVX, and XCR0 bits the CPUID.(0DH,0)
	; offers (SDM vol. 1 13.2, 14.3); VEX instructions #UD unless
	; CR4.OSXSAVE is set and XCR0 enables SSE and AVX (SDM vol. 2 2.4).
	mov	eax, 1
	cpuid
	and	ecx, CPUID1_XSAVE | CPUID1_AVX
	cmp	ecx, CPUID1_XSAVE | CPUID1_AVX
	jne	.no_avx
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	and	eax, XCR0_AVX_ON
	cmp	eax, XCR0_AVX_ON
	jne	.no_avx

	mov	eax, cr0
	and	eax, ~(CR0_EM | CR0_TS)
	or	eax, CR0_MP
	mov	cr0, eax
	mov	eax, cr4
	or	eax, CR4_OSFXSR | CR4_OSXSAVE
	mov	cr4, eax
	mov	eax, XCR0_AVX_ON
	xor	edx, edx
	xor	ecx, ecx
	xsetbv

	vmovdqu	ymm0, [ymm_start + 0 * 32]
	vmovdqu	ymm1, [ymm_start + 1 * 32]
	vmovdqu	ymm2, [ymm_start + 2 * 32]
	vmovdqu	ymm3, [ymm_start + 3 * 32]
	vmovdqu	ymm4, [ymm_start + 4 * 32]
	vmovdqu	ymm5, [ymm_start + 5 * 32]
	vmovdqu	ymm6, [ymm_start + 6 * 32]
	vmovdqu	ymm7, [ymm_start + 7 * 32]

	mov	dx, MARK_PORT
	mov	al, 4
	out	dx, al
	mov	edi, ebp
	mov	dx, WORK_PORT
	; Each iteration writes both halves of YMM6 and YMM7 from the others,
	; so the state is dirty at every exit and every register is needed.
.avx:	vperm2f128 ymm7, ymm0, ymm1, 0x21	; YMM0's upper half, YMM1's lower
	vxorps	ymm6, ymm6, ymm5		; toggled: N odd leaves YMM6 ^ YMM5
	out	dx, al
	dec	edi
	jnz	.avx

	mov	dx, MARK_PORT
	mov	al, 5
	out	dx, al

	test	ebp, 1
	jz	.even
	vxorps	ymm6, ymm6, ymm5		; undo the last toggle
.even:	CHECK_YMM 0, ymm_start + 0 * 32
	CHECK_YMM 1, ymm_start + 1 * 32
	CHECK_YMM 2, ymm_start + 2 * 32
	CHECK_YMM 3, ymm_start + 3 * 32
	CHECK_YMM 4, ymm_start + 4 * 32
	CHECK_YMM 5, ymm_start + 5 * 32
	CHECK_YMM 6, ymm_start + 6 * 32
	CHECK_YMM 7, ymm7_end
	jmp	.halt

.lost:	mov	dx, STATUS_PORT
	out	dx, al
	jmp	.halt

.no_avx:
	mov	dx, STATUS_PORT
	mov	al, STATUS_NO_AVX
	out	dx, al
	mov	dx, MARK_PORT
	mov	al, 4
	out	dx, al
	mov	al, 5
	out	dx, al

.halt:	cli
	hlt
	jmp	.halt

	align	32
ymm_start:
%assign k 0
%rep 8
 %assign i 0
 %rep 8
	dd	PAT(k, i)
  %assign i i + 1
 %endrep
 %assign k k + 1
%endrep
ymm7_end:					; vperm2f128 imm 0x21 of YMM0, YMM1
%assign i 4
%rep 4
	dd	PAT(0, i)
 %assign i i + 1
%endrep
%assign i 0
%rep 4
	dd	PAT(1, i)
 %assign i i + 1
%endrep
readback:
	times	32 db 0
