// SPDX-License-Identifier: GPL-2.0
/*
 * Backing chains: loops (A->B->A, A->A) and chains deeper than
 * VIREO_DISK_MAX_CHAIN are refused by every open, the lock-free NO_BACKING
 * open of `info` included, with the files of the loop named; a backing
 * format declared by the header that the file contradicts is refused;
 * vireo_disk_validate() checks a disk path and declared format the way
 * `vireo create --disk` needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char out[8192];

static int create(const char *name, enum vireo_disk_format fmt, const char *backing,
		  enum vireo_disk_format bfmt)
{
	struct vireo_disk_create_opts o = { .format = fmt, .size = backing ? 0 : 1 << 20,
					    .backing_file = backing, .backing_format = bfmt };
	g_autoptr(GError) err = NULL;
	int ret = vireo_disk_create(tpath(name), &o, &err);

	if (ret)
		vireo_test_fail(__FILE__, __LINE__, "create %s: %s", name, ERRMSG(err));
	return ret;
}

/* Rewrite the backing name @from (same length as @to) in @name's header. */
static void rename_backing(const char *name, const char *from, const char *to)
{
	size_t len;
	uint8_t *f = read_file(tpath(name), &len);
	uint8_t *p = f ? memmem(f, len < 65536 ? len : 65536, from, strlen(from)) : NULL;

	if (!p || strlen(from) != strlen(to)) {
		free(f);
		vireo_test_fail(__FILE__, __LINE__, "no backing name %s in %s", from, name);
		return;
	}
	memcpy(p, to, strlen(to));
	if (patch_file(tpath(name), p - f, to, strlen(to)))
		vireo_test_fail(__FILE__, __LINE__, "patching %s", name);
	free(f);
}

/* Every way of opening @name fails with -ELOOP and a message containing @what. */
static void all_opens_refuse(const char *name, const char *what)
{
	static const unsigned int flags[] = {
		0, VIREO_DISK_RDONLY, VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK,
		VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK,	/* vireo disk info */
		VIREO_DISK_NO_BACKING,						/* resize */
	};
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	const char *t = getenv("VIREO");

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int ret = vireo_disk_open(tpath(name), VIREO_DISK_AUTO, flags[i], &d, &err);

		if (ret == 0)
			vireo_disk_close(d);
		if (ret != -ELOOP || !strstr(ERRMSG(err), what)) {
			vireo_test_fail(__FILE__, __LINE__, "flags 0x%x: %d \"%s\", want -ELOOP \"%s\"",
					flags[i], ret, ret ? ERRMSG(err) : "", what);
			return;
		}
	}
	T_TRUE(vireo_disk_validate(tpath(name), VIREO_DISK_AUTO, &err) == -ELOOP);
	if (t) {
		/* include/vireo_exit.h: 4, an error other than not found or in use */
		T_EQ(run(out, sizeof(out), "'%s' disk info '%s'", t, tpath(name)), 4);
		T_STR_CONTAINS(out, what);
		T_EQ(run(out, sizeof(out), "'%s' disk check '%s'", t, tpath(name)), 4);
		T_STR_CONTAINS(out, what);
	}
}

