; bench - the exit-cost benchmark guest (vireo-bench and kvm-bench).
;
; Flat 32-bit protected mode, no paging, loaded and entered at 0x100000 with
; ESI = N (the runner sets it).  Three phases, each begun by an OUT of the
; phase number to MARK_PORT so the runner can take a CLOCK_MONOTONIC stamp
; at each marker exit:
;   1  N x CPUID (leaf 0)       answered inside the kernel: exit + re-entry
;   2  N x OUT to WORK_PORT     a full round trip to the runner in userland
;   3  done; then HLT (IF=0)
; The runner restarts it at 0x100000 for each round.

	bits	32
	org	0x100000

MARK_PORT	equ 0x500
WORK_PORT	equ 0x501

start:
	mov	ebp, esi			; N, kept across CPUID (EAX-EDX)
	test	ebp, ebp
	jz	.done

	mov	dx, MARK_PORT
	mov	al, 1
	out	dx, al
	mov	edi, ebp
.cpuid:	xor	eax, eax
	xor	ecx, ecx
	cpuid
	dec	edi
	jnz	.cpuid

	mov	dx, MARK_PORT
	mov	al, 2
	out	dx, al
	mov	edi, ebp
	mov	dx, WORK_PORT
.pio:	out	dx, al
	dec	edi
	jnz	.pio

.done:	mov	dx, MARK_PORT
	mov	al, 3
	out	dx, al
.halt:	cli
	hlt
	jmp	.halt
