// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel image files: reading, format detection, shared loader helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vireo/paging.h>

#include <vireo/error.h>

#include "boot/image.h"
#include "boot/linux.h"
#include "boot/multiboot.h"

enum vireo_image_kind vireo_boot_detect(const void *image, size_t size)
{
	const uint8_t *p = image;

	if (size >= VIREO_LINUX_HDRS_OFF + 4 && vireo_le32(p + VIREO_LINUX_HDRS_OFF) ==
							VIREO_LINUX_HDRS_MAGIC)
		return VIREO_IMAGE_LINUX;
	if (vireo_multiboot_find_header(image, size) >= 0)
		return VIREO_IMAGE_MULTIBOOT;
	return VIREO_IMAGE_UNKNOWN;
}

int vireo_boot_read_file(const char *path, void **data, size_t *size, GError **error)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd, ret = 0;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vireo_error_set(error, ret, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		vireo_error_set(error, ret, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		vireo_error_set(error, ret, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > VIREO_BOOT_MAX_FILE) {
		ret = -EFBIG;
		vireo_error_set(error, ret,
				"%s: %lld bytes: larger than the 1 GiB a kernel or initrd may be",
				path, (long long)st.st_size);
		goto out;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		ret = -ENOMEM;
		vireo_error_set(error, ret, "%s: no memory for %lld bytes", path,
				(long long)st.st_size);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			vireo_error_set(error, ret, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0) {
			ret = -EIO;
			vireo_error_set(error, ret, "%s: file shrank while being read", path);
			goto out;
		}
		done += n;
	}
	*data = buf;
	*size = done;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

int vireo_boot_write(const struct vireo_mem *mem, uint64_t gpa, const void *data, uint64_t len)
{
	static const uint8_t zeros[4096];

	if (!mem->write)
		return -EFAULT;
	if (data)
		return mem->write(mem->opaque, gpa, data, len) ? -EFAULT : 0;
	while (len) {
		uint64_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		if (mem->write(mem->opaque, gpa, zeros, n))
			return -EFAULT;
		gpa += n;
		len -= n;
	}
	return 0;
}
