; pku - protection keys for user pages, offered or hidden by the vCPU's CPUID.
;
; CPUID.(EAX=7,ECX=0):ECX.PKU[3] set (SDM vol. 3 4.6.2 "Protection Keys",
; vol. 2 CPUID, RDPKRU, WRPKRU):
;   OSPKE (ECX[4]) reads 0, then 1 once CR4.PKE is set;
;   PKRU reads 0, the guest's reset value, not the host's; WRPKRU/RDPKRU
;     round-trip, and the value survives 500 exits (in-kernel and userland);
;   XCR0 takes the PKRU component (bit 9, CPUID.(0DH,0):EAX[9]); XSAVE
;     stores PKRU at the offset of CPUID.(0DH,9):EBX with XSTATE_BV[9] set,
;     XRSTOR loads another value into PKRU (SDM vol. 1 13.2, 13.5.7);
;   with its own page tables, GDT, TSS and IDT: a user page with key 1
;     (PTE bits 62:59), PKRU 0: a CPL3 read sees what CPL0 wrote;
;     PKRU.AD1: the CPL3 read is a #PF with error code P|U|PK (0x25; bit 5
;     is PK, SDM vol. 3 4.7) and CR2 the address; a key-0 page next to it
;     still reads; a CPL0 read of the key-1 page is a #PF too (0x21: keys
;     govern every data access to a user-mode address);
;     PKRU.WD1: the CPL3 read works, the CPL3 write is a #PF (0x27);
;     PKRU 0 again: the CPL3 write goes through and reads back.
;   Prints "pkru OK", "xsave pkru OK", "protection keys OK", "pku OK".
; PKU clear (--cpu host,-pku): CPUID.(0DH,0):EAX[9] and OSPKE are 0, MOV
;   to CR4 with PKE is #GP(0) and leaves CR4 alone, RDPKRU and WRPKRU are
;   #UD (CR4.PKE is 0).  Prints "pku hidden OK".
;
; vireo-run --mode long --load pku.bin@0x100000 --entry 0x100000 [--cpu host,-pku]

	bits	64
	org	0x100000
%include "lib.inc"

IDT		equ 0x20000		; 256 x 16-byte gates
PML4		equ 0x30000		; this guest's own page tables
PDPT		equ 0x31000
PD		equ 0x32000
PT		equ 0x33000		; 4 KiB pages of 0x200000-0x3fffff
KEYED		equ 0x200000		; user page, protection key 1
PLAIN		equ 0x201000		; user page, protection key 0
XSAVE_AREA	equ 0x50000		; 4 KiB: past the PKRU component wherever it lies
USER_STACK	equ 0x60000
RSP0		equ 0x70000		; the stack of interrupts from CPL3

KCODE		equ 0x08		; this guest's GDT
KDATA		equ 0x10
UDATA		equ 0x18 | 3
UCODE		equ 0x20 | 3
TSS_SEL		equ 0x28

CR4_OSXSAVE	equ 18
CR4_PKE		equ 22
PTE_USER	equ 7			; present, writable, user
PTE_KEY1	equ 1 << 59
PKRU_AD1	equ 1 << 2
PKRU_WD1	equ 1 << 3
; PKRU values the checks use leave key 0 (bits 1:0) alone: every page this
; guest runs on is a user page with key 0.
PKRU_PATTERN	equ 0x12345678
PKRU_XRSTOR	equ 0x0abcdef0

