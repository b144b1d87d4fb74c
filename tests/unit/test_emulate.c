// SPDX-License-Identifier: GPL-2.0
/*
 * Emulation tests with a fake vCPU: struct vireo_regs/sregs plus a fake
 * guest memory, and device callbacks that record what they see.  Covers
 * MMIO loads/stores (CPU-supplied bytes, fetched bytes, page-crossing
 * fetch, failures) and INS/OUTS (REP, DF, address sizes, segment
 * override, batching, faults).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include <libvireo.h>

#include "fake_mem.h"
#include "test.h"

#define P  VIREO_PTE_P
#define RW VIREO_PTE_RW
#define PS VIREO_PTE_PS

struct env {
	struct fake_mem f;
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	struct vireo_emu emu;
};

#define MAX_REC 8192

struct rec {
	unsigned int n;
	uint64_t addr[MAX_REC];
	unsigned int size[MAX_REC];
	bool write[MAX_REC];
	uint64_t data[MAX_REC];
	uint64_t read_value;	/* what reads return */
	int ret;		/* what the callback returns */
};

static struct rec rec;

static void rec_reset(void)
{
	memset(&rec, 0, sizeof(rec));
}

static int mmio_cb(void *opaque, uint64_t gpa, unsigned int size, bool is_write, uint64_t *data)
{
	(void)opaque;
	if (rec.n < MAX_REC) {
		rec.addr[rec.n] = gpa;
		rec.size[rec.n] = size;
		rec.write[rec.n] = is_write;
		rec.data[rec.n] = is_write ? *data : rec.read_value;
		rec.n++;
	}
	if (!is_write)
		*data = rec.read_value;
	return rec.ret;
}

static int pio_cb(void *opaque, uint16_t port, unsigned int size, bool is_write, uint32_t *data)
{
	uint64_t d = *data;
	int ret;

	ret = mmio_cb(opaque, port, size, is_write, &d);
	*data = (uint32_t)d;
	return ret;
}

/*
 * Long mode, 4 MiB of RAM: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000.
 * 0-2M is identity-mapped with 4 KiB pages except 0x10000 -> 0x30000 (so a
 * fetch at 0xfffe crosses into a physically distant page); 2M-4M is one
 * identity 2 MiB page; 3G-4G a 1 GiB identity page (not RAM).
 */
static void env_long(struct env *e)
{
	unsigned int i;

	memset(e, 0, sizeof(*e));
	fake_mem_init(&e->f, 4 << 20);
	/* Upper levels allow user access; leaves decide (all supervisor). */
	fake_put64(&e->f, 0x1000, 0x2000 | P | RW | VIREO_PTE_US);
	fake_put64(&e->f, 0x2000, 0x3000 | P | RW | VIREO_PTE_US);
	fake_put64(&e->f, 0x2000 + 3 * 8, 0xc0000000ULL | P | RW | PS);
	fake_put64(&e->f, 0x3000, 0x4000 | P | RW | VIREO_PTE_US);
	fake_put64(&e->f, 0x3000 + 8, 0x200000 | P | RW | PS);
	for (i = 0; i < 512; i++)
		fake_put64(&e->f, 0x4000 + i * 8, ((uint64_t)i << 12) | P | RW);
	fake_put64(&e->f, 0x4000 + 0x10 * 8, 0x30000 | P | RW);

	e->sregs.cr0 = VIREO_CR0_PE | VIREO_CR0_PG | VIREO_CR0_ET | VIREO_CR0_NE;
	e->sregs.cr3 = 0x1000;
	e->sregs.cr4 = VIREO_CR4_PAE;
	e->sregs.efer = VIREO_EFER_LME | VIREO_EFER_LMA;
	e->sregs.cs.l = 1;
	e->sregs.cs.present = 1;
	e->regs.rflags = VIREO_RFLAGS_FIXED;
	e->regs.rip = 0x100000;
	e->emu.regs = &e->regs;
	e->emu.sregs = &e->sregs;
	e->emu.mem = &e->f.mem;
	e->emu.phys_bits = 48;
	rec_reset();
}

/* Real mode, 1 MiB of RAM, CS base 0x1000. */
static void env_real(struct env *e)
{
	memset(e, 0, sizeof(*e));
	fake_mem_init(&e->f, 1 << 20);
	e->sregs.cr0 = VIREO_CR0_ET;
	e->sregs.cs.base = 0x1000;
	e->sregs.cs.selector = 0x100;
	e->sregs.cs.limit = 0xffff;
	e->sregs.ds.base = 0x5000;
	e->sregs.es.base = 0x6000;
	e->regs.rflags = VIREO_RFLAGS_FIXED;
	e->emu.regs = &e->regs;
	e->emu.sregs = &e->sregs;
	e->emu.mem = &e->f.mem;
	rec_reset();
}

