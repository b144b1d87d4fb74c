// SPDX-License-Identifier: GPL-2.0
/*
 * The arithmetic of emulated instructions and the status flags they leave
 * (SDM vol. 1 3.4.3.1 and appendix A, "EFLAGS cross-reference"; each
 * instruction's "Flags Affected" in SDM vol. 2).  Pure functions on values:
 * no registers, no memory, so the differential test can drive them alone.
 *
 * A flag the SDM calls "undefined" gets a value anyway (what recent Intel
 * CPUs tend to leave); a flag it calls "unaffected" is never touched.
 */
#include <vireo/emulate.h>
#include <vireo/x86.h>

#define CF VIREO_RFLAGS_CF
#define PF VIREO_RFLAGS_PF
#define AF VIREO_RFLAGS_AF
#define ZF VIREO_RFLAGS_ZF
#define SF VIREO_RFLAGS_SF
#define OF VIREO_RFLAGS_OF

static uint64_t mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t msb(uint64_t v, unsigned int size)
{
	return (v >> (size * 8 - 1)) & 1;
}

static int64_t sext(uint64_t v, unsigned int size)
{
	unsigned int shift = 64 - size * 8;

	return (int64_t)(v << shift) >> shift;
}

/* PF: set if the low byte of the result has an even number of 1 bits. */
static uint64_t parity(uint64_t v)
{
	return __builtin_parity((unsigned int)(v & 0xff)) ? 0 : PF;
}

/* SF, ZF, PF of a result (the "result flags" of most instructions). */
static uint64_t szp(uint64_t res, unsigned int size)
{
	uint64_t f = parity(res);

	res &= mask_of(size);
	if (!res)
		f |= ZF;
	if (msb(res, size))
		f |= SF;
	return f;
}

static uint64_t with(uint64_t rflags, uint64_t which, uint64_t set)
{
	return (rflags & ~which) | (set & which);
}

/* ADD/ADC (carry_in 0/1): OF from the sign rule, AF from bit 3's carry. */
static uint64_t add(unsigned int size, uint64_t d, uint64_t s, uint64_t carry_in, uint64_t *f)
{
	uint64_t m = mask_of(size), res = (d + s + carry_in) & m, fl;
	bool carry;

	if (size < 8)
		carry = d + s + carry_in > m;
	else
		carry = res < d || (carry_in && res == d);
	fl = szp(res, size) | (carry ? CF : 0);
	fl |= ((d ^ s ^ res) & 0x10) ? AF : 0;
	fl |= msb((d ^ res) & (s ^ res), size) ? OF : 0;
	*f = fl;
	return res;
}

/* SUB/SBB/CMP/NEG (borrow_in 0/1). */
static uint64_t sub(unsigned int size, uint64_t d, uint64_t s, uint64_t borrow_in, uint64_t *f)
{
	uint64_t m = mask_of(size), res = (d - s - borrow_in) & m, fl;
	bool borrow = d < s || (borrow_in && d == s);

	fl = szp(res, size) | (borrow ? CF : 0);
	fl |= ((d ^ s ^ res) & 0x10) ? AF : 0;
	fl |= msb((d ^ s) & (d ^ res), size) ? OF : 0;
	*f = fl;
	return res;
}

