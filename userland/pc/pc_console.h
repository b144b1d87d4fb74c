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
 *
 * The console socket (--console-socket PATH, what `vireo console` attaches
 * to): a UNIX stream socket for one client at a time.  A client is greeted
 * with the line "VIREO-CONSOLE ok\n" (or "VIREO-CONSOLE busy\n" and closed
 * when another is attached), then the last VIREO_CONSOLE_BACKLOG bytes the
 * serial port printed (kept whether or not anyone is attached, so that the
 * client sees the prompt it attaches to), then everything it prints from
 * then on, and what it sends goes to the UART as typed: no escapes
 * (the client keeps its own detach key).  Output goes to out_fd whether a
 * client is attached or not, so serial.log stays whole; a client that does
 * not read loses output rather than stall the guest.  The writers are the
 * vCPU threads (uart_tx), hence client_lock; the main thread accepts,
 * reads and detaches.
 */
#ifndef VIREO_RUN_PC_CONSOLE_H
#define VIREO_RUN_PC_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#define VIREO_CONSOLE_ESCAPE	0x01	/* Ctrl-A */
#define VIREO_CONSOLE_BUF	4096
#define VIREO_CONSOLE_BACKLOG	4096

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

	/* The console socket; -1 when there is none / nobody attached. */
	int listen_fd;
	char *listen_path;	/* unlinked by fini */
	pthread_mutex_t client_lock;	/* client_fd and the backlog against the writers */
	int client_fd;
	/* The last output, a ring: replayed to a client that attaches. */
	uint8_t backlog[VIREO_CONSOLE_BACKLOG];
	size_t backlog_end;	/* where the next byte goes */
	bool backlog_full;	/* it wrapped: all of it is output */
};

#define VIREO_CONSOLE_GREETING_OK	"VIREO-CONSOLE ok\n"
#define VIREO_CONSOLE_GREETING_BUSY	"VIREO-CONSOLE busy\n"

/* Set up (raw mode if input is on and in_fd is a terminal). 0 or -errno. */
int vireo_pc_console_init(struct vireo_pc_console *c, bool input, int in_fd, int out_fd);
/* Restore the terminal, close and remove the console socket.  Safe to
 * call twice. */
void vireo_pc_console_fini(struct vireo_pc_console *c);

/*
 * Serve the console socket at path (a stale socket file there is replaced:
 * the machine lock says no other monitor runs; a missing last directory is
 * made, mode 0700).  0 or -errno.
 */
int vireo_pc_console_listen(struct vireo_pc_console *c, const char *path);

/*
 * A client is knocking at listen_fd: greet it.  Returns its fd when it is
 * now the attached client, -EBUSY when another one is (it was told and
 * closed), -EAGAIN when nobody was there, or -errno.
 */
int vireo_pc_console_accept(struct vireo_pc_console *c);

/*
 * Read what the attached client typed into buf (at most the room, raw:
 * no escapes).  The count, -EAGAIN, or 0 when the client left (it is then
 * detached).
 */
ssize_t vireo_pc_console_client_read(struct vireo_pc_console *c);

/* Let the attached client go (closes its fd). */
void vireo_pc_console_detach(struct vireo_pc_console *c);

/* Room for input in buf (bytes). */
size_t vireo_pc_console_room(const struct vireo_pc_console *c);

/*
 * n bytes typed (at most vireo_pc_console_room()): the guest's part goes
 * to buf, the escapes come back as VIREO_CONSOLE_* bits.
 */
unsigned int vireo_pc_console_input(struct vireo_pc_console *c, const uint8_t *in, size_t n);

/* Drop the first n bytes of buf (the UART took them). */
void vireo_pc_console_consume(struct vireo_pc_console *c, size_t n);

/* Write all of p to out_fd (retrying short writes; errors are dropped)
 * and, without waiting, to the attached client.  Any thread. */
void vireo_pc_console_write(struct vireo_pc_console *c, const void *p, size_t n);

/* The escapes' help text, "\r\n" line ends (the terminal is raw). */
extern const char vireo_pc_console_help[];

#endif /* VIREO_RUN_PC_CONSOLE_H */
