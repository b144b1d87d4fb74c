// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder tests: every MOV form, prefixes, REX (including the byte-register
 * rule), ModRM/SIB/displacements, RIP-relative and 16-bit addressing, the
 * write-back rules, INS/OUTS, and rejection of everything else.
 */
#include <errno.h>

#include <libvireo.h>

#include "test.h"

/* Decode the bytes, which must form exactly one instruction. */
#define T_DECODE(mode, insn, ...)                                                            \
	do {                                                                                 \
		static const uint8_t _b[] = { __VA_ARGS__ };                                 \
		int _r = vireo_decode(_b, sizeof(_b), (mode), (insn));                       \
		if (_r) {                                                                    \
			vireo_test_fail(__FILE__, __LINE__, "decode failed %d: %s", _r,      \
					(insn)->error);                                      \
			return;                                                              \
		}                                                                            \
		T_EQ((insn)->len, sizeof(_b));                                               \
	} while (0)

/* Decode the bytes and expect error err. */
#define T_DECODE_ERR(mode, err, ...)                                                         \
	do {                                                                                 \
		static const uint8_t _b[] = { __VA_ARGS__ };                                 \
		struct vireo_insn _i;                                                        \
		T_EQ(vireo_decode(_b, sizeof(_b), (mode), &_i), (err));                      \
		T_TRUE(_i.error[0] != 0);                                                    \
	} while (0)

static const struct vireo_sregs flat64 = {
	.cs = { .l = 1 },
	.cr0 = VIREO_CR0_PE | VIREO_CR0_PG,
	.efer = VIREO_EFER_LMA | VIREO_EFER_LME,
};

static void mov_89_store_rex_w(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x48, 0x89, 0x03);	/* mov [rbx], rax */
	T_EQ(i.op, VIREO_OP_STORE);
	T_EQ(i.access_size, 8);
	T_EQ(i.reg, VIREO_GPR_RAX);
	T_EQ(i.mem.base, VIREO_GPR_RBX);
	T_EQ(i.mem.index, VIREO_GPR_NONE);
	T_TRUE(!i.has_imm);
}

static void mov_89_32bit_mode(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_32, &i, 0x89, 0x0b);	/* mov [ebx], ecx */
	T_EQ(i.op, VIREO_OP_STORE);
	T_EQ(i.access_size, 4);
	T_EQ(i.reg, VIREO_GPR_RCX);
	T_EQ(i.addrsize, 4);
}

static void mov_89_16bit_mode(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_16, &i, 0x89, 0x07);	/* mov [bx], ax */
	T_EQ(i.access_size, 2);
	T_EQ(i.mem.base, VIREO_GPR_RBX);
	T_DECODE(VIREO_MODE_16, &i, 0x66, 0x89, 0x07);	/* mov [bx], eax */
	T_EQ(i.access_size, 4);
}

static void mov_88_byte_register_rule(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x88, 0x63, 0x07);	/* mov [rbx+7], ah */
	T_EQ(i.access_size, 1);
	T_EQ(i.reg, VIREO_GPR_RAX);
	T_TRUE(i.reg_high8);
	T_EQ(i.mem.disp, 7);

	T_DECODE(VIREO_MODE_64, &i, 0x40, 0x88, 0x23);	/* mov [rbx], spl */
	T_EQ(i.reg, VIREO_GPR_RSP);
	T_TRUE(!i.reg_high8);

	T_DECODE(VIREO_MODE_64, &i, 0x44, 0x88, 0x03);	/* mov [rbx], r8b */
	T_EQ(i.reg, 8);
	T_TRUE(!i.reg_high8);

	T_DECODE(VIREO_MODE_32, &i, 0x88, 0x3b);	/* mov [ebx], bh */
	T_EQ(i.reg, VIREO_GPR_RBX);
	T_TRUE(i.reg_high8);

	T_DECODE(VIREO_MODE_64, &i, 0x88, 0x0b);	/* mov [rbx], cl */
	T_EQ(i.reg, VIREO_GPR_RCX);
	T_TRUE(!i.reg_high8);
}

