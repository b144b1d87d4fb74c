; long - 64-bit long mode, and paging that is really in use.
; vireo-run --mode long --load long.bin@0x100000 --entry 0x100000
;
; The monitor gives us an identity map of the first 4 GiB in 2 MiB pages.  We
; build our own 4-level tables that keep that identity map (PML4[0] copied)
; and add a 4 KiB-page mapping high in the address space:
;     HIGH + 0x0000 -> phys DATA_PHYS
;     HIGH + 0x1000 -> phys DATA_PHYS      (an alias of the same frame)
; then write a message through HIGH, print it through the alias and through
; the identity map.  If translation were not happening (or used the old
; tables), the alias read would fault or print something else.

	bits	64
	org	0x100000
%include "lib.inc"

PML4		equ 0x200000		; our tables, 4 KiB each
PDPT_HI		equ 0x201000
PD_HI		equ 0x202000
PT_HI		equ 0x203000
DATA_PHYS	equ 0x300000
HIGH		equ 0xffff800000000000	; PML4 slot 256, canonical
PTE_PW		equ 0x3			; present | writable
EFER		equ 0xc0000080

start:
	mov	rsp, STACK_TOP
	PUTS	"Hello from 64-bit long mode!", 10

	; EFER.LMA (bit 10) and CR0.PG must be set.
	mov	ecx, EFER
	rdmsr
	bt	eax, 10
	jnc	.not_long
	mov	rax, cr0
	bt	rax, 31
	jnc	.not_long

	; Zero the four new tables.
	mov	rdi, PML4
	mov	ecx, 4 * 512
	xor	eax, eax
	cld
	rep stosq

	; PML4[0] = the monitor's entry (identity map); PML4[256] -> our chain.
	mov	rax, cr3
	and	rax, ~0xfff
	mov	rbx, [rax]
	mov	[PML4], rbx
	mov	qword [PML4 + 256 * 8], PDPT_HI | PTE_PW
	mov	qword [PDPT_HI], PD_HI | PTE_PW
	mov	qword [PD_HI], PT_HI | PTE_PW
	mov	qword [PT_HI + 0 * 8], DATA_PHYS | PTE_PW
	mov	qword [PT_HI + 1 * 8], DATA_PHYS | PTE_PW
	mov	rax, PML4
	mov	cr3, rax

	; Write the message through HIGH.
	lea	rsi, [rel message]
	mov	rdi, HIGH
	mov	ecx, message_len
	rep movsb

	PUTS	"read through the alias:       "
	mov	rsi, HIGH + 0x1000
	call	lib_puts
	PUTS	"read through the identity map: "
	mov	rsi, DATA_PHYS
	call	lib_puts

	; And the alias really is the same frame: write one, read the other.
	mov	rax, HIGH
	mov	qword [rax + 8], 0x5a5a
	mov	rax, [DATA_PHYS + 8]
	CHECK	1, 0x5a5a

	PUTS	"long mode OK", 10
	EXIT	EXIT_OK

.not_long:
	PUTS	"FAIL: EFER.LMA or CR0.PG clear", 10
	EXIT	EXIT_FAIL

message:	db "written through 0xffff800000000000", 10, 0
message_len	equ $ - message

LIB_CODE
