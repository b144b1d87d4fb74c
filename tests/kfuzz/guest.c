// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz guest code: what the vCPUs run.  A VM's code slot (GPA 0) gets
 * descriptor tables, page tables and exception stubs in fixed places
 * (kfuzz.h, KF_*_GPA) and from KF_CODE_GPA a random list of snippets,
 * each a few instructions meant to exit, fault or switch modes: port I/O,
 * MMIO to unmapped GPAs, CPUID, RDMSR/WRMSR, HLT, INT3, UD2, MOV to
 * CR0/CR3/CR4, EFER writes, LGDT/LIDT of garbage, real -> protected ->
 * long mode switches, INVLPG, XSETBV, VMMCALL/VMCALL/VMRUN/VMLAUNCH,
 * SYSCALL, IRET with junk frames, triple faults, spins, random bytes.
 *
 * The snippets are encoded for the mode the code is in at that point
 * (tracked while generating: a mode switch changes it).  Their start
 * addresses are kept so that the executor can move a vCPU stuck on an
 * MMIO or faulting instruction on to the next snippet.
 */
#include <string.h>
#include <stdio.h>

#include "kfuzz.h"

#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)

struct emit {
	uint8_t *buf;		/* the code slot's memory */
	uint64_t pos, end;	/* GPA = offset in the slot */
	enum kf_mode mode;
	bool overflow;
	unsigned int known;
};

static void b(struct emit *e, uint8_t v)
{
	if (e->pos >= e->end) {
		e->overflow = true;
		return;
	}
	e->buf[e->pos++] = v;
}

static void bytes(struct emit *e, const uint8_t *v, size_t n)
{
	while (n--)
		b(e, *v++);
}

static void imm16(struct emit *e, uint16_t v)
{
	b(e, v);
	b(e, v >> 8);
}

static void imm32(struct emit *e, uint32_t v)
{
	imm16(e, v);
	imm16(e, v >> 16);
}

static void imm64(struct emit *e, uint64_t v)
{
	imm32(e, v);
	imm32(e, v >> 32);
}

/* Operand-size prefix for a 32-bit operation in 16-bit code. */
static void o32(struct emit *e)
{
	if (e->mode == KF_MODE_REAL)
		b(e, 0x66);
}

/* Address-size prefix for a 32-bit address in 16-bit code. */
static void a32(struct emit *e)
{
	if (e->mode == KF_MODE_REAL)
		b(e, 0x67);
}

/* Operand-size prefix for size 0 (byte), 1 (word) or 2 (dword). */
static void opsize(struct emit *e, int size)
{
	if ((size == 1 && e->mode != KF_MODE_REAL) || (size == 2 && e->mode == KF_MODE_REAL))
		b(e, 0x66);
}

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

/* mov reg, imm (32 bits; 64 in long mode when wide). */
static void mov_imm(struct emit *e, int reg, uint64_t v)
{
	if (e->mode == KF_MODE_LONG && v >> 32) {
		b(e, 0x48);
		b(e, 0xb8 + reg);
		imm64(e, v);
		return;
	}
	o32(e);
	b(e, 0xb8 + reg);
	imm32(e, v);
}

/* mov eax, crN / mov crN, eax (0f 20/22, mod 11, reg = N, rm = eax). */
static void mov_from_cr(struct emit *e, int cr)
{
	b(e, 0x0f);
	b(e, 0x20);
	b(e, 0xc0 | cr << 3);
}

static void mov_to_cr(struct emit *e, int cr)
{
	b(e, 0x0f);
	b(e, 0x22);
	b(e, 0xc0 | cr << 3);
}

/* or eax, imm32 */
static void or_eax(struct emit *e, uint32_t v)
{
	o32(e);
	b(e, 0x0d);
	imm32(e, v);
}

/* An absolute memory operand for opcode bytes op (modrm reg field r). */
static void mem_abs(struct emit *e, const uint8_t *op, size_t n, int r, uint32_t addr)
{
	if (e->mode == KF_MODE_REAL) {
		/* 16-bit: disp16, so only addresses in DS's 64 KiB */
		bytes(e, op, n);
		b(e, 0x06 | r << 3);
		imm16(e, addr);
	} else if (e->mode == KF_MODE_LONG) {
		bytes(e, op, n);
		b(e, 0x04 | r << 3);
		b(e, 0x25);		/* SIB: no base, no index: disp32 */
		imm32(e, addr);
	} else {
		bytes(e, op, n);
		b(e, 0x05 | r << 3);
		imm32(e, addr);
	}
}

/* ------------------------------------------------------------ values */

