// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz judge: what the kernel says about a run.
 *
 * The kernel log is read from /dev/kmsg, opened at its end before the
 * first program, then read after each one: a bad line is pinned on the
 * programs since the previous read (one, as the supervisor reads after
 * every program).  Bad: WARN, BUG, Oops, general protection, Call Trace,
 * panic, RCU stalls, soft/hard lockups, hung tasks, list corruption,
 * refcount_t, bad page, UBSAN/KASAN.
 *
 * Pinned memory: vireo.ko pins guest pages with pin_user_pages_fast
 * (FOLL_PIN | FOLL_LONGTERM) and unpins them when the slot or the VM goes.
 * The kernel counts both in /proc/vmstat (nr_foll_pin_acquired,
 * nr_foll_pin_released), exactly, after /proc/sys/vm/stat_refresh has
 * folded the per-CPU deltas in.  Nothing else in the rig's L1 pins pages
 * (no io_uring, O_DIRECT, RDMA or VFIO; KVM is not loaded while kfuzz
 * runs), so acquired - released must come back to its value before a
 * program once that program's processes are all gone: tolerance zero.
 * MemAvailable is reported too, but only as a coarse figure: slab caches
 * and page tables the run grew do not shrink on demand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kfuzz.h"

static const char *const bad_patterns[] = {
	"WARNING:", "BUG:", "BUG ", "Oops", "general protection", "Call Trace",
	"Kernel panic", "kernel BUG", "self-detected stall", "detected stalls",
	"rcu_sched detected", "rcu_preempt detected", "soft lockup", "hard LOCKUP",
	"blocked for more than", "list_add corruption", "list_del corruption",
	"refcount_t:", "Bad page", "UBSAN:", "KASAN:", "stack-protector",
	"unable to handle", "double fault",
};

int kf_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static bool is_bad(const char *msg)
{
	size_t i;

	for (i = 0; i < sizeof(bad_patterns) / sizeof(bad_patterns[0]); i++)
		if (strstr(msg, bad_patterns[i]))
			return true;
	return false;
}

/*
 * Reads every record written since the last call.  Bad ones, and the 40
 * records after each (the rest of a splat), are printed with the seeds.
 */
int kf_kmsg_scan(int fd, uint64_t seed_lo, uint64_t seed_hi, bool quiet)
{
	static int context;
	char rec[8192];
	int bad = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overwritten records: go on with the next */
			if (errno == EINTR)
				continue;
			break;		/* EAGAIN: all read */
		}
		if (n == 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (is_bad(msg)) {
			bad++;
			context = 40;
		} else if (context) {
			context--;
		} else {
			continue;
		}
		if (!quiet) {
			if (seed_lo == seed_hi)
				printf("kfuzz: KERNEL seed %llu: %s\n", (unsigned long long)seed_lo, msg);
			else
				printf("kfuzz: KERNEL seeds %llu-%llu: %s\n", (unsigned long long)seed_lo,
				       (unsigned long long)seed_hi, msg);
		}
	}
	fflush(stdout);
	return bad;
}

static long long field(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && (line[klen] == ' ' || line[klen] == ':')) {
			v = strtoll(line + klen + 1 + strspn(line + klen + 1, " :"), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

void kf_snapshot(struct kf_snapshot *s)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1\n", 2) < 0)
			(void)0;	/* not root: the figures are a little stale */
		close(fd);
	}
	s->pins_acquired = field("/proc/vmstat", "nr_foll_pin_acquired");
	s->pins_released = field("/proc/vmstat", "nr_foll_pin_released");
	s->have_pins = s->pins_acquired >= 0 && s->pins_released >= 0;
	s->mem_available_kb = field("/proc/meminfo", "MemAvailable");
	s->mem_free_kb = field("/proc/meminfo", "MemFree");
}
