// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz: options and the summary.  See tests/kfuzz/README.md.
 *
 *   kfuzz --seed N [--trace]          one program, replayed (trace: every call)
 *   kfuzz --seeds A-B                 programs A..B
 *   kfuzz --time SECS [--first N]     programs N, N+1, ... for SECS seconds
 *
 * Other options: --known[=dr7,vm86|all] (let the generator make the
 * known bugs of FINDINGS.md), --max-calls N, --kill-pct P, --deadline-ms
 * MS, --stuck-ms MS, --slow F (emulator factor for every time budget),
 * --dev PATH, --seed-log FILE (each seed written there before it runs:
 * the L1 console, so that a seed that hangs the whole machine is known),
 * --tests PREFIX (print TEST PREFIX/... lines for the rig), --snippets
 * NAME,... (guest code made of these snippets only: guest.c's names),
 * --runners N (at most N runner threads at once; 0: RUN from the main
 * thread only).
 *
 * Exit status: 0 nothing found, 1 a finding (kernel log, stuck program,
 * unreleased pins, an ioctl that ignored kicks), 2 usage or set-up error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kfuzz.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: kfuzz [--seed N [--trace] | --seeds A-B | --time SECS [--first N]]\n"
		"             [--known[=dr7,vm86|all]] [--max-calls N] [--kill-pct P]\n"
		"             [--deadline-ms MS] [--stuck-ms MS] [--slow F] [--dev PATH]\n"
		"             [--seed-log FILE] [--tests PREFIX] [--snippets NAME,...]\n"
		"             [--runners N] [--dump-fail]\n");
	exit(2);
}

static unsigned int parse_known(const char *s)
{
	unsigned int k = 0;
	char *dup, *tok, *save;

	if (!s || !strcmp(s, "all"))
		return KF_KNOWN_ALL;
	dup = strdup(s);
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "dr7"))
			k |= KF_KNOWN_DR7;
		else if (!strcmp(tok, "vm86"))
			k |= KF_KNOWN_VM86;
		else
			usage();
	}
	free(dup);
	return k;
}

