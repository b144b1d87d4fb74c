// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static char tmpdir[256];

static void disk_test_begin(const char *name)
{
	(void)name;
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/vireo-disk-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void disk_test_end(void)
{
	char cmd[300];

	if (getenv("VIREO_DISK_KEEP")) {
		fprintf(stderr, "kept %s\n", tmpdir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* A fresh temporary directory around every test of this program. */
static const struct vireo_test_hooks disk_test_hooks = {
	.begin = disk_test_begin,
	.end = disk_test_end,
};

__attribute__((constructor)) static void disk_test_install_hooks(void)
{
	vireo_test_set_hooks(&disk_test_hooks);
}

const char *tpath(const char *name)
{
	static char ring[8][512];
	static int i;
	char *p = ring[i++ % 8];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static int have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

bool have_qemu_img(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = have("qemu-img");
	return cached;
}

bool have_qemu_io(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = have("qemu-io");
	return cached;
}

int run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *f;
	size_t n = 0;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out && outlen)
		out[0] = 0;
	for (;;) {
		char tmp[4096];
		size_t r = fread(tmp, 1, sizeof(tmp), f);

		if (!r)
			break;
		if (out && n + 1 < outlen) {
			size_t k = r < outlen - 1 - n ? r : outlen - 1 - n;

			memcpy(out + n, tmp, k);
			n += k;
			out[n] = 0;
		}
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int qemu_check(const char *path, char *out, size_t outlen)
{
	return run(out, outlen, "qemu-img check -f qcow2 '%s'", path);
}

uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

void rng_fill(uint64_t *s, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len >= 8) {
		uint64_t v = rng_next(s);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	while (len--)
		*p++ = (uint8_t)rng_next(s);
}

uint64_t test_seed(void)
{
	const char *e = getenv("VIREO_DISK_SEED");
	uint64_t s = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	if (!s)
		s = 1;
	fprintf(stderr, "  (seed %llu; VIREO_DISK_SEED=%llu reproduces)\n", (unsigned long long)s,
		(unsigned long long)s);
	return s;
}

int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

int patch_file(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int copy_file(const char *from, const char *to)
{
	size_t len;
	uint8_t *buf = read_file(from, &len);
	int ret;

	if (!buf)
		return -EIO;
	ret = write_file(to, buf, len);
	free(buf);
	return ret;
}

int64_t compare_disk(struct vireo_disk *d, const uint8_t *shadow, uint64_t size)
{
	static uint8_t buf[1 << 20];

	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		if (vireo_disk_pread(d, buf, n, off))
			return (int64_t)off;
		if (memcmp(buf, shadow + off, n)) {
			for (size_t i = 0; i < n; i++)
				if (buf[i] != shadow[off + i])
					return (int64_t)(off + i);
		}
	}
	return -1;
}

int hold_vireo(struct holder *h, const char *path, unsigned int flags)
{
	int ready[2], stop[2];
	char c = 0;

	h->pid = -1;
	h->fd = -1;
	h->out = -1;
	h->term = false;
	if (pipe(ready) || pipe(stop)) {
		vireo_test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		return -1;
	}
	h->pid = fork();
	if (h->pid == 0) {
		g_autoptr(GError) err = NULL;
		struct vireo_disk *d;

		close(ready[0]);
		close(stop[1]);
		c = vireo_disk_open(path, VIREO_DISK_AUTO, flags, &d, &err) ? 'e' : 'o';
		if (c == 'e')
			fprintf(stderr, "holder: %s\n", ERRMSG(err));
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		while (read(stop[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(stop[0]);
	h->fd = stop[1];
	if (read(ready[0], &c, 1) != 1 || c != 'o') {
		close(ready[0]);
		release_holder(h);
		vireo_test_fail(__FILE__, __LINE__, "the holder could not open %s", path);
		return -1;
	}
	close(ready[0]);
	return 0;
}

bool lock_byte_held(const char *path, int byte)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool held;

	if (fd < 0)
		return false;
	held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

int hold_exec(struct holder *h, const char *path, int byte, char *const argv[])
{
	struct timespec t0, now, nap = { 0, 2 * 1000 * 1000 };
	int in[2], st;

	h->pid = -1;
	h->fd = -1;
	h->out = -1;
	h->term = false;
	if (pipe(in)) {
		vireo_test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		return -1;
	}
	h->pid = fork();
	if (h->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(null, 1);
		dup2(null, 2);
		close(in[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	h->fd = in[1];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!lock_byte_held(path, byte)) {
		if (waitpid(h->pid, &st, WNOHANG) == h->pid) {
			h->pid = -1;
			release_holder(h);
			vireo_test_fail(__FILE__, __LINE__, "%s could not open %s", argv[0], path);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 30) {
			h->term = true;
			release_holder(h);
			vireo_test_fail(__FILE__, __LINE__, "%s did not lock %s in 30 s", argv[0], path);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

/*
 * qemu-io is ready (its image open, every lock byte taken) once it prompts
 * for a command: read its output up to "qemu-io> ".
 */
int hold_qemu_io(struct holder *h, const char *path, const char *fmt, bool readonly)
{
	char buf[4096];
	size_t n = 0;
	int in[2], out[2];

	h->pid = -1;
	h->fd = -1;
	h->out = -1;
	h->term = false;
	if (pipe(in) || pipe(out)) {
		vireo_test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		return -1;
	}
	h->pid = fork();
	if (h->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		if (readonly)
			execlp("qemu-io", "qemu-io", "-r", "-f", fmt, path, (char *)NULL);
		else
			execlp("qemu-io", "qemu-io", "-f", fmt, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->fd = in[1];
	h->out = out[0];
	buf[0] = 0;
	while (!strstr(buf, "qemu-io> ")) {
		ssize_t r = read(h->out, buf + n, sizeof(buf) - 1 - n);

		if (r <= 0 || n + r >= sizeof(buf) - 1) {
			release_holder(h);
			vireo_test_fail(__FILE__, __LINE__, "qemu-io could not open %s: %s", path, buf);
			return -1;
		}
		n += r;
		buf[n] = 0;
	}
	return 0;
}

void release_holder(struct holder *h)
{
	int st;

	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->pid > 0 && h->term)
		kill(h->pid, SIGTERM);
	if (h->pid > 0)
		waitpid(h->pid, &st, 0);
	h->pid = -1;
	if (h->out >= 0)
		close(h->out);
	h->out = -1;
}

uint64_t file_hash(const char *path)
{
	size_t len;
	uint8_t *buf = read_file(path, &len);
	uint64_t h = 0xcbf29ce484222325ull;

	if (!buf)
		return 0;
	for (size_t i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	free(buf);
	return h ? h : 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void dir_names(char *out, size_t len)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	char *names[256];
	size_t n = 0, pos = 0;

	out[0] = 0;
	if (!dir)
		return;
	while ((e = readdir(dir)) && n < 256)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(out + pos, len - pos, "%s%s", i ? " " : "", names[i]);

		if (k > 0 && (size_t)k < len - pos)
			pos += k;
		free(names[i]);
	}
}