static void mov_8a_8b_loads(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x8a, 0x43, 0x07);	/* mov al, [rbx+7] */
	T_EQ(i.op, VIREO_OP_LOAD);
	T_EQ(i.access_size, 1);
	T_EQ(i.opsize, 1);

	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x8b, 0x43, 0x0a);	/* mov ax, [rbx+10] */
	T_EQ(i.access_size, 2);
	T_EQ(i.opsize, 2);

	T_DECODE(VIREO_MODE_64, &i, 0x4c, 0x8b, 0x53, 0x30);	/* mov r10, [rbx+0x30] */
	T_EQ(i.access_size, 8);
	T_EQ(i.reg, 10);

	T_DECODE(VIREO_MODE_64, &i, 0x8b, 0x83, 0x00, 0x01, 0x00, 0x00);	/* [rbx+0x100] */
	T_EQ(i.access_size, 4);
	T_EQ(i.mem.disp, 0x100);
}

static void rex_w_beats_66(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x48, 0x8b, 0x03);
	T_EQ(i.access_size, 8);
}

static void rex_before_legacy_prefix_is_ignored(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x48, 0x66, 0x8b, 0x03);
	T_EQ(i.rex, 0);
	T_EQ(i.access_size, 2);
	/* ... and so is its R bit. */
	T_DECODE(VIREO_MODE_64, &i, 0x4c, 0x66, 0x8b, 0x03);
	T_EQ(i.reg, VIREO_GPR_RAX);
}

static void rex_is_inc_dec_outside_64bit(void)
{
	T_DECODE_ERR(VIREO_MODE_32, -ENOTSUP, 0x48, 0x89, 0x03);
}

static void sib_rex_b_x(void)
{
	struct vireo_insn i;

	/* mov [r11 + rcx*8 + 0x28], r9 */
	T_DECODE(VIREO_MODE_64, &i, 0x4d, 0x89, 0x4c, 0xcb, 0x28);
	T_EQ(i.reg, 9);
	T_EQ(i.mem.base, 11);
	T_EQ(i.mem.index, VIREO_GPR_RCX);
	T_EQ(i.mem.scale, 8);
	T_EQ(i.mem.disp, 0x28);

	/* mov eax, [rbx + r12]: index 100b with REX.X is r12, not "none" */
	T_DECODE(VIREO_MODE_64, &i, 0x42, 0x8b, 0x04, 0x23);
	T_EQ(i.mem.index, 12);
	T_EQ(i.mem.base, VIREO_GPR_RBX);

	/* mov eax, [rsp + 8]: SIB with no index */
	T_DECODE(VIREO_MODE_64, &i, 0x8b, 0x44, 0x24, 0x08);
	T_EQ(i.mem.index, VIREO_GPR_NONE);
	T_EQ(i.mem.base, VIREO_GPR_RSP);
	T_EQ(i.mem.seg, VIREO_SEG_SS);
}

static void sib_no_base_disp32(void)
{
	struct vireo_insn i;

	/* mov eax, [0x1000] via SIB base=101 mod=00 */
	T_DECODE(VIREO_MODE_64, &i, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00);
	T_EQ(i.mem.base, VIREO_GPR_NONE);
	T_EQ(i.mem.index, VIREO_GPR_NONE);
	T_EQ(i.mem.disp, 0x1000);
	T_TRUE(!i.mem.rip_relative);

	/* mov eax, [rcx*4 - 4] */
	T_DECODE(VIREO_MODE_32, &i, 0x8b, 0x04, 0x8d, 0xfc, 0xff, 0xff, 0xff);
	T_EQ(i.mem.base, VIREO_GPR_NONE);
	T_EQ(i.mem.index, VIREO_GPR_RCX);
	T_EQ(i.mem.scale, 4);
	T_EQ(i.mem.disp, -4);
}

