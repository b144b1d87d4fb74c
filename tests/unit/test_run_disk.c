// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run --disk with images made by QEMU's tools: an image from
 * `qemu-img create -f qcow2` opens (probed and with format=qcow2), reads
 * as zeros, takes a write and reads it back; after close `qemu-img check`
 * finds no errors.  Skipped when qemu-img is not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vireo/error.h>

#include "disk/disk.h"
#include "pc_disk.h"
#include "test.h"

static int sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

static void open_rw(const char *path, enum vireo_disk_fmt_opt fmt)
{
	struct vireo_disk_opt o = { .path = path, .format = fmt };
	struct vireo_disk *d;
	static uint8_t buf[4096], back[4096];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec iov2[2] = { { .iov_base = back, .iov_len = 512 },
				 { .iov_base = back + 512, .iov_len = sizeof(back) - 512 } };
	g_autoptr(GError) error = NULL;
	unsigned int i;
	int r;

	r = vireo_pc_disk_open(&o, &d, &error);
	if (r) {
		vireo_test_fail(__FILE__, __LINE__, "open %s: %s", path, error->message);
		return;
	}
	T_EQ(vireo_disk_format(d), VIREO_DISK_QCOW2);
	T_EQ(vireo_disk_size(d), 64ULL << 20);
	memset(buf, 0xaa, sizeof(buf));
	T_EQ(vireo_disk_preadv(d, &iov, 1, 1 << 20), 0);
	for (i = 0; i < sizeof(buf); i++)
		T_EQ(buf[i], 0);
	memset(buf, 0x5c, sizeof(buf));
	T_EQ(vireo_disk_pwritev(d, &iov, 1, 3 << 20), 0);
	T_EQ(vireo_disk_flush(d), 0);
	T_EQ(vireo_disk_preadv(d, iov2, 2, 3 << 20), 0);
	T_TRUE(!memcmp(buf, back, sizeof(buf)));
	vireo_disk_close(d);
}

static void run_disk_qemu_img_qcow2(void)
{
	char dir[] = "/tmp/vireo-run-disk-XXXXXX", path[64];

	if (system("qemu-img --version >/dev/null 2>&1")) {
		vireo_test_skip("qemu-img is not installed");
		return;
	}
	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/q.qcow2", dir);
	T_EQ(sh("qemu-img create -q -f qcow2 %s 64M", path), 0);
	open_rw(path, VIREO_DISK_FMT_AUTO);
	if (!vireo_test_failed())
		open_rw(path, VIREO_DISK_FMT_QCOW2);
	if (!vireo_test_failed() && sh("qemu-img check -q %s", path))
		vireo_test_fail(__FILE__, __LINE__, "qemu-img check found errors in %s", path);
	unlink(path);
	rmdir(dir);
}

static void run_disk_truncated_qcow2_named(void)
{
	/* A truncated qcow2 header is refused with the file's name. */
	char dir[] = "/tmp/vireo-run-disk-XXXXXX", path[64];
	g_autoptr(GError) error = NULL;
	struct vireo_disk_opt o = { .format = VIREO_DISK_FMT_QCOW2 };
	struct vireo_disk *d;
	FILE *f;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/bad.qcow2", dir);
	f = fopen(path, "w");
	T_TRUE(f != NULL);
	fwrite("QFI\xfb\0\0\0\3", 1, 8, f);
	fclose(f);
	o.path = path;
	T_TRUE(vireo_pc_disk_open(&o, &d, &error) < 0);
	unlink(path);
	rmdir(dir);
	T_STR_CONTAINS(error->message, "bad.qcow2");
}

