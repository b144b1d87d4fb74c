/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the vireo-run --control suites: the server's replies and events read
 * from the control socket one newline-terminated line at a time, as a
 * script would.
 */
#ifndef VIREO_UNIT_TEST_LINE_READER_H
#define VIREO_UNIT_TEST_LINE_READER_H

#include <stddef.h>

struct test_line_reader {
	int fd;
	size_t len;		/* bytes in buf not yet returned */
	char buf[65536];
	char line[65536];	/* the last line returned */
};

/* Start reading fd, dropping anything buffered from an earlier one. */
void test_line_reader_reset(struct test_line_reader *r, int fd);

/*
 * The next line (without its newline), valid until the next call; NULL if
 * nothing comes for timeout_ms, or at end of file or on a read error.
 */
const char *test_line_reader_next(struct test_line_reader *r, int timeout_ms);

#endif /* VIREO_UNIT_TEST_LINE_READER_H */
