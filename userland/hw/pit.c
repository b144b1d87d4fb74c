// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT model (pit.h).  Datasheet: Intel 231164, "8254 Programmable
 * Interval Timer".
 *
 * A counter's state is a function of "elapsed": the input clocks counted
 * since its counting element was loaded.  Counting pauses (modes 0 and 4,
 * gate low) fold the ticks so far into base_ticks.
 */
#include <errno.h>

#include "hw/pit.h"

#define NS_PER_SEC	1000000000ULL
#define REFRESH_NS	15085ULL	/* port B bit 4 half period */

#define CW_SC(v)	((v) >> 6)
#define CW_RW(v)	(((v) >> 4) & 3)
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_BCD		0x01
#define SC_READBACK	3
#define RB_NOT_COUNT	0x20
#define RB_NOT_STATUS	0x10
#define STATUS_OUT	0x80
#define STATUS_NULL	0x40

#define PORT_B_GATE2	0x01
#define PORT_B_RW	0x0f
#define PORT_B_REFRESH	0x10
#define PORT_B_OUT2	0x20

static const struct vireo_hw_pio_range pit_pio[] = {
	{ VIREO_PIT_BASE, VIREO_PIT_PORTS, vireo_pit_pio },
	{ VIREO_PIT_PORT_B, 1, vireo_pit_port_b },
};

const struct vireo_hw_desc vireo_pit_desc = {
	.name = "pit",
	.pio = pit_pio,
	.nr_pio = 2,
	.line = VIREO_IRQ_PIT,
};

static uint64_t now(struct vireo_pit *pit)
{
	return pit->clock.now_ns(pit->clock.opaque);
}

static uint64_t ticks_between(uint64_t from, uint64_t to)
{
	if (to <= from)
		return 0;
	return (uint64_t)((unsigned __int128)(to - from) * VIREO_PIT_HZ / NS_PER_SEC);
}

static uint64_t elapsed(const struct vireo_pit_counter *c, uint64_t t)
{
	return c->base_ticks + (c->running ? ticks_between(c->start_ns, t) : 0);
}

/* When the counter reaches elapsed tick: the clock time of that edge. */
static uint64_t time_of_tick(const struct vireo_pit_counter *c, uint64_t tick)
{
	unsigned __int128 ns;

	if (tick <= c->base_ticks)
		return c->start_ns;
	ns = ((unsigned __int128)(tick - c->base_ticks) * NS_PER_SEC + VIREO_PIT_HZ - 1) /
	     VIREO_PIT_HZ;
	ns += c->start_ns;
	return ns >= VIREO_TIMER_OFF ? VIREO_TIMER_OFF - 1 : (uint64_t)ns;
}

static uint32_t modulus(const struct vireo_pit_counter *c)
{
	return c->bcd ? 10000 : 0x10000;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
			  (v % 10));
}

static void set_running(struct vireo_pit_counter *c, uint64_t t, bool on)
{
	if (on == c->running)
		return;
	if (on)
		c->start_ns = t;
	else
		c->base_ticks = elapsed(c, t);
	c->running = on;
}

/* The counting element's value in binary (before any BCD encoding). */
static uint32_t count_value(const struct vireo_pit_counter *c, uint64_t t)
{
	uint32_t n = c->reload, mod = modulus(c);
	uint64_t d;

	if (!c->loaded)
		return c->frozen;
	d = elapsed(c, t);
	switch (c->mode) {
	case 2:
		return (uint32_t)(n - d % n) % mod;
	case 3:
		/* Counts down by two, twice per period. */
		return (uint32_t)(n - (2 * (d % n)) % n) % mod;
	default:
		return (uint32_t)((n + mod - d % mod) % mod);
	}
}

static uint16_t count_read(const struct vireo_pit_counter *c, uint64_t t)
{
	uint32_t v = count_value(c, t);

	return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static bool out_level(const struct vireo_pit_counter *c, uint64_t t)
{
	uint32_t n = c->reload;
	uint64_t d;

	if (!c->loaded)
		return c->mode != 0;	/* mode 0 starts low, the others high */
	d = elapsed(c, t);
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		return !c->gate || d % n != n - 1;
	case 3:
		return !c->gate || d % n < (n + 1) / 2;
	default: /* 4, 5: low for the one clock at terminal count */
		return d != n;
	}
}

static bool null_count(struct vireo_pit_counter *c, uint64_t t)
{
	/* The count reaches the counting element at the first clock after loading. */
	if (c->null_count && c->loaded && elapsed(c, t) > 0)
		c->null_count = false;
	return c->null_count;
}

/* Load the count register into the counting element and start. */
static void start(struct vireo_pit_counter *c, uint64_t t)
{
	c->loaded = true;
	c->base_ticks = 0;
	c->start_ns = t;
	c->running = c->gate || c->mode == 1 || c->mode == 5;
	c->irq_done = 0;
}

