/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal 16550 UART at 0x3f8-0x3ff: enough for a guest to print.
 * THR writes go to the output stream; LSR always reads "transmitter empty"
 * (0x60) so polling loops finish; the divisor latch (LCR.DLAB) is honoured
 * so that programming the baud rate prints nothing; all else reads 0.
 */
#ifndef VIREO_RUN_SERIAL_H
#define VIREO_RUN_SERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VIREO_SERIAL_BASE	0x3f8
#define VIREO_SERIAL_PORTS	8
#define VIREO_SERIAL_LSR_IDLE	0x60	/* THRE | TEMT */

struct vireo_serial {
	FILE *out;
	uint8_t lcr;
	uint64_t tx_bytes;
};

void vireo_serial_init(struct vireo_serial *s, FILE *out);

/* offset is port - VIREO_SERIAL_BASE (0-7); one byte per access. */
void vireo_serial_io(struct vireo_serial *s, unsigned int offset, bool is_write, uint32_t *data);

#endif /* VIREO_RUN_SERIAL_H */
