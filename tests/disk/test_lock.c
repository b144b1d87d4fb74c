// SPDX-License-Identifier: GPL-2.0
/*
 * Locking against the real QEMU tools: Vireo refuses an image qemu-io or
 * qemu-system-x86_64 holds, QEMU refuses an image a Vireo process holds
 * (for writing, or as a reader that does not share write), readers share,
 * and lock-free inspection (`qemu-img info -U`, VIREO_DISK_NO_LOCK) still
 * works.  The lock bytes themselves are QEMU's (block/file-posix.c):
 * checked in /proc/locks terms through F_OFD_GETLK.  Each test skips,
 * saying why, only when the QEMU tool it needs is not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char out[8192];

#define T_NEED_QEMU_IO()                                                                    \
	do {                                                                                \
		if (!have_qemu_io() || !have_qemu_img()) {                                  \
			vireo_test_skip("qemu-io/qemu-img not installed (make deps installs qemu-utils)"); \
			return;                                                             \
		}                                                                           \
	} while (0)

static void make_qcow2(const char *name)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2, .size = 1 << 20 };
	g_autoptr(GError) err = NULL;

	if (vireo_disk_create(tpath(name), &o, &err))
		vireo_test_fail(__FILE__, __LINE__, "%s", ERRMSG(err));
}

/* Vireo's lock bytes are QEMU's: 100/101/103 held, 201/203 not shared (read-write). */
static void lock_bytes_are_qemus(void)
{
	struct holder h;

	T_CALL(make_qcow2("x.qcow2"));
	T_EQ(hold_vireo(&h, tpath("x.qcow2"), 0), 0);
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 100));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 101));
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 102));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 103));
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 200));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 201));
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 202));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 203));
	release_holder(&h);
	T_EQ(hold_vireo(&h, tpath("x.qcow2"), VIREO_DISK_RDONLY), 0);
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 100));
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 101));
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 103));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 201));
	T_TRUE(lock_byte_held(tpath("x.qcow2"), 203));
	release_holder(&h);
	T_TRUE(!lock_byte_held(tpath("x.qcow2"), 100));
}

/* Vireo among Vireo: readers share, a writer excludes readers and writers. */
static void vireo_vs_vireo(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct holder h;

	T_CALL(make_qcow2("x.qcow2"));
	T_EQ(hold_vireo(&h, tpath("x.qcow2"), VIREO_DISK_RDONLY), 0);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	vireo_disk_close(d);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), -EBUSY);
	T_STR_CONTAINS(ERRMSG(err), "x.qcow2: in use");
	release_holder(&h);
	T_EQ(hold_vireo(&h, tpath("x.qcow2"), 0), 0);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), -EBUSY);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, 0, &d, &err), -EBUSY);
	T_EQ(vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK,
			     &d, &err),
	     0);
	vireo_disk_close(d);
	release_holder(&h);
}

/* QEMU refuses what a Vireo writer holds; qemu-img info -U still reads it. */
static void qemu_refuses_vireo_writer(void)
{
	const char *img = tpath("x.qcow2");
	struct holder h;
	int st[4];

	T_NEED_QEMU_IO();
	T_CALL(make_qcow2("x.qcow2"));
	T_EQ(hold_vireo(&h, img, 0), 0);
	st[0] = run(out, sizeof(out), "qemu-io -f qcow2 -c 'write 0 512' '%s'", img);
	if (st[0] == 0 || !strstr(out, "Failed to get")) {
		release_holder(&h);
		vireo_test_fail(__FILE__, __LINE__, "qemu-io write: exit %d: %s", st[0], out);
		return;
	}
	st[1] = run(out, sizeof(out), "qemu-img resize -f qcow2 '%s' +1M", img);
	st[2] = run(out, sizeof(out), "qemu-img info '%s'", img);
	st[3] = run(out, sizeof(out), "qemu-img info -U '%s'", img);
	release_holder(&h);
	T_TRUE(st[1] != 0);
	T_TRUE(st[2] != 0);
	T_EQ(st[3], 0);
	T_STR_CONTAINS(out, "virtual size: 1 MiB");
	/* and once it is closed, QEMU may write */
	T_EQ(run(out, sizeof(out), "qemu-io -f qcow2 -c 'write 0 512' '%s'", img), 0);
}