start:
	mov	rsp, STACK_TOP
	call	setup_gdt
	call	setup_idt
	mov	ecx, 13
	lea	rax, [rel gp_handler]
	call	set_gate
	mov	ecx, 6
	lea	rax, [rel ud_handler]
	call	set_gate
	mov	ecx, 0x80			; CPL3's way back: INT 0x80
	lea	rax, [rel back_handler]
	call	set_gate
	mov	byte [rdi + 5], 0xee		; DPL 3

	mov	eax, 7
	xor	ecx, ecx
	cpuid
	bt	ecx, 3
	jnc	hidden
	mov	eax, ecx
	shr	eax, 4
	and	eax, 1
	CHECK	1, 0				; OSPKE: CR4.PKE is still clear

	mov	rax, cr4
	bts	rax, CR4_PKE
	mov	cr4, rax
	mov	eax, 7
	xor	ecx, ecx
	cpuid
	mov	eax, ecx
	shr	eax, 4
	and	eax, 1
	CHECK	2, 1				; OSPKE follows CR4.PKE

	; WRPKRU/RDPKRU, and PKRU across exits.
	xor	ecx, ecx
	rdpkru
	CHECK	3, 0
	mov	eax, PKRU_PATTERN
	xor	ecx, ecx
	xor	edx, edx
	wrpkru
	xor	ecx, ecx
	rdpkru
	CHECK	4, PKRU_PATTERN
	mov	r12d, 500
.exits:	mov	eax, 1
	cpuid
	test	r12d, 0x3f
	jnz	.noout
	mov	al, '.'
	call	lib_putc			; an exit to userland
.noout:	xor	ecx, ecx
	rdpkru
	CHECK	5, PKRU_PATTERN
	dec	r12d
	jnz	.exits
	PUTS	10, "pkru OK", 10

	call	xsave_pkru
	PUTS	"xsave pkru OK", 10

	call	keys
	PUTS	"protection keys OK", 10
	PUTS	"pku OK", 10
	EXIT	EXIT_OK

; XCR0[9], XSAVE and XRSTOR of the PKRU component.
xsave_pkru:
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	shr	eax, 9
	and	eax, 1
	CHECK	20, 1				; PKRU state offered with PKU
	mov	rax, cr4
	bts	rax, CR4_OSXSAVE
	mov	cr4, rax
	mov	eax, 0x203			; x87, SSE, PKRU
	xor	edx, edx
	xor	ecx, ecx
	xsetbv
	mov	eax, 0xd
	mov	ecx, 9
	cpuid
	mov	r13d, ebx			; the component's offset
	CHECK	21, 8				; its size
	PUTS	"xcr0 set", 10			; an exit
	xor	ecx, ecx
	xgetbv
	CHECK	22, 0x203

	mov	edi, XSAVE_AREA
	xor	eax, eax
	mov	ecx, 4096 / 8
	rep	stosq				; the header's reserved bytes must be 0
	mov	edi, XSAVE_AREA
	lea	eax, [r13 + 8]
	cmp	eax, 4096
	ja	.too_big
	mov	eax, 0x200
	xor	edx, edx
	xsave	[rdi]
	mov	rax, [rdi + 512]		; XSTATE_BV
	and	eax, 0x200
	CHECK	23, 0x200			; PKRU is not in its init state (0)
	mov	eax, [rdi + r13]
	CHECK	24, PKRU_PATTERN
	mov	dword [rdi + r13], PKRU_XRSTOR
	mov	eax, 0x200
	xor	edx, edx
	xrstor	[rdi]
	PUTS	"xrstor done", 10
	xor	ecx, ecx
	rdpkru
	CHECK	25, PKRU_XRSTOR
	ret
.too_big:
	PUTS	"FAIL: the PKRU component lies beyond 4 KiB", 10
	EXIT	EXIT_FAIL

