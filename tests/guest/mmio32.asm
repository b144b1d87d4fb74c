; mmio32 - the MMIO decoder in 32-bit protected mode (operand size 32 by
; default, 16 with 66h; 32-bit moffs; SIB).  Prints the device's write log
; line, then "mmio32 OK" (status 33), or the first mismatch.
; vireo-run --mode protected --load mmio32.bin@0x100000 --entry 0x100000

	bits	32
	org	0x100000
%include "lib.inc"

MMIO	equ 0xd0000000
ID	equ 0x100
LOG	equ 0x200

start:
	mov	esp, STACK_TOP
	mov	ebx, MMIO

	mov	dword [ebx], 0x11223344		; C7
	mov	eax, [ebx]			; 8B
	CHECK	1, 0x11223344
	mov	dword [ebx + 4], 0
	mov	word [ebx + 4], 0x5566		; 66 C7
	mov	eax, 0xaaaaaaaa
	mov	ax, [ebx + 4]			; 66 8B: AX only
	CHECK	2, 0xaaaa5566
	mov	cl, 0x77
	mov	[ebx + 6], cl			; 88
	mov	eax, [ebx + 4]
	CHECK	3, 0x00775566
	mov	eax, 0x99
	mov	ecx, 2
	mov	[ebx + ecx * 4 + 0x20], eax	; 89, SIB
	mov	eax, [abs MMIO + 0x28]		; A1, 32-bit moffs
	CHECK	4, 0x99
	mov	al, 0x42
	mov	[abs MMIO + 0x30], al		; A2
	movzx	eax, byte [ebx + 0x30]
	CHECK	5, 0x42

	movzx	eax, byte [ebx + ID]		; 0F B6
	CHECK	10, 0xef
	movsx	eax, word [ebx + ID + 2]	; 0F BF
	CHECK	11, 0xffff89ab
	mov	al, [abs MMIO + ID + 7]		; A0
	and	eax, 0xff
	CHECK	12, 0x01
	mov	eax, [ebx + ID + 4]
	CHECK	13, 0x01234567

	mov	dword [ebx + LOG], 0xcafe	; mmio: 4 cafe
	PUTS	"mmio32 OK", 10
	EXIT	EXIT_OK

LIB_CODE
