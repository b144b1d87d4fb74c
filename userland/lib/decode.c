// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder for MMIO and string-I/O emulation (SDM vol. 2
 * chapter 2: prefixes, REX, ModRM, SIB, displacement, immediate).
 *
 * The decoder only has to understand instructions that can touch memory
 * that is not RAM, and it must never guess: a byte it does not understand
 * is an error with a message, not an approximation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vireo/decode.h>
#include <vireo/x86.h>

#define REX_W 0x8
#define REX_R 0x4
#define REX_X 0x2
#define REX_B 0x1

#define SEG_NONE 0xff

struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
	struct vireo_insn *insn;
};

enum vireo_cpu_mode vireo_cpu_mode(const struct vireo_sregs *sregs, uint64_t rflags)
{
	if (!(sregs->cr0 & VIREO_CR0_PE) || (rflags & VIREO_RFLAGS_VM))
		return VIREO_MODE_16;
	if ((sregs->efer & VIREO_EFER_LMA) && sregs->cs.l)
		return VIREO_MODE_64;
	return sregs->cs.db ? VIREO_MODE_32 : VIREO_MODE_16;
}

__u64 *vireo_gpr(struct vireo_regs *regs, unsigned int gpr)
{
	/* struct vireo_regs is not in encoding order: map explicitly. */
	switch (gpr & 15) {
	case 0: return &regs->rax;
	case 1: return &regs->rcx;
	case 2: return &regs->rdx;
	case 3: return &regs->rbx;
	case 4: return &regs->rsp;
	case 5: return &regs->rbp;
	case 6: return &regs->rsi;
	case 7: return &regs->rdi;
	case 8: return &regs->r8;
	case 9: return &regs->r9;
	case 10: return &regs->r10;
	case 11: return &regs->r11;
	case 12: return &regs->r12;
	case 13: return &regs->r13;
	case 14: return &regs->r14;
	default: return &regs->r15;
	}
}

const struct vireo_segment *vireo_sreg(const struct vireo_sregs *sregs, unsigned int seg)
{
	switch (seg) {
	case VIREO_SEG_ES: return &sregs->es;
	case VIREO_SEG_CS: return &sregs->cs;
	case VIREO_SEG_SS: return &sregs->ss;
	case VIREO_SEG_FS: return &sregs->fs;
	case VIREO_SEG_GS: return &sregs->gs;
	default: return &sregs->ds;
	}
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static int64_t sign_extend(uint64_t v, unsigned int size)
{
	unsigned int shift = 64 - size * 8;

	return size >= 8 ? (int64_t)v : (int64_t)(v << shift) >> shift;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct cursor *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->insn->error, sizeof(c->insn->error), fmt, ap);
	va_end(ap);
	return err;
}

/* Consume n bytes, little-endian, into *val. */
static int take(struct cursor *c, size_t n, uint64_t *val)
{
	uint64_t v = 0;
	size_t i;

	if (c->pos + n > VIREO_X86_MAX_INSN_LEN)
		return fail(c, -E2BIG, "instruction longer than %u bytes",
			    VIREO_X86_MAX_INSN_LEN);
	if (c->pos + n > c->avail)
		return fail(c, -ENODATA, "instruction truncated: %u bytes available, %u or more needed",
			    (unsigned int)c->avail, (unsigned int)(c->pos + n));
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	*val = v;
	return 0;
}

/*
 * Legacy prefixes and REX.  Leaves the first opcode byte in *op.  A REX
 * prefix counts only immediately before the opcode (SDM vol. 2 2.2.1).
 */
static int decode_prefixes(struct cursor *c, enum vireo_cpu_mode mode, uint8_t *op)
{
	struct vireo_insn *insn = c->insn;
	bool opsize_pfx = false, addrsize_pfx = false;
	uint64_t b = 0;
	int ret;

	insn->seg_override = SEG_NONE;
	for (;;) {
		ret = take(c, 1, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0x66:
			opsize_pfx = true;
			break;
		case 0x67:
			addrsize_pfx = true;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			insn->seg_override = (b >> 3) & 3;
			break;
		case 0x64:
			insn->seg_override = VIREO_SEG_FS;
			break;
		case 0x65:
			insn->seg_override = VIREO_SEG_GS;
			break;
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			insn->rep = (uint8_t)b;
			break;
		default:
			if (mode == VIREO_MODE_64 && (b & 0xf0) == 0x40) {
				insn->rex = (uint8_t)b;
				continue;
			}
			*op = (uint8_t)b;
			goto done;
		}
		/* A legacy prefix after REX makes the REX ineffective. */
		insn->rex = 0;
	}
done:
	insn->opsize_pfx = opsize_pfx;
	switch (mode) {
	case VIREO_MODE_64:
		insn->opsize = (insn->rex & REX_W) ? 8 : opsize_pfx ? 2 : 4;
		insn->addrsize = addrsize_pfx ? 4 : 8;
		break;
	case VIREO_MODE_32:
		insn->opsize = opsize_pfx ? 2 : 4;
		insn->addrsize = addrsize_pfx ? 2 : 4;
		break;
	default:
		insn->opsize = opsize_pfx ? 4 : 2;
		insn->addrsize = addrsize_pfx ? 4 : 2;
		break;
	}
	return 0;
}

