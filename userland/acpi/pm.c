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
	bool level = (pm->cnt & VIREO_PM1_SCI_EN) &&
		     (read_sts(pm) & pm->en & (VIREO_PM1_PWRBTN | VIREO_PM1_TMR));

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

/*
 * A write of the bytes in mask (bit i: byte i of the 16-bit register)
 * with value v, to the register at reg.  Returns true if the guest asked
 * for S5.
 */
static bool write_reg(struct vireo_pm *pm, unsigned int reg, uint16_t v, uint16_t mask)
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
		if ((v & mask & VIREO_PM1_SLP_EN) && typ == VIREO_PM_S5_SLP_TYP) {
			pm->poweroffs++;
			return true;
		}
		break;
	default:
		break;	/* the timer is read-only; the rest is reserved */
	}
	return false;
}

int vireo_pm_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		 uint32_t *data)
{
	struct vireo_pm *pm = dev;
	bool poweroff = false;
	unsigned int i, reg;
	uint64_t t;

	if ((size != 1 && size != 2 && size != 4) || port_offset >= VIREO_PM_PORTS ||
	    port_offset + size > VIREO_PM_PORTS) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	pthread_mutex_lock(&pm->lock);
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
		poweroff |= write_reg(pm, reg, v, mask);
	}
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	if (poweroff && pm->cfg.poweroff)
		pm->cfg.poweroff(pm->cfg.opaque);
	return 0;
}

void vireo_pm_press_power_button(struct vireo_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= VIREO_PM1_PWRBTN;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}
