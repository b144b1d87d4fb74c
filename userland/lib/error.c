// SPDX-License-Identifier: GPL-2.0
/*
 * Error and exit-reason names.  libvireo returns plain -errno values; a few
 * of them carry a libvireo-specific meaning that strerror() cannot know.
 */
#include <errno.h>
#include <string.h>

#include <libvireo.h>

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