/* 16-bit ModRM addressing (SDM vol. 2 table 2-1). */
static int decode_modrm16(struct cursor *c, unsigned int mod, unsigned int rm)
{
	static const uint8_t base16[8] = {
		VIREO_GPR_RBX, VIREO_GPR_RBX, VIREO_GPR_RBP, VIREO_GPR_RBP,
		VIREO_GPR_RSI, VIREO_GPR_RDI, VIREO_GPR_RBP, VIREO_GPR_RBX,
	};
	static const uint8_t index16[8] = {
		VIREO_GPR_RSI, VIREO_GPR_RDI, VIREO_GPR_RSI, VIREO_GPR_RDI,
		VIREO_GPR_NONE, VIREO_GPR_NONE, VIREO_GPR_NONE, VIREO_GPR_NONE,
	};
	struct vireo_insn_mem *m = &c->insn->mem;
	uint64_t disp = 0;
	int ret = 0;

	m->base = base16[rm];
	m->index = index16[rm];
	m->scale = 1;
	if (mod == 0 && rm == 6) {
		m->base = VIREO_GPR_NONE;
		ret = take(c, 2, &disp);
		m->disp = sign_extend(disp, 2);
	} else if (mod == 1) {
		ret = take(c, 1, &disp);
		m->disp = sign_extend(disp, 1);
	} else if (mod == 2) {
		ret = take(c, 2, &disp);
		m->disp = sign_extend(disp, 2);
	}
	m->seg = m->base == VIREO_GPR_RBP ? VIREO_SEG_SS : VIREO_SEG_DS;
	return ret;
}

/* 32/64-bit ModRM + SIB addressing (SDM vol. 2 tables 2-2, 2-3). */
static int decode_modrm32(struct cursor *c, unsigned int mod, unsigned int rm,
			  enum vireo_cpu_mode mode)
{
	struct vireo_insn *insn = c->insn;
	struct vireo_insn_mem *m = &insn->mem;
	uint64_t sib = 0, disp = 0;
	int ret = 0;

	m->scale = 1;
	m->index = VIREO_GPR_NONE;
	if (rm == 4) {
		ret = take(c, 1, &sib);
		if (ret)
			return ret;
		m->scale = 1 << (sib >> 6);
		m->index = ((sib >> 3) & 7) | ((insn->rex & REX_X) ? 8 : 0);
		if (m->index == VIREO_GPR_RSP)	/* 100b without REX.X: none */
			m->index = VIREO_GPR_NONE;
		m->base = (sib & 7) | ((insn->rex & REX_B) ? 8 : 0);
		if ((sib & 7) == 5 && mod == 0) {
			m->base = VIREO_GPR_NONE;
			mod = 2;	/* disp32, no base */
		}
	} else if (rm == 5 && mod == 0) {
		m->base = VIREO_GPR_NONE;
		m->rip_relative = mode == VIREO_MODE_64;
		mod = 2;
	} else {
		m->base = rm | ((insn->rex & REX_B) ? 8 : 0);
	}

	if (mod == 1) {
		ret = take(c, 1, &disp);
		m->disp = sign_extend(disp, 1);
	} else if (mod == 2) {
		ret = take(c, 4, &disp);
		m->disp = sign_extend(disp, 4);
	}
	m->seg = (m->base == VIREO_GPR_RSP || m->base == VIREO_GPR_RBP) ? VIREO_SEG_SS
									 : VIREO_SEG_DS;
	return ret;
}

/* ModRM: the memory operand, and ModRM.reg (with REX.R) in *reg. */
static int decode_modrm(struct cursor *c, enum vireo_cpu_mode mode, unsigned int *reg)
{
	struct vireo_insn *insn = c->insn;
	unsigned int mod, rm;
	uint64_t modrm = 0;
	int ret;

	ret = take(c, 1, &modrm);
	if (ret)
		return ret;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((insn->rex & REX_R) ? 8 : 0);
	if (mod == 3)
		return fail(c, -EINVAL, "register operand (ModRM 0x%02x) cannot access memory",
			    (unsigned int)modrm);
	if (insn->addrsize == 2)
		ret = decode_modrm16(c, mod, rm);
	else
		ret = decode_modrm32(c, mod, rm, mode);
	if (ret)
		return ret;
	if (insn->seg_override != SEG_NONE)
		insn->mem.seg = insn->seg_override;
	return 0;
}

/*
 * A register operand of byte size: without REX, 4-7 are AH, CH, DH, BH
 * (bits 15:8 of registers 0-3); with any REX they are SPL, BPL, SIL, DIL.
 */
static void set_reg(struct vireo_insn *insn, unsigned int reg, unsigned int size)
{
	if (size == 1 && !insn->rex && reg >= 4 && reg < 8) {
		insn->reg = reg - 4;
		insn->reg_high8 = true;
	} else {
		insn->reg = reg;
		insn->reg_high8 = false;
	}
}

