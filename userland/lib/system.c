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
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

int vireo_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

/* The locked-memory limit vireo.ko charges slots to: take all of it. */
static void memlock_take_hard_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

void vireo_memlock_explain(FILE *f, const char *prog)
{
	struct rlimit rl;
	char now[32] = "unknown";

	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		if (rl.rlim_cur == RLIM_INFINITY)
			snprintf(now, sizeof(now), "unlimited");
		else
			snprintf(now, sizeof(now), "%llu KiB", (unsigned long long)rl.rlim_cur >> 10);
	}
	fprintf(f, "%s: guest RAM counts against the locked-memory limit (ulimit -l: %s); "
		"raise it, e.g. '@vireo - memlock unlimited' in /etc/security/limits.d/vireo.conf "
		"and log in again\n", prog, now);
}

int vireo_open(const char *path, struct vireo_sys **sysp)
{
	struct vireo_sys *sys;
	int ret;

	*sysp = NULL;
	memlock_take_hard_limit();
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
