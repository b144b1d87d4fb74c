// SPDX-License-Identifier: GPL-2.0
/*
 * make fuzz's long run of the differential test (emu_diff.c): millions of
 * random cases from a fresh seed (or the one given), all families.
 *
 *   vireo-fuzz-emulate-diff [cases [seed]]
 *
 * Exit status 0 if every case matched, 1 on a mismatch (the first few are
 * described with the seed to replay), 77 if the host cannot run it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "emu_diff.h"

int main(int argc, char **argv)
{
	unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
	struct emu_diff_stats st;
	unsigned int f;
	int r;

	r = emu_diff_run(seed, cases, DIFF_ALL, 20, stderr, &st);
	if (r < 0) {
		fprintf(stderr, "emu_diff: host lacks AVX or the fixed mapping: skipped\n");
		return 77;
	}
	printf("emu_diff: seed 0x%" PRIx64 ": %lu cases, %lu host faults, %lu mismatches\n", seed,
	       st.cases, st.native_faults, st.mismatches);
	for (f = 0; f < DIFF_FAMILIES; f++)
		printf("  %-7s %lu\n", emu_diff_family_names[f], st.per_family[f]);
	return r ? 1 : 0;
}