static void test_line(const char *prefix, const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void test_line(const char *prefix, const char *name, bool ok, const char *fmt, ...)
{
	char detail[512] = "";
	va_list ap;

	if (!prefix)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("TEST %s/%s %s%s%s\n", prefix, name, ok ? "PASS" : "FAIL", detail[0] ? " " : "",
	       detail);
}

static void print_codes(const char *what, const struct kf_code_count *tab)
{
	int i, n = 0;

	printf("kfuzz: %s:", what);
	for (i = 0; i < KF_MAX_UNKNOWN; i++) {
		if (!tab[i].key)
			continue;
		printf(" %#llx (%llu, first seed %llu)", (unsigned long long)(tab[i].key - 1),
		       (unsigned long long)tab[i].count, (unsigned long long)tab[i].seed);
		n++;
	}
	printf("%s\n", n ? "" : " none");
}

static void summary(const struct kf_stats *st, const char *backend, double secs)
{
	int i;

	printf("kfuzz: summary: backend %s, %.0f s\n", backend, secs);
	printf("kfuzz: programs %llu (SIGKILLed %llu, over deadline %llu, slow exits %llu, crashed %llu, stuck %llu)\n",
	       (unsigned long long)st->programs, (unsigned long long)st->killed,
	       (unsigned long long)st->overtime, (unsigned long long)st->slow_exit,
	       (unsigned long long)st->crashed, (unsigned long long)st->stuck);
	printf("kfuzz: calls %llu, succeeded %llu; VIREO_RUN %llu, returned 0 %llu\n",
	       (unsigned long long)st->calls, (unsigned long long)st->calls_ok,
	       (unsigned long long)st->runs, (unsigned long long)st->runs_ok);
	printf("kfuzz: exits:");
	for (i = 0; i < KF_NR_EXITS; i++)
		if (st->exits[i])
			printf(" %s=%llu", i == KF_NR_EXITS - 1 ? "other" : kf_exit_name(i),
			       (unsigned long long)st->exits[i]);
	printf("\n");
	print_codes("VIREO_EXIT_UNKNOWN hardware codes", st->unknown);
	print_codes("VIREO_EXIT_FAIL_ENTRY hardware codes", st->fail_entry);
	printf("kfuzz: INTERNAL_ERROR by suberror: other=%llu NO_MEMORY=%llu BAD_EXIT=%llu EVENT_LOOP=%llu\n",
	       (unsigned long long)st->internal_suberror[0], (unsigned long long)st->internal_suberror[1],
	       (unsigned long long)st->internal_suberror[2], (unsigned long long)st->internal_suberror[3]);
	printf("kfuzz: per call (made/succeeded):");
	for (i = 0; i < kf_nr_calls && i < 64; i++)
		printf(" %s=%llu/%llu", kf_calls[i].name, (unsigned long long)st->per_call[i],
		       (unsigned long long)st->per_call_ok[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seeds", required_argument, NULL, 'S' },
		{ "time", required_argument, NULL, 't' },
		{ "first", required_argument, NULL, 'f' },
		{ "trace", no_argument, NULL, 'T' },
		{ "dump-fail", no_argument, NULL, 'F' },
		{ "known", optional_argument, NULL, 'k' },
		{ "max-calls", required_argument, NULL, 'c' },
		{ "kill-pct", required_argument, NULL, 'K' },
		{ "deadline-ms", required_argument, NULL, 'd' },
		{ "stuck-ms", required_argument, NULL, 'x' },
		{ "slow", required_argument, NULL, 'w' },
		{ "dev", required_argument, NULL, 'D' },
		{ "seed-log", required_argument, NULL, 'L' },
		{ "tests", required_argument, NULL, 'P' },
		{ "snippets", required_argument, NULL, 'N' },
		{ "runners", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct kf_opts o = {
		.dev = VIREO_DEVICE_PATH, .max_calls = 60, .kill_pct = 20, .deadline_ms = 10000,
		.stuck_ms = 1000, .slow = 1, .seed_log = -1,
		.runners = KF_MAX_THREADS - 1,
	};
	uint64_t first = 1, count = 0, secs = 0, deadline = 0, t0;
	const char *prefix = NULL, *backend = "?";
	struct kf_snapshot before, after;
	struct kf_run_result res;
	struct vireo_caps caps;
	struct kf_stats *st;
	bool reached, findings;
	int c, kmsg, fd;
	char *end;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			first = strtoull(optarg, NULL, 0);
			count = 1;
			break;
		case 'S':
			first = strtoull(optarg, &end, 0);
			if (*end != '-')
				usage();
			count = strtoull(end + 1, NULL, 0) - first + 1;
			break;
		case 't':
			secs = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			first = strtoull(optarg, NULL, 0);
			break;
		case 'T':
			o.trace = true;
			break;
		case 'F':
			o.dump_fail = true;
			break;
		case 'k':
			o.known = parse_known(optarg);
			break;
		case 'c':
			o.max_calls = strtoul(optarg, NULL, 0);
			break;
		case 'K':
			o.kill_pct = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			o.deadline_ms = strtoul(optarg, NULL, 0);
			break;
		case 'x':
			o.stuck_ms = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			o.slow = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			o.dev = optarg;
			break;
		case 'L':
			o.seed_log = open(optarg, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
			break;
		case 'P':
			prefix = optarg;
			break;
		case 'N':
			o.snippets = optarg;
			break;
		case 'R':
			o.runners = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!count && !secs) || !o.max_calls)
		usage();
	if (o.slow > 1)
		o.deadline_ms *= o.slow, o.stuck_ms *= o.slow;

	fd = open(o.dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kfuzz: %s: %s\n", o.dev, strerror(errno));
		return 2;
	}
	memset(&caps, 0, sizeof(caps));
	if (ioctl(fd, VIREO_GET_CAPS, &caps) == 0)
		o.backend = caps.backend;
	if (o.backend)
		backend = caps.backend == VIREO_BACKEND_SVM ? "SVM" :
			  caps.backend == VIREO_BACKEND_VMX ? "VMX" : "none";
	close(fd);

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("kfuzz: mmap");
		return 2;
	}
	kmsg = kf_kmsg_open();
	if (kmsg < 0)
		printf("kfuzz: NOTE: /dev/kmsg: %s: the kernel log is not checked\n", strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("kfuzz: caps: api %u, flags %#llx, guest_phys_bits %u, %u MSRs\n", caps.api_version,
	       (unsigned long long)caps.flags, caps.guest_phys_bits, caps.nr_msrs);
	printf("kfuzz: backend %s, seeds from %llu, %s %llu, known bugs %s, up to %u calls a program, %u%% killed\n",
	       backend, (unsigned long long)first, count ? "count" : "seconds",
	       (unsigned long long)(count ? count : secs), o.known ? "included" : "avoided",
	       o.max_calls, o.kill_pct);

	kf_snapshot(&before);
	t0 = kf_now_ns();
	if (secs)
		deadline = t0 + secs * 1000000000ULL;
	kf_supervise(&o, st, first, count, deadline, kmsg, &res);
	if (res.stuck)
		after = before;		/* see kf_supervise: no stat_refresh now */
	else
		kf_snapshot(&after);
	summary(st, backend, (kf_now_ns() - t0) / 1e9);
	if (before.have_pins)
		printf("kfuzz: pinned pages: %lld acquired, %lld released during the run (balance %+lld)\n",
		       after.pins_acquired - before.pins_acquired,
		       after.pins_released - before.pins_released,
		       (after.pins_acquired - after.pins_released) -
		       (before.pins_acquired - before.pins_released));
	printf("kfuzz: MemAvailable %lld kB before, %lld kB after; MemFree %lld kB, %lld kB\n",
	       before.mem_available_kb, after.mem_available_kb, before.mem_free_kb,
	       after.mem_free_kb);

	reached = st->exits[VIREO_EXIT_IO] + st->exits[VIREO_EXIT_MMIO] + st->exits[VIREO_EXIT_HLT] +
		  st->exits[VIREO_EXIT_MSR] > 0;
	test_line(prefix, "kernel-log", !res.bad_log_lines, res.bad_log_lines ?
		  "%llu bad kernel log line(s), first after seed %llu" : "",
		  (unsigned long long)res.bad_log_lines, (unsigned long long)res.first_bad_seed);
	test_line(prefix, "no-stuck", !res.stuck, res.stuck ?
		  "%llu program(s) not reaped after SIGKILL, first seed %llu" : "",
		  (unsigned long long)res.stuck, (unsigned long long)res.first_stuck_seed);
	test_line(prefix, "no-hung-ioctl", !st->hung_ioctls, st->hung_ioctls ?
		  "%llu ioctl(s) ignored kicks, seed %llu" : "",
		  (unsigned long long)st->hung_ioctls, (unsigned long long)st->hung_seed);
	test_line(prefix, "pins-released", !res.pin_leaks, res.pin_leaks ?
		  "%llu program(s) left pages pinned, first seed %llu" : "",
		  (unsigned long long)res.pin_leaks, (unsigned long long)res.first_pin_seed);
	test_line(prefix, "reached-guest", reached, reached ? "" :
		  "no IO, MMIO, HLT or MSR exit in %llu programs", (unsigned long long)st->programs);
	findings = res.bad_log_lines || res.stuck || st->hung_ioctls || res.pin_leaks;
	return findings ? 1 : 0;
}