static void r13_and_rip_relative(void)
{
	struct vireo_insn i;

	/* mov eax, [r13 + 0] needs mod=01 */
	T_DECODE(VIREO_MODE_64, &i, 0x41, 0x8b, 0x45, 0x00);
	T_EQ(i.mem.base, 13);
	T_TRUE(!i.mem.rip_relative);

	/* mod=00 rm=101 with REX.B is still RIP-relative */
	T_DECODE(VIREO_MODE_64, &i, 0x41, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00);
	T_TRUE(i.mem.rip_relative);
	T_EQ(i.mem.base, VIREO_GPR_NONE);
}

static void rip_relative_linear(void)
{
	struct vireo_regs regs = { .rip = 0x401000 };
	struct vireo_insn i;

	/* mov eax, [rip + 0x10]: relative to the next instruction */
	T_DECODE(VIREO_MODE_64, &i, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
	T_TRUE(i.mem.rip_relative);
	T_EQ(vireo_insn_linear(&i, &regs, &flat64), 0x401000 + 6 + 0x10);

	/* With an immediate after the displacement: c7 05 disp32 imm32 */
	T_DECODE(VIREO_MODE_64, &i, 0xc7, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00);
	T_EQ(vireo_insn_linear(&i, &regs, &flat64), 0x401000 + 10 - 0x10);
	T_EQ(i.imm, 1);

	/* Same bytes in 32-bit code: an absolute disp32. */
	T_DECODE(VIREO_MODE_32, &i, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00);
	T_TRUE(!i.mem.rip_relative);
	T_EQ(i.mem.base, VIREO_GPR_NONE);
	T_EQ(i.mem.disp, 0x10);
}

static void addressing_16bit(void)
{
	struct vireo_sregs sregs = { .ds = { .base = 0x10000 }, .ss = { .base = 0x20000 } };
	struct vireo_regs regs = { .rbx = 0x100, .rsi = 0x20, .rdi = 0x3, .rbp = 0x1000 };
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x00);	/* mov ax, [bx+si] */
	T_EQ(i.addrsize, 2);
	T_EQ(i.mem.base, VIREO_GPR_RBX);
	T_EQ(i.mem.index, VIREO_GPR_RSI);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10000 + 0x120);

	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x46, 0x04);	/* mov ax, [bp+4]: SS */
	T_EQ(i.mem.seg, VIREO_SEG_SS);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x20000 + 0x1004);

	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x06, 0x34, 0x12);	/* mov ax, [0x1234] */
	T_EQ(i.mem.base, VIREO_GPR_NONE);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10000 + 0x1234);

	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x43, 0xfe);	/* mov ax, [bp+di-2] */
	T_EQ(i.mem.seg, VIREO_SEG_SS);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x20000 + 0x1001);

	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x85, 0x00, 0x80);	/* [di+0x8000] */
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10000 + 0x8003);

	regs.rbx = 0xffff;	/* bx + 2 wraps at 64 KiB */
	T_DECODE(VIREO_MODE_16, &i, 0x8b, 0x47, 0x02);	/* mov ax, [bx+2] */
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10000 + 1);

	/* 67 in 16-bit code switches to 32-bit addressing: [ebx] */
	regs.rbx = 0x12345;
	T_DECODE(VIREO_MODE_16, &i, 0x67, 0x8b, 0x03);
	T_EQ(i.addrsize, 4);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10000 + 0x12345);

	/* 67 in 32-bit code switches to 16-bit addressing: [bx+si] */
	T_DECODE(VIREO_MODE_32, &i, 0x67, 0x8b, 0x00);
	T_EQ(i.addrsize, 2);
	T_EQ(i.mem.index, VIREO_GPR_RSI);
}

