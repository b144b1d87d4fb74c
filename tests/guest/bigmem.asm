; bigmem - a 1 GiB guest (run with --mem 1G).  Writes one qword into every
; 4 KiB page from 2 MiB to 1 GiB, then reads them all back, so every page of
; the slot is faulted in (and pinned) by vireo.ko.  Prints the page count:
; "bigmem: 261632 pages written and verified" (status 33).
; vireo-run --mem 1G --mode long --load bigmem.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

FIRST	equ 0x200000			; 2 MiB: above this image and its stack
LAST	equ 0x40000000			; 1 GiB: end of RAM
MAGIC	equ 0x5a5aa5a5c3c33c3c

start:
	mov	rsp, STACK_TOP
	mov	r8, MAGIC

	; Pass 1: write address ^ MAGIC at the start of each page.
	mov	rdi, FIRST
.write:	mov	rax, rdi
	xor	rax, r8
	mov	[rdi], rax
	add	rdi, 0x1000
	cmp	rdi, LAST
	jb	.write

	; Pass 2: verify and count.
	xor	ebx, ebx
	mov	rdi, FIRST
.check:	mov	rax, rdi
	xor	rax, r8
	cmp	[rdi], rax
	jne	.bad
	inc	rbx
	add	rdi, 0x1000
	cmp	rdi, LAST
	jb	.check

	PUTS	"bigmem: "
	mov	rax, rbx
	call	lib_putdec
	PUTS	" pages written and verified", 10
	EXIT	EXIT_OK

.bad:	PUTS	"FAIL: page at "
	mov	rax, rdi
	call	lib_puthex
	PUTS	" lost its qword: "
	mov	rax, [rdi]
	call	lib_puthex
	PUTS	10
	EXIT	EXIT_FAIL

LIB_CODE
