/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the emulator's files: one instruction in flight (struct
 * emu_op) and the memory accessors every instruction uses.  Helpers return
 * 0, EMU_RAISED when the instruction raised an exception (recorded in
 * emu->exception), or a negative errno with emu->error set.
 */
#ifndef VIREO_LIB_EMULATE_INTERNAL_H
#define VIREO_LIB_EMULATE_INTERNAL_H

#include <vireo/emulate.h>
#include <vireo/x86.h>

#define EMU_RAISED 1

struct emu_op {
	struct vireo_emu *emu;
	const struct vireo_insn *insn;
	struct vireo_regs r;		/* working copy, committed at the end */
	uint64_t gpa;			/* the memory operand (from the exit) */
	vireo_mmio_fn fn;
	void *opaque;
	struct vireo_paging pg;
	unsigned int access;		/* VIREO_ACCESS_USER / _AC of the guest */
	bool done;			/* RIP moves past the instruction */
};

int emu_fail(struct vireo_emu *emu, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int emu_raise(struct emu_op *op, uint8_t vector, bool has_error_code, uint32_t error_code);
uint64_t emu_size_mask(unsigned int size);
uint64_t emu_seg_linear(const struct vireo_emu *emu, enum vireo_cpu_mode mode, unsigned int seg,
			uint64_t offset);
/* Add delta to an address register of asize bytes (16-bit merge, 32-bit zero-extend). */
void emu_addr_reg_add(__u64 *reg, unsigned int asize, int64_t delta);
/* #AC for a misaligned size-byte data access at linear (SDM vol. 3 6.15). */
int emu_check_alignment(struct emu_op *op, uint64_t linear, unsigned int size);

/* Record [linear, linear + size) in emu->accesses[] (see emulate.h). */
void emu_note_access(struct vireo_emu *emu, uint64_t linear, unsigned int size, bool write);

/* The memory operand at op->gpa: size bytes, split into <= 8-byte accesses. */
int emu_operand_read(struct emu_op *op, void *buf, unsigned int size);
int emu_operand_write(struct emu_op *op, const void *buf, unsigned int size);
/* seg:offset (offset wrapped to asize bytes) through the page tables: RAM or fn. */
int emu_virt_read(struct emu_op *op, unsigned int seg, uint64_t offset, unsigned int asize,
		  void *buf, unsigned int size);
int emu_virt_write(struct emu_op *op, unsigned int seg, uint64_t offset, unsigned int asize,
		   const void *buf, unsigned int size);

/* Per family: emulate_exec.c, emulate_string.c, emulate_vector.c. */
int emu_exec_integer(struct emu_op *op);
int emu_exec_string(struct emu_op *op);
int emu_exec_vector(struct emu_op *op);

#endif /* VIREO_LIB_EMULATE_INTERNAL_H */