; Protection keys on user pages, from CPL3 and CPL0.
keys:
	call	setup_paging
	xor	eax, eax
	xor	ecx, ecx
	xor	edx, edx
	wrpkru
	mov	dword [KEYED], 0x5eed0001
	mov	dword [PLAIN], 0x5eed0000

	; PKRU 0: CPL3 reads the key-1 page.
	lea	rax, [rel user_read_keyed]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	30, 0
	mov	eax, [rel user_value]
	CHECK	31, 0x5eed0001

	; AD1: the same read faults with PK set.
	mov	eax, PKRU_AD1
	xor	ecx, ecx
	xor	edx, edx
	wrpkru
	mov	dword [rel user_value], 0
	lea	rax, [rel user_read_keyed]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	32, 1
	mov	eax, [rel fault_vector]
	CHECK	33, 14
	mov	rax, [rel fault_error]
	CHECK	34, 0x25			; P, U/S, PK (SDM vol. 3 4.7)
	mov	rax, [rel fault_cr2]
	CHECK	35, KEYED
	mov	eax, [rel user_value]
	CHECK	36, 0				; the load did not happen

	; AD1 leaves key 0 alone.
	mov	dword [rel fault_count], 0
	lea	rax, [rel user_read_plain]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	37, 0
	mov	eax, [rel user_value]
	CHECK	38, 0x5eed0000

	; AD1 stops CPL0 reads of a user-mode address as well.
	mov	byte [rel skip], 7
	mov	eax, [KEYED]			; 8b 04 25 imm32: 7 bytes
	mov	eax, [rel fault_count]
	CHECK	39, 1
	mov	rax, [rel fault_error]
	CHECK	40, 0x21			; P, PK: a supervisor read

	; WD1: CPL3 reads, its write faults.
	mov	eax, PKRU_WD1
	xor	ecx, ecx
	xor	edx, edx
	wrpkru
	mov	dword [rel fault_count], 0
	lea	rax, [rel user_read_keyed]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	41, 0
	mov	eax, [rel user_value]
	CHECK	42, 0x5eed0001
	lea	rax, [rel user_write_keyed]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	43, 1
	mov	rax, [rel fault_error]
	CHECK	44, 0x27			; P, W/R, U/S, PK
	mov	rax, [rel fault_cr2]
	CHECK	45, KEYED
	mov	eax, [KEYED]
	CHECK	46, 0x5eed0001			; unchanged

	; PKRU 0: the CPL3 write goes through.
	xor	eax, eax
	xor	ecx, ecx
	xor	edx, edx
	wrpkru
	mov	dword [rel fault_count], 0
	lea	rax, [rel user_write_keyed]
	call	run_user
	mov	eax, [rel fault_count]
	CHECK	47, 0
	mov	eax, [KEYED]
	CHECK	48, 0x600d600d
	ret

; PKU hidden: its CR4 bit, instructions and state component refused.
hidden:
	mov	eax, ecx
	shr	eax, 4
	and	eax, 1
	CHECK	100, 0				; no OSPKE either
	mov	eax, 0xd
	xor	ecx, ecx
	cpuid
	shr	eax, 9
	and	eax, 1
	CHECK	101, 0				; no PKRU state component

	mov	r14, cr4
	mov	rax, r14
	bts	rax, CR4_PKE
	mov	byte [rel skip], 3
	mov	cr4, rax			; 0f 22 e0
	mov	eax, [rel fault_count]
	CHECK	102, 1
	mov	eax, [rel fault_vector]
	CHECK	103, 13
	mov	rax, [rel fault_error]
	CHECK	104, 0
	mov	rax, cr4
	CHECK	105, r14

	mov	dword [rel fault_count], 0
	xor	ecx, ecx
	rdpkru					; 0f 01 ee
	mov	eax, [rel fault_count]
	CHECK	106, 1
	mov	eax, [rel fault_vector]
	CHECK	107, 6
	mov	dword [rel fault_count], 0
	xor	eax, eax
	xor	ecx, ecx
	xor	edx, edx
	wrpkru					; 0f 01 ef
	mov	eax, [rel fault_count]
	CHECK	108, 1
	mov	eax, [rel fault_vector]
	CHECK	109, 6
	PUTS	"pku hidden OK", 10
	EXIT	EXIT_OK

; ------------------------------------------------------------ CPL3

; run_user: runs the code at RAX at CPL3 until it faults or does INT 0x80.
; Clobbers RAX.
run_user:
	mov	[rel saved_rsp], rsp
	push	UDATA				; SS
	push	USER_STACK			; RSP
	push	0x2				; RFLAGS: IF=0
	push	UCODE				; CS
	push	rax				; RIP
	iretq

; Back at CPL0 from an INT 0x80 or a fault at CPL3: return from run_user.
back_to_kernel:
	mov	rsp, [rel saved_rsp]
	mov	ax, KDATA
	mov	ss, ax
	mov	ds, ax
	mov	es, ax
	ret

user_read_keyed:
	mov	eax, [KEYED]
	mov	[rel user_value], eax
	int	0x80

