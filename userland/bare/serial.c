// SPDX-License-Identifier: GPL-2.0
/*
 * 16550 UART stub (serial.h).  Output is flushed at every newline so that
 * a test reading the guest's output line by line sees each line as soon as
 * the guest writes it, even if vireo-run is then killed.
 */
#include "serial.h"

#define UART_THR 0	/* transmit holding (DLAB=0) / divisor low (DLAB=1) */
#define UART_LCR 3
#define UART_LSR 5
#define UART_LCR_DLAB 0x80

void vireo_serial_init(struct vireo_serial *s, FILE *out)
{
	s->out = out;
	s->lcr = 0;
	s->tx_bytes = 0;
}

void vireo_serial_io(struct vireo_serial *s, unsigned int offset, bool is_write, uint32_t *data)
{
	if (!is_write) {
		*data = offset == UART_LSR ? VIREO_SERIAL_LSR_IDLE : 0;
		return;
	}
	if (offset == UART_LCR) {
		s->lcr = (uint8_t)*data;
	} else if (offset == UART_THR && !(s->lcr & UART_LCR_DLAB)) {
		char c = (char)(*data & 0xff);

		fputc(c, s->out);
		if (c == '\n')
			fflush(s->out);
		s->tx_bytes++;
	}
}