static void init_insn(struct vireo_insn *insn, enum vireo_cpu_mode mode)
{
	memset(insn, 0, sizeof(*insn));
	insn->mode = mode;
	insn->reg = VIREO_GPR_NONE;
	insn->mem.base = VIREO_GPR_NONE;
	insn->mem.index = VIREO_GPR_NONE;
	insn->mem.scale = 1;
}

/* 88/89/8A/8B: mov between a register and memory. */
static int decode_mov_rm(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg, size = (op & 1) ? insn->opsize : 1;
	int ret;

	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	insn->op = (op & 2) ? VIREO_OP_LOAD : VIREO_OP_STORE;
	insn->opsize = size;
	insn->access_size = size;
	set_reg(insn, reg, size);
	return 0;
}

/* C6 /0, C7 /0: mov memory, immediate. */
static int decode_mov_imm(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg, size = (op & 1) ? insn->opsize : 1;
	unsigned int imm_size = size > 4 ? 4 : size;
	uint64_t imm = 0;
	int ret;

	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	/* Other ModRM.reg values are different instructions (XABORT, XBEGIN). */
	if ((reg & 7) != 0)
		return fail(c, -ENOTSUP, "unsupported opcode 0x%02x /%u", op, reg & 7);
	ret = take(c, imm_size, &imm);
	if (ret)
		return ret;
	insn->op = VIREO_OP_STORE;
	insn->opsize = size;
	insn->access_size = size;
	insn->has_imm = true;
	/* imm32 is sign-extended to 64 bits with REX.W. */
	insn->imm = (uint64_t)sign_extend(imm, imm_size) & size_mask(size);
	return 0;
}

/* A0-A3: mov al/rAX <-> [seg:moffs], the offset as wide as the address. */
static int decode_mov_moffs(struct cursor *c, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int size = (op & 1) ? insn->opsize : 1;
	uint64_t off;
	int ret;

	ret = take(c, insn->addrsize, &off);
	if (ret)
		return ret;
	insn->op = (op & 2) ? VIREO_OP_STORE : VIREO_OP_LOAD;
	insn->opsize = size;
	insn->access_size = size;
	insn->reg = VIREO_GPR_RAX;
	insn->mem.moffs = true;
	insn->mem.disp = (int64_t)off;
	insn->mem.seg = insn->seg_override != SEG_NONE ? insn->seg_override : VIREO_SEG_DS;
	return 0;
}

/* 0F B6/B7/BE/BF: movzx/movsx reg, r/m8 or r/m16. */
static int decode_movx(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_LOAD;
	insn->access_size = (op2 & 1) ? 2 : 1;
	insn->ext = (op2 & 8) ? VIREO_EXT_SIGN : VIREO_EXT_ZERO;
	/* The destination is opsize wide, never a byte register. */
	set_reg(insn, reg, insn->opsize);
	return 0;
}

static int unsupported(struct cursor *c, const uint8_t *op, unsigned int n, int digit)
{
	char name[32];

	if (n == 2)
		snprintf(name, sizeof(name), "0x%02x 0x%02x", op[0], op[1]);
	else
		snprintf(name, sizeof(name), "0x%02x", op[0]);
	if (digit >= 0)
		return fail(c, -ENOTSUP, "unsupported opcode %s /%d", name, digit);
	return fail(c, -ENOTSUP, "unsupported opcode %s", name);
}

/* An immediate of n bytes, sign-extended to the operand size (SDM vol. 2 2.2.1.5). */
static int take_imm(struct cursor *c, unsigned int n)
{
	struct vireo_insn *insn = c->insn;
	uint64_t imm = 0;
	int ret;

	ret = take(c, n, &imm);
	if (ret)
		return ret;
	insn->has_imm = true;
	insn->imm = (uint64_t)sign_extend(imm, n) & size_mask(insn->opsize);
	return 0;
}

/* Iz: a word or doubleword immediate; 64-bit operands take imm32. */
static unsigned int imm_z(const struct vireo_insn *insn)
{
	return insn->opsize > 4 ? 4 : insn->opsize;
}

/* The ModRM memory operand of an Eb (byte_form) or Ev operand. */
static int modrm_sized(struct cursor *c, enum vireo_cpu_mode mode, bool byte_form,
		       unsigned int *reg)
{
	struct vireo_insn *insn = c->insn;
	int ret;

	ret = decode_modrm(c, mode, reg);
	if (ret)
		return ret;
	if (byte_form)
		insn->opsize = 1;
	insn->access_size = insn->opsize;
	return 0;
}

