/* SPDX-License-Identifier: GPL-2.0 */
/* Scatter lists: copying to and from them and cutting pieces out of them. */
#ifndef VIREO_VIRTIO_IOV_H
#define VIREO_VIRTIO_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Copy up to len bytes starting offset bytes into iov; returns bytes copied. */
size_t vireo_iov_to_buf(const struct iovec *iov, unsigned int n, size_t offset, void *buf,
			size_t len);
size_t vireo_iov_from_buf(const struct iovec *iov, unsigned int n, size_t offset, const void *buf,
			  size_t len);

/*
 * Describe bytes [offset, offset + len) of iov in out (at most max
 * entries); returns the number of entries used.  Shorter if iov or out
 * runs out.
 */
unsigned int vireo_iov_slice(const struct iovec *iov, unsigned int n, size_t offset, size_t len,
			     struct iovec *out, unsigned int max);

size_t vireo_iov_len(const struct iovec *iov, unsigned int n);

#endif /* VIREO_VIRTIO_IOV_H */