static void segment_overrides(void)
{
	struct vireo_sregs sregs = flat64;
	struct vireo_regs regs = { .rbx = 0x10 };
	struct vireo_insn i;

	sregs.fs.base = 0x7000000000ULL;
	sregs.cs.base = 0x5000;
	T_DECODE(VIREO_MODE_64, &i, 0x64, 0x8b, 0x03);
	T_EQ(i.mem.seg, VIREO_SEG_FS);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x7000000010ULL);
	/* CS/DS/ES/SS bases do not apply in 64-bit mode. */
	T_DECODE(VIREO_MODE_64, &i, 0x2e, 0x8b, 0x03);
	T_EQ(i.mem.seg, VIREO_SEG_CS);
	T_EQ(vireo_insn_linear(&i, &regs, &sregs), 0x10);
	/* The last override wins. */
	T_DECODE(VIREO_MODE_64, &i, 0x26, 0x65, 0x8b, 0x03);
	T_EQ(i.mem.seg, VIREO_SEG_GS);
	T_DECODE(VIREO_MODE_32, &i, 0x26, 0x8b, 0x03);
	T_EQ(i.mem.seg, VIREO_SEG_ES);
	T_DECODE(VIREO_MODE_32, &i, 0x36, 0x8b, 0x03);
	T_EQ(i.mem.seg, VIREO_SEG_SS);
	T_DECODE(VIREO_MODE_32, &i, 0x3e, 0x8b, 0x45, 0x00);	/* [ebp] with DS: */
	T_EQ(i.mem.seg, VIREO_SEG_DS);
}

static void lock_rep_tolerated(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0xf0, 0x89, 0x03);
	T_TRUE(i.lock);
	T_DECODE(VIREO_MODE_64, &i, 0xf3, 0x89, 0x03);
	T_EQ(i.rep, 0xf3);
	T_DECODE(VIREO_MODE_64, &i, 0xf2, 0x48, 0x8b, 0x03);
	T_EQ(i.rep, 0xf2);
	T_EQ(i.access_size, 8);
}

static void mov_c6_c7_immediates(void)
{
	struct vireo_regs regs = { 0 };
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0xc6, 0x43, 0x03, 0xaa);	/* mov byte [rbx+3], 0xaa */
	T_EQ(i.op, VIREO_OP_STORE);
	T_TRUE(i.has_imm);
	T_EQ(i.access_size, 1);
	T_EQ(vireo_insn_store_value(&i, &regs), 0xaa);

	/* mov qword [rbx+8], -1: imm32 sign-extended */
	T_DECODE(VIREO_MODE_64, &i, 0x48, 0xc7, 0x43, 0x08, 0xff, 0xff, 0xff, 0xff);
	T_EQ(i.access_size, 8);
	T_EQ(vireo_insn_store_value(&i, &regs), 0xffffffffffffffffULL);

	T_DECODE(VIREO_MODE_64, &i, 0x66, 0xc7, 0x43, 0x08, 0xef, 0xbe);	/* imm16 */
	T_EQ(i.access_size, 2);
	T_EQ(vireo_insn_store_value(&i, &regs), 0xbeef);

	T_DECODE(VIREO_MODE_32, &i, 0xc7, 0x03, 0xef, 0xbe, 0xad, 0xde);
	T_EQ(i.access_size, 4);
	T_EQ(vireo_insn_store_value(&i, &regs), 0xdeadbeef);

	T_DECODE(VIREO_MODE_16, &i, 0xc7, 0x07, 0x34, 0x12);	/* mov word [bx], 0x1234 */
	T_EQ(i.access_size, 2);
	T_EQ(vireo_insn_store_value(&i, &regs), 0x1234);

	/* SIB + disp32 + imm32 */
	T_DECODE(VIREO_MODE_64, &i, 0xc7, 0x84, 0x8b, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56,
		 0x34, 0x12);
	T_EQ(i.mem.disp, 0x100);
	T_EQ(i.imm, 0x12345678);
}

static void mov_c6_c7_other_reg_field_rejected(void)
{
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0xc6, 0x4b, 0x00, 0x01);	/* /1 */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0xc7, 0x7b, 0x00, 1, 2, 3, 4);	/* /7 */
}