static struct vireo_exit_mmio mmio_exit(uint64_t gpa, const void *bytes, unsigned int len)
{
	struct vireo_exit_mmio m = { .gpa = gpa, .insn_len = len };

	memcpy(m.insn_bytes, bytes, len);
	return m;
}

static void mmio_load_cpu_bytes(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	/* mov rax, [rbx] followed by whatever else the CPU fetched */
	m = mmio_exit(0xd0000000, "\x48\x8b\x03\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90",
		      15);
	e.regs.rax = 0x5555;
	rec.read_value = 0x1122334455667788ULL;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_EQ(rec.addr[0], 0xd0000000);
	T_EQ(rec.size[0], 8);
	T_TRUE(!rec.write[0]);
	T_EQ(e.regs.rax, 0x1122334455667788ULL);
	T_EQ(e.regs.rip, 0x100003);
}

static void mmio_store_fetched(void)
{
	static struct env e;
	struct vireo_exit_mmio m = { .gpa = 0xd0000008, .is_write = 1 };

	env_long(&e);
	/* mov dword [rbx+8], 0xdeadbeef at RIP, no CPU-supplied bytes */
	fake_put(&e.f, 0x100000, "\xc7\x43\x08\xef\xbe\xad\xde", 7);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_TRUE(rec.write[0]);
	T_EQ(rec.size[0], 4);
	T_EQ(rec.data[0], 0xdeadbeef);
	T_EQ(rec.addr[0], 0xd0000008);
	T_EQ(e.regs.rip, 0x100007);
}

static void mmio_store_register_high8(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000038, "\x88\x63\x38", 3);	/* mov [rbx+0x38], ah */
	e.regs.rax = 0x5500;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.data[0], 0x55);
	T_EQ(rec.size[0], 1);
}

static void mmio_fetch_crosses_page(void)
{
	static struct env e;
	struct vireo_exit_mmio m = { .gpa = 0xd0000000 };

	env_long(&e);
	/* movzx eax, word [rbx+0x100]: 0f b7 83 00 01 00 00 at 0xfffe */
	fake_put(&e.f, 0xfffe, "\x0f\xb7", 2);
	fake_put(&e.f, 0x30000, "\x83\x00\x01\x00\x00", 5);
	fake_put(&e.f, 0x10000, "\xff\xff\xff\xff\xff", 5);	/* the wrong page */
	e.regs.rip = 0xfffe;
	e.regs.rax = ~0ULL;
	rec.read_value = 0xabcd;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.size[0], 2);
	T_EQ(e.regs.rax, 0xabcd);
	T_EQ(e.regs.rip, 0xfffe + 7);
}

static void mmio_fetch_stops_at_unmapped_page(void)
{
	static struct env e;
	struct vireo_exit_mmio m = { .gpa = 0xd0000000 };

	env_long(&e);
	/* A 2-byte instruction ending right before an unmapped page is fine... */
	fake_put64(&e.f, 0x4000 + 0x10 * 8, 0);
	fake_put(&e.f, 0xfffe, "\x8b\x03", 2);
	e.regs.rip = 0xfffe;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rip, 0x10000);
	/* ... one that continues into it is truncated. */
	fake_put(&e.f, 0xfffe, "\x8b\x83", 2);
	e.regs.rip = 0xfffe;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -ENODATA);
	T_EQ(e.regs.rip, 0xfffe);
	T_STR_CONTAINS(e.emu.error, "truncated");
}

static void mmio_short_cpu_bytes_fall_back(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x48\x8b\x03", 3);
	m = mmio_exit(0xd0000000, "\x48\x8b", 2);	/* the CPU stopped early */
	rec.read_value = 42;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rax, 42);
	T_EQ(e.regs.rip, 0x100003);
}

static void mmio_unsupported_leaves_state(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000000, "\xff\x13", 2);	/* call [rbx] */
	e.regs.rax = 7;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -ENOTSUP);
	T_EQ(rec.n, 0);
	T_EQ(e.regs.rip, 0x100000);
	T_EQ(e.regs.rax, 7);
	T_STR_CONTAINS(e.emu.error, "unsupported opcode 0xff /2");
	T_STR_CONTAINS(e.emu.error, "rip=0x100000");
}

static void mmio_fetch_outside_ram(void)
{
	static struct env e;
	struct vireo_exit_mmio m = { .gpa = 0xe0000000 };

	env_long(&e);
	e.regs.rip = 0xe0000000;	/* mapped, but not RAM */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -EFAULT);
	T_EQ(e.emu.fault.kind, VIREO_FAULT_NOT_RAM);
	T_STR_CONTAINS(e.emu.error, "cannot fetch instruction");
	e.regs.rip = 0x0000800000000000ULL;	/* non-canonical */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -EFAULT);
	T_EQ(e.emu.fault.kind, VIREO_FAULT_NONCANONICAL);
}

