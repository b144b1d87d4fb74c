; real_to_long - from real mode to long mode the way an AP's trampoline does.
; vireo-run --mode real --load real_to_long.bin@0x1000 --entry 0x1000
; LGDT in real mode, MOV CR0.PE, far jump to 32-bit code, CR4.PAE, CR3,
; EFER.LME by WRMSR, MOV CR0.PG, far jump to 64-bit code.  CR4.PAE is a
; bit the guest owns: on VMX its write does not exit, and the monitor must
; still see it when the CR0.PG write does (Linux's APs died here).

	bits	16
	org	0x1000

PML4		equ 0x20000
PDPT		equ 0x21000
PD		equ 0x22000
EFER		equ 0xc0000080
EFER_LME	equ 1 << 8
EFER_LMA	equ 1 << 10
CR4_PAE		equ 1 << 5
CR0_PE		equ 1 << 0
CR0_WP		equ 1 << 16
CR0_PG		equ 1 << 31

start:
	cli
	xor	ax, ax
	mov	ds, ax
	mov	ss, ax
	mov	sp, 0x7000
	mov	dx, 0x3f8		; lib.inc's helpers are 64-bit here
	mov	si, hello
.puts:	lodsb
	test	al, al
	jz	.said
	out	dx, al
	jmp	.puts
.said:
	lgdt	[gdt_desc]
	mov	eax, cr0
	or	eax, CR0_PE
	mov	cr0, eax
	jmp	dword 0x08:prot32

	bits	32
prot32:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	esp, STACK_TOP

	; Identity-map the first 4 MiB with two 2 MiB pages.
	mov	edi, PML4
	xor	eax, eax
	mov	ecx, 3 * 4096 / 4
	rep	stosd
	mov	dword [PML4], PDPT | 3
	mov	dword [PDPT], PD | 3
	mov	dword [PD], 0x000000 | 0x83
	mov	dword [PD + 8], 0x200000 | 0x83

	; As Linux's trampoline: CR4 first, then CR3, then EFER, then CR0.
	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, PML4
	mov	cr3, eax
	mov	ecx, EFER
	rdmsr
	or	eax, EFER_LME
	wrmsr
	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	jmp	0x18:long64

	bits	64
%include "lib.inc"
long64:
	mov	ax, 0x10
	mov	ds, ax
	mov	ss, ax
	mov	rsp, STACK_TOP

	mov	ecx, EFER
	rdmsr
	and	eax, EFER_LMA | EFER_LME
	CHECK	1, EFER_LMA | EFER_LME
	mov	rax, cr4
	and	eax, CR4_PAE
	CHECK	2, CR4_PAE
	mov	rax, cr0
	and	eax, CR0_PG | CR0_WP | CR0_PE
	CHECK	3, CR0_PG | CR0_WP | CR0_PE
	PUTS	"long mode from real mode OK", 10
	EXIT	EXIT_OK

	align	8
gdt:
	dq	0
	dq	0x00cf9a000000ffff	; 0x08: 32-bit code
	dq	0x00cf92000000ffff	; 0x10: data
	dq	0x00af9a000000ffff	; 0x18: 64-bit code
gdt_end:
hello:	db	"real mode", 10, 0
gdt_desc:
	dw	gdt_end - gdt - 1
	dd	gdt

LIB_CODE
