// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO and string-I/O emulation on plain register state (see emulate.h):
 * instruction fetch and decode, the memory accessors every instruction
 * uses (the exit's device address, or guest-virtual through the page
 * walker to RAM or a device), faults turned into the guest's exceptions,
 * the LOCK rules, and INS/OUTS.  The instructions themselves are in
 * emulate_exec.c, emulate_string.c and emulate_vector.c.
 *
 * Everything the guest supplies is treated as hostile: instruction bytes
 * are bounded to 15, every guest-virtual address goes through the page
 * walker with the guest's own privilege, every guest-physical address
 * through the slot table.  A failure leaves a message in emu->error and
 * never touches the host beyond the guest's RAM.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emulate_internal.h"

int emu_fail(struct vireo_emu *emu, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(emu->error, sizeof(emu->error), fmt, ap);
	va_end(ap);
	return err;
}

uint64_t emu_size_mask(unsigned int size)
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
uint64_t emu_seg_linear(const struct vireo_emu *emu, enum vireo_cpu_mode mode, unsigned int seg,
			uint64_t offset)
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
	linear = emu_seg_linear(emu, mode, VIREO_SEG_CS, rip);
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

int emu_raise(struct emu_op *op, uint8_t vector, bool has_error_code, uint32_t error_code)
{
	struct vireo_emu_exception *e = &op->emu->exception;

	e->pending = true;
	e->vector = vector;
	e->has_error_code = has_error_code;
	e->error_code = error_code;
	return EMU_RAISED;
}

/*
 * #AC(0): CR0.AM, RFLAGS.AC, CPL 3 and a data access not aligned to its
 * size (SDM vol. 3 6.15 "Interrupt 17"; vol. 1 4.1.1 for the alignments).
 */
int emu_check_alignment(struct emu_op *op, uint64_t linear, unsigned int size)
{
	const struct vireo_emu *emu = op->emu;

	if (!(emu->sregs->cr0 & VIREO_CR0_AM) || !(op->r.rflags & VIREO_RFLAGS_AC))
		return 0;
	if (!(op->access & VIREO_ACCESS_USER) || size > 8 || !(linear & (size - 1)))
		return 0;
	return emu_raise(op, VIREO_VEC_AC, true, 0);
}

/* One device access of at most 8 bytes per call, ascending addresses. */
static int mmio_access(struct emu_op *op, uint64_t gpa, void *buf, unsigned int size, bool write)
{
	unsigned int done, chunk;
	uint64_t data;
	int ret;

	for (done = 0; done < size; done += chunk) {
		chunk = size - done >= 8 ? 8 : size - done;
		/* 1, 2, 4 or 8 bytes: a 3-byte remainder goes as 2 + 1. */
		while (chunk & (chunk - 1))
			chunk &= chunk - 1;
		data = 0;
		if (write)
			memcpy(&data, (uint8_t *)buf + done, chunk);
		ret = op->fn(op->opaque, gpa + done, chunk, write, &data);
		if (ret)
			return emu_fail(op->emu, ret, "MMIO %s of %u bytes at gpa 0x%llx failed",
					write ? "write" : "read", chunk,
					(unsigned long long)(gpa + done));
		if (!write)
			memcpy((uint8_t *)buf + done, &data, chunk);
	}
	return 0;
}

void emu_note_access(struct vireo_emu *emu, uint64_t linear, unsigned int size, bool write)
{
	struct vireo_emulated_access *a;
	unsigned int i;

	for (i = 0; i < emu->nr_accesses; i++) {
		a = &emu->accesses[i];
		if (a->is_write != write)
			continue;
		if (linear == a->linear + a->len) {		/* ascending */
			a->len += size;
			return;
		}
		if (linear + size == a->linear) {		/* descending (DF) */
			a->linear = linear;
			a->len += size;
			return;
		}
		if (linear >= a->linear && linear + size <= a->linear + a->len)
			return;
	}
	if (emu->nr_accesses == VIREO_MAX_EMULATED_ACCESSES)
		return;
	a = &emu->accesses[emu->nr_accesses++];
	memset(a, 0, sizeof(*a));
	a->linear = linear;
	a->len = size;
	a->is_write = write;
}

/* The operand's linear address, from the registers before the instruction. */
static void note_operand(struct emu_op *op, unsigned int size, bool write)
{
	emu_note_access(op->emu, vireo_insn_linear(op->insn, op->emu->regs, op->emu->sregs),
			size, write);
}

int emu_operand_read(struct emu_op *op, void *buf, unsigned int size)
{
	note_operand(op, size, false);
	return mmio_access(op, op->gpa, buf, size, false);
}