/* SHL/SHR/SAR (SDM vol. 2 "SAL/SAR/SHL/SHR"); count already masked, not 0. */
static uint64_t shift(unsigned int alu, unsigned int size, uint64_t d, unsigned int count,
		      uint64_t rflags, __u64 *out)
{
	unsigned int bits = size * 8;
	uint64_t m = mask_of(size), res, cf, of;

	switch (alu) {
	case VIREO_ALU_SHL:
	case VIREO_ALU_SAL:
		res = count >= 64 ? 0 : (d << count) & m;
		/* CF is undefined for count >= bits; the last bit out is 0 then. */
		cf = count <= bits ? (d >> (bits - count)) & 1 : 0;
		of = msb(res, size) ^ cf;
		break;
	case VIREO_ALU_SHR:
		res = count >= 64 ? 0 : d >> count;
		cf = count - 1 < 64 ? (d >> (count - 1)) & 1 : 0;
		of = msb(d, size);
		break;
	default: {	/* SAR */
		int64_t sd = sext(d, size);

		res = (uint64_t)(sd >> (count > 63 ? 63 : count)) & m;
		cf = (uint64_t)(sd >> (count - 1 > 63 ? 63 : count - 1)) & 1;
		of = 0;
		break;
	}
	}
	/* OF is defined only for 1-bit shifts, AF never: leave them clear. */
	rflags = with(rflags, CF | PF | AF | ZF | SF | OF,
		      szp(res, size) | (cf ? CF : 0) | (count == 1 && of ? OF : 0));
	*out = rflags;
	return res;
}

/* ROL/ROR/RCL/RCR (SDM vol. 2 "RCL/RCR/ROL/ROR"): only CF and OF change. */
static uint64_t rotate(unsigned int alu, unsigned int size, uint64_t d, unsigned int count,
		       uint64_t rflags, __u64 *out)
{
	unsigned int bits = size * 8, n, i;
	uint64_t m = mask_of(size), res = d & m, cf = rflags & CF ? 1 : 0, of = 0;

	switch (alu) {
	case VIREO_ALU_ROL:
		n = count % bits;
		if (n)
			res = ((d << n) | (d >> (bits - n))) & m;
		cf = res & 1;
		of = msb(res, size) ^ cf;
		break;
	case VIREO_ALU_ROR:
		n = count % bits;
		if (n)
			res = ((d >> n) | (d << (bits - n))) & m;
		cf = msb(res, size);
		of = msb(res, size) ^ ((res >> (bits - 2)) & 1);
		break;
	case VIREO_ALU_RCL:
		/* 8- and 16-bit operands rotate through 9 and 17 bits. */
		n = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
		for (i = 0; i < n; i++) {
			uint64_t out_bit = msb(res, size);

			res = ((res << 1) | cf) & m;
			cf = out_bit;
		}
		of = msb(res, size) ^ cf;
		break;
	default:	/* RCR */
		n = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
		/* OF for a 1-bit RCR comes from the operand before rotating. */
		of = msb(res, size) ^ cf;
		for (i = 0; i < n; i++) {
			uint64_t out_bit = res & 1;

			res = (res >> 1) | (cf << (bits - 1));
			cf = out_bit;
		}
		break;
	}
	/* OF is defined for 1-bit rotates only; keep its old value otherwise. */
	rflags = with(rflags, CF, cf ? CF : 0);
	if (count == 1)
		rflags = with(rflags, OF, of ? OF : 0);
	*out = rflags;
	return res;
}

