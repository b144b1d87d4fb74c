; task_switch - hardware task switches in 32-bit protected mode (SDM vol. 3
; 8.3 "Task Switching", 8.4 "Task Linking").  On SVM the CPU switches (no
; intercept); on VMX every switch exits and vireo.ko emulates it (FINDINGS
; F9): the same checks must pass on both.
; vireo-run --mode protected --load task_switch.bin@0x100000 --entry 0x100000
;
;   1  JMP far to a TSS: the new task's registers come from its TSS; the old
;      TSS holds EIP after the JMP, EFLAGS, the registers and selectors; the
;      old TSS is available again, the new one busy; CR0.TS set; NT clear.
;   2  JMP back: the first task resumes after its JMP with its registers.
;   3  CALL far to a TSS: NT set, previous-task link = the caller; IRET
;      returns (NT clear in the saved image, the callee available again).
;   4  INT 0x40 through a task gate: linked like CALL; EIP after the INT saved.
;   5  JMP to a busy TSS: #GP(selector) at the JMP, nothing switched.
;   6  JMP to a TSS whose limit is below 0x67: #TS(selector) at the JMP.
;      (Bochs's VMX checks 5 and 6 before the exit, as SVM's CPU does.)
;   7  that #GP through a task gate: the error code on the new task's stack.
;   8  CALL far to a task gate in the GDT: as CALL to its TSS, EIP after the
;      CALL saved; JMP to a 16-bit TSS (SDM 8.6) and back: IP, AX and the
;      selectors from and into the 16-bit layout.

	bits	32
	org	0x100000
%include "lib.inc"

IDT	equ 0x20000			; 256 x 8-byte gates
TSS_A	equ 0x22000			; the first task (TR after LTR)
TSS_B	equ 0x22100			; JMP target
TSS_C	equ 0x22200			; CALL target
TSS_D	equ 0x22300			; INT 0x40's task
TSS_E	equ 0x22400			; #GP's task (check 7)
TSS_X	equ 0x22500			; never entered
TSS_F	equ 0x22600			; 16-bit TSS
TASK_F	equ 0x7000			; task F's code: IP is 16 bits
F_OUT	equ 0x7100			; where task F stores EAX

CODE	equ 0x08
DATA	equ 0x10
SEL_A	equ 0x18
SEL_B	equ 0x20
SEL_C	equ 0x28
SEL_D	equ 0x30
SEL_BUSY equ 0x38			; a busy TSS that is not running
SEL_SHORT equ 0x40			; limit 0x60
SEL_E	equ 0x48
SEL_GATE_C equ 0x50			; a task gate to TSS C
SEL_F	equ 0x58			; 16-bit TSS, type 1

AVAIL	equ 0x89			; present 32-bit TSS, type 9
BUSY	equ 0x8b			; type 11
EFLAGS_CF equ 1 << 0
EFLAGS_DF equ 1 << 10
EFLAGS_NT equ 1 << 14
CR0_TS	equ 1 << 3

; 32-bit TSS fields (SDM figure 8-2).
T_LINK	equ 0x00
T_EIP	equ 0x20
T_EFLAGS equ 0x24
T_EAX	equ 0x28
T_ECX	equ 0x2c
T_EDX	equ 0x30
T_EBX	equ 0x34
T_ESP	equ 0x38
T_EBP	equ 0x3c
T_ESI	equ 0x40
T_EDI	equ 0x44
T_ES	equ 0x48
T_CS	equ 0x4c
T_SS	equ 0x50
T_DS	equ 0x54
T_IOMAP	equ 0x66

; TYPE_OF sel - AL = the access byte of GDT[sel] (present, DPL, type).
%macro TYPE_OF 1
	movzx	eax, byte [gdt + %1 + 5]
%endmacro

; SAVE_REGS dst - store EAX..EDI (TSS order) at dst.  Flags untouched.
%macro SAVE_REGS 1
	mov	[%1 + 0], eax
	mov	[%1 + 4], ecx
	mov	[%1 + 8], edx
	mov	[%1 + 12], ebx
	mov	[%1 + 16], esp
	mov	[%1 + 20], ebp
	mov	[%1 + 24], esi
	mov	[%1 + 28], edi
%endmacro

start:
	mov	esp, STACK_TOP
	lgdt	[gdtr]
	jmp	CODE:.cs
.cs:	mov	ax, DATA
	mov	ds, ax
	mov	es, ax
	mov	fs, ax
	mov	gs, ax
	mov	ss, ax

	xor	ecx, ecx
	mov	eax, unexpected