uint64_t kf_boundary(struct kf_rng *r)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000,
		0x1001, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0xfffff000, 1ULL << 36, 1ULL << 39, 1ULL << 40,
		(1ULL << 40) + 0x1000, 1ULL << 47, 1ULL << 48, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL, 0xffffffffffffffffULL,
		0xffff800000000000ULL, 0xffffffff80000000ULL,
	};

	switch (kf_below(r, 4)) {
	case 0:
		return kf_rand(r);
	case 1:
		return kf_below(r, 0x10000);
	default:
		return v[kf_below(r, sizeof(v) / sizeof(v[0]))] + (kf_pct(r, 20) ? kf_below(r, 3) - 1 : 0);
	}
}

uint32_t kf_msr_index(struct kf_rng *r)
{
	static const uint32_t msrs[] = {
		0x10, 0x1b, 0x3a, 0x48, 0x8b, 0xfe, 0x174, 0x175, 0x176, 0x1a0, 0x1d9,
		0x277, 0x2ff, 0x6e0, 0x800, 0x802, 0x808, 0x80b, 0x830, 0x838, 0x83f,
		0x8ff, 0x480, 0x48d, 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083,
		0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
		0xc0010010, 0xc0010114, 0xc0010117, 0xc0011020, 0x40000000,
		0x4b564d00, 0xffffffff, 0x80000000, 0x1fff, 0x2000,
	};

	if (kf_pct(r, 20))
		return kf_rand(r);
	return msrs[kf_below(r, sizeof(msrs) / sizeof(msrs[0]))];
}

/* A CR0/CR4 value: the usual bits in random combinations, or anything. */
static uint64_t cr_value(struct kf_rng *r, int cr)
{
	uint64_t v;

	if (kf_pct(r, 15))
		return kf_boundary(r);
	if (cr == 0) {
		v = CR0_ET | (kf_rand(r) & 0xe005003f);
		if (kf_pct(r, 50))
			v |= CR0_PE;
	} else if (cr == 4) {
		v = kf_rand(r) & 0x007f77ff;
	} else {
		v = kf_rand(r) & 0xfffff000;
	}
	return v;
}

/* ------------------------------------------------------------ snippets */

static void snip_pio(struct emit *e, struct kf_rng *r)
{
	static const uint16_t ports[] = { 0x80, 0xe9, 0x3f8, 0x3fd, 0x20, 0x21, 0x40, 0x43,
					  0x60, 0x64, 0x70, 0x71, 0xcf8, 0xcfc, 0x510, 0xffff };
	uint16_t port = kf_pct(r, 60) ? ports[kf_below(r, 16)] : kf_rand(r);
	int size = kf_below(r, 3);
	bool in = kf_pct(r, 50);

	mov_imm(e, EDX, port);
	mov_imm(e, EAX, kf_rand(r));
	opsize(e, size);
	if (kf_pct(r, 20)) {
		/* IN/OUT with an imm8 port */
		b(e, (in ? 0xe4 : 0xe6) | (size ? 1 : 0));
		b(e, port);
		return;
	}
	b(e, (in ? 0xec : 0xee) | (size ? 1 : 0));
}

static void snip_pio_string(struct emit *e, struct kf_rng *r)
{
	mov_imm(e, EDX, kf_pct(r, 50) ? 0x3f8 : kf_rand(r) & 0xffff);
	mov_imm(e, ECX, kf_pct(r, 70) ? kf_below(r, 8) : kf_boundary(r));
	mov_imm(e, ESI, kf_pct(r, 50) ? KF_CODE_GPA : kf_rand(r));
	mov_imm(e, EDI, kf_pct(r, 50) ? KF_STACK_TOP - 0x100 : kf_rand(r));
	if (kf_pct(r, 70))
		b(e, 0xf3);	/* rep */
	if (kf_pct(r, 30))
		a32(e);
	b(e, 0x6c + kf_below(r, 4));	/* insb/insd/outsb/outsd */
}

