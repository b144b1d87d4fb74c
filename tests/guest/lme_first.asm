; lme_first - EFER.LME set before CR4.PAE, with exits in between, into long
; mode, out of it again and back.
; vireo-run --mode real --load lme_first.bin@0x1000 --entry 0x1000
;
; Legal (APM vol. 2 14.6.1: LME only matters when CR0.PG is set) and the
; order used by some loaders, but an exit with EFER.LME = 1, CR0.PG = 0
; and CR4.PAE = 0 hung the rig's L1 (QEMU restores the host's CR0 before
; its EFER at #VMEXIT, RIG-NOTES.md).  Exits on the way: WRMSR/RDMSR of
; EFER, an OUT, a CPUID; then PAE, CR3, PG: long mode.  Then back to
; 32-bit protected mode through compatibility mode (PG off: LMA drops,
; LME stays), PAE off, an exit in that state, and into long mode again.

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
CR0_PG		equ 1 << 31

start:
	cli
	xor	ax, ax
	mov	ds, ax
	mov	ss, ax
	mov	sp, 0x7000
	lgdt	[gdt_desc]
	mov	eax, cr0
	or	eax, CR0_PE
	mov	cr0, eax
	jmp	dword 0x08:prot32

	bits	32
; puts32: ESI = NUL-terminated string, to the serial port (each byte exits).
puts32:
	push	eax
	push	edx
	mov	dx, 0x3f8
.next:	lodsb
	test	al, al
	jz	.done
	out	dx, al
	jmp	.next
.done:	pop	edx
	pop	eax
	ret

; fail32: AL = check number; prints "FAIL check N" and ends with EXIT_FAIL.
fail32:
	mov	esi, failmsg
	add	[failmsg + 11], al
	call	puts32
	mov	al, 0x11
	out	0xf4, al
	hlt

prot32:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	esp, 0x80000

	; Identity-map the first 4 MiB with two 2 MiB pages.
	mov	edi, PML4
	xor	eax, eax
	mov	ecx, 3 * 4096 / 4
	rep	stosd
	mov	dword [PML4], PDPT | 3
	mov	dword [PDPT], PD | 3
	mov	dword [PD], 0x000000 | 0x83
	mov	dword [PD + 8], 0x200000 | 0x83
	mov	eax, PML4
	mov	cr3, eax

	; EFER.LME first, paging off, PAE clear; then exits in that state.
	mov	ecx, EFER
	rdmsr
	or	eax, EFER_LME
	wrmsr
	mov	esi, msg_lme
	call	puts32
	xor	eax, eax
	cpuid
	mov	ecx, EFER
	rdmsr
	and	eax, EFER_LME | EFER_LMA
	cmp	eax, EFER_LME
	mov	al, 1
	jne	fail32

	; Now PAE, then PG: long mode.
	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, cr0
	or	eax, CR0_PG
	mov	cr0, eax
	jmp	0x18:long64

	bits	64
long64:
	mov	rsp, 0x80000
	mov	ecx, EFER
	rdmsr
	and	eax, EFER_LMA | EFER_LME
	cmp	eax, EFER_LMA | EFER_LME
	mov	al, 2
	jne	fail64
	mov	rsi, msg_long
	call	puts64
	; Back to compatibility mode (0x08 is a 32-bit code segment).
	push	0x08
	mov	rax, compat32
	push	rax
	db	0x48, 0xcb		; retfq

fail64:
	add	[rel failmsg + 11], al
	mov	rsi, failmsg
	call	puts64
	mov	al, 0x11
	out	0xf4, al
	hlt

puts64:
	push	rax
	push	rdx
	mov	dx, 0x3f8
.next:	lodsb
	test	al, al
	jz	.done
	out	dx, al
	jmp	.next
.done:	pop	rdx
	pop	rax
	ret

	bits	32
compat32:
	; Paging off: LMA goes, LME stays.  Then PAE off, and an exit.
	mov	eax, cr0
	and	eax, ~CR0_PG
	mov	cr0, eax
	mov	ecx, EFER
	rdmsr
	and	eax, EFER_LME | EFER_LMA
	cmp	eax, EFER_LME
	mov	al, 3
	jne	fail32
	mov	eax, cr4
	and	eax, ~CR4_PAE
	mov	cr4, eax
	mov	esi, msg_left
	call	puts32
	xor	eax, eax
	cpuid
	; PG with LME and no PAE is #GP: not tried here (no IDT).  Into long
	; mode again, the right way.
	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, cr0
	or	eax, CR0_PG
	mov	cr0, eax
	jmp	0x18:long64_again

	bits	64
long64_again:
	mov	rsp, 0x80000
	mov	ecx, EFER
	rdmsr
	and	eax, EFER_LMA | EFER_LME
	cmp	eax, EFER_LMA | EFER_LME
	mov	al, 4
	jne	fail64
	mov	rsi, msg_again
	call	puts64
	mov	al, 0x10
	out	0xf4, al
	hlt

	align	8
gdt:
	dq	0
	dq	0x00cf9a000000ffff	; 0x08: 32-bit code
	dq	0x00cf92000000ffff	; 0x10: data
	dq	0x00af9a000000ffff	; 0x18: 64-bit code
gdt_end:
gdt_desc:
	dw	gdt_end - gdt - 1
	dd	gdt
msg_lme:	db	"LME set, paging off, PAE clear", 10, 0
msg_long:	db	"long mode OK", 10, 0
msg_left:	db	"left long mode, PAE clear", 10, 0
msg_again:	db	"long mode again OK", 10, 0
failmsg:	db	"FAIL check 0", 10, 0
