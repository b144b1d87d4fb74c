// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-guest-suite: runs the tiny test guests under vireo-run and checks
 * what comes out.  One table row per case: the vireo-run arguments, the
 * expected stdout (exact, substring or POSIX extended regex), the expected
 * exit status and an expected stderr substring.  A few cases need more than
 * one process or a signal and are written out below the table.
 *
 * Usage: vireo-guest-suite [-g GUESTS_DIR] [-m VIREO_RUN] [-l] [FILTER...]
 *   -g  where the *.bin guests are  (default $VIREO_GUESTS, else /vireo/guests)
 *   -m  the monitor to run          (default $VIREO_RUN_BIN, else vireo-run on PATH)
 *   -l  list the case names and exit
 *   FILTER  run only the cases whose name contains one of these strings
 *
 * Prints one line per case, "TEST guest/<name> PASS" or
 * "TEST guest/<name> FAIL <detail>", then "guest-suite: N passed, M failed".
 * Exit status 0 when every case run passed.
 *
 * Every wait has a deadline: a case that outlives its timeout is killed and
 * fails.  Waiting is poll() on the child's pipes and a pidfd (or, on a
 * kernel without pidfd_open, a WNOHANG reap at each 20 ms poll timeout).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S	30	/* TCG-emulated L1: generous */
#define MAX_ARGS		32
#define MAX_CAPTURE		(1 << 20)

enum match { M_EXACT, M_SUBSTR, M_REGEX };

struct gcase {
	const char *name;
	const char *args;	/* vireo-run arguments; "%G" is the guests dir */
	enum match match;
	const char *out;	/* expected stdout */
	int status;		/* expected exit status */
	const char *err;	/* substring of stderr, or NULL: don't care */
	int timeout_s;		/* 0: DEFAULT_TIMEOUT_S */
	/*
	 * Why the case cannot be judged in the QEMU L1 (an emulator
	 * shortcoming, tools/rig/README.md): run only under Bochs
	 * (VIREO_RIG_EMU=bochs), reported as SKIP elsewhere.  NULL: always.
	 */
	const char *not_on_qemu;
	/*
	 * A flag the L1 CPU must show in /proc/cpuinfo for vireo.ko to offer
	 * what the case tests (Bochs' Haswell has no PKU, tools/rig/README.md):
	 * reported as SKIP without it.  NULL: always.
	 */
	const char *needs_flag;
};

#define LONG(img)	"--mode long --load %G/" img "@0x100000 --entry 0x100000"
#define PROT(img)	"--mode protected --load %G/" img "@0x100000 --entry 0x100000"
#define REAL(img)	"--mode real --load %G/" img "@0x1000 --entry 0x1000"

/* Statuses (vireo-run contract). */
#define ST_HALT		0
#define ST_OK		33	/* debug exit 0x10: EXIT_OK in lib.inc */
#define ST_CRASH	8	/* include/vireo_exit.h: VIREO_EXIT_GUEST_CRASH */
#define ST_NOT_FOUND	2	/* VIREO_EXIT_NOT_FOUND: a file the command line names */
#define ST_SIGNAL	10	/* VIREO_EXIT_INTERRUPTED */