static void snip_mmio(struct emit *e, struct kf_rng *r)
{
	static const uint32_t gpas[] = { 0xfee00000, 0xfee00020, 0xfee000b0, 0xfee00300,
					 0xfec00000, 0xfed00000, 0xe0000000, 0x3ffff000,
					 0xb8000, 0xa0000, 0xfffffff0, 0x100000 };
	uint32_t gpa = kf_pct(r, 50) ? gpas[kf_below(r, 12)] :
		       (uint32_t)kf_rand(r) & (kf_pct(r, 50) ? 0x3fffffff : 0xffffffff);
	bool write = kf_pct(r, 50);

	mov_imm(e, EAX, kf_rand(r));
	if (e->mode == KF_MODE_REAL) {
		/* DS = gpa >> 4 (below 1 MiB), then [gpa & 0xf] */
		uint32_t a = gpa & 0xfffff;

		b(e, 0xb8);			/* mov ax, seg */
		imm16(e, a >> 4);
		b(e, 0x8e);
		b(e, 0xd8);			/* mov ds, ax */
		mem_abs(e, (const uint8_t[]){ write ? 0x88 : 0x8a }, 1, 0, a & 0xf);
		b(e, 0x31);
		b(e, 0xc0);			/* xor ax, ax */
		b(e, 0x8e);
		b(e, 0xd8);			/* mov ds, ax */
		return;
	}
	/* in long mode, a GPA beyond the identity map is a guest #PF */
	mem_abs(e, (const uint8_t[]){ write ? 0x89 : 0x8b }, 1, 0, gpa);
}

static void snip_cpuid(struct emit *e, struct kf_rng *r)
{
	static const uint32_t leaves[] = { 0, 1, 4, 7, 0xb, 0xd, 0x14, 0x1f, 0x40000000,
					   0x40000001, 0x80000000, 0x80000001, 0x80000008,
					   0x8000000a, 0x8000001f, 0xffffffff };

	mov_imm(e, EAX, kf_pct(r, 80) ? leaves[kf_below(r, 16)] : kf_rand(r));
	mov_imm(e, ECX, kf_below(r, 3) ? kf_below(r, 4) : kf_rand(r));
	b(e, 0x0f);
	b(e, 0xa2);
}

static void snip_msr(struct emit *e, struct kf_rng *r)
{
	uint32_t msr = kf_msr_index(r);
	uint64_t v = kf_boundary(r);

	mov_imm(e, ECX, msr);
	mov_imm(e, EAX, (uint32_t)v);
	mov_imm(e, EDX, v >> 32);
	b(e, 0x0f);
	b(e, kf_pct(r, 50) ? 0x30 : 0x32);	/* wrmsr / rdmsr */
}

/* MOV to CR0/CR3/CR4/CR8/CR2, random or made of the usual bits. */
static void snip_cr(struct emit *e, struct kf_rng *r)
{
	static const int crs[] = { 0, 3, 4, 8, 2 };
	int cr = crs[kf_below(r, 5)];
	uint64_t v = cr_value(r, cr);

	if (cr == 8)
		v = kf_pct(r, 80) ? kf_below(r, 16) : kf_rand(r);
	if (cr == 0 && e->mode == KF_MODE_LONG && kf_pct(r, 70))
		v |= CR0_PG | CR0_PE;	/* mostly stay in long mode */
	mov_imm(e, EAX, v);
	if (kf_pct(r, 20))
		mov_from_cr(e, cr);
	mov_to_cr(e, cr);
}

static void snip_efer(struct emit *e, struct kf_rng *r)
{
	uint64_t v = kf_pct(r, 70) ? kf_rand(r) & 0xd01 : kf_boundary(r);

	/* EFER.LME with or without CR4.PAE first (FINDINGS.md F1). */
	if ((v & 0x100) && kf_pct(r, 50)) {
		mov_from_cr(e, 4);
		or_eax(e, CR4_PAE);
		mov_to_cr(e, 4);
	}
	mov_imm(e, ECX, 0xc0000080);
	mov_imm(e, EAX, (uint32_t)v);
	mov_imm(e, EDX, v >> 32);
	b(e, 0x0f);
	b(e, 0x30);
}

/* LGDT/LIDT of a pseudo-descriptor: the good one or garbage. */
static void snip_descriptor_table(struct emit *e, struct kf_rng *r)
{
	bool idt = kf_pct(r, 50);
	uint32_t at = KF_GDTR_GPA + 16 * kf_below(r, 4);

	if (kf_pct(r, 20))
		at = kf_rand(r) & 0xfffff;
	mem_abs(e, (const uint8_t[]){ 0x0f, 0x01 }, 2, idt ? 3 : 2, at);
}

static void snip_invlpg(struct emit *e, struct kf_rng *r)
{
	mov_imm(e, EAX, kf_boundary(r));
	b(e, 0x0f);
	b(e, 0x01);
	b(e, 0x38);	/* invlpg [eax] ([bx+si] in 16-bit code) */
}

