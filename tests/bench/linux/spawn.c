// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-bench-spawn: run a monitor (vireo-run or qemu-system-x86_64), time
 * its console output, and sample its memory when a marker line appears.
 *
 *   vireo-bench-spawn [--marker STR] [--stop-at-marker] [--ram-mib N]
 *                     [--log FILE] [--timeout SECS] -- CMD [ARG...]
 *
 * The clock starts just before fork(): a figure is "process start to the
 * line", measured in L1 (CLOCK_MONOTONIC), never with the guest's clock.
 * The child's stdout and stderr come back through one pipe that is polled:
 * no sleeps, a line is timestamped when its newline is read.  Its stdin is
 * a pipe that stays open (no EOF on the guest's serial input).
 *
 * --log FILE     every output line, as "<ms since start> <line>" (CRs
 *                dropped), so that a caller can time any line it likes
 * --marker STR   the first line containing STR is the marker: its time is
 *                reported, and with --ram-mib the memory is sampled then
 * --ram-mib N    guest RAM size: the mappings of /proc/PID/smaps whose size
 *                is N MiB (up to 8 MiB more, for alignment and guard pages)
 *                are the guest RAM; their Rss is reported apart from VmRSS
 * --stop-at-marker  SIGTERM the child once the marker is seen (and
 *                sampled), SIGKILL if it is still there 10 s later
 * --timeout SECS SIGKILL the child after SECS (default 600)
 *
 * Prints one line on stdout:
 *   SPAWN end=exit|signal|timeout code=N wall_ms=X marker_ms=X|-
 *         [vmrss_kb=.. rss_anon_kb=.. rss_file_kb=.. rss_shmem_kb=..
 *          ram_maps=N ram_size_kb=.. ram_rss_kb=..]
 * and, with --log, lists the mappings of more than 1 MiB resident there
 * ("MAP ...").  Exit status: 0 when the marker was seen (or no marker was
 * asked for) and the child was not timed out, 1 otherwise, 2 on misuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define STOP_GRACE_MS 10000

struct mem_sample {
	bool taken;
	long vmrss_kb, rss_anon_kb, rss_file_kb, rss_shmem_kb;
	long ram_maps, ram_size_kb, ram_rss_kb;
};

static struct {
	const char *marker;
	bool stop_at_marker;
	long ram_mib;
	const char *log_path;
	long timeout_s;
} opt = { .timeout_s = 600 };

static FILE *logf;
static struct timespec t0;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: vireo-bench-spawn [--marker STR] [--stop-at-marker] "
			"[--ram-mib N] [--log FILE] [--timeout SECS] -- CMD [ARG...]\n");
	exit(2);
}

/* "Key:   123 kB" -> 123, from /proc/PID/status. */
static long status_kb(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void sample_memory(pid_t pid, struct mem_sample *m)
{
	char path[64], line[512], status[8192];
	unsigned long lo, hi, size_kb = 0;
	long min_kb = opt.ram_mib * 1024, max_kb = min_kb + 8192;
	char name[256];
	bool is_ram = false;
	size_t n;
	FILE *f;

	memset(m, 0, sizeof(*m));
	m->vmrss_kb = m->rss_anon_kb = m->rss_file_kb = m->rss_shmem_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(status, 1, sizeof(status) - 1, f);
	status[n] = 0;
	fclose(f);
	m->vmrss_kb = status_kb(status, "VmRSS:");
	m->rss_anon_kb = status_kb(status, "RssAnon:");
	m->rss_file_kb = status_kb(status, "RssFile:");
	m->rss_shmem_kb = status_kb(status, "RssShmem:");

	/*
	 * A mapping header is "lo-hi perms offset dev inode [name]"; its
	 * "Rss:" line follows.  Guest RAM is the mapping(s) of the guest's
	 * size (whichever way the monitor allocated it: anonymous, memfd).
	 */
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	name[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		long kb;

		/* Field lines ("Rss:", "AnonHugePages:") never parse as a range. */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			size_kb = (hi - lo) >> 10;
			is_ram = (long)size_kb >= min_kb && (long)size_kb <= max_kb;
			if (sscanf(line, "%*s %*s %*s %*s %*s %255[^\n]", name) != 1)
				name[0] = 0;
			if (is_ram) {
				m->ram_maps++;
				m->ram_size_kb += (long)size_kb;
			}
			continue;
		}
		if (sscanf(line, "Rss: %ld kB", &kb) != 1)
			continue;
		if (is_ram)
			m->ram_rss_kb += kb;
		if (logf && kb >= 1024)
			fprintf(logf, "MAP size_kb=%lu rss_kb=%ld%s %s\n", size_kb, kb,
				is_ram ? " (guest RAM)" : "", name[0] ? name : "[anon]");
	}
	fclose(f);
	m->taken = true;
}

