// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM1a event/control blocks and the PM timer (contract in pm.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "acpi/pm.h"
#include "hw/irq.h"

static const struct vireo_hw_pio_range pm_ports = {
	.base = VIREO_PM_BASE, .len = VIREO_PM_PORTS, .handler = vireo_pm_pio,
};

const struct vireo_hw_desc vireo_pm_desc = {
	.name = "acpi-pm",
	.pio = &pm_ports,
	.nr_pio = 1,
	.line = VIREO_IRQ_SCI,
};

static uint64_t monotonic_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Ticks since init: 128-bit so that years of uptime cannot overflow. */
static uint64_t ticks(struct vireo_pm *pm)
{
	uint64_t ns = pm->cfg.now_ns(pm->cfg.opaque) - pm->start_ns;

	return (uint64_t)((unsigned __int128)ns * VIREO_PM_TMR_HZ / 1000000000ULL);
}

static unsigned int timer_bits(const struct vireo_pm *pm)
{
	return pm->cfg.timer_32bit ? 32 : 24;
}

/* How often the counter's top bit has changed since time 0. */
static uint64_t tmr_epoch(struct vireo_pm *pm)
{
	return ticks(pm) >> (timer_bits(pm) - 1);
}

static uint16_t read_sts(struct vireo_pm *pm)
{
	uint16_t sts = pm->sts;

	if (tmr_epoch(pm) != pm->tmr_epoch)
		sts |= VIREO_PM1_TMR;
	return sts;
}

/* Called with the lock held after anything that may change the SCI. */
static void update_sci(struct vireo_pm *pm)
{
	/* Low from the S3 entry to the woken guest's first access (pm.h). */
	bool level = pm->sleep == VIREO_PM_AWAKE && (pm->cnt & VIREO_PM1_SCI_EN) &&
		     (read_sts(pm) & pm->en &
		      (VIREO_PM1_PWRBTN | VIREO_PM1_TMR | VIREO_PM1_RTC));

	if (level == pm->sci)
		return;
	pm->sci = level;
	if (pm->cfg.irq)
		vireo_irq_set(pm->cfg.irq, VIREO_IRQ_SCI, level);
	else if (pm->cfg.set_sci)
		pm->cfg.set_sci(pm->cfg.opaque, level);
}

int vireo_pm_init(struct vireo_pm *pm, const struct vireo_pm_config *cfg)
{
	int ret;

	memset(pm, 0, sizeof(*pm));
	pm->cfg = *cfg;
	if (!pm->cfg.base)
		pm->cfg.base = VIREO_PM_BASE;
	if (!pm->cfg.now_ns)
		pm->cfg.now_ns = monotonic_ns;
	ret = pthread_mutex_init(&pm->lock, NULL);
	if (ret)
		return -ret;
	pm->start_ns = pm->cfg.now_ns(pm->cfg.opaque);
	pm->cnt = VIREO_PM1_SCI_EN;
	return 0;
}