/* A Vireo reader (a backing file, a convert source) does not let QEMU write. */
static void qemu_refuses_write_to_vireo_reader(void)
{
	const char *img = tpath("x.qcow2");
	struct holder h;
	int st[2];

	T_NEED_QEMU_IO();
	T_CALL(make_qcow2("x.qcow2"));
	T_EQ(hold_vireo(&h, img, VIREO_DISK_RDONLY), 0);
	st[0] = run(out, sizeof(out), "qemu-io -f qcow2 -c 'write 0 512' '%s'", img);
	st[1] = run(out, sizeof(out), "qemu-io -r -f qcow2 -c 'read 0 512' '%s'", img);
	release_holder(&h);
	T_TRUE(st[0] != 0);
	T_EQ(st[1], 0);
}

/* Vireo refuses what qemu-io holds for writing; shares with a qemu-io reader. */
static void vireo_refuses_qemu_writer(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct holder h;
	int ro, rw, nolock, qinfo;

	T_NEED_QEMU_IO();
	T_CALL(make_qcow2("x.qcow2"));
	T_EQ(hold_qemu_io(&h, tpath("x.qcow2"), "qcow2", false), 0);
	ro = vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err);
	if (!ro)
		vireo_disk_close(d);
	rw = vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, 0, &d, &err);
	if (!rw)
		vireo_disk_close(d);
	nolock = vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO,
				 VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK, &d, &err);
	if (!nolock)
		vireo_disk_close(d);
	qinfo = run(out, sizeof(out), "qemu-img info -U '%s'", tpath("x.qcow2"));
	release_holder(&h);
	T_EQ(ro, -EBUSY);
	T_EQ(rw, -EBUSY);
	T_STR_CONTAINS(ERRMSG(err), "in use by another process");
	T_EQ(nolock, 0);
	T_EQ(qinfo, 0);
	/* qemu-io -r on qcow2: readers share, a Vireo writer is refused. */
	T_EQ(hold_qemu_io(&h, tpath("x.qcow2"), "qcow2", true), 0);
	ro = vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err);
	if (!ro)
		vireo_disk_close(d);
	rw = vireo_disk_open(tpath("x.qcow2"), VIREO_DISK_AUTO, 0, &d, &err);
	if (!rw)
		vireo_disk_close(d);
	release_holder(&h);
	T_EQ(ro, 0);
	T_EQ(rw, -EBUSY);
}

/* A raw image a qemu-system-x86_64 guest has as a writable drive. */
static void vireo_refuses_qemu_system_drive(void)
{
	char drive[600];
	char *argv[] = { "qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-display", "none",
			 "-monitor", "none", "-serial", "none", "-S", "-drive", drive, NULL };
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_RAW, .size = 1 << 20,
					    .overwrite = true };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	struct holder h;
	int rw, cr;

	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1")) {
		vireo_test_skip("qemu-system-x86_64 not installed (make deps installs qemu-system-x86)");
		return;
	}
	T_EQ(vireo_disk_create(tpath("g.raw"), &o, &err), 0);
	/* Stopped before the first instruction (-S), its virtio disk attached and locked. */
	snprintf(drive, sizeof(drive), "file=%s,format=raw,if=virtio", tpath("g.raw"));
	T_EQ(hold_exec(&h, tpath("g.raw"), 101, argv), 0);
	h.term = true;
	rw = vireo_disk_open(tpath("g.raw"), VIREO_DISK_AUTO, 0, &d, &err);
	if (!rw)
		vireo_disk_close(d);
	cr = vireo_disk_create(tpath("g.raw"), &o, &err);
	release_holder(&h);
	T_EQ(rw, -EBUSY);
	T_EQ(cr, -EBUSY);
	T_STR_CONTAINS(ERRMSG(err), "g.raw: in use");
}

static const struct vireo_test tests[] = {
	VIREO_TEST(lock_bytes_are_qemus),
	VIREO_TEST(vireo_vs_vireo),
	VIREO_TEST(qemu_refuses_vireo_writer),
	VIREO_TEST(qemu_refuses_write_to_vireo_reader),
	VIREO_TEST(vireo_refuses_qemu_writer),
	VIREO_TEST(vireo_refuses_qemu_system_drive),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(lock, tests);
