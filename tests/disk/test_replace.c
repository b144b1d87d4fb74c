// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing is truncated, deleted or written before it is locked (issue 10):
 * create and convert build a temporary file next to the destination and
 * rename it over the target only at the end, after checking that nobody
 * (Vireo or QEMU) has the target open.  These tests hold a target open in
 * another process, replace a file with itself (directly, through a
 * symlink, a hard link, a backing chain), run two converts to one
 * destination, cancel and interrupt a convert; every time the old file
 * must be intact byte for byte, and no temporary file may be left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static char out[8192];

/* A small qcow2 image @name with recognisable content; returns its hash. */
static uint64_t make_image(const char *name, enum vireo_disk_format fmt, uint8_t fill)
{
	struct vireo_disk_create_opts o = { .format = fmt, .size = 1 << 20, .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t buf[4096];

	memset(buf, fill, sizeof(buf));
	if (vireo_disk_create(tpath(name), &o, &err) ||
	    vireo_disk_open(tpath(name), fmt, 0, &d, &err)) {
		vireo_test_fail(__FILE__, __LINE__, "%s", ERRMSG(err));
		return 0;
	}
	if (vireo_disk_pwrite(d, buf, sizeof(buf), 8192) || vireo_disk_close(d)) {
		vireo_test_fail(__FILE__, __LINE__, "writing %s failed", name);
		return 0;
	}
	return file_hash(tpath(name));
}

/* The test directory holds exactly @names (space separated, sorted). */
#define T_DIR_IS(names)                                                                     \
	do {                                                                                \
		dir_names(out, sizeof(out));                                                \
		if (strcmp(out, names)) {                                                   \
			vireo_test_fail(__FILE__, __LINE__, "directory holds \"%s\", want \"%s\"", \
					out, names);                                        \
			return;                                                             \
		}                                                                           \
	} while (0)

static void overwrite_held(enum vireo_disk_format fmt, bool qemu)
{
	struct vireo_disk_create_opts o = { .format = fmt, .size = 2 << 20, .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct holder h;
	uint64_t old;
	int ret;

	T_CALL(old = make_image("held.img", fmt, 0x5a));
	if (qemu)
		T_EQ(hold_qemu_io(&h, tpath("held.img"), vireo_disk_format_name(fmt), false), 0);
	else
		T_EQ(hold_vireo(&h, tpath("held.img"), 0), 0);
	ret = vireo_disk_create(tpath("held.img"), &o, &err);
	release_holder(&h);
	T_TRUE(ret != 0);
	T_STR_CONTAINS(ERRMSG(err), "held.img");
	T_STR_CONTAINS(ERRMSG(err), "in use");
	T_EQ(file_hash(tpath("held.img")), old);
	T_DIR_IS("held.img");
	/* Once it is free, --overwrite replaces it. */
	T_EQ(vireo_disk_create(tpath("held.img"), &o, &err), 0);
	T_TRUE(file_hash(tpath("held.img")) != old);
	T_DIR_IS("held.img");
}

/* `create --overwrite IMG` while another Vireo process has IMG open. */
static void create_overwrite_in_use_qcow2(void)
{
	overwrite_held(VIREO_DISK_QCOW2, false);
}

static void create_overwrite_in_use_raw(void)
{
	overwrite_held(VIREO_DISK_RAW, false);
}

/* The same with qemu-io holding it: QEMU's lock bytes are honoured. */
static void create_overwrite_qemu_holds(void)
{
	if (!have_qemu_io()) {
		vireo_test_skip("qemu-io not installed (make deps installs qemu-utils)");
		return;
	}
	T_CALL(overwrite_held(VIREO_DISK_QCOW2, true));
	T_CALL(overwrite_held(VIREO_DISK_RAW, true));
}

/* convert --overwrite held.img: refused while in use, the old file intact. */
static void convert_overwrite_in_use(void)
{
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_QCOW2, .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct holder h;
	uint64_t old;
	int ret;

	T_CALL(make_image("src.qcow2", VIREO_DISK_QCOW2, 1));
	T_CALL(old = make_image("dst.qcow2", VIREO_DISK_QCOW2, 2));
	T_EQ(hold_vireo(&h, tpath("dst.qcow2"), VIREO_DISK_RDONLY), 0);
	ret = vireo_disk_convert(tpath("src.qcow2"), tpath("dst.qcow2"), &o, &err);
	release_holder(&h);
	T_TRUE(ret != 0);
	T_STR_CONTAINS(ERRMSG(err), "in use");
	T_EQ(file_hash(tpath("dst.qcow2")), old);
	T_DIR_IS("dst.qcow2 src.qcow2");
}

/* convert --overwrite X X, through a symlink, through a hard link. */
static void convert_onto_itself(void)
{
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_RAW, .overwrite = true };
	g_autoptr(GError) err = NULL;
	uint64_t old;

	T_CALL(old = make_image("x.qcow2", VIREO_DISK_QCOW2, 3));
	T_TRUE(vireo_disk_convert(tpath("x.qcow2"), tpath("x.qcow2"), &o, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "same file");
	T_STR_CONTAINS(ERRMSG(err), "x.qcow2");
	T_EQ(file_hash(tpath("x.qcow2")), old);
	T_EQ(symlink("x.qcow2", tpath("link.qcow2")), 0);
	T_TRUE(vireo_disk_convert(tpath("x.qcow2"), tpath("link.qcow2"), &o, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "same file");
	T_STR_CONTAINS(ERRMSG(err), "link.qcow2");
	T_EQ(file_hash(tpath("x.qcow2")), old);
	T_EQ(link(tpath("x.qcow2"), tpath("hard.qcow2")), 0);
	T_TRUE(vireo_disk_convert(tpath("hard.qcow2"), tpath("x.qcow2"), &o, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "same file");
	T_EQ(file_hash(tpath("x.qcow2")), old);
	T_DIR_IS("hard.qcow2 link.qcow2 x.qcow2");
}

/* The destination is in the source's backing chain; a new image backed by itself. */
static void replace_backing_chain_member(void)
{
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_QCOW2, .overwrite = true };
	struct vireo_disk_create_opts c = { .format = VIREO_DISK_QCOW2 };
	g_autoptr(GError) err = NULL;
	uint64_t base, top;

	T_CALL(base = make_image("base.qcow2", VIREO_DISK_QCOW2, 4));
	c.backing_file = "base.qcow2";
	T_EQ(vireo_disk_create(tpath("mid.qcow2"), &c, &err), 0);
	c.backing_file = "mid.qcow2";
	T_EQ(vireo_disk_create(tpath("top.qcow2"), &c, &err), 0);
	top = file_hash(tpath("top.qcow2"));
	T_TRUE(vireo_disk_convert(tpath("top.qcow2"), tpath("base.qcow2"), &o, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "backing chain");
	T_STR_CONTAINS(ERRMSG(err), "base.qcow2");
	T_STR_CONTAINS(ERRMSG(err), "top.qcow2");
	T_EQ(file_hash(tpath("base.qcow2")), base);
	/* create --overwrite base.qcow2 -b base.qcow2, and -b top.qcow2 (which rests on it) */
	c.overwrite = true;
	c.backing_file = "base.qcow2";
	T_TRUE(vireo_disk_create(tpath("base.qcow2"), &c, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "base.qcow2");
	T_STR_CONTAINS(ERRMSG(err), "own backing file");
	c.backing_file = "top.qcow2";
	T_TRUE(vireo_disk_create(tpath("base.qcow2"), &c, &err) != 0);
	T_STR_CONTAINS(ERRMSG(err), "backing chain");
	T_EQ(file_hash(tpath("base.qcow2")), base);
	T_EQ(file_hash(tpath("top.qcow2")), top);
	T_DIR_IS("base.qcow2 mid.qcow2 top.qcow2");
}

/*
 * Convert child: copies src to dst, telling the parent on @note once the
 * copy is half done and waiting there until @go closes.  Exit status: 0,
 * or 100 + errno of the failure.
 */
static void convert_child(const char *src, const char *dst, bool overwrite, int note, int go);

struct pause_at_half {
	int note, go;
	bool paused;
};

static int pause_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct pause_at_half *p = opaque;
	char c = 'h';

	if (!p->paused && done >= total / 2 && done < total) {
		p->paused = true;
		if (write(p->note, &c, 1) != 1)
			_exit(3);
		while (read(p->go, &c, 1) > 0)
			;
	}
	return 0;
}

static void convert_child(const char *src, const char *dst, bool overwrite, int note, int go)
{
	struct pause_at_half p = { note, go, false };
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_RAW, .overwrite = overwrite,
					     .progress = pause_progress, .opaque = &p };
	g_autoptr(GError) err = NULL;
	int ret = vireo_disk_convert(src, dst, &o, &err);

	if (ret)
		fprintf(stderr, "    convert child: %s\n", ERRMSG(err));
	_exit(ret ? 100 + (-ret & 0x7f) : 0);
}

/* Start convert_child; returns once it is half done (the temporary file exists). */
static pid_t start_paused_convert(const char *src, const char *dst, bool overwrite, int *go_fd)
{
	int note[2], go[2];
	pid_t pid;
	char c;

	if (pipe(note) || pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(note[0]);
		close(go[1]);
		convert_child(src, dst, overwrite, note[1], go[0]);
	}
	close(note[1]);
	close(go[0]);
	*go_fd = go[1];
	if (read(note[0], &c, 1) != 1) {
		close(note[0]);
		return -1;
	}
	close(note[0]);
	return pid;
}

/*
 * Two converts to one destination: the first paused half way, the second
 * (--overwrite) completes.  The destination must be the second's copy, and
 * the first must then fail (it was not told to overwrite) without
 * touching it: no destination is ever "gone".
 */
static void two_converts_one_destination(void)
{
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_RAW, .overwrite = true };
	g_autoptr(GError) err = NULL;
	uint8_t *a = malloc(8 << 20), *b = malloc(8 << 20);
	uint64_t s = 11;
	int go, st;
	pid_t pid;

	T_TRUE(a && b);
	rng_fill(&s, a, 8 << 20);
	rng_fill(&s, b, 8 << 20);
	T_EQ(write_file(tpath("a.raw"), a, 8 << 20), 0);
	T_EQ(write_file(tpath("b.raw"), b, 8 << 20), 0);
	free(a);
	free(b);
	pid = start_paused_convert(tpath("a.raw"), tpath("d.raw"), false, &go);
	T_TRUE(pid > 0);
	T_EQ(vireo_disk_convert(tpath("b.raw"), tpath("d.raw"), &o, &err), 0);
	close(go);
	T_EQ(waitpid(pid, &st, 0), pid);
	T_TRUE(WIFEXITED(st));
	T_EQ(WEXITSTATUS(st), 100 + EEXIST);
	T_EQ(file_hash(tpath("d.raw")), file_hash(tpath("b.raw")));
	T_DIR_IS("a.raw b.raw d.raw");
}

/* A cancelled convert --overwrite leaves the old destination as it was. */
static int cancel_half(void *opaque, uint64_t done, uint64_t total)
{
	(void)opaque;
	return done >= total / 2;
}

static void convert_cancel_keeps_old(void)
{
	struct vireo_disk_convert_opts o = { .dst_format = VIREO_DISK_QCOW2, .overwrite = true,
					     .progress = cancel_half };
	g_autoptr(GError) err = NULL;
	uint8_t *a = malloc(4 << 20);
	uint64_t s = 12, old;

	T_TRUE(a);
	rng_fill(&s, a, 4 << 20);
	T_EQ(write_file(tpath("a.raw"), a, 4 << 20), 0);
	free(a);
	T_CALL(old = make_image("d.qcow2", VIREO_DISK_QCOW2, 7));
	T_EQ(vireo_disk_convert(tpath("a.raw"), tpath("d.qcow2"), &o, &err), -ECANCELED);
	T_STR_CONTAINS(ERRMSG(err), "cancelled");
	T_EQ(file_hash(tpath("d.qcow2")), old);
	T_DIR_IS("a.raw d.qcow2");
	/* and a new name is not created */
	T_EQ(vireo_disk_convert(tpath("a.raw"), tpath("n.qcow2"), &o, &err), -ECANCELED);
	T_DIR_IS("a.raw d.qcow2");
}

/* vireo disk resize of an image qemu-io has open is refused; the image keeps its size. */
static void resize_while_qemu_holds(void)
{
	const char *t = getenv("VIREO");
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct holder h;
	uint64_t old;

	if (!have_qemu_io()) {
		vireo_test_skip("qemu-io not installed (make deps installs qemu-utils)");
		return;
	}
	T_CALL(old = make_image("q.qcow2", VIREO_DISK_QCOW2, 8));
	T_EQ(hold_qemu_io(&h, tpath("q.qcow2"), "qcow2", false), 0);
	if (vireo_disk_open(tpath("q.qcow2"), VIREO_DISK_AUTO, 0, &d, &err) == 0) {
		vireo_disk_close(d);
		release_holder(&h);
		vireo_test_fail(__FILE__, __LINE__, "opened read-write while qemu-io writes it");
		return;
	}
	/* include/vireo_exit.h: 3, in use */
	if (t && run(out, sizeof(out), "'%s' disk resize '%s' +1M", t, tpath("q.qcow2")) != 3) {
		release_holder(&h);
		vireo_test_fail(__FILE__, __LINE__, "vireo disk resize: %s", out);
		return;
	}
	release_holder(&h);
	T_STR_CONTAINS(ERRMSG(err), "q.qcow2");
	T_STR_CONTAINS(ERRMSG(err), "in use");
	T_EQ(file_hash(tpath("q.qcow2")), old);
}

/* The convert child's handler: what `vireo disk convert` does on Ctrl-C. */
static void on_interrupt(int sig)
{
	vireo_disk_abort_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Ctrl-C half way through convert --overwrite (and to a new name): the
 * handler's vireo_disk_abort_cleanup() removes the temporary file, the
 * old destination is untouched, no partial image is left.
 */
static void interrupted_convert(bool existing, bool named)
{
	struct sigaction sa = { .sa_handler = on_interrupt }, old;
	uint8_t *a = malloc(8 << 20);
	uint64_t s = 13, before = 0;
	int go, st;
	pid_t pid;

	T_TRUE(a);
	rng_fill(&s, a, 8 << 20);
	T_EQ(write_file(tpath("a.raw"), a, 8 << 20), 0);
	free(a);
	if (existing)
		T_CALL(before = make_image("d.raw", VIREO_DISK_RAW, 9));
	sigaction(SIGINT, &sa, &old);	/* inherited by the child */
	if (named)
		setenv("VIREO_DISK_NO_TMPFILE", "1", 1);
	pid = start_paused_convert(tpath("a.raw"), tpath("d.raw"), true, &go);
	unsetenv("VIREO_DISK_NO_TMPFILE");
	sigaction(SIGINT, &old, NULL);
	T_TRUE(pid > 0);
	/* Half written, not in place: unnamed (O_TMPFILE), or under a temporary name. */
	dir_names(out, sizeof(out));
	if (named)
		T_STR_CONTAINS(out, ".d.raw.vireo-tmp-");
	else
		T_TRUE(!strcmp(out, existing ? "a.raw d.raw" : "a.raw"));
	if (existing)
		T_EQ(file_hash(tpath("d.raw")), before);
	T_EQ(kill(pid, SIGINT), 0);
	T_EQ(waitpid(pid, &st, 0), pid);
	close(go);
	T_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	if (existing) {
		T_EQ(file_hash(tpath("d.raw")), before);
		T_DIR_IS("a.raw d.raw");
	} else {
		T_DIR_IS("a.raw");
	}
}

static void convert_interrupted_new(void)
{
	T_CALL(interrupted_convert(false, false));
	T_CALL(interrupted_convert(false, true));
}

static void convert_interrupted_overwrite(void)
{
	T_CALL(interrupted_convert(true, false));
	T_CALL(interrupted_convert(true, true));
}

/* Has @pid an unnamed (O_TMPFILE) file of the test directory open?  "/dir/#123 (deleted)" */
static bool has_unnamed_file(pid_t pid)
{
	char dir[64], link[600];
	bool found = false;
	const char *base = tpath("");
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		char p[320];
		ssize_t n;

		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		found = !strncmp(link, base, strlen(base)) && strstr(link, "/#") &&
			strstr(link, "(deleted)");
	}
	closedir(d);
	return found;
}

/*
 * vireo disk convert interrupted by Ctrl-C: it removes its temporary file
 * and exits "interrupted" (include/vireo_exit.h: 10); the old destination
 * is untouched.  The source is a 16 GiB sparse file, so that the copy is
 * still running when its temporary file shows up (that is what we wait
 * for: a name in the directory, or an unnamed file among its descriptors).
 */
static void cli_sigint(bool named)
{
	const char *t = getenv("VIREO");
	struct timespec nap = { 0, 1000 * 1000 };
	bool seen = false;
	uint64_t old;
	int st, fd;
	pid_t pid;

	if (!t) {
		vireo_test_skip("VIREO not set (run through make disk-unit)");
		return;
	}
	fd = open(tpath("big.raw"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_TRUE(fd >= 0);
	T_EQ(ftruncate(fd, 16ull << 30), 0);
	close(fd);
	T_CALL(old = make_image("d.qcow2", VIREO_DISK_QCOW2, 6));
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		if (named)
			setenv("VIREO_DISK_NO_TMPFILE", "1", 1);
		execl(t, t, "disk", "convert", "-q", "--overwrite", "-O", "qcow2", tpath("big.raw"),
		      tpath("d.qcow2"), (char *)NULL);
		_exit(127);
	}
	T_TRUE(pid > 0);
	for (int i = 0; i < 20000 && !seen; i++) {
		dir_names(out, sizeof(out));
		seen = named ? strstr(out, ".d.qcow2.vireo-tmp-") != NULL : has_unnamed_file(pid);
		if (!seen && waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (!seen)
			nanosleep(&nap, NULL);
	}
	if (!seen) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		vireo_test_fail(__FILE__, __LINE__, "no temporary file appeared: %s", out);
		return;
	}
	T_EQ(kill(pid, SIGINT), 0);
	T_EQ(waitpid(pid, &st, 0), pid);
	T_TRUE(WIFEXITED(st));
	T_EQ(WEXITSTATUS(st), 10);
	T_EQ(file_hash(tpath("d.qcow2")), old);
	T_DIR_IS("big.raw d.qcow2");
}

static void cli_convert_sigint(void)
{
	T_CALL(cli_sigint(false));
	T_CALL(cli_sigint(true));
}

/* --overwrite through a symlink replaces the file it names (keeping its mode), not the link. */
static void overwrite_through_symlink(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_RAW, .size = 2 << 20,
					    .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct stat st;
	char target[64];
	ssize_t n;

	T_EQ(mkdir(tpath("sub"), 0755), 0);
	T_CALL(make_image("sub/real.img", VIREO_DISK_RAW, 5));
	T_EQ(chmod(tpath("sub/real.img"), 0600), 0);
	T_EQ(symlink("sub/real.img", tpath("link.img")), 0);
	T_EQ(vireo_disk_create(tpath("link.img"), &o, &err), 0);
	n = readlink(tpath("link.img"), target, sizeof(target) - 1);
	T_TRUE(n > 0);
	target[n] = 0;
	T_TRUE(!strcmp(target, "sub/real.img"));
	T_EQ(stat(tpath("sub/real.img"), &st), 0);
	T_EQ(st.st_size, 2 << 20);
	T_EQ(st.st_mode & 07777, 0600);
	T_DIR_IS("link.img sub");
}

static const struct vireo_test tests[] = {
	VIREO_TEST(create_overwrite_in_use_qcow2),
	VIREO_TEST(create_overwrite_in_use_raw),
	VIREO_TEST(create_overwrite_qemu_holds),
	VIREO_TEST(convert_overwrite_in_use),
	VIREO_TEST(convert_onto_itself),
	VIREO_TEST(replace_backing_chain_member),
	VIREO_TEST(two_converts_one_destination),
	VIREO_TEST(convert_cancel_keeps_old),
	VIREO_TEST(resize_while_qemu_holds),
	VIREO_TEST(convert_interrupted_new),
	VIREO_TEST(convert_interrupted_overwrite),
	VIREO_TEST(cli_convert_sigint),
	VIREO_TEST(overwrite_through_symlink),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(replace, tests);