static void snip_xsetbv(struct emit *e, struct kf_rng *r)
{
	static const uint32_t xcr0[] = { 1, 3, 7, 0xe7, 0x2e7, 0x60003, 0x20003, 0, 2, 0x207 };
	uint64_t v = kf_pct(r, 70) ? xcr0[kf_below(r, 10)] : kf_boundary(r);

	if (kf_pct(r, 50)) {
		/* CR4.OSXSAVE first, else XSETBV is #UD */
		mov_from_cr(e, 4);
		or_eax(e, 1U << 18);
		mov_to_cr(e, 4);
	}
	mov_imm(e, ECX, kf_pct(r, 80) ? 0 : kf_rand(r));
	mov_imm(e, EAX, (uint32_t)v);
	mov_imm(e, EDX, v >> 32);
	b(e, 0x0f);
	b(e, 0x01);
	b(e, kf_pct(r, 80) ? 0xd1 : 0xd0);	/* xsetbv / xgetbv */
}

static void snip_virt_insn(struct emit *e, struct kf_rng *r)
{
	static const uint8_t ops[][3] = {
		{ 0x0f, 0x01, 0xd9 },	/* vmmcall */
		{ 0x0f, 0x01, 0xc1 },	/* vmcall */
		{ 0x0f, 0x01, 0xd8 },	/* vmrun */
		{ 0x0f, 0x01, 0xc2 },	/* vmlaunch */
		{ 0x0f, 0x01, 0xc3 },	/* vmresume */
		{ 0x0f, 0x01, 0xda },	/* vmload */
		{ 0x0f, 0x01, 0xdb },	/* vmsave */
		{ 0x0f, 0x01, 0xdc },	/* stgi */
		{ 0x0f, 0x01, 0xdd },	/* clgi */
		{ 0x0f, 0x01, 0xde },	/* skinit */
		{ 0x0f, 0x01, 0xdf },	/* invlpga */
		{ 0x0f, 0x01, 0xc4 },	/* vmxoff */
		{ 0x0f, 0x01, 0xc8 },	/* monitor */
		{ 0x0f, 0x01, 0xc9 },	/* mwait */
		{ 0x0f, 0x01, 0xd4 },	/* vmfunc */
		{ 0x0f, 0x37, 0x90 },	/* getsec; nop */
	};

	mov_imm(e, EAX, kf_pct(r, 50) ? 0 : kf_rand(r));
	bytes(e, ops[kf_below(r, 16)], 3);
}

static void snip_misc(struct emit *e, struct kf_rng *r)
{
	static const uint8_t ops[][4] = {
		{ 1, 0xf4 },			/* hlt */
		{ 1, 0xcc },			/* int3 */
		{ 2, 0x0f, 0x0b },		/* ud2 */
		{ 2, 0x0f, 0x05 },		/* syscall */
		{ 2, 0x0f, 0x34 },		/* sysenter */
		{ 2, 0x0f, 0x07 },		/* sysret */
		{ 2, 0x0f, 0x31 },		/* rdtsc */
		{ 3, 0x0f, 0x01, 0xf9 },	/* rdtscp */
		{ 2, 0x0f, 0x33 },		/* rdpmc */
		{ 2, 0x0f, 0x08 },		/* invd */
		{ 2, 0x0f, 0x09 },		/* wbinvd */
		{ 2, 0x0f, 0x06 },		/* clts */
		{ 1, 0xfb },			/* sti */
		{ 1, 0xfa },			/* cli */
		{ 2, 0xf3, 0x90 },		/* pause */
		{ 1, 0xce },			/* into */
		{ 2, 0xcd, 0x00 },		/* int 0 */
		{ 2, 0xcd, 0x80 },		/* int 0x80 */
		{ 1, 0xf1 },			/* int1 */
		{ 3, 0x0f, 0x01, 0xd0 },	/* xgetbv */
		{ 3, 0x0f, 0x00, 0xd8 },	/* ltr ax */
		{ 3, 0x0f, 0x00, 0xd0 },	/* lldt ax */
		{ 3, 0x0f, 0x01, 0xf0 },	/* lmsw ax */
		{ 3, 0x0f, 0xc7, 0xf8 },	/* rdseed eax */
		{ 3, 0x0f, 0xc7, 0xf0 },	/* rdrand eax */
		{ 2, 0x0f, 0xa2 },		/* cpuid */
		{ 1, 0x9d },			/* popf */
		{ 3, 0x0f, 0x01, 0xf8 },	/* swapgs */
		{ 3, 0x0f, 0xae, 0xe8 },	/* lfence */
	};
	const uint8_t *op = ops[kf_below(r, sizeof(ops) / sizeof(ops[0]))];

	if (kf_pct(r, 50))
		mov_imm(e, EAX, kf_boundary(r));
	bytes(e, op + 1, op[0]);
}

/*
 * MOV to a debug register: DR0-3 at random or code addresses, DR7 with
 * random enables.  Not on the SVM leg unless KF_KNOWN_DR7: an L2 with
 * debug-register breakpoints aborts QEMU 7.2, the SVM leg's L1 (isolated
 * with --snippets dr,pio,cpuid,mmio; FINDINGS.md F4).
 */
