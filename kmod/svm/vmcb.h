/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Virtual Machine Control Block, AMD64 APM vol. 2 appendix B ("Layout
 * of VMCB"), tables B-1 (control area) and B-2 (state save area).  The
 * layout is the hardware's, so every offset we use is pinned below.
 */
#ifndef VIREO_SVM_VMCB_H
#define VIREO_SVM_VMCB_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>

/* Intercept vector bits (APM B-1, offsets 0x00-0x14). */
#define VMCB_INTERCEPT_CR4_WRITE	(1U << 20)	/* intercept_cr: writes at 16+n */
#define VMCB_INTERCEPT_INTR		(1U << 0)	/* word 3 */
#define VMCB_INTERCEPT_NMI		(1U << 1)
#define VMCB_INTERCEPT_SMI		(1U << 2)
#define VMCB_INTERCEPT_INIT		(1U << 3)
#define VMCB_INTERCEPT_VINTR		(1U << 4)
#define VMCB_INTERCEPT_CR0_SEL		(1U << 5)	/* CR0 writes beyond TS/MP */
#define VMCB_INTERCEPT_CPUID		(1U << 18)
#define VMCB_INTERCEPT_IRET		(1U << 20)
#define VMCB_INTERCEPT_INVD		(1U << 22)
#define VMCB_INTERCEPT_HLT		(1U << 24)
#define VMCB_INTERCEPT_INVLPGA		(1U << 26)
#define VMCB_INTERCEPT_IOIO		(1U << 27)
#define VMCB_INTERCEPT_MSR		(1U << 28)
#define VMCB_INTERCEPT_SHUTDOWN		(1U << 31)
#define VMCB_INTERCEPT_VMRUN		(1U << 0)	/* word 4 */
#define VMCB_INTERCEPT_VMMCALL		(1U << 1)
#define VMCB_INTERCEPT_VMLOAD		(1U << 2)
#define VMCB_INTERCEPT_VMSAVE		(1U << 3)
#define VMCB_INTERCEPT_STGI		(1U << 4)
#define VMCB_INTERCEPT_CLGI		(1U << 5)
#define VMCB_INTERCEPT_SKINIT		(1U << 6)
#define VMCB_INTERCEPT_RDTSCP		(1U << 7)
#define VMCB_INTERCEPT_MONITOR		(1U << 10)
#define VMCB_INTERCEPT_MWAIT		(1U << 11)
#define VMCB_INTERCEPT_XSETBV		(1U << 13)

/* int_ctl (offset 0x60) */
#define VMCB_V_TPR_MASK			0xffU
#define VMCB_V_IRQ			(1U << 8)
#define VMCB_V_INTR_PRIO_SHIFT		16
#define VMCB_V_IGN_TPR			(1U << 20)
#define VMCB_V_INTR_MASKING		(1U << 24)

#define VMCB_INT_SHADOW			(1U << 0)	/* int_state */
#define VMCB_NESTED_CTL_NP_ENABLE	(1ULL << 0)

/* tlb_ctl (offset 0x5c) */
#define VMCB_TLB_CONTROL_DO_NOTHING	0
#define VMCB_TLB_CONTROL_FLUSH_ALL	1

/* EVENTINJ and EXITINTINFO (APM 15.20); encoded by vireo_event_encode(). */
#define VMCB_EVENT_VALID		(1U << 31)

/* IOIO intercept EXITINFO1 (APM 15.10.2, figure 15-2). */
#define VMCB_IOIO_TYPE_IN		(1U << 0)
#define VMCB_IOIO_STR			(1U << 2)
#define VMCB_IOIO_REP			(1U << 3)
#define VMCB_IOIO_SZ_SHIFT		4	/* bits 4-6: 1, 2, 4 byte one-hot */
#define VMCB_IOIO_A_SHIFT		7	/* bits 7-9: 16, 32, 64 bit one-hot */
#define VMCB_IOIO_PORT_SHIFT		16

/* Nested page fault EXITINFO1 (APM 15.25.6): a #PF error code. */
#define VMCB_NPF_WRITE			(1ULL << 1)

/* Segment attributes are the descriptor's bits 40-47 and 52-55, packed. */
struct vireo_vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

struct vireo_vmcb_control {
	u32 intercept_cr;		/* 0x000 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008 */
	u32 intercept_word3;		/* 0x00c */
	u32 intercept_word4;		/* 0x010 */
	u32 intercept_word5;		/* 0x014 */
	u8 reserved_018[0x03c - 0x018];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8 tlb_ctl;			/* 0x05c */
	u8 reserved_05d[3];
	u32 int_ctl;			/* 0x060 */
	u32 int_vector;			/* 0x064 */
	u32 int_state;			/* 0x068 */
	u8 reserved_06c[4];
	u64 exit_code;			/* 0x070 */
	u64 exit_info_1;		/* 0x078 */
	u64 exit_info_2;		/* 0x080 */
	u32 exit_int_info;		/* 0x088 */
	u32 exit_int_info_err;		/* 0x08c */
	u64 nested_ctl;			/* 0x090 */
	u64 avic_vapic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u32 event_inj;			/* 0x0a8 */
	u32 event_inj_err;		/* 0x0ac */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip;			/* 0x0c8 */
	u8 insn_len;			/* 0x0d0 */
	u8 insn_bytes[15];		/* 0x0d1 */
	u8 reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vireo_vmcb_save {
	struct vireo_vmcb_seg es;		/* 0x400 */
	struct vireo_vmcb_seg cs;		/* 0x410 */
	struct vireo_vmcb_seg ss;		/* 0x420 */
	struct vireo_vmcb_seg ds;		/* 0x430 */
	struct vireo_vmcb_seg fs;		/* 0x440 */
	struct vireo_vmcb_seg gs;		/* 0x450 */
	struct vireo_vmcb_seg gdtr;		/* 0x460 */
	struct vireo_vmcb_seg ldtr;		/* 0x470 */
	struct vireo_vmcb_seg idtr;		/* 0x480 */
	struct vireo_vmcb_seg tr;		/* 0x490 */
	u8 reserved_4a0[0x4cb - 0x4a0];
	u8 cpl;				/* 0x4cb */
	u8 reserved_4cc[4];
	u64 efer;			/* 0x4d0 */
	u8 reserved_4d8[0x548 - 0x4d8];
	u64 cr4;			/* 0x548 */
	u64 cr3;			/* 0x550 */
	u64 cr0;			/* 0x558 */
	u64 dr7;			/* 0x560 */
	u64 dr6;			/* 0x568 */
	u64 rflags;			/* 0x570 */
	u64 rip;			/* 0x578 */
	u8 reserved_580[0x5d8 - 0x580];
	u64 rsp;			/* 0x5d8 */
	u64 s_cet;			/* 0x5e0 */
	u64 ssp;			/* 0x5e8 */
	u64 isst_addr;			/* 0x5f0 */
	u64 rax;			/* 0x5f8 */
	u64 star;			/* 0x600 */
	u64 lstar;			/* 0x608 */
	u64 cstar;			/* 0x610 */
	u64 sfmask;			/* 0x618 */
	u64 kernel_gs_base;		/* 0x620 */
	u64 sysenter_cs;		/* 0x628 */
	u64 sysenter_esp;		/* 0x630 */
	u64 sysenter_eip;		/* 0x638 */
	u64 cr2;			/* 0x640 */
	u8 reserved_648[0x668 - 0x648];
	u64 g_pat;			/* 0x668 */
	u64 dbgctl;			/* 0x670 */
	u8 reserved_678[0x1000 - 0x678];
} __packed;

struct vireo_vmcb {
	struct vireo_vmcb_control control;
	struct vireo_vmcb_save save;
} __packed;

static_assert(sizeof(struct vireo_vmcb) == 4096, "VMCB is one page");
static_assert(offsetof(struct vireo_vmcb_control, int_ctl) == 0x060, "int_ctl");
static_assert(offsetof(struct vireo_vmcb_control, exit_code) == 0x070, "exit_code");
static_assert(offsetof(struct vireo_vmcb_control, event_inj) == 0x0a8, "event_inj");
static_assert(offsetof(struct vireo_vmcb_control, nested_cr3) == 0x0b0, "nested_cr3");
static_assert(offsetof(struct vireo_vmcb_control, insn_len) == 0x0d0, "insn_len");
static_assert(offsetof(struct vireo_vmcb, save) == 0x400, "save area at 0x400");
static_assert(offsetof(struct vireo_vmcb, save.cpl) == 0x4cb, "cpl");
static_assert(offsetof(struct vireo_vmcb, save.efer) == 0x4d0, "efer");
static_assert(offsetof(struct vireo_vmcb, save.cr4) == 0x548, "cr4");
static_assert(offsetof(struct vireo_vmcb, save.rip) == 0x578, "rip");
static_assert(offsetof(struct vireo_vmcb, save.rsp) == 0x5d8, "rsp");
static_assert(offsetof(struct vireo_vmcb, save.rax) == 0x5f8, "rax");
static_assert(offsetof(struct vireo_vmcb, save.cr2) == 0x640, "cr2");
static_assert(offsetof(struct vireo_vmcb, save.g_pat) == 0x668, "g_pat");

#endif /* VIREO_SVM_VMCB_H */