void vireo_pm_fini(struct vireo_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

uint32_t vireo_pm_timer(struct vireo_pm *pm)
{
	uint64_t t;

	pthread_mutex_lock(&pm->lock);
	t = ticks(pm);
	pthread_mutex_unlock(&pm->lock);
	return (uint32_t)(pm->cfg.timer_32bit ? t : t & 0xffffff);
}

/* The byte at offset off of the register file, as a read sees it. */
static uint8_t read_byte(struct vireo_pm *pm, unsigned int off, uint64_t t)
{
	uint32_t v;

	switch (off & ~3U) {
	case VIREO_PM1_STS:
		v = read_sts(pm) | (uint32_t)pm->en << 16;
		break;
	case VIREO_PM1_CNT:
		v = pm->cnt;	/* SLP_EN reads 0; 0x06-0x07 reserved: 0 */
		break;
	case VIREO_PM_TMR:
		v = (uint32_t)(pm->cfg.timer_32bit ? t : t & 0xffffff);
		break;
	default:
		return 0xff;
	}
	return (uint8_t)(v >> (8 * (off & 3)));
}

/* What a PM1a_CNT write with SLP_EN asks the machine for. */
enum sleep_request {
	SLEEP_NONE = 0,
	SLEEP_S3,
	SLEEP_S5,
};

/*
 * A wake event while asleep (ACPI 6.5 4.8.3.1: WAK_STS "is set when the
 * system is in the sleeping state and an enabled wake event occurs"):
 * the status bit of the event is already set.  Lock held.
 */
static void wake_up(struct vireo_pm *pm)
{
	if (pm->sleep != VIREO_PM_ASLEEP)
		return;
	pm->sts |= VIREO_PM1_WAK_STS;
	pm->sleep = VIREO_PM_WAKING;
	pm->wakes++;
	if (pm->cfg.wake)
		pm->cfg.wake(pm->cfg.opaque);
}

/*
 * A write of the bytes in mask (bit i: byte i of the 16-bit register)
 * with value v, to the register at reg.  Returns the sleep state the
 * guest asked for, if it did.
 */
static enum sleep_request write_reg(struct vireo_pm *pm, unsigned int reg, uint16_t v,
				    uint16_t mask)
{
	uint16_t typ;

	switch (reg) {
	case VIREO_PM1_STS:
		/* Write 1 to clear; a cleared TMR_STS restarts its epoch. */
		if (v & mask & VIREO_PM1_TMR)
			pm->tmr_epoch = tmr_epoch(pm);
		pm->sts &= ~(v & mask);
		break;
	case VIREO_PM1_EN:
		pm->en = (uint16_t)((pm->en & ~mask) | (v & mask & VIREO_PM1_EN_MASK));
		break;
	case VIREO_PM1_CNT:
		/* SCI_EN stays 1: without SMI_CMD there is no legacy mode. */
		pm->cnt = (uint16_t)((pm->cnt & ~mask) | (v & mask & VIREO_PM1_SLP_TYP_MASK) |
				     VIREO_PM1_SCI_EN);
		typ = (pm->cnt & VIREO_PM1_SLP_TYP_MASK) >> VIREO_PM1_SLP_TYP_SHIFT;
		if (!(v & mask & VIREO_PM1_SLP_EN))
			break;
		if (typ == VIREO_PM_S5_SLP_TYP) {
			pm->poweroffs++;
			return SLEEP_S5;
		}
		if (typ == VIREO_PM_S3_SLP_TYP && pm->cfg.suspend) {
			pm->sleep = VIREO_PM_ASLEEP;
			pm->suspends++;
			return SLEEP_S3;
		}
		break;
	default:
		break;	/* the timer is read-only; the rest is reserved */
	}
	return SLEEP_NONE;
}

int vireo_pm_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		 uint32_t *data)
{
	struct vireo_pm *pm = dev;
	enum sleep_request req = SLEEP_NONE, r;
	unsigned int i, reg;
	uint64_t t;

	if ((size != 1 && size != 2 && size != 4) || port_offset >= VIREO_PM_PORTS ||
	    port_offset + size > VIREO_PM_PORTS) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	pthread_mutex_lock(&pm->lock);
	/* The woken guest is back: its interrupt controllers can take the SCI. */
	if (pm->sleep == VIREO_PM_WAKING) {
		pm->sleep = VIREO_PM_AWAKE;
		update_sci(pm);
	}
	if (!is_write) {
		t = ticks(pm);
		*data = 0;
		for (i = 0; i < size; i++)
			*data |= (uint32_t)read_byte(pm, port_offset + i, t) << (8 * i);
		if (size < 4)
			*data &= (1U << (8 * size)) - 1;
		pthread_mutex_unlock(&pm->lock);
		return 0;
	}
	/* Split the write over the 16-bit registers it touches. */
	for (reg = port_offset & ~1U; reg < port_offset + size; reg += 2) {
		uint16_t v = 0, mask = 0;

		for (i = 0; i < 2; i++) {
			unsigned int off = reg + i;

			if (off < port_offset || off >= port_offset + size)
				continue;
			v |= (uint16_t)(((*data >> (8 * (off - port_offset))) & 0xff) << (8 * i));
			mask |= (uint16_t)(0xff << (8 * i));
		}
		r = write_reg(pm, reg, v, mask);
		if (r > req)
			req = r;
	}
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	if (req == SLEEP_S5 && pm->cfg.poweroff)
		pm->cfg.poweroff(pm->cfg.opaque);
	else if (req == SLEEP_S3)
		pm->cfg.suspend(pm->cfg.opaque);
	return 0;
}

void vireo_pm_press_power_button(struct vireo_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= VIREO_PM1_PWRBTN;
	/* Asleep, the button wakes whatever PWRBTN_EN says (ACPI 6.5 4.8.2.2.1). */
	wake_up(pm);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

void vireo_pm_rtc_alarm(struct vireo_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= VIREO_PM1_RTC;
	/* RTC_EN decides both the SCI and the wake (ACPI 6.5 4.8.2.4). */
	if (pm->en & VIREO_PM1_RTC)
		wake_up(pm);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

uint16_t vireo_pm_status(struct vireo_pm *pm)
{
	uint16_t sts;

	pthread_mutex_lock(&pm->lock);
	sts = read_sts(pm);
	pthread_mutex_unlock(&pm->lock);
	return sts;
}

bool vireo_pm_asleep(struct vireo_pm *pm)
{
	bool asleep;

	pthread_mutex_lock(&pm->lock);
	asleep = pm->sleep == VIREO_PM_ASLEEP;
	pthread_mutex_unlock(&pm->lock);
	return asleep;
}