int emu_operand_write(struct emu_op *op, const void *buf, unsigned int size)
{
	note_operand(op, size, true);
	return mmio_access(op, op->gpa, (void *)buf, size, true);
}

/* A failed translation as the CPU reports it: #PF, or #GP/#SS(0) if non-canonical. */
static int raise_fault(struct emu_op *op, unsigned int seg, const struct vireo_fault *fault)
{
	char why[128];

	switch (fault->kind) {
	case VIREO_FAULT_NOT_PRESENT:
	case VIREO_FAULT_RESERVED:
	case VIREO_FAULT_PROTECTION:
		op->emu->exception.cr2 = fault->address;
		return emu_raise(op, VIREO_VEC_PF, true, fault->error_code);
	case VIREO_FAULT_NONCANONICAL:
		/* A stack reference raises #SS instead (SDM vol. 3 6.15). */
		return emu_raise(op, seg == VIREO_SEG_SS ? VIREO_VEC_SS : VIREO_VEC_GP, true, 0);
	default:
		op->emu->fault = *fault;
		vireo_fault_describe(fault, why, sizeof(why));
		return emu_fail(op->emu, -EFAULT, "guest page tables: %s", why);
	}
}

static int virt_access(struct emu_op *op, unsigned int seg, uint64_t offset, unsigned int asize,
		       void *buf, unsigned int size, bool write)
{
	const struct vireo_mem *mem = op->emu->mem;
	uint64_t linear, gpa;
	unsigned int done, piece;
	struct vireo_fault fault;
	int ret;

	linear = emu_seg_linear(op->emu, op->insn->mode, seg, offset & emu_size_mask(asize));
	ret = emu_check_alignment(op, linear, size);
	if (ret)
		return ret;
	emu_note_access(op->emu, linear, size, write);
	/* Translate every page first: no access happens before a #PF. */
	for (done = 0; done < size; done += piece) {
		piece = 4096 - ((linear + done) & 4095);
		if (piece > size - done)
			piece = size - done;
		if (vireo_gva_to_gpa(&op->pg, mem, linear + done,
				     op->access | (write ? VIREO_ACCESS_WRITE : 0), &gpa, NULL,
				     &fault))
			return raise_fault(op, seg, &fault);
	}
	for (done = 0; done < size; done += piece) {
		piece = 4096 - ((linear + done) & 4095);
		if (piece > size - done)
			piece = size - done;
		vireo_gva_to_gpa(&op->pg, mem, linear + done,
				 op->access | (write ? VIREO_ACCESS_WRITE : 0), &gpa, NULL, &fault);
		/* RAM if the slot table has it, else a device. */
		if (write)
			ret = mem->write ? mem->write(mem->opaque, gpa, (uint8_t *)buf + done, piece)
					 : -EFAULT;
		else
			ret = mem->read(mem->opaque, gpa, (uint8_t *)buf + done, piece);
		if (ret == -EFAULT)
			ret = mmio_access(op, gpa, (uint8_t *)buf + done, piece, write);
		if (ret)
			return ret;
	}
	return 0;
}

int emu_virt_read(struct emu_op *op, unsigned int seg, uint64_t offset, unsigned int asize,
		  void *buf, unsigned int size)
{
	return virt_access(op, seg, offset, asize, buf, size, false);
}

int emu_virt_write(struct emu_op *op, unsigned int seg, uint64_t offset, unsigned int asize,
		   const void *buf, unsigned int size)
{
	return virt_access(op, seg, offset, asize, (void *)buf, size, true);
}

/*
 * LOCK is #UD except on a read-modify-write of memory: ADD ADC AND BTC
 * BTR BTS CMPXCHG DEC INC NEG NOT OR SBB SUB XOR XADD XCHG (SDM vol. 2
 * LOCK).  The CPU raised it before any access, so a guest only gets here
 * by changing the bytes after the exit.
 */
static bool lockable(const struct vireo_insn *insn)
{
	switch (insn->op) {
	case VIREO_OP_ALU:
		return insn->mem_is_dst && insn->alu != VIREO_ALU_CMP &&
		       insn->alu != VIREO_ALU_TEST;
	case VIREO_OP_UNARY:
	case VIREO_OP_XCHG:
	case VIREO_OP_CMPXCHG:
	case VIREO_OP_CMPXCHG2:
	case VIREO_OP_XADD:
		return true;
	case VIREO_OP_BITTEST:
		return insn->alu != VIREO_ALU_BT;
	default:
		return false;
	}
}

