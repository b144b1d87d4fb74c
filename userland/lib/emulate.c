// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO and string-I/O emulation on plain register state (see emulate.h).
 *
 * Everything the guest supplies is treated as hostile: instruction bytes
 * are bounded to 15, every guest-virtual address goes through the page
 * walker with the guest's own privilege, every guest-physical address
 * through the slot table.  A failure leaves a message in emu->error and
 * never touches the host beyond the guest's RAM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <vireo/emulate.h>
#include <vireo/x86.h>

static int __attribute__((format(printf, 3, 4)))
emu_fail(struct vireo_emu *emu, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(emu->error, sizeof(emu->error), fmt, ap);
	va_end(ap);
	return err;
}

static uint64_t addr_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Privilege of the guest's data accesses: CPL is SS.DPL (SDM vol. 3 5.5). */
static unsigned int access_flags(const struct vireo_emu *emu)
{
	unsigned int access = 0;

	if (emu->sregs->cr0 & VIREO_CR0_PE) {
		if ((emu->regs->rflags & VIREO_RFLAGS_VM) || emu->sregs->ss.dpl == 3)
			access |= VIREO_ACCESS_USER;
	}
	if (emu->regs->rflags & VIREO_RFLAGS_AC)
		access |= VIREO_ACCESS_AC;
	return access;
}

/* seg:offset -> linear, with 64-bit mode's flat segments. */
static uint64_t seg_linear(const struct vireo_emu *emu, enum vireo_cpu_mode mode,
			   unsigned int seg, uint64_t offset)
{
	if (mode == VIREO_MODE_64) {
		if (seg == VIREO_SEG_FS || seg == VIREO_SEG_GS)
			return offset + vireo_sreg(emu->sregs, seg)->base;
		return offset;
	}
	return (vireo_sreg(emu->sregs, seg)->base + offset) & 0xffffffffULL;
}

static void emu_paging(const struct vireo_emu *emu, struct vireo_paging *pg)
{
	vireo_paging_from_sregs(pg, emu->sregs, emu->phys_bits);
}

int vireo_emu_fetch(struct vireo_emu *emu, uint8_t *buf, size_t *len)
{
	enum vireo_cpu_mode mode = vireo_cpu_mode(emu->sregs, emu->regs->rflags);
	uint64_t rip = emu->regs->rip, linear;
	struct vireo_paging pg;
	size_t done = 0;
	char why[128];
	int ret;

	if (mode != VIREO_MODE_64)
		rip &= 0xffffffffULL;
	linear = seg_linear(emu, mode, VIREO_SEG_CS, rip);
	emu_paging(emu, &pg);
	ret = vireo_read_virt(&pg, emu->mem, linear, buf, VIREO_X86_MAX_INSN_LEN,
			      access_flags(emu) | VIREO_ACCESS_FETCH, &done, &emu->fault);
	*len = done;
	if (ret && !done) {
		vireo_fault_describe(&emu->fault, why, sizeof(why));
		return emu_fail(emu, -EFAULT, "cannot fetch instruction at rip=0x%llx: %s",
				(unsigned long long)emu->regs->rip, why);
	}
	/* A short fetch is fine if the instruction ends before the fault. */
	return 0;
}

static void format_bytes(char *buf, size_t size, const uint8_t *bytes, size_t len)
{
	size_t i, used = 0;

	buf[0] = 0;
	for (i = 0; i < len && used + 4 < size; i++)
		used += snprintf(buf + used, size - used, "%s%02x", i ? " " : "", bytes[i]);
}

/*
 * Decode at RIP with decoder(), from the CPU-supplied bytes if there are
 * enough of them, else from guest memory.
 */
static int decode_at_rip(struct vireo_emu *emu, const uint8_t *hw_bytes, size_t hw_len,
			 int (*decoder)(const uint8_t *, size_t, enum vireo_cpu_mode,
					struct vireo_insn *))
{
	enum vireo_cpu_mode mode = vireo_cpu_mode(emu->sregs, emu->regs->rflags);
	uint8_t bytes[VIREO_X86_MAX_INSN_LEN];
	char hex[3 * VIREO_X86_MAX_INSN_LEN + 1];
	size_t len;
	int ret;

	if (hw_len) {
		if (hw_len > sizeof(bytes))
			hw_len = sizeof(bytes);
		ret = decoder(hw_bytes, hw_len, mode, &emu->insn);
		if (ret != -ENODATA)
			goto decoded;
	}
	ret = vireo_emu_fetch(emu, bytes, &len);
	if (ret)
		return ret;
	hw_bytes = bytes;
	hw_len = len;
	ret = decoder(bytes, len, mode, &emu->insn);
decoded:
	if (ret) {
		format_bytes(hex, sizeof(hex), hw_bytes, hw_len);
		return emu_fail(emu, ret, "cannot emulate instruction at rip=0x%llx (%u-bit code, bytes %s): %s",
				(unsigned long long)emu->regs->rip, mode * 8, hex,
				emu->insn.error);
	}
	return 0;
}

static uint64_t next_rip(const struct vireo_emu *emu, unsigned int len)
{
	uint64_t rip = emu->regs->rip + len;

	/* Outside 64-bit mode EIP wraps at 4 GiB (as KVM's emulator does). */
	if (emu->insn.mode != VIREO_MODE_64)
		rip &= 0xffffffffULL;
	return rip;
}