static void load_count(struct vireo_pit_counter *c, uint16_t raw, uint64_t t)
{
	uint32_t n = raw;

	if (c->bcd) {
		n = vireo_bcd_to_bin((uint8_t)(raw >> 8)) * 100 + vireo_bcd_to_bin((uint8_t)raw);
		if (n > 10000)
			n = 10000;	/* not BCD: the hardware's result is undefined */
	}
	c->reload = n ? n : modulus(c);
	c->reload_valid = true;
	c->null_count = true;
	/* Modes 1 and 5 wait for a gate trigger; the others load now. */
	if (c->mode != 1 && c->mode != 5)
		start(c, t);
}

static void control_word(struct vireo_pit_counter *c, uint8_t v, uint64_t t)
{
	unsigned int mode = CW_MODE(v);

	c->frozen = (uint16_t)count_value(c, t);
	c->rw = CW_RW(v);
	c->mode = (uint8_t)(mode >= 6 ? mode - 4 : mode);
	c->bcd = v & CW_BCD;
	c->frozen %= modulus(c);
	c->loaded = false;
	c->running = false;
	c->reload_valid = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->latch_left = 0;
	c->status_latched = false;
	c->irq_done = 0;
}

static void latch_count(struct vireo_pit_counter *c, uint64_t t)
{
	if (c->latch_left)
		return;	/* the first latch holds until read */
	c->latch = count_read(c, t);
	c->latch_left = c->rw == 3 ? 2 : 1;
}

static void latch_status(struct vireo_pit_counter *c, uint64_t t)
{
	if (c->status_latched)
		return;
	c->status = (out_level(c, t) ? STATUS_OUT : 0) | (null_count(c, t) ? STATUS_NULL : 0) |
		    c->rw << 4 | c->mode << 1 | (c->bcd ? CW_BCD : 0);
	c->status_latched = true;
}

static void set_gate(struct vireo_pit_counter *c, bool level, uint64_t t)
{
	if (level == c->gate)
		return;
	c->gate = level;
	switch (c->mode) {
	case 0:
	case 4:
		/* Gate low suspends counting. */
		if (c->loaded)
			set_running(c, t, level);
		break;
	case 2:
	case 3:
		/* Low stops counting (OUT high); the rising edge reloads. */
		if (level && c->reload_valid)
			start(c, t);
		else if (!level && c->loaded)
			set_running(c, t, false);
		break;
	default:
		/* 1, 5: the rising edge triggers (again). */
		if (level && c->reload_valid)
			start(c, t);
		break;
	}
}

/*
 * Counter 0's next rising OUT edge, as an elapsed tick; UINT64_MAX if
 * none is coming.  Rising edges: mode 0 and 1 at terminal count, 2 and 3
 * at every period end, 4 and 5 one clock after terminal count.
 */
static uint64_t next_edge(const struct vireo_pit_counter *c)
{
	if (!c->loaded || !c->running)
		return UINT64_MAX;
	switch (c->mode) {
	case 2:
	case 3:
		return (c->irq_done + 1) * c->reload;
	case 0:
	case 1:
		return c->irq_done ? UINT64_MAX : c->reload;
	default:
		return c->irq_done ? UINT64_MAX : (uint64_t)c->reload + 1;
	}
}

/* Raise counter 0's due interrupt and arm the timer for the next.  Lock held. */
static void irq_update(struct vireo_pit *pit, uint64_t t)
{
	struct vireo_pit_counter *c = &pit->ctr[0];
	uint64_t edge = next_edge(c), deadline = VIREO_TIMER_OFF;

	if (edge != UINT64_MAX && elapsed(c, t) >= edge) {
		bool periodic = c->mode == 2 || c->mode == 3;

		/* Edges a late timer missed coalesce into this one. */
		c->irq_done = periodic ? elapsed(c, t) / c->reload : 1;
		vireo_irq_pulse(pit->irq, pit->line);
		pit->irqs++;
		edge = next_edge(c);
	}
	if (edge != UINT64_MAX) {
		deadline = time_of_tick(c, edge);
		if ((c->mode == 2 || c->mode == 3) && deadline < t + VIREO_PIT_MIN_PERIOD_NS)
			deadline = t + VIREO_PIT_MIN_PERIOD_NS;
	}
	if (deadline != pit->armed && pit->timer.arm) {
		pit->armed = deadline;
		pit->timer.arm(pit->timer.opaque, deadline);
	}
}

static void write_counter(struct vireo_pit_counter *c, uint8_t v, uint64_t t)
{
	switch (c->rw) {
	case 1:
		load_count(c, v, t);
		break;
	case 2:
		load_count(c, (uint16_t)(v << 8), t);
		break;
	case 3:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			/* Mode 0: the first byte stops counting, OUT goes low. */
			if (c->mode == 0) {
				c->frozen = (uint16_t)count_value(c, t);
				c->loaded = false;
				c->running = false;
			}
			break;
		}
		c->write_msb = false;
		load_count(c, (uint16_t)(c->write_lsb | v << 8), t);
		break;
	default:
		break;	/* no access mode programmed yet */
	}
}

