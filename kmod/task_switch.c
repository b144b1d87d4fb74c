// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware task switches (SDM vol. 3 8.3 "Task Switching"), emulated for
 * VMX: in VMX non-root operation every task switch exits, after the CPU
 * has checked the task gate's or TSS descriptor's privilege (SDM 26.4.2),
 * so the switch itself is ours.  The SVM backend does not intercept task
 * switches: the CPU does them, and the same guest test runs on both.
 *
 * The order is the SDM's: the new TSS descriptor is checked (type, busy,
 * present, limit: table 8-1) and the new TSS read; the old task's state is
 * saved in its TSS, the busy bits and the previous-task link written.
 * That is the commit point: TR, CR0.TS, CR3, EFLAGS, EIP, the registers
 * and the selectors of the new task are loaded, then the LDT and segment
 * descriptors are checked; an exception there is raised in the new task
 * (SDM 8.3 step 14).  Not emulated: the T bit of the new TSS (a #DB after
 * the switch) and the clearing of DR7's local enables (SDM 17.2.4), which
 * KVM does not emulate either.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "task_switch.h"

#define VEC_TS	10
#define VEC_NP	11
#define VEC_SS	12
#define VEC_GP	13
#define VEC_PF	14

/* Descriptor bits (SDM 3.4.5): the TSS busy flag is bit 1 of the type. */
#define DESC_ACCESSED	(1ULL << 40)
#define DESC_TSS_BUSY	(1ULL << 41)

/* Segment types (SDM table 3-1): code, conforming, readable/writable. */
#define SEG_CODE	8
#define SEG_CONFORMING	4
#define SEG_RW		2
#define SYS_LDT		2

/* EFLAGS bits a TSS can load: the rest are reserved (SDM vol. 1 3.4.3). */
#define EFLAGS_LOADABLE	0x3f7fd5ULL

/* Where the fields of a 32-bit (type 9/11) and a 16-bit (1/3) TSS live (SDM 8.2.1, 8.6). */
struct ts_layout {
	u8 ip, flags, gprs, segs, ldt;
	u8 width;		/* bytes per register and per selector slot */
	u8 nsegs;		/* ES, CS, SS, DS[, FS, GS] */
	u8 min_limit;
};

static const struct ts_layout ts_layout32 = {
	.ip = 0x20, .flags = 0x24, .gprs = 0x28, .segs = 0x48, .ldt = 0x60,
	.width = 4, .nsegs = 6, .min_limit = 0x67,
};

static const struct ts_layout ts_layout16 = {
	.ip = 0x0e, .flags = 0x10, .gprs = 0x12, .segs = 0x22, .ldt = 0x2a,
	.width = 2, .nsegs = 4, .min_limit = 0x2b,
};

#define TSS32_CR3	0x1c
#define TSS_MAX_SIZE	0x68

static const struct ts_layout *ts_layout_of(u8 type)
{
	return (type & 8) ? &ts_layout32 : &ts_layout16;
}

struct ts_ctx {
	struct vireo_vcpu *vcpu;
	u64 old_eip;		/* saved in the old TSS */
	struct vireo_sregs sr;	/* the state being built, set at the end */
	u8 vector;		/* with -EFAULT: the exception to raise */
	u32 error_code;
	bool page_fault;	/* ... a #PF, cr2 its address */
	u64 cr2;
};

static int ts_raise(struct ts_ctx *c, u8 vector, u16 selector)
{
	c->vector = vector;
	c->error_code = selector & 0xfffc;
	c->page_fault = false;
	return -EFAULT;
}

/* Guest-linear access through the paging state being built. */
static int ts_access(struct ts_ctx *c, u64 la, void *buf, size_t len, bool write)
{
	struct vireo_linear_fault fault;
	int r;

	if (write)
		r = vireo_write_linear(c->vcpu->vm, &c->sr, la, buf, len, &fault);
	else
		r = vireo_read_linear(c->vcpu->vm, &c->sr, la, buf, len, &fault);
	if (r == -EFAULT) {
		c->vector = VEC_PF;
		c->error_code = fault.error_code;
		c->page_fault = true;
		c->cr2 = fault.address;
	}
	return r;
}

/* The descriptor a selector names; `vector` (#TS or #GP) if beyond its table. */
static int ts_read_desc(struct ts_ctx *c, u16 sel, u8 vector, u64 *desc, u64 *la)
{
	u64 base = c->sr.gdt.base;
	u32 limit = c->sr.gdt.limit;

	if (sel & 4) {
		if (c->sr.ldt.unusable || !c->sr.ldt.present)
			return ts_raise(c, vector, sel);
		base = c->sr.ldt.base;
		limit = c->sr.ldt.limit;
	}
	if ((sel | 7) > limit)
		return ts_raise(c, vector, sel);
	*la = base + (sel & ~7);
	return ts_access(c, *la, desc, sizeof(*desc), false);
}