/* 00-3B: ADD OR ADC SBB AND SUB XOR CMP with a ModRM operand. */
static int decode_alu(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, !(op & 1), &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_ALU;
	insn->alu = op >> 3;
	insn->mem_is_dst = !(op & 2);
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 80-83: group 1, ALU op /digit with an immediate. */
static int decode_group1(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	bool byte_form = op == 0x80 || op == 0x82;
	unsigned int reg;
	int ret;

	if (op == 0x82 && mode == VIREO_MODE_64)
		return fail(c, -EINVAL, "opcode 0x82 is invalid in 64-bit mode");
	ret = modrm_sized(c, mode, byte_form, &reg);
	if (ret)
		return ret;
	ret = take_imm(c, byte_form || op == 0x83 ? 1 : imm_z(insn));
	if (ret)
		return ret;
	insn->op = VIREO_OP_ALU;
	insn->alu = reg & 7;
	insn->mem_is_dst = true;
	return 0;
}

/* 84/85 TEST, 86/87 XCHG: memory and a register of the same size. */
static int decode_mem_reg(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op,
			  enum vireo_insn_op kind)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, !(op & 1), &reg);
	if (ret)
		return ret;
	insn->op = kind;
	insn->alu = VIREO_ALU_TEST;
	insn->mem_is_dst = true;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 69 (Iz), 6B (Ib), 0F AF: IMUL Gv, Ev[, imm]. */
static int decode_imul(struct cursor *c, enum vireo_cpu_mode mode, unsigned int imm_len)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, false, &reg);
	if (ret)
		return ret;
	if (imm_len) {
		ret = take_imm(c, imm_len);
		if (ret)
			return ret;
	}
	insn->op = VIREO_OP_IMUL;
	insn->alu = VIREO_ALU_IMUL;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/*
 * FF /6 PUSH and 8F /0 POP: in 64-bit mode the operand is 64 bits, or 16
 * with 66; a 32-bit push does not exist there (SDM vol. 2 PUSH, POP).
 */
static int decode_push_pop(struct cursor *c, enum vireo_cpu_mode mode, enum vireo_insn_op kind)
{
	struct vireo_insn *insn = c->insn;

	if (mode == VIREO_MODE_64)
		insn->opsize = insn->opsize_pfx ? 2 : 8;
	insn->access_size = insn->opsize;
	insn->op = kind;
	return 0;
}

/* C0/C1 (Ib), D0/D1 (1), D2/D3 (CL): rotates and shifts /digit. */
static int decode_shift(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, !(op & 1), &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_SHIFT;
	insn->alu = VIREO_ALU_ROL + (reg & 7);
	if (op <= 0xc1) {
		uint64_t count = 0;

		ret = take(c, 1, &count);
		if (ret)
			return ret;
		insn->has_imm = true;
		insn->imm = count;
	} else if (op <= 0xd1) {
		insn->has_imm = true;
		insn->imm = 1;
	} else {
		insn->count_cl = true;
	}
	return 0;
}

/* F6/F7: group 3, TEST imm, NOT, NEG, MUL, IMUL, DIV, IDIV. */
static int decode_group3(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg, digit;
	int ret;

	ret = modrm_sized(c, mode, op == 0xf6, &reg);
	if (ret)
		return ret;
	digit = reg & 7;
	switch (digit) {
	case 0:
		insn->op = VIREO_OP_ALU;
		insn->alu = VIREO_ALU_TEST;
		insn->mem_is_dst = true;
		return take_imm(c, op == 0xf6 ? 1 : imm_z(insn));
	case 2:
	case 3:
		insn->op = VIREO_OP_UNARY;
		insn->alu = digit == 2 ? VIREO_ALU_NOT : VIREO_ALU_NEG;
		return 0;
	case 4:
	case 5:
	case 6:
	case 7:
		insn->op = VIREO_OP_MULDIV;
		insn->alu = VIREO_ALU_MUL + digit - 4;
		return 0;
	default:
		/* /1 is an undocumented alias of /0 on some CPUs; refuse it. */
		return unsupported(c, &op, 1, (int)digit);
	}
}

/* FE/FF: group 4/5, INC, DEC and (FF) PUSH. */
static int decode_group5(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg, digit;
	int ret;

	ret = modrm_sized(c, mode, op == 0xfe, &reg);
	if (ret)
		return ret;
	digit = reg & 7;
	if (digit <= 1) {
		insn->op = VIREO_OP_UNARY;
		insn->alu = digit ? VIREO_ALU_DEC : VIREO_ALU_INC;
		return 0;
	}
	/* Indirect CALL/JMP through device memory are not emulated. */
	if (op == 0xff && digit == 6)
		return decode_push_pop(c, mode, VIREO_OP_PUSH);
	return unsupported(c, &op, 1, (int)digit);
}

/* 8F /0: POP Ev (other /digits are XOP escapes). */
static int decode_pop(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	unsigned int reg;
	int ret;

	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	if ((reg & 7) != 0)
		return unsupported(c, &op, 1, (int)(reg & 7));
	return decode_push_pop(c, mode, VIREO_OP_POP);
}

/*
 * A4-A7, AA-AF: string instructions.  The source is seg:rSI (DS unless
 * overridden), the destination always ES:rDI (SDM vol. 2 MOVS).
 */
static int decode_string(struct cursor *c, uint8_t op)
{
	static const uint8_t kinds[] = {
		[0x4] = VIREO_OP_MOVS, [0x6] = VIREO_OP_CMPS, [0xa] = VIREO_OP_STOS,
		[0xc] = VIREO_OP_LODS, [0xe] = VIREO_OP_SCAS,
	};
	struct vireo_insn *insn = c->insn;

	insn->op = kinds[op & 0xe];
	if (!(op & 1))
		insn->opsize = 1;
	insn->access_size = insn->opsize;
	insn->mem.seg = insn->seg_override != SEG_NONE ? insn->seg_override : VIREO_SEG_DS;
	insn->mem.base = VIREO_GPR_RSI;
	return 0;
}