int vireo_emu_mmio(struct vireo_emu *emu, const struct vireo_exit_mmio *mmio, vireo_mmio_fn fn,
		   void *opaque)
{
	struct vireo_insn *insn = &emu->insn;
	uint64_t data = 0;
	int ret;

	emu->error[0] = 0;
	ret = decode_at_rip(emu, mmio->insn_bytes, mmio->insn_len, vireo_decode);
	if (ret)
		return ret;

	if (insn->op == VIREO_OP_STORE)
		data = vireo_insn_store_value(insn, emu->regs);
	ret = fn(opaque, mmio->gpa, insn->access_size, insn->op == VIREO_OP_STORE, &data);
	if (ret)
		return emu_fail(emu, ret, "MMIO %s of %u bytes at gpa 0x%llx failed",
				insn->op == VIREO_OP_STORE ? "write" : "read", insn->access_size,
				(unsigned long long)mmio->gpa);
	if (insn->op == VIREO_OP_LOAD)
		vireo_insn_writeback(insn, emu->regs, data);
	emu->regs->rip = next_rip(emu, insn->len);
	return 0;
}

/*
 * Update a string register as an address of asize bytes: 16-bit updates
 * merge, 32-bit ones zero-extend (as for any 32-bit register write).
 */
static void addr_reg_add(__u64 *reg, unsigned int asize, int64_t delta)
{
	uint64_t v = *reg + (uint64_t)delta;

	if (asize == 2)
		*reg = (*reg & ~0xffffULL) | (v & 0xffff);
	else if (asize == 4)
		*reg = v & 0xffffffffULL;
	else
		*reg = v;
}

static int string_element(struct vireo_emu *emu, const struct vireo_exit_io *io,
			  const struct vireo_paging *pg, unsigned int access, vireo_pio_fn fn,
			  void *opaque)
{
	struct vireo_insn *insn = &emu->insn;
	bool out = io->direction == VIREO_IO_OUT;
	unsigned int asize = io->address_size;
	__u64 *sreg = out ? &emu->regs->rsi : &emu->regs->rdi;
	uint64_t linear;
	uint32_t data = 0;
	char why[128];
	int ret;

	linear = seg_linear(emu, insn->mode, insn->mem.seg, *sreg & addr_mask(asize));
	if (out) {
		ret = vireo_read_virt(pg, emu->mem, linear, &data, io->size, access, NULL,
				      &emu->fault);
		if (ret)
			goto fault;
		ret = fn(opaque, io->port, io->size, true, &data);
	} else {
		ret = fn(opaque, io->port, io->size, false, &data);
		if (ret)
			goto pio;
		ret = vireo_write_virt(pg, emu->mem, linear, &data, io->size, access,
				       &emu->fault);
		if (ret)
			goto fault;
	}
	if (ret)
		goto pio;
	return 0;
fault:
	vireo_fault_describe(&emu->fault, why, sizeof(why));
	return emu_fail(emu, ret, "%s at rip=0x%llx: guest memory: %s", out ? "OUTS" : "INS",
			(unsigned long long)emu->regs->rip, why);
pio:
	return emu_fail(emu, ret, "%s port 0x%x failed", out ? "OUTS" : "INS", io->port);
}

int vireo_emu_string_io(struct vireo_emu *emu, const struct vireo_exit_io *io, vireo_pio_fn fn,
			void *opaque)
{
	struct vireo_insn *insn = &emu->insn;
	struct vireo_regs *regs = emu->regs;
	bool out = io->direction == VIREO_IO_OUT;
	unsigned int asize = io->address_size, access;
	uint64_t count, i;
	struct vireo_paging pg;
	int64_t step;
	int ret;

	emu->error[0] = 0;
	ret = decode_at_rip(emu, NULL, 0, vireo_decode_string_io);
	if (ret)
		return ret;
	/* The bytes at RIP must be the instruction that exited. */
	if ((insn->op == VIREO_OP_OUTS) != out || insn->access_size != io->size)
		return emu_fail(emu, -EINVAL,
				"instruction at rip=0x%llx (opcode 0x%02x) does not match the %s exit of size %u",
				(unsigned long long)regs->rip, insn->opcode[0],
				out ? "OUTS" : "INS", io->size);
	if (asize != 2 && asize != 4 && asize != 8)
		asize = insn->addrsize;

	count = io->rep ? (regs->rcx & addr_mask(asize)) : 1;
	step = (regs->rflags & VIREO_RFLAGS_DF) ? -(int64_t)io->size : io->size;
	access = access_flags(emu) | (out ? 0 : VIREO_ACCESS_WRITE);
	emu_paging(emu, &pg);

	for (i = 0; i < count && i < VIREO_STRING_IO_BATCH; i++) {
		struct vireo_exit_io one = *io;

		one.address_size = asize;
		ret = string_element(emu, &one, &pg, access, fn, opaque);
		if (ret)
			return ret;
		addr_reg_add(out ? &regs->rsi : &regs->rdi, asize, step);
		if (io->rep)
			addr_reg_add(&regs->rcx, asize, -1);
	}
	/* Leave RIP at a REP that still has work: the guest runs it again. */
	if (i == count)
		regs->rip = next_rip(emu, insn->len);
	return 0;
}