/* The qcow2 backend grows (disk-resize): the image reopens at the new size, data kept. */
static void run_disk_qcow2_resize(void)
{
	char dir[] = "/tmp/vireo-run-disk-XXXXXX", path[64];
	g_autoptr(GError) error = NULL;
	struct vireo_disk_create_opts co = { .format = VIREO_DISK_QCOW2, .size = 1 << 20 };
	struct vireo_disk_opt o = { .format = VIREO_DISK_FMT_AUTO };
	struct vireo_disk *d;
	static uint8_t buf[4096];
	unsigned int i;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/g.qcow2", dir);
	T_EQ(vireo_disk_create(path, &co, NULL), 0);
	o.path = path;
	T_EQ(vireo_pc_disk_open(&o, &d, &error), 0);
	memset(buf, 0x3c, sizeof(buf));
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), 0), 0);
	T_EQ(vireo_disk_resize(d, 5 << 20), 0);
	T_EQ(vireo_disk_pwrite(d, buf, sizeof(buf), (5 << 20) - sizeof(buf)), 0);
	vireo_disk_close(d);
	T_EQ(vireo_pc_disk_open(&o, &d, &error), 0);
	T_EQ(vireo_disk_size(d), 5 << 20);
	memset(buf, 0, sizeof(buf));
	T_EQ(vireo_disk_pread(d, buf, sizeof(buf), 0), 0);
	for (i = 0; i < sizeof(buf); i++)
		T_EQ(buf[i], 0x3c);
	vireo_disk_close(d);
	if (system("qemu-img --version >/dev/null 2>&1"))
		printf("      note: qemu-img is not installed: qemu-img check of the grown qcow2 "
		       "skipped\n");
	else if (sh("qemu-img check -q %s", path))
		vireo_test_fail(__FILE__, __LINE__, "qemu-img check found errors in %s", path);
	unlink(path);
	rmdir(dir);
}

/*
 * Raw --disk images go through the same layer: format=auto probes raw for
 * a file without the qcow2 magic, format=raw takes the bytes as they are
 * (even a qcow2 file's), format=qcow2 of a raw file is refused naming it;
 * a second writer is refused as in use.
 */
static void run_disk_raw_same_layer(void)
{
	char dir[] = "/tmp/vireo-run-disk-XXXXXX", raw[64], q[64];
	g_autoptr(GError) error = NULL;
	struct vireo_disk_create_opts co = { .format = VIREO_DISK_QCOW2, .size = 1 << 20 };
	struct vireo_disk_opt o = { .format = VIREO_DISK_FMT_AUTO };
	struct vireo_disk *d, *d2;
	uint8_t buf[512];
	FILE *f;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(raw, sizeof(raw), "%s/r.img", dir);
	snprintf(q, sizeof(q), "%s/q.qcow2", dir);
	f = fopen(raw, "w");
	T_TRUE(f != NULL);
	memset(buf, 0x42, sizeof(buf));
	T_EQ(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	fclose(f);
	T_EQ(vireo_disk_create(q, &co, NULL), 0);

	o.path = raw;
	T_EQ(vireo_pc_disk_open(&o, &d, &error), 0);
	T_EQ(vireo_disk_format(d), VIREO_DISK_RAW);
	T_EQ(vireo_disk_size(d), 512);
	T_TRUE(vireo_pc_disk_open(&o, &d2, &error) == -EBUSY);
	T_STR_CONTAINS(error->message, "r.img");
	T_STR_CONTAINS(error->message, "in use");
	vireo_disk_close(d);
	o.format = VIREO_DISK_FMT_QCOW2;
	T_TRUE(vireo_pc_disk_open(&o, &d, &error) < 0);
	T_STR_CONTAINS(error->message, "r.img");
	T_STR_CONTAINS(error->message, "not a qcow2 image");

	o.path = q;
	o.format = VIREO_DISK_FMT_RAW;
	o.readonly = true;
	T_EQ(vireo_pc_disk_open(&o, &d, &error), 0);
	T_EQ(vireo_disk_format(d), VIREO_DISK_RAW);
	T_TRUE(vireo_disk_readonly(d));
	T_EQ(vireo_disk_pread(d, buf, 4, 0), 0);
	T_TRUE(!memcmp(buf, "QFI\xfb", 4));
	vireo_disk_close(d);
	unlink(raw);
	unlink(q);
	rmdir(dir);
}

static const struct vireo_test vireo_tests_run_disk[] = {
	VIREO_TEST(run_disk_qemu_img_qcow2),
	VIREO_TEST(run_disk_truncated_qcow2_named),
	VIREO_TEST(run_disk_qcow2_resize),
	VIREO_TEST(run_disk_raw_same_layer),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(run_disk, vireo_tests_run_disk);