static const struct gcase cases[] = {
	{ "real-mode-port-io", REAL("hello_real.bin"), M_EXACT,
	  "Hello from 16-bit real mode!\nLSR reads 0x60\n", ST_OK },
	{ "stats-on-stderr-only", REAL("hello_real.bin") " --stats", M_EXACT,
	  "Hello from 16-bit real mode!\nLSR reads 0x60\n", ST_OK, "vireo-run: stats: " },
	{ "protected-mode", PROT("protected.bin"), M_EXACT,
	  "Hello from 32-bit protected mode!\nprotected mode OK\n", ST_OK },
	{ "long-mode-paging", LONG("long.bin"), M_EXACT,
	  "Hello from 64-bit long mode!\n"
	  "read through the alias:       written through 0xffff800000000000\n"
	  "read through the identity map: written through 0xffff800000000000\n"
	  "long mode OK\n", ST_OK },
	{ "real-to-long-mode", REAL("real_to_long.bin"), M_EXACT,
	  "real mode\nlong mode from real mode OK\n", ST_OK },
	{ "efer-lme-before-pae", REAL("lme_first.bin"), M_EXACT,
	  "LME set, paging off, PAE clear\nlong mode OK\nleft long mode, PAE clear\n"
	  "long mode again OK\n", ST_OK },
	{ "cr-writes-gp-64bit", LONG("cr_gp.bin"), M_EXACT, "cr #GP OK\n", ST_OK },
	{ "cr4-follows-cpuid-64bit", LONG("cr4_cpuid.bin"), M_REGEX,
	  "^cr4 cpuid OK [0-9]+\n$", ST_OK },
	/* Every flag --cpu can take away gone: no CR4 bit of the table is settable. */
	{ "cr4-follows-cpuid-hidden-64bit", LONG("cr4_cpuid.bin")
	  " --cpu host,-xsave,-fsgsbase,-smep,-smap,-umip,-pku", M_EXACT, "cr4 cpuid OK 0\n",
	  ST_OK },
	/* vireo.ko offers PKU only where the L1 kernel runs with CR4.PKE (ospke). */
	{ "pku", LONG("pku.bin"), M_EXACT,
	  ".......\npkru OK\nxcr0 set\nxrstor done\nxsave pkru OK\nprotection keys OK\n"
	  "pku OK\n", ST_OK, NULL, 0, NULL, "ospke" },
	{ "pku-hidden", LONG("pku.bin") " --cpu host,-pku", M_EXACT, "pku hidden OK\n", ST_OK },
	{ "rep-outsb", LONG("rep_outsb.bin"), M_EXACT, "123456\n", ST_OK },
	{ "rep-outsb-real-ds", REAL("rep_outsb_real.bin"), M_EXACT, "12345\n", ST_OK },
	{ "rep-insb", LONG("rep_insb.bin"), M_EXACT, "rep insb OK\n", ST_OK },
	{ "mmio", LONG("mmio.bin"), M_REGEX,
	  "^mmio: 1 (0x)?0*5a\n"
	  "mmio: 2 (0x)?0*1234\n"
	  "mmio: 4 (0x)?0*deadbeef\n"
	  "mmio: 8 (0x)?0*123456789abcdef\n"
	  "mmio OK\n$", ST_OK },
	{ "mmio-alu", LONG("mmio_alu.bin"), M_REGEX,
	  "^mmio: 1 (0x)?0*5a\n"
	  "mmio: 2 (0x)?0*cafe\n"
	  "mmio: 4 (0x)?0*3020100\n"
	  "mmio: 8 (0x)?0*1122334455667788\n"
	  "mmio alu OK\n$", ST_OK },
	{ "mmio-32bit", PROT("mmio32.bin"), M_REGEX,
	  "^mmio: 4 (0x)?0*cafe\nmmio32 OK\n$", ST_OK },
	{ "paging-string-io-and-mmio", LONG("paging_io.bin"), M_EXACT,
	  "abcdef\npaging io OK\n", ST_OK },
	{ "mmio-vector", PROT("mmio_vec.bin"), M_EXACT, "mmio vec OK\n", ST_OK },
	{ "xsave", PROT("xsave.bin"), M_REGEX,
	  "^xcr0 set\nxmm0 loaded\nymm1 loaded\nxmm0 cleared\nxsave OK\n$", ST_OK },
	/* --cpu takes AVX away: leaf 0xD no longer lists it, so the guest leaves YMM alone. */
	{ "cpu-minus-avx", PROT("xsave.bin") " --cpu host,-avx", M_EXACT,
	  "xcr0 set\nxmm0 loaded\nxmm0 cleared\nxsave OK\n", ST_OK },
	{ "tsc-aux", PROT("tsc_aux.bin"), M_EXACT, "tsc_aux written\ntsc_aux OK\n", ST_OK },
	{ "tsc-aux-hidden", PROT("tsc_aux.bin") " --cpu host,-rdtscp,-rdpid", M_EXACT,
	  "no rdtscp\n", ST_CRASH, NULL, 0,
	  "QEMU 7.2's SVM model checks only the RDTSC intercept for RDTSCP" },
	{ "cpuid", PROT("cpuid.bin")
	  " --cpuid 0x40000001=0x11111111,0x22222222,0x33333333,0x44444444"
	  " --cpuid 0x40000002.3=0xa,0xb,0xc,0xd", M_REGEX,
	  "^vendor: [^\n]*\nhypervisor: VireoVireoVi\ncpuid OK\n$", ST_OK },
	{ "msr", LONG("msr.bin"), M_EXACT, "msr OK\n", ST_OK },
	{ "hlt-if0", PROT("hlt.bin"), M_EXACT, "halting with IF=0\n", ST_HALT },
	{ "irq-on-hlt", PROT("irq.bin") " --irq-on-hlt 0x20", M_EXACT,
	  "halting with IF=1\ninterrupt 0x20 delivered after hlt\n", ST_OK },
	{ "irq-on-hlt-real-mode", REAL("irq_real.bin") " --irq-on-hlt 0x20", M_EXACT,
	  "halting with IF=1 (real mode)\ninterrupt 0x20 delivered through the IVT\n", ST_OK },
	{ "irq-on-hlt-long-mode-iretq", LONG("irq_long.bin") " --irq-on-hlt 0x20", M_EXACT,
	  "halting with IF=1 (long mode)\ninterrupt 0x20 delivered in long mode\n"
	  "back after iretq\n", ST_HALT },
	{ "hlt-if1-without-irq", PROT("irq.bin"), M_EXACT, "halting with IF=1\n", ST_HALT },
	/* SVM: the CPU switches tasks; VMX: vireo.ko emulates them (FINDINGS F9). */
	{ "task-switch", PROT("task_switch.bin"), M_EXACT,
	  "jmp to a TSS: registers OK\njmp to a TSS and back OK\n"
	  "call to a TSS and iret back OK\nint through a task gate OK\n"
	  "jmp to a busy TSS: #GP OK\njmp to a TSS below the minimum limit: #TS OK\n"
	  "#GP through a task gate OK\ncall through a task gate in the GDT OK\n"
	  "jmp to a 16-bit TSS and back OK\ntask switches OK\n", ST_OK },
	{ "triple-fault", LONG("triple.bin"), M_EXACT, "about to triple fault\n",
	  ST_CRASH, "guest triple fault (shutdown) at rip=" },
	{ "fetch-outside-ram", "--mode long --load %G/hlt.bin@0x100000 --entry 0xe0000000",
	  M_EXACT, "", ST_CRASH },
	{ "missing-image", "--mode long --load %G/no-such-guest.bin@0x100000", M_EXACT,
	  "", ST_NOT_FOUND },
	{ "bigmem-1g", "--mem 1G " LONG("bigmem.bin"), M_EXACT,
	  "bigmem: 261632 pages written and verified\n", ST_OK, NULL, 600 },
	{ "demo", "--mem 64M " LONG("demo.bin"), M_REGEX,
	  "CPU vendor   : [^\n]+\n.*Hypervisor   : \"VireoVireoVi\".*"
	  "Memory       : 64 MiB", ST_HALT },
};

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Children: spawn vireo-run with its stdout/stderr on pipes            */
/* ------------------------------------------------------------------ */

