; lapic.asm - the in-kernel LAPIC seen from a guest (vireo-lapic drives it).
; 32-bit protected mode, flat segments, loaded at 0x10000; the AP's real-mode
; entry is at 0x2000 (SIPI vector 0x02), copied there by the host.
; Progress is reported one character at a time on port 0xe9:
;   T  the x2APIC one-shot timer interrupt (vector 0x40) arrived and was EOId
;   R  ready: the host now sends an MSI (vector 0x41)
;   M  the MSI arrived
;   I  an OUT to port 0x500 was made (the host registered an ioeventfd there)
;   F  the irqfd interrupt (vector 0x42) arrived
;   d  the TSC-deadline timer interrupt (vector 0x43) arrived
;   S  INIT-SIPI-SIPI sent to APIC ID 1 (the AP reports A, then L from long mode)
;   D  done
	bits	32
	org	0x10000

BASE	equ	0x10000
%define ABS(l)	((l) - $$ + BASE)

; WAIT flag: sleep until the interrupt handler sets flag.  The check runs
; with interrupts off and "sti; hlt" reopens them atomically (STI's shadow
; covers the HLT), so an interrupt that came early is never slept through.
%macro WAIT 1
%%again:
	cli
	cmp	byte [%1], 0
	jne	%%done
	sti
	hlt
	jmp	%%again
%%done:
	sti
%endmacro

start:
	lidt	[idt_desc]
	mov	ecx, 0x1b		; IA32_APIC_BASE: x2APIC mode
	rdmsr
	or	eax, 0xc00
	wrmsr
	mov	ecx, 0x80f		; SVR: software enable, spurious 0xff
	mov	eax, 0x1ff
	xor	edx, edx
	wrmsr
	mov	ecx, 0x83e		; timer divide by 1
	mov	eax, 0xb
	wrmsr
	mov	ecx, 0x832		; LVT timer: one-shot, vector 0x40
	mov	eax, 0x40
	wrmsr
	mov	ecx, 0x838		; initial count: 1 ms at the 1 GHz APIC bus
	mov	eax, 1000000
	wrmsr
	WAIT	got40
	mov	al, 'T'
	out	0xe9, al

	mov	al, 'R'
	out	0xe9, al
	WAIT	got41
	mov	al, 'M'
	out	0xe9, al

	mov	dx, 0x500
	mov	al, 1
	out	dx, al
	mov	al, 'I'
	out	0xe9, al
	WAIT	got42
	mov	al, 'F'
	out	0xe9, al

	; TSC-deadline mode: LVT timer mode 2, deadline = now + 2^20 cycles
	mov	ecx, 0x832
	mov	eax, 0x43 | (2 << 17)
	xor	edx, edx
	wrmsr
	rdtsc
	add	eax, 0x100000
	adc	edx, 0
	mov	ecx, 0x6e0		; IA32_TSC_DEADLINE
	wrmsr
	WAIT	got43
	mov	al, 'd'
	out	0xe9, al

	; INIT, then SIPI with vector 2 (AP starts at 0x2000), to APIC ID 1
	mov	ecx, 0x830
	mov	edx, 1
	mov	eax, 0x4500		; INIT, level assert
	wrmsr
	mov	eax, 0x4602		; STARTUP, vector 0x02
	wrmsr
	mov	al, 'S'
	out	0xe9, al

	mov	al, 'D'
	out	0xe9, al
	cli
	hlt
	jmp	$

%macro HANDLER 1
handler%1:
	mov	byte [got%1], 1
	push	eax
	push	ecx
	push	edx
	mov	ecx, 0x80b		; EOI
	xor	eax, eax
	xor	edx, edx
	wrmsr
	pop	edx
	pop	ecx
	pop	eax
	iretd
%endmacro

	HANDLER 40
	HANDLER 41
	HANDLER 42
	HANDLER 43

got40:	db	0
got41:	db	0
got42:	db	0
got43:	db	0

%macro GATE 1
	dw	ABS(handler%1) & 0xffff
	dw	0x08
	dw	0x8e00
	dw	ABS(handler%1) >> 16
%endmacro

	align	8
idt:
	times	0x40 dq 0
	GATE 40
	GATE 41
	GATE 42
	GATE 43
idt_end:

idt_desc:
	dw	idt_end - idt - 1
	dd	ABS(idt)

; The AP: real mode at 0x2000; the host copies it there from offset 0x380.
; It goes to long mode the way Linux's trampoline does ('A' in real mode,
; 'L' in 64-bit code): CR4.PAE is written without an exit on VMX, and TR
; still has INIT's 16-bit busy TSS when paging turns long mode on.
AP_PML4	equ	0x30000
%define AP(l)	((l) - ap_entry + 0x2000)
	times	0x380 - ($ - $$) db 0
ap_entry:
	bits	16
	mov	al, 'A'
	out	0xe9, al
	cli
	xor	ax, ax
	mov	ds, ax
	lgdt	[AP(ap_gdt_desc)]
	mov	eax, cr0
	or	eax, 1
	mov	cr0, eax
	jmp	dword 0x08:AP(ap_prot)
	bits	32
ap_prot:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	edi, AP_PML4			; PML4, PDPT, PD: the first 2 MiB
	xor	eax, eax
	mov	ecx, 3 * 1024
	rep	stosd
	mov	dword [AP_PML4], AP_PML4 + 0x1003
	mov	dword [AP_PML4 + 0x1000], AP_PML4 + 0x2003
	mov	dword [AP_PML4 + 0x2000], 0x83
	mov	eax, cr4
	or	eax, 0x20			; PAE
	mov	cr4, eax
	mov	eax, AP_PML4
	mov	cr3, eax
	mov	ecx, 0xc0000080			; EFER.LME
	rdmsr
	or	eax, 0x100
	wrmsr
	mov	eax, cr0
	or	eax, 0x80000000			; PG: long mode is active
	mov	cr0, eax
	jmp	0x18:AP(ap_long)
	bits	64
ap_long:
	mov	al, 'L'
	out	0xe9, al
	cli
	hlt
	jmp	$
	align	8
ap_gdt:
	dq	0
	dq	0x00cf9a000000ffff		; 0x08: 32-bit code
	dq	0x00cf92000000ffff		; 0x10: data
	dq	0x00af9a000000ffff		; 0x18: 64-bit code
ap_gdt_desc:
	dw	4 * 8 - 1
	dd	AP(ap_gdt)
ap_end:
