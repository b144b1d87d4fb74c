// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test of the MMIO emulator (emu_diff.h).
 *
 * Native side: a fixed, executable mapping at REGION holds a generated
 * harness that loads all 16 GPRs, RFLAGS and YMM0-15 from IN_STATE, runs
 * the instruction under test, and stores them to OUT_STATE.  The
 * instruction's memory operand points into MMIO_BUF (plain RAM here); the
 * stack and the other side of a string instruction are in RAM_BUF.  #DE
 * and #GP come back as signals (on an alternate stack: RSP is the guest's).
 *
 * Emulated side: the same bytes and registers go to vireo_emu_mmio() in a
 * 64-bit CPL-3 guest whose page tables map the same linear addresses:
 * MMIO_BUF to guest-physical addresses outside RAM (a fake device that
 * records every access), RAM_BUF to guest RAM.
 *
 * Compared: GPRs, RIP, the status flags and DF minus those the SDM leaves
 * undefined for the instruction (its "Flags Affected"), both buffers, the
 * vector registers, the exception raised, and for single-operand integer
 * instructions the device accesses (one read and/or one write of the
 * operand's width at its address).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libvireo.h>
#include <vireo/emulate.h>
#include <vireo/x86.h>

#include "emu_diff.h"

#define REGION		0x10000000UL
#define REGION_SIZE	0x40000UL
#define CODE		(REGION + 0x0000)
#define IN_STATE	(REGION + 0x1000)
#define OUT_STATE	(REGION + 0x2000)
#define MMIO_BUF	(REGION + 0x10000)
#define RAM_BUF		(REGION + 0x20000)
#define BUF_SIZE	0x2000UL
#define RAM_GPA		0x100000UL
#define GUEST_RAM	(2UL << 20)

#define STATUS (VIREO_RFLAGS_STATUS | VIREO_RFLAGS_DF)

struct cpu_state {
	uint64_t gpr[16];	/* encoding order */
	uint64_t rflags;
	uint64_t saved_rsp;	/* the harness's own stack */
	uint8_t pad[0x100 - 18 * 8];
	uint8_t ymm[16][32];
};
_Static_assert(offsetof(struct cpu_state, ymm) == 0x100, "cpu_state layout");

const char *const emu_diff_family_names[DIFF_FAMILIES] = {
	"alu", "unary", "muldiv", "shift", "bit", "xchg", "mov", "stack", "string", "vector",
	"cond",
};

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int rndn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

/* Operand values that reach the edges: 0, all ones, sign bits, small. */
static uint64_t rnd_value(void)
{
	switch (rndn(8)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << rndn(64);
	case 3:
		return rndn(16);
	case 4:
		return (uint64_t)-(int64_t)rndn(16);
	case 5:
		return 0x80ULL << (8 * rndn(8)) >> 1;
	default:
		return rnd();
	}
}

/* ------------------------------------------------------------ native */

struct emit {
	uint8_t *p;
};

static void e8(struct emit *e, uint8_t b)
{
	*e->p++ = b;
}

static void e32(struct emit *e, uint32_t v)
{
	memcpy(e->p, &v, 4);
	e->p += 4;
}

/* REX.W <opcode> reg, [abs32]: 8B loads, 89 stores. */
static void mov_abs(struct emit *e, uint8_t opcode, unsigned int reg, uint64_t addr)
{
	e8(e, 0x48 | (reg >= 8 ? 4 : 0));
	e8(e, opcode);
	e8(e, ((reg & 7) << 3) | 4);
	e8(e, 0x25);
	e32(e, (uint32_t)addr);
}

/* vmovdqu ymm, [abs32] (6F) or [abs32], ymm (7F). */
static void vmovdqu_abs(struct emit *e, uint8_t opcode, unsigned int reg, uint64_t addr)
{
	if (reg < 8) {
		e8(e, 0xc5);
		e8(e, 0xfe);
	} else {
		e8(e, 0xc4);
		e8(e, 0x61);
		e8(e, 0x7e);
	}
	e8(e, opcode);
	e8(e, ((reg & 7) << 3) | 4);
	e8(e, 0x25);
	e32(e, (uint32_t)addr);
}

static uint64_t insn_addr;	/* where the instruction under test starts */

static void emit_prologue(void)
{
	struct emit e = { (uint8_t *)CODE };
	unsigned int i;

	/* push rbx, rbp, r12-r15 */
	e8(&e, 0x53);
	e8(&e, 0x55);
	for (i = 4; i < 8; i++) {
		e8(&e, 0x41);
		e8(&e, 0x50 + i);
	}
	mov_abs(&e, 0x89, 4, IN_STATE + offsetof(struct cpu_state, saved_rsp));
	for (i = 0; i < 16; i++)
		vmovdqu_abs(&e, 0x6f, i, IN_STATE + offsetof(struct cpu_state, ymm[i]));
	/* mov rsp, &in.rflags; popfq */
	e8(&e, 0x48);
	e8(&e, 0xc7);
	e8(&e, 0xc4);
	e32(&e, (uint32_t)(IN_STATE + offsetof(struct cpu_state, rflags)));
	e8(&e, 0x9d);
	for (i = 0; i < 16; i++)
		mov_abs(&e, 0x8b, i, IN_STATE + 8 * i);
	insn_addr = (uint64_t)e.p;
}

static void emit_epilogue(uint8_t *p)
{
	struct emit e = { p };
	unsigned int i;

	for (i = 0; i < 16; i++)
		mov_abs(&e, 0x89, i, OUT_STATE + 8 * i);
	/* mov rsp, &out.rflags + 8; pushfq; cld (the C ABI wants DF clear) */
	e8(&e, 0x48);
	e8(&e, 0xc7);
	e8(&e, 0xc4);
	e32(&e, (uint32_t)(OUT_STATE + offsetof(struct cpu_state, rflags) + 8));
	e8(&e, 0x9c);
	e8(&e, 0xfc);
	for (i = 0; i < 16; i++)
		vmovdqu_abs(&e, 0x7f, i, OUT_STATE + offsetof(struct cpu_state, ymm[i]));
	e8(&e, 0xc5);	/* vzeroupper */
	e8(&e, 0xf8);
	e8(&e, 0x77);
	mov_abs(&e, 0x8b, 4, IN_STATE + offsetof(struct cpu_state, saved_rsp));
	for (i = 7; i >= 4; i--) {
		e8(&e, 0x41);
		e8(&e, 0x58 + i);
	}
	e8(&e, 0x5d);
	e8(&e, 0x5b);
	e8(&e, 0xc3);
}

static sigjmp_buf native_jmp;
static volatile sig_atomic_t in_native;

static void on_native_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (!in_native) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	in_native = 0;
	siglongjmp(native_jmp, sig);
}