.all:	call	set_gate
	inc	ecx
	cmp	ecx, 256
	jne	.all
	xor	ecx, ecx
.exc:	lea	eax, [exception_stubs + ecx * 8]
	call	set_gate
	inc	ecx
	cmp	ecx, 32
	jne	.exc
	mov	ecx, 10
	mov	eax, fault_ts
	call	set_gate
	mov	ecx, 13
	mov	eax, fault_gp
	call	set_gate
	mov	ecx, 0x40
	mov	eax, SEL_D
	call	set_task_gate
	lidt	[idtr]

	mov	edi, TSS_A
	xor	eax, eax
	xor	ebx, ebx
	call	init_tss
	mov	edi, TSS_B
	mov	eax, task_b
	mov	ebx, 0x70000
	call	init_tss
	mov	dword [TSS_B + T_EAX], 0x1b000001
	mov	dword [TSS_B + T_ECX], 0x1b000002
	mov	dword [TSS_B + T_EDX], 0x1b000003
	mov	dword [TSS_B + T_EBX], 0x1b000004
	mov	dword [TSS_B + T_EBP], 0x1b000006
	mov	dword [TSS_B + T_ESI], 0x1b000007
	mov	dword [TSS_B + T_EDI], 0x1b000008
	mov	dword [TSS_B + T_EFLAGS], 0x2 | EFLAGS_CF
	mov	edi, TSS_C
	mov	eax, task_c
	mov	ebx, 0x60000
	call	init_tss
	mov	edi, TSS_D
	mov	eax, task_d
	mov	ebx, 0x58000
	call	init_tss
	mov	edi, TSS_E
	mov	eax, task_e
	mov	ebx, 0x50000
	call	init_tss
	mov	ax, SEL_A
	ltr	ax

	; --- 1: JMP far to TSS B.
	mov	[esp_a], esp
	mov	eax, 0xa0000001
	mov	ecx, 0xa0000002
	mov	edx, 0xa0000003
	mov	ebx, 0xa0000004
	mov	ebp, 0xa0000006
	mov	esi, 0xa0000007
	mov	edi, 0xa0000008
	std					; a flag to find in the saved image
	jmp	SEL_B:0
after_jmp_b:
	; --- 2: back from B by JMP: A's registers and flags again.
	SAVE_REGS regs
	pushfd
	cld
	pop	eax
	and	eax, EFLAGS_DF
	CHECK	20, EFLAGS_DF			; DF as saved
	mov	eax, [regs + 0]
	CHECK	21, 0xa0000001
	mov	eax, [regs + 4]
	CHECK	22, 0xa0000002
	mov	eax, [regs + 12]
	CHECK	23, 0xa0000004
	mov	eax, [regs + 16]
	CHECK	24, [esp_a]
	mov	eax, [regs + 28]
	CHECK	25, 0xa0000008
	str	ax
	movzx	eax, ax
	CHECK	26, SEL_A
	TYPE_OF	SEL_B
	CHECK	27, AVAIL
	TYPE_OF	SEL_A
	CHECK	28, BUSY
	clts
	PUTS	"jmp to a TSS and back OK", 10

	; --- 3: CALL far to TSS C; it returns by IRET.
	mov	dword [call_ret], after_call_c
	mov	eax, 0xa0000031
	call	SEL_C:0
after_call_c:
	CHECK	30, 0xa0000031			; A's EAX, from its TSS
	str	ax
	movzx	eax, ax
	CHECK	31, SEL_A
	TYPE_OF	SEL_C
	CHECK	32, AVAIL			; IRET freed the callee
	TYPE_OF	SEL_A
	CHECK	33, BUSY
	mov	eax, [TSS_C + T_EIP]
	CHECK	34, after_iret_c
	mov	eax, [TSS_C + T_EFLAGS]
	and	eax, EFLAGS_NT
	CHECK	35, 0				; cleared in the saved image
	pushfd
	pop	eax
	and	eax, EFLAGS_NT
	CHECK	36, 0
	mov	eax, [TSS_C + T_EAX]
	CHECK	37, 0xc0000001
	PUTS	"call to a TSS and iret back OK", 10

	; --- 4: INT 0x40 through a task gate.
	mov	eax, 0xa0000041
	int	0x40
after_int:
	CHECK	40, 0xa0000041
	mov	eax, [TSS_A + T_EIP]
	CHECK	41, after_int
	TYPE_OF	SEL_D
	CHECK	42, AVAIL
	PUTS	"int through a task gate OK", 10

	; --- 5: JMP to a busy TSS: #GP(0x38) at the JMP.
	mov	dword [resume_at], after_busy
	mov	dword [fault_vec], 0
