// SPDX-License-Identifier: GPL-2.0
/*
 * Writing new images without ever truncating, deleting or writing a file
 * before it is locked (issue 10).  create and convert fill a temporary
 * file beside the destination, then commit:
 *
 *   1. an unnamed file is created in the destination's directory
 *      (O_TMPFILE: a process that dies leaves nothing), or where the
 *      filesystem cannot, "<dir>/.<name>.vireo-tmp-XXXXXX" (O_EXCL); it is
 *      locked for writing (lock.c) before anything is written to it;
 *   2. it is filled and fsync'ed;
 *   3. an existing destination is opened and locked as a writer would
 *      lock it (QEMU's bytes: refused, untouched, if anyone — Vireo or
 *      QEMU — has it open), and that lock is held across
 *   4. rename() over the destination (an unnamed file gets a temporary
 *      name just before); without a destination, linkat() of the unnamed
 *      file or renameat2(RENAME_NOREPLACE) of the named one, so that a
 *      file appearing meanwhile is not clobbered without --overwrite; then
 *   5. fsync of the directory.
 *
 * The check in 3 and the rename in 4 are not one atomic step, but anyone
 * opening the destination after 3 sees our locks and is refused, and
 * anyone who had it open before 3 made 3 fail.  A failure or cancel
 * unlinks the temporary file; a signal handler does it through
 * vireo_disk_abort_cleanup(), which walks a fixed table of registered
 * temporary paths with async-signal-safe calls only (termination signals
 * are blocked from the file's creation to its registration, so the
 * handler cannot miss it).  Only SIGKILL or a
 * crash leaves a temporary file (with O_TMPFILE only in the instant of
 * step 4): unlocked, recognisable by its name, never opened again by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disk_priv.h"

/* --- temporary files a signal handler must remove ------------------------ */

enum { SLOT_FREE, SLOT_FILLING, SLOT_LIVE };

#define TMP_SLOTS 16

static struct {
	int state;		/* SLOT_*, atomic */
	char path[PATH_MAX];
} slots[TMP_SLOTS];

/* A slot for @path, or -1 when all are taken (then no cleanup on signals). */
static int slot_register(const char *path)
{
	if (strlen(path) >= PATH_MAX)
		return -1;
	for (int i = 0; i < TMP_SLOTS; i++) {
		int expect = SLOT_FREE;

		if (!__atomic_compare_exchange_n(&slots[i].state, &expect, SLOT_FILLING, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		strcpy(slots[i].path, path);
		__atomic_store_n(&slots[i].state, SLOT_LIVE, __ATOMIC_RELEASE);
		return i;
	}
	return -1;
}

static void slot_release(int i)
{
	if (i >= 0)
		__atomic_store_n(&slots[i].state, SLOT_FREE, __ATOMIC_RELEASE);
}

void vireo_disk_abort_cleanup(void)
{
	int saved = errno;

	for (int i = 0; i < TMP_SLOTS; i++)
		if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == SLOT_LIVE)
			unlink(slots[i].path);
	errno = saved;
}

/* --- the temporary file --------------------------------------------------- */

static void random_suffix(char *s, size_t n)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned int counter;
	uint8_t r[16];
	struct timespec ts;

	if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) {
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20) ^
		    ((uint64_t)__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) << 40);
		for (size_t i = 0; i < n; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
			r[i] = (uint8_t)(x >> 33);
	}
	for (size_t i = 0; i < n; i++)
		s[i] = chars[r[i] % (sizeof(chars) - 1)];
	s[n] = 0;
}

/*
 * Name a temporary file ".<base>.vireo-tmp-XXXXXX" beside t->dst: create
 * it (@anon_fd < 0: O_EXCL, opened into t->fd) or link the unnamed file
 * @anon_fd to it.  No termination signal runs between the name's creation
 * and its registration for vireo_disk_abort_cleanup(), which would miss
 * it.  0 (t->tmp, t->named set) or -errno.
 */
