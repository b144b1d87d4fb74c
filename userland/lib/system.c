// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/vireo handle: API version handshake and capabilities.  The
 * version is checked before anything else so that a mismatched module is
 * reported as such rather than as a string of odd ioctl failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int vireo_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

int vireo_open(const char *path, struct vireo_sys **sysp)
{
	struct vireo_sys *sys;
	int ret;

	*sysp = NULL;
	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return -ENOMEM;
	sys->fd = open(path ? path : VIREO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sys->fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = vireo_ioctl(sys->fd, VIREO_GET_API_VERSION, NULL);
	if (ret < 0)
		goto out;
	if (ret != VIREO_API_VERSION) {
		ret = -EPROTO;
		goto out;
	}
	ret = vireo_ioctl(sys->fd, VIREO_GET_CAPS, &sys->caps);
	if (ret < 0)
		goto out;
	if (sys->caps.api_version != VIREO_API_VERSION) {
		ret = -EPROTO;
		goto out;
	}
	*sysp = sys;
	ret = 0;
out:
	if (ret)
		vireo_close(sys);
	return ret;
}

void vireo_close(struct vireo_sys *sys)
{
	if (!sys)
		return;
	if (sys->fd >= 0)
		close(sys->fd);
	free(sys);
}

const struct vireo_caps *vireo_caps(const struct vireo_sys *sys)
{
	return &sys->caps;
}

int vireo_sys_fd(const struct vireo_sys *sys)
{
	return sys->fd;
}

int vireo_supported_cpuid(struct vireo_sys *sys, struct vireo_cpuid_entry *e, unsigned int max)
{
	struct vireo_cpuid c = { .nent = max, .entries = (uintptr_t)e };

	memset(e, 0, max * sizeof(*e));
	return vireo_ioctl(sys->fd, VIREO_GET_SUPPORTED_CPUID, &c);
}
