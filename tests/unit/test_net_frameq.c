// SPDX-License-Identifier: GPL-2.0
/*
 * The NAT's frame queue: gather in, scatter out with truncation, FIFO
 * order, frame and byte limits, and the eventfd readable exactly while
 * frames wait.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "net/frameq.h"
#include "test.h"

static bool readable(struct vireo_frameq *q)
{
	struct pollfd p = { .fd = q->efd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void frameq_gather_scatter(void)
{
	struct vireo_frameq q;
	uint8_t a[3] = { 1, 2, 3 }, b[4] = { 4, 5, 6, 7 }, out1[2], out2[10];
	struct iovec in[2] = { { a, 3 }, { b, 4 } }, out[2] = { { out1, 2 }, { out2, 10 } };

	T_EQ(vireo_frameq_init(&q, 4, 100), 0);
	T_TRUE(!readable(&q));
	T_EQ(vireo_frameq_pop(&q, out, 2), -EAGAIN);
	T_EQ(vireo_frameq_push(&q, in, 2), 0);
	T_TRUE(readable(&q));
	T_EQ(vireo_frameq_pop(&q, out, 2), 7);
	T_EQ(out1[0], 1);
	T_EQ(out1[1], 2);
	T_EQ(out2[0], 3);
	T_EQ(out2[4], 7);
	T_TRUE(!readable(&q));
	/* Too little room: the frame is cut, and gone. */
	T_EQ(vireo_frameq_push(&q, in, 2), 0);
	T_EQ(vireo_frameq_pop(&q, out, 1), 2);
	T_EQ(vireo_frameq_pop(&q, out, 2), -EAGAIN);
	vireo_frameq_fini(&q);
}

static void frameq_limits_and_order(void)
{
	struct vireo_frameq q;
	uint8_t v, big[63] = { 0 };
	struct iovec iov = { &v, 1 }, biov = { big, sizeof(big) };
	struct vireo_frame *f;
	uint64_t queued, dropped;

	T_EQ(vireo_frameq_init(&q, 3, 64), 0);
	for (v = 0; v < 4; v++)
		T_EQ(vireo_frameq_push(&q, &iov, 1), v < 3 ? 0 : -ENOBUFS);
	f = vireo_frameq_take(&q);
	T_TRUE(f && f->len == 1 && f->data[0] == 0);
	free(f);
	/* 2 bytes queued: 63 more would pass the 64-byte limit. */
	T_EQ(vireo_frameq_push(&q, &biov, 1), -ENOBUFS);
	T_EQ(vireo_frameq_pop(&q, &iov, 1), 1);
	T_EQ(v, 1);
	T_EQ(vireo_frameq_pop(&q, &iov, 1), 1);
	T_EQ(v, 2);
	T_TRUE(!readable(&q));
	T_EQ(vireo_frameq_push(&q, &biov, 1), 0);
	T_TRUE(readable(&q));
	vireo_frameq_counts(&q, &queued, &dropped);
	T_EQ(queued, 4);
	T_EQ(dropped, 2);
	/* fini frees what is left. */
	vireo_frameq_fini(&q);
}

static const struct vireo_test vireo_tests_net_frameq[] = {
	VIREO_TEST(frameq_gather_scatter),
	VIREO_TEST(frameq_limits_and_order),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(net_frameq, vireo_tests_net_frameq);
