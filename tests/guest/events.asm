; events.asm - debug traps and NMI blocking seen from a guest (vireo-events
; drives it).  32-bit protected mode, flat segments, loaded at 0x10000, with
; the in-kernel LAPIC.  The guest records what happened in a table at
; RESULTS and ends with an OUT to port 0xf4; the host judges the table.
;
; Single step (SDM 17.3.1.4): with RFLAGS.TF set by POPF, the next
; instruction is followed by a #DB with DR6.BS set and the return EIP just
; past it, whether the CPU ran it or the hypervisor completed it.  For each
; case: slot = [#DB count, EIP of the first #DB, its DR6, expected EIP].
; The #DB handler clears TF in the frame, so a trap that came late (after
; the next instruction) shows as a wrong EIP, not as a second #DB.
;
; The same at CPL 3 (slots 12-15), entered by IRET with IOPL 3 and left
; through INT 0x30.
;
; NMI (SDM 6.7.1): the first NMI handler sends two more NMIs to itself
; and makes exits; NMIs are blocked until its IRET, so exactly one more
; NMI arrives, right after that IRET, at the same EIP as the first.
	bits	32
	org	0x10000

RESULTS		equ	0x30000		; the host reads this (see events.c)
IDT		equ	0x20000
PORT_DONE	equ	0xf4
PORT_OUT	equ	0x80		; no device: the kernel completes it
PORT_IN		equ	0x81		; vireo-events answers 0x5a
PORT_USER_BP	equ	0x88		; no device; only the CPL 3 breakpoint case
MSR_USER	equ	0x4b564d00	; not the kernel's: exits to vireo-events
MSR_STAR	equ	0xc0000081	; the kernel's
MSR_APICBASE	equ	0x1b
MSR_ICR		equ	0x830		; x2APIC interrupt command register
MMIO		equ	0xc0000000	; outside every slot
KSTACK		equ	0x6f000		; TSS.ESP0: the kernel stack from CPL 3
USTACK		equ	0x5f000
SEL_CODE0	equ	0x08
SEL_DATA0	equ	0x10
SEL_CODE3	equ	0x1b
SEL_DATA3	equ	0x23
SEL_TSS		equ	0x28

BASE		equ	0x10000
%define ABS(l)	((l) - $$ + BASE)

; NMI part of the table, after the single-step slots
NMI_SLOT	equ	RESULTS + 0x200
; breakpoint cases: the same 16-byte slots as single step, from here
BP_SLOT		equ	RESULTS + 0x100
DR7_FIXED	equ	0x400

; DR7 bits for breakpoint n: L<n>, R/W<n>, LEN<n> (SDM 17.2.4)
%define DR7_L(n)	(1 << (2 * (n)))
%define DR7_RW(n, rw)	((rw) << (16 + 4 * (n)))
%define DR7_LEN(n, l)	((l) << (18 + 4 * (n)))
RW_WRITE	equ	1
RW_IO		equ	2
RW_ACCESS	equ	3
LEN4		equ	3

; BP_BEGIN slot, dr0, dr1, dr7: arm the breakpoints for the instruction(s)
; that follow.  DR1 lets a case put a second breakpoint on the same place.
%macro BP_BEGIN 4
%assign bp_id %1
	mov	dword [db_count], 0
	mov	dword [db_eip], 0
	mov	dword [db_dr6], 0
	mov	eax, %2
	mov	dr0, eax
	mov	eax, %3
	mov	dr1, eax
	mov	eax, %4 | DR7_FIXED
	mov	dr7, eax
%endmacro

; BP_END: a trap is due here; disarm and store the slot.
%macro BP_END 0
%%after:
	mov	eax, DR7_FIXED
	mov	dr7, eax
	mov	eax, [db_count]
	mov	[BP_SLOT + bp_id * 16], eax
	mov	eax, [db_eip]
	mov	[BP_SLOT + bp_id * 16 + 4], eax
	mov	eax, [db_dr6]
	mov	[BP_SLOT + bp_id * 16 + 8], eax
	mov	dword [BP_SLOT + bp_id * 16 + 12], %%after
%endmacro

; STEP_BEGIN n: TF set for the instruction(s) that follow.
%macro STEP_BEGIN 1
%assign step_id %1
	mov	dword [db_count], 0
	mov	dword [db_eip], 0
	mov	dword [db_dr6], 0
	pushfd
	or	dword [esp], 0x100
	popfd
%endmacro