static void snip_dr(struct emit *e, struct kf_rng *r)
{
	int dr = kf_pct(r, 50) ? 7 : kf_below(r, 8);

	if (!(e->known & KF_KNOWN_DR7)) {
		snip_misc(e, r);
		return;
	}
	mov_imm(e, EAX, dr == 7 ? (kf_rand(r) & 0xffff03ff) | 0x400 :
		kf_pct(r, 50) ? KF_CODE_GPA + kf_below(r, 0x200) : kf_boundary(r));
	b(e, 0x0f);
	b(e, 0x23);
	b(e, 0xc0 | dr << 3);	/* mov drN, eax */
}

/* IRET with a frame of junk (or of almost-right values). */
static void snip_iret(struct emit *e, struct kf_rng *r)
{
	int i, n = e->mode == KF_MODE_LONG ? 5 : 3;

	for (i = 0; i < n; i++) {
		uint32_t v = kf_pct(r, 50) ? kf_rand(r) : kf_boundary(r);

		/*
		 * EFLAGS (pushed first of three, third of five): no VM bit
		 * unless KF_KNOWN_VM86 - an IRET to virtual-8086 mode in an
		 * L2 aborts QEMU 7.2, the SVM leg's L1 (FINDINGS.md).
		 */
		if (i == (e->mode == KF_MODE_LONG ? 2 : 0) && !(e->known & KF_KNOWN_VM86))
			v &= ~0x20000U;

		if (e->mode == KF_MODE_REAL) {
			b(e, 0x68);	/* push imm16 */
			imm16(e, v);
		} else {
			b(e, 0x68);	/* push imm32 (sign-extended in long mode) */
			imm32(e, v);
		}
	}
	if (e->mode == KF_MODE_LONG)
		b(e, 0x48);
	b(e, 0xcf);
}

/* An empty IDT, then an exception: #DF, then shutdown. */
static void snip_triple(struct emit *e, struct kf_rng *r)
{
	/* KF_GDTR_GPA + 48: the zero-limit pseudo-descriptor */
	mem_abs(e, (const uint8_t[]){ 0x0f, 0x01 }, 2, 3, KF_GDTR_GPA + 48);
	b(e, kf_pct(r, 50) ? 0xcc : 0x0f);
	if (e->buf[e->pos - 1] == 0x0f)
		b(e, 0x0b);
}

/* Trap flag on: a #DB after every instruction (intercepted, reflected). */
static void snip_tf(struct emit *e, struct kf_rng *r)
{
	b(e, 0x9c);			/* pushf */
	o32(e);
	b(e, 0x58);			/* pop eax */
	or_eax(e, kf_pct(r, 70) ? 0x100 : 0x40000);	/* TF or AC */
	o32(e);
	b(e, 0x50);			/* push eax */
	b(e, 0x9d);			/* popf */
	b(e, 0x90);
}

static void snip_random(struct emit *e, struct kf_rng *r)
{
	unsigned int i, n = 1 + kf_below(r, 24);

	for (i = 0; i < n; i++)
		b(e, kf_rand(r));
}

static void snip_spin(struct emit *e, struct kf_rng *r)
{
	(void)r;
	b(e, 0xeb);
	b(e, 0xfe);		/* jmp $: only a kick ends the run */
}

/* A far jump to a random or TSS selector (a task switch on VMX). */
static void snip_far(struct emit *e, struct kf_rng *r)
{
	uint16_t sel = kf_pct(r, 50) ? KF_SEL_TSS : kf_rand(r);

	if (e->mode == KF_MODE_LONG) {
		/* no direct far jump in 64-bit mode: jmp far [abs] */
		mem_abs(e, (const uint8_t[]){ 0xff }, 1, 5, KF_GDTR_GPA + 64);
		return;
	}
	b(e, 0xea);
	if (e->mode == KF_MODE_REAL) {
		imm16(e, kf_rand(r));
	} else {
		imm32(e, kf_rand(r));
	}
	imm16(e, sel);
}