uint64_t vireo_alu(unsigned int alu, unsigned int size, uint64_t dst, uint64_t src,
		   __u64 *rflags)
{
	uint64_t m = mask_of(size), f = 0, res, in = *rflags;
	unsigned int count;

	dst &= m;
	src &= m;
	switch (alu) {
	case VIREO_ALU_ADD:
		res = add(size, dst, src, 0, &f);
		break;
	case VIREO_ALU_ADC:
		res = add(size, dst, src, in & CF ? 1 : 0, &f);
		break;
	case VIREO_ALU_SUB:
	case VIREO_ALU_CMP:
		res = sub(size, dst, src, 0, &f);
		break;
	case VIREO_ALU_SBB:
		res = sub(size, dst, src, in & CF ? 1 : 0, &f);
		break;
	case VIREO_ALU_OR:
		res = dst | src;
		f = szp(res, size);	/* OF, CF cleared; AF undefined */
		break;
	case VIREO_ALU_AND:
	case VIREO_ALU_TEST:
		res = dst & src;
		f = szp(res, size);
		break;
	case VIREO_ALU_XOR:
		res = dst ^ src;
		f = szp(res, size);
		break;
	case VIREO_ALU_INC:
		/* INC/DEC: CF unaffected (SDM vol. 2 INC, DEC). */
		res = add(size, dst, 1, 0, &f);
		f = (f & ~CF) | (in & CF);
		break;
	case VIREO_ALU_DEC:
		res = sub(size, dst, 1, 0, &f);
		f = (f & ~CF) | (in & CF);
		break;
	case VIREO_ALU_NEG:
		/* NEG: CF = (source != 0), the rest as 0 - source. */
		res = sub(size, 0, dst, 0, &f);
		break;
	case VIREO_ALU_NOT:
		return ~dst & m;	/* no flags */
	case VIREO_ALU_ROL:
	case VIREO_ALU_ROR:
	case VIREO_ALU_RCL:
	case VIREO_ALU_RCR:
	case VIREO_ALU_SHL:
	case VIREO_ALU_SHR:
	case VIREO_ALU_SAL:
	case VIREO_ALU_SAR:
		/* The count is masked to 5 bits (6 with REX.W); 0 changes nothing. */
		count = (unsigned int)(src & (size == 8 ? 0x3f : 0x1f));
		if (!count)
			return dst;
		if (alu >= VIREO_ALU_SHL)
			return shift(alu, size, dst, count, in, rflags);
		return rotate(alu, size, dst, count, in, rflags);
	default:
		/* BT family: callers use vireo_alu_bit(). */
		return dst;
	}
	*rflags = with(in, CF | PF | AF | ZF | SF | OF, f);
	return res;
}

uint64_t vireo_alu_bit(unsigned int alu, uint64_t dst, unsigned int bit, __u64 *rflags)
{
	uint64_t b = 1ULL << bit;

	/* CF is the old bit; ZF unaffected; OF, SF, AF, PF undefined (kept). */
	*rflags = with(*rflags, CF, (dst & b) ? CF : 0);
	switch (alu) {
	case VIREO_ALU_BTS:
		return dst | b;
	case VIREO_ALU_BTR:
		return dst & ~b;
	case VIREO_ALU_BTC:
		return dst ^ b;
	default:
		return dst;
	}
}

/* CF = OF = the upper half is not the extension of the lower one. */
static uint64_t mul_flags(uint64_t in, uint64_t res_low, unsigned int size, bool overflow)
{
	return with(in, CF | PF | AF | ZF | SF | OF,
		    szp(res_low, size) | (overflow ? CF | OF : 0));
}

uint64_t vireo_alu_imul2(unsigned int size, uint64_t a, uint64_t b, __u64 *rflags)
{
	__int128 p = (__int128)sext(a, size) * sext(b, size);
	uint64_t low = (uint64_t)p & mask_of(size);

	/* IMUL r, r/m[, imm]: SF, ZF, AF, PF undefined (SDM vol. 2 IMUL). */
	*rflags = mul_flags(*rflags, low, size, p != (__int128)sext(low, size));
	return low;
}