static void mov_moffs(void)
{
	struct vireo_insn i;

	/* mov [abs 0xd0000038], rax: 64-bit offset */
	T_DECODE(VIREO_MODE_64, &i, 0x48, 0xa3, 0x38, 0x00, 0x00, 0xd0, 0, 0, 0, 0);
	T_EQ(i.op, VIREO_OP_STORE);
	T_EQ(i.access_size, 8);
	T_EQ(i.reg, VIREO_GPR_RAX);
	T_TRUE(i.mem.moffs);
	T_EQ(i.mem.disp, 0xd0000038);

	T_DECODE(VIREO_MODE_64, &i, 0xa0, 0x3f, 0x00, 0x00, 0xd0, 0, 0, 0, 0);	/* mov al */
	T_EQ(i.op, VIREO_OP_LOAD);
	T_EQ(i.access_size, 1);
	T_TRUE(!i.reg_high8);

	T_DECODE(VIREO_MODE_64, &i, 0xa1, 0x38, 0x00, 0x00, 0xd0, 0, 0, 0, 0);	/* eax */
	T_EQ(i.access_size, 4);

	T_DECODE(VIREO_MODE_64, &i, 0x67, 0xa2, 0x3e, 0x00, 0x00, 0xd0);	/* 32-bit moffs */
	T_EQ(i.access_size, 1);
	T_EQ(i.mem.disp, 0xd000003e);

	T_DECODE(VIREO_MODE_32, &i, 0xa1, 0x00, 0x10, 0x00, 0x00);
	T_EQ(i.access_size, 4);
	T_DECODE(VIREO_MODE_16, &i, 0xa1, 0x00, 0x10);
	T_EQ(i.access_size, 2);
	T_DECODE(VIREO_MODE_16, &i, 0x26, 0xa3, 0x00, 0x10);
	T_EQ(i.mem.seg, VIREO_SEG_ES);
	T_DECODE(VIREO_MODE_64, &i, 0x66, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0);
	T_EQ(i.access_size, 2);
}

static void movzx_movsx(void)
{
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xb6, 0x03);	/* movzx eax, byte [rbx] */
	T_EQ(i.op, VIREO_OP_LOAD);
	T_EQ(i.access_size, 1);
	T_EQ(i.opsize, 4);
	T_EQ(i.ext, VIREO_EXT_ZERO);
	T_TRUE(!i.reg_high8);

	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xb6, 0x23);	/* movzx esp: not AH */
	T_EQ(i.reg, VIREO_GPR_RSP);
	T_TRUE(!i.reg_high8);

	T_DECODE(VIREO_MODE_64, &i, 0x48, 0x0f, 0xb7, 0x43, 0x02);
	T_EQ(i.access_size, 2);
	T_EQ(i.opsize, 8);

	T_DECODE(VIREO_MODE_64, &i, 0x48, 0x0f, 0xbe, 0x03);
	T_EQ(i.ext, VIREO_EXT_SIGN);
	T_EQ(i.access_size, 1);

	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xbf, 0x43, 0x02);
	T_EQ(i.ext, VIREO_EXT_SIGN);
	T_EQ(i.access_size, 2);
	T_EQ(i.opsize, 4);

	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x0f, 0xbe, 0x03);	/* movsx ax, byte */
	T_EQ(i.opsize, 2);

	T_DECODE(VIREO_MODE_64, &i, 0x44, 0x0f, 0xb6, 0x63, 0x01);	/* movzx r12d */
	T_EQ(i.reg, 12);

	T_DECODE(VIREO_MODE_16, &i, 0x0f, 0xb6, 0x07);	/* movzx ax, byte [bx] */
	T_EQ(i.opsize, 2);
}