static void mmio_real_mode(void)
{
	static struct env e;
	struct vireo_exit_mmio m = { .gpa = 0xd0000 };

	env_real(&e);
	fake_put(&e.f, 0x1010, "\x8b\x07", 2);	/* mov ax, [bx] */
	e.regs.rip = 0x10;
	e.regs.rax = 0xffff0000ffff1111ULL;
	rec.read_value = 0xbeef;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.size[0], 2);
	T_EQ(e.regs.rax, 0xffff0000ffffbeefULL);
	T_EQ(e.regs.rip, 0x12);
}

static void mmio_callback_error(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000000, "\x8b\x03", 2);
	rec.ret = -EIO;
	e.regs.rax = 3;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -EIO);
	T_EQ(e.regs.rax, 3);
	T_EQ(e.regs.rip, 0x100000);
}

static void mmio_32bit_rip_wraps(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	e.sregs.cs.l = 0;
	e.sregs.cs.db = 1;	/* compatibility mode */
	e.regs.rip = 0xfffffffe;
	m = mmio_exit(0xd0000000, "\x89\x03\x90", 3);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rip, 0);
}

static struct vireo_exit_io string_exit(uint8_t dir, uint8_t size, bool rep, uint8_t asize)
{
	struct vireo_exit_io io = {
		.direction = dir,
		.size = size,
		.string = 1,
		.rep = rep,
		.port = 0x3f8,
		.address_size = asize,
	};

	return io;
}

static void outs_rep_long(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 8);
	unsigned int i;

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6e", 2);	/* rep outsb */
	fake_put(&e.f, 0x200000, "123456", 6);
	e.regs.rsi = 0x200000;
	e.regs.rcx = 6;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 6);
	for (i = 0; i < 6; i++) {
		T_EQ(rec.data[i], '1' + i);
		T_EQ(rec.addr[i], 0x3f8);
		T_TRUE(rec.write[i]);
	}
	T_EQ(e.regs.rsi, 0x200006);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100002);
}

static void outs_direction_flag(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6e", 2);
	fake_put(&e.f, 0x200000, "123456", 6);
	e.regs.rflags |= VIREO_RFLAGS_DF;
	e.regs.rsi = 0x200005;
	e.regs.rcx = 3;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 3);
	T_EQ(rec.data[0], '6');
	T_EQ(rec.data[2], '4');
	T_EQ(e.regs.rsi, 0x200002);
}

static void ins_rep_word(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 2, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x66\xf3\x6d", 3);	/* rep insw */
	e.regs.rdi = 0x200100;
	e.regs.rcx = 3;
	rec.read_value = 0xabcd;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 3);
	T_TRUE(!rec.write[0]);
	T_TRUE(!memcmp(e.f.buf + 0x200100, "\xcd\xab\xcd\xab\xcd\xab\x00", 7));
	T_EQ(e.regs.rdi, 0x200106);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100003);
}

static void ins_without_rep(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 1, false, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x6c", 1);
	e.regs.rdi = 0x200000;
	e.regs.rcx = 5;
	rec.read_value = 0x7f;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_EQ(e.f.buf[0x200000], 0x7f);
	T_EQ(e.regs.rcx, 5);
	T_EQ(e.regs.rdi, 0x200001);
	T_EQ(e.regs.rip, 0x100001);
}

static void outs_real_mode_segment_override(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 2);

	env_real(&e);
	fake_put(&e.f, 0x1000, "\xf3\x2e\x6e", 3);	/* rep outsb cs: */
	fake_put(&e.f, 0x1020, "ab", 2);		/* CS:0x20 */
	fake_put(&e.f, 0x5020, "xy", 2);		/* DS:0x20, must not be used */
	e.regs.rsi = 0x20;
	e.regs.rcx = 2;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.data[0], 'a');
	T_EQ(rec.data[1], 'b');
	T_EQ(e.regs.rip, 3);

	/* Without the override: DS. */
	rec_reset();
	fake_put(&e.f, 0x1000, "\xf3\x6e", 2);
	e.regs.rip = 0;
	e.regs.rsi = 0x20;
	e.regs.rcx = 2;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.data[0], 'x');
	T_EQ(e.regs.rip, 2);
}

static void string_16bit_address_wraps(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 2);

	env_real(&e);
	fake_put(&e.f, 0x1000, "\xf3\x6e", 2);
	fake_put(&e.f, 0x5000 + 0xffff, "p", 1);
	fake_put(&e.f, 0x5000, "q", 1);
	e.regs.rsi = 0xdeadffff;	/* SI = 0xffff, upper bits kept */
	e.regs.rcx = 0x12340002;	/* CX = 2 */
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 2);
	T_EQ(rec.data[0], 'p');
	T_EQ(rec.data[1], 'q');
	T_EQ(e.regs.rsi, 0xdead0001);
	T_EQ(e.regs.rcx, 0x12340000);
}

