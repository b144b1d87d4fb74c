// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers: MOV to and from DR0-7 (intercepted by both
 * backends), and the breakpoints met by instructions the hypervisor
 * completes instead of the CPU (port I/O, and the memory accesses of the
 * MMIO and string I/O instructions userland emulates), which the CPU
 * therefore cannot report itself.
 */
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "vireo.h"

/* DR7 fields (SDM vol. 3 17.2.4; APM vol. 2 13.1.1.5). */
#define DR7_GD			(1ULL << 13)
#define DR7_FIXED_1		0x400ULL
#define DR7_MBZ			0xd800ULL	/* bits 11, 12, 14, 15 */
#define DR6_FIXED_1		0xffff0ff0ULL
#define DR6_WRITABLE		0xe00fULL	/* B0-B3, BD, BS, BT */
#define DR6_BD			(1U << 13)

#define DR_RW_EXECUTE		0
#define DR_RW_WRITE		1
#define DR_RW_IO		2
#define DR_RW_ACCESS		3

static unsigned int dr7_rw(u64 dr7, unsigned int n)
{
	return (dr7 >> (16 + 4 * n)) & 3;
}

/* LEN 00b, 01b, 11b: 1, 2, 4 bytes; 10b: 8 bytes (SDM 17.2.5). */
static unsigned int dr7_len(u64 dr7, unsigned int n)
{
	static const u8 len[4] = { 1, 2, 8, 4 };

	return len[(dr7 >> (18 + 4 * n)) & 3];
}

u32 vireo_dr7_enabled(u64 dr7)
{
	u32 mask = 0;
	unsigned int n;

	for (n = 0; n < 4; n++)
		if (dr7 & (3ULL << (2 * n)))
			mask |= 1U << n;
	return mask;
}

/*
 * Does [addr, addr + len) touch breakpoint n?  The CPU compares with the
 * low LEN bits of DRn ignored (SDM 17.2.5: the address is aligned to LEN).
 */
static bool dr_overlaps(const struct vireo_vcpu *vcpu, unsigned int n, u64 addr, u64 len)
{
	u64 bp_len = dr7_len(vcpu->dr7, n);
	u64 bp = vcpu->dr[n] & ~(bp_len - 1);

	return len && addr <= bp + bp_len - 1 && bp <= addr + len - 1;
}

/*
 * I/O breakpoints (R/W 10b, which means I/O only with CR4.DE set: SDM
 * 17.2.4; APM 13.1.1.5) that IN/OUT/INS/OUTS of size bytes at port meet.
 * DR6.Bn is set for a match whether or not n is enabled (SDM 17.2.3), so
 * every match counts here.
 */
u32 vireo_dr_io_hits(const struct vireo_vcpu *vcpu, u16 port, unsigned int size, u64 cr4)
{
	u32 hits = 0;
	unsigned int n;

	if (!(cr4 & X86_CR4_DE))
		return 0;
	for (n = 0; n < 4; n++)
		if (dr7_rw(vcpu->dr7, n) == DR_RW_IO && dr_overlaps(vcpu, n, port, size))
			hits |= 1U << n;
	return hits;
}

/* Data breakpoints (R/W 01b writes, 11b reads or writes) a linear access meets. */
u32 vireo_dr_data_hits(const struct vireo_vcpu *vcpu, u64 linear, u64 len, bool is_write)
{
	u32 hits = 0;
	unsigned int n;

	for (n = 0; n < 4; n++) {
		unsigned int rw = dr7_rw(vcpu->dr7, n);

		if ((rw == DR_RW_ACCESS || (rw == DR_RW_WRITE && is_write)) &&
		    dr_overlaps(vcpu, n, linear, len))
			hits |= 1U << n;
	}
	return hits;
}

/*
 * After an instruction the hypervisor completed met breakpoint conditions
 * (hits: DR6.B0-B3): a #DB trap follows it if an enabled breakpoint is
 * among them (SDM 17.3.1.2, data and I/O breakpoints are traps), with
 * B0-B3 of every match, merged with a single-step trap of the same
 * instruction (SDM 17.3.1.4, one #DB with BS as well).
 */
void vireo_dr_trap(struct vireo_vcpu *vcpu, u32 hits)
{
	if (hits & vireo_dr7_enabled(vcpu->dr7))
		vcpu->pending_dbg |= hits & 0xf;
}

/*
 * MOV to or from DRn (SDM vol. 2 "MOV-Move to/from Debug Registers"; APM
 * vol. 3 "MOV DRn"), in its order of checks: #UD for DR4/DR5 with CR4.DE
 * set and for DR8-15; #GP at CPL > 0; with DR7.GD set a #DB fault with
 * DR6.BD, GD cleared so that the handler may use the registers (SDM
 * 17.2.4); #GP for bits 63:32 written to DR6/DR7.  Without CR4.DE, DR4/DR5
 * are DR6/DR7.  dr6 is the guest DR6 the backend keeps.
 */
void vireo_handle_mov_dr(struct vireo_vcpu *vcpu, const struct vireo_mov_dr *m, u64 cr4,
			 unsigned int cpl, u64 *dr6, u64 next_rip)
{
	unsigned int n = m->dr;
	u64 val;

	if (n == 4 || n == 5)
		n = (cr4 & X86_CR4_DE) ? 8 : n + 2;
	if (n > 7) {
		vireo_vcpu_queue_exception(vcpu, 6, false, 0);
		return;
	}
	if (cpl) {
		vireo_vcpu_queue_exception(vcpu, 13, true, 0);
		return;
	}
	if (vcpu->dr7 & DR7_GD) {
		vcpu->dr7 &= ~DR7_GD;
		*dr6 |= DR6_BD;
		vireo_vcpu_queue_exception(vcpu, 1, false, 0);
		return;
	}
	if (m->write) {
		val = vcpu->regs[m->gpr];
		if (!m->wide)
			val = (u32)val;
		if (n >= 6 && val >> 32) {
			vireo_vcpu_queue_exception(vcpu, 13, true, 0);
			return;
		}
		if (n < 4)
			vcpu->dr[n] = val;
		else if (n == 6)
			*dr6 = (val & DR6_WRITABLE) | DR6_FIXED_1;
		else
			vcpu->dr7 = (val & ~DR7_MBZ) | DR7_FIXED_1;
	} else {
		val = n < 4 ? vcpu->dr[n] : n == 6 ? *dr6 : vcpu->dr7;
		vcpu->regs[m->gpr] = m->wide ? val : (u32)val;
	}
	vireo_retire_insn(vcpu, next_rip);
}

/*
 * A hardware task switch the hypervisor carried out (task_switch.c) clears
 * the local enables L0-L3, so that one task's breakpoints do not fire in
 * the next (SDM 17.2.4).
 */
void vireo_dr_task_switched(struct vireo_vcpu *vcpu)
{
	vcpu->dr7 &= ~0x55ULL;
}

void vireo_reset_debugregs(struct vireo_vcpu *vcpu)
{
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr7 = DR7_FIXED_1;
}