static int execute(struct emu_op *op)
{
	const struct vireo_insn *insn = op->insn;

	if (insn->lock && !lockable(insn))
		return emu_raise(op, VIREO_VEC_UD, false, 0);
	switch (insn->op) {
	case VIREO_OP_MOVS:
	case VIREO_OP_CMPS:
	case VIREO_OP_STOS:
	case VIREO_OP_LODS:
	case VIREO_OP_SCAS:
		return emu_exec_string(op);
	case VIREO_OP_VLOAD:
	case VIREO_OP_VSTORE:
		return emu_exec_vector(op);
	default:
		return emu_exec_integer(op);
	}
}

/*
 * Taken for writing by a locked read-modify-write of device memory, for
 * reading by every other emulated access: no vCPU's access to a device
 * lands between the read and the write of another's LOCK OR.
 */
static pthread_rwlock_t locked_rmw = PTHREAD_RWLOCK_INITIALIZER;

int vireo_emu_mmio(struct vireo_emu *emu, const struct vireo_exit_mmio *mmio, vireo_mmio_fn fn,
		   void *opaque)
{
	struct vireo_insn *insn = &emu->insn;
	struct emu_op op;
	bool exclusive;
	int ret;

	emu->error[0] = 0;
	memset(&emu->exception, 0, sizeof(emu->exception));
	emu->nr_accesses = 0;
	ret = decode_at_rip(emu, mmio->insn_bytes, mmio->insn_len, vireo_decode);
	if (ret)
		return ret;

	memset(&op, 0, sizeof(op));
	op.emu = emu;
	op.insn = insn;
	op.r = *emu->regs;
	op.gpa = mmio->gpa;
	op.fn = fn;
	op.opaque = opaque;
	op.access = access_flags(emu);
	op.done = true;
	emu_paging(emu, &op.pg);

	exclusive = insn->lock || insn->op == VIREO_OP_XCHG;	/* XCHG locks implicitly */
	if (exclusive)
		pthread_rwlock_wrlock(&locked_rmw);
	else
		pthread_rwlock_rdlock(&locked_rmw);
	ret = execute(&op);
	pthread_rwlock_unlock(&locked_rmw);
	if (ret < 0)
		return ret;
	if (ret == 0 && op.done)
		op.r.rip = next_rip(emu, insn->len);
	/* A fault keeps RIP; only REP string progress survives it. */
	if (ret == EMU_RAISED)
		op.r.rip = emu->regs->rip;
	*emu->regs = op.r;
	return 0;
}

/*
 * Update a string register as an address of asize bytes: 16-bit updates
 * merge, 32-bit ones zero-extend (as for any 32-bit register write).
 */
void emu_addr_reg_add(__u64 *reg, unsigned int asize, int64_t delta)
{
	uint64_t v = *reg + (uint64_t)delta;

	if (asize == 2)
		*reg = (*reg & ~0xffffULL) | (v & 0xffff);
	else if (asize == 4)
		*reg = v & 0xffffffffULL;
	else
		*reg = v;
}

/*
 * Translate [linear, linear + size) for the access before any device
 * access: a fault the guest can take becomes its exception (#PF, or #GP(0)
 * for a non-canonical address) and EMU_RAISED; the port is then not touched.
 */
static int string_translate(struct vireo_emu *emu, const struct vireo_paging *pg,
			    uint64_t linear, unsigned int size, unsigned int access)
{
	struct vireo_emu_exception *e = &emu->exception;
	unsigned int done, piece;
	uint64_t gpa;

	for (done = 0; done < size; done += piece) {
		piece = 4096 - ((linear + done) & 4095);
		if (piece > size - done)
			piece = size - done;
		if (!vireo_gva_to_gpa(pg, emu->mem, linear + done, access, &gpa, NULL, &emu->fault))
			continue;
		switch (emu->fault.kind) {
		case VIREO_FAULT_NOT_PRESENT:
		case VIREO_FAULT_RESERVED:
		case VIREO_FAULT_PROTECTION:
			*e = (struct vireo_emu_exception){ true, VIREO_VEC_PF, true,
							   emu->fault.error_code, emu->fault.address };
			return EMU_RAISED;
		case VIREO_FAULT_NONCANONICAL:
			*e = (struct vireo_emu_exception){ true, VIREO_VEC_GP, true, 0, 0 };
			return EMU_RAISED;
		default:
			return -EFAULT;
		}
	}
	return 0;
}

/*
 * Piece [off, off + len) of an element's buffer that is not RAM: split
 * into accesses of a size a device decodes (1, 2 or 4 bytes, naturally
 * as the element allows).  With no device the bus is unassigned.
 */