static void loop_two_images(void)
{
	T_EQ(create("C.qcow2", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(create("A.qcow2", VIREO_DISK_QCOW2, "C.qcow2", 0), 0);
	T_EQ(create("B.qcow2", VIREO_DISK_QCOW2, "A.qcow2", 0), 0);
	T_CALL(rename_backing("A.qcow2", "C.qcow2", "B.qcow2"));
	T_CALL(all_opens_refuse("A.qcow2", "backing file loop"));
	T_CALL(all_opens_refuse("A.qcow2", "A.qcow2 -> "));
	T_CALL(all_opens_refuse("A.qcow2", "B.qcow2 -> "));
	T_CALL(all_opens_refuse("B.qcow2", "backing file loop"));
	if (have_qemu_img())	/* QEMU agrees that it is a loop */
		T_TRUE(run(out, sizeof(out), "qemu-img info --backing-chain '%s'",
			   tpath("A.qcow2")) != 0);
}

static void loop_self(void)
{
	T_EQ(create("C.qcow2", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(create("A.qcow2", VIREO_DISK_QCOW2, "C.qcow2", 0), 0);
	T_CALL(rename_backing("A.qcow2", "C.qcow2", "A.qcow2"));
	T_CALL(all_opens_refuse("A.qcow2", "backing file loop"));
	T_CALL(all_opens_refuse("A.qcow2", "A.qcow2 -> "));
}

/* A loop through a hard link: the same inode under another name. */
static void loop_hard_link(void)
{
	T_EQ(create("C.qcow2", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(create("A.qcow2", VIREO_DISK_QCOW2, "C.qcow2", 0), 0);
	T_CALL(rename_backing("A.qcow2", "C.qcow2", "H.qcow2"));
	T_EQ(link(tpath("A.qcow2"), tpath("H.qcow2")), 0);
	T_CALL(all_opens_refuse("A.qcow2", "A.qcow2 and "));
}

static void chain_deeper_than_max(void)
{
	struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2 };
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	char name[32], prev[32];

	T_EQ(create("c0.raw", VIREO_DISK_RAW, NULL, 0), 0);
	snprintf(prev, sizeof(prev), "c0.raw");
	for (int i = 1; i <= VIREO_DISK_MAX_CHAIN; i++) {
		snprintf(name, sizeof(name), "c%d.qcow2", i);
		T_EQ(create(name, VIREO_DISK_QCOW2, prev, 0), 0);
		snprintf(prev, sizeof(prev), "%s", name);
	}
	/* c16 rests on 16 backing files: the limit, allowed. */
	T_EQ(vireo_disk_open(tpath(prev), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err), 0);
	vireo_disk_close(d);
	/* One more level is refused by create (it opens the chain)... */
	o.backing_file = prev;
	T_EQ(vireo_disk_create(tpath("top.qcow2"), &o, &err), -ELOOP);
	T_STR_CONTAINS(ERRMSG(err), "backing chain deeper than");
	/* ...and by every open of an image made by someone else. */
	if (have_qemu_img()) {
		T_EQ(run(out, sizeof(out), "qemu-img create -f qcow2 -b '%s' -F qcow2 -u '%s' 1M",
			 prev, tpath("top.qcow2")),
		     0);
		T_CALL(all_opens_refuse("top.qcow2", "backing chain deeper than"));
	}
}

/* The header declares qcow2, the backing file is raw: refused (info too). */
static void backing_declared_qcow2_is_raw(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;
	uint8_t junk[4096];

	T_EQ(create("b.img", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(create("top.qcow2", VIREO_DISK_QCOW2, "b.img", 0), 0);
	memset(junk, 0xab, sizeof(junk));
	T_EQ(write_file(tpath("b.img"), junk, sizeof(junk)), 0);
	T_TRUE(vireo_disk_open(tpath("top.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "top.qcow2: backing file: ");
	T_STR_CONTAINS(ERRMSG(err), "b.img: not a qcow2 image");
	T_STR_CONTAINS(ERRMSG(err), "declared qcow2");
	T_TRUE(vireo_disk_open(tpath("top.qcow2"), VIREO_DISK_AUTO,
			       VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK, &d,
			       &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "declared qcow2");
}

/* The header declares raw, the backing file carries the qcow2 magic: refused. */
static void backing_declared_raw_is_qcow2(void)
{
	g_autoptr(GError) err = NULL;
	struct vireo_disk *d;

	T_EQ(create("b.img", VIREO_DISK_RAW, NULL, 0), 0);
	T_EQ(create("top.qcow2", VIREO_DISK_QCOW2, "b.img", VIREO_DISK_RAW), 0);
	T_EQ(create("q.qcow2", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(rename(tpath("q.qcow2"), tpath("b.img")), 0);
	T_TRUE(vireo_disk_open(tpath("top.qcow2"), VIREO_DISK_AUTO, VIREO_DISK_RDONLY, &d, &err) < 0);
	T_STR_CONTAINS(ERRMSG(err), "b.img: declared raw, but the file is a qcow2 image");
	/* create -F raw for a qcow2 file is refused the same way */
	{
		struct vireo_disk_create_opts o = { .format = VIREO_DISK_QCOW2,
						    .backing_file = "b.img",
						    .backing_format = VIREO_DISK_RAW };

		T_TRUE(vireo_disk_create(tpath("t2.qcow2"), &o, &err) != 0);
		T_STR_CONTAINS(ERRMSG(err), "declared raw");
	}
}

/* vireo_disk_validate: the check `vireo create --disk PATH,format=F` makes. */
static void validate_disk(void)
{
	g_autoptr(GError) err = NULL;
	uint8_t junk[8192];

	memset(junk, 0x11, sizeof(junk));
	T_EQ(write_file(tpath("r.raw"), junk, sizeof(junk)), 0);
	T_EQ(create("q.qcow2", VIREO_DISK_QCOW2, NULL, 0), 0);
	T_EQ(vireo_disk_validate(tpath("r.raw"), VIREO_DISK_AUTO, &err), 0);
	T_EQ(vireo_disk_validate(tpath("r.raw"), VIREO_DISK_RAW, &err), 0);
	T_EQ(vireo_disk_validate(tpath("q.qcow2"), VIREO_DISK_AUTO, &err), 0);
	T_EQ(vireo_disk_validate(tpath("q.qcow2"), VIREO_DISK_QCOW2, &err), 0);
	T_EQ(vireo_disk_validate(tpath("r.raw"), VIREO_DISK_QCOW2, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "r.raw: not a qcow2 image");
	T_EQ(vireo_disk_validate(tpath("q.qcow2"), VIREO_DISK_RAW, &err), -EINVAL);
	T_STR_CONTAINS(ERRMSG(err), "q.qcow2: declared raw, but the file is a qcow2 image");
	T_EQ(vireo_disk_validate(tpath("missing.img"), VIREO_DISK_AUTO, &err), -ENOENT);
	T_STR_CONTAINS(ERRMSG(err), "missing.img: cannot open");
	/* a missing backing file: the machine could not start */
	T_EQ(create("top.qcow2", VIREO_DISK_QCOW2, "q.qcow2", 0), 0);
	T_EQ(vireo_disk_validate(tpath("top.qcow2"), VIREO_DISK_QCOW2, &err), 0);
	T_EQ(unlink(tpath("q.qcow2")), 0);
	T_EQ(vireo_disk_validate(tpath("top.qcow2"), VIREO_DISK_QCOW2, &err), -ENOENT);
	T_STR_CONTAINS(ERRMSG(err), "top.qcow2: backing file: ");
	T_STR_CONTAINS(ERRMSG(err), "q.qcow2: cannot open");
	/* while info (NO_BACKING) still works on it */
	{
		struct vireo_disk *d;

		T_EQ(vireo_disk_open(tpath("top.qcow2"), VIREO_DISK_AUTO,
				     VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING | VIREO_DISK_NO_LOCK, &d,
				     &err),
		     0);
		vireo_disk_close(d);
	}
}

static const struct vireo_test tests[] = {
	VIREO_TEST(loop_two_images),
	VIREO_TEST(loop_self),
	VIREO_TEST(loop_hard_link),
	VIREO_TEST(chain_deeper_than_max),
	VIREO_TEST(backing_declared_qcow2_is_raw),
	VIREO_TEST(backing_declared_raw_is_qcow2),
	VIREO_TEST(validate_disk),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(chain, tests);