/* 0, or the signal the instruction raised. */
static int run_native(void)
{
	void (*harness)(void) = (void (*)(void))CODE;
	int sig;

	sig = sigsetjmp(native_jmp, 1);
	if (sig)
		return sig;
	in_native = 1;
	harness();
	in_native = 0;
	return 0;
}

/* ------------------------------------------------------------ emulated */

struct access {
	uint64_t gpa;
	unsigned int size;
	bool write;
};

#define MAX_TRACE 128

static uint8_t *guest_ram;
static uint8_t device[BUF_SIZE];
static struct access trace[MAX_TRACE];
static unsigned int ntrace;
static bool device_error;

static int ram_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= GUEST_RAM || len > GUEST_RAM - gpa)
		return -EFAULT;
	memcpy(buf, guest_ram + gpa, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= GUEST_RAM || len > GUEST_RAM - gpa)
		return -EFAULT;
	memcpy(guest_ram + gpa, buf, len);
	return 0;
}

static int device_access(void *opaque, uint64_t gpa, unsigned int size, bool is_write,
			 uint64_t *data)
{
	(void)opaque;
	if (ntrace < MAX_TRACE)
		trace[ntrace++] = (struct access){ gpa, size, is_write };
	if (gpa < MMIO_BUF || gpa + size > MMIO_BUF + BUF_SIZE) {
		device_error = true;
		return -EIO;
	}
	if (is_write)
		memcpy(device + (gpa - MMIO_BUF), data, size);
	else
		memcpy(data, device + (gpa - MMIO_BUF), size);
	return 0;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(guest_ram + gpa, &v, 8);
}

/*
 * 4-level tables at 0x1000-0x4000: the code page, MMIO_BUF (identity, not
 * RAM) and RAM_BUF (-> RAM_GPA) are user pages; nothing else is mapped.
 */
static void build_page_tables(void)
{
	uint64_t u = VIREO_PTE_P | VIREO_PTE_RW | VIREO_PTE_US;
	unsigned int i;

	memset(guest_ram, 0, GUEST_RAM);
	put64(0x1000, 0x2000 | u);
	put64(0x2000, 0x3000 | u);
	put64(0x3000 + 8 * ((REGION >> 21) & 511), 0x4000 | u);
	put64(0x4000, 0x5000 | u);
	for (i = 0; i < BUF_SIZE / 4096; i++) {
		put64(0x4000 + 8 * (((MMIO_BUF >> 12) + i) & 511), (MMIO_BUF + i * 4096) | u);
		put64(0x4000 + 8 * (((RAM_BUF >> 12) + i) & 511), (RAM_GPA + i * 4096) | u);
	}
}

/* ------------------------------------------------------------ generator */

struct gen {
	uint8_t b[16];
	unsigned int n;
	int rip_disp_at;	/* offset of a RIP-relative disp32, or -1 */
	uint64_t target;	/* the address accessed (== gpa) */
	uint64_t ea;		/* the effective address encoded (BT: differs) */
	uint64_t undef;		/* flags the SDM leaves undefined */
	unsigned int size;	/* operand width in memory */
	bool expect_read, expect_write;
	bool check_trace;	/* one read and/or write at target */
	unsigned int family;
	uint32_t avoid;		/* registers not to use for addressing */
	uint32_t low_half_only;	/* registers whose bits 63:32 the SDM leaves open */
	uint32_t undef_regs;	/* registers the SDM leaves undefined */
	bool addr32;
};

static struct cpu_state *in_state = (struct cpu_state *)IN_STATE;
static struct cpu_state *out_state = (struct cpu_state *)OUT_STATE;

#define REG(i) (in_state->gpr[(i)])

static void put(struct gen *g, uint8_t b)
{
	if (g->n < sizeof(g->b))
		g->b[g->n++] = b;
}

static void put32(struct gen *g, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		put(g, (uint8_t)(v >> (8 * i)));
}

/* A register not in mask (and not RSP), marked used. */
static unsigned int pick_reg(uint32_t *mask)
{
	unsigned int r;

	do {
		r = rndn(16);
	} while ((*mask >> r) & 1 || r == 4);
	*mask |= 1U << r;
	return r;
}

/* How the memory operand is written; filled by plan_mem, emitted by emit_mem. */
struct mem_plan {
	unsigned int kind;	/* 0 [base+disp] 1 [base+index*s+disp] 2 [index*s+disp32] 3 rip 4 abs */
	unsigned int base, index, scale_log, disp_size;
	int32_t disp;
};

static void plan_mem(struct gen *g, struct mem_plan *m)
{
	uint32_t used = g->avoid;
	uint64_t t = g->ea, idx;
	uint64_t amask = g->addr32 ? 0xffffffffULL : ~0ULL;

	memset(m, 0, sizeof(*m));
	m->kind = rndn(5);
	m->disp_size = (unsigned int[]){ 0, 1, 4 }[rndn(3)];
	if (m->kind >= 2)
		m->disp_size = 4;
	m->disp = m->disp_size == 1 ? (int8_t)rnd() : m->disp_size == 4 ? (int32_t)(rnd() % 0x10000) - 0x8000 : 0;
	if (m->kind == 4)
		m->disp = (int32_t)t;
	if (m->kind == 0 || m->kind == 1)
		m->base = pick_reg(&used);
	if (m->kind == 1 || m->kind == 2) {
		m->index = pick_reg(&used);
		m->scale_log = rndn(4);
		idx = (uint64_t)((int64_t)rndn(512) - 256);
		if (m->kind == 2) {
			/* disp32 is sign-extended: keep index*scale + disp = t with small disp. */
			m->disp = (int32_t)(rnd() % 0x1000);
			idx = (t - (uint64_t)(int64_t)m->disp) >> m->scale_log;
			m->disp = (int32_t)(t - (idx << m->scale_log));
		}
		REG(m->index) = (idx & amask) | (g->addr32 ? rnd() << 32 : 0);
	}
	if (m->base || m->kind <= 1) {
		uint64_t rest = (uint64_t)(int64_t)m->disp;

		if (m->kind == 1)
			rest += (REG(m->index) & amask) << m->scale_log;
		if (m->kind <= 1)
			REG(m->base) = ((t - rest) & amask) | (g->addr32 ? rnd() << 32 : 0);
	}
}