static void string_32bit_address_in_long_mode(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 4);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x67\xf3\x6e", 3);
	fake_put(&e.f, 0x200000, "xyz", 3);
	e.regs.rsi = 0xffffffff00200000ULL;
	e.regs.rcx = 0xffffffff00000003ULL;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 3);
	T_EQ(rec.data[2], 'z');
	T_EQ(e.regs.rsi, 0x200003);	/* 32-bit writes zero-extend */
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100003);
}

static void rep_count_zero(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6e", 2);
	e.regs.rsi = 0x200000;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 0);
	T_EQ(e.regs.rsi, 0x200000);
	T_EQ(e.regs.rip, 0x100002);
}

static void rep_batches(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6e", 2);
	e.regs.rsi = 0x200000;
	e.regs.rcx = VIREO_STRING_IO_BATCH + 5;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.regs.rcx, 5);
	T_EQ(e.regs.rip, 0x100000);	/* the guest re-executes */
	T_EQ(e.regs.rsi, 0x200000 + VIREO_STRING_IO_BATCH);
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100002);
	T_EQ(rec.n, VIREO_STRING_IO_BATCH + 5);
}

static void string_exit_mismatch(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 1, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6e", 2);	/* OUTS, but the exit says IN */
	e.regs.rcx = 1;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), -EINVAL);
	T_EQ(rec.n, 0);
	T_STR_CONTAINS(e.emu.error, "does not match");
}

static void ins_into_readonly_page(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 1, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\xf3\x6c", 2);
	fake_put64(&e.f, 0x4000 + 0x20 * 8, 0x20000 | P);	/* 0x20000 read-only */
	e.sregs.cr0 |= VIREO_CR0_WP;
	e.regs.rdi = 0x1fffe;
	e.regs.rcx = 4;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_TRUE(e.emu.exception.pending);
	T_EQ(e.emu.exception.vector, VIREO_VEC_PF);
	T_EQ(e.emu.exception.cr2, 0x20000);
	T_EQ(e.emu.exception.error_code, VIREO_PF_P | VIREO_PF_W);
	/* Two elements completed before the fault, and the state says so. */
	T_EQ(e.regs.rdi, 0x20000);
	T_EQ(e.regs.rcx, 2);
	T_EQ(e.regs.rip, 0x100000);
	/* The port was read for those two only. */
	T_EQ(rec.n, 2);
}

/* SDM vol. 1 19.4.4: INS/OUTS buffers are memory operands; a device's
 * page gets the element as an MMIO write or read. */
static void ins_into_device_buffer(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 2, true, 8);

	env_long(&e);
	e.emu.buffer_mmio = mmio_cb;
	fake_put(&e.f, 0x100000, "\x66\xf3\x6d", 3);	/* rep insw */
	e.regs.rdi = 0xc0000010;
	e.regs.rcx = 2;
	rec.read_value = 0x5a17;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 4);
	T_EQ(rec.addr[0], 0x3f8);
	T_TRUE(!rec.write[0]);
	T_EQ(rec.addr[1], 0xc0000010);
	T_EQ(rec.size[1], 2);
	T_TRUE(rec.write[1]);
	T_EQ(rec.data[1], 0x5a17);
	T_EQ(rec.addr[3], 0xc0000012);
	T_EQ(e.regs.rdi, 0xc0000014);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100003);
}

static void outs_from_device_buffer(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 4, false, 8);

	env_long(&e);
	e.emu.buffer_mmio = mmio_cb;
	fake_put(&e.f, 0x100000, "\x6f", 1);		/* outsd */
	e.regs.rsi = 0xc0000100;
	rec.read_value = 0x11223344;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(rec.n, 2);
	T_EQ(rec.addr[0], 0xc0000100);
	T_EQ(rec.size[0], 4);
	T_TRUE(!rec.write[0]);
	T_EQ(rec.addr[1], 0x3f8);
	T_TRUE(rec.write[1]);
	T_EQ(rec.data[1], 0x11223344);
	T_EQ(e.regs.rsi, 0xc0000104);
	T_EQ(e.regs.rip, 0x100001);
}