static int buffer_device(struct vireo_emu *emu, uint64_t gpa, uint8_t *bytes, unsigned int len,
			 bool write, void *opaque)
{
	unsigned int off, n;
	uint64_t v;
	int ret;

	for (off = 0; off < len; off += n) {
		n = len - off == 3 ? 2 : len - off;
		v = 0;
		memcpy(&v, bytes + off, n);
		if (!emu->buffer_mmio) {
			if (!write)
				memset(bytes + off, 0xff, n);
			continue;
		}
		ret = emu->buffer_mmio(opaque, gpa + off, n, write, &v);
		if (ret)
			return ret;
		if (!write)
			memcpy(bytes + off, &v, n);
	}
	return 0;
}

/*
 * The memory side of one element, a page piece at a time (already
 * translated by string_translate): RAM, or the device that decodes the
 * physical address, as on the real bus.
 */
static int string_buffer(struct vireo_emu *emu, const struct vireo_paging *pg, uint64_t linear,
			 uint32_t *data, unsigned int size, unsigned int access, void *opaque)
{
	bool write = access & VIREO_ACCESS_WRITE;
	uint8_t *bytes = (uint8_t *)data;
	unsigned int done, piece;
	uint64_t gpa, next;
	int ret;

	for (done = 0; done < size; done += piece) {
		next = linear + done;
		if (!(pg->efer & VIREO_EFER_LMA))
			next &= 0xffffffffULL;
		piece = 4096 - (next & 4095);
		if (piece > size - done)
			piece = size - done;
		ret = vireo_gva_to_gpa(pg, emu->mem, next, access, &gpa, NULL, &emu->fault);
		if (ret)
			return ret;
		if (!write)
			ret = emu->mem->read(emu->mem->opaque, gpa, bytes + done, piece);
		else if (emu->mem->write)
			ret = emu->mem->write(emu->mem->opaque, gpa, bytes + done, piece);
		else
			ret = -EFAULT;
		if (ret == -EFAULT)
			ret = buffer_device(emu, gpa, bytes + done, piece, write, opaque);
		if (ret)
			return ret;
	}
	return 0;
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

	linear = emu_seg_linear(emu, insn->mode, insn->mem.seg, *sreg & emu_size_mask(asize));
	ret = string_translate(emu, pg, linear, io->size, access);
	if (ret == EMU_RAISED)
		return ret;
	if (ret)
		goto fault;
	emu_note_access(emu, linear, io->size, !out);
	if (out) {
		ret = string_buffer(emu, pg, linear, &data, io->size, access, opaque);
		if (ret == -EFAULT)
			goto fault;
		if (ret)
			goto device;
		ret = fn(opaque, io->port, io->size, true, &data);
	} else {
		ret = fn(opaque, io->port, io->size, false, &data);
		if (ret)
			goto pio;
		ret = string_buffer(emu, pg, linear, &data, io->size, access, opaque);
		if (ret == -EFAULT)
			goto fault;
		if (ret)
			goto device;
	}
	if (ret)
		goto pio;
	return 0;
fault:
	/* The page tables themselves are not RAM: nothing to walk. */
	vireo_fault_describe(&emu->fault, why, sizeof(why));
	return emu_fail(emu, -EFAULT, "%s at rip=0x%llx: guest memory: %s",
			out ? "OUTS" : "INS", (unsigned long long)emu->regs->rip, why);
device:
	return emu_fail(emu, ret, "%s at rip=0x%llx: the device behind the buffer failed",
			out ? "OUTS" : "INS", (unsigned long long)emu->regs->rip);
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
	memset(&emu->exception, 0, sizeof(emu->exception));
	emu->nr_accesses = 0;
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

	count = io->rep ? (regs->rcx & emu_size_mask(asize)) : 1;
	step = (regs->rflags & VIREO_RFLAGS_DF) ? -(int64_t)io->size : io->size;
	access = access_flags(emu) | (out ? 0 : VIREO_ACCESS_WRITE);
	emu_paging(emu, &pg);

	for (i = 0; i < count && i < VIREO_STRING_IO_BATCH; i++) {
		struct vireo_exit_io one = *io;

		one.address_size = asize;
		ret = string_element(emu, &one, &pg, access, fn, opaque);
		/* A fault leaves the completed elements' registers and RIP. */
		if (ret == EMU_RAISED)
			return 0;
		if (ret)
			return ret;
		emu_addr_reg_add(out ? &regs->rsi : &regs->rdi, asize, step);
		if (io->rep)
			emu_addr_reg_add(&regs->rcx, asize, -1);
	}
	/* Leave RIP at a REP that still has work: the guest runs it again. */
	if (i == count)
		regs->rip = next_rip(emu, insn->len);
	return 0;
}
