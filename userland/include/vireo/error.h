/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How an error travels in Vireo's userland: a GError in Vireo's one domain,
 * VIREO_ERROR, whose codes are errno values.  A function that can fail
 * returns 0 / -errno (or a pointer / NULL) and takes `GError **error` last;
 * the message names the file or object and the problem.  See "Errors in
 * userland" in docs/ARCHITECTURE.md.
 */
#ifndef VIREO_ERROR_H
#define VIREO_ERROR_H

#include <stdlib.h>

#include <glib.h>

#define VIREO_ERROR (vireo_error_quark())
GQuark vireo_error_quark(void);

/*
 * vireo_error_set(error, errnum, fmt, ...): set *error (when error is not
 * NULL) to VIREO_ERROR/errnum with the formatted message, and evaluate to
 * -errnum, so that a failing path reads
 * `return vireo_error_set(error, EINVAL, "%s: ...", path);`.  errnum may be
 * given as a -errno value as well (a callee's return value).  A message
 * already in *error is replaced: the caller that knows more speaks last.
 * A macro, so that the compiler sees the result is negative;
 * vireo_error_setf() does the setting.
 */
void vireo_error_setf(GError **error, int errnum, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
#define vireo_error_set(error, errnum, ...)                                  \
	({                                                                    \
		int vireo_errnum_ = abs(errnum);                              \
		vireo_error_setf(error, vireo_errnum_, __VA_ARGS__);          \
		-vireo_errnum_;                                               \
	})

/*
 * Prefix the message of *error (if set) with the formatted text and return
 * ret: a caller adding what it was doing to a callee's error,
 * `return vireo_error_prefix(error, ret, "backing file: ");`.
 */
int vireo_error_prefix(GError **error, int ret, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* The errno value an error stands for: its code in VIREO_ERROR, else EIO. */
int vireo_error_errno(const GError *error);

#endif /* VIREO_ERROR_H */