/* Nothing decodes the address: the bus reads all ones, drops writes. */
static void string_io_unassigned_buffer(void)
{
	static struct env e;
	struct vireo_exit_io in = string_exit(VIREO_IO_IN, 1, false, 8);
	struct vireo_exit_io out = string_exit(VIREO_IO_OUT, 2, false, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x6c", 1);		/* insb */
	e.regs.rdi = 0xc0000000;
	T_EQ(vireo_emu_string_io(&e.emu, &in, pio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_EQ(e.regs.rdi, 0xc0000001);
	T_EQ(e.regs.rip, 0x100001);

	fake_put(&e.f, 0x100001, "\x66\x6f", 2);	/* outsw */
	e.regs.rsi = 0xc0000000;
	T_EQ(vireo_emu_string_io(&e.emu, &out, pio_cb, NULL), 0);
	T_EQ(rec.n, 2);
	T_TRUE(rec.write[1]);
	T_EQ(rec.data[1], 0xffff);
	T_EQ(e.regs.rip, 0x100003);
}

/* A dword whose last half lies in the next page, which is a device's. */
static void ins_dword_across_ram_into_device(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_IN, 4, false, 8);

	env_long(&e);
	e.emu.buffer_mmio = mmio_cb;
	fake_put64(&e.f, 0x3000 + 2 * 8, 0x400000 | P | RW | PS);	/* past RAM */
	fake_put(&e.f, 0x100000, "\x6d", 1);		/* insd */
	e.regs.rdi = 0x3ffffe;
	rec.read_value = 0xa1b2c3d4;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.f.buf[0x3ffffe], 0xd4);
	T_EQ(e.f.buf[0x3fffff], 0xc3);
	T_EQ(rec.n, 2);
	T_EQ(rec.addr[1], 0x400000);
	T_EQ(rec.size[1], 2);
	T_EQ(rec.data[1], 0xa1b2);
	T_EQ(e.regs.rdi, 0x400002);
}

static void outs_user_mode_supervisor_page(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 1, false, 8);

	env_long(&e);
	/* Code page user-accessible, data page supervisor-only: CPL 3 faults. */
	fake_put(&e.f, 0x100000, "\x6e", 1);
	fake_put64(&e.f, 0x4000 + 0x100 * 8, 0x100000 | P | VIREO_PTE_US);
	e.sregs.cr0 |= VIREO_CR0_PE;
	e.sregs.ss.dpl = 3;
	e.regs.rsi = 0x200000;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_PF);
	T_EQ(e.emu.exception.cr2, 0x200000);
	T_EQ(e.emu.exception.error_code, VIREO_PF_P | VIREO_PF_U);
	T_EQ(rec.n, 0);
	T_EQ(e.regs.rip, 0x100000);
	/* At CPL 0 the same access works. */
	e.sregs.ss.dpl = 0;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_TRUE(!e.emu.exception.pending);
	T_EQ(e.regs.rip, 0x100001);
}


/* OR to a device register: one read, one write of the operand's width. */
static void mmio_or_read_modify_write(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000010, "\x83\x4b\x10\x30", 4);	/* or dword [rbx+0x10], 0x30 */
	rec.read_value = 0x80000001;
	e.regs.rflags = VIREO_RFLAGS_FIXED | VIREO_RFLAGS_CF | VIREO_RFLAGS_OF;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(!e.emu.exception.pending);
	T_EQ(rec.n, 2);
	T_TRUE(!rec.write[0]);
	T_TRUE(rec.write[1]);
	T_EQ(rec.size[0], 4);
	T_EQ(rec.size[1], 4);
	T_EQ(rec.addr[1], 0xd0000010);
	T_EQ(rec.data[1], 0x80000031);
	/* OR clears CF and OF, sets SF from bit 31 (SDM vol. 2 OR). */
	T_EQ(e.regs.rflags & VIREO_RFLAGS_STATUS, VIREO_RFLAGS_SF);
	T_EQ(e.regs.rip, 0x100004);
}

/* CMP and TEST only read; BT only reads. */
static void mmio_compare_only_reads(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000000, "\x48\x39\x03", 3);		/* cmp [rbx], rax */
	rec.read_value = 5;
	e.regs.rax = 5;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_TRUE(e.regs.rflags & VIREO_RFLAGS_ZF);
	rec_reset();
	m = mmio_exit(0xd0000000, "\x0f\xba\x23\x21", 4);	/* bt dword [rbx], 33 */
	rec.read_value = 2;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 1);
	T_TRUE(e.regs.rflags & VIREO_RFLAGS_CF);	/* 33 mod 32 = bit 1 */
}

/* DIV by a zero register value: #DE, nothing written, RIP kept. */
static void mmio_div_zero_raises_de(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000000, "\xf7\x33", 2);		/* div dword [rbx] */
	rec.read_value = 0;
	e.regs.rax = 10;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(e.emu.exception.pending);
	T_EQ(e.emu.exception.vector, VIREO_VEC_DE);
	T_TRUE(!e.emu.exception.has_error_code);
	T_EQ(e.regs.rax, 10);
	T_EQ(e.regs.rip, 0x100000);
}

/* LOCK on an instruction that is not a read-modify-write is #UD. */
static void mmio_lock_mov_raises_ud(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000000, "\xf0\x89\x03", 3);		/* lock mov [rbx], eax */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_UD);
	T_EQ(rec.n, 0);
	m = mmio_exit(0xd0000000, "\xf0\x39\x03", 3);		/* lock cmp [rbx], eax */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_UD);
	m = mmio_exit(0xd0000000, "\xf0\x09\x03", 3);		/* lock or [rbx], eax */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(!e.emu.exception.pending);
	T_EQ(rec.n, 2);
}

