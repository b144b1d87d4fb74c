; mmio - the MMIO test device at 0xd0000000, through libvireo's decoder.
; vireo-run --mode long --load mmio.bin@0x100000 --entry 0x100000
;
; Device (vireo-run contract): 0x00-0xff eight byte-addressable 64-bit
; scratch registers; 0x100 read-only ID 0x0123456789abcdef (byte-sliced by
; offset/size); 0x200 write-only, each write prints "mmio: <size> <hex>".
; Every MOV form the monitor promises is used at least once: 88 89 8A 8B C6
; C7 A0-A3 (64-bit moffs), 0F B6/B7 (movzx), 0F BE/BF (movsx), with 66 and
; REX.W prefixes, REX.B/X registers, SIB addressing and AH.  The first
; mismatch prints "FAIL check <n>: got ... want ..." (status 35); success
; prints "mmio OK" (status 33).

	bits	64
	org	0x100000
%include "lib.inc"

MMIO	equ 0xd0000000
ID	equ 0x100
LOG	equ 0x200

start:
	mov	rsp, STACK_TOP
	mov	rbx, MMIO

	; ---- scratch registers: write, read back --------------------------
	mov	rax, 0x1122334455667788
	mov	[rbx], rax			; 89 /r, REX.W
	xor	eax, eax
	mov	rax, [rbx]			; 8B /r, REX.W
	CHECK	1, 0x1122334455667788

	movzx	eax, byte [rbx]			; 0F B6
	CHECK	2, 0x88
	mov	rax, 0xaaaaaaaaaaaaaa00
	mov	al, [rbx + 7]			; 8A: writes AL only
	CHECK	3, 0xaaaaaaaaaaaaaa11
	xor	eax, eax
	mov	ah, [rbx + 6]			; 8A with AH (no REX)
	CHECK	4, 0x2200

	mov	byte [rbx + 3], 0xaa		; C6: one byte of reg 0
	mov	rax, [rbx]
	CHECK	5, 0x11223344aa667788
	mov	cl, 0xbb
	mov	[rbx + 1], cl			; 88
	mov	rax, [rbx]
	CHECK	6, 0x11223344aa66bb88

	mov	qword [rbx + 8], -1		; C7, REX.W, imm32 sign-extended
	mov	word [rbx + 8], 0xbeef		; 66 C7
	mov	rax, [rbx + 8]
	CHECK	7, 0xffffffffffffbeef
	mov	rax, -1
	mov	ax, [rbx + 10]			; 66 8B: writes AX only
	CHECK	8, 0xffffffffffffffff
	mov	rax, 0x1111111111111111
	mov	ax, [rbx + 8]
	CHECK	9, 0x111111111111beef

	mov	ecx, 0xcafef00d
	mov	[rbx + 0x10], ecx		; 89, 32-bit
	mov	rax, -1
	mov	eax, [rbx + 0x10]		; 8B, 32-bit: zero-extends
	CHECK	10, 0x00000000cafef00d

	mov	qword [rbx + 0x20], 0
	mov	dword [rbx + 0x22], 0x44332211	; C7, unaligned inside reg 4
	mov	rax, [rbx + 0x20]
	CHECK	11, 0x0000443322110000

	mov	r9, 0x0102030405060708
	mov	[rbx + 0x28], r9		; REX.R source
	mov	r11, rbx
	mov	ecx, 1
	mov	[r11 + rcx * 8 + 0x28], r9	; REX.B base, SIB, disp8
	mov	r10, [rbx + 0x30]		; REX.R destination
	mov	rax, r10
	CHECK	12, 0x0102030405060708

	mov	rax, 0x0f0e0d0c0b0a0908
	mov	[abs qword MMIO + 0x38], rax	; A3, REX.W, 64-bit moffs
	mov	rax, -1
	mov	eax, [abs qword MMIO + 0x38]	; A1, 32-bit
	CHECK	13, 0x000000000b0a0908
	mov	rax, -1
	mov	al, [abs qword MMIO + 0x3f]	; A0
	CHECK	14, 0xffffffffffffff0f
	mov	al, 0x77
	mov	[abs qword MMIO + 0x3e], al	; A2
	mov	eax, 0x5500
	mov	[rbx + 0x38], ah		; 88 with AH
	mov	rax, [rbx + 0x38]
	CHECK	15, 0x0f770d0c0b0a0955
	mov	rax, [rbx]			; reg 0 untouched by all of that
	CHECK	16, 0x11223344aa66bb88

	; ---- ID register, byte-sliced ------------------------------------
	mov	rax, [rbx + ID]
	CHECK	20, 0x0123456789abcdef
	mov	rax, -1
	mov	eax, [rbx + ID]
	CHECK	21, 0x89abcdef
	mov	eax, [rbx + ID + 4]
	CHECK	22, 0x01234567
	movzx	eax, word [rbx + ID + 2]	; 0F B7: bytes 2, 3
	CHECK	23, 0x89ab
	movzx	eax, byte [rbx + ID + 7]
	CHECK	24, 0x01
	movzx	rax, byte [rbx + ID]		; REX.W 0F B6
	CHECK	25, 0xef
	movzx	eax, word [rbx + ID + 5]	; unaligned word: bytes 5, 6
	CHECK	26, 0x2345
	movsx	rax, byte [rbx + ID]		; REX.W 0F BE
	CHECK	27, 0xffffffffffffffef
	mov	rax, -1
	movsx	eax, word [rbx + ID + 2]	; 0F BF, 32-bit: zero-extends
	CHECK	28, 0x00000000ffff89ab
	movsx	rax, word [rbx + ID + 2]	; REX.W 0F BF
	CHECK	29, 0xffffffffffff89ab
	xor	eax, eax
	movsx	ax, byte [rbx + ID]		; 66 0F BE: writes AX only
	CHECK	30, 0xffef
	movsx	eax, byte [rbx + ID + 6]	; positive byte
	CHECK	31, 0x23
	movzx	r12d, byte [rbx + ID + 1]	; REX.R 0F B6
	mov	rax, r12
	CHECK	32, 0xcd

	; ---- write log: vireo-run prints one line per write ---------------
	mov	byte [rbx + LOG], 0x5a		; mmio: 1 5a
	mov	word [rbx + LOG], 0x1234	; mmio: 2 1234
	mov	dword [rbx + LOG], 0xdeadbeef	; mmio: 4 deadbeef
	mov	rax, 0x0123456789abcdef
	mov	[rbx + LOG], rax		; mmio: 8 123456789abcdef

	PUTS	"mmio OK", 10
	EXIT	EXIT_OK

LIB_CODE