static uint8_t read_counter(struct vireo_pit_counter *c, uint64_t t)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		bool msb = c->rw == 2 || (c->rw == 3 && c->latch_left == 1);

		c->latch_left--;
		return msb ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
	}
	v = count_read(c, t);
	switch (c->rw) {
	case 2:
		return (uint8_t)(v >> 8);
	case 3:
		c->read_msb = !c->read_msb;
		return c->read_msb ? (uint8_t)v : (uint8_t)(v >> 8);
	default:
		return (uint8_t)v;
	}
}

static void pit_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_pit *pit = dev;
	uint64_t t = now(pit);
	uint8_t v = *byte;
	unsigned int i;

	if (port_offset < 3) {
		struct vireo_pit_counter *c = &pit->ctr[port_offset];

		if (is_write)
			write_counter(c, v, t);
		else
			*byte = read_counter(c, t);
		if (port_offset == 0 && is_write)
			irq_update(pit, t);
		return;
	}
	if (!is_write) {
		*byte = 0xff;	/* the control word register is write-only */
		return;
	}
	if (CW_SC(v) == SC_READBACK) {
		for (i = 0; i < 3; i++) {
			if (!(v & (2U << i)))
				continue;
			if (!(v & RB_NOT_STATUS))
				latch_status(&pit->ctr[i], t);
			if (!(v & RB_NOT_COUNT))
				latch_count(&pit->ctr[i], t);
		}
		return;
	}
	if (CW_RW(v) == 0) {
		latch_count(&pit->ctr[CW_SC(v)], t);
		return;
	}
	control_word(&pit->ctr[CW_SC(v)], v, t);
	if (CW_SC(v) == 0)
		irq_update(pit, t);
}

int vireo_pit_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_pit *pit = dev;
	int ret;

	pthread_mutex_lock(&pit->lock);
	ret = vireo_hw_pio_bytes(pit, port_offset, VIREO_PIT_PORTS, size, is_write, data,
				 pit_byte);
	pthread_mutex_unlock(&pit->lock);
	return ret;
}

static void port_b_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_pit *pit = dev;
	struct vireo_pit_counter *c2 = &pit->ctr[2];
	uint64_t t = now(pit);

	(void)port_offset;
	if (is_write) {
		pit->port_b = *byte & PORT_B_RW;
		set_gate(c2, *byte & PORT_B_GATE2, t);
		return;
	}
	*byte = pit->port_b | ((t / REFRESH_NS) & 1 ? PORT_B_REFRESH : 0) |
		(out_level(c2, t) ? PORT_B_OUT2 : 0);
}

int vireo_pit_port_b(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		     uint32_t *data)
{
	struct vireo_pit *pit = dev;
	int ret;

	pthread_mutex_lock(&pit->lock);
	ret = vireo_hw_pio_bytes(pit, port_offset, 1, size, is_write, data, port_b_byte);
	pthread_mutex_unlock(&pit->lock);
	return ret;
}

void vireo_pit_timer(struct vireo_pit *pit)
{
	pthread_mutex_lock(&pit->lock);
	irq_update(pit, now(pit));
	pthread_mutex_unlock(&pit->lock);
}

static void power_on(struct vireo_pit_counter *c, uint8_t control, uint16_t count, bool gate,
		     uint64_t t)
{
	*c = (struct vireo_pit_counter){ 0 };
	c->gate = gate;
	control_word(c, control, t);
	load_count(c, count, t);
}

int vireo_pit_init(struct vireo_pit *pit, struct vireo_irq_router *irq, unsigned int line,
		   struct vireo_clock clock, struct vireo_timer timer)
{
	uint64_t t;

	pit->irq = irq;
	pit->line = line;
	pit->clock = clock;
	pit->timer = timer;
	pit->port_b = 0;
	pit->armed = VIREO_TIMER_OFF;
	pit->irqs = 0;
	t = now(pit);
	power_on(&pit->ctr[0], 0x36, 0, true, t);	/* LSB+MSB, mode 3 */
	power_on(&pit->ctr[1], 0x74, 18, true, t);	/* LSB+MSB, mode 2 */
	power_on(&pit->ctr[2], 0xb6, 0, false, t);	/* LSB+MSB, mode 3 */
	irq_update(pit, t);
	return -pthread_mutex_init(&pit->lock, NULL);
}

void vireo_pit_fini(struct vireo_pit *pit)
{
	if (pit->timer.arm && pit->armed != VIREO_TIMER_OFF)
		pit->timer.arm(pit->timer.opaque, VIREO_TIMER_OFF);
	pthread_mutex_destroy(&pit->lock);
}