/* #AC: CPL 3, CR0.AM, RFLAGS.AC and a misaligned dword (SDM vol. 3 6.15). */
static void mmio_misaligned_user_access_raises_ac(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	e.sregs.cr0 |= VIREO_CR0_AM;
	e.sregs.ss.dpl = 3;
	e.regs.rbx = 0xd0000001;
	e.regs.rflags |= VIREO_RFLAGS_AC;
	m = mmio_exit(0xd0000001, "\x89\x03", 2);		/* mov [rbx], eax */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_AC);
	T_TRUE(e.emu.exception.has_error_code);
	T_EQ(e.emu.exception.error_code, 0);
	T_EQ(rec.n, 0);
	/* Without RFLAGS.AC the same access goes through. */
	e.regs.rflags &= ~VIREO_RFLAGS_AC;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(!e.emu.exception.pending);
	T_EQ(rec.n, 1);
}

/* REP MOVSB from RAM to the device: walked element by element. */
static void rep_movs_ram_to_device(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	fake_put(&e.f, 0x5000, "abcd", 4);
	e.regs.rsi = 0x5000;
	e.regs.rdi = 0xd0000100;
	e.regs.rcx = 4;
	m = mmio_exit(0xd0000100, "\xf3\xa4", 2);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 4);
	T_EQ(rec.addr[3], 0xd0000103);
	T_EQ(rec.data[3], 'd');
	T_TRUE(rec.write[0]);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rsi, 0x5004);
	T_EQ(e.regs.rdi, 0xd0000104);
	T_EQ(e.regs.rip, 0x100002);
}

/*
 * REP STOSD into a page that is not present after two elements: #PF with
 * CR2 and W in the error code; the two elements stay done, RIP stays.
 */
static void rep_stos_page_fault_keeps_progress(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	fake_put64(&e.f, 0x4000 + 0x8 * 8, 0);		/* 0x8000 not present */
	e.regs.rdi = 0x7ff8;
	e.regs.rcx = 5;
	e.regs.rax = 0x11223344;
	m = mmio_exit(0xd0000000, "\xf3\xab", 2);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(e.emu.exception.pending);
	T_EQ(e.emu.exception.vector, VIREO_VEC_PF);
	T_EQ(e.emu.exception.cr2, 0x8000);
	T_EQ(e.emu.exception.error_code, VIREO_PF_W);
	T_EQ(e.regs.rcx, 3);
	T_EQ(e.regs.rdi, 0x8000);
	T_EQ(e.regs.rip, 0x100000);
	T_EQ(e.f.buf[0x7ffc], 0x44);
}

/* More than a batch of elements: RIP stays for the guest to re-execute. */
static void rep_stos_batches(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	e.regs.rdi = 0xd0000000;
	e.regs.rcx = VIREO_STRING_MEM_BATCH + 3;
	m = mmio_exit(0xd0000000, "\xf3\xaa", 2);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rcx, 3);
	T_EQ(e.regs.rip, 0x100000);
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rcx, 0);
	T_EQ(e.regs.rip, 0x100002);
}

/* PUSH of a device register: read at the exit's address, written to the stack. */
static void push_device_register(void)
{
	static struct env e;
	struct vireo_exit_mmio m;
	uint64_t v = 0;

	env_long(&e);
	e.regs.rsp = 0x9000;
	rec.read_value = 0x1234567890abcdefULL;
	m = mmio_exit(0xd0000000, "\xff\x33", 2);		/* push qword [rbx] */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.regs.rsp, 0x8ff8);
	memcpy(&v, e.f.buf + 0x8ff8, 8);
	T_EQ(v, 0x1234567890abcdefULL);
}

/*
 * Vector moves need the guest's XMM/YMM registers: without them (no vCPU
 * ioctl yet) the emulation fails with a message, registers untouched.
 */
static void vector_move_needs_registers(void)
{
	static struct env e;
	static struct vireo_vregs vregs;
	struct vireo_exit_mmio m;

	env_long(&e);
	e.sregs.cr4 |= VIREO_CR4_OSFXSR;
	m = mmio_exit(0xd0000000, "\xf3\x0f\x6f\x03", 4);	/* movdqu xmm0, [rbx] */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), -ENOTSUP);
	T_STR_CONTAINS(e.emu.error, "XMM/YMM");
	T_EQ(e.regs.rip, 0x100000);
	memset(&vregs, 0xee, sizeof(vregs));
	e.emu.vregs = &vregs;
	rec.read_value = 0x0102030405060708ULL;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 2);			/* 16 bytes as two 8-byte reads */
	T_EQ(rec.addr[1], 0xd0000008);
	T_EQ(vregs.ymm[0][0], 0x08);
	T_EQ(vregs.ymm[0][15], 0x01);
	T_EQ(vregs.ymm[0][16], 0xee);	/* legacy SSE keeps bits 255:128 */
	T_EQ(e.regs.rip, 0x100004);
}