static uint8_t rex_bits(const struct mem_plan *m)
{
	uint8_t rex = 0;

	if ((m->kind == 1 || m->kind == 2) && m->index >= 8)
		rex |= 2;
	if (m->kind <= 1 && m->base >= 8)
		rex |= 1;
	return rex;
}

static void emit_mem(struct gen *g, const struct mem_plan *m, unsigned int reg)
{
	unsigned int r = (reg & 7) << 3, mod;

	switch (m->kind) {
	case 3:	/* RIP-relative: patched once the length is known */
		put(g, r | 5);
		g->rip_disp_at = (int)g->n;
		put32(g, 0);
		return;
	case 4:	/* [disp32]: SIB, no base, no index */
		put(g, r | 4);
		put(g, 0x25);
		put32(g, (uint32_t)m->disp);
		return;
	case 2:
		put(g, r | 4);
		put(g, (uint8_t)((m->scale_log << 6) | ((m->index & 7) << 3) | 5));
		put32(g, (uint32_t)m->disp);
		return;
	default:
		break;
	}
	mod = m->disp_size == 0 ? 0 : m->disp_size == 1 ? 1 : 2;
	/* [rbp]/[r13] with mod 0 means RIP/disp32: use a zero disp8. */
	if (mod == 0 && (m->base & 7) == 5)
		mod = 1;
	if (m->kind == 1) {
		put(g, (uint8_t)((mod << 6) | r | 4));
		put(g, (uint8_t)((m->scale_log << 6) | ((m->index & 7) << 3) | (m->base & 7)));
	} else if ((m->base & 7) == 4) {
		put(g, (uint8_t)((mod << 6) | r | 4));
		put(g, 0x24);
	} else {
		put(g, (uint8_t)((mod << 6) | r | (m->base & 7)));
	}
	if (mod == 1)
		put(g, (uint8_t)m->disp);
	else if (mod == 2)
		put32(g, (uint32_t)m->disp);
}

/* An instruction with a ModRM memory operand. */
struct form {
	uint8_t mandatory;	/* 0, 66, F2, F3 before REX (SSE) */
	uint8_t op[2];
	unsigned int op_len;
	unsigned int size;	/* 1, 2, 4, 8: 66 / REX.W from it unless byte_op */
	bool byte_op;		/* the opcode says byte: no 66/REX.W */
	bool rex_w;		/* force REX.W (MOVQ) */
	unsigned int reg;	/* ModRM.reg (digit or register, 0-15) */
	unsigned int imm_len;
	uint64_t imm;
	bool lock;
};

static void assemble(struct gen *g, const struct form *f)
{
	struct mem_plan m;
	uint8_t rex;
	unsigned int i;

	g->addr32 = rndn(8) == 0;
	plan_mem(g, &m);
	if (rndn(16) == 0)
		put(g, (uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e }[rndn(4)]);	/* no-ops in 64-bit */
	if (f->lock)
		put(g, 0xf0);
	if (g->addr32)
		put(g, 0x67);
	if (f->size == 2 && !f->byte_op)
		put(g, 0x66);
	if (f->mandatory)
		put(g, f->mandatory);
	rex = rex_bits(&m);
	if ((f->size == 8 && !f->byte_op) || f->rex_w)
		rex |= 8;
	if (f->reg >= 8)
		rex |= 4;
	if (rex || rndn(4) == 0)
		put(g, 0x40 | rex);
	for (i = 0; i < f->op_len; i++)
		put(g, f->op[i]);
	emit_mem(g, &m, f->reg);
	for (i = 0; i < f->imm_len; i++)
		put(g, (uint8_t)(f->imm >> (8 * i)));
}

static unsigned int rnd_size(void)
{
	return 1U << rndn(4);
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t mem_at(uint64_t addr, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, (void *)addr, size);
	return v;
}

/* Byte form (opcode even) or full size (odd): the opcode for size. */
static uint8_t sized(uint8_t op, unsigned int size)
{
	return size == 1 ? op : op | 1;
}

static unsigned int imm_len_z(unsigned int size)
{
	return size == 1 ? 1 : size == 2 ? 2 : 4;
}

#define F_AF VIREO_RFLAGS_AF
#define F_OF VIREO_RFLAGS_OF
#define F_CF VIREO_RFLAGS_CF
#define F_SZAP (VIREO_RFLAGS_SF | VIREO_RFLAGS_ZF | VIREO_RFLAGS_AF | VIREO_RFLAGS_PF)

static void gen_alu(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int alu = rndn(8), kind = rndn(4);

	f.size = rnd_size();
	f.byte_op = f.size == 1;
	f.reg = rndn(16);
	g->expect_read = true;
	if (kind == 0) {		/* reg, r/m */
		f.op[0] = (uint8_t)(alu * 8 + (f.size == 1 ? 2 : 3));
		g->check_trace = true;
	} else if (kind == 1) {		/* r/m, reg */
		f.op[0] = (uint8_t)(alu * 8 + (f.size == 1 ? 0 : 1));
		g->expect_write = alu != 7;
	} else if (kind == 2) {		/* 80/81/83 */
		f.op[0] = f.size == 1 ? 0x80 : rndn(2) ? 0x81 : 0x83;
		f.reg = alu;
		f.imm_len = f.op[0] == 0x81 ? imm_len_z(f.size) : 1;
		f.imm = rnd_value();
		g->expect_write = alu != 7;
	} else {			/* TEST 84/85 or F6/F7 /0 */
		alu = 4;	/* AND's flags */
		if (rndn(2)) {
			f.op[0] = sized(0x84, f.size);
		} else {
			f.op[0] = sized(0xf6, f.size);
			f.reg = 0;
			f.imm_len = imm_len_z(f.size);
			f.imm = rnd_value();
		}
	}
	f.lock = g->expect_write && rndn(4) == 0;
	g->check_trace = true;
	g->size = f.size;
	/* AND, OR, XOR, TEST: AF undefined (SDM vol. 2 AND). */
	if (alu == 1 || alu == 4 || alu == 6)
		g->undef = F_AF;
	assemble(g, &f);
}