jmp_busy:
	jmp	SEL_BUSY:0
after_busy:
	mov	eax, [fault_vec]
	CHECK	50, 13
	mov	eax, [fault_err]
	CHECK	51, SEL_BUSY
	mov	eax, [fault_eip]
	CHECK	52, jmp_busy
	str	ax
	movzx	eax, ax
	CHECK	53, SEL_A
	TYPE_OF	SEL_A
	CHECK	54, BUSY
	PUTS	"jmp to a busy TSS: #GP OK", 10

	; --- 6: JMP to a TSS with limit 0x60: #TS(0x40) at the JMP.
	mov	dword [resume_at], after_short
	mov	dword [fault_vec], 0
	mov	eax, 0xa0000061
jmp_short:
	jmp	SEL_SHORT:0
after_short:
	mov	eax, [fault_vec]
	CHECK	60, 10
	mov	eax, [fault_err]
	CHECK	61, SEL_SHORT
	mov	eax, [fault_eip]
	CHECK	62, jmp_short
	str	ax
	movzx	eax, ax
	CHECK	63, SEL_A
	TYPE_OF	SEL_SHORT
	CHECK	64, AVAIL
	TYPE_OF	SEL_A
	CHECK	65, BUSY
	PUTS	"jmp to a TSS below the minimum limit: #TS OK", 10

	; --- 7: #GP through a task gate: task E gets the error code.  Its
	; stack page is touched first: under QEMU's SVM a nested page fault
	; on the push comes after the switch, and the #GP delivered again
	; would find task E busy.
	mov	dword [0x50000 - 4], 0
	mov	ecx, 13
	mov	eax, SEL_E
	call	set_task_gate
jmp_busy_gated:
	jmp	SEL_BUSY:0
after_gated:
	mov	eax, [e_err]
	CHECK	70, SEL_BUSY
	mov	eax, [e_esp]
	CHECK	71, 0x50000 - 4
	mov	eax, [e_link]
	CHECK	72, SEL_A
	mov	eax, [e_eip]
	CHECK	73, jmp_busy_gated		; a fault saves the faulting EIP
	PUTS	"#GP through a task gate OK", 10

	; --- 8: CALL through the GDT task gate to C again.
	mov	dword [TSS_C + T_EIP], task_c
	mov	dword [call_ret], after_gate_c
	mov	eax, 0xa0000081
	call	SEL_GATE_C:0
after_gate_c:
	CHECK	80, 0xa0000081
	TYPE_OF	SEL_C
	CHECK	81, AVAIL
	mov	eax, [TSS_A + T_EIP]
	CHECK	82, after_gate_c
	PUTS	"call through a task gate in the GDT OK", 10

	; JMP to the 16-bit TSS F: code copied below 64 KiB.
	mov	esi, task_f
	mov	edi, TASK_F
	mov	ecx, task_f_end - task_f
	rep	movsb
	mov	edi, TSS_F
	xor	eax, eax
	mov	ecx, 0x2c / 4
	rep	stosd
	mov	word [TSS_F + 0x0e], TASK_F	; IP
	mov	word [TSS_F + 0x10], 2		; FLAGS
	mov	word [TSS_F + 0x12], 0x1616	; AX
	mov	word [TSS_F + 0x1a], 0x4000	; SP
	mov	word [TSS_F + 0x22], DATA	; ES
	mov	word [TSS_F + 0x24], CODE	; CS
	mov	word [TSS_F + 0x26], DATA	; SS
	mov	word [TSS_F + 0x28], DATA	; DS
	mov	eax, 0xa0000082
	jmp	SEL_F:0
after_jmp_f:
	CHECK	83, 0xa0000082
	mov	eax, [F_OUT]
	and	eax, 0xffff
	CHECK	84, 0x1616			; AX from the 16-bit TSS
	movzx	eax, word [TSS_F + 0x0e]
	CHECK	85, TASK_F + task_f_end - task_f	; IP after its JMP
	movzx	eax, word [TSS_F + 0x24]
	CHECK	86, CODE
	movzx	eax, word [TSS_F + 0x1a]
	CHECK	87, 0x4000
	TYPE_OF	SEL_F
	CHECK	88, 0x81			; available again
	mov	eax, [TSS_A + T_EIP]
	CHECK	89, after_jmp_f			; saved by the JMP to F
	str	ax
	movzx	eax, ax
	CHECK	90, SEL_A
	PUTS	"jmp to a 16-bit TSS and back OK", 10

	PUTS	"task switches OK", 10
	EXIT	EXIT_OK

