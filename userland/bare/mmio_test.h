/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MMIO test device (--mmio-test GPA, 4 KiB, no RAM behind it), for
 * tests of the MMIO emulation path at every access width:
 *
 *   +0x000-0x0ff  scratch: a byte array read back as written.  Seen as
 *                 64-bit registers, a write of N bytes at offset o updates
 *                 bytes (o & 7) .. (o & 7) + N - 1 of the register at
 *                 o & ~7; an access that straddles two registers touches
 *                 both.
 *   +0x100-0x107  ID, read only: the little-endian bytes of
 *                 0x0123456789abcdef, sliced by offset and size
 *   +0x200        write: prints "mmio: <size> <value in hex>\n" to the
 *                 output; reads 0
 *   elsewhere     reads all-ones, writes ignored
 */
#ifndef VIREO_RUN_MMIO_TEST_H
#define VIREO_RUN_MMIO_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VIREO_MMIO_TEST_SIZE		0x1000
#define VIREO_MMIO_TEST_SCRATCH_SIZE	0x100
#define VIREO_MMIO_TEST_ID		0x100
#define VIREO_MMIO_TEST_ID_VALUE	0x0123456789abcdefULL
#define VIREO_MMIO_TEST_PRINT		0x200

struct vireo_mmio_test {
	uint64_t base;
	FILE *out;
	uint8_t scratch[VIREO_MMIO_TEST_SCRATCH_SIZE];
};

void vireo_mmio_test_init(struct vireo_mmio_test *dev, uint64_t base, FILE *out);

/* True if [gpa, gpa + size) starts inside the device. */
bool vireo_mmio_test_claims(const struct vireo_mmio_test *dev, uint64_t gpa);

/* An access of size 1, 2, 4 or 8 at offset from the device base. */
void vireo_mmio_test_access(struct vireo_mmio_test *dev, uint64_t offset, unsigned int size,
			    bool is_write, uint64_t *data);

#endif /* VIREO_RUN_MMIO_TEST_H */
