; paging_io - string I/O and MMIO through guest paging that is not an
; identity map, where libvireo must translate every access (and its own
; instruction fetch) through the guest's page tables.
; vireo-run --mode long --load paging_io.bin@0x100000 --entry 0x100000
;
; Our tables keep the monitor's identity map (PML4[0]) and add, at HIGH,
; four 4 KiB pages:
;     HIGH + 0x0000 -> FRAME_A          (two frames that are not adjacent,
;     HIGH + 0x1000 -> FRAME_B           and in reverse order)
;     HIGH + 0x2000 -> the MMIO test device page
;     HIGH + 0x3000 -> the first page of this image (code alias)
; Then:
;   1  REP OUTSB of 6 bytes straddling HIGH+0x1000 prints "abcdef"
;   2  REP INSB of 4 bytes straddling it fills A's last 2 and B's first 2
;   3  MOVs through HIGH+0x2000 reach the device (scratch and ID register)
;   4  an MMIO MOV executed from the code alias (RIP in HIGH+0x3000)
; Prints "abcdef", then "paging io OK" (status 33).

	bits	64
	org	0x100000
%include "lib.inc"

PML4		equ 0x200000
PDPT_HI		equ 0x201000
PD_HI		equ 0x202000
PT_HI		equ 0x203000
FRAME_A		equ 0x300000
FRAME_B		equ 0x280000
MMIO		equ 0xd0000000
HIGH		equ 0xffff800000000000
PTE_PW		equ 0x3
UNKNOWN_PORT	equ 0x5a0

start:
	jmp	main

; Runs at HIGH + 0x3000 + (alias_code - $$), RBX = HIGH + 0x2000.  Absolute
; addresses only: rip-relative ones would resolve inside the alias.
alias_code:
	mov	rax, [rbx + 0x100]		; ID register, fetched via the alias
	mov	[rbx + 0x18], rax
	mov	rcx, alias_back
	jmp	rcx
alias_end:
	times	(alias_end - $$ > 0x1000) * -1 db 0	; must sit in the first page

main:
	mov	rsp, STACK_TOP
	cld

	; ---- tables -----------------------------------------------------
	mov	rdi, PML4
	mov	ecx, 4 * 512
	xor	eax, eax
	rep stosq
	mov	rax, cr3
	and	rax, ~0xfff
	mov	rbx, [rax]
	mov	[PML4], rbx
	mov	qword [PML4 + 256 * 8], PDPT_HI | PTE_PW
	mov	qword [PDPT_HI], PD_HI | PTE_PW
	mov	qword [PD_HI], PT_HI | PTE_PW
	mov	qword [PT_HI + 0 * 8], FRAME_A | PTE_PW
	mov	qword [PT_HI + 1 * 8], FRAME_B | PTE_PW
	mov	rax, MMIO | PTE_PW | 0x18	; PCD | PWT: uncached, like a device
	mov	[PT_HI + 2 * 8], rax
	mov	qword [PT_HI + 3 * 8], 0x100000 | PTE_PW
	mov	rax, PML4
	mov	cr3, rax

	; ---- 1: REP OUTSB across the page boundary ------------------------
	mov	dword [FRAME_A + 0xffc], 0x63626100	; "\0abc" at A+0xffc..0xfff
	mov	dword [FRAME_B], 0x00666564		; "def\0" at B+0
	mov	rsi, HIGH + 0xffd
	mov	ecx, 6
	mov	dx, SERIAL_THR
	rep outsb
	PUTS	10
	mov	rax, rsi
	CHECK	10, HIGH + 0x1003

	; ---- 2: REP INSB across the page boundary -------------------------
	mov	rdi, HIGH + 0xffe
	mov	ecx, 4
	mov	dx, UNKNOWN_PORT
	rep insb
	mov	rax, rdi
	CHECK	20, HIGH + 0x1002
	mov	eax, [FRAME_A + 0xffc]
	CHECK	21, 0xffff6100			; 'a' kept, then two 0xff
	mov	eax, [FRAME_B]
	CHECK	22, 0x0066ffff			; two 0xff, then 'f' kept

	; ---- 3: the device through HIGH + 0x2000 --------------------------
	mov	rbx, HIGH + 0x2000
	mov	rax, 0x0badc0ffee0ddf00
	mov	[rbx + 8], rax
	mov	rcx, MMIO
	mov	rax, [rcx + 8]			; read back through the identity map
	CHECK	30, 0x0badc0ffee0ddf00
	mov	rax, [rbx + 0x100]
	CHECK	31, 0x0123456789abcdef

	; ---- 4: MMIO from code running at the alias -----------------------
	mov	qword [rbx + 0x18], 0
	mov	rcx, HIGH + 0x3000 + (alias_code - $$)
	jmp	rcx
alias_back:
	mov	rcx, MMIO
	mov	rax, [rcx + 0x18]
	CHECK	40, 0x0123456789abcdef

	PUTS	"paging io OK", 10
	EXIT	EXIT_OK

LIB_CODE