/* One complete output line (CRs removed). */
static void on_line(char *s, size_t len, double t, double *marker_ms)
{
	char *w = s;
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != '\r')
			*w++ = s[i];
	*w = 0;
	if (logf)
		fprintf(logf, "%.3f %s\n", t, s);
	if (opt.marker && *marker_ms < 0 && strstr(s, opt.marker))
		*marker_ms = t;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "marker", required_argument, NULL, 'm' },
		{ "stop-at-marker", no_argument, NULL, 's' },
		{ "ram-mib", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int out[2], in[2], c, pidfd, wstatus = 0;
	char buf[LINE_MAX_BYTES + 1];
	size_t have = 0;
	double marker_ms = -1, deadline, stop_deadline = -1, end_ms;
	struct mem_sample mem = { 0 };
	bool eof = false, exited = false, timed_out = false, stopping = false;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': opt.marker = optarg; break;
		case 's': opt.stop_at_marker = true; break;
		case 'r': opt.ram_mib = strtol(optarg, NULL, 0); break;
		case 'l': opt.log_path = optarg; break;
		case 't': opt.timeout_s = strtol(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind >= argc || opt.timeout_s <= 0 || opt.ram_mib < 0 ||
	    (opt.stop_at_marker && !opt.marker))
		usage();
	if (opt.log_path) {
		logf = fopen(opt.log_path, "w");
		if (!logf) {
			fprintf(stderr, "vireo-bench-spawn: %s: %s\n", opt.log_path,
				strerror(errno));
			return 2;
		}
		setvbuf(logf, NULL, _IOLBF, 0);
	}
	if (pipe2(out, O_CLOEXEC) || pipe2(in, O_CLOEXEC)) {
		perror("vireo-bench-spawn: pipe");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("vireo-bench-spawn: fork");
		return 2;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "vireo-bench-spawn: exec %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("vireo-bench-spawn: pidfd_open");
		kill(pid, SIGKILL);
		return 2;
	}
	deadline = opt.timeout_s * 1e3;

	while (!exited || !eof) {
		struct pollfd pfd[2] = {
			{ .fd = eof ? -1 : out[0], .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		double now = now_ms(), limit = deadline;
		int wait_ms;

		if (stop_deadline >= 0 && stop_deadline < limit)
			limit = stop_deadline;
		if (now >= limit) {
			if (exited)
				break;	/* something else holds the pipe open */
			if (now >= deadline)
				timed_out = true;
			kill(pid, SIGKILL);
			deadline = stop_deadline = now + 5000;
			continue;
		}
		wait_ms = (int)(limit - now) + 1;
		if (poll(pfd, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			perror("vireo-bench-spawn: poll");
			kill(pid, SIGKILL);
			return 2;
		}
		if (pfd[1].revents) {
			if (waitpid(pid, &wstatus, 0) == pid)
				exited = true;
			/* Whatever is still in the pipe is drained, not awaited. */
			if (stop_deadline < 0 || stop_deadline > now_ms() + 1000)
				stop_deadline = now_ms() + 1000;
		}
		if (pfd[0].revents) {
			ssize_t r = read(out[0], buf + have, LINE_MAX_BYTES - have);
			double t = now_ms();
			char *nl;

			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				eof = true;
				if (have)
					on_line(buf, have, t, &marker_ms);
				have = 0;
				continue;
			}
			have += (size_t)r;
			while ((nl = memchr(buf, '\n', have))) {
				size_t len = (size_t)(nl - buf);

				on_line(buf, len, t, &marker_ms);
				memmove(buf, nl + 1, have - len - 1);
				have -= len + 1;
			}
			if (have == LINE_MAX_BYTES) {	/* an endless line: cut it */
				on_line(buf, have, t, &marker_ms);
				have = 0;
			}
		}
		if (marker_ms >= 0 && !mem.taken && opt.ram_mib && !exited)
			sample_memory(pid, &mem);
		if (marker_ms >= 0 && opt.stop_at_marker && !stopping && !exited) {
			stopping = true;
			kill(pid, SIGTERM);
			stop_deadline = now_ms() + STOP_GRACE_MS;
		}
	}
	end_ms = now_ms();
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &wstatus, 0);
	}
	close(in[1]);

	printf("SPAWN end=%s code=%d wall_ms=%.1f", timed_out ? "timeout" :
	       WIFSIGNALED(wstatus) ? "signal" : "exit",
	       WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus), end_ms);
	if (marker_ms >= 0)
		printf(" marker_ms=%.1f", marker_ms);
	else
		printf(" marker_ms=-");
	if (mem.taken)
		printf(" vmrss_kb=%ld rss_anon_kb=%ld rss_file_kb=%ld rss_shmem_kb=%ld"
		       " ram_maps=%ld ram_size_kb=%ld ram_rss_kb=%ld",
		       mem.vmrss_kb, mem.rss_anon_kb, mem.rss_file_kb, mem.rss_shmem_kb,
		       mem.ram_maps, mem.ram_size_kb, mem.ram_rss_kb);
	printf("\n");
	if (logf)
		fclose(logf);
	return (timed_out || (opt.marker && marker_ms < 0)) ? 1 : 0;
}
