/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hostile-guest test kernel's view of the Vireo PC: port I/O, MMIO,
 * the serial port, the ACPI PM timer and S5, and where it keeps its rings
 * and buffers.  Flat 32-bit protected mode, no paging, interrupts off:
 * guest-physical addresses below 4 GiB are pointers.
 *
 * MMIO goes through explicit MOV instructions (the monitor emulates MMIO
 * with its MOV-family decoder); the compiler must not fold a device
 * access into some other read-modify-write instruction.
 */
#ifndef VH_HW_H
#define VH_HW_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memory the test uses (all RAM with --mem 64M) ----------------------- */
#define VH_RAM_USE	0x200000U	/* the kernel image ends below this */
#define VH_RING		0x200000U	/* virtio-blk's queue: desc; avail +0x1000, used +0x2000 */
#define VH_RING_AVAIL	(VH_RING + 0x1000U)
#define VH_RING_USED	(VH_RING + 0x2000U)
#define VH_HDR		0x210000U	/* request headers */
#define VH_STATUS	0x211000U	/* status bytes */
#define VH_DATA		0x220000U	/* data buffers, 64 KiB */
#define VH_INDIRECT	0x240000U	/* indirect tables, 4 KiB apart */
#define VH_RING_STRIDE	0x4000U		/* from one queue's rings to the next queue's */
#define VH_RINGS_NET	0x280000U	/* virtio-net's two queues */
#define VH_RINGS_CON	0x288000U	/* virtio-console's two queues */
#define VH_RINGS_RNG	0x290000U	/* virtio-rng's queue */
#define VH_OUTBUF	0x2a0000U	/* device-readable buffers of net, console: 64 KiB */
#define VH_INBUF	0x2c0000U	/* device-writable buffers of net, rng: 64 KiB */
#define VH_SCRATCH	0x2e0000U	/* a received frame gathered: 64 KiB */
#define VH_BIG		0x1000000U	/* 16 MiB: target of the oversized chains, big buffers */
#define VH_BIG_LEN	0x1400000U	/* 20 MiB per descriptor */
#define VH_MIN_RAM	0x3000000U	/* 48 MiB: what the cases need */

/* ---- ports --------------------------------------------------------------- */
#define COM1		0x3f8
#define PM_BASE		0x600		/* the Vireo PC's ACPI PM block (acpi/pm.h) */
#define PM1_CNT		(PM_BASE + 0x04)
#define PM_TMR		(PM_BASE + 0x08)
#define PM_TMR_HZ	3579545U
#define PM1_S5		((5U << 10) | (1U << 13))	/* SLP_TYP = 5, SLP_EN */
#define DEBUG_EXIT	0xf4		/* QEMU's isa-debug-exit (vireo-run: --debug-exit) */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- MMIO: one MOV each -------------------------------------------------- */
static inline uint8_t mmio_read8(uint32_t addr)
{
	uint8_t v;

	__asm__ __volatile__("movb (%1), %0" : "=q"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint16_t mmio_read16(uint32_t addr)
{
	uint16_t v;

	__asm__ __volatile__("movw (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;

	__asm__ __volatile__("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(uint32_t addr, uint8_t v)
{
	__asm__ __volatile__("movb %0, (%1)" : : "q"(v), "r"(addr) : "memory");
}

static inline void mmio_write16(uint32_t addr, uint16_t v)
{
	__asm__ __volatile__("movw %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	__asm__ __volatile__("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

/* Ordering against the device: x86 keeps stores in order; stop the compiler. */
static inline void barrier(void)
{
	__asm__ __volatile__("" : : : "memory");
}

static inline void *phys(uint32_t addr)
{
	return (void *)(uintptr_t)addr;
}

/* ---- io.c ---------------------------------------------------------------- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/*
 * printf to COM1, and into a buffer.  Conversions: %s %c %d %u %x %02u
 * style widths with a 0 flag, and %llx for 64-bit values.
 */
void vh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vh_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
void vh_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Milliseconds since the first call, from the ACPI PM timer (24 or 32 bits). */
uint32_t vh_ms(void);

/* ACPI S5 on the Vireo PC (vireo-run exits with 0), then QEMU's debug exit. */
void vh_poweroff(uint8_t code) __attribute__((noreturn));

#endif /* VH_HW_H */