; --- task B (check 1): entered by JMP.
task_b:
	SAVE_REGS regs
	setc	al
	movzx	eax, al
	CHECK	1, 1				; EFLAGS from TSS B
	mov	eax, [regs + 0]
	CHECK	2, 0x1b000001
	mov	eax, [regs + 4]
	CHECK	3, 0x1b000002
	mov	eax, [regs + 8]
	CHECK	4, 0x1b000003
	mov	eax, [regs + 12]
	CHECK	5, 0x1b000004
	mov	eax, [regs + 16]
	CHECK	6, 0x70000
	mov	eax, [regs + 20]
	CHECK	7, 0x1b000006
	mov	eax, [regs + 24]
	CHECK	8, 0x1b000007
	mov	eax, [regs + 28]
	CHECK	9, 0x1b000008
	str	ax
	movzx	eax, ax
	CHECK	10, SEL_B
	TYPE_OF	SEL_A
	CHECK	11, AVAIL			; JMP frees the old task
	TYPE_OF	SEL_B
	CHECK	12, BUSY
	mov	eax, cr0
	and	eax, CR0_TS
	CHECK	13, CR0_TS
	pushfd
	pop	eax
	and	eax, EFLAGS_NT
	CHECK	14, 0
	mov	eax, [TSS_B + T_LINK]
	CHECK	15, 0				; JMP does not link
	mov	eax, [TSS_A + T_EIP]
	CHECK	16, after_jmp_b
	mov	eax, [TSS_A + T_EFLAGS]
	and	eax, EFLAGS_DF | EFLAGS_NT
	CHECK	17, EFLAGS_DF
	mov	eax, [TSS_A + T_EAX]
	CHECK	18, 0xa0000001
	mov	eax, [TSS_A + T_EDI]
	CHECK	19, 0xa0000008
	mov	eax, [TSS_A + T_EBP]
	CHECK	120, 0xa0000006
	mov	eax, [TSS_A + T_ESP]
	CHECK	121, [esp_a]
	movzx	eax, word [TSS_A + T_CS]
	CHECK	122, CODE
	movzx	eax, word [TSS_A + T_SS]
	CHECK	123, DATA
	movzx	eax, word [TSS_A + T_DS]
	CHECK	124, DATA
	PUTS	"jmp to a TSS: registers OK", 10
	jmp	SEL_A:0

; --- task C (check 3): entered by CALL, leaves by IRET.
task_c:
	pushfd
	pop	eax
	and	eax, EFLAGS_NT
	CHECK	130, EFLAGS_NT
	movzx	eax, word [TSS_C + T_LINK]
	CHECK	131, SEL_A
	TYPE_OF	SEL_A
	CHECK	132, BUSY			; CALL keeps the caller busy
	TYPE_OF	SEL_C
	CHECK	133, BUSY
	mov	eax, [TSS_A + T_EIP]
	CHECK	134, [call_ret]
	str	ax
	movzx	eax, ax
	CHECK	135, SEL_C
	mov	eax, 0xc0000001
	iret
after_iret_c:
	PUTS	"FAIL: task C resumed after its IRET", 10
	EXIT	EXIT_FAIL

; --- task D (check 4): INT 0x40's task gate.
task_d:
	pushfd
	pop	eax
	and	eax, EFLAGS_NT
	CHECK	140, EFLAGS_NT
	movzx	eax, word [TSS_D + T_LINK]
	CHECK	141, SEL_A
	str	ax
	movzx	eax, ax
	CHECK	142, SEL_D
	mov	eax, esp
	CHECK	143, 0x58000			; no error code for INT n
	iret
	PUTS	"FAIL: task D resumed after its IRET", 10
	EXIT	EXIT_FAIL

; --- task F (check 8): a 16-bit TSS; runs at TASK_F, copied there.
task_f:
	mov	[F_OUT], eax
	jmp	SEL_A:0
task_f_end:

; --- task E (check 7): #GP's task gate.
task_e:
	mov	eax, [esp]
	mov	[e_err], eax
	mov	[e_esp], esp
	movzx	eax, word [TSS_E + T_LINK]
	mov	[e_link], eax
	mov	eax, [TSS_A + T_EIP]
	mov	[e_eip], eax
	mov	dword [TSS_A + T_EIP], after_gated	; not the JMP again
	iret

; set_gate: IDT[ecx] = 32-bit interrupt gate to EAX.  Clobbers EDI, EDX.
set_gate:
	lea	edi, [IDT + ecx * 8]
	mov	[edi + 0], ax
	mov	word [edi + 2], CODE
	mov	word [edi + 4], 0x8e00		; present, DPL 0, 32-bit int gate
	mov	edx, eax
	shr	edx, 16
	mov	[edi + 6], dx
	ret