/* real -> protected -> long, the textbook way (SDM vol. 3 10.9, 10.8.5). */
static void snip_mode_switch(struct emit *e, struct kf_rng *r)
{
	uint64_t next;

	if (e->mode == KF_MODE_REAL) {
		mem_abs(e, (const uint8_t[]){ 0x0f, 0x01 }, 2, 2, KF_GDTR_GPA);	/* lgdt */
		mov_from_cr(e, 0);
		or_eax(e, CR0_PE);
		mov_to_cr(e, 0);
		/* jmp far 0x08:next (ptr16:16 from 16-bit code) */
		next = e->pos + 5;
		b(e, 0xea);
		imm16(e, next);
		imm16(e, KF_SEL_CODE32);
		e->mode = KF_MODE_PROT;
		/* mov ax, 0x10; mov ds/es/ss, ax */
		b(e, 0x66), b(e, 0xb8), imm16(e, KF_SEL_DATA);
		b(e, 0x8e), b(e, 0xd8);
		b(e, 0x8e), b(e, 0xc0);
		b(e, 0x8e), b(e, 0xd0);
		return;
	}
	if (e->mode == KF_MODE_PROT) {
		mov_from_cr(e, 4);
		or_eax(e, CR4_PAE);
		mov_to_cr(e, 4);
		mov_imm(e, EAX, KF_PML4_GPA);
		mov_to_cr(e, 3);
		mov_imm(e, ECX, 0xc0000080);
		b(e, 0x0f), b(e, 0x32);		/* rdmsr */
		or_eax(e, EFER_LME);
		b(e, 0x0f), b(e, 0x30);		/* wrmsr */
		mov_from_cr(e, 0);
		or_eax(e, CR0_PG);
		mov_to_cr(e, 0);
		next = e->pos + 7;
		b(e, 0xea);
		imm32(e, next);
		imm16(e, KF_SEL_CODE64);
		e->mode = KF_MODE_LONG;
		return;
	}
	/* long mode: back to compatibility mode and down, or a bad CS */
	if (kf_pct(r, 50)) {
		mov_from_cr(e, 0);
		b(e, 0x25), imm32(e, 0x7fffffff);	/* and eax: paging off (#GP in 64-bit) */
		mov_to_cr(e, 0);
	} else {
		mem_abs(e, (const uint8_t[]){ 0xff }, 1, 5, KF_GDTR_GPA + 64);
	}
}

struct snippet {
	const char *name;
	unsigned int weight;
	void (*fn)(struct emit *e, struct kf_rng *r);
};

static const struct snippet snippets[] = {
	{ "pio", 14, snip_pio },
	{ "pio-string", 4, snip_pio_string },
	{ "mmio", 10, snip_mmio },
	{ "cpuid", 5, snip_cpuid },
	{ "msr", 8, snip_msr },
	{ "cr", 8, snip_cr },
	{ "efer", 3, snip_efer },
	{ "lgdt-lidt", 3, snip_descriptor_table },
	{ "invlpg", 2, snip_invlpg },
	{ "xsetbv", 4, snip_xsetbv },
	{ "virt-insn", 4, snip_virt_insn },
	{ "misc", 10, snip_misc },
	{ "dr", 2, snip_dr },
	{ "iret", 3, snip_iret },
	{ "triple", 2, snip_triple },
	{ "tf-ac", 1, snip_tf },
	{ "random", 6, snip_random },
	{ "spin", 1, snip_spin },
	{ "far", 2, snip_far },
	{ "mode-switch", 8, snip_mode_switch },
};

#define NR_SNIPPETS (sizeof(snippets) / sizeof(snippets[0]))

/* Whether snippet s is allowed by --snippets (a comma-separated list). */
static bool allowed(const struct kf_opts *o, const struct snippet *s)
{
	const char *l = o->snippets;
	size_t n = strlen(s->name);

	if (!l)
		return true;
	while (*l) {
		if (!strncmp(l, s->name, n) && (l[n] == ',' || !l[n]))
			return true;
		l = strchr(l, ',');
		if (!l)
			break;
		l++;
	}
	return false;
}

static const struct snippet *pick_snippet(const struct kf_opts *o, struct kf_rng *r)
{
	unsigned int total = 0, i, x;

	for (i = 0; i < NR_SNIPPETS; i++)
		if (allowed(o, &snippets[i]))
			total += snippets[i].weight;
	x = kf_below(r, total);
	for (i = 0; i < NR_SNIPPETS; i++) {
		if (!allowed(o, &snippets[i]))
			continue;
		if (x < snippets[i].weight)
			return &snippets[i];
		x -= snippets[i].weight;
	}
	return &snippets[0];
}

/* ------------------------------------------------------------ tables */

static void put64(uint8_t *m, uint64_t off, uint64_t v)
{
	memcpy(m + off, &v, 8);
}

static void put16(uint8_t *m, uint64_t off, uint16_t v)
{
	memcpy(m + off, &v, 2);
}

static void put32(uint8_t *m, uint64_t off, uint32_t v)
{
	memcpy(m + off, &v, 4);
}