struct buf {
	char *data;
	size_t len, cap;
	bool truncated;
};

struct child {
	pid_t pid;
	int fd[2];		/* stdout, stderr pipes (read ends), -1 when closed */
	int pidfd;		/* -1: none (then reap by WNOHANG polling) */
	struct buf out[2];
	bool reaped;
	int wstatus;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > MAX_CAPTURE) {
		b->truncated = true;
		n = MAX_CAPTURE - b->len;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data) {
			perror("vireo-guest-suite: realloc");
			exit(2);
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

static int spawn(struct child *c, char *const argv[])
{
	int p[2][2], i;

	memset(c, 0, sizeof(*c));
	c->fd[0] = c->fd[1] = c->pidfd = -1;
	if (pipe2(p[0], O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(p[1], O_CLOEXEC) < 0) {
		close(p[0][0]);
		close(p[0][1]);
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		int e = errno;

		for (i = 0; i < 2; i++) {
			close(p[i][0]);
			close(p[i][1]);
		}
		return -e;
	}
	if (c->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(p[0][1], 1);
		dup2(p[1][1], 2);
		execvp(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 2; i++) {
		close(p[i][1]);
		c->fd[i] = p[i][0];
		fcntl(c->fd[i], F_SETFL, O_NONBLOCK);
	}
#ifdef SYS_pidfd_open
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd >= 0)
		fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
#endif
	return 0;
}

static bool child_done(const struct child *c)
{
	return c->reaped && c->fd[0] < 0 && c->fd[1] < 0;
}

static void try_reap(struct child *c)
{
	if (c->reaped)
		return;
	if (waitpid(c->pid, &c->wstatus, WNOHANG) == c->pid) {
		c->reaped = true;
		if (c->pidfd >= 0) {
			close(c->pidfd);
			c->pidfd = -1;
		}
	}
}

/*
 * Moves output and reaps until every child is done, `stop` says so, or the
 * deadline passes.  Returns true if all children are done.
 */
static bool pump(struct child *cs, int n, long long deadline,
		 bool (*stop)(struct child *cs, int n))
{
	for (;;) {
		struct pollfd pfd[3 * 4];
		struct child *owner[3 * 4];
		int which[3 * 4];
		bool all_done = true, need_tick = false;
		int nfd = 0, i, k, timeout;
		long long left;

		for (i = 0; i < n; i++) {
			struct child *c = &cs[i];

			try_reap(c);
			if (!child_done(c))
				all_done = false;
			for (k = 0; k < 2; k++) {
				if (c->fd[k] < 0)
					continue;
				pfd[nfd] = (struct pollfd){ .fd = c->fd[k], .events = POLLIN };
				owner[nfd] = c;
				which[nfd++] = k;
			}
			if (!c->reaped) {
				if (c->pidfd >= 0) {
					pfd[nfd] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
					owner[nfd] = c;
					which[nfd++] = 2;
				} else {
					need_tick = true;
				}
			}
		}
		if (all_done)
			return true;
		if (stop && stop(cs, n))
			return false;
		left = deadline - now_ms();
		if (left <= 0)
			return false;
		timeout = left > 1000 ? 1000 : (int)left;
		if (need_tick && timeout > 20)
			timeout = 20;
		if (poll(pfd, nfd, timeout) < 0 && errno != EINTR) {
			perror("vireo-guest-suite: poll");
			exit(2);
		}
		for (i = 0; i < nfd; i++) {
			struct child *c = owner[i];
			char tmp[4096];
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			if (which[i] == 2) {
				try_reap(c);
				continue;
			}
			r = read(c->fd[which[i]], tmp, sizeof(tmp));
			if (r > 0) {
				buf_add(&c->out[which[i]], tmp, r);
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(c->fd[which[i]]);
				c->fd[which[i]] = -1;
			}
		}
	}
}

/* Kills what is still running; gives the kernel 10 s to let it die. */
static bool kill_and_reap(struct child *cs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!cs[i].reaped)
			kill(cs[i].pid, SIGKILL);
	return pump(cs, n, now_ms() + 10000, NULL);
}

static void child_free(struct child *c)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (c->fd[k] >= 0)
			close(c->fd[k]);
		free(c->out[k].data);
	}
	if (c->pidfd >= 0)
		close(c->pidfd);
}

