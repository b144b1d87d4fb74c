// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz supervisor: each program in a process (and process group) of its
 * own, forked from here; this process is their subreaper, so the
 * program's own forked children come back to it too.
 *
 * A program may be SIGKILLed at a moment drawn from its seed (a stream
 * of its own, so that --seed N replays the same kill), or because it ran
 * past its deadline.  Once killed, every process of its group must be
 * reaped within stuck_ms: one that is not, and has a task in state D
 * then, or is still there stuck_ms * 10 later, is STUCK - reported with
 * its seed, state, wchan and kernel stacks (/proc/PID/task/TID/stack).
 * One that is merely slow (reaped between the two, never seen in D) is
 * counted as a slow exit, not reported as the kernel's fault.
 *
 * After each program: the kernel log (judge.c) and the pinned-page
 * balance (nr_foll_pin_acquired - released back to its value before the
 * program), both pinned on that program's seed.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kfuzz.h"

uint64_t kf_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	const struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* The processes of group pgid still in /proc, with their states. */
static int group_pids(pid_t pgid, pid_t *pids, char *states, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char path[300], buf[512], *rp;
		int pgrp = 0;
		char st = '?';
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 2, "%c %*d %d", &st, &pgrp) == 2 && pgrp == pgid) {
			pids[n] = atoi(de->d_name);
			states[n] = st;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Any task (thread) of pid in state D? */
static bool has_d_task(pid_t pid)
{
	char path[64];
	struct dirent *de;
	bool d = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		char p2[400], buf[512], *rp, st;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/stat", pid, de->d_name);
		f = fopen(p2, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 2, "%c", &st) == 1 && st == 'D')
			d = true;
		fclose(f);
	}
	closedir(dir);
	return d;
}

static void print_file(const char *prefix, const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("%s(%s: %s)\n", prefix, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		printf("%s%s", prefix, line);
	fclose(f);
}

/* Every task of pid: state line, wchan, kernel stack. */
static void dump_process(uint64_t seed, pid_t pid)
{
	char path[128];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char pre[400], p2[400];

		if (de->d_name[0] == '.')
			continue;
		snprintf(pre, sizeof(pre), "kfuzz: STUCK seed %llu pid %d task %s: ",
			 (unsigned long long)seed, pid, de->d_name);
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/stat", pid, de->d_name);
		print_file(pre, p2);
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/wchan", pid, de->d_name);
		print_file(pre, p2);
		printf("\n");
		snprintf(p2, sizeof(p2), "/proc/%d/task/%s/stack", pid, de->d_name);
		print_file(pre, p2);
	}
	closedir(dir);
	fflush(stdout);
}

/* Reaps whatever has ended; true when none of our children is left. */
static bool reap_all(pid_t leader, int *leader_status, bool *leader_done)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid == 0)
			return false;
		if (pid < 0)
			return errno == ECHILD;
		if (pid == leader) {
			*leader_status = status;
			*leader_done = true;
		}
	}
}

enum outcome { DONE, KILLED, OVERTIME };

struct one {
	uint64_t seed;
	enum outcome how;
	bool stuck, slow, crashed;
	int leader_status;
};

/* Waits for group pgid after its SIGKILL; decides stuck/slow. */
static void wait_killed(const struct kf_opts *o, struct one *one, pid_t pgid, uint64_t killed_at,
			bool *leader_done)
{
	uint64_t stuck_ns = (uint64_t)o->stuck_ms * 1000000ULL;
	bool sampled = false, saw_d = false;
	pid_t pids[64];
	char states[64];
	int n, i;

	for (;;) {
		uint64_t now = kf_now_ns();

		if (reap_all(pgid, &one->leader_status, leader_done))
			break;
		if (!sampled && now - killed_at >= stuck_ns) {
			sampled = true;
			n = group_pids(pgid, pids, states, 64);
			for (i = 0; i < n; i++)
				if (states[i] == 'D' || has_d_task(pids[i]))
					saw_d = true;
			if (saw_d || n) {
				printf("kfuzz: seed %llu: %d process(es) of the program not reaped %u ms after SIGKILL%s\n",
				       (unsigned long long)one->seed, n, o->stuck_ms,
				       saw_d ? ", a task in state D" : "");
				for (i = 0; i < n; i++)
					dump_process(one->seed, pids[i]);
			}
			if (saw_d) {
				one->stuck = true;
				return;
			}
		}
		if (sampled && now - killed_at >= 10 * stuck_ns) {
			n = group_pids(pgid, pids, states, 64);
			printf("kfuzz: STUCK seed %llu: still not reaped %u ms after SIGKILL\n",
			       (unsigned long long)one->seed, 10 * o->stuck_ms);
			for (i = 0; i < n; i++)
				dump_process(one->seed, pids[i]);
			one->stuck = true;
			return;
		}
		kill(-pgid, SIGKILL);	/* its forked children, if any appeared since */
		sleep_ms(2);
	}
	if (sampled)
		one->slow = true;
}

