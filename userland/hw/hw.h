/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every PC platform device model in userland/hw shares: the port-I/O
 * and MMIO handler types, the const descriptor each device exports, and
 * the clock and one-shot timer a device with time is given.
 *
 * Contract of every device in this directory:
 *  - init takes the device's dependencies (interrupt router and line,
 *    callbacks, clock, timer); fini releases what init made.  Neither can
 *    be affected by the guest.
 *  - handlers never fail because of what the guest wrote: a register write
 *    the device does not understand is ignored, a read of nothing returns
 *    all-ones or the datasheet's value.  They return 0, or -EINVAL only for
 *    a monitor bug (offset outside the registered range, size not 1, 2 or
 *    4); data is filled even then.
 *  - each device has its own mutex, so vCPU threads, the timer thread and
 *    the stdin thread may call in concurrently.  Lock order, outer first:
 *        device (pit, rtc, uart, i8042)  ->  irq router  ->  ioapic | pic
 *    and the MSI callback is called with the ioapic or pic lock held.
 *    Callbacks a device makes (timer arm, UART output, MSI) must therefore
 *    not call back into any device of this directory; the callbacks that
 *    may (reset, UART room-in-FIFO) are documented as called unlocked.
 */
#ifndef VIREO_HW_HW_H
#define VIREO_HW_HW_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A port access: port_offset is the port minus the base of the range the
 * handler was registered for; size is 1, 2 or 4; for a read the handler
 * stores the value in *data (only the low size bytes are meaningful).
 */
typedef int (*vireo_pio_handler_fn)(void *dev, uint16_t port_offset, unsigned int size,
				    bool is_write, uint32_t *data);

/* An MMIO access: offset from the region's base, size 1, 2, 4 or 8. */
typedef int (*vireo_mmio_handler_fn)(void *dev, uint64_t offset, unsigned int size,
				     bool is_write, uint64_t *data);

struct vireo_hw_pio_range {
	uint16_t base;			/* default port; a monitor may move it */
	uint16_t len;			/* ports in the range */
	vireo_pio_handler_fn handler;	/* gets port - base */
};

/*
 * One per device type, exported as vireo_<dev>_desc: what the monitor
 * registers on its bus.  dev (the handler's first argument) is the
 * device's struct.
 */
struct vireo_hw_desc {
	const char *name;
	const struct vireo_hw_pio_range *pio;	/* nr_pio ranges, or NULL */
	unsigned int nr_pio;
	uint64_t mmio_base;			/* 0: no MMIO */
	uint64_t mmio_len;
	vireo_mmio_handler_fn mmio;
	int line;				/* default interrupt line, -1: none */
};

/*
 * A clock: nanoseconds since an arbitrary fixed origin, never going back.
 * Production uses vireo_clock_monotonic(); tests a fake they advance.
 */
struct vireo_clock {
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
};

uint64_t vireo_clock_monotonic_ns(void *opaque);	/* CLOCK_MONOTONIC */
extern const struct vireo_clock vireo_clock_monotonic;

/* CLOCK_REALTIME (UTC) in nanoseconds since 1970: the RTC's starting time. */
int64_t vireo_clock_utc_ns(void);

/*
 * A one-shot timer the monitor implements (a timerfd with
 * TFD_TIMER_ABSTIME on the same clock).  The device calls arm() with an
 * absolute deadline in its clock's time, or VIREO_TIMER_OFF, with its lock
 * held; arming again replaces the previous deadline.  When the deadline
 * passes the monitor calls the device's vireo_<dev>_timer().  Calling that
 * early or late is harmless: the device works from the clock, the timer
 * only tells it when to look.  arm may be NULL (no interrupts from time).
 */
#define VIREO_TIMER_OFF UINT64_MAX
struct vireo_timer {
	void (*arm)(void *opaque, uint64_t deadline_ns);
	void *opaque;
};

/*
 * For 8-bit devices: perform a size-byte access as size byte accesses to
 * consecutive ports (as the ISA bus does), through byte_fn.  Ports past
 * len read as 0xff and ignore writes.
 */
int vireo_hw_pio_bytes(void *dev, uint16_t port_offset, unsigned int len, unsigned int size,
		       bool is_write, uint32_t *data,
		       void (*byte_fn)(void *dev, uint16_t port_offset, bool is_write,
				       uint8_t *byte));

/* BCD conversions as the RTC and PIT count them. */
static inline uint8_t vireo_bin_to_bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

static inline unsigned int vireo_bcd_to_bin(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

#endif /* VIREO_HW_HW_H */
