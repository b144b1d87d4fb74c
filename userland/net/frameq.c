// SPDX-License-Identifier: GPL-2.0
/* A bounded frame FIFO with a level-triggered eventfd (frameq.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "net/frameq.h"

int vireo_frameq_init(struct vireo_frameq *q, unsigned int max_frames, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_frames = max_frames;
	q->max_bytes = max_bytes;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0)
		return -errno;
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

void vireo_frameq_fini(struct vireo_frameq *q)
{
	struct vireo_frame *f;

	while ((f = vireo_frameq_take(q)))
		free(f);
	close(q->efd);
	pthread_mutex_destroy(&q->lock);
}

/*
 * The eventfd follows the queue: set on empty → non-empty, drained on
 * non-empty → empty, both under the lock, so "readable iff frames > 0"
 * holds whenever the lock is free.
 */
static void signal_nonempty(struct vireo_frameq *q)
{
	uint64_t one = 1;

	while (write(q->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void signal_empty(struct vireo_frameq *q)
{
	uint64_t v;

	while (read(q->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

int vireo_frameq_push(struct vireo_frameq *q, const struct iovec *iov, int n)
{
	struct vireo_frame *f;
	size_t len = 0, off = 0;
	int err = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	pthread_mutex_lock(&q->lock);
	if (q->frames >= q->max_frames || len > q->max_bytes - q->bytes) {
		err = -ENOBUFS;
		goto out;
	}
	f = malloc(sizeof(*f) + len);
	if (!f) {
		err = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		memcpy(f->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	f->len = len;
	f->next = NULL;
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	q->bytes += len;
	q->queued++;
	if (q->frames++ == 0)
		signal_nonempty(q);
out:
	if (err)
		q->dropped++;
	pthread_mutex_unlock(&q->lock);
	return err;
}

/* Unlink the head; lock held. */
static struct vireo_frame *take_locked(struct vireo_frameq *q)
{
	struct vireo_frame *f = q->head;

	if (!f)
		return NULL;
	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->bytes -= f->len;
	if (--q->frames == 0)
		signal_empty(q);
	return f;
}

struct vireo_frame *vireo_frameq_take(struct vireo_frameq *q)
{
	struct vireo_frame *f;

	pthread_mutex_lock(&q->lock);
	f = take_locked(q);
	pthread_mutex_unlock(&q->lock);
	return f;
}

ssize_t vireo_frameq_pop(struct vireo_frameq *q, const struct iovec *iov, int n)
{
	struct vireo_frame *f = vireo_frameq_take(q);
	size_t off = 0;

	if (!f)
		return -EAGAIN;
	for (int i = 0; i < n && off < f->len; i++) {
		size_t c = iov[i].iov_len < f->len - off ? iov[i].iov_len : f->len - off;

		memcpy(iov[i].iov_base, f->data + off, c);
		off += c;
	}
	free(f);
	return (ssize_t)off;
}

void vireo_frameq_counts(struct vireo_frameq *q, uint64_t *queued, uint64_t *dropped)
{
	pthread_mutex_lock(&q->lock);
	*queued = q->queued;
	*dropped = q->dropped;
	pthread_mutex_unlock(&q->lock);
}
