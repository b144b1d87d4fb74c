// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the device models (hw.h): the production clocks and
 * the byte-wise split of wide accesses to 8-bit devices.
 */
#include <errno.h>
#include <time.h>

#include "hw/hw.h"

uint64_t vireo_clock_monotonic_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const struct vireo_clock vireo_clock_monotonic = { vireo_clock_monotonic_ns, NULL };

int64_t vireo_clock_utc_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int vireo_hw_pio_bytes(void *dev, uint16_t port_offset, unsigned int len, unsigned int size,
		       bool is_write, uint32_t *data,
		       void (*byte_fn)(void *dev, uint16_t port_offset, bool is_write,
				       uint8_t *byte))
{
	uint32_t value = is_write ? *data : 0;
	unsigned int i;

	/* A monitor bug: no side effect, reads see a floating bus. */
	if ((size != 1 && size != 2 && size != 4) || port_offset >= len) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	for (i = 0; i < size; i++) {
		unsigned int port = port_offset + i;
		uint8_t byte = (uint8_t)(value >> (8 * i));

		if (port < len)
			byte_fn(dev, (uint16_t)port, is_write, &byte);
		else
			byte = 0xff;
		if (!is_write)
			value |= (uint32_t)byte << (8 * i);
	}
	if (!is_write)
		*data = value;
	return 0;
}