/* SSE with CR0.TS is #NM, without CR4.OSFXSR #UD; MOVAPS misaligned #GP. */
static void vector_move_faults(void)
{
	static struct env e;
	static struct vireo_vregs vregs;
	struct vireo_exit_mmio m;

	env_long(&e);
	e.emu.vregs = &vregs;
	m = mmio_exit(0xd0000008, "\x0f\x29\x03", 3);		/* movaps [rbx], xmm0 */
	e.regs.rbx = 0xd0000008;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_UD);
	e.sregs.cr4 |= VIREO_CR4_OSFXSR;
	e.sregs.cr0 |= VIREO_CR0_TS;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_NM);
	e.sregs.cr0 &= ~VIREO_CR0_TS;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.exception.vector, VIREO_VEC_GP);
	T_EQ(rec.n, 0);
	e.regs.rbx = 0xd0000010;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_TRUE(!e.emu.exception.pending);
	T_EQ(rec.n, 2);
}


/*
 * LOCK XADD from two vCPU threads on a device whose read and write are
 * separate, unsynchronized callbacks (with a yield between them): only if
 * the emulator holds other vCPUs' accesses off between the read and the
 * write does every increment survive (SDM vol. 3 9.1.2.2).
 */
#define XADD_ROUNDS 2000

static volatile uint64_t shared_register;

static int racy_device(void *opaque, uint64_t gpa, unsigned int size, bool is_write,
		       uint64_t *data)
{
	(void)opaque;
	(void)gpa;
	(void)size;
	if (is_write) {
		shared_register = *data;
	} else {
		*data = shared_register;
		sched_yield();		/* invite the other thread in */
	}
	return 0;
}

struct xadd_thread {
	struct env e;
	int failures;
};

static void *xadd_rounds(void *arg)
{
	struct xadd_thread *t = arg;
	struct vireo_exit_mmio m = mmio_exit(0xd0000000, "\xf0\x48\x0f\xc1\x03", 5);
	unsigned int i;

	for (i = 0; i < XADD_ROUNDS; i++) {
		t->e.regs.rip = 0x100000;
		t->e.regs.rax = 1;
		if (vireo_emu_mmio(&t->e.emu, &m, racy_device, NULL))
			t->failures++;
	}
	return NULL;
}

static void locked_xadd_is_atomic_across_vcpus(void)
{
	static struct xadd_thread t[2];
	pthread_t th[2];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		/* Page tables are not walked for the operand: no memory needed. */
		memset(&t[i], 0, sizeof(t[i]));
		t[i].e.sregs.cr0 = VIREO_CR0_PE | VIREO_CR0_PG;
		t[i].e.sregs.efer = VIREO_EFER_LMA | VIREO_EFER_LME;
		t[i].e.sregs.cs.l = 1;
		t[i].e.regs.rflags = VIREO_RFLAGS_FIXED;
		t[i].e.emu.regs = &t[i].e.regs;
		t[i].e.emu.sregs = &t[i].e.sregs;
	}
	shared_register = 0;
	for (i = 0; i < 2; i++)
		T_EQ(pthread_create(&th[i], NULL, xadd_rounds, &t[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	T_EQ(t[0].failures + t[1].failures, 0);
	T_EQ(shared_register, 2 * XADD_ROUNDS);
}


/* Real mode: 16-bit ModRM ([bx+si+disp8]) on an ALU op, and REP MOVSW with
 * segment bases and 16-bit pointer wrap-around into the device. */
static void real_mode_alu_and_movs(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_real(&e);
	m = mmio_exit(0xd0004, "\x83\x40\x04\x10", 4);	/* add word [bx+si+4], 0x10 */
	rec.read_value = 0xfff8;
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 2);
	T_EQ(rec.size[1], 2);
	T_EQ(rec.data[1], 0x0008);
	T_TRUE(e.regs.rflags & VIREO_RFLAGS_CF);
	T_EQ(e.regs.rip, 4);

	rec_reset();
	fake_put(&e.f, 0x5000 + 0xfffe, "\x11\x22", 2);
	fake_put(&e.f, 0x5000, "\x33\x44", 2);
	e.sregs.es.base = 0x100000;	/* past the 1 MiB of RAM: the device */
	e.regs.rsi = 0xfffe;
	e.regs.rdi = 0x20;
	e.regs.rcx = 0xffff0002;	/* CX = 2; the upper bits are not the count */
	m = mmio_exit(0x100020, "\xf3\xa5", 2);		/* rep movsw */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(rec.n, 2);
	T_EQ(rec.addr[0], 0x100020);
	T_EQ(rec.data[0], 0x2211);
	T_EQ(rec.addr[1], 0x100022);
	T_EQ(rec.data[1], 0x4433);		/* SI wrapped to 0 */
	T_EQ(e.regs.rsi, 2);
	T_EQ(e.regs.rcx, 0xffff0000);
	T_EQ(e.regs.rip, 6);
}

/*
 * The data accesses reported for the guest's data breakpoints: the
 * operand's linear address (not the exit's GPA) for a read-modify-write,
 * one range per direction for a REP OUTS, also with DF set.
 */
static void accesses_mmio_or(void)
{
	static struct env e;
	struct vireo_exit_mmio m;

	env_long(&e);
	m = mmio_exit(0xd0000010, "\x83\x4b\x10\x30", 4);	/* or dword [rbx+0x10], 0x30 */
	e.regs.rbx = 0xc0000000;	/* the 1 GiB page maps it to 0xc0000010 */
	T_EQ(vireo_emu_mmio(&e.emu, &m, mmio_cb, NULL), 0);
	T_EQ(e.emu.nr_accesses, 2);
	T_EQ(e.emu.accesses[0].linear, 0xc0000010);
	T_EQ(e.emu.accesses[0].len, 4);
	T_TRUE(!e.emu.accesses[0].is_write);
	T_EQ(e.emu.accesses[1].linear, 0xc0000010);
	T_EQ(e.emu.accesses[1].len, 4);
	T_TRUE(e.emu.accesses[1].is_write);
}

static void accesses_rep_outs_ranges(void)
{
	static struct env e;
	struct vireo_exit_io io = string_exit(VIREO_IO_OUT, 2, true, 8);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x66\xf3\x6f", 3);	/* rep outsw */
	e.regs.rsi = 0x200000;
	e.regs.rcx = 5;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.emu.nr_accesses, 1);
	T_EQ(e.emu.accesses[0].linear, 0x200000);
	T_EQ(e.emu.accesses[0].len, 10);
	T_TRUE(!e.emu.accesses[0].is_write);

	env_long(&e);
	fake_put(&e.f, 0x100000, "\x66\xf3\x6f", 3);
	e.regs.rsi = 0x200008;
	e.regs.rcx = 5;
	e.regs.rflags |= VIREO_RFLAGS_DF;
	T_EQ(vireo_emu_string_io(&e.emu, &io, pio_cb, NULL), 0);
	T_EQ(e.emu.nr_accesses, 1);
	T_EQ(e.emu.accesses[0].linear, 0x200000);
	T_EQ(e.emu.accesses[0].len, 10);
}