static void writeback_rules(void)
{
	struct vireo_regs regs;
	struct vireo_insn i;

	memset(&regs, 0, sizeof(regs));
	regs.rax = 0xaaaaaaaaaaaaaaaaULL;
	T_DECODE(VIREO_MODE_64, &i, 0x8b, 0x03);	/* 32-bit: zero-extends */
	vireo_insn_writeback(&i, &regs, 0xcafef00d);
	T_EQ(regs.rax, 0xcafef00d);

	regs.rax = 0x1111111111111111ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x8b, 0x03);	/* 16-bit: merges */
	vireo_insn_writeback(&i, &regs, 0xbeef);
	T_EQ(regs.rax, 0x111111111111beefULL);

	regs.rax = 0xaaaaaaaaaaaaaa00ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x8a, 0x03);	/* AL: merges */
	vireo_insn_writeback(&i, &regs, 0x11);
	T_EQ(regs.rax, 0xaaaaaaaaaaaaaa11ULL);

	regs.rbx = 0x1234;
	T_DECODE(VIREO_MODE_64, &i, 0x8a, 0x3b);	/* mov bh, [rbx] */
	vireo_insn_writeback(&i, &regs, 0x22);
	T_EQ(regs.rbx, 0x2234);

	regs.rdi = 0xffffffffffffffffULL;
	T_DECODE(VIREO_MODE_64, &i, 0x40, 0x8a, 0x3b);	/* mov dil, [rbx] */
	vireo_insn_writeback(&i, &regs, 0x00);
	T_EQ(regs.rdi, 0xffffffffffffff00ULL);

	T_DECODE(VIREO_MODE_64, &i, 0x4c, 0x8b, 0x3b);	/* mov r15, [rbx] */
	vireo_insn_writeback(&i, &regs, 0x0102030405060708ULL);
	T_EQ(regs.r15, 0x0102030405060708ULL);

	regs.rax = ~0ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x48, 0x0f, 0xbe, 0x03);	/* movsx rax, byte */
	vireo_insn_writeback(&i, &regs, 0xef);
	T_EQ(regs.rax, 0xffffffffffffffefULL);

	regs.rax = ~0ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xbf, 0x03);	/* movsx eax, word */
	vireo_insn_writeback(&i, &regs, 0xabcd);
	T_EQ(regs.rax, 0x00000000ffffabcdULL);

	regs.rax = 0x5555555555555555ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x0f, 0xbe, 0x03);	/* movsx ax, byte */
	vireo_insn_writeback(&i, &regs, 0x80);
	T_EQ(regs.rax, 0x555555555555ff80ULL);

	regs.rax = ~0ULL;
	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xb7, 0x03);	/* movzx eax, word */
	vireo_insn_writeback(&i, &regs, 0xabcd);
	T_EQ(regs.rax, 0xabcd);

	/* Only access_size bytes of the device value count. */
	regs.rax = 0;
	T_DECODE(VIREO_MODE_64, &i, 0x0f, 0xb6, 0x03);
	vireo_insn_writeback(&i, &regs, 0x12345678);
	T_EQ(regs.rax, 0x78);
}

static void store_values(void)
{
	struct vireo_regs regs = { .rax = 0x5500, .rcx = 0x11223344, .r9 = 0x0102030405060708 };
	struct vireo_insn i;

	T_DECODE(VIREO_MODE_64, &i, 0x88, 0x23);	/* mov [rbx], ah */
	T_EQ(vireo_insn_store_value(&i, &regs), 0x55);
	T_DECODE(VIREO_MODE_64, &i, 0x66, 0x89, 0x0b);	/* mov [rbx], cx */
	T_EQ(vireo_insn_store_value(&i, &regs), 0x3344);
	T_DECODE(VIREO_MODE_64, &i, 0x4c, 0x89, 0x0b);	/* mov [rbx], r9 */
	T_EQ(vireo_insn_store_value(&i, &regs), 0x0102030405060708ULL);
	T_DECODE(VIREO_MODE_64, &i, 0x44, 0x89, 0x0b);	/* mov [rbx], r9d */
	T_EQ(vireo_insn_store_value(&i, &regs), 0x05060708);
}