static void gen_unary(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int which = rndn(4);

	f.size = rnd_size();
	f.byte_op = f.size == 1;
	if (which < 2) {
		f.op[0] = f.size == 1 ? 0xfe : 0xff;
		f.reg = which;		/* INC, DEC */
	} else {
		f.op[0] = sized(0xf6, f.size);
		f.reg = which;		/* NOT, NEG */
	}
	f.lock = rndn(4) == 0;
	g->expect_read = g->expect_write = g->check_trace = true;
	g->size = f.size;
	assemble(g, &f);
}

static void gen_muldiv(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int digit = 4 + rndn(4);
	uint64_t divisor;

	g->avoid = (1U << 0) | (1U << 2);	/* RAX, RDX are operands */
	g->expect_read = g->check_trace = true;
	if (rndn(4) == 0) {
		/* IMUL r, r/m [, imm]: SF ZF AF PF undefined. */
		f.size = 2 << rndn(3);
		f.reg = rndn(16);
		switch (rndn(3)) {
		case 0:
			f.op[0] = 0x0f;
			f.op[1] = 0xaf;
			f.op_len = 2;
			break;
		case 1:
			f.op[0] = 0x69;
			f.imm_len = imm_len_z(f.size);
			f.imm = rnd_value();
			break;
		default:
			f.op[0] = 0x6b;
			f.imm_len = 1;
			f.imm = rnd_value();
			break;
		}
		g->avoid = 0;
		g->undef = F_SZAP;
		g->size = f.size;
		assemble(g, &f);
		return;
	}
	f.size = rnd_size();
	f.byte_op = f.size == 1;
	f.op[0] = sized(0xf6, f.size);
	f.reg = digit;
	g->size = f.size;
	if (rndn(16) == 0)
		memset((void *)g->target, 0, f.size);	/* divide by zero */
	divisor = mem_at(g->target, f.size);
	/* Mostly divisions that fit, so that not every case is a #DE. */
	if (digit >= 6 && rndn(4)) {
		if (digit == 6 && divisor)
			REG(2) = (REG(2) & ~size_mask(f.size)) | ((REG(2) & size_mask(f.size)) % divisor);
		if (digit == 7)
			REG(2) = (REG(0) & (1ULL << (f.size * 8 - 1))) ? ~0ULL : 0;
		if (f.size == 1) {
			REG(0) &= ~0xff00ULL;
			if (digit == 6 && divisor)
				REG(0) |= (rnd() % divisor) << 8;
			if (digit == 7 && (REG(0) & 0x80))
				REG(0) |= 0xff00;
		}
	}
	/* MUL/IMUL: SF ZF AF PF undefined; DIV/IDIV: all six (SDM vol. 2). */
	g->undef = digit < 6 ? F_SZAP : VIREO_RFLAGS_STATUS;
	assemble(g, &f);
}

/* SHLD/SHRD: flags as the SDM's SHLD page; counts above 16 on words are undefined. */
static void gen_shift_double(struct gen *g)
{
	struct form f = { .op_len = 2, .op = { 0x0f, 0 } };
	unsigned int count, masked;

	f.size = 2 << rndn(3);
	f.reg = rndn(16);
	count = rndn(4) ? rndn(3) : rndn(256);
	if (f.size == 2 && (count & 0x1f) > 16)
		count = 16;
	f.op[1] = (uint8_t)((rndn(2) ? 0xa4 : 0xac) | (rndn(2) ? 1 : 0));
	if (f.op[1] & 1) {
		REG(1) = (REG(1) & ~0xffULL) | count;
		g->avoid = 1U << 1;
		if (f.reg == 1)
			f.reg = 0;
	} else {
		f.imm_len = 1;
		f.imm = count;
	}
	masked = count & (f.size == 8 ? 0x3f : 0x1f);
	if (masked) {
		g->undef = F_AF;
		if (masked != 1)
			g->undef |= F_OF;
	}
	g->expect_read = g->expect_write = g->check_trace = true;
	g->size = f.size;
	assemble(g, &f);
}

static void gen_shift(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int digit = rndn(8), kind = rndn(3), count, masked, bits;

	if (rndn(4) == 0) {
		gen_shift_double(g);
		return;
	}

	f.size = rnd_size();
	f.byte_op = f.size == 1;
	f.reg = digit;
	bits = f.size * 8;
	count = rndn(4) ? rndn(3) : rndn(256);
	if (kind == 0) {
		f.op[0] = sized(0xc0, f.size);
		f.imm_len = 1;
		f.imm = count;
	} else if (kind == 1) {
		f.op[0] = sized(0xd0, f.size);
		count = 1;
	} else {
		f.op[0] = sized(0xd2, f.size);
		REG(1) = (REG(1) & ~0xffULL) | count;
		g->avoid = 1U << 1;	/* RCX holds the count */
	}
	masked = count & (f.size == 8 ? 0x3f : 0x1f);
	/* SDM vol. 2 RCL/RCR/ROL/ROR, SAL/SAR/SHL/SHR "Flags Affected". */
	if (masked) {
		if (masked != 1)
			g->undef |= F_OF;
		if (digit >= 4) {
			g->undef |= F_AF;
			if (digit != 7 && masked >= bits)
				g->undef |= F_CF;
		}
	}
	g->expect_read = g->expect_write = g->check_trace = true;
	g->size = f.size;
	assemble(g, &f);
}

