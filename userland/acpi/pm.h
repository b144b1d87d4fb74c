/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI fixed-hardware power management block (ACPI 6.5 4.8 "ACPI
 * Hardware Features", registers in 4.8.3): PM1a event (status/enable),
 * PM1a control and the PM timer, at I/O ports base .. base + 0x0f (default
 * 0x600).  The FADT built by tables.c points at exactly these ports.
 *
 *   base + 0x00  PM1a_STS  16 bits, write 1 to clear
 *   base + 0x02  PM1a_EN   16 bits
 *   base + 0x04  PM1a_CNT  16 bits: SCI_EN, SLP_TYP, SLP_EN (write-only)
 *   base + 0x08  PM_TMR    32 bits read-only, 3.579545 MHz, 24 or 32 bits
 *   base + 0x0c-0x0f       reserved: reads all-ones, writes ignored
 *
 * What it does:
 *  - the power button is a fixed feature: vireo_pm_press_power_button()
 *    sets PWRBTN_STS; the SCI is asserted while (STS & EN) has PWRBTN or
 *    TMR set and SCI_EN is 1.  The SCI is level triggered, active high
 *    (MADT override for ISA IRQ 9): the device sets line VIREO_IRQ_SCI of
 *    the interrupt router (hw/irq.h) to follow it, or calls set_sci(opaque,
 *    level) when no router is given (tests, other wiring).
 *  - writing SLP_EN with SLP_TYP = the S5 value (VIREO_PM_S5_SLP_TYP, which
 *    the DSDT's \_S5 package carries) calls poweroff(opaque).
 *  - S3, suspend to RAM (ACPI 6.5 16.1.3, 7.4.2.4 \_S3): SLP_EN with
 *    SLP_TYP = VIREO_PM_S3_SLP_TYP, when the config has a suspend
 *    callback, puts the block to sleep and calls suspend(opaque): the
 *    machine stops its processors and keeps RAM and the devices.  Asleep,
 *    a wake event (the power button, 4.8.2.2.1, whatever PWRBTN_EN says;
 *    the RTC alarm while RTC_EN is set, 4.8.2.4 "Real Time Clock Alarm")
 *    sets its status bit and WAK_STS (4.8.3.1, table "PM1 Status
 *    Registers") and calls wake(opaque), once; the machine then
 *    restarts the processors at the FACS waking vector.  Other SLP_TYP
 *    values (S1, S2, S4, and S3 without a suspend callback) are ignored.
 *  - the SCI stays low from the S3 entry until the woken guest first
 *    touches the block: on a PC the interrupt controllers lose power in
 *    S3 and the OS reprograms them after the wake, so no SCI can reach it
 *    before; here the processors restart with their local APICs reset,
 *    and an SCI sent before that reset would be lost with the IOAPIC's
 *    remote IRR left set.  The OS clears the status bits it woke with.
 *  - the RTC alarm: vireo_pm_rtc_alarm() (the RTC calls it when its alarm
 *    raises IRQ 8) sets RTC_STS (4.8.3.1); with RTC_EN the SCI follows,
 *    or asleep, the wake.
 *  - the timer counts from the injected clock; TMR_STS is set when the
 *    counter's top bit has changed since it was last cleared, computed
 *    when PM1a_STS is read.  No timer raises the SCI asynchronously: Linux
 *    never enables TMR_EN (it uses the timer as a clocksource only).
 *  - SMI_CMD is 0 in the FADT (no legacy mode), so SCI_EN is 1 at reset.
 *
 * Accesses: any size 1, 2 or 4 at any offset, little-endian over the
 * registers above (a 4-byte access at base reads STS | EN << 16).
 *
 * Locking: one mutex per device.  The router (or set_sci) is called with
 * it held (lock order: rtc -> pm -> irq router -> ioapic/pic, as hw/hw.h
 * orders devices); poweroff and suspend are called without it and may do
 * anything, including calling back into the device.  wake may be called
 * with it held (and the RTC's, for an alarm): it must only signal.
 *
 * The monitor registers vireo_pm_desc (hw/hw.h) on its port bus.
 */
#ifndef VIREO_ACPI_PM_H
#define VIREO_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

struct vireo_irq_router;

#define VIREO_PM_BASE		0x600
#define VIREO_PM_PORTS		0x10
#define VIREO_PM1_STS		0x00
#define VIREO_PM1_EN		0x02
#define VIREO_PM1_CNT		0x04
#define VIREO_PM_TMR		0x08
#define VIREO_PM1_EVT_LEN	4
#define VIREO_PM1_CNT_LEN	2
#define VIREO_PM_TMR_LEN	4

#define VIREO_PM_TMR_HZ		3579545ULL
#define VIREO_PM_SCI_IRQ	9	/* ISA IRQ = GSI 9, FADT SCI_INT */
#define VIREO_PM_S5_SLP_TYP	5
#define VIREO_PM_S3_SLP_TYP	1	/* the DSDT's \_S3 */

/* PM1 status / enable bits (ACPI 6.5 tables 4.16, 4.17) */
#define VIREO_PM1_TMR		(1U << 0)
#define VIREO_PM1_BM_STS	(1U << 4)
#define VIREO_PM1_GBL		(1U << 5)
#define VIREO_PM1_PWRBTN	(1U << 8)
#define VIREO_PM1_SLPBTN	(1U << 9)
#define VIREO_PM1_RTC		(1U << 10)
#define VIREO_PM1_WAK_STS	(1U << 15)
#define VIREO_PM1_STS_MASK	(VIREO_PM1_TMR | VIREO_PM1_BM_STS | VIREO_PM1_GBL | \
				 VIREO_PM1_PWRBTN | VIREO_PM1_SLPBTN | VIREO_PM1_RTC | \
				 VIREO_PM1_WAK_STS)
/* Enable bits that do something here; the rest read back as written. */
#define VIREO_PM1_EN_MASK	(VIREO_PM1_TMR | VIREO_PM1_GBL | VIREO_PM1_PWRBTN | \
				 VIREO_PM1_SLPBTN | VIREO_PM1_RTC)

/* PM1 control bits (ACPI 6.5 table 4.18) */
#define VIREO_PM1_SCI_EN	(1U << 0)
#define VIREO_PM1_BM_RLD	(1U << 1)
#define VIREO_PM1_GBL_RLS	(1U << 2)
#define VIREO_PM1_SLP_TYP_SHIFT	10
#define VIREO_PM1_SLP_TYP_MASK	(7U << VIREO_PM1_SLP_TYP_SHIFT)
#define VIREO_PM1_SLP_EN	(1U << 13)

struct vireo_pm_config {
	uint16_t base;			/* 0: VIREO_PM_BASE */
	bool timer_32bit;		/* FADT TMR_VAL_EXT */
	/* Monotonic nanoseconds; NULL: CLOCK_MONOTONIC. */
	uint64_t (*now_ns)(void *opaque);
	/* The SCI: line VIREO_IRQ_SCI of irq; without a router, set_sci. */
	struct vireo_irq_router *irq;
	void (*set_sci)(void *opaque, bool level);
	void (*poweroff)(void *opaque);	/* the guest entered S5 */
	/* The guest entered S3 (NULL: no S3); a wake event ended it. */
	void (*suspend)(void *opaque);
	void (*wake)(void *opaque);
	void *opaque;
};

enum vireo_pm_sleep {
	VIREO_PM_AWAKE = 0,	/* working (S0) */
	VIREO_PM_ASLEEP,	/* in S3, waiting for a wake event */
	VIREO_PM_WAKING,	/* woken; the SCI waits for the guest's first access */
};

/* Legend: (i) set by init, then fixed; (l) guarded by lock. */
struct vireo_pm {
	struct vireo_pm_config cfg;	/* (i) */
	pthread_mutex_t lock;
	uint64_t start_ns;		/* (i) the timer's zero */
	uint16_t sts;			/* (l) PM1a_STS, TMR_STS excluded */
	uint16_t en;			/* (l) PM1a_EN */
	uint16_t cnt;			/* (l) PM1a_CNT, SLP_EN excluded */
	uint64_t tmr_epoch;		/* (l) timer top-bit changes at TMR_STS clear */
	bool sci;			/* (l) the level last given to set_sci */
	uint64_t poweroffs;		/* (l) S5 entries, for stats and tests */
	enum vireo_pm_sleep sleep;	/* (l) */
	uint64_t suspends, wakes;	/* (l) S3 entries and wake events */
};

extern const struct vireo_hw_desc vireo_pm_desc;

/* 0 or -errno (mutex). */
int vireo_pm_init(struct vireo_pm *pm, const struct vireo_pm_config *cfg);
void vireo_pm_fini(struct vireo_pm *pm);

/*
 * A port access, port_offset = port - base (0 .. VIREO_PM_PORTS - 1), size
 * 1, 2 or 4 (the hw/hw.h handler shape).  0, or -EINVAL for an offset or
 * size the monitor should not have sent (data is filled even then).
 */
int vireo_pm_pio(void *pm, uint16_t port_offset, unsigned int size, bool is_write,
		 uint32_t *data);

/* The power button: PWRBTN_STS, and the SCI if enabled, or the wake.  Thread-safe. */
void vireo_pm_press_power_button(struct vireo_pm *pm);

/*
 * The RTC's alarm raised its interrupt: RTC_STS, then the SCI or, asleep
 * with RTC_EN, the wake.  Thread-safe.
 */
void vireo_pm_rtc_alarm(struct vireo_pm *pm);

/* In S3 now (entered, no wake event yet). */
bool vireo_pm_asleep(struct vireo_pm *pm);

/* PM1a_STS as the guest would read it, without being an access (messages, tests). */
uint16_t vireo_pm_status(struct vireo_pm *pm);

/* The PM timer's value now (for tests and stats). */
uint32_t vireo_pm_timer(struct vireo_pm *pm);

#endif /* VIREO_ACPI_PM_H */