/* ------------------------------------------------------------------ */
/* Argument vectors                                                    */
/* ------------------------------------------------------------------ */

static const char *guests_dir;
static const char *monitor;

/* Splits `args` on spaces into argv (after argv[0] = monitor), expanding
 * %G.  The strings live in `store`, which the caller frees. */
static int make_argv(const char *args, char *argv[MAX_ARGS], char **store)
{
	size_t glen = strlen(guests_dir), len = 0;
	const char *p;
	char *s, *tok, *save;
	int n = 0;

	for (p = args; *p; p++)
		len += (p[0] == '%' && p[1] == 'G') ? glen : 1;
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	*store = s;
	for (p = args; *p; p++) {
		if (p[0] == '%' && p[1] == 'G') {
			memcpy(s, guests_dir, glen);
			s += glen;
			p++;
		} else {
			*s++ = *p;
		}
	}
	*s = '\0';
	argv[n++] = (char *)monitor;
	for (tok = strtok_r(*store, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == MAX_ARGS - 1)
			return -E2BIG;
		argv[n++] = tok;
	}
	argv[n] = NULL;
	return n;
}

static int start_case(const struct gcase *gc, struct child *c, char **store, char *why,
		      size_t whylen)
{
	char *argv[MAX_ARGS];
	int r;

	*store = NULL;
	r = make_argv(gc->args, argv, store);
	if (r >= 0)
		r = spawn(c, argv);
	if (r < 0)
		snprintf(why, whylen, "cannot start %s: %s", monitor, strerror(-r));
	return r;
}

