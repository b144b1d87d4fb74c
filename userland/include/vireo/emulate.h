/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction emulation for the exits the kernel leaves to userland
 * (vireo.h): MMIO (VIREO_EXIT_MMIO) and string port I/O (VIREO_EXIT_IO with
 * io.string).  On this hardware the kernel gives neither the next RIP nor,
 * always, the instruction bytes, so userland fetches, decodes, performs the
 * access through a device callback, writes registers back and advances RIP.
 *
 * The core here works on a struct vireo_emu: register state plus a guest
 * memory accessor, no file descriptors, so that it is testable with a fake
 * vCPU.  libvireo.h wraps it for a real vCPU (vireo_emulate_mmio(), ...).
 *
 * Not emulated, deliberately: segment limit and type checks (for MMIO the
 * CPU made them before the nested fault; for INS/OUTS a guest tripping them
 * is broken anyway), I/O permission bitmaps (the kernel intercepts all
 * ports), and MMIO accesses that straddle RAM and MMIO (the whole access
 * goes to the device at the reported address).  Vector moves need the
 * guest's XMM/YMM registers in emu->vregs: vireo_emulate_mmio() fetches
 * them (VIREO_GET_XSAVE) when the instruction is one.
 */
#ifndef VIREO_EMULATE_H
#define VIREO_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include <vireo.h>
#include <vireo/decode.h>
#include <vireo/paging.h>

/*
 * A device's MMIO handler.  size is 1, 2, 4 or 8.  For a write *data holds
 * the value (in its low size bytes); for a read the handler stores the
 * value there.  Return 0, or a negative errno to stop emulation (for MMIO
 * the registers are then left unchanged; for string I/O they reflect the
 * elements completed before the failing one).
 */
typedef int (*vireo_mmio_fn)(void *opaque, uint64_t gpa, unsigned int size, bool is_write,
			     uint64_t *data);

/* A port-I/O handler, one element of size 1, 2 or 4 at a time. */
typedef int (*vireo_pio_fn)(void *opaque, uint16_t port, unsigned int size, bool is_write,
			    uint32_t *data);

/* REP INS/OUTS elements done per exit; the guest re-executes for more. */
#define VIREO_STRING_IO_BATCH	4096

/* XMM/YMM registers 0-15, each 32 bytes, little-endian (bits 255:0). */
struct vireo_vregs {
	uint8_t ymm[16][32];
};

/*
 * An exception the emulated instruction raised instead of completing: the
 * caller injects it (and sets CR2 for #PF).  RIP still points at the
 * instruction; a REP string instruction keeps the elements it completed.
 */
struct vireo_emu_exception {
	bool pending;
	uint8_t vector;		/* VIREO_VEC_* */
	bool has_error_code;
	uint32_t error_code;
	uint64_t cr2;		/* #PF: the faulting linear address */
};

/* REP MOVS/STOS/... elements done per exit; the guest re-executes for more. */
#define VIREO_STRING_MEM_BATCH	4096

struct vireo_emu {
	/* in */
	struct vireo_regs *regs;	/* updated in place on success */
	const struct vireo_sregs *sregs;
	const struct vireo_mem *mem;	/* guest RAM (the slot table) */
	unsigned int phys_bits;		/* guest MAXPHYADDR, 0: 52 */
	/*
	 * The guest's vector registers, updated in place by vector loads; NULL
	 * if the caller cannot provide them (vector moves then fail).
	 */
	struct vireo_vregs *vregs;
	/*
	 * Where the memory side of INS/OUTS is not RAM, the device behind
	 * it (called with the port handler's opaque); NULL: nothing decodes
	 * the address, so reads return all ones and writes are dropped.
	 */
	vireo_mmio_fn buffer_mmio;
	/* out, on success: a fault to deliver instead of completion */
	struct vireo_emu_exception exception;
	/*
	 * out, on success: the guest-linear data accesses made, for the
	 * guest's data breakpoints (the run page's accesses[]).  Adjacent
	 * accesses of one direction merge, so a REP string operand is one
	 * range; ranges past VIREO_MAX_EMULATED_ACCESSES are not kept.
	 */
	struct vireo_emulated_access accesses[VIREO_MAX_EMULATED_ACCESSES];
	unsigned int nr_accesses;
	/* out, on failure */
	struct vireo_fault fault;	/* -EFAULT from translation: what faulted */
	struct vireo_insn insn;		/* the decoded instruction (if it decoded) */
	char error[192];		/* why emulation failed, for a message */
};

