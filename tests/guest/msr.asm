; msr - RDMSR/WRMSR in the three places they can be answered:
;   in the kernel, without an exit: STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE
;   by userland (VIREO_EXIT_MSR):   the scratch MSR 0x4b564d00, which reads
;                                   0x1122334455667788 until written
;   refused (#GP injected):         any other MSR, here 0x4b564dff
; A #GP handler counts the faults, records the faulting RIP and error code,
; and skips the 2-byte instruction.  Prints "msr OK" (status 33).
; vireo-run --mode long --load msr.bin@0x100000 --entry 0x100000

	bits	64
	org	0x100000
%include "lib.inc"

IDT		equ 0x20000		; 256 x 16-byte gates
CODE64		equ 0x18		; the monitor's 64-bit code selector
STAR		equ 0xc0000081
LSTAR		equ 0xc0000082
CSTAR		equ 0xc0000083
SFMASK		equ 0xc0000084
KGSBASE		equ 0xc0000102
SCRATCH		equ 0x4b564d00
UNKNOWN		equ 0x4b564dff

; WRMSR64 index, value64
%macro WRMSR64 2
	mov	ecx, %1
	mov	rax, %2
	mov	rdx, rax
	shr	rdx, 32
	wrmsr
%endmacro

; RDMSR64 index -> RAX
%macro RDMSR64 1
	mov	ecx, %1
	rdmsr
	shl	rdx, 32
	mov	eax, eax
	or	rax, rdx
%endmacro

start:
	mov	rsp, STACK_TOP
	call	setup_idt

	; ---- handled in the kernel ------------------------------------------
	WRMSR64	STAR, 0x0023001000000000
	WRMSR64	LSTAR, 0xffffffff81234560
	WRMSR64	CSTAR, 0xffffffff81234570
	WRMSR64	SFMASK, 0x47700
	WRMSR64	KGSBASE, 0xffff888012345000
	RDMSR64	STAR
	CHECK	1, 0x0023001000000000
	RDMSR64	LSTAR
	CHECK	2, 0xffffffff81234560
	RDMSR64	CSTAR
	CHECK	3, 0xffffffff81234570
	RDMSR64	SFMASK
	CHECK	4, 0x47700
	RDMSR64	KGSBASE
	CHECK	5, 0xffff888012345000

	; ---- the userland scratch MSR -------------------------------------
	RDMSR64	SCRATCH
	CHECK	10, 0x1122334455667788
	WRMSR64	SCRATCH, 0xcafebabedeadbeef
	RDMSR64	SCRATCH
	CHECK	11, 0xcafebabedeadbeef

	; ---- an MSR nobody handles: #GP(0), registers untouched ------------
	mov	ecx, UNKNOWN
	mov	eax, 0x1234
	mov	edx, 0x5678
.rd_unknown:
	rdmsr
	mov	rbx, rdx
	CHECK	20, 0x1234		; RDMSR that faults writes nothing
	mov	rax, rbx
	CHECK	21, 0x5678
	mov	eax, [rel gp_count]
	CHECK	22, 1
	mov	rax, [rel gp_rip]
	lea	rbx, [rel .rd_unknown]
	cmp	rax, rbx
	jne	.bad_rip
	mov	rax, [rel gp_error]
	CHECK	23, 0

	mov	ecx, UNKNOWN
.wr_unknown:
	wrmsr
	mov	eax, [rel gp_count]
	CHECK	24, 2
	mov	rax, [rel gp_rip]
	lea	rbx, [rel .wr_unknown]
	cmp	rax, rbx
	jne	.bad_rip

	; The refused write must not have reached the scratch MSR either.
	RDMSR64	SCRATCH
	CHECK	25, 0xcafebabedeadbeef

	PUTS	"msr OK", 10
	EXIT	EXIT_OK

.bad_rip:
	PUTS	"FAIL: #GP at rip="
	call	lib_puthex
	PUTS	10
	EXIT	EXIT_FAIL

; ---- IDT: every vector -> unexpected, #GP (13) -> gp_handler ------------
IDT64 IDT, CODE64, 13, gp_handler

gp_handler:
	pop	qword [rel gp_error]		; #GP pushes an error code
	push	rax
	mov	rax, [rsp + 8]			; faulting RIP
	mov	[rel gp_rip], rax
	add	qword [rsp + 8], 2		; skip RDMSR/WRMSR (0F 32 / 0F 30)
	inc	dword [rel gp_count]
	pop	rax
	iretq

	align	8
gp_count:	dd 0
		dd 0
gp_rip:		dq 0
gp_error:	dq 0

LIB_CODE
