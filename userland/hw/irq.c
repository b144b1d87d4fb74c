// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt router (irq.h): the OR of each line's sources, forwarded
 * to the IOAPIC and the PIC only when the line's level changes, so that
 * the controllers see real edges.
 */
#include <errno.h>

#include "hw/ioapic.h"
#include "hw/irq.h"
#include "hw/pic.h"

int vireo_irq_router_init(struct vireo_irq_router *r, struct vireo_ioapic *ioapic,
			  struct vireo_pic *pic)
{
	unsigned int i;

	r->ioapic = ioapic;
	r->pic = pic;
	for (i = 0; i < VIREO_IRQ_LINES; i++) {
		r->sources[i] = 0;
		r->raised[i] = 0;
	}
	return -pthread_mutex_init(&r->lock, NULL);
}

void vireo_irq_router_fini(struct vireo_irq_router *r)
{
	pthread_mutex_destroy(&r->lock);
}

unsigned int vireo_irq_gsi(unsigned int line)
{
	return line == VIREO_IRQ_PIT ? 2 : line;
}

static bool line_valid(unsigned int gsi)
{
	return gsi < VIREO_IRQ_LINES && gsi != VIREO_IRQ_CASCADE;
}

/* Called with r->lock held, only when the line's level changed. */
static void forward(struct vireo_irq_router *r, unsigned int gsi, bool level)
{
	if (level)
		r->raised[gsi]++;
	if (r->ioapic)
		vireo_ioapic_set_irq(r->ioapic, vireo_irq_gsi(gsi), level);
	if (r->pic && gsi < VIREO_IRQ_ISA_LINES)
		vireo_pic_set_irq(r->pic, gsi, level);
}

int vireo_irq_set_source(struct vireo_irq_router *r, unsigned int gsi, unsigned int source,
			 bool level)
{
	uint32_t old, bit;

	if (!line_valid(gsi) || source >= VIREO_IRQ_SOURCES)
		return -EINVAL;
	bit = 1U << source;
	pthread_mutex_lock(&r->lock);
	old = r->sources[gsi];
	if (level)
		r->sources[gsi] |= bit;
	else
		r->sources[gsi] &= ~bit;
	if (!old != !r->sources[gsi])
		forward(r, gsi, level);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

int vireo_irq_set(struct vireo_irq_router *r, unsigned int gsi, bool level)
{
	return vireo_irq_set_source(r, gsi, 0, level);
}

int vireo_irq_pulse(struct vireo_irq_router *r, unsigned int gsi)
{
	if (!line_valid(gsi))
		return -EINVAL;
	/*
	 * Both halves under one lock hold, so no other change splits them.
	 * A line some source holds up has no edge to give.
	 */
	pthread_mutex_lock(&r->lock);
	if (!r->sources[gsi]) {
		forward(r, gsi, true);
		forward(r, gsi, false);
	}
	pthread_mutex_unlock(&r->lock);
	return 0;
}

bool vireo_irq_level(struct vireo_irq_router *r, unsigned int gsi)
{
	bool level;

	if (gsi >= VIREO_IRQ_LINES)
		return false;
	pthread_mutex_lock(&r->lock);
	level = r->sources[gsi] != 0;
	pthread_mutex_unlock(&r->lock);
	return level;
}

uint64_t vireo_irq_raised(struct vireo_irq_router *r, unsigned int gsi)
{
	uint64_t n;

	if (gsi >= VIREO_IRQ_LINES)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->raised[gsi];
	pthread_mutex_unlock(&r->lock);
	return n;
}
