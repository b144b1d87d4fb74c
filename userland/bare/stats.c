// SPDX-License-Identifier: GPL-2.0
/* --stats counters (stats.h). */
#include <inttypes.h>

#include <libvireo.h>

#include "stats.h"

void vireo_stats_exit(struct vireo_stats *st, uint32_t reason)
{
	st->exits[reason < VIREO_STATS_REASONS ? reason : VIREO_STATS_REASONS]++;
}

void vireo_stats_print(const struct vireo_stats *st, FILE *f)
{
	uint64_t total = 0;
	unsigned int r;

	for (r = 0; r <= VIREO_STATS_REASONS; r++)
		total += st->exits[r];
	fprintf(f, "vireo-run: stats: %" PRIu64 " exits\n", total);
	for (r = 0; r <= VIREO_STATS_REASONS; r++) {
		if (!st->exits[r])
			continue;
		fprintf(f, "vireo-run: stats:   %-15s %" PRIu64 "\n",
			r < VIREO_STATS_REASONS ? vireo_exit_reason_name(r) : "(out of range)",
			st->exits[r]);
	}
	fprintf(f, "vireo-run: stats: string I/O exits %" PRIu64 ", interrupts injected %" PRIu64
		   "\n",
		st->string_io, st->injected_irqs);
	fprintf(f,
		"vireo-run: stats: unhandled port reads %" PRIu64 ", writes %" PRIu64
		"; unhandled MMIO reads %" PRIu64 ", writes %" PRIu64 "; unknown MSRs %" PRIu64
		"\n",
		st->unhandled_pio_reads, st->unhandled_pio_writes, st->unhandled_mmio_reads,
		st->unhandled_mmio_writes, st->unknown_msrs);
}
