// SPDX-License-Identifier: GPL-2.0
/* Scatter-list helpers for the device models (iov.h). */
#include <string.h>

#include "virtio/iov.h"

size_t vireo_iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset, void *buf,
			size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - offset;
		if (chunk > len - done)
			chunk = len - done;
		memcpy((char *)buf + done, (char *)iov[i].iov_base + offset, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t vireo_iov_from_buf(const struct iovec *iov, unsigned int n, size_t offset, const void *buf,
			  size_t len)
{
	size_t done = 0;

	for (unsigned int i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - offset;
		if (chunk > len - done)
			chunk = len - done;
		memcpy((char *)iov[i].iov_base + offset, (const char *)buf + done, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

unsigned int vireo_iov_slice(const struct iovec *iov, unsigned int n, size_t offset, size_t len,
			     struct iovec *out, unsigned int max)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < n && len && used < max; i++) {
		size_t chunk;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - offset;
		if (chunk > len)
			chunk = len;
		out[used].iov_base = (char *)iov[i].iov_base + offset;
		out[used].iov_len = chunk;
		used++;
		len -= chunk;
		offset = 0;
	}
	return used;
}

size_t vireo_iov_len(const struct iovec *iov, unsigned int n)
{
	size_t len = 0;

	for (unsigned int i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}