static int name_tmp(struct vireo_disk_tmp *t, int anon_fd)
{
	const char *slash = strrchr(t->dst, '/');
	const char *base = slash ? slash + 1 : t->dst;
	sigset_t block, saved;
	char suffix[8], proc[40];
	int ret = 0, tries;
	bool ok = false;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", anon_fd);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	for (tries = 0; tries < 100 && !ok; tries++) {
		free(t->tmp);
		random_suffix(suffix, 6);
		/* Long names are cut so that the temporary name fits NAME_MAX. */
		if (asprintf(&t->tmp, "%.*s.%.200s.vireo-tmp-%s", slash ? (int)(slash - t->dst + 1) : 0,
			     t->dst, base, suffix) < 0) {
			t->tmp = NULL;
			errno = ENOMEM;
			break;
		}
		if (anon_fd < 0) {
			t->fd = open(t->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			ok = t->fd >= 0;
		} else {
			ok = linkat(AT_FDCWD, proc, AT_FDCWD, t->tmp, AT_SYMLINK_FOLLOW) == 0;
		}
		if (!ok && errno != EEXIST)
			break;
	}
	if (ok) {
		t->named = true;
		t->slot = slot_register(t->tmp);
	} else {
		ret = -errno;
		free(t->tmp);
		t->tmp = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return ret;
}

/*
 * An unnamed file in t->dst's directory (O_TMPFILE): if the process dies,
 * the kernel frees it, nothing is left behind.  t->tmp is its
 * /proc/self/fd path, to reopen and to link it.  Not every filesystem has
 * O_TMPFILE (and $VIREO_DISK_NO_TMPFILE, for tests, says not to use it):
 * -EOPNOTSUPP then, and a named temporary file does instead.
 */
static int anon_tmp(struct vireo_disk_tmp *t)
{
	const char *slash = strrchr(t->dst, '/');
	char *dir;
	int fd;

	if (getenv("VIREO_DISK_NO_TMPFILE"))
		return -EOPNOTSUPP;
	dir = slash ? strndup(t->dst, slash == t->dst ? 1 : (size_t)(slash - t->dst)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	free(dir);
	if (fd < 0)
		return -EOPNOTSUPP;
	if (asprintf(&t->tmp, "/proc/self/fd/%d", fd) < 0 || access(t->tmp, F_OK) < 0) {
		/* No /proc: the file could not be linked into place. */
		if (t->tmp)
			free(t->tmp);
		t->tmp = NULL;
		close(fd);
		return -EOPNOTSUPP;
	}
	t->fd = fd;
	t->anon = true;
	return 0;
}

int vireo_disk_tmp_begin(struct vireo_disk_tmp *t, const char *dst, bool overwrite,
			 GError **error)
{
	struct stat st;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->name = dst;
	t->fd = -1;
	t->slot = -1;
	t->overwrite = overwrite;
	if (lstat(dst, &st) == 0) {
		if (!overwrite)
			return vireo_error_set(error, EEXIST,
					       "%s: cannot create: %s (--overwrite replaces it)",
					       dst, strerror(EEXIST));
		/* A symlink: replace the file it names, not the link. */
		t->dst = S_ISLNK(st.st_mode) ? realpath(dst, NULL) : strdup(dst);
		if (!t->dst || stat(t->dst, &st) < 0) {
			ret = -errno;
			vireo_error_set(error, ret, "%s: cannot follow to the file to replace: %s",
					dst, strerror(errno));
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			ret = vireo_error_set(error, EINVAL, "%s: not a regular file: not replaced",
					      dst);
			goto fail;
		}
		t->existed = true;
		t->dev = st.st_dev;
		t->ino = st.st_ino;
	} else if (errno == ENOENT) {
		t->dst = strdup(dst);
	} else {
		ret = -errno;
		vireo_error_set(error, ret, "%s: cannot create: %s", dst, strerror(errno));
		return ret;
	}
	if (!t->dst)
		return -ENOMEM;
	if (anon_tmp(t))
		ret = name_tmp(t, -1);
	if (ret) {
		vireo_error_set(error, ret, "%s: cannot create: %s", dst, strerror(-ret));
		goto fail;
	}
	/* Best effort: the old file's mode, as an in-place rewrite would keep it. */
	if (t->existed)
		(void)fchmod(t->fd, st.st_mode & 07777);
	ret = vireo_disk_lock_fd(t->fd, true, t->name, error);
	if (ret) {
		vireo_disk_tmp_abort(t);
		return ret;
	}
	return 0;
fail:
	free(t->tmp);
	free(t->dst);
	t->tmp = t->dst = NULL;
	return ret;
}

int vireo_disk_tmp_not_in_chain(struct vireo_disk_tmp *t, struct vireo_disk *d, bool new_backing,
				GError **error)
{
	struct stat st;

	if (!t->existed)
		return 0;
	for (struct vireo_disk *m = d; m; m = vireo_disk_backing(m)) {
		if (fstat(m->fd, &st) < 0 || st.st_dev != t->dev || st.st_ino != t->ino)
			continue;
		if (m == d && new_backing)
			return vireo_error_set(error, EINVAL,
					       "%s: would be its own backing file (%s is the same file)",
					       t->name, m->path);
		else if (m == d)
			return vireo_error_set(error, EINVAL,
					       "%s: %s and %s are the same file: not replaced",
					       t->name, d->path, t->name);
		else if (new_backing)
			return vireo_error_set(error, EINVAL,
					       "%s: is in the backing chain of the new backing file %s (as %s): it would be its own backing file",
					       t->name, d->path, m->path);
		else
			return vireo_error_set(error, EINVAL,
					       "%s: is in the backing chain of %s (as %s): not replaced",
					       t->name, d->path, m->path);
	}
	return 0;
}

static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	/* Best effort: the rename is done; some filesystems cannot sync a directory. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static void tmp_free(struct vireo_disk_tmp *t)
{
	slot_release(t->slot);
	t->slot = -1;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->tmp);
	free(t->dst);
	t->tmp = t->dst = NULL;
}

int vireo_disk_tmp_commit(struct vireo_disk_tmp *t, GError **error)
{
	struct stat st;
	int ret = 0, tfd;

	if (fsync(t->fd) < 0) {
		ret = -errno;
		vireo_error_set(error, ret, "%s: fsync: %s", t->name, strerror(errno));
		goto abort;
	}
	for (int round = 0;; round++) {
		if (lstat(t->dst, &st) < 0) {
			/* An unnamed file is linked into place: link() never replaces. */
			if (!t->named &&
			    linkat(AT_FDCWD, t->tmp, AT_FDCWD, t->dst, AT_SYMLINK_FOLLOW) == 0)
				break;
			if (t->named &&
			    renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->dst, RENAME_NOREPLACE) == 0)
				break;
			if (t->named && (errno == EINVAL || errno == ENOSYS)) {
				/* No RENAME_NOREPLACE here: link() refuses to replace too. */
				if (link(t->tmp, t->dst) == 0) {
					unlink(t->tmp);
					break;
				}
			}
			if (errno == EEXIST && round < 2)
				continue;	/* it appeared meanwhile: the existing-file path */
			ret = -errno;
			vireo_error_set(error, ret, "%s: cannot create: %s", t->name,
					strerror(errno));
			goto abort;
		}
		if (!t->overwrite) {
			ret = vireo_error_set(error, EEXIST,
					      "%s: cannot create: %s (it appeared meanwhile; --overwrite replaces it)",
					      t->name, strerror(EEXIST));
			goto abort;
		}
		/* Lock it as a writer would, and hold that across the rename. */
		tfd = open(t->dst, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (tfd < 0) {
			ret = -errno;
			vireo_error_set(error, ret, "%s: cannot open the file to replace: %s",
					t->name, strerror(errno));
			goto abort;
		}
		if (fstat(tfd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(tfd);
			ret = vireo_error_set(error, EINVAL, "%s: not a regular file: not replaced",
					      t->name);
			goto abort;
		}
		ret = vireo_disk_lock_fd(tfd, true, t->name, error);
		/* rename() needs a name: an unnamed file gets one just for it. */
		if (!ret && !t->named) {
			ret = name_tmp(t, t->fd);
			if (ret)
				vireo_error_set(error, ret, "%s: cannot name the new file: %s",
						t->name, strerror(-ret));
		}
		if (!ret && rename(t->tmp, t->dst) < 0) {
			ret = -errno;
			vireo_error_set(error, ret, "%s: cannot replace: %s", t->name,
					strerror(errno));
		}
		close(tfd);
		if (ret)
			goto abort;
		break;
	}
	t->named = false;	/* the name is the destination's now */
	sync_dir(t->dst);
	tmp_free(t);
	return 0;
abort:
	vireo_disk_tmp_abort(t);
	return ret;
}

void vireo_disk_tmp_abort(struct vireo_disk_tmp *t)
{
	if (t->named)	/* an unnamed file goes with its last descriptor */
		unlink(t->tmp);
	tmp_free(t);
}