static void gen_bit(struct gen *g)
{
	struct form f = { .op_len = 2, .op = { 0x0f, 0 } };
	unsigned int which = rndn(4), bits;

	if (rndn(5) == 0) {
		/* BSF/BSR: only ZF defined; the destination too if the source is 0. */
		f.size = 2 << rndn(3);
		f.op[1] = (uint8_t)(rndn(2) ? 0xbc : 0xbd);
		f.reg = rndn(16);
		if (rndn(8) == 0)
			memset((void *)g->target, 0, f.size);
		if (!mem_at(g->target, f.size))
			g->undef_regs = 1U << f.reg;
		g->undef = VIREO_RFLAGS_STATUS & ~VIREO_RFLAGS_ZF;
		g->expect_read = g->check_trace = true;
		g->size = f.size;
		assemble(g, &f);
		return;
	}

	f.size = 2 << rndn(3);
	bits = f.size * 8;
	g->size = f.size;
	if (rndn(2)) {
		f.op[1] = 0xba;
		f.reg = 4 + which;
		f.imm_len = 1;
		f.imm = rndn(256);
	} else {
		/* Register offset: the word accessed moves (SDM vol. 2 BT). */
		int64_t off = (int64_t)rndn(bits * 32) - bits * 16;
		int64_t adjust = (off >> __builtin_ctz(bits)) * (int64_t)f.size;

		f.op[1] = (uint8_t[]){ 0xa3, 0xab, 0xb3, 0xbb }[which];
		f.reg = rndn(16);
		while (f.reg == 4)
			f.reg = rndn(16);
		REG(f.reg) = (REG(f.reg) & ~size_mask(f.size)) | ((uint64_t)off & size_mask(f.size));
		g->avoid = 1U << f.reg;
		g->ea = g->target - (uint64_t)adjust;
	}
	f.lock = which && rndn(4) == 0;
	assemble(g, &f);
	g->expect_read = g->check_trace = true;
	g->expect_write = which != 0;
	/* CF defined, ZF unaffected, OF SF AF PF undefined. */
	g->undef = VIREO_RFLAGS_OF | VIREO_RFLAGS_SF | VIREO_RFLAGS_AF | VIREO_RFLAGS_PF;
}

/* CMPXCHG8B/16B: rDX:rAX compared, rCX:rBX stored; only ZF changes. */
static void gen_cmpxchg2(struct gen *g)
{
	struct form f = { .op_len = 2, .op = { 0x0f, 0xc7 }, .reg = 1, .size = 4 };
	bool wide = rndn(2);

	if (wide) {
		f.rex_w = true;
		if (rndn(16))
			g->target &= ~15ULL;
		g->ea = g->target;
	}
	f.lock = rndn(2);
	g->avoid = 0xf;		/* RAX, RCX, RDX, RBX are operands */
	if (rndn(2)) {
		if (wide) {
			REG(0) = mem_at(g->target, 8);
			REG(2) = mem_at(g->target + 8, 8);
		} else {
			REG(0) = (REG(0) & ~0xffffffffULL) | mem_at(g->target, 4);
			REG(2) = (REG(2) & ~0xffffffffULL) | mem_at(g->target + 4, 4);
		}
	}
	g->size = wide ? 16 : 8;
	g->expect_read = g->expect_write = true;
	assemble(g, &f);
}

static void gen_xchg(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int which = rndn(3);

	if (rndn(5) == 0) {
		gen_cmpxchg2(g);
		return;
	}

	f.size = rnd_size();
	f.byte_op = f.size == 1;
	f.reg = rndn(16);
	g->size = f.size;
	g->expect_read = g->expect_write = g->check_trace = true;
	if (which == 0) {
		f.op[0] = sized(0x86, f.size);
		f.lock = rndn(4) == 0;
	} else {
		f.op[0] = 0x0f;
		f.op[1] = sized(which == 1 ? 0xb0 : 0xc0, f.size);
		f.op_len = 2;
		f.lock = rndn(2);
		if (which == 1) {
			g->avoid = 1U << 0;	/* RAX is the comparand */
			if (rndn(2))
				REG(0) = (REG(0) & ~size_mask(f.size)) | mem_at(g->target, f.size);
		}
	}
	assemble(g, &f);
}

static void gen_mov(struct gen *g)
{
	struct form f = { .op_len = 1 };
	unsigned int kind = rndn(6);

	f.size = rnd_size();
	f.byte_op = f.size == 1;
	f.reg = rndn(16);
	g->check_trace = true;
	switch (kind) {
	case 0:
		f.op[0] = sized(0x88, f.size);
		g->expect_write = true;
		break;
	case 1:
		f.op[0] = sized(0x8a, f.size);
		g->expect_read = true;
		break;
	case 2:
		f.op[0] = sized(0xc6, f.size);
		f.reg = 0;
		f.imm_len = imm_len_z(f.size);
		f.imm = rnd_value();
		g->expect_write = true;
		break;
	case 3: {	/* MOVZX/MOVSX: source byte or word, destination 2/4/8 */
		unsigned int src = 1 + rndn(2);

		f.size = 2 << rndn(3);
		f.byte_op = false;
		f.op[0] = 0x0f;
		f.op[1] = (uint8_t)((rndn(2) ? 0xbe : 0xb6) | (src - 1));
		f.op_len = 2;
		g->expect_read = true;
		g->size = src;
		assemble(g, &f);
		return;
	}
	case 4:		/* MOVNTI */
		f.size = 4 << rndn(2);
		f.byte_op = false;
		f.op[0] = 0x0f;
		f.op[1] = 0xc3;
		f.op_len = 2;
		g->expect_write = true;
		break;
	default: {	/* A0-A3: moffs64 */
		uint8_t op = (uint8_t)(rndn(2) ? 0xa0 : 0xa2);
		unsigned int i;

		g->size = f.size;
		g->expect_read = op == 0xa0;
		g->expect_write = op == 0xa2;
		if (f.size == 2)
			put(g, 0x66);
		if (f.size == 8)
			put(g, 0x48);
		put(g, sized(op, f.size));
		for (i = 0; i < 8; i++)
			put(g, (uint8_t)(g->target >> (8 * i)));
		return;
	}
	}
	g->size = f.size;
	assemble(g, &f);
}

static void gen_stack(struct gen *g)
{
	struct form f = { .op_len = 1 };

	f.size = rndn(4) ? 8 : 2;
	g->size = f.size;
	g->check_trace = true;
	if (rndn(2)) {
		f.op[0] = 0xff;
		f.reg = 6;
		g->expect_read = true;
	} else {
		f.op[0] = 0x8f;
		f.reg = 0;
		g->expect_write = true;
	}
	/* PUSH/POP size is 64 by default: REX.W is allowed, but not needed. */
	if (f.size == 8 && rndn(2))
		f.byte_op = true;
	assemble(g, &f);
}