/*
 * Fetch up to 15 instruction bytes at CS:RIP through the guest page tables
 * into buf.  The instruction may cross into a page that is not mapped or
 * not RAM; what could be read is returned in *len (the decoder then says
 * whether it was enough).  -EFAULT if not even the first byte is readable.
 */
int vireo_emu_fetch(struct vireo_emu *emu, uint8_t *buf, size_t *len);

/*
 * Emulate the instruction at RIP that caused mmio (see decode.h for the
 * instructions): the access to the memory operand goes to fn at
 * mmio->gpa; other accesses (the RAM side of MOVS, the stack of PUSH/POP,
 * every element of a REP string instruction) go through the guest page
 * tables, to RAM or, where the page is not RAM, to fn.  Registers and
 * flags are updated and RIP moves past the instruction.  Uses
 * mmio->insn_bytes when the CPU supplied them.
 *
 * Returns 0 on success, also when the instruction raised an exception
 * instead (#DE, #GP, #PF, #AC, #UD, #NM, #SS): emu->exception says which,
 * and the registers are those the fault leaves.  A negative errno (with
 * emu->error) means the monitor could not emulate it; registers are then
 * unchanged.  A LOCK-prefixed read-modify-write and XCHG hold a
 * process-wide lock that every other emulated MMIO access waits for, so
 * that they are atomic with respect to other vCPUs (SDM vol. 3 9.1.2).
 */
int vireo_emu_mmio(struct vireo_emu *emu, const struct vireo_exit_mmio *mmio, vireo_mmio_fn fn,
		   void *opaque);

/*
 * Emulate the INS/OUTS at RIP that caused io (io->string set): element by
 * element through fn and the guest page tables, updating rSI/rDI (by DF)
 * and, with REP, rCX, all with io->address_size wrap-around.  RIP moves past
 * the instruction once the count is exhausted; a REP with more than
 * VIREO_STRING_IO_BATCH elements left stays at RIP to be re-executed.  An
 * element whose address faults (#PF, #GP) ends it as on the CPU: 0 with
 * emu->exception set, the port not accessed for that element, registers
 * as the completed elements left them.  A buffer that is not RAM goes to
 * emu->buffer_mmio, as the CPU's access would go to a device.
 */
int vireo_emu_string_io(struct vireo_emu *emu, const struct vireo_exit_io *io, vireo_pio_fn fn,
			void *opaque);

/*
 * The arithmetic (emulate_alu.c), for vireo_emu_mmio() and the tests.
 *
 * vireo_alu(): two-operand and unary ops, shifts and rotates (src is the
 * count) on size-byte values; returns the result and updates the status
 * flags in *rflags as the instruction does.
 */
uint64_t vireo_alu(unsigned int alu, unsigned int size, uint64_t dst, uint64_t src,
		   __u64 *rflags);
/* BT/BTS/BTR/BTC on dst: the new value, CF the old bit. */
uint64_t vireo_alu_bit(unsigned int alu, uint64_t dst, unsigned int bit, __u64 *rflags);
/* IMUL r, r/m[, imm]: the truncated product. */
uint64_t vireo_alu_imul2(unsigned int size, uint64_t a, uint64_t b, __u64 *rflags);
/*
 * MUL/IMUL/DIV/IDIV r/m (src) on AX or rDX:rAX; -1 when the CPU raises
 * #DE (division by zero, quotient too wide), with nothing changed.
 */
int vireo_alu_muldiv(unsigned int alu, unsigned int size, uint64_t src, __u64 *rax,
		     __u64 *rdx, __u64 *rflags);

/* Whether condition code cond (Jcc/SETcc/CMOVcc low nibble) holds. */
bool vireo_alu_cond(unsigned int cond, uint64_t rflags);
/* SHLD (alu SHL) / SHRD (alu SHR) of dst by count, filling from src. */
uint64_t vireo_alu_shiftd(unsigned int alu, unsigned int size, uint64_t dst, uint64_t src,
			  unsigned int count, __u64 *rflags);

#endif /* VIREO_EMULATE_H */