static void ts_desc_to_seg(u64 d, u16 sel, struct vireo_segment *s)
{
	u32 limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

	*s = (struct vireo_segment){
		.selector = sel,
		.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000),
		.type = (d >> 40) & 0xf,
		.s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3,
		.present = (d >> 47) & 1,
		.avl = (d >> 52) & 1,
		.l = (d >> 53) & 1,
		.db = (d >> 54) & 1,
		.g = (d >> 55) & 1,
	};
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
}

/* Sets or clears the busy flag of the TSS descriptor in the GDT (byte 5 only). */
static int ts_mark_busy(struct ts_ctx *c, u16 sel, bool busy)
{
	u64 desc, la;
	int r = ts_read_desc(c, sel, VEC_GP, &desc, &la);

	if (r)
		return r;
	desc = busy ? desc | DESC_TSS_BUSY : desc & ~DESC_TSS_BUSY;
	return ts_access(c, la + 5, (u8 *)&desc + 5, 1, true);
}

static u32 ts_get(const u8 *tss, unsigned int off, unsigned int width)
{
	u32 v = 0;

	memcpy(&v, tss + off, width);
	return v;
}

static void ts_put(u8 *tss, unsigned int off, unsigned int width, u32 v)
{
	memcpy(tss + off, &v, width);
}

/* The segment registers in TSS order (SDM figure 8-2). */
static struct vireo_segment *ts_seg(struct vireo_sregs *sr, unsigned int i)
{
	struct vireo_segment *segs[] = { &sr->es, &sr->cs, &sr->ss, &sr->ds, &sr->fs, &sr->gs };

	return segs[i];
}

/* Checks the new TSS descriptor (SDM table 8-1, the checks before the commit point). */
static int ts_check_new(struct ts_ctx *c, u16 sel, enum vireo_task_switch_source source,
			struct vireo_segment *tr)
{
	/* IRET reads the link and faults #TS; the others reached the descriptor by CALL, JMP or a gate. */
	u8 vector = source == VIREO_TS_IRET ? VEC_TS : VEC_GP;
	bool busy;
	u64 desc, la;
	int r;

	if (sel & 4)
		return ts_raise(c, vector, sel);
	r = ts_read_desc(c, sel, vector, &desc, &la);
	if (r)
		return r;
	ts_desc_to_seg(desc, sel, tr);
	if (tr->s || (tr->type & 5) != 1)
		return ts_raise(c, vector, sel);
	busy = tr->type & 2;
	if (source == VIREO_TS_IRET && !busy)
		return ts_raise(c, VEC_TS, sel);
	if (source != VIREO_TS_IRET && busy)
		return ts_raise(c, VEC_GP, sel);
	if (!tr->present)
		return ts_raise(c, VEC_NP, sel);
	if (tr->limit < ts_layout_of(tr->type)->min_limit)
		return ts_raise(c, VEC_TS, sel);
	return 0;
}

/* Saves EIP, EFLAGS, the registers and the selectors into the old TSS (SDM 8.3 step 7). */
static int ts_save_old(struct ts_ctx *c, u32 eflags)
{
	const struct ts_layout *l = ts_layout_of(c->sr.tr.type);
	unsigned int first = l->ip, end = l->segs + l->nsegs * l->width, i;
	u64 *regs = c->vcpu->regs;
	u8 tss[TSS_MAX_SIZE];
	int r;

	/* Read first: the selector slots' upper halves are kept as they are. */
	r = ts_access(c, c->sr.tr.base + first, tss + first, end - first, false);
	if (r)
		return r;
	ts_put(tss, l->ip, l->width, c->old_eip);
	ts_put(tss, l->flags, l->width, eflags);
	for (i = 0; i < 8; i++)
		ts_put(tss, l->gprs + i * l->width, l->width, regs[VIREO_REG_RAX + i]);
	for (i = 0; i < l->nsegs; i++)
		ts_put(tss, l->segs + i * l->width, 2, ts_seg(&c->sr, i)->selector);
	return ts_access(c, c->sr.tr.base + first, tss + first, end - first, true);
}

static void ts_vm86_seg(struct vireo_segment *s, u16 sel)
{
	*s = (struct vireo_segment){
		.selector = sel, .base = (u64)sel << 4, .limit = 0xffff,
		.type = 3, .s = 1, .dpl = 3, .present = 1,
	};
}

