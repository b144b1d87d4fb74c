/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's host console: the guest's serial port on stdin/stdout.
 *
 * Output always goes to out_fd.  With --console, stdin feeds the UART's
 * receiver; a terminal is put in raw mode (restored at exit) so that the
 * guest sees every key, Ctrl-C included, and the monitor keeps an escape
 * for itself: Ctrl-A then
 *     x       quit (the machine stops as on SIGTERM)
 *     p       press the ACPI power button
 *     h, ?    print the escapes
 *     Ctrl-A  send one Ctrl-A to the guest
 * and any other byte after Ctrl-A goes to the guest as is.  The escape
 * works on any stdin (a pipe too), so scripts can use it.
 *
 * Input the UART cannot take yet waits in buf; the I/O loop stops reading
 * stdin while buf is full.  End of input stops reading, the guest runs on.
 */
#ifndef VIREO_RUN_PC_CONSOLE_H
#define VIREO_RUN_PC_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define VIREO_CONSOLE_ESCAPE	0x01	/* Ctrl-A */
#define VIREO_CONSOLE_BUF	4096

/* vireo_pc_console_input() results, a bit mask. */
#define VIREO_CONSOLE_QUIT	(1U << 0)
#define VIREO_CONSOLE_POWER	(1U << 1)
#define VIREO_CONSOLE_HELP	(1U << 2)

struct vireo_pc_console {
	bool input;		/* stdin feeds the guest (--console) */
	int in_fd, out_fd;
	bool raw;		/* the terminal was switched to raw mode */
	struct termios saved;
	bool eof;		/* in_fd reached its end or failed */
	bool escape;		/* the last byte was the escape */
	uint8_t buf[VIREO_CONSOLE_BUF];	/* input for the guest ... */
	size_t head, len;	/* ... from head, len bytes */
};

/* Set up (raw mode if input is on and in_fd is a terminal). 0 or -errno. */
int vireo_pc_console_init(struct vireo_pc_console *c, bool input, int in_fd, int out_fd);
/* Restore the terminal.  Safe to call twice. */
void vireo_pc_console_fini(struct vireo_pc_console *c);

/* Room for input in buf (bytes). */
size_t vireo_pc_console_room(const struct vireo_pc_console *c);

/*
 * n bytes typed (at most vireo_pc_console_room()): the guest's part goes
 * to buf, the escapes come back as VIREO_CONSOLE_* bits.
 */
unsigned int vireo_pc_console_input(struct vireo_pc_console *c, const uint8_t *in, size_t n);

/* Drop the first n bytes of buf (the UART took them). */
void vireo_pc_console_consume(struct vireo_pc_console *c, size_t n);

/* Write all of p to out_fd (retrying short writes); errors are dropped. */
void vireo_pc_console_write(struct vireo_pc_console *c, const void *p, size_t n);

/* The escapes' help text, "\r\n" line ends (the terminal is raw). */
extern const char vireo_pc_console_help[];

#endif /* VIREO_RUN_PC_CONSOLE_H */
