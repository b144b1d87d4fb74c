/* SPDX-License-Identifier: GPL-2.0 */
/* --stats: exit counts by reason and accesses nothing claimed. */
#ifndef VIREO_RUN_STATS_H
#define VIREO_RUN_STATS_H

#include <stdint.h>
#include <stdio.h>

#define VIREO_STATS_REASONS	16	/* > every enum vireo_exit_reason */

struct vireo_stats {
	uint64_t exits[VIREO_STATS_REASONS + 1];	/* last: out of range */
	uint64_t string_io;
	uint64_t unhandled_pio_reads, unhandled_pio_writes;
	uint64_t unhandled_mmio_reads, unhandled_mmio_writes;
	uint64_t unknown_msrs;
	uint64_t injected_irqs;
};

void vireo_stats_exit(struct vireo_stats *st, uint32_t reason);
void vireo_stats_print(const struct vireo_stats *st, FILE *f);

#endif /* VIREO_RUN_STATS_H */
