/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Motorola MC146818 real-time clock and CMOS RAM: index port 0x70 (bit 7
 * is the NMI mask, kept and otherwise ignored), data port 0x71, 128 bytes,
 * interrupt line 8.
 *
 * Time: seconds to 0x00, minutes 0x02, hours 0x04 (12- or 24-hour), day
 * of week 0x06 (1 = Sunday), date 0x07, month 0x08, year 0x09, and the
 * century at 0x32 (what the FADT's CENTURY field must name), in BCD or
 * binary as register B says.  The clock starts at the UTC time given to
 * init and runs on the injected clock; the guest may set it (SET bit, or
 * a write while running, or the divider reset Linux uses).  Changing the
 * format bits of register B while running shows the same time in the new
 * format (the chip would keep the old bytes); daylight saving (DSE) is
 * ignored.  Alarm registers 0x01, 0x03, 0x05 with "don't care" values
 * 0xc0-0xff.
 *
 * Registers A-D: UIP is set during the last 244 us before each update;
 * DV = 11x holds the divider in reset (time stops, the first update comes
 * 500 ms after release); RS selects the periodic rate (256 Hz .. 2 Hz).
 * Register C's flags PF, AF, UF are set whether enabled or not; IRQF and
 * the interrupt line follow (PF.PIE | AF.AIE | UF.UIE); reading C clears
 * them and lowers the line.  D reads 0x80 (valid RAM and time).
 *
 * As for the PIT, nothing runs in the background: the flags are brought
 * up to date from the clock at every access, and the RTC arms the
 * injected timer for the next update or periodic edge only while such an
 * interrupt is enabled and the line is low; the monitor then calls
 * vireo_rtc_timer().  An alarm is checked at the latest update only, so a
 * timer late by more than a second can miss an alarm second.
 *
 * CMOS bytes 0x0e-0x7f are plain RAM; vireo_rtc_set_memory() fills in the
 * memory size bytes firmware reads (0x15-0x18, 0x30-0x31, 0x34-0x35,
 * 0x5b-0x5d) and the checksum at 0x2e-0x2f.
 */
#ifndef VIREO_HW_RTC_H
#define VIREO_HW_RTC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define VIREO_RTC_BASE		0x70
#define VIREO_RTC_PORTS		2
#define VIREO_RTC_CMOS_SIZE	128
#define VIREO_RTC_CENTURY	0x32

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_rtc {
	pthread_mutex_t lock;
	struct vireo_irq_router *irq;		/* (i) */
	unsigned int line;			/* (i) */
	struct vireo_clock clock;		/* (i) */
	struct vireo_timer timer;		/* (i) */
	uint8_t index;				/* (l) port 0x70 bits 6:0 */
	bool nmi_masked;			/* (l) port 0x70 bit 7 */
	uint8_t cmos[VIREO_RTC_CMOS_SIZE];	/* (l) RAM; time bytes only while halted */
	uint8_t reg_a, reg_b, reg_c;		/* (l) */
	bool halted;				/* (l) SET or divider reset: no updates */
	/*
	 * (l) While running, the time at clock time t is epoch_sec plus the
	 * whole seconds since phase_ns; updates happen at phase_ns + k s.
	 */
	int64_t epoch_sec;
	int64_t phase_ns;
	int64_t last_ns;			/* (l) flags are up to date to here */
	bool irq_level;				/* (l) */
	bool alarm_irq;				/* (l) AF.AIE as last seen */
	/* (i) called, with the lock held, when AF.AIE becomes true */
	void (*alarm_hook)(void *opaque);
	void *alarm_opaque;			/* (i) */
	uint64_t armed;				/* (l) */
	uint64_t irqs;				/* (l) interrupts raised */
};

extern const struct vireo_hw_desc vireo_rtc_desc;

/*
 * utc_ns: the UTC time (nanoseconds since 1970) that corresponds to the
 * clock's present reading, vireo_clock_utc_ns() in production.  Power-on
 * registers: A 0x26, B 0x02 (24-hour, BCD), C 0, D 0x80.
 */
int vireo_rtc_init(struct vireo_rtc *rtc, struct vireo_irq_router *irq, unsigned int line,
		   struct vireo_clock clock, struct vireo_timer timer, int64_t utc_ns);
void vireo_rtc_fini(struct vireo_rtc *rtc);

/* Ports 0x70-0x71 (offsets 0-1); dev is the rtc. */
int vireo_rtc_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data);

/*
 * The alarm's wake path (the ACPI PM block's RTC_STS, acpi/pm.h): hook is
 * called with the RTC's lock held each time the alarm flag and its
 * enable (AF.AIE) together assert the interrupt; it may take locks after
 * the RTC's in hw/hw.h's order and must not call back into the RTC.
 * Before the vCPUs run.
 */
void vireo_rtc_set_alarm_hook(struct vireo_rtc *rtc, void (*hook)(void *opaque), void *opaque);

/* The armed timer expired. */
void vireo_rtc_timer(struct vireo_rtc *rtc);

/* CMOS RAM (0x0e-0x7f; other indices are ignored / read 0) from the monitor. */
void vireo_rtc_cmos_set(struct vireo_rtc *rtc, unsigned int index, uint8_t value);
uint8_t vireo_rtc_cmos_get(struct vireo_rtc *rtc, unsigned int index);

/* The memory size bytes for RAM below and above 4 GiB, and the checksum. */
void vireo_rtc_set_memory(struct vireo_rtc *rtc, uint64_t below_4g, uint64_t above_4g);

/* The RTC's present time as seconds since 1970 (tests, logging). */
int64_t vireo_rtc_time(struct vireo_rtc *rtc);

#endif /* VIREO_HW_RTC_H */