static void run_one(const struct kf_opts *o, struct kf_stats *st, struct one *one)
{
	struct kf_rng r;
	uint64_t slow = o->slow ? o->slow : 1;
	uint64_t start, kill_at, deadline = (uint64_t)o->deadline_ms * 1000000ULL;
	bool kill_it, leader_done = false;
	pid_t pid;

	kf_rng_init(&r, one->seed, 2);
	kill_it = kf_pct(&r, o->kill_pct);
	kill_at = kf_below(&r, 300 * slow) * 1000000ULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("kfuzz: fork");
		sleep_ms(100);
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(kf_program(one->seed, o, st));
	}
	setpgid(pid, pid);
	start = kf_now_ns();
	one->how = DONE;
	for (;;) {
		uint64_t now = kf_now_ns();

		if (reap_all(pid, &one->leader_status, &leader_done) || leader_done)
			break;
		if ((kill_it && now - start >= kill_at) || now - start >= deadline) {
			one->how = now - start >= deadline && !(kill_it && now - start >= kill_at) ?
				   OVERTIME : KILLED;
			if (one->how == OVERTIME)
				printf("kfuzz: seed %llu: over its %u ms deadline, killed\n",
				       (unsigned long long)one->seed, o->deadline_ms);
			kill(-pid, SIGKILL);
			wait_killed(o, one, pid, kf_now_ns(), &leader_done);
			return;
		}
		sleep_ms(1);
	}
	/* The program ended: its forked children, if still there, go too. */
	if (kill(-pid, SIGKILL) == 0)
		wait_killed(o, one, pid, kf_now_ns(), &leader_done);
	if (WIFSIGNALED(one->leader_status) && WTERMSIG(one->leader_status) != SIGKILL) {
		one->crashed = true;
		printf("kfuzz: seed %llu: the program died of signal %d (a kfuzz bug, or the kernel's answer)\n",
		       (unsigned long long)one->seed, WTERMSIG(one->leader_status));
	}
}

void kf_supervise(const struct kf_opts *o, struct kf_stats *st, uint64_t first, uint64_t count,
		  uint64_t deadline_ns, int kmsg, struct kf_run_result *res)
{
	uint64_t seed;
	uint64_t last_report = kf_now_ns();

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	memset(res, 0, sizeof(*res));
	for (seed = first; !count || seed < first + count; seed++) {
		struct kf_snapshot before, after;
		struct one one = { .seed = seed };
		int bad;

		if (deadline_ns && kf_now_ns() >= deadline_ns)
			break;
		if (o->seed_log >= 0) {
			char line[48];
			int len = snprintf(line, sizeof(line), "kfuzz: seed %llu\n",
					   (unsigned long long)seed);

			if (write(o->seed_log, line, len) < 0)
				(void)0;	/* a console that went away: no matter */
		}
		/*
		 * stat_refresh waits for work on every CPU: after a stuck
		 * program, a CPU may never run it again.
		 */
		if (!res->stuck)
			kf_snapshot(&before);
		run_one(o, st, &one);
		res->programs++;
		kf_add(&st->programs, 1);
		if (one.how != DONE)
			kf_add(&st->killed, 1);
		if (one.how == OVERTIME)
			kf_add(&st->overtime, 1);
		if (one.slow)
			kf_add(&st->slow_exit, 1);
		if (one.crashed)
			kf_add(&st->crashed, 1);
		if (one.stuck) {
			kf_add(&st->stuck, 1);
			if (!res->stuck++)
				res->first_stuck_seed = seed;
		}
		bad = kf_kmsg_scan(kmsg, seed, seed, false);
		if (bad) {
			if (!res->bad_log_lines)
				res->first_bad_seed = seed;
			res->bad_log_lines += bad;
		}
		if (!res->stuck) {
			long long d0, d1;

			kf_snapshot(&after);
			d0 = before.pins_acquired - before.pins_released;
			d1 = after.pins_acquired - after.pins_released;
			if (before.have_pins && after.have_pins && d1 != d0) {
				printf("kfuzz: PINS seed %llu: %lld page pin(s) not released after the program ended\n",
				       (unsigned long long)seed, d1 - d0);
				if (!res->pin_leaks++)
					res->first_pin_seed = seed;
			}
		}
		if (res->stuck >= 3 || res->bad_log_lines >= 200) {
			printf("kfuzz: stopping: %s\n", res->stuck >= 3 ? "3 stuck programs" :
			       "the kernel log is full of errors");
			break;
		}
		if (kf_now_ns() - last_report >= 60000000000ULL) {
			last_report = kf_now_ns();
			int i;

			printf("kfuzz: progress: %llu programs, %llu calls (%llu ok), %llu runs, exits",
			       (unsigned long long)st->programs, (unsigned long long)st->calls,
			       (unsigned long long)st->calls_ok, (unsigned long long)st->runs);
			for (i = 0; i < KF_NR_EXITS; i++)
				if (st->exits[i])
					printf(" %s=%llu", kf_exit_name(i), (unsigned long long)st->exits[i]);
			for (i = 0; i < KF_MAX_UNKNOWN; i++)
				if (st->unknown[i].key)
					printf(" unknown-code %#llx=%llu", (unsigned long long)(st->unknown[i].key - 1),
					       (unsigned long long)st->unknown[i].count);
			printf("\n");
			fflush(stdout);
		}
	}
}
