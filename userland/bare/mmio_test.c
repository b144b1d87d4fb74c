// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO test device (mmio_test.h).  Modelled byte by byte: every byte of an
 * access is resolved on its own (scratch, ID, or nothing), which gives the
 * documented behaviour for any size and alignment, including accesses that
 * straddle register or region boundaries.
 */
#include <inttypes.h>
#include <string.h>

#include "mmio_test.h"

void vireo_mmio_test_init(struct vireo_mmio_test *dev, uint64_t base, FILE *out)
{
	memset(dev, 0, sizeof(*dev));
	dev->base = base;
	dev->out = out;
}

bool vireo_mmio_test_claims(const struct vireo_mmio_test *dev, uint64_t gpa)
{
	return gpa >= dev->base && gpa - dev->base < VIREO_MMIO_TEST_SIZE;
}

static uint8_t read_byte(const struct vireo_mmio_test *dev, uint64_t off)
{
	if (off < VIREO_MMIO_TEST_SCRATCH_SIZE)
		return dev->scratch[off];
	if (off >= VIREO_MMIO_TEST_ID && off < VIREO_MMIO_TEST_ID + 8)
		return (uint8_t)(VIREO_MMIO_TEST_ID_VALUE >> (8 * (off - VIREO_MMIO_TEST_ID)));
	if (off >= VIREO_MMIO_TEST_PRINT && off < VIREO_MMIO_TEST_PRINT + 8)
		return 0;
	return 0xff;
}

void vireo_mmio_test_access(struct vireo_mmio_test *dev, uint64_t offset, unsigned int size,
			    bool is_write, uint64_t *data)
{
	uint64_t v = 0;
	unsigned int i;

	if (size > 8)
		size = 8;
	if (is_write) {
		uint64_t value = size == 8 ? *data : *data & ((1ULL << (8 * size)) - 1);

		if (offset == VIREO_MMIO_TEST_PRINT) {
			fprintf(dev->out, "mmio: %u %" PRIx64 "\n", size, value);
			fflush(dev->out);
			return;
		}
		for (i = 0; i < size; i++) {
			if (offset + i < VIREO_MMIO_TEST_SCRATCH_SIZE)
				dev->scratch[offset + i] = (uint8_t)(value >> (8 * i));
		}
		return;
	}
	for (i = 0; i < size; i++)
		v |= (uint64_t)read_byte(dev, offset + i) << (8 * i);
	*data = v;
}
