// SPDX-License-Identifier: GPL-2.0
/*
 * The few instructions vireo.ko decodes itself: control-register writes
 * the hardware reports without operands (an SVM CR0 write intercept with
 * no decode assists, as under QEMU's SVM model).  Everything else that
 * needs decoding (MMIO, string I/O) is userland's (libvireo).
 *
 * The instruction is fetched at CS.base + RIP through the guest's own
 * page tables when paging is on (paging.c).
 */
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vireo.h"

/* Fetches up to len bytes at RIP; returns how many could be read. */
static unsigned int vireo_fetch(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr,
				u8 *buf, unsigned int len)
{
	bool code64 = (sr->efer & EFER_LMA) && sr->cs.l;
	u64 la = sr->cs.base + vcpu->regs[VIREO_REG_RIP];
	unsigned int done = 0;

	if (!code64)
		la = (u32)la;
	while (done < len) {
		unsigned int chunk = min_t(u64, len - done, PAGE_SIZE - ((la + done) & 0xfff));
		struct vireo_linear_fault fault;
		u64 gpa;

		if (vireo_linear_to_gpa(vcpu->vm, sr, la + done, false, &gpa, &fault))
			break;
		if (vireo_read_guest(vcpu->vm, gpa, buf + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

/*
 * Decodes the write to a control register at RIP: MOV CRn, reg (0F 22),
 * LMSW reg (0F 01 /6) or CLTS (0F 06); also MOV to/from DRn (0F 23/21).  Returns 0 with *w filled,
 * -EFAULT if the bytes cannot be fetched, -EOPNOTSUPP for anything else
 * (LMSW from memory among it).
 */
int vireo_decode_cr_write(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr,
			  struct vireo_cr_write *w)
{
	bool code64 = (sr->efer & EFER_LMA) && sr->cs.l;
	unsigned int n, i = 0;
	bool lock = false;
	u8 b[15], rex = 0, modrm;
	u64 *regs = vcpu->regs;

	n = vireo_fetch(vcpu, sr, b, sizeof(b));
	if (!n)
		return -EFAULT;
	for (; i < n; i++) {
		if (b[i] == 0xf0)
			lock = true;
		else if (b[i] != 0x66 && b[i] != 0x67 && b[i] != 0xf2 && b[i] != 0xf3 &&
			 b[i] != 0x26 && b[i] != 0x2e && b[i] != 0x36 && b[i] != 0x3e &&
			 b[i] != 0x64 && b[i] != 0x65)
			break;
	}
	if (code64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > n)
		return -EFAULT;
	if (b[i] != 0x0f)
		return -EOPNOTSUPP;
	memset(w, 0, sizeof(*w));
	if (b[i + 1] == 0x06) {
		w->kind = VIREO_CR_CLTS;
		w->len = i + 2;
		return 0;
	}
	if (i + 3 > n)
		return -EFAULT;
	modrm = b[i + 2];
	w->len = i + 3;
	w->gpr = (modrm & 7) | ((rex & 1) ? 8 : 0);
	w->wide = code64;
	if (b[i + 1] == 0x22 || b[i + 1] == 0x23 || b[i + 1] == 0x21) {
		/* The r/m field is always a register (SDM MOV CR/DR: mod ignored). */
		w->kind = b[i + 1] == 0x22 ? VIREO_CR_MOV :
			  b[i + 1] == 0x23 ? VIREO_DR_WRITE : VIREO_DR_READ;
		w->cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0) |
			(lock && b[i + 1] == 0x22 ? 8 : 0);
		w->value = regs[w->gpr];
		if (!code64)
			w->value = (u32)w->value;
		return 0;
	}
	if (b[i + 1] == 0x01 && ((modrm >> 3) & 7) == 6 && (modrm >> 6) == 3) {
		w->kind = VIREO_CR_LMSW;
		w->value = regs[(modrm & 7) | ((rex & 1) ? 8 : 0)] & 0xffff;
		return 0;
	}
	return -EOPNOTSUPP;
}