; set_task_gate: IDT[ecx] = task gate to TSS selector AX.  Clobbers EDI.
set_task_gate:
	lea	edi, [IDT + ecx * 8]
	mov	word [edi + 0], 0
	mov	[edi + 2], ax
	mov	word [edi + 4], 0x8500		; present, DPL 0, task gate
	mov	word [edi + 6], 0
	ret

; init_tss: a zeroed 32-bit TSS at EDI entered at EAX with stack EBX, flat
; selectors, EFLAGS 2, no LDT, no I/O map.  Clobbers EAX, ECX.
init_tss:
	push	eax
	push	edi
	xor	eax, eax
	mov	ecx, 0x68 / 4
	rep	stosd
	pop	edi
	pop	eax
	mov	[edi + T_EIP], eax
	mov	dword [edi + T_EFLAGS], 2
	mov	[edi + T_ESP], ebx
	mov	dword [edi + T_CS], CODE
	mov	dword [edi + T_ES], DATA
	mov	dword [edi + T_SS], DATA
	mov	dword [edi + T_DS], DATA
	mov	dword [edi + T_DS + 4], DATA	; FS
	mov	dword [edi + T_DS + 8], DATA	; GS
	mov	word [edi + T_IOMAP], 0x68
	ret

; #TS and #GP through interrupt gates (checks 5, 6): note the vector, the
; error code and the faulting EIP, and resume at [resume_at].
fault_ts:
	mov	dword [fault_vec], 10
	jmp	fault_common
fault_gp:
	mov	dword [fault_vec], 13
fault_common:
	pop	dword [fault_err]
	push	eax
	mov	eax, [esp + 4]
	mov	[fault_eip], eax
	mov	eax, [resume_at]
	mov	[esp + 4], eax
	pop	eax
	iret

unexpected:
	PUTS	"FAIL: unexpected interrupt", 10
	EXIT	EXIT_FAIL

; One 8-byte stub per exception vector: name the vector and fail.
	align	8
exception_stubs:
%assign v 0
%rep 32
	push	dword v
	jmp	unexpected_exception
	align	8
%assign v v + 1
%endrep
unexpected_exception:
	PUTS	"FAIL: unexpected exception "
	pop	eax
	call	lib_puthex
	mov	al, ' '
	call	lib_putc
	mov	eax, [esp]
	call	lib_puthex
	mov	al, ' '
	call	lib_putc
	mov	eax, [esp + 4]
	call	lib_puthex
	mov	al, ' '
	call	lib_putc
	str	ax
	movzx	eax, ax
	call	lib_puthex
	mov	al, 10
	call	lib_putc
	EXIT	EXIT_FAIL

; DESC base, limit, access, flags - a GDT entry (SDM figure 3-8).
%macro DESC 4
	dw	(%2) & 0xffff
	dw	(%1) & 0xffff
	db	((%1) >> 16) & 0xff
	db	%3
	db	(((%2) >> 16) & 0x0f) | %4
	db	((%1) >> 24) & 0xff
%endmacro

	align	8
gdt:	dq	0
	DESC	0, 0xfffff, 0x9b, 0xc0		; 0x08 code, 4 GiB
	DESC	0, 0xfffff, 0x93, 0xc0		; 0x10 data, 4 GiB
	DESC	TSS_A, 0x67, AVAIL, 0		; 0x18
	DESC	TSS_B, 0x67, AVAIL, 0		; 0x20
	DESC	TSS_C, 0x67, AVAIL, 0		; 0x28
	DESC	TSS_D, 0x67, AVAIL, 0		; 0x30
	DESC	TSS_X, 0x67, BUSY, 0		; 0x38 busy, not running
	DESC	TSS_X, 0x60, AVAIL, 0		; 0x40 below the 0x67 minimum
	DESC	TSS_E, 0x67, AVAIL, 0		; 0x48
	dw	0, SEL_C, 0x8500, 0		; 0x50 task gate to C, DPL 0
	DESC	TSS_F, 0x2b, 0x81, 0		; 0x58 available 16-bit TSS
gdt_end:

gdtr:	dw	gdt_end - gdt - 1
	dd	gdt
idtr:	dw	256 * 8 - 1
	dd	IDT

	align	4
esp_a:	dd	0
regs:	times 8 dd 0
resume_at: dd	0
fault_vec: dd	0
fault_err: dd	0
fault_eip: dd	0
e_err:	dd	0
e_esp:	dd	0
e_link:	dd	0
e_eip:	dd	0
call_ret: dd	0

LIB_CODE