static void gen_string(struct gen *g)
{
	static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
	uint8_t op = ops[rndn(5)];
	unsigned int size = rnd_size(), count = rndn(6);
	bool down = rndn(2), rep = rndn(3) != 0;
	uint64_t src = (rndn(2) ? MMIO_BUF : RAM_BUF) + 0x400 + rndn(0x800);
	uint64_t dst = (rndn(2) ? MMIO_BUF : RAM_BUF) + 0x400 + rndn(0x800);
	bool addr32 = rndn(6) == 0;

	g->size = size;
	in_state->rflags = (in_state->rflags & ~VIREO_RFLAGS_DF) | (down ? VIREO_RFLAGS_DF : 0);
	/* Equal runs now and then, so REPE goes on and REPNE stops. */
	if ((op == 0xa6) && rndn(2))
		memcpy((void *)dst, (void *)src, 64);
	if (op == 0xae && rndn(2))
		REG(0) = mem_at(dst, size);
	REG(1) = (rnd() & ~0xffffffffULL) | count;
	REG(6) = addr32 ? (rnd() << 32) | src : src;
	REG(7) = addr32 ? (rnd() << 32) | dst : dst;
	if (!addr32)
		REG(1) = count;
	/*
	 * Whether zero iterations write ECX/ESI/EDI (zero-extending them) is
	 * not architectural: Intel CPUs do for some, maybe not AMD's.
	 */
	if (addr32 && rep && !count)
		g->low_half_only = (1U << 1) | (1U << 6) | (1U << 7);
	if (rndn(8) == 0)
		put(g, (uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e }[rndn(4)]);
	if (addr32)
		put(g, 0x67);
	if (size == 2)
		put(g, 0x66);
	if (rep)
		put(g, rndn(2) ? 0xf3 : 0xf2);
	if (size == 8)
		put(g, 0x48);
	put(g, sized(op, size));
	g->target = op == 0xaa || op == 0xae ? dst : src;
}

static void gen_cond(struct gen *g)
{
	struct form f = { .op_len = 2, .op = { 0x0f, 0 } };

	f.reg = rndn(16);
	if (rndn(2)) {
		f.size = 1;
		f.byte_op = true;
		f.op[1] = (uint8_t)(0x90 + rndn(16));
		g->expect_write = true;
	} else {
		f.size = 2 << rndn(3);
		f.op[1] = (uint8_t)(0x40 + rndn(16));
		g->expect_read = true;
	}
	g->check_trace = true;
	g->size = f.size;
	assemble(g, &f);
}

/* One vector move form (SDM vol. 2): prefix, opcode, width, alignment. */
struct vform {
	uint8_t pfx, op, size;
	bool store, aligned, vex_ok, scalable;
};

static const struct vform vforms[] = {
	{ 0x00, 0x10, 16, false, false, true, true },
	{ 0x66, 0x10, 16, false, false, true, true },
	{ 0xf3, 0x10, 4, false, false, true, false },
	{ 0xf2, 0x10, 8, false, false, true, false },
	{ 0x00, 0x11, 16, true, false, true, true },
	{ 0x66, 0x11, 16, true, false, true, true },
	{ 0xf3, 0x11, 4, true, false, true, false },
	{ 0xf2, 0x11, 8, true, false, true, false },
	{ 0x00, 0x12, 8, false, false, false, false },
	{ 0x66, 0x12, 8, false, false, false, false },
	{ 0x00, 0x13, 8, true, false, true, false },
	{ 0x66, 0x13, 8, true, false, true, false },
	{ 0x00, 0x16, 8, false, false, false, false },
	{ 0x66, 0x16, 8, false, false, false, false },
	{ 0x00, 0x17, 8, true, false, true, false },
	{ 0x66, 0x17, 8, true, false, true, false },
	{ 0x00, 0x28, 16, false, true, true, true },
	{ 0x66, 0x28, 16, false, true, true, true },
	{ 0x00, 0x29, 16, true, true, true, true },
	{ 0x66, 0x29, 16, true, true, true, true },
	{ 0x00, 0x2b, 16, true, true, true, true },
	{ 0x66, 0x2b, 16, true, true, true, true },
	{ 0x66, 0x6e, 4, false, false, true, false },
	{ 0x66, 0x6f, 16, false, true, true, true },
	{ 0xf3, 0x6f, 16, false, false, true, true },
	{ 0x66, 0x7e, 4, true, false, true, false },
	{ 0xf3, 0x7e, 8, false, false, true, false },
	{ 0x66, 0x7f, 16, true, true, true, true },
	{ 0xf3, 0x7f, 16, true, false, true, true },
	{ 0x66, 0xd6, 8, true, false, true, false },
	{ 0x66, 0xe7, 16, true, true, true, true },
};

static void gen_vector(struct gen *g)
{
	const struct vform *v = &vforms[rndn(sizeof(vforms) / sizeof(vforms[0]))];
	bool vex = v->vex_ok && rndn(2), wide = false, l256 = false;
	unsigned int reg = rndn(16), size = v->size;
	struct mem_plan m;

	if ((v->op == 0x6e || v->op == 0x7e) && v->pfx == 0x66 && rndn(2)) {
		wide = true;
		size = 8;
	}
	if (vex && v->scalable && rndn(2)) {
		l256 = true;
		size = 32;
	}
	/* Aligned forms: mostly aligned, sometimes not (#GP on both sides). */
	if (v->aligned && rndn(16))
		g->target &= ~(uint64_t)(size - 1);
	g->ea = g->target;
	g->size = size;
	g->expect_read = !v->store;
	g->expect_write = v->store;
	g->addr32 = rndn(8) == 0;
	plan_mem(g, &m);
	if (vex) {
		uint8_t rex = rex_bits(&m);
		uint8_t pp = v->pfx == 0x66 ? 1 : v->pfx == 0xf3 ? 2 : v->pfx == 0xf2 ? 3 : 0;

		if (g->addr32)
			put(g, 0x67);
		if (!rex && !wide && rndn(2)) {
			put(g, 0xc5);
			put(g, (uint8_t)((reg >= 8 ? 0 : 0x80) | 0x78 | (l256 ? 4 : 0) | pp));
		} else {
			put(g, 0xc4);
			put(g, (uint8_t)((reg >= 8 ? 0 : 0x80) | (rex & 2 ? 0 : 0x40) |
					 (rex & 1 ? 0 : 0x20) | 1));
			put(g, (uint8_t)((wide ? 0x80 : 0) | 0x78 | (l256 ? 4 : 0) | pp));
		}
		put(g, v->op);
		emit_mem(g, &m, reg);
		return;
	}
	if (g->addr32)
		put(g, 0x67);
	if (v->pfx)
		put(g, v->pfx);
	{
		uint8_t rex = rex_bits(&m) | (reg >= 8 ? 4 : 0) | (wide ? 8 : 0);

		if (rex || rndn(4) == 0)
			put(g, 0x40 | rex);
	}
	put(g, 0x0f);
	put(g, v->op);
	emit_mem(g, &m, reg);
}