const struct vireo_test vireo_tests_emulate[] = {
	VIREO_TEST(mmio_load_cpu_bytes),
	VIREO_TEST(mmio_store_fetched),
	VIREO_TEST(mmio_store_register_high8),
	VIREO_TEST(mmio_fetch_crosses_page),
	VIREO_TEST(mmio_fetch_stops_at_unmapped_page),
	VIREO_TEST(mmio_short_cpu_bytes_fall_back),
	VIREO_TEST(mmio_unsupported_leaves_state),
	VIREO_TEST(mmio_fetch_outside_ram),
	VIREO_TEST(mmio_real_mode),
	VIREO_TEST(mmio_callback_error),
	VIREO_TEST(mmio_32bit_rip_wraps),
	VIREO_TEST(mmio_or_read_modify_write),
	VIREO_TEST(mmio_compare_only_reads),
	VIREO_TEST(mmio_div_zero_raises_de),
	VIREO_TEST(mmio_lock_mov_raises_ud),
	VIREO_TEST(mmio_misaligned_user_access_raises_ac),
	VIREO_TEST(rep_movs_ram_to_device),
	VIREO_TEST(rep_stos_page_fault_keeps_progress),
	VIREO_TEST(rep_stos_batches),
	VIREO_TEST(push_device_register),
	VIREO_TEST(vector_move_needs_registers),
	VIREO_TEST(vector_move_faults),
	VIREO_TEST(locked_xadd_is_atomic_across_vcpus),
	VIREO_TEST(real_mode_alu_and_movs),
	VIREO_TEST(outs_rep_long),
	VIREO_TEST(outs_direction_flag),
	VIREO_TEST(ins_rep_word),
	VIREO_TEST(ins_without_rep),
	VIREO_TEST(outs_real_mode_segment_override),
	VIREO_TEST(string_16bit_address_wraps),
	VIREO_TEST(string_32bit_address_in_long_mode),
	VIREO_TEST(rep_count_zero),
	VIREO_TEST(rep_batches),
	VIREO_TEST(string_exit_mismatch),
	VIREO_TEST(ins_into_readonly_page),
	VIREO_TEST(outs_user_mode_supervisor_page),
	VIREO_TEST(ins_into_device_buffer),
	VIREO_TEST(outs_from_device_buffer),
	VIREO_TEST(string_io_unassigned_buffer),
	VIREO_TEST(ins_dword_across_ram_into_device),
	VIREO_TEST(accesses_mmio_or),
	VIREO_TEST(accesses_rep_outs_ranges),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(emulate, vireo_tests_emulate);