/* ------------------------------------------------------------------ */
/* Verdicts                                                            */
/* ------------------------------------------------------------------ */

static int passed, failed;

/* Appends s to the detail, one line: newlines and controls escaped. */
static void add_escaped(char *d, size_t dlen, const char *s, size_t max)
{
	size_t used = strlen(d), i;

	for (i = 0; s[i] && i < max && used + 5 < dlen; i++) {
		unsigned char ch = s[i];

		if (ch == '\n')
			used += snprintf(d + used, dlen - used, "\\n");
		else if (ch < 0x20 || ch >= 0x7f)
			used += snprintf(d + used, dlen - used, "\\x%02x", ch);
		else
			d[used++] = ch;
	}
	if (s[i] && used + 4 < dlen)
		used += snprintf(d + used, dlen - used, "...");
	d[used] = '\0';
}

static void report(const char *name, const char *fail)
{
	if (!fail || !*fail) {
		printf("TEST guest/%s PASS\n", name);
		passed++;
	} else {
		printf("TEST guest/%s FAIL %s\n", name, fail);
		failed++;
	}
	fflush(stdout);
}

static void describe_status(const struct child *c, char *d, size_t dlen)
{
	if (!c->reaped)
		snprintf(d, dlen, "not reaped (unkillable?)");
	else if (WIFEXITED(c->wstatus))
		snprintf(d, dlen, "status %d", WEXITSTATUS(c->wstatus));
	else if (WIFSIGNALED(c->wstatus))
		snprintf(d, dlen, "killed by signal %d", WTERMSIG(c->wstatus));
	else
		snprintf(d, dlen, "wait status 0x%x", c->wstatus);
}

