; mmio_alu - instructions other than MOV on the MMIO test device at
; 0xd0000000: ALU ops, shifts, bit tests, exchanges (LOCK), MUL/DIV, PUSH
; and POP of memory, string instructions in both directions, and #DE from
; a DIV whose divisor is device memory.
; vireo-run --mode long --load mmio_alu.bin@0x100000 --entry 0x100000
;
; DUAL runs one instruction twice with the same registers and flags: on a
; RAM cell (the CPU itself) and on a device register (vireo-run's
; emulator), then compares the cells, RAX, RCX, RDX and the flags the SDM
; defines for it.  Writes to the device's log register show each access's
; width: "mmio: <size> <hex>".  The first mismatch prints "FAIL check
; <n>: ..." (status 35); success prints "mmio alu OK" (status 33).

	bits	64
	org	0x100000
%include "lib.inc"

MMIO	equ 0xd0000000
CELL	equ 0x80			; scratch register used by DUAL
LOG	equ 0x200
IDT	equ 0x20000
CODE64	equ 0x18
ALLF	equ 0x8d5			; CF PF AF ZF SF OF
NOAF	equ 0x8c5			; AF undefined (logic ops)
CFOF	equ 0x801			; MUL/IMUL: only CF and OF defined
CFONLY	equ 0x001			; BT family: CF (ZF unaffected: kept)

; DUAL id, initial cell value, flags to compare, {instruction on [rbp]}
%macro DUAL 4
	mov	r8, %2
	mov	[rel ram_cell], r8
	mov	[rbx + CELL], r8
	lea	rbp, [rel ram_cell]
	call	preset
	%4
	pushfq
	mov	[rel out_ram], rax
	mov	[rel out_ram + 8], rcx
	mov	[rel out_ram + 16], rdx
	pop	qword [rel out_ram + 24]
	lea	rbp, [rbx + CELL]
	call	preset
	%4
	pushfq
	mov	[rel out_dev], rax
	mov	[rel out_dev + 8], rcx
	mov	[rel out_dev + 16], rdx
	pop	qword [rel out_dev + 24]
	mov	r9d, %3
	mov	r10d, %1
	call	compare
%endmacro

start:
	mov	rsp, STACK_TOP
	call	setup_idt
	mov	rbx, MMIO

	; ---- two-operand ALU, memory destination and source ---------------
	DUAL	1, 0x00ff00ff00ff00ff, NOAF, {or qword [rbp], rax}
	DUAL	2, 0x123456789abcdef0, NOAF, {and dword [rbp], 0x0ff00ff0}
	DUAL	3, 0xffff, NOAF, {xor word [rbp], cx}
	DUAL	4, 0x7f, ALLF, {add byte [rbp], 0x81}
	DUAL	5, 0x10, ALLF, {sub qword [rbp], rdx}
	DUAL	6, 0xffffffff, ALLF, {adc dword [rbp], ecx}
	DUAL	7, 0x80, ALLF, {sbb byte [rbp], al}
	DUAL	8, 0x8000000000000001, ALLF, {cmp qword [rbp], rax}
	DUAL	9, 0x80000001, NOAF, {test dword [rbp], 0x80000001}
	DUAL	10, 0x7fffffffffffffff, ALLF, {add rax, [rbp]}
	DUAL	11, 0x1234, ALLF, {cmp cx, [rbp]}
	; ---- one operand --------------------------------------------------
	DUAL	12, 0x7fffffffffffffff, ALLF, {inc qword [rbp]}
	DUAL	13, 0, ALLF, {dec word [rbp]}
	DUAL	14, 0x80000000, ALLF, {neg dword [rbp]}
	DUAL	15, 0x0f0f0f0f0f0f0f0f, ALLF, {not qword [rbp]}
	; ---- shifts and rotates (OF only for 1-bit counts, AF never) ------
	DUAL	16, 0x8123456789abcdef, 0x8c5 & ~0x800, {shl qword [rbp], 4}
	DUAL	17, 0x80000010, 0x8c5 & ~0x800, {sar dword [rbp], cl}
	DUAL	18, 0x8001, 0x801, {ror word [rbp], 1}
	DUAL	19, 0x81, 0x001, {rcl byte [rbp], 3}
	; ---- bit tests ----------------------------------------------------
	DUAL	20, 0x0000000700000000, CFONLY, {bts qword [rbp], 35}
	DUAL	21, 0xffffffff, CFONLY, {btr dword [rbp], ecx}
	DUAL	22, 0x8, CFONLY, {bt qword [rbp], rcx}
	DUAL	23, 0x8, CFONLY, {lock btc qword [rbp], rcx}
	; ---- exchanges, locked read-modify-writes --------------------------
	DUAL	24, 0x1111111122222222, 0, {xchg [rbp], rax}
	DUAL	25, 0x8000000000000001, ALLF, {lock cmpxchg [rbp], rcx}
	DUAL	26, 0x5555, ALLF, {lock cmpxchg [rbp], rcx}
	DUAL	27, 0x7ffffffffffffff0, ALLF, {lock xadd [rbp], rdx}
	DUAL	28, 0x00ff, NOAF, {lock or dword [rbp], 0x100}
	DUAL	29, 0xfe, ALLF, {lock add byte [rbp], 2}
	; ---- multiply and divide ------------------------------------------
	DUAL	30, 0x100000001, CFOF, {mul qword [rbp]}
	DUAL	31, -3, CFOF, {imul rcx, [rbp], 7}
	DUAL	32, 0xfffffff0, 0, {div dword [rbp]}
	DUAL	33, -7, CFOF, {imul qword [rbp]}
	; ---- extending loads, MOVNTI --------------------------------------
	DUAL	34, 0x8765, 0, {movzx eax, word [rbp]}
	DUAL	35, 0x80, 0, {movsx rax, byte [rbp]}
	DUAL	36, 0, 0, {movnti [rbp], rax}

	; ---- PUSH and POP of device memory --------------------------------
	mov	rax, 0x0a0b0c0d0e0f1011
	mov	[rbx + 0x40], rax
	push	qword [rbx + 0x40]		; FF /6
	pop	rax
	CHECK	40, 0x0a0b0c0d0e0f1011
	push	qword 0x77
	pop	qword [rbx + 0x48]		; 8F /0
	mov	rax, [rbx + 0x48]
	CHECK	41, 0x77

	; ---- string instructions ------------------------------------------
	cld
	lea	rsi, [rel pattern]
	lea	rdi, [rbx + 0x10]
	mov	ecx, 16
	rep movsb				; RAM -> device, bytes
	mov	rax, rdi
	CHECK	42, MMIO + 0x20
	mov	rax, [rbx + 0x10]
	CHECK	43, 0x0706050403020100
	mov	rax, [rbx + 0x18]
	CHECK	44, 0x0f0e0d0c0b0a0908
	lea	rsi, [rbx + 0x10]
	lea	rdi, [rel buffer]
	mov	ecx, 2
	rep movsq				; device -> RAM, qwords
	mov	rax, [rel buffer + 8]
	CHECK	45, 0x0f0e0d0c0b0a0908
	lea	rsi, [rbx + 0x10]
	lea	rdi, [rbx + 0x30]
	movsq					; device -> device
	mov	rax, [rbx + 0x30]
	CHECK	46, 0x0706050403020100
	lea	rdi, [rbx + 0x50]
	mov	eax, 0xabcdef01
	mov	ecx, 4
	rep stosd				; device <- EAX x 4
	mov	rax, [rbx + 0x58]
	CHECK	47, 0xabcdef01abcdef01
	lea	rsi, [rbx + 0x10]
	lea	rdi, [rel pattern]
	mov	ecx, 16
	repe cmpsb				; equal all the way
	mov	eax, ecx
	CHECK	48, 0
	mov	byte [rbx + 0x15], 0x55
	lea	rsi, [rbx + 0x10]
	lea	rdi, [rel pattern]
	mov	ecx, 16
	repe cmpsb				; stops after byte 5
	mov	eax, ecx
	CHECK	49, 10
	lea	rsi, [rbx + 0x1e]
	std
	lodsw					; DF=1: RSI goes down
	cld
	and	eax, 0xffff
	CHECK	50, 0x0f0e
	mov	rax, rsi
	CHECK	51, MMIO + 0x1c
	lea	rdi, [rbx + 0x10]
	mov	al, 0x03
	mov	ecx, 16
	repne scasb				; finds byte 3
	mov	eax, ecx
	CHECK	52, 12

	; ---- #DE from a divisor in device memory --------------------------
	mov	qword [rbx + 0x60], 0
	mov	byte [rel skip], 3
	mov	dword [rel de_count], 0
	mov	eax, 100
