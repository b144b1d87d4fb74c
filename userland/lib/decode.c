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
	uint64_t imm;
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

int vireo_decode(const uint8_t *bytes, size_t avail, enum vireo_cpu_mode mode,
		 struct vireo_insn *insn)
{
	struct cursor c = { .bytes = bytes, .avail = avail, .insn = insn };
	uint64_t op2 = 0;
	uint8_t op;
	int ret;

	init_insn(insn, mode);
	ret = decode_prefixes(&c, mode, &op);
	if (ret)
		goto out;
	insn->opcode[0] = op;
	switch (op) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		ret = decode_mov_rm(&c, mode, op);
		break;
	case 0xc6:
	case 0xc7:
		ret = decode_mov_imm(&c, mode, op);
		break;
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		ret = decode_mov_moffs(&c, op);
		break;
	case 0x0f:
		ret = take(&c, 1, &op2);
		if (ret)
			break;
		insn->opcode[1] = (uint8_t)op2;
		if (op2 == 0xb6 || op2 == 0xb7 || op2 == 0xbe || op2 == 0xbf)
			ret = decode_movx(&c, mode, (uint8_t)op2);
		else
			ret = fail(&c, -ENOTSUP, "unsupported opcode 0x0f 0x%02x",
				   (unsigned int)op2);
		break;
	default:
		ret = fail(&c, -ENOTSUP, "unsupported opcode 0x%02x", op);
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

uint64_t vireo_insn_store_value(const struct vireo_insn *insn, const struct vireo_regs *regs)
{
	struct vireo_regs *r = (struct vireo_regs *)regs;	/* read only */
	uint64_t v;

	if (insn->has_imm)
		return insn->imm & size_mask(insn->access_size);
	v = *vireo_gpr(r, insn->reg);
	if (insn->reg_high8)
		v >>= 8;
	return v & size_mask(insn->access_size);
}

void vireo_insn_writeback(const struct vireo_insn *insn, struct vireo_regs *regs,
			  uint64_t value)
{
	__u64 *r = vireo_gpr(regs, insn->reg);

	value &= size_mask(insn->access_size);
	if (insn->ext == VIREO_EXT_SIGN)
		value = (uint64_t)sign_extend(value, insn->access_size);

	switch (insn->opsize) {
	case 1:
		if (insn->reg_high8)
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
