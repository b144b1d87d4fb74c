; tsc_aux - IA32_TSC_AUX is the guest's own, and RDTSCP follows CPUID.
; With RDTSCP in CPUID.80000001h:EDX[27]: WRMSR TSC_AUX = 0x1234, exits,
; RDTSCP must return ECX = 0x1234 (not the host's CPU number), RDPID the
; same when CPUID.7:ECX[22] offers it; RDMSR reads it back.  Prints
; "tsc_aux OK" (status 33).
; Without RDTSCP in CPUID (vireo-run --cpu host,-rdtscp,-rdpid): prints
; "no rdtscp", then RDTSCP must raise #UD (SDM vol. 2 RDTSCP): with no IDT
; that is a triple fault (status 8); running on prints a FAIL.
; vireo-run --mode protected --load tsc_aux.bin@0x100000 --entry 0x100000

	bits	32
	org	0x100000
%include "lib.inc"

MSR_TSC_AUX	equ 0xc0000103

start:
	mov	esp, STACK_TOP

	mov	eax, 0x80000001
	cpuid
	test	edx, 1 << 27
	jz	.hidden

	mov	ecx, MSR_TSC_AUX
	mov	eax, 0x1234
	xor	edx, edx
	wrmsr
	PUTS	"tsc_aux written", 10		; exits between WRMSR and RDTSCP
	mov	eax, 1
	cpuid
	rdtscp
	mov	eax, ecx
	CHECK	1, 0x1234
	mov	ecx, MSR_TSC_AUX
	rdmsr
	push	edx				; CHECK clobbers EDX
	CHECK	2, 0x1234
	pop	eax
	CHECK	3, 0

	mov	eax, 7
	xor	ecx, ecx
	cpuid
	test	ecx, 1 << 22
	jz	.done
	rdpid	eax
	CHECK	4, 0x1234
.done:
	PUTS	"tsc_aux OK", 10
	EXIT	EXIT_OK

.hidden:
	PUTS	"no rdtscp", 10
	rdtscp					; #UD: no IDT, so a triple fault
	PUTS	"FAIL rdtscp ran without CPUID.80000001h:EDX[27]", 10
	EXIT	EXIT_FAIL

LIB_CODE