; STEP_END: the trap is due here; store the slot.
%macro STEP_END 0
%%after:
	nop
	nop
	mov	eax, [db_count]
	mov	[RESULTS + step_id * 16], eax
	mov	eax, [db_eip]
	mov	[RESULTS + step_id * 16 + 4], eax
	mov	eax, [db_dr6]
	mov	[RESULTS + step_id * 16 + 8], eax
	mov	dword [RESULTS + step_id * 16 + 12], %%after
%endmacro

%macro SEND_NMI 0
	mov	ecx, MSR_ICR
	mov	eax, 0x400		; delivery mode NMI, physical
	xor	edx, edx		; destination: APIC ID 0, this vCPU
	wrmsr
%endmacro

start:
	; IDT: vector 1 (#DB) and 2 (NMI), 32-bit interrupt gates
	mov	eax, db_handler
	mov	edi, IDT + 1 * 8
	call	set_gate
	mov	eax, nmi_handler
	mov	edi, IDT + 2 * 8
	call	set_gate
	mov	eax, back_to_kernel
	mov	edi, IDT + 0x30 * 8
	call	set_gate
	mov	byte [IDT + 0x30 * 8 + 5], 0xee	; DPL 3: INT 0x30 from user mode
	lidt	[idt_desc]
	; own GDT, with user segments and a TSS for the stack switch
	mov	eax, ABS(tss)
	mov	[gdt_tss + 2], ax
	shr	eax, 16
	mov	[gdt_tss + 4], al
	mov	[gdt_tss + 7], ah
	lgdt	[gdt_desc]
	jmp	SEL_CODE0:.reload
.reload:
	mov	ax, SEL_DATA3		; flat and usable at every CPL
	mov	ds, ax
	mov	es, ax
	mov	ax, SEL_DATA0
	mov	ss, ax
	mov	ax, SEL_TSS
	ltr	ax
	mov	dword [RESULTS + 0x1fc], 0x600d	; the table is written

	; 0: a NOP the CPU runs itself (the harness)
	STEP_BEGIN 0
	nop
	STEP_END
	; 1: CPUID, completed in the kernel
	xor	eax, eax
	STEP_BEGIN 1
	cpuid
	STEP_END
	; 2: IN, completed by the kernel from userland's data
	STEP_BEGIN 2
	in	al, PORT_IN
	STEP_END
	; 3: OUT
	STEP_BEGIN 3
	out	PORT_OUT, al
	STEP_END
	; 4, 5: RDMSR and WRMSR of an MSR userland handles
	mov	ecx, MSR_USER
	STEP_BEGIN 4
	rdmsr
	STEP_END
	mov	ecx, MSR_USER
	STEP_BEGIN 5
	wrmsr
	STEP_END
	; 6, 7: RDMSR and WRMSR of an MSR the kernel handles
	mov	ecx, MSR_STAR
	STEP_BEGIN 6
	rdmsr
	STEP_END
	mov	ecx, MSR_STAR
	STEP_BEGIN 7
	wrmsr
	STEP_END
	; 8, 9: MMIO read and write, emulated by userland
	STEP_BEGIN 8
	mov	eax, [MMIO]
	STEP_END
	STEP_BEGIN 9
	mov	[MMIO + 4], eax
	STEP_END
	; 10: MOV SS holds its own trap back until after the next instruction
	; (SDM 6.8.3), here a CPUID: one #DB, after the CPUID
	mov	bx, ss
	xor	eax, eax
	STEP_BEGIN 10
	mov	ss, bx
	cpuid
	STEP_END
	; 11: the same with POP SS before an OUT
	push	ss
	STEP_BEGIN 11
	pop	ss
	out	PORT_OUT, al
	STEP_END

	; ---- data and I/O breakpoints (SDM 17.2.4, 17.3.1.2): traps ------
	; I/O breakpoints need CR4.DE
	mov	eax, cr4
	or	eax, 8
	mov	cr4, eax
	; 0: OUT, I/O breakpoint 0 on its port
	BP_BEGIN 0, PORT_OUT, 0, DR7_L(0) | DR7_RW(0, RW_IO)
	out	PORT_OUT, al
	BP_END
	; 1: IN, I/O breakpoint 1 on its port (DR6.B1)
	BP_BEGIN 1, 0, PORT_IN, DR7_L(1) | DR7_RW(1, RW_IO)
	in	al, PORT_IN
	BP_END
	; 2: OUT to port 0x83 in a 4-byte breakpoint at 0x80
	mov	dx, PORT_OUT + 3
	BP_BEGIN 2, PORT_OUT, 0, DR7_L(0) | DR7_RW(0, RW_IO) | DR7_LEN(0, LEN4)
	out	dx, al
	BP_END
	; 3: the port's I/O breakpoint is not enabled (L0, G0 clear): no #DB
	BP_BEGIN 3, PORT_OUT, 0, DR7_RW(0, RW_IO)
	out	PORT_OUT, al
	BP_END
	; 4: an enabled one on another port: no #DB
	BP_BEGIN 4, PORT_OUT + 4, 0, DR7_L(0) | DR7_RW(0, RW_IO)
	out	PORT_OUT, al
	BP_END
	; 5: enabled breakpoint 0 and disabled breakpoint 1 both on the port:
	; one #DB, B0 and B1 set (SDM 17.2.3)
	BP_BEGIN 5, PORT_OUT, PORT_OUT, DR7_L(0) | DR7_RW(0, RW_IO) | DR7_RW(1, RW_IO)
	out	PORT_OUT, al
	BP_END
	; 6: MMIO write by MOV, a write breakpoint on it (emulated by the host)
	BP_BEGIN 6, MMIO + 8, 0, DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN4)
	mov	[MMIO + 8], eax
	BP_END
	; 7: MMIO read-modify-write by OR
	BP_BEGIN 7, MMIO + 8, 0, DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN4)
	or	dword [MMIO + 8], 1
	BP_END
	; 8: MMIO read, a write breakpoint: no #DB
	BP_BEGIN 8, MMIO + 8, 0, DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN4)
	mov	eax, [MMIO + 8]
	BP_END
	; 9: MMIO read, a read/write breakpoint 1 on its last byte
	BP_BEGIN 9, 0, MMIO + 11, DR7_L(1) | DR7_RW(1, RW_ACCESS)
	mov	eax, [MMIO + 8]
	BP_END
	; 10: a RAM write the CPU does itself: the guest's DR0/DR7 are live
	BP_BEGIN 10, ABS(watched), 0, DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN4)
	mov	dword [watched], 1
	BP_END
	; 11: a RAM read with a write breakpoint: no #DB
	BP_BEGIN 11, ABS(watched), 0, DR7_L(0) | DR7_RW(0, RW_WRITE) | DR7_LEN(0, LEN4)
	mov	eax, [watched]
	BP_END
	; 12: single step and an I/O breakpoint on one OUT: one #DB, BS and B0
	BP_BEGIN 12, PORT_OUT, 0, DR7_L(0) | DR7_RW(0, RW_IO)
	pushfd
	or	dword [esp], 0x100
	popfd
	out	PORT_OUT, al
	BP_END

	; ---- the same at CPL 3 ------------------------------------------
	; (breakpoint case 13 runs there, armed here: MOV DR #GPs at CPL 3)
	mov	eax, PORT_USER_BP
	mov	dr0, eax
	mov	eax, DR7_FIXED | DR7_L(0) | DR7_RW(0, RW_IO)
	mov	dr7, eax
	mov	dword [db_count], 0
	mov	dword [db_eip], 0
	mov	dword [db_dr6], 0
	mov	[kernel_esp], esp
	push	SEL_DATA3
	push	USTACK
	push	0x3002			; IOPL 3, IF 0, TF 0
	push	SEL_CODE3
	push	user_code
	iret
user_code:
	xor	eax, eax
	STEP_BEGIN 12
	cpuid
	STEP_END
	STEP_BEGIN 13
	in	al, PORT_IN
	STEP_END
	STEP_BEGIN 14
	out	PORT_OUT, al
	STEP_END
	STEP_BEGIN 15
	mov	eax, [MMIO]
	STEP_END
	; breakpoint case 13: OUT at CPL 3 on the armed I/O breakpoint
	mov	dword [db_count], 0
	out	PORT_USER_BP, al
.user_out_done:
	mov	eax, [db_count]
	mov	[BP_SLOT + 13 * 16], eax
	mov	eax, [db_eip]
	mov	[BP_SLOT + 13 * 16 + 4], eax
	mov	eax, [db_dr6]
	mov	[BP_SLOT + 13 * 16 + 8], eax
	mov	dword [BP_SLOT + 13 * 16 + 12], .user_out_done
	int	0x30
back_in_kernel:
	mov	eax, DR7_FIXED
	mov	dr7, eax

	; ---- NMI blocking --------------------------------------------------
	mov	ecx, MSR_APICBASE	; x2APIC mode
	rdmsr
	or	eax, 0xc00
	wrmsr
	mov	ecx, 0x80f		; SVR: software enable
	mov	eax, 0x1ff
	xor	edx, edx
	wrmsr
	SEND_NMI
first_nmi_return:
	; the first NMI came in here; wait (bounded) for the second
	mov	esi, 1000000
.wait:
	cmp	dword [nmi_count], 2
	jae	.more
	pause
	dec	esi
	jnz	.wait
.more:
	; exits, in case a third (wrong) NMI is still to come
	mov	esi, 20
.exits:
	xor	eax, eax
	cpuid
	out	PORT_OUT, al
	dec	esi
	jnz	.exits
	mov	eax, [nmi_count]
	mov	[NMI_SLOT], eax
	mov	eax, [nmi_nested]
	mov	[NMI_SLOT + 4], eax
	mov	eax, [count_in_handler]
	mov	[NMI_SLOT + 8], eax
	mov	eax, [nmi_eip]
	mov	[NMI_SLOT + 12], eax
	mov	eax, [nmi_eip + 4]
	mov	[NMI_SLOT + 16], eax
	mov	dword [NMI_SLOT + 20], first_nmi_return
	out	PORT_DONE, al
	hlt

; set_gate: EAX handler, EDI the IDT entry
set_gate:
	mov	word [edi], ax
	mov	word [edi + 2], 0x08	; the flat code selector
	mov	word [edi + 4], 0x8e00	; present, DPL 0, 32-bit interrupt gate
	shr	eax, 16
	mov	word [edi + 6], ax
	ret

; INT 0x30 from user mode: back to the kernel's stack and code
back_to_kernel:
	mov	esp, [kernel_esp]
	jmp	back_in_kernel

db_handler:
	push	eax
	inc	dword [db_count]
	cmp	dword [db_count], 1
	jne	.not_first
	mov	eax, [esp + 4]		; return EIP
	mov	[db_eip], eax
	mov	eax, dr6
	mov	[db_dr6], eax
.not_first:
	mov	eax, 0xffff0ff0		; DR6 as after reset, for the next case
	mov	dr6, eax
	and	dword [esp + 12], ~0x100	; no TF on return
	pop	eax
	iret

nmi_handler:
	push	eax
	push	ebx
	push	ecx
	push	edx
	cmp	byte [in_nmi], 0
	je	.not_nested
	inc	dword [nmi_nested]
.not_nested:
	mov	byte [in_nmi], 1
	inc	dword [nmi_count]
	mov	ecx, [nmi_count]
	cmp	ecx, 2
	ja	.no_record
	mov	eax, [esp + 16]		; return EIP
	mov	[nmi_eip + ecx * 4 - 4], eax
.no_record:
	cmp	ecx, 1
	jne	.out
	; NMIs are blocked until this handler's IRET: two more are latched as one
	SEND_NMI
	SEND_NMI
	mov	ecx, 10			; exits the hypervisor could inject at
.exits:
	xor	eax, eax
	push	ecx
	cpuid
	pop	ecx
	out	PORT_OUT, al
	dec	ecx
	jnz	.exits
	mov	eax, [nmi_count]
	mov	[count_in_handler], eax
.out:
	mov	byte [in_nmi], 0
	pop	edx
	pop	ecx
	pop	ebx
	pop	eax
	iret

	align	4
watched:	dd	0		; breakpoint case 10's RAM
db_count:	dd	0
db_eip:		dd	0
db_dr6:		dd	0
nmi_count:	dd	0
nmi_nested:	dd	0
count_in_handler: dd	0
nmi_eip:	dd	0, 0
in_nmi:		db	0
	align	4
kernel_esp:	dd	0
idt_desc:
	dw	256 * 8 - 1
	dd	IDT
	align	8
gdt:
	dq	0
	dq	0x00cf9a000000ffff	; 0x08 code, DPL 0
	dq	0x00cf92000000ffff	; 0x10 data, DPL 0
	dq	0x00cffa000000ffff	; 0x1b code, DPL 3
	dq	0x00cff2000000ffff	; 0x23 data, DPL 3
gdt_tss:
	dq	0x0000890000000067	; 0x28 32-bit TSS, base filled in
gdt_end:
gdt_desc:
	dw	gdt_end - gdt - 1
	dd	ABS(gdt)
	align	4
tss:
	dd	0			; previous task link
	dd	KSTACK			; ESP0
	dd	SEL_DATA0		; SS0
	times	23 dd 0
	dw	0
	dw	0x68			; I/O map base past the limit: none