static void fill_tables(uint8_t *m, struct kf_rng *r)
{
	uint64_t i;

	/* GDT: null, code32, data, code64, code16, TSS (type 9), junk */
	put64(m, KF_GDT_GPA + 0x00, 0);
	put64(m, KF_GDT_GPA + 0x08, 0x00cf9b000000ffffULL);
	put64(m, KF_GDT_GPA + 0x10, 0x00cf93000000ffffULL);
	put64(m, KF_GDT_GPA + 0x18, 0x00af9b000000ffffULL);
	put64(m, KF_GDT_GPA + 0x20, 0x00009b000000ffffULL);
	put64(m, KF_GDT_GPA + 0x28, 0x0000890070000067ULL);	/* base 0x7000 */
	put64(m, KF_GDT_GPA + 0x30, kf_rand(r));
	put64(m, KF_GDT_GPA + 0x38, kf_rand(r));

	/* pseudo-descriptors: good GDT, good IDT, junk, junk, zero IDT */
	put16(m, KF_GDTR_GPA + 0, 0x3f);
	put64(m, KF_GDTR_GPA + 2, KF_GDT_GPA);
	put16(m, KF_GDTR_GPA + 16, 0xfff);
	put64(m, KF_GDTR_GPA + 18, KF_IDT_GPA);
	put16(m, KF_GDTR_GPA + 32, kf_rand(r));
	put64(m, KF_GDTR_GPA + 34, kf_boundary(r));
	put16(m, KF_GDTR_GPA + 48, 0);
	put64(m, KF_GDTR_GPA + 50, 0);
	/* a far pointer for jmp far [mem]: offset, selector */
	put32(m, KF_GDTR_GPA + 64, kf_rand(r));
	put16(m, KF_GDTR_GPA + 68, kf_pct(r, 50) ? KF_SEL_CODE32 : kf_rand(r));

	/* identity map of the first GiB with 2 MiB pages */
	memset(m + KF_PML4_GPA, 0, 0x3000);
	put64(m, KF_PML4_GPA, KF_PDPT_GPA | 0x7);
	put64(m, KF_PDPT_GPA, KF_PD_GPA | 0x7);
	for (i = 0; i < 512; i++)
		put64(m, KF_PD_GPA + i * 8, (i << 21) | 0x87);
	if (kf_pct(r, 10))	/* a reserved bit: #PF(RSVD) on some walks */
		put64(m, KF_PD_GPA + 8 * kf_below(r, 512), kf_rand(r) | 1);

	/*
	 * Exception stubs: "out 0xe9, al; iret" for real mode (IVT), the
	 * same with iretd / iretq for the IDT, or junk gates.
	 */
	m[KF_STUB_GPA + 0] = 0xe6, m[KF_STUB_GPA + 1] = 0xe9, m[KF_STUB_GPA + 2] = 0xcf;
	m[KF_STUB_GPA + 16] = 0xe6, m[KF_STUB_GPA + 17] = 0xe9;
	m[KF_STUB_GPA + 18] = 0x48, m[KF_STUB_GPA + 19] = 0xcf;
	for (i = 0; i < 256; i++)
		put32(m, KF_IVT_GPA + i * 4, KF_STUB_GPA);	/* 0000:6000 */
	for (i = 0; i < 256; i++) {
		/* 64-bit interrupt gate, code64, to stub+16 (16 bytes each) */
		uint64_t lo = (KF_STUB_GPA + 16) | (uint64_t)KF_SEL_CODE64 << 16 |
			      0x8e00ULL << 32;

		if (i * 16 + 16 > 0x1000)
			break;
		put64(m, KF_IDT_GPA + i * 16, lo);
		put64(m, KF_IDT_GPA + i * 16 + 8, 0);
	}
	if (kf_pct(r, 30)) {
		/* a few junk gates */
		for (i = 0; i < 8; i++)
			put64(m, KF_IDT_GPA + kf_below(r, 256) * 16, kf_rand(r));
	}
	if (kf_pct(r, 10))
		for (i = 0; i < 0x400; i += 8)
			put64(m, KF_IVT_GPA + i, kf_rand(r));
}

/* ------------------------------------------------------------ API */

