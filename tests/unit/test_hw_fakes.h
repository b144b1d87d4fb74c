/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fakes shared by the device-model tests (test_hw_*.c): an MSI recorder,
 * a clock the test advances, a timer that remembers its deadline, port
 * accessors over a handler, and a deterministic random generator for the
 * robustness tests.  Header-only so each test file stays self-contained.
 */
#ifndef VIREO_TEST_HW_FAKES_H
#define VIREO_TEST_HW_FAKES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hw/hw.h"
#include "hw/irq.h"

#define FAKE_MSI_MAX 64

struct fake_msi {
	unsigned int n;			/* messages seen (recorded: the first 64) */
	uint64_t address[FAKE_MSI_MAX];
	uint32_t data[FAKE_MSI_MAX];
	int accept;			/* what the callback returns */
};

/* Callable from several threads at once (the IOAPIC and the PIC lock apart). */
static inline int fake_msi_fn(void *opaque, uint64_t address, uint32_t data)
{
	struct fake_msi *m = opaque;
	unsigned int i = __atomic_fetch_add(&m->n, 1, __ATOMIC_RELAXED);

	if (i < FAKE_MSI_MAX) {
		m->address[i] = address;
		m->data[i] = data;
	}
	return __atomic_load_n(&m->accept, __ATOMIC_RELAXED);
}

static inline void fake_msi_reset(struct fake_msi *m)
{
	memset(m, 0, sizeof(*m));
	m->accept = 1;
}

static inline uint8_t fake_msi_vector(const struct fake_msi *m, unsigned int i)
{
	return (uint8_t)m->data[i];
}

struct fake_clock {
	uint64_t now;
};

static inline uint64_t fake_clock_now(void *opaque)
{
	return ((struct fake_clock *)opaque)->now;
}

static inline struct vireo_clock fake_clock_of(struct fake_clock *c)
{
	return (struct vireo_clock){ fake_clock_now, c };
}

struct fake_timer {
	uint64_t deadline;		/* VIREO_TIMER_OFF when disarmed */
	unsigned int arms;
};

static inline void fake_timer_arm(void *opaque, uint64_t deadline)
{
	struct fake_timer *t = opaque;

	t->deadline = deadline;
	t->arms++;
}

static inline struct vireo_timer fake_timer_of(struct fake_timer *t)
{
	t->deadline = VIREO_TIMER_OFF;
	t->arms = 0;
	return (struct vireo_timer){ fake_timer_arm, t };
}

static inline void fake_out(vireo_pio_handler_fn fn, void *dev, uint16_t off, uint8_t v)
{
	uint32_t d = v;

	fn(dev, off, 1, true, &d);
}

static inline uint8_t fake_in(vireo_pio_handler_fn fn, void *dev, uint16_t off)
{
	uint32_t d = 0x5a5a5a5a;

	fn(dev, off, 1, false, &d);
	return (uint8_t)d;
}

/* xorshift64*: the same sequence on every run. */
static inline uint64_t fake_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * One random access through a handler: random offset within len (and a
 * few past it), size 1, 2 or 4 (and sometimes a bad one), random data.
 */
static inline void fake_random_pio(vireo_pio_handler_fn fn, void *dev, unsigned int len,
				   uint64_t *state)
{
	static const unsigned int sizes[] = { 1, 1, 1, 1, 2, 4, 3, 0 };
	uint64_t r = fake_rand(state);
	uint16_t off = (uint16_t)(r % (len + 2));
	unsigned int size = sizes[(r >> 16) & 7];
	uint32_t data = (uint32_t)(r >> 32);

	fn(dev, off, size, (r >> 20) & 1, &data);
}

#endif /* VIREO_TEST_HW_FAKES_H */