de_insn:
	div	byte [rbx + 0x60]		; F6 73 60: three bytes
	mov	eax, [rel de_count]
	CHECK	53, 1
	mov	rax, [rel de_rip]
	lea	rdx, [rel de_insn]
	sub	rax, rdx
	CHECK	54, 0

	; ---- the log register shows each access's width -------------------
	or	byte [rbx + LOG], 0x5a		; mmio: 1 5a (the read gives 0)
	mov	eax, 0xcafe
	xchg	[rbx + LOG], ax			; mmio: 2 cafe
	lea	rsi, [rel pattern]
	lea	rdi, [rbx + LOG]
	movsd					; mmio: 4 3020100
	mov	rax, 0x1122334455667788
	lock xadd [rbx + LOG], rax		; mmio: 8 1122334455667788

	PUTS	"mmio alu OK", 10
	EXIT	EXIT_OK

; Registers and flags every DUAL half starts from: CF set, the rest clear.
preset:
	mov	rax, 0x8000000000000001
	mov	rcx, 3
	mov	rdx, 0x12345
	push	qword 0x203
	popfq
	ret

; Compare the halves under the flag mask in r9; r10 is the check id.
compare:
	mov	rax, [rel ram_cell]
	cmp	rax, [rbx + CELL]
	jne	.differ
	mov	rax, [rel out_ram]
	cmp	rax, [rel out_dev]
	jne	.differ
	mov	rax, [rel out_ram + 8]
	cmp	rax, [rel out_dev + 8]
	jne	.differ
	mov	rax, [rel out_ram + 16]
	cmp	rax, [rel out_dev + 16]
	jne	.differ
	mov	rax, [rel out_ram + 24]
	xor	rax, [rel out_dev + 24]
	and	rax, r9
	jnz	.differ
	ret
.differ:
	mov	ecx, r10d
	mov	rdx, [rbx + CELL]
	mov	rax, [rel ram_cell]
	jmp	lib_check_fail

IDT64 IDT, CODE64, 0, de_handler

; #DE (no error code): note the RIP, skip the faulting instruction.
de_handler:
	push	rax
	push	rbx
	mov	rax, [rsp + 16]
	mov	[rel de_rip], rax
	movzx	rbx, byte [rel skip]
	add	[rsp + 16], rbx
	inc	dword [rel de_count]
	pop	rbx
	pop	rax
	iretq

	align	8
ram_cell:	dq 0
out_ram:	times 4 dq 0
out_dev:	times 4 dq 0
de_count:	dd 0
		dd 0
de_rip:		dq 0
skip:		db 3
	align	8
pattern:	db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
buffer:		times 4 dq 0

LIB_CODE