/* 0F A3/AB/B3/BB (Gv) and 0F BA /4-/7 (Ib): BT BTS BTR BTC. */
static int decode_bittest(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, false, &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_BITTEST;
	if (op2 == 0xba) {
		uint8_t ops[2] = { 0x0f, op2 };

		if ((reg & 7) < 4)
			return unsupported(c, ops, 2, (int)(reg & 7));
		insn->alu = VIREO_ALU_BT + (reg & 7) - 4;
		return take_imm(c, 1);
	}
	insn->alu = VIREO_ALU_BT + ((op2 >> 3) & 3);
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 0F B0/B1 CMPXCHG, 0F C0/C1 XADD: Eb/Ev, Gb/Gv. */
static int decode_exchange(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2,
			   enum vireo_insn_op kind)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, !(op2 & 1), &reg);
	if (ret)
		return ret;
	insn->op = kind;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 0F C3: MOVNTI My, Gy, a 32- or 64-bit store (66 is #UD). */
static int decode_movnti(struct cursor *c, enum vireo_cpu_mode mode)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	if (insn->opsize_pfx || insn->rep)
		return fail(c, -EINVAL, "MOVNTI with a 66, F2 or F3 prefix is #UD");
	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	insn->opsize = insn->opsize == 8 ? 8 : 4;
	insn->access_size = insn->opsize;
	insn->op = VIREO_OP_STORE;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/*
 * One vector move form: the mandatory prefix (0, 0x66, 0xf3, 0xf2 or VEX.pp)
 * and opcode select the access; SDM vol. 2 MOVUPS ... MOVHPD.
 */
struct vec_form {
	uint8_t opcode;
	uint8_t pfx;
	uint8_t op;		/* VIREO_OP_VLOAD or VIREO_OP_VSTORE */
	uint8_t size;		/* bytes for VEX.L=0 and legacy SSE */
	uint8_t offset;
	bool aligned;
	bool scalable;		/* VEX.L=1 makes it 32 bytes */
	bool merge;		/* a load keeps the rest of the register */
	bool no_vex;		/* the VEX form takes a second source: not here */
};

#define VL VIREO_OP_VLOAD
#define VS VIREO_OP_VSTORE

static const struct vec_form vec_forms[] = {
	{ 0x10, 0x00, VL, 16, 0, false, true, false, false },	/* movups */
	{ 0x10, 0x66, VL, 16, 0, false, true, false, false },	/* movupd */
	{ 0x10, 0xf3, VL, 4, 0, false, false, false, false },	/* movss */
	{ 0x10, 0xf2, VL, 8, 0, false, false, false, false },	/* movsd */
	{ 0x11, 0x00, VS, 16, 0, false, true, false, false },
	{ 0x11, 0x66, VS, 16, 0, false, true, false, false },
	{ 0x11, 0xf3, VS, 4, 0, false, false, false, false },
	{ 0x11, 0xf2, VS, 8, 0, false, false, false, false },
	{ 0x12, 0x00, VL, 8, 0, false, false, true, true },	/* movlps */
	{ 0x12, 0x66, VL, 8, 0, false, false, true, true },	/* movlpd */
	{ 0x13, 0x00, VS, 8, 0, false, false, false, false },
	{ 0x13, 0x66, VS, 8, 0, false, false, false, false },
	{ 0x16, 0x00, VL, 8, 8, false, false, true, true },	/* movhps */
	{ 0x16, 0x66, VL, 8, 8, false, false, true, true },	/* movhpd */
	{ 0x17, 0x00, VS, 8, 8, false, false, false, false },
	{ 0x17, 0x66, VS, 8, 8, false, false, false, false },
	{ 0x28, 0x00, VL, 16, 0, true, true, false, false },	/* movaps */
	{ 0x28, 0x66, VL, 16, 0, true, true, false, false },	/* movapd */
	{ 0x29, 0x00, VS, 16, 0, true, true, false, false },
	{ 0x29, 0x66, VS, 16, 0, true, true, false, false },
	{ 0x2b, 0x00, VS, 16, 0, true, true, false, false },	/* movntps */
	{ 0x2b, 0x66, VS, 16, 0, true, true, false, false },	/* movntpd */
	{ 0x6e, 0x66, VL, 4, 0, false, false, false, false },	/* movd/movq xmm, r/m */
	{ 0x6f, 0x66, VL, 16, 0, true, true, false, false },	/* movdqa */
	{ 0x6f, 0xf3, VL, 16, 0, false, true, false, false },	/* movdqu */
	{ 0x7e, 0x66, VS, 4, 0, false, false, false, false },	/* movd/movq r/m, xmm */
	{ 0x7e, 0xf3, VL, 8, 0, false, false, false, false },	/* movq xmm, m64 */
	{ 0x7f, 0x66, VS, 16, 0, true, true, false, false },
	{ 0x7f, 0xf3, VS, 16, 0, false, true, false, false },
	{ 0xd6, 0x66, VS, 8, 0, false, false, false, false },	/* movq m64, xmm */
	{ 0xe7, 0x66, VS, 16, 0, true, true, false, false },	/* movntdq */
};

#undef VL
#undef VS

static int decode_vector(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2, uint8_t pfx,
			 bool vex, bool vex_l, bool wide)
{
	struct vireo_insn *insn = c->insn;
	const struct vec_form *f = NULL;
	unsigned int reg, i;
	int ret;

	for (i = 0; i < sizeof(vec_forms) / sizeof(vec_forms[0]); i++) {
		if (vec_forms[i].opcode == op2 && vec_forms[i].pfx == pfx) {
			f = &vec_forms[i];
			break;
		}
	}
	if (!f || (vex && f->no_vex))
		return fail(c, -ENOTSUP, "unsupported %s opcode 0x0f 0x%02x with prefix 0x%02x",
			    vex ? "VEX" : "SSE", op2, pfx);
	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	insn->op = f->op;
	insn->access_size = f->size;
	/* MOVD/MOVQ (66 0F 6E/7E): REX.W or VEX.W picks 64 bits. */
	if ((op2 == 0x6e || op2 == 0x7e) && pfx == 0x66 && wide)
		insn->access_size = 8;
	if (vex && vex_l && f->scalable)
		insn->access_size = 32;
	insn->opsize = insn->access_size;
	insn->vec.reg = reg & 15;
	insn->vec.offset = f->offset;
	insn->vec.aligned = f->aligned;
	insn->vec.vex = vex;
	/*
	 * Legacy SSE loads leave bits 255:128 alone; VEX loads zero the
	 * register up to the maximum vector length (SDM vol. 1 14.1.4).
	 */
	if (f->merge)
		insn->vec.zero_to = 0;
	else
		insn->vec.zero_to = vex ? 32 : 16;
	return 0;
}

/*
 * C4/C5: a VEX prefix (SDM vol. 2 2.3).  Outside 64-bit mode these bytes
 * are LES/LDS unless the next byte has ModRM.mod = 11b.
 */
static int decode_vex(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op)
{
	static const uint8_t pp_prefix[4] = { 0, 0x66, 0xf3, 0xf2 };
	struct vireo_insn *insn = c->insn;
	uint64_t b1 = 0, b2 = 0, op2 = 0;
	unsigned int map = 1, vvvv;
	bool wide = false, vex_l;
	int ret;

	ret = take(c, 1, &b1);
	if (ret)
		return ret;
	if (mode != VIREO_MODE_64 && (b1 & 0xc0) != 0xc0)
		return unsupported(c, &op, 1, -1);	/* LES/LDS */
	if (insn->opsize_pfx || insn->rep || insn->rex || insn->lock)
		return fail(c, -EINVAL, "VEX after a 66, F2, F3, REX or LOCK prefix is #UD");
	insn->rex = 0;
	if (!(b1 & 0x80))
		insn->rex |= REX_R;
	if (op == 0xc4) {
		ret = take(c, 1, &b2);
		if (ret)
			return ret;
		if (!(b1 & 0x40))
			insn->rex |= REX_X;
		if (!(b1 & 0x20))
			insn->rex |= REX_B;
		map = b1 & 0x1f;
		wide = mode == VIREO_MODE_64 && (b2 & 0x80);
		b1 = b2;
	}
	if (mode != VIREO_MODE_64)
		insn->rex = 0;	/* R, X, B are ignored outside 64-bit mode */
	vvvv = (~b1 >> 3) & 15;
	vex_l = b1 & 4;
	ret = take(c, 1, &op2);
	if (ret)
		return ret;
	insn->opcode[0] = 0x0f;
	insn->opcode[1] = (uint8_t)op2;
	if (map != 1)
		return fail(c, -ENOTSUP, "unsupported VEX opcode map %u", map);
	/* The moves have no second source: VEX.vvvv must be 1111b. */
	if (vvvv)
		return fail(c, -EINVAL, "VEX.vvvv must be 1111b for a move");
	return decode_vector(c, mode, (uint8_t)op2, pp_prefix[b1 & 3], true, vex_l, wide);
}

/* 0F 90-9F SETcc Eb (ModRM.reg is not used), 0F 40-4F CMOVcc Gv, Ev. */
static int decode_condition(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, op2 >= 0x90, &reg);
	if (ret)
		return ret;
	insn->cond = op2 & 15;
	if (op2 >= 0x90) {
		insn->op = VIREO_OP_SETCC;
		return 0;
	}
	insn->op = VIREO_OP_CMOV;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 0F A4/A5 SHLD, 0F AC/AD SHRD Ev, Gv, Ib/CL. */
static int decode_shiftd(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = modrm_sized(c, mode, false, &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_SHIFTD;
	insn->alu = op2 < 0xa8 ? VIREO_ALU_SHL : VIREO_ALU_SHR;
	set_reg(insn, reg, insn->opsize);
	if (op2 & 1) {
		insn->count_cl = true;
		return 0;
	}
	ret = take(c, 1, &insn->imm);
	insn->has_imm = true;
	return ret;
}

/*
 * 0F BC/BD BSF/BSR Gv, Ev.  With F3 they are TZCNT/LZCNT on CPUs with
 * BMI1/ABM and BSF/BSR on others: which one the guest meant depends on
 * its CPUID, so refuse rather than guess.
 */
static int decode_bitscan(struct cursor *c, enum vireo_cpu_mode mode, uint8_t op2)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	if (insn->rep == 0xf3)
		return unsupported(c, insn->opcode, 2, -1);
	ret = modrm_sized(c, mode, false, &reg);
	if (ret)
		return ret;
	insn->op = VIREO_OP_BITSCAN;
	insn->alu = op2 == 0xbc ? VIREO_ALU_BSF : VIREO_ALU_BSR;
	set_reg(insn, reg, insn->opsize);
	return 0;
}

/* 0F C7 /1: CMPXCHG8B m64, or CMPXCHG16B m128 with REX.W. */
static int decode_cmpxchg2(struct cursor *c, enum vireo_cpu_mode mode)
{
	struct vireo_insn *insn = c->insn;
	unsigned int reg;
	int ret;

	ret = decode_modrm(c, mode, &reg);
	if (ret)
		return ret;
	if ((reg & 7) != 1)
		return unsupported(c, insn->opcode, 2, (int)(reg & 7));
	insn->op = VIREO_OP_CMPXCHG2;
	insn->opsize = (insn->rex & REX_W) ? 8 : 4;	/* each half */
	insn->access_size = insn->opsize * 2;
	return 0;
}

static int decode_0f(struct cursor *c, enum vireo_cpu_mode mode)
{
	struct vireo_insn *insn = c->insn;
	uint8_t pfx = insn->rep ? insn->rep : insn->opsize_pfx ? 0x66 : 0;
	uint64_t op2 = 0;
	int ret;

	ret = take(c, 1, &op2);
	if (ret)
		return ret;
	insn->opcode[1] = (uint8_t)op2;
	switch (op2) {
	case 0xb6:
	case 0xb7:
	case 0xbe:
	case 0xbf:
		return decode_movx(c, mode, (uint8_t)op2);
	case 0xa3:
	case 0xab:
	case 0xb3:
	case 0xbb:
	case 0xba:
		return decode_bittest(c, mode, (uint8_t)op2);
	case 0xb0:
	case 0xb1:
		return decode_exchange(c, mode, (uint8_t)op2, VIREO_OP_CMPXCHG);
	case 0xc0:
	case 0xc1:
		return decode_exchange(c, mode, (uint8_t)op2, VIREO_OP_XADD);
	case 0xaf:
		return decode_imul(c, mode, 0);
	case 0x40 ... 0x4f:
	case 0x90 ... 0x9f:
		return decode_condition(c, mode, (uint8_t)op2);
	case 0xa4:
	case 0xa5:
	case 0xac:
	case 0xad:
		return decode_shiftd(c, mode, (uint8_t)op2);
	case 0xbc:
	case 0xbd:
		return decode_bitscan(c, mode, (uint8_t)op2);
	case 0xc7:
		return decode_cmpxchg2(c, mode);
	case 0xc3:
		return decode_movnti(c, mode);
	case 0x10 ... 0x17:
	case 0x28 ... 0x2b:
	case 0x6e ... 0x7f:
	case 0xd6:
	case 0xe7:
		return decode_vector(c, mode, (uint8_t)op2, pfx, false, false,
				     insn->rex & REX_W);
	default:
		return unsupported(c, insn->opcode, 2, -1);
	}
}

int vireo_decode(const uint8_t *bytes, size_t avail, enum vireo_cpu_mode mode,
		 struct vireo_insn *insn)
{
	struct cursor c = { .bytes = bytes, .avail = avail, .insn = insn };
	uint8_t op;
	int ret;

	init_insn(insn, mode);
	ret = decode_prefixes(&c, mode, &op);
	if (ret)
		goto out;
	insn->opcode[0] = op;
	switch (op) {
	case 0x0f:
		ret = decode_0f(&c, mode);
		break;
	case 0x00 ... 0x0e:
	case 0x10 ... 0x3f:
		/* x0-x3, x8-xB: the ModRM forms; the others have no memory operand. */
		if ((op & 7) < 4)
			ret = decode_alu(&c, mode, op);
		else
			ret = unsupported(&c, &op, 1, -1);
		break;
	case 0x69:
		ret = decode_imul(&c, mode, imm_z(insn));
		break;
	case 0x6b:
		ret = decode_imul(&c, mode, 1);
		break;
	case 0x80 ... 0x83:
		ret = decode_group1(&c, mode, op);
		break;
	case 0x84:
	case 0x85:
		ret = decode_mem_reg(&c, mode, op, VIREO_OP_ALU);
		break;
	case 0x86:
	case 0x87:
		ret = decode_mem_reg(&c, mode, op, VIREO_OP_XCHG);
		break;
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		ret = decode_mov_rm(&c, mode, op);
		break;
	case 0x8f:
		ret = decode_pop(&c, mode, op);
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		ret = decode_mov_moffs(&c, op);
		break;
	case 0xa4 ... 0xa7:
	case 0xaa ... 0xaf:
		ret = decode_string(&c, op);
		break;
	case 0xc0:
	case 0xc1:
	case 0xd0 ... 0xd3:
		ret = decode_shift(&c, mode, op);
		break;
	case 0xc4:
	case 0xc5:
		ret = decode_vex(&c, mode, op);
		break;
	case 0xc6:
	case 0xc7:
		ret = decode_mov_imm(&c, mode, op);
		break;
	case 0xf6:
	case 0xf7:
		ret = decode_group3(&c, mode, op);
		break;
	case 0xfe:
	case 0xff:
		ret = decode_group5(&c, mode, op);
		break;
	default:
		ret = unsupported(&c, &op, 1, -1);
		break;
	}
out:
	insn->len = (uint8_t)c.pos;
	return ret;
}

int vireo_decode_string_io(const uint8_t *bytes, size_t avail, enum vireo_cpu_mode mode,
			   struct vireo_insn *insn)
{
	struct cursor c = { .bytes = bytes, .avail = avail, .insn = insn };
	uint8_t op;
	int ret;

	init_insn(insn, mode);
	ret = decode_prefixes(&c, mode, &op);
	if (ret)
		goto out;
	insn->opcode[0] = op;
	if (op < 0x6c || op > 0x6f) {
		ret = fail(&c, -ENOTSUP, "opcode 0x%02x is not INS/OUTS", op);
		goto out;
	}
	/* INSD/OUTSD stay 4 bytes wide with REX.W. */
	insn->access_size = (op & 1) ? (insn->opsize == 2 ? 2 : 4) : 1;
	insn->opsize = insn->access_size;
	if (op <= 0x6d) {
		/* INS always writes ES:rDI; an override does not apply. */
		insn->op = VIREO_OP_INS;
		insn->mem.seg = VIREO_SEG_ES;
		insn->mem.base = VIREO_GPR_RDI;
	} else {
		insn->op = VIREO_OP_OUTS;
		insn->mem.seg = insn->seg_override != SEG_NONE ? insn->seg_override
							      : VIREO_SEG_DS;
		insn->mem.base = VIREO_GPR_RSI;
	}
out:
	insn->len = (uint8_t)c.pos;
	return ret;
}

uint64_t vireo_insn_linear(const struct vireo_insn *insn, const struct vireo_regs *regs,
			   const struct vireo_sregs *sregs)
{
	const struct vireo_insn_mem *m = &insn->mem;
	struct vireo_regs *r = (struct vireo_regs *)regs;	/* read only */
	uint64_t ea = (uint64_t)m->disp, base = 0;

	if (m->base != VIREO_GPR_NONE)
		ea += *vireo_gpr(r, m->base);
	if (m->index != VIREO_GPR_NONE)
		ea += *vireo_gpr(r, m->index) * m->scale;
	if (m->rip_relative)
		ea += regs->rip + insn->len;
	ea &= size_mask(insn->addrsize);

	/* In 64-bit mode only FS and GS have a base (SDM vol. 3 3.4.4). */
	if (insn->mode != VIREO_MODE_64 || m->seg == VIREO_SEG_FS || m->seg == VIREO_SEG_GS)
		base = vireo_sreg(sregs, m->seg)->base;
	ea += base;
	if (insn->mode != VIREO_MODE_64)
		ea &= 0xffffffffULL;
	return ea;
}

uint64_t vireo_gpr_read(const struct vireo_regs *regs, unsigned int gpr, bool high8,
			unsigned int size)
{
	uint64_t v = *vireo_gpr((struct vireo_regs *)regs, gpr);	/* read only */

	if (high8)
		v >>= 8;
	return v & size_mask(size);
}

void vireo_gpr_write(struct vireo_regs *regs, unsigned int gpr, bool high8, unsigned int size,
		     uint64_t value)
{
	__u64 *r = vireo_gpr(regs, gpr);

	switch (size) {
	case 1:
		if (high8)
			*r = (*r & ~0xff00ULL) | ((value & 0xff) << 8);
		else
			*r = (*r & ~0xffULL) | (value & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (value & 0xffff);
		break;
	case 4:
		/*
		 * Architectural in 64-bit mode; elsewhere the upper half is
		 * undefined and zeroing it (as KVM does) is a valid choice.
		 */
		*r = value & 0xffffffffULL;
		break;
	default:
		*r = value;
		break;
	}
}

uint64_t vireo_insn_store_value(const struct vireo_insn *insn, const struct vireo_regs *regs)
{
	if (insn->has_imm)
		return insn->imm & size_mask(insn->access_size);
	return vireo_gpr_read(regs, insn->reg, insn->reg_high8, insn->access_size);
}

void vireo_insn_writeback(const struct vireo_insn *insn, struct vireo_regs *regs,
			  uint64_t value)
{
	value &= size_mask(insn->access_size);
	if (insn->ext == VIREO_EXT_SIGN)
		value = (uint64_t)sign_extend(value, insn->access_size);
	vireo_gpr_write(regs, insn->reg, insn->reg_high8, insn->opsize, value);
}