static bool stdout_matches(const struct gcase *gc, const char *out, char *why, size_t whylen)
{
	regex_t re;
	int r;

	switch (gc->match) {
	case M_EXACT:
		return strcmp(out, gc->out) == 0;
	case M_SUBSTR:
		return strstr(out, gc->out) != NULL;
	case M_REGEX:
		r = regcomp(&re, gc->out, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (r) {
			snprintf(why, whylen, "bad regex in the table (%d)", r);
			return false;
		}
		r = regexec(&re, out, 0, NULL, 0);
		regfree(&re);
		return r == 0;
	}
	return false;
}

/* Judges a finished child against its case; fills `fail` (empty = pass). */
static void judge(const struct gcase *gc, const struct child *c, bool timed_out, char *fail,
		  size_t flen)
{
	char st[64], why[128] = "";
	const char *out = buf_str(&c->out[0]), *err = buf_str(&c->out[1]);
	bool ok_status, ok_out, ok_err;

	describe_status(c, st, sizeof(st));
	ok_status = !timed_out && c->reaped && WIFEXITED(c->wstatus) &&
		    WEXITSTATUS(c->wstatus) == gc->status;
	ok_out = stdout_matches(gc, out, why, sizeof(why));
	ok_err = !gc->err || strstr(err, gc->err);
	fail[0] = '\0';
	if (ok_status && ok_out && ok_err)
		return;

	if (timed_out)
		snprintf(fail, flen, "timeout after %d s (killed; %s);",
			 gc->timeout_s ? gc->timeout_s : DEFAULT_TIMEOUT_S, st);
	else if (!ok_status)
		snprintf(fail, flen, "%s, want %d;", st, gc->status);
	if (!ok_out) {
		snprintf(fail + strlen(fail), flen - strlen(fail), " stdout %s%s:",
			 gc->match == M_EXACT ? "differs" : "does not match", why);
	}
	if (!ok_err)
		snprintf(fail + strlen(fail), flen - strlen(fail),
			 " stderr lacks \"%s\";", gc->err);
	snprintf(fail + strlen(fail), flen - strlen(fail), " stdout=\"");
	add_escaped(fail, flen, out, 300);
	snprintf(fail + strlen(fail), flen - strlen(fail), "\" stderr=\"");
	add_escaped(fail, flen, err, 300);
	snprintf(fail + strlen(fail), flen - strlen(fail), "\"");
}

static void run_case(const struct gcase *gc)
{
	int timeout = gc->timeout_s ? gc->timeout_s : DEFAULT_TIMEOUT_S;
	char fail[2048];
	struct child c;
	char *store;
	bool done;

	if (start_case(gc, &c, &store, fail, sizeof(fail)) < 0) {
		free(store);
		report(gc->name, fail);
		return;
	}
	done = pump(&c, 1, now_ms() + timeout * 1000LL, NULL);
	if (!done)
		kill_and_reap(&c, 1);
	judge(gc, &c, !done, fail, sizeof(fail));
	report(gc->name, fail);
	child_free(&c);
	free(store);
}

/* ------------------------------------------------------------------ */
/* Cases that are more than one process                                */
/* ------------------------------------------------------------------ */

/* Two VMs at once: two vireo-run processes, each must pass on its own. */
static void run_two_vms(void)
{
	static const struct gcase busy = {
		"two-vms-at-once", LONG("busy.bin"), M_EXACT, "busy done\n", ST_OK,
		NULL, 120,
	};
	struct child cs[2];
	char *store[2] = { NULL, NULL };
	char fail[2048] = "", one[1900];
	int i, started = 0;
	bool done;

	for (i = 0; i < 2; i++) {
		if (start_case(&busy, &cs[i], &store[i], fail, sizeof(fail)) < 0)
			break;
		started++;
	}
	if (started == 2) {
		done = pump(cs, 2, now_ms() + busy.timeout_s * 1000LL, NULL);
		if (!done)
			kill_and_reap(cs, 2);
		for (i = 0; i < 2; i++) {
			judge(&busy, &cs[i], !done, one, sizeof(one));
			if (one[0] && !fail[0])
				snprintf(fail, sizeof(fail), "VM %d: %s", i, one);
		}
	} else {
		kill_and_reap(cs, started);
	}
	report(busy.name, fail);
	for (i = 0; i < started; i++)
		child_free(&cs[i]);
	free(store[0]);
	free(store[1]);
}

static bool saw_spinning(struct child *cs, int n)
{
	(void)n;
	return strstr(buf_str(&cs[0].out[0]), "spinning\n") != NULL || cs[0].reaped;
}

/* A guest that spins without exits must still stop on SIGTERM/SIGINT (10). */
static void run_signal(const char *name, int sig)
{
	const struct gcase spin = { name, LONG("spin.bin"), M_EXACT, "spinning\n", ST_SIGNAL };
	char fail[2048];
	struct child c;
	char *store;
	bool done;

	if (start_case(&spin, &c, &store, fail, sizeof(fail)) < 0) {
		free(store);
		report(name, fail);
		return;
	}
	pump(&c, 1, now_ms() + DEFAULT_TIMEOUT_S * 1000LL, saw_spinning);
	if (!c.reaped)
		kill(c.pid, sig);
	done = pump(&c, 1, now_ms() + 10000, NULL);
	if (!done)
		kill_and_reap(&c, 1);
	judge(&spin, &c, !done, fail, sizeof(fail));
	report(name, fail);
	child_free(&c);
	free(store);
}

/* ------------------------------------------------------------------ */

static const char *const special[] = { "two-vms-at-once", "sigterm-spinning",
				       "sigint-spinning" };

/* Whether the first "flags" line of /proc/cpuinfo lists flag. */
static bool cpu_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192], *list, *tok, *save;
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		list = strchr(line, ':');
		if (strncmp(line, "flags", 5) || !list)
			continue;
		for (tok = strtok_r(list + 1, " \t\n", &save); tok && !found;
		     tok = strtok_r(NULL, " \t\n", &save))
			found = !strcmp(tok, flag);
		break;
	}
	fclose(f);
	return found;
}