static void unsupported_opcodes_rejected(void)
{
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0x0f, 0x05);		/* syscall */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0xff, 0x13);		/* call [rbx] */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0x0f, 0xb8, 0x03);	/* popcnt */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0x6e);			/* outsb: not MMIO */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0x05, 1, 0, 0, 0);	/* add eax, imm: no memory */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0x0f, 0x6f, 0x03);	/* movq mm0, [rbx]: MMX */
	T_DECODE_ERR(VIREO_MODE_64, -ENOTSUP, 0xf6, 0x0b, 0x01);	/* test alias /1 */
	T_DECODE_ERR(VIREO_MODE_64, -EINVAL, 0x82, 0x03, 0x01);	/* 82: #UD in 64-bit */
	T_DECODE_ERR(VIREO_MODE_64, -EINVAL, 0xc5, 0xf0, 0x10, 0x03);	/* VEX.vvvv != 1111b */
	T_DECODE_ERR(VIREO_MODE_32, -ENOTSUP, 0xc5, 0x03);		/* LDS in 32-bit mode */
}

static void unsupported_message_names_opcode(void)
{
	static const uint8_t b[] = { 0x0f, 0x05 };
	struct vireo_insn i;

	T_EQ(vireo_decode(b, sizeof(b), VIREO_MODE_64, &i), -ENOTSUP);
	T_STR_CONTAINS(i.error, "0x0f 0x05");
}

static void register_operand_rejected(void)
{
	T_DECODE_ERR(VIREO_MODE_64, -EINVAL, 0x89, 0xd8);	/* mov eax, ebx */
	T_DECODE_ERR(VIREO_MODE_64, -EINVAL, 0x0f, 0xb6, 0xc3);	/* movzx eax, bl */
}

static void truncated_rejected(void)
{
	struct vireo_insn i;

	T_EQ(vireo_decode(NULL, 0, VIREO_MODE_64, &i), -ENODATA);
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x48);
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x48, 0x89);
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x8b, 0x04);		/* SIB missing */
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x8b, 0x83, 0x00, 0x01);	/* disp32 cut */
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x48, 0xc7, 0x43, 0x08, 0xff, 0xff);
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0xa1, 0x00, 0x00, 0x00, 0x00);	/* moffs64 */
	T_DECODE_ERR(VIREO_MODE_64, -ENODATA, 0x0f);
	T_DECODE_ERR(VIREO_MODE_16, -ENODATA, 0x8b, 0x06, 0x34);
}