/* ------------------------------------------------------------ one case */

static void randomize_state(void)
{
	unsigned int i, j;

	for (i = 0; i < 16; i++)
		in_state->gpr[i] = rnd_value();
	/* A valid stack in RAM_BUF for PUSH/POP. */
	in_state->gpr[4] = RAM_BUF + 0x1000 + 8 * (uint64_t)((int)rndn(64) - 32);
	/* Status flags and DF random; IF set; TF and AC clear. */
	in_state->rflags = 0x202 | (rnd() & (VIREO_RFLAGS_STATUS | VIREO_RFLAGS_DF));
	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j += 8) {
			uint64_t v = rnd();

			memcpy(&in_state->ymm[i][j], &v, 8);
		}
	for (i = 0; i < BUF_SIZE; i += 8) {
		uint64_t a = rnd_value(), b = rnd();

		memcpy((uint8_t *)MMIO_BUF + i, &a, 8);
		memcpy((uint8_t *)RAM_BUF + i, &b, 8);
	}
}

static void generate(struct gen *g, unsigned int family)
{
	memset(g, 0, sizeof(*g));
	g->rip_disp_at = -1;
	g->family = family;
	g->target = MMIO_BUF + 0x800 + rndn(0x800);
	g->ea = g->target;
	switch (family) {
	case DIFF_ALU:
		gen_alu(g);
		break;
	case DIFF_UNARY:
		gen_unary(g);
		break;
	case DIFF_MULDIV:
		gen_muldiv(g);
		break;
	case DIFF_SHIFT:
		gen_shift(g);
		break;
	case DIFF_BIT:
		gen_bit(g);
		break;
	case DIFF_XCHG:
		gen_xchg(g);
		break;
	case DIFF_MOV:
		gen_mov(g);
		break;
	case DIFF_STACK:
		gen_stack(g);
		break;
	case DIFF_STRING:
		gen_string(g);
		break;
	case DIFF_COND:
		gen_cond(g);
		break;
	default:
		gen_vector(g);
		break;
	}
	if (g->rip_disp_at >= 0) {
		uint32_t disp = (uint32_t)(g->ea - (insn_addr + g->n));

		memcpy(&g->b[g->rip_disp_at], &disp, 4);
	}
}

/* ------------------------------------------------------------ compare */

static void describe(FILE *log, const struct gen *g, const char *what)
{
	unsigned int i;

	fprintf(log, "emu_diff: %s: %s: bytes", emu_diff_family_names[g->family], what);
	for (i = 0; i < g->n; i++)
		fprintf(log, " %02x", g->b[i]);
	fprintf(log, " (target 0x%llx, size %u)\n", (unsigned long long)g->target, g->size);
}

struct outcome {
	int ret;
	struct vireo_regs regs;
	struct vireo_vregs vregs;
	struct vireo_emu_exception exc;
	char error[192];
};

static void run_emulated(const struct gen *g, struct outcome *o, const uint8_t *mmio_init,
			 const uint8_t *ram_init)
{
	static struct vireo_sregs sregs;
	struct vireo_mem mem = { ram_read, ram_write, NULL };
	struct vireo_exit_mmio exit = { 0 };
	struct vireo_emu emu;
	unsigned int i;

	memcpy(device, mmio_init, BUF_SIZE);
	memcpy(guest_ram + RAM_GPA, ram_init, BUF_SIZE);
	ntrace = 0;
	device_error = false;

	memset(&sregs, 0, sizeof(sregs));
	sregs.cr0 = VIREO_CR0_PE | VIREO_CR0_PG | VIREO_CR0_ET | VIREO_CR0_NE | VIREO_CR0_MP;
	sregs.cr3 = 0x1000;
	sregs.cr4 = VIREO_CR4_PAE | VIREO_CR4_OSFXSR | VIREO_CR4_OSXSAVE;
	sregs.efer = VIREO_EFER_LME | VIREO_EFER_LMA;
	sregs.cs.l = 1;
	sregs.cs.present = 1;
	sregs.cs.dpl = 3;
	sregs.ss.dpl = 3;

	memset(&o->regs, 0, sizeof(o->regs));
	for (i = 0; i < 16; i++)
		*vireo_gpr(&o->regs, i) = in_state->gpr[i];
	o->regs.rflags = in_state->rflags;
	o->regs.rip = insn_addr;
	memcpy(o->vregs.ymm, in_state->ymm, sizeof(o->vregs.ymm));

	memset(&emu, 0, sizeof(emu));
	emu.regs = &o->regs;
	emu.sregs = &sregs;
	emu.mem = &mem;
	emu.phys_bits = 48;
	emu.vregs = &o->vregs;
	exit.gpa = g->target;
	exit.insn_len = 15;
	memcpy(exit.insn_bytes, g->b, g->n);
	memset(exit.insn_bytes + g->n, 0x90, sizeof(exit.insn_bytes) - g->n);
	o->ret = vireo_emu_mmio(&emu, &exit, device_access, NULL);
	o->exc = emu.exception;
	snprintf(o->error, sizeof(o->error), "%s", emu.error);
}

static uint8_t expected_vector(int sig)
{
	switch (sig) {
	case SIGFPE:
		return VIREO_VEC_DE;
	case SIGSEGV:
		return VIREO_VEC_GP;
	case SIGBUS:
		return VIREO_VEC_AC;
	default:
		return 0xff;
	}
}