int vireo_alu_muldiv(unsigned int alu, unsigned int size, uint64_t src, __u64 *rax,
		     __u64 *rdx, __u64 *rflags)
{
	unsigned int bits = size * 8;
	uint64_t m = mask_of(size), lo, hi;
	unsigned __int128 u, uq;
	__int128 sd, sq, sr;

	src &= m;
	/* The double-width operand: AX for bytes, else rDX:rAX. */
	if (size == 1) {
		u = *rax & 0xffff;
	} else {
		u = ((unsigned __int128)(*rdx & m) << bits) | (*rax & m);
	}
	switch (alu) {
	case VIREO_ALU_MUL:
		u = (unsigned __int128)(*rax & m) * src;
		lo = (uint64_t)u & m;
		hi = (uint64_t)(u >> bits) & m;
		*rflags = mul_flags(*rflags, lo, size, hi != 0);
		break;
	case VIREO_ALU_IMUL:
		sd = (__int128)sext(*rax & m, size) * sext(src, size);
		lo = (uint64_t)sd & m;
		hi = (uint64_t)(sd >> bits) & m;
		*rflags = mul_flags(*rflags, lo, size, sd != (__int128)sext(lo, size));
		break;
	case VIREO_ALU_DIV:
		/* #DE on a zero divisor or a quotient too wide (SDM vol. 2 DIV). */
		if (!src)
			return -1;
		uq = u / src;
		if (uq > m)
			return -1;
		lo = (uint64_t)uq;
		hi = (uint64_t)(u % src);
		break;
	default:	/* IDIV */
		if (!src)
			return -1;
		/* Sign-extend the 2*bits dividend held in u. */
		if (size == 8)
			sd = (__int128)u;
		else
			sd = (__int128)((int64_t)((uint64_t)u << (64 - 2 * bits)) >> (64 - 2 * bits));
		/* The most negative dividend / -1 overflows even __int128. */
		if (size == 8 && sext(src, size) == -1 &&
		    (unsigned __int128)sd == (unsigned __int128)1 << 127)
			return -1;
		sq = sd / sext(src, size);
		sr = sd % sext(src, size);
		if (sq > (__int128)(m >> 1) || sq < -(__int128)(m >> 1) - 1)
			return -1;
		lo = (uint64_t)sq & m;
		hi = (uint64_t)sr & m;
		break;
	}
	if (size == 1) {
		/* AL, AH hold quotient/remainder (DIV) or AX the product (MUL). */
		*rax = (*rax & ~0xffffULL) | (lo & 0xff) | ((hi & 0xff) << 8);
	} else if (size == 2) {
		*rax = (*rax & ~0xffffULL) | lo;
		*rdx = (*rdx & ~0xffffULL) | hi;
	} else {
		/* 32-bit results zero-extend into RAX and RDX. */
		*rax = lo;
		*rdx = hi;
	}
	return 0;
}

bool vireo_alu_cond(unsigned int cond, uint64_t rflags)
{
	bool cf = rflags & CF, zf = rflags & ZF, sf = rflags & SF, of = rflags & OF;
	bool pf = rflags & PF, r;

	/* SDM vol. 1 appendix B: the odd codes negate the even ones. */
	switch (cond >> 1) {
	case 0:
		r = of;
		break;
	case 1:
		r = cf;
		break;
	case 2:
		r = zf;
		break;
	case 3:
		r = cf || zf;
		break;
	case 4:
		r = sf;
		break;
	case 5:
		r = pf;
		break;
	case 6:
		r = sf != of;
		break;
	default:
		r = zf || sf != of;
		break;
	}
	return (cond & 1) ? !r : r;
}

uint64_t vireo_alu_shiftd(unsigned int alu, unsigned int size, uint64_t dst, uint64_t src,
			  unsigned int count, __u64 *rflags)
{
	unsigned int bits = size * 8;
	uint64_t m = mask_of(size), res, cf;
	unsigned __int128 pair;

	dst &= m;
	src &= m;
	count &= size == 8 ? 0x3f : 0x1f;
	if (!count)
		return dst;
	/*
	 * A count above the operand size (16-bit operands only) leaves the
	 * result and flags undefined (SDM vol. 2 SHLD): shift by count mod 16.
	 */
	if (count > bits)
		count %= bits;
	if (!count)
		return dst;
	if (alu == VIREO_ALU_SHL) {
		pair = (((unsigned __int128)dst << bits) | src) << count;
		res = (uint64_t)(pair >> bits) & m;
		cf = (dst >> (bits - count)) & 1;	/* the last bit out */
	} else {
		pair = ((unsigned __int128)src << bits) | dst;
		res = (uint64_t)(pair >> count) & m;
		cf = (uint64_t)(pair >> (count - 1)) & 1;
	}
	/* OF: a sign change, defined for 1-bit shifts; AF undefined. */
	*rflags = with(*rflags, CF | PF | AF | ZF | SF | OF,
		       szp(res, size) | (cf ? CF : 0) |
		       (count == 1 && msb(res ^ dst, size) ? OF : 0));
	return res;
}