user_read_plain:
	mov	eax, [PLAIN]
	mov	[rel user_value], eax
	int	0x80

user_write_keyed:
	mov	dword [KEYED], 0x600d600d
	int	0x80

; ------------------------------------------------------------ setup

; This guest's GDT (kernel and user 64-bit code and data, a TSS whose RSP0
; takes interrupts from CPL3), loaded, with CS, DS, ES, SS and TR.
setup_gdt:
	lea	rax, [rel tss]
	mov	rdx, rax
	and	edx, 0xffffff			; base 23:0
	shl	rdx, 16
	or	rdx, 0x67			; limit
	mov	rcx, 0x89			; present, 64-bit TSS (available)
	shl	rcx, 40
	or	rdx, rcx
	mov	rcx, rax
	shr	rcx, 24
	and	ecx, 0xff			; base 31:24
	shl	rcx, 56
	or	rdx, rcx
	mov	[rel tss_desc], rdx
	shr	rax, 32
	mov	[rel tss_desc + 8], rax		; base 63:32
	lgdt	[rel gdtr]
	pop	rax				; our return address
	push	KCODE
	push	rax
	mov	ax, KDATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	ax, TSS_SEL
	ltr	ax
	db	0x48, 0xcb			; retfq: back, with CS = KCODE

; Page tables of its own: 0-2 MiB one user page (key 0); KEYED a 4 KiB
; user page with key 1, PLAIN one with key 0.
setup_paging:
	mov	edi, PML4
	xor	eax, eax
	mov	ecx, 4 * 4096 / 8
	rep	stosq
	mov	qword [PML4], PDPT | PTE_USER
	mov	qword [PDPT], PD | PTE_USER
	mov	qword [PD], 0 | PTE_USER | 0x80	; 2 MiB page
	mov	qword [PD + 8], PT | PTE_USER
	mov	rax, KEYED | PTE_USER | PTE_KEY1
	mov	[PT], rax
	mov	qword [PT + 8], PLAIN | PTE_USER
	mov	eax, PML4
	mov	cr3, rax
	ret

IDT64 IDT, KCODE, 14, pf_handler

; #PF: noted.  From CPL3 back to run_user's caller; from CPL0 past the
; faulting instruction (skip bytes).
pf_handler:
	pop	qword [rel fault_error]
	push	rax
	mov	dword [rel fault_vector], 14
	mov	rax, cr2
	mov	[rel fault_cr2], rax
	inc	dword [rel fault_count]
	test	byte [rsp + 16], 3		; the CS pushed
	jnz	.user
	movzx	rax, byte [rel skip]
	add	[rsp + 8], rax
	pop	rax
	iretq
.user:	pop	rax
	jmp	back_to_kernel

gp_handler:
	pop	qword [rel fault_error]
	mov	dword [rel fault_vector], 13
	jmp	skip_insn
ud_handler:
	mov	qword [rel fault_error], 0
	mov	dword [rel fault_vector], 6
skip_insn:
	push	rax
	movzx	rax, byte [rel skip]
	add	[rsp + 8], rax
	inc	dword [rel fault_count]
	pop	rax
	iretq

back_handler:
	jmp	back_to_kernel

	align	8
saved_rsp:	dq 0
fault_error:	dq 0
fault_cr2:	dq 0
fault_count:	dd 0
fault_vector:	dd 0
user_value:	dd 0
skip:		db 3

	align	8
gdt:		dq 0
		dq 0x00af9b000000ffff		; 0x08 kernel code, 64-bit
		dq 0x00cf93000000ffff		; 0x10 kernel data
		dq 0x00cff3000000ffff		; 0x18 user data (DPL 3)
		dq 0x00affb000000ffff		; 0x20 user code, 64-bit (DPL 3)
tss_desc:	dq 0, 0				; 0x28 the TSS (setup_gdt)
gdt_end:
gdtr:		dw gdt_end - gdt - 1
		dq gdt

	align	16
tss:		dd 0
		dq RSP0				; RSP0
		times 90 db 0
		dw 104				; I/O map base: no bitmap

LIB_CODE