/* LDTR from the new TSS: null, or an LDT descriptor in the GDT (table 8-1: #TS). */
static int ts_load_ldt(struct ts_ctx *c, u16 sel)
{
	struct vireo_segment ldt;
	u64 desc, la;
	int r;

	if (!(sel & 0xfffc)) {
		c->sr.ldt = (struct vireo_segment){ .selector = sel, .unusable = 1 };
		return 0;
	}
	if (sel & 4)
		return ts_raise(c, VEC_TS, sel);
	r = ts_read_desc(c, sel, VEC_TS, &desc, &la);
	if (r)
		return r;
	ts_desc_to_seg(desc, sel, &ldt);
	if (ldt.s || ldt.type != SYS_LDT || !ldt.present)
		return ts_raise(c, VEC_TS, sel);
	c->sr.ldt = ldt;
	return 0;
}

/*
 * Loads segment register i (TSS order) in protected mode with the checks
 * of table 8-1: CS code with DPL = RPL (<= for conforming), SS writable
 * data with DPL = RPL = CPL (#SS if not present), the others readable
 * with DPL >= CPL and RPL unless conforming code, or null.
 */
static int ts_load_seg(struct ts_ctx *c, unsigned int i, u16 sel, u8 cpl)
{
	struct vireo_segment *s = ts_seg(&c->sr, i), seg;
	bool is_cs = s == &c->sr.cs, is_ss = s == &c->sr.ss;
	u8 rpl = sel & 3;
	u64 desc, la;
	int r;

	if (!(sel & 0xfffc)) {
		if (is_cs || is_ss)
			return ts_raise(c, VEC_TS, sel);
		*s = (struct vireo_segment){ .selector = sel, .unusable = 1 };
		return 0;
	}
	r = ts_read_desc(c, sel, VEC_TS, &desc, &la);
	if (r)
		return r;
	ts_desc_to_seg(desc, sel, &seg);
	if (!seg.s)
		return ts_raise(c, VEC_TS, sel);
	if (is_cs) {
		if (!(seg.type & SEG_CODE) ||
		    ((seg.type & SEG_CONFORMING) ? seg.dpl > rpl : seg.dpl != rpl))
			return ts_raise(c, VEC_TS, sel);
	} else if (is_ss) {
		if ((seg.type & (SEG_CODE | SEG_RW)) != SEG_RW || seg.dpl != cpl || rpl != cpl)
			return ts_raise(c, VEC_TS, sel);
		if (!seg.present)
			return ts_raise(c, VEC_SS, sel);
	} else {
		if ((seg.type & (SEG_CODE | SEG_RW)) == SEG_CODE)
			return ts_raise(c, VEC_TS, sel);	/* execute-only code */
		if ((seg.type & (SEG_CODE | SEG_CONFORMING)) != (SEG_CODE | SEG_CONFORMING) &&
		    (seg.dpl < cpl || seg.dpl < rpl))
			return ts_raise(c, VEC_TS, sel);
	}
	if (!seg.present)
		return ts_raise(c, VEC_NP, sel);
	/* The CPU marks a descriptor accessed when it loads it (SDM 3.4.5.1). */
	if (!(desc & DESC_ACCESSED)) {
		desc |= DESC_ACCESSED;
		r = ts_access(c, la + 5, (u8 *)&desc + 5, 1, true);
		if (r)
			return r;
		seg.type |= 1;
	}
	*s = seg;
	return 0;
}

/*
 * After the commit point: the new task's registers, then its LDT and
 * segments, in QEMU's order (LDT, CS, SS, ES, DS, FS, GS).  The selectors
 * are all in place first, so that a fault leaves the new task's selectors.
 */
static int ts_load_new(struct ts_ctx *c, const u8 *tss, const struct ts_layout *l,
		       u32 eflags)
{
	static const unsigned int order[] = { 1, 2, 0, 3, 4, 5 };
	u64 *regs = c->vcpu->regs;
	u16 sel[6];
	unsigned int i;
	int r;

	regs[VIREO_REG_RIP] = ts_get(tss, l->ip, l->width);
	regs[VIREO_REG_RFLAGS] = (eflags & EFLAGS_LOADABLE) | X86_EFLAGS_FIXED;
	for (i = 0; i < 8; i++) {
		u64 v = ts_get(tss, l->gprs + i * l->width, l->width);

		/* A 16-bit TSS holds the low words only: the rest stays. */
		regs[VIREO_REG_RAX + i] = l->width == 4 ? v : (regs[VIREO_REG_RAX + i] & ~0xffffULL) | v;
	}
	if (l->width == 4 && (c->sr.cr0 & X86_CR0_PG))
		c->sr.cr3 = ts_get(tss, TSS32_CR3, 4);
	for (i = 0; i < l->nsegs; i++) {
		sel[i] = ts_get(tss, l->segs + i * l->width, 2);
		ts_seg(&c->sr, i)->selector = sel[i];
	}
	c->sr.ldt.selector = ts_get(tss, l->ldt, 2);

	r = ts_load_ldt(c, c->sr.ldt.selector);
	if (r)
		return r;
	if (regs[VIREO_REG_RFLAGS] & X86_EFLAGS_VM) {
		for (i = 0; i < l->nsegs; i++)
			ts_vm86_seg(ts_seg(&c->sr, i), sel[i]);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i] >= l->nsegs)
			continue;
		r = ts_load_seg(c, order[i], sel[order[i]], sel[1] & 3);
		if (r)
			return r;
	}
	return 0;
}