void kf_guest_fill(struct kf_prog *p, struct kf_rng *r, int vm, enum kf_mode mode,
		   char *desc, size_t n)
{
	struct kf_obj *o = &p->objs[vm];
	struct kf_mem *mem;
	struct emit e;
	size_t used = 0;
	int nsn = 0;

	desc[0] = 0;
	if (o->code_mem < 0 || !p->mems[o->code_mem].mapped || p->mems[o->code_mem].readonly)
		return;
	mem = &p->mems[o->code_mem];
	if (mem->size < KF_CODE_MIN)
		return;

	fill_tables(mem->addr, r);
	e = (struct emit){
		.buf = mem->addr, .pos = KF_CODE_GPA,
		.end = mem->size < 0x40000 ? mem->size : 0x40000,
		.mode = mode == KF_MODE_RESET ? KF_MODE_REAL : mode,
		.known = p->o->known,
	};
	/* QEMU's troubles (the SVM leg's L1) are not Bochs's. */
	if (p->have_caps && p->caps.backend == VIREO_BACKEND_VMX)
		e.known |= KF_KNOWN_QEMU;
	used = snprintf(desc, n, "code %s:", mode == KF_MODE_LONG ? "64" :
			mode == KF_MODE_PROT ? "32" : "16");
	o->nsnips = 0;
	while (nsn < KF_MAX_SNIPS - 1 && !e.overflow && kf_below(r, 40) != 0) {
		const struct snippet *s = pick_snippet(p->o, r);

		o->snips[o->nsnips++] = e.pos;
		s->fn(&e, r);
		nsn++;
		if (used < n)
			used += snprintf(desc + used, n - used, " %s", s->name);
		if (p->o->trace)
			kf_trace(p, 0, "  snippet %s at %#x", s->name, o->snips[o->nsnips - 1]);
	}
	o->snips[o->nsnips++] = e.pos;
	/* end: HLT, then spin */
	b(&e, 0xf4);
	b(&e, 0xeb);
	b(&e, 0xfd);
}

/*
 * TR's type: a busy 32/64-bit TSS (11), what VM entry requires (SDM
 * 27.3.1.2), real hardware keeps and SET_SREGS takes (FINDINGS.md F7: it
 * refuses any other; the SVM backend hands QEMU the available type).
 * Until 2026-12-07 the SVM leg used 9 here, which SET_SREGS refused since
 * F7's fix: that leg's programs then ran the reset state only.
 */
static const uint8_t tr_type = 0xb;

static void seg(struct vireo_segment *s, uint16_t sel, uint8_t type, uint32_t limit,
		int db, int l, int g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->type = type;
	s->limit = limit;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = g;
}

void kf_guest_sregs(enum kf_mode mode, struct vireo_sregs *sr)
{
	memset(sr, 0, sizeof(*sr));
	switch (mode) {
	case KF_MODE_RESET:
	case KF_MODE_REAL:
		seg(&sr->cs, 0, 0xb, 0xffff, 0, 0, 0);
		seg(&sr->ds, 0, 0x3, 0xffff, 0, 0, 0);
		sr->idt.limit = 0x3ff;
		sr->cr0 = CR0_ET;
		break;
	case KF_MODE_PROT:
		seg(&sr->cs, KF_SEL_CODE32, 0xb, 0xffffffff, 1, 0, 1);
		seg(&sr->ds, KF_SEL_DATA, 0x3, 0xffffffff, 1, 0, 1);
		sr->idt.base = KF_IDT_GPA;
		sr->idt.limit = 0x7ff;
		sr->cr0 = CR0_PE | CR0_ET;
		break;
	case KF_MODE_LONG:
	default:
		seg(&sr->cs, KF_SEL_CODE64, 0xb, 0xffffffff, 0, 1, 1);
		seg(&sr->ds, KF_SEL_DATA, 0x3, 0xffffffff, 1, 0, 1);
		sr->idt.base = KF_IDT_GPA;
		sr->idt.limit = 0xfff;
		sr->cr0 = CR0_PE | CR0_ET | CR0_PG;
		sr->cr3 = KF_PML4_GPA;
		sr->cr4 = CR4_PAE;
		sr->efer = EFER_LME | EFER_LMA;
		break;
	}
	sr->es = sr->fs = sr->gs = sr->ss = sr->ds;
	sr->gdt.base = KF_GDT_GPA;
	sr->gdt.limit = 0x3f;
	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.selector = KF_SEL_TSS;
	sr->tr.base = 0x7000;
	sr->tr.limit = 0x67;
	sr->tr.type = tr_type;
	sr->tr.present = 1;
	sr->ldt.type = 2;
	sr->ldt.present = 1;
	sr->ldt.limit = 0xffff;
}

void kf_guest_regs(struct kf_rng *r, enum kf_mode mode, struct vireo_regs *regs)
{
	(void)mode;
	memset(regs, 0, sizeof(*regs));
	regs->rip = KF_CODE_GPA;
	regs->rsp = KF_STACK_TOP;
	regs->rflags = 2 | (kf_pct(r, 30) ? 0x200 : 0);
	regs->rax = kf_rand(r);
	regs->rbx = kf_below(r, 0x10000);
	regs->rcx = kf_below(r, 16);
}
