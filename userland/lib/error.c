// SPDX-License-Identifier: GPL-2.0
/*
 * Errors: Vireo's GError domain (vireo/error.h), and the names of
 * libvireo's -errno values, a few of which carry a libvireo-specific
 * meaning that strerror() cannot know, and of the exit reasons.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvireo.h>
#include <vireo/error.h>

G_DEFINE_QUARK(vireo-error-quark, vireo_error)

void vireo_error_setf(GError **error, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (error) {
		g_clear_error(error);
		va_start(ap, fmt);
		*error = g_error_new_valist(VIREO_ERROR, errnum, fmt, ap);
		va_end(ap);
	}
}

int vireo_error_prefix(GError **error, int ret, const char *fmt, ...)
{
	va_list ap;
	char *prefix;

	if (error && *error) {
		va_start(ap, fmt);
		prefix = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		g_prefix_error(error, "%s", prefix);
		g_free(prefix);
	}
	return ret;
}

int vireo_error_errno(const GError *error)
{
	if (error && error->domain == VIREO_ERROR && error->code > 0)
		return error->code;
	return EIO;
}

const char *vireo_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ENOENT:
		return "no such file (is vireo.ko loaded? " VIREO_DEVICE_PATH " missing)";
	case EPROTO:
		return "vireo.ko speaks another API version than this libvireo";
	case ENODATA:
		return "instruction truncated (bytes missing)";
	case E2BIG:
		return "too long (instruction over 15 bytes, or too many entries)";
	case ENOTSUP:
		return "unsupported instruction or operation";
	case EFAULT:
		return "bad address (guest page fault or address outside guest RAM)";
	default:
		return strerror(err);
	}
}

const char *vireo_exit_reason_name(uint32_t reason)
{
	static const char *const names[] = VIREO_EXIT_REASON_NAMES;

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}