/* An exception's error code, on the new task's stack (SDM 6.12.2, 8.3). */
static int ts_push_error(struct ts_ctx *c, u32 error_code, unsigned int width)
{
	u64 *rsp = &c->vcpu->regs[VIREO_REG_RSP];
	u64 sp = c->sr.ss.db ? (u32)(*rsp - width) : (u16)(*rsp - width);
	int r;

	r = ts_access(c, c->sr.ss.base + sp, &error_code, width, true);
	if (r)
		return r;
	*rsp = c->sr.ss.db ? sp : (*rsp & ~0xffffULL) | sp;
	return 0;
}

static int ts_switch(struct ts_ctx *c, u16 sel, enum vireo_task_switch_source source,
		     bool has_error_code, u32 error_code, bool *committed)
{
	struct vireo_segment tr;
	const struct ts_layout *l;
	u8 tss[TSS_MAX_SIZE];
	u64 *regs = c->vcpu->regs;
	u32 eflags = regs[VIREO_REG_RFLAGS];
	u16 old_sel = c->sr.tr.selector;
	int r;

	/* No task switch in IA-32e mode (SDM 8.7): the CPU #GPs before any exit. */
	if (c->sr.efer & EFER_LMA)
		return ts_raise(c, VEC_GP, 0);
	r = ts_check_new(c, sel, source, &tr);
	if (r)
		return r;
	l = ts_layout_of(tr.type);
	r = ts_access(c, tr.base, tss, l->min_limit + 1, false);
	if (r)
		return r;

	if (source == VIREO_TS_IRET)
		eflags &= ~X86_EFLAGS_NT;
	r = ts_save_old(c, eflags);
	if (!r && (source == VIREO_TS_JMP || source == VIREO_TS_IRET))
		r = ts_mark_busy(c, old_sel, false);
	if (!r && (source == VIREO_TS_CALL || source == VIREO_TS_GATE)) {
		/* The previous-task link, for the IRET that comes back (SDM 8.4). */
		ts_put(tss, 0, 2, old_sel);
		r = ts_access(c, tr.base, tss, 2, true);
	}
	if (!r && source != VIREO_TS_IRET)
		r = ts_mark_busy(c, sel, true);
	if (r)
		return r;

	*committed = true;
	tr.type |= 2;
	c->sr.tr = tr;
	c->sr.cr0 |= X86_CR0_TS;
	eflags = ts_get(tss, l->flags, l->width);
	if (l->width == 2)
		eflags &= 0xffff;
	if (source == VIREO_TS_CALL || source == VIREO_TS_GATE)
		eflags |= X86_EFLAGS_NT;
	r = ts_load_new(c, tss, l, eflags);
	if (!r && has_error_code)
		r = ts_push_error(c, error_code, l->width);
	return r;
}

int vireo_task_switch(struct vireo_vcpu *vcpu, u16 selector,
		      enum vireo_task_switch_source source, unsigned int insn_len,
		      bool has_error_code, u32 error_code)
{
	struct ts_ctx c = { .vcpu = vcpu, .old_eip = vcpu->regs[VIREO_REG_RIP] + insn_len };
	bool committed = false;
	struct vireo_sregs old;
	int r;

	vireo_ops->get_sregs(vcpu, &c.sr);
	old = c.sr;
	r = ts_switch(&c, selector, source, has_error_code, error_code, &committed);
	if (r == -ENXIO)
		return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, 0, selector, source,
				     VIREO_INTERNAL_EMULATION);
	if (!committed)
		c.sr = old;	/* nothing of the new task is loaded */
	if (r && c.page_fault)
		c.sr.cr2 = c.cr2;
	if (committed || (r && c.page_fault)) {
		if (vireo_ops->set_sregs(vcpu, &c.sr))
			return vireo_exit_hw(vcpu, VIREO_EXIT_INTERNAL_ERROR, 0, selector,
					     source, VIREO_INTERNAL_EMULATION);
	}
	if (committed)
		vireo_dr_task_switched(vcpu);
	if (r)
		vireo_vcpu_queue_exception(vcpu, c.vector, true, c.error_code);
	return 0;
}