/* Compare; describe the first difference on log. */
static bool compare(FILE *log, bool report, const struct gen *g, int sig, const struct outcome *o,
		    const uint8_t *mmio_init)
{
	uint64_t flag_mask = STATUS & ~g->undef;
	unsigned int i;
	char what[256];

	if (o->ret) {
		snprintf(what, sizeof(what), "emulator failed (%d): %s", o->ret, o->error);
		goto differ;
	}
	if (sig) {
		if (!o->exc.pending || o->exc.vector != expected_vector(sig)) {
			snprintf(what, sizeof(what), "host raised signal %d, emulator %s %u", sig,
				 o->exc.pending ? "vector" : "nothing", o->exc.vector);
			goto differ;
		}
		if (o->regs.rip != insn_addr || memcmp(device, mmio_init, BUF_SIZE)) {
			snprintf(what, sizeof(what), "state changed by a faulting instruction");
			goto differ;
		}
		return true;
	}
	if (o->exc.pending) {
		snprintf(what, sizeof(what), "emulator raised vector %u, host nothing", o->exc.vector);
		goto differ;
	}
	for (i = 0; i < 16; i++) {
		uint64_t want = out_state->gpr[i], got = *vireo_gpr((struct vireo_regs *)&o->regs, i);

		if ((g->undef_regs >> i) & 1)
			continue;
		if ((g->low_half_only >> i) & 1) {
			want &= 0xffffffffULL;
			got &= 0xffffffffULL;
		}
		if (want != got) {
			snprintf(what, sizeof(what), "GPR %u: host 0x%llx, emulator 0x%llx (in 0x%llx)",
				 i, (unsigned long long)want, (unsigned long long)got,
				 (unsigned long long)in_state->gpr[i]);
			goto differ;
		}
	}
	if ((out_state->rflags ^ o->regs.rflags) & flag_mask) {
		snprintf(what, sizeof(what), "RFLAGS: host 0x%llx, emulator 0x%llx (in 0x%llx, compared 0x%llx)",
			 (unsigned long long)out_state->rflags, (unsigned long long)o->regs.rflags,
			 (unsigned long long)in_state->rflags, (unsigned long long)flag_mask);
		goto differ;
	}
	if (o->regs.rip != insn_addr + g->n) {
		snprintf(what, sizeof(what), "RIP 0x%llx, want 0x%llx (length %u)",
			 (unsigned long long)o->regs.rip, (unsigned long long)(insn_addr + g->n), g->n);
		goto differ;
	}
	if (memcmp(device, (void *)MMIO_BUF, BUF_SIZE)) {
		for (i = 0; i < BUF_SIZE && device[i] == ((uint8_t *)MMIO_BUF)[i]; i++)
			;
		snprintf(what, sizeof(what), "device memory differs at +0x%x: host %02x, emulator %02x",
			 i, ((uint8_t *)MMIO_BUF)[i], device[i]);
		goto differ;
	}
	if (memcmp(guest_ram + RAM_GPA, (void *)RAM_BUF, BUF_SIZE)) {
		snprintf(what, sizeof(what), "RAM differs");
		goto differ;
	}
	if (memcmp(o->vregs.ymm, out_state->ymm, sizeof(o->vregs.ymm))) {
		for (i = 0; i < 16 && !memcmp(o->vregs.ymm[i], out_state->ymm[i], 32); i++)
			;
		snprintf(what, sizeof(what), "YMM%u differs", i);
		goto differ;
	}
	if (g->check_trace) {
		unsigned int want = g->expect_read + g->expect_write;
		bool ok = ntrace == want;

		for (i = 0; ok && i < ntrace; i++)
			ok = trace[i].gpa == g->target && trace[i].size == g->size &&
			     trace[i].write == (i == 1 || !g->expect_read);
		if (!ok) {
			snprintf(what, sizeof(what), "device accesses: %u, first %s %u at 0x%llx",
				 ntrace, ntrace && trace[0].write ? "write" : "read",
				 ntrace ? trace[0].size : 0,
				 (unsigned long long)(ntrace ? trace[0].gpa : 0));
			goto differ;
		}
	}
	for (i = 0; i < ntrace; i++) {
		if (g->family == DIFF_STRING && trace[i].size != g->size) {
			snprintf(what, sizeof(what), "string element accessed as %u bytes", trace[i].size);
			goto differ;
		}
	}
	return true;
differ:
	if (report)
		describe(log, g, what);
	return false;
}

/* ------------------------------------------------------------ driver */

static bool host_has_avx(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx");
}

int emu_diff_run(uint64_t seed, unsigned long n, unsigned int mask, unsigned int max_report,
		 FILE *log, struct emu_diff_stats *stats)
{
	static uint8_t mmio_init[BUF_SIZE], ram_init[BUF_SIZE];
	struct sigaction sa, old[3];
	static const int sigs[3] = { SIGFPE, SIGSEGV, SIGBUS };
	stack_t alt = { 0 }, old_alt;
	unsigned long i;
	void *region;
	int result = 0;
	unsigned int k;
	struct outcome *o;

	memset(stats, 0, sizeof(*stats));
	if (!host_has_avx() || !(mask & DIFF_ALL))
		return -1;
	region = mmap((void *)REGION, REGION_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (region != (void *)REGION) {
		if (region != MAP_FAILED)
			munmap(region, REGION_SIZE);
		return -1;
	}
	guest_ram = calloc(1, GUEST_RAM);
	o = calloc(1, sizeof(*o));
	alt.ss_size = 1 << 16;
	alt.ss_sp = malloc(alt.ss_size);
	if (!guest_ram || !o || !alt.ss_sp) {
		result = -1;
		goto out_free;
	}
	sigaltstack(&alt, &old_alt);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_native_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (k = 0; k < 3; k++)
		sigaction(sigs[k], &sa, &old[k]);

	rng_state = seed ? seed : 1;
	build_page_tables();
	emit_prologue();
	for (i = 0; i < n; i++) {
		unsigned int family;
		struct gen g;
		int sig;

		do {
			family = rndn(DIFF_FAMILIES);
		} while (!((mask >> family) & 1));
		randomize_state();
		generate(&g, family);
		memcpy((void *)insn_addr, g.b, g.n);
		emit_epilogue((uint8_t *)insn_addr + g.n);
		memcpy(mmio_init, (void *)MMIO_BUF, BUF_SIZE);
		memcpy(ram_init, (void *)RAM_BUF, BUF_SIZE);
		sig = run_native();
		stats->cases++;
		stats->per_family[family]++;
		if (sig)
			stats->native_faults++;
		run_emulated(&g, o, mmio_init, ram_init);
		if (!compare(log, stats->mismatches < max_report, &g, sig, o, mmio_init)) {
			stats->mismatches++;
			result = 1;
		}
	}

	for (k = 0; k < 3; k++)
		sigaction(sigs[k], &old[k], NULL);
	sigaltstack(&old_alt, NULL);
out_free:
	free(alt.ss_sp);
	free(o);
	free(guest_ram);
	munmap((void *)REGION, REGION_SIZE);
	return result;
}
