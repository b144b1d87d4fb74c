; cr4_cpuid - every CR4 bit a CPUID flag governs follows the vCPU's CPUID
; (SDM vol. 3 2.5, 2.6.2.1 "CR4 Register" and vol. 2 "MOV-Move to/from
; Control Registers": setting a bit the processor does not support is
; #GP(0)).  For each such bit the guest reads its flag: clear, the MOV to
; CR4 must #GP and change nothing; set, it must go through (and is undone).
; CR4.PKS (bit 24, CPUID.(EAX=7,ECX=0):ECX[31]) also decides IA32_PKRS
; (MSR 0x6e1): read and written back when advertised, #GP when not.
; Then CR4 bits no CPU defines (15, 19 without Key Locker, 26-31, 32, 63)
; and VMXE (vireo.ko offers no nested VMX) #GP with any CPUID.
;
; vireo-run --mode long --load cr4_cpuid.bin@0x100000 --entry 0x100000
;   [--cpu host,-xsave,-fsgsbase,-smep,-smap,-umip]   (those flags hidden)
;
; Prints "cr4 cpuid OK <n>" with n the number of bits that were settable.

	bits	64
	org	0x100000
%include "lib.inc"

IDT		equ 0x20000		; 256 x 16-byte gates
CODE64		equ 0x18		; the monitor's 64-bit code selector
MSR_PKRS	equ 0x6e1

; One row: CR4 bit, CPUID leaf, register (0 EBX, 1 ECX), flag bit.
%macro FEATURE 4
	db	%1, %2, %3, %4
%endmacro

start:
	mov	rsp, STACK_TOP
	call	setup_idt
	mov	r14, cr4			; CR4 as the monitor set it
	xor	r15d, r15d			; bits found settable
	lea	rbx, [rel features]

.next:	movzx	r8d, byte [rbx]			; CR4 bit
	cmp	r8b, 0xff
	je	.reserved
	movzx	eax, byte [rbx + 1]		; leaf
	xor	ecx, ecx
	push	rbx
	cpuid
	mov	r9d, ebx
	pop	rbx
	cmp	byte [rbx + 2], 0
	cmovne	r9d, ecx			; the flag's register
	movzx	ecx, byte [rbx + 3]
	bt	r9d, ecx
	setc	r10b				; 1: the CPUID advertises it

	mov	rax, r14
	bts	rax, r8
	mov	dword [rel gp_count], 0
	mov	byte [rel skip], 3
.mov:	mov	cr4, rax
	mov	eax, [rel gp_count]
	test	r10b, r10b
	jz	.hidden
	; Advertised: taken, and undone.
	CHECK	1000, 0
	mov	rax, cr4
	bt	rax, r8
	setc	al
	movzx	eax, al
	CHECK	1100, 1
	mov	cr4, r14
	inc	r15d
	jmp	.done
.hidden:
	; Hidden: #GP(0) at the MOV, CR4 unchanged.
	mov	ecx, r8d
	add	ecx, 2000
	mov	[rel check_id], ecx
	call	expect_gp_at_mov
.done:
	cmp	r8b, 24				; PKS: IA32_PKRS goes with it
	jne	.row
	call	check_pkrs
.row:	add	rbx, 4
	jmp	.next

.reserved:
	; Bits no CPUID flag makes legal here.
	lea	rbx, [rel reserved_bits]
.rbit:	movzx	r8d, byte [rbx]
	cmp	r8b, 0xff
	je	.end
	mov	rax, r14
	bts	rax, r8
	mov	dword [rel gp_count], 0
	mov	byte [rel skip], 3
	mov	cr4, rax
	mov	ecx, r8d
	add	ecx, 3000
	mov	[rel check_id], ecx
	call	expect_gp_at_mov
	inc	rbx
	jmp	.rbit

.end:	mov	rax, cr4
	cmp	rax, r14
	jne	.changed
	PUTS	"cr4 cpuid OK "
	mov	eax, r15d
	call	lib_putdec
	PUTS	10
	EXIT	EXIT_OK

.changed:
	PUTS	"FAIL: CR4 is not what the monitor set", 10
	EXIT	EXIT_FAIL

; The MOV to CR4 at .mov (or the one in .rbit: the handler records the
; RIP) faulted once with error code 0, and CR4 is still r14.
expect_gp_at_mov:
	mov	eax, [rel gp_count]
	mov	ecx, [rel check_id]
	mov	edx, 1
	cmp	eax, edx
	jne	lib_check_fail
	mov	rax, [rel gp_error]
	xor	edx, edx
	cmp	rax, rdx
	jne	lib_check_fail
	mov	rax, cr4
	mov	rdx, r14
	cmp	rax, rdx
	jne	lib_check_fail
	ret

; IA32_PKRS: r10b says whether CPUID advertises PKS.
check_pkrs:
	mov	ecx, MSR_PKRS
	mov	dword [rel gp_count], 0
	mov	byte [rel skip], 2
	rdmsr
	mov	eax, [rel gp_count]
	test	r10b, r10b
	jz	.gone
	CHECK	4000, 0
	mov	ecx, MSR_PKRS
	mov	eax, 0x0000000c			; key 1: access- and write-disable
	xor	edx, edx
	wrmsr
	rdmsr
	CHECK	4001, 0xc
	xor	eax, eax
	xor	edx, edx
	wrmsr
	mov	eax, [rel gp_count]
	CHECK	4002, 0
	ret
.gone:	CHECK	4100, 1
	mov	ecx, MSR_PKRS
	xor	eax, eax
	xor	edx, edx
	wrmsr
	mov	eax, [rel gp_count]
	CHECK	4101, 2
	ret

IDT64 IDT, CODE64, 13, gp_handler

gp_handler:
	pop	qword [rel gp_error]		; #GP pushes an error code
	push	rax
	movzx	rax, byte [rel skip]
	add	[rsp + 8], rax			; past the faulting MOV/RDMSR/WRMSR
	inc	dword [rel gp_count]
	pop	rax
	iretq

	align	8
gp_count:	dd 0
check_id:	dd 0
gp_error:	dq 0
skip:		db 3

; CR4 bit, leaf, register (0 EBX, 1 ECX), flag (SDM vol. 3 2.5; CPUID in vol. 2).
features:
	FEATURE	11, 7, 1, 2			; UMIP
	FEATURE	16, 7, 0, 0			; FSGSBASE
	FEATURE	18, 1, 1, 26			; OSXSAVE
	FEATURE	20, 7, 0, 7			; SMEP
	FEATURE	21, 7, 0, 20			; SMAP
	FEATURE	22, 7, 1, 3			; PKE
	FEATURE	24, 7, 1, 31			; PKS
	db	0xff
; Undefined bits, and VMXE/SMXE (no nested VMX, no SMX).
reserved_bits:
	db	13, 14, 15, 26, 27, 28, 29, 30, 31, 32, 40, 63, 0xff

LIB_CODE