static bool selected(const char *name, int nfilt, char **filt)
{
	int i;

	if (!nfilt)
		return true;
	for (i = 0; i < nfilt; i++)
		if (strstr(name, filt[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	size_t i;
	int opt;
	bool list = false;

	guests_dir = getenv("VIREO_GUESTS") ? getenv("VIREO_GUESTS") : "/vireo/guests";
	monitor = getenv("VIREO_RUN_BIN") ? getenv("VIREO_RUN_BIN") : "vireo-run";
	while ((opt = getopt(argc, argv, "g:m:l")) != -1) {
		switch (opt) {
		case 'g':
			guests_dir = optarg;
			break;
		case 'm':
			monitor = optarg;
			break;
		case 'l':
			list = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-g GUESTS_DIR] [-m VIREO_RUN] [-l] [FILTER...]\n",
				argv[0]);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	signal(SIGPIPE, SIG_IGN);

	if (list) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%s\n", cases[i].name);
		for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
			printf("%s\n", special[i]);
		return 0;
	}

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *emu = getenv("VIREO_RIG_EMU");

		if (!selected(cases[i].name, argc, argv))
			continue;
		if (cases[i].not_on_qemu && !(emu && !strcmp(emu, "bochs")))
			printf("TEST guest/%s SKIP %s\n", cases[i].name, cases[i].not_on_qemu);
		else if (cases[i].needs_flag && !cpu_has_flag(cases[i].needs_flag))
			printf("TEST guest/%s SKIP this CPU's /proc/cpuinfo has no '%s' flag\n",
			       cases[i].name, cases[i].needs_flag);
		else
			run_case(&cases[i]);
	}
	if (selected("two-vms-at-once", argc, argv))
		run_two_vms();
	if (selected("sigterm-spinning", argc, argv))
		run_signal("sigterm-spinning", SIGTERM);
	if (selected("sigint-spinning", argc, argv))
		run_signal("sigint-spinning", SIGINT);

	printf("guest-suite: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