static void length_limit(void)
{
	uint8_t b[20];
	struct vireo_insn i;

	/* 13 prefixes + 89 03 = 15 bytes: legal. */
	memset(b, 0x66, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x03;
	T_EQ(vireo_decode(b, 15, VIREO_MODE_64, &i), 0);
	T_EQ(i.len, 15);
	/* 14 prefixes + 89 03 = 16 bytes: #GP on the CPU. */
	b[13] = 0x66;
	b[14] = 0x89;
	b[15] = 0x03;
	T_EQ(vireo_decode(b, 16, VIREO_MODE_64, &i), -E2BIG);
	/* Overlong wins over truncated: byte 16 could never be fetched. */
	T_EQ(vireo_decode(b, 15, VIREO_MODE_64, &i), -E2BIG);
	/* 10 prefixes + 48 c7 disp8 imm32 = 17 bytes */
	memset(b, 0x2e, 10);
	memcpy(b + 10, "\x48\xc7\x43\x08\x01\x02\x03\x04", 8);
	T_EQ(vireo_decode(b, 18, VIREO_MODE_64, &i), -E2BIG);
}

static void string_io_decode(void)
{
	static const uint8_t rep_insb[] = { 0xf3, 0x6c };
	static const uint8_t outs_cs[] = { 0xf3, 0x2e, 0x6e };
	static const uint8_t outsw[] = { 0x66, 0xf3, 0x6f };
	static const uint8_t outsd_rexw[] = { 0x48, 0x6f };
	static const uint8_t ins_es_override[] = { 0x64, 0x6d };
	static const uint8_t a32[] = { 0x67, 0xf3, 0x6e };
	static const uint8_t nop[] = { 0x90 };
	struct vireo_insn i;

	T_EQ(vireo_decode_string_io(rep_insb, 2, VIREO_MODE_64, &i), 0);
	T_EQ(i.op, VIREO_OP_INS);
	T_EQ(i.len, 2);
	T_EQ(i.rep, 0xf3);
	T_EQ(i.access_size, 1);
	T_EQ(i.mem.seg, VIREO_SEG_ES);

	T_EQ(vireo_decode_string_io(outs_cs, 3, VIREO_MODE_16, &i), 0);
	T_EQ(i.op, VIREO_OP_OUTS);
	T_EQ(i.len, 3);
	T_EQ(i.mem.seg, VIREO_SEG_CS);

	T_EQ(vireo_decode_string_io(outsw, 3, VIREO_MODE_32, &i), 0);
	T_EQ(i.access_size, 2);
	T_EQ(vireo_decode_string_io(outsw, 3, VIREO_MODE_16, &i), 0);
	T_EQ(i.access_size, 4);

	T_EQ(vireo_decode_string_io(outsd_rexw, 2, VIREO_MODE_64, &i), 0);
	T_EQ(i.access_size, 4);

	/* INS writes ES:rDI whatever the prefix says. */
	T_EQ(vireo_decode_string_io(ins_es_override, 2, VIREO_MODE_32, &i), 0);
	T_EQ(i.mem.seg, VIREO_SEG_ES);

	T_EQ(vireo_decode_string_io(a32, 3, VIREO_MODE_64, &i), 0);
	T_EQ(i.addrsize, 4);

	T_EQ(vireo_decode_string_io(nop, 1, VIREO_MODE_64, &i), -ENOTSUP);
	T_EQ(vireo_decode_string_io(rep_insb, 1, VIREO_MODE_64, &i), -ENODATA);
}

static void cpu_modes(void)
{
	struct vireo_sregs s;

	memset(&s, 0, sizeof(s));
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_16);	/* real mode */
	s.cs.db = 1;					/* big real: still 16 */
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_16);
	s.cr0 = VIREO_CR0_PE;
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_32);
	T_EQ(vireo_cpu_mode(&s, VIREO_RFLAGS_VM), VIREO_MODE_16);	/* VM86 */
	s.cs.db = 0;
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_16);	/* 16-bit protected */
	s.efer = VIREO_EFER_LMA | VIREO_EFER_LME;
	s.cr0 |= VIREO_CR0_PG;
	s.cs.db = 1;
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_32);	/* compatibility mode */
	s.cs.db = 0;
	s.cs.l = 1;
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_64);
	s.efer = 0;					/* L ignored without LMA */
	T_EQ(vireo_cpu_mode(&s, 0), VIREO_MODE_16);
}

const struct vireo_test vireo_tests_decode[] = {
	VIREO_TEST(mov_89_store_rex_w),
	VIREO_TEST(mov_89_32bit_mode),
	VIREO_TEST(mov_89_16bit_mode),
	VIREO_TEST(mov_88_byte_register_rule),
	VIREO_TEST(mov_8a_8b_loads),
	VIREO_TEST(rex_w_beats_66),
	VIREO_TEST(rex_before_legacy_prefix_is_ignored),
	VIREO_TEST(rex_is_inc_dec_outside_64bit),
	VIREO_TEST(sib_rex_b_x),
	VIREO_TEST(sib_no_base_disp32),
	VIREO_TEST(r13_and_rip_relative),
	VIREO_TEST(rip_relative_linear),
	VIREO_TEST(addressing_16bit),
	VIREO_TEST(segment_overrides),
	VIREO_TEST(lock_rep_tolerated),
	VIREO_TEST(mov_c6_c7_immediates),
	VIREO_TEST(mov_c6_c7_other_reg_field_rejected),
	VIREO_TEST(mov_moffs),
	VIREO_TEST(movzx_movsx),
	VIREO_TEST(writeback_rules),
	VIREO_TEST(store_values),
	VIREO_TEST(unsupported_opcodes_rejected),
	VIREO_TEST(unsupported_message_names_opcode),
	VIREO_TEST(register_operand_rejected),
	VIREO_TEST(truncated_rejected),
	VIREO_TEST(length_limit),
	VIREO_TEST(string_io_decode),
	VIREO_TEST(cpu_modes),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(decode, vireo_tests_decode);
