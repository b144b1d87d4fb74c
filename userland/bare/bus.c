// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run's device bus: which port, MMIO address or MSR goes where.
 * Anything unclaimed behaves like an empty ISA/PCI bus: reads all-ones,
 * writes vanish (counted for --stats); unknown MSRs #GP, as on hardware.
 */
#include <stdio.h>

#include "monitor.h"
#include "status.h"

void vireo_devices_init(struct vireo_monitor *m, FILE *out)
{
	if (!m->err)
		m->err = stderr;
	vireo_serial_init(&m->serial, out);
	vireo_mmio_test_init(&m->mmio_test, m->opts.mmio_test_gpa, out);
	m->msr_scratch = VIREO_MSR_SCRATCH_INIT;
}

int vireo_bus_pio(void *monitor, uint16_t port, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_monitor *m = monitor;
	uint32_t mask = size >= 4 ? 0xffffffffU : (1U << (8 * size)) - 1;

	if (port >= VIREO_SERIAL_BASE && port < VIREO_SERIAL_BASE + VIREO_SERIAL_PORTS) {
		vireo_serial_io(&m->serial, port - VIREO_SERIAL_BASE, is_write, data);
		*data &= mask;
		return 0;
	}
	if (port == VIREO_DEBUG_EXIT_PORT) {
		if (is_write) {
			/* Only the first exit counts, e.g. within a REP OUTS. */
			if (!m->done)
				m->status = (int)((((*data & mask) << 1) | 1) & 0xff);
			m->done = true;
		} else {
			*data = mask;
		}
		return 0;
	}
	if (is_write) {
		m->stats.unhandled_pio_writes++;
	} else {
		m->stats.unhandled_pio_reads++;
		*data = mask;
	}
	return 0;
}

int vireo_bus_mmio(void *monitor, uint64_t gpa, unsigned int size, bool is_write,
		   uint64_t *data)
{
	struct vireo_monitor *m = monitor;

	if (vireo_mmio_test_claims(&m->mmio_test, gpa)) {
		vireo_mmio_test_access(&m->mmio_test, gpa - m->mmio_test.base, size, is_write,
				       data);
		return 0;
	}
	if (is_write) {
		m->stats.unhandled_mmio_writes++;
	} else {
		m->stats.unhandled_mmio_reads++;
		*data = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	}
	return 0;
}

void vireo_bus_msr(struct vireo_monitor *m, struct vireo_exit_msr *msr)
{
	msr->error = 0;
	if (msr->index == VIREO_MSR_SCRATCH) {
		if (msr->is_write)
			m->msr_scratch = msr->data;
		else
			msr->data = m->msr_scratch;
		return;
	}
	m->stats.unknown_msrs++;
	msr->error = 1;
}
