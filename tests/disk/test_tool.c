// SPDX-License-Identifier: GPL-2.0
/*
 * Size parsing, and `vireo disk` end to end ($VIREO, set by make
 * disk-unit), the one image tool: exit codes, JSON output, progress on
 * stderr, check verdicts.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static void sizes(void)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "512", 0, 512 },
		{ "10G", 0, 10ull << 30 },
		{ "10g", 0, 10ull << 30 },
		{ "64k", 0, 64 << 10 },
		{ "1.5M", 0, 3 << 19 },
		{ "2GiB", 0, 2ull << 30 },
		{ "3TB", 0, 3ull << 40 },
		{ "1T", 0, 1ull << 40 },
		{ "8E", 0, 1ull << 63 },
		{ "9E", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "G", -EINVAL, 0 },
		{ "10X", -EINVAL, 0 },
		{ "10GX", -EINVAL, 0 },
		{ "1.5", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int ret = vireo_disk_parse_size(cases[i].s, &v);

		if (ret != cases[i].ret || (ret == 0 && v != cases[i].v)) {
			vireo_test_fail(__FILE__, __LINE__, "\"%s\": ret %d value %llu", cases[i].s,
					ret, (unsigned long long)v);
			return;
		}
	}
	vireo_disk_format_size(10ull << 30, buf, sizeof(buf));
	T_TRUE(!strcmp(buf, "10 GiB"));
	vireo_disk_format_size(3 << 19, buf, sizeof(buf));
	T_TRUE(!strcmp(buf, "1.5 MiB"));
	vireo_disk_format_size(100, buf, sizeof(buf));
	T_TRUE(!strcmp(buf, "100 B"));
}

/* "$VIREO disk", or NULL without $VIREO. */
static const char *img_tool(void)
{
	static char cmd[4200];
	const char *v = getenv("VIREO");

	if (!v)
		return NULL;
	snprintf(cmd, sizeof(cmd), "'%s' disk", v);
	return cmd;
}

#define T_NEED_TOOL()                                                           \
	do {                                                                    \
		if (!img_tool()) {                                              \
			vireo_test_skip("VIREO not set (run through make disk-unit)"); \
			return;                                                 \
		}                                                               \
	} while (0)

static char out[16384];

static void tool_create_info_resize(void)
{
	const char *t;

	T_NEED_TOOL();
	t = img_tool();
	T_EQ(run(out, sizeof(out), "%s create '%s' 10G", t, tpath("a.qcow2")), 0);
	T_EQ(run(out, sizeof(out), "%s info --json '%s'", t, tpath("a.qcow2")), 0);
	T_STR_CONTAINS(out, "\"format\" : \"qcow2\"");
	T_STR_CONTAINS(out, "\"virtual_size\" : 10737418240");
	T_STR_CONTAINS(out, "\"cluster_size\" : 65536");
	T_EQ(run(out, sizeof(out), "%s info '%s'", t, tpath("a.qcow2")), 0);
	T_STR_CONTAINS(out, "virtual size: 10 GiB (10737418240 bytes)");
	T_EQ(run(out, sizeof(out), "%s resize '%s' +1G", t, tpath("a.qcow2")), 0);
	T_EQ(run(out, sizeof(out), "%s info '%s'", t, tpath("a.qcow2")), 0);
	T_STR_CONTAINS(out, "virtual size: 11 GiB");
	T_EQ(run(out, sizeof(out), "%s resize '%s' 1G", t, tpath("a.qcow2")), 4);
	T_STR_CONTAINS(out, "shrinking");
	T_EQ(run(out, sizeof(out), "%s create -f raw '%s' 1.5M", t, tpath("r.raw")), 0);
	T_EQ(run(out, sizeof(out), "%s info --output=json '%s'", t, tpath("r.raw")), 0);
	T_STR_CONTAINS(out, "\"virtual_size\" : 1572864");
	T_STR_CONTAINS(out, "\"format\" : \"raw\"");
	/* -f: the image's declared format; qcow2 for a raw file is refused */
	T_EQ(run(out, sizeof(out), "%s info -f qcow2 '%s'", t, tpath("r.raw")), 4);
	T_STR_CONTAINS(out, "not a qcow2 image");
	T_EQ(run(out, sizeof(out), "%s resize -f raw '%s' 2M", t, tpath("r.raw")), 0);
	T_EQ(run(out, sizeof(out), "%s info -f raw '%s'", t, tpath("r.raw")), 0);
	T_STR_CONTAINS(out, "(2097152 bytes)");
	T_EQ(run(out, sizeof(out), "%s create -b a.qcow2 '%s'", t, tpath("c.qcow2")), 0);
	T_EQ(run(out, sizeof(out), "%s info --json '%s'", t, tpath("c.qcow2")), 0);
	T_STR_CONTAINS(out, "\"backing_file\" : \"a.qcow2\"");
	T_STR_CONTAINS(out, "\"virtual_size\" : 11811160064");
	/* errors (include/vireo_exit.h): usage 1, not found 2, exists 3, each with the file named */
	T_EQ(run(out, sizeof(out), "%s create '%s' 10X", t, tpath("x.qcow2")), 1);
	T_STR_CONTAINS(out, "not a size");
	T_EQ(run(out, sizeof(out), "%s info '%s'", t, tpath("missing.qcow2")), 2);
	T_STR_CONTAINS(out, "missing.qcow2: cannot open");
	T_EQ(run(out, sizeof(out), "%s create '%s' 1G", t, tpath("a.qcow2")), 3);
	T_STR_CONTAINS(out, "a.qcow2: cannot create: File exists");
	T_EQ(run(out, sizeof(out), "%s frobnicate", t), 1);
	T_EQ(run(out, sizeof(out), "%s --help", t), 0);
	T_STR_CONTAINS(out, "check");
}

static void tool_convert_progress(void)
{
	const char *t;

	T_NEED_TOOL();
	t = img_tool();
	T_EQ(run(out, sizeof(out), "%s create -f raw '%s' 8M && printf hello | dd of='%s' bs=1 seek=4096 conv=notrunc status=none",
		 t, tpath("s.raw"), tpath("s.raw")),
	     0);
	T_EQ(run(out, sizeof(out), "%s convert -O qcow2 '%s' '%s'", t, tpath("s.raw"),
		 tpath("s.qcow2")),
	     0);
	T_STR_CONTAINS(out, "converting: 50%");
	T_STR_CONTAINS(out, "converting: 100%");
	T_EQ(run(out, sizeof(out), "%s convert -q -O raw '%s' '%s' && cmp '%s' '%s'", t,
		 tpath("s.qcow2"), tpath("back.raw"), tpath("s.raw"), tpath("back.raw")),
	     0);
	T_TRUE(strstr(out, "100%") == NULL);
}

static void tool_check_verdicts(void)
{
	const char *t;
	uint64_t rb;
	uint16_t v;
	size_t len;
	uint8_t *f;

	T_NEED_TOOL();
	t = img_tool();
	T_EQ(run(out, sizeof(out), "%s create '%s' 1M", t, tpath("k.qcow2")), 0);
	T_EQ(run(out, sizeof(out), "%s check '%s'", t, tpath("k.qcow2")), 0);
	T_STR_CONTAINS(out, "No errors were found on the image.");
	f = read_file(tpath("k.qcow2"), &len);
	T_TRUE(f);
	memcpy(&rb, f + 65536, 8);	/* refcount table -> block 0 */
	rb = be64toh(rb);
	free(f);
	v = htobe16(2);	/* header cluster: refcount 2, one reference: a leak */
	T_EQ(patch_file(tpath("k.qcow2"), rb, &v, 2), 0);
	T_EQ(run(out, sizeof(out), "%s check '%s'", t, tpath("k.qcow2")), 14);
	T_STR_CONTAINS(out, "1 leaked clusters were found on the image.");
	T_EQ(run(out, sizeof(out), "%s check --json '%s'", t, tpath("k.qcow2")), 14);
	T_STR_CONTAINS(out, "\"leaks\" : 1");
	v = htobe16(0);	/* header cluster: refcount 0: corruption */
	T_EQ(patch_file(tpath("k.qcow2"), rb, &v, 2), 0);
	T_EQ(run(out, sizeof(out), "%s check '%s'", t, tpath("k.qcow2")), 12);
	T_STR_CONTAINS(out, "ERROR cluster 0 refcount=0 reference=1");
	if (have_qemu_img())
		T_EQ(qemu_check(tpath("k.qcow2"), out, sizeof(out)), 2);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(sizes),
	VIREO_TEST(tool_create_info_resize),
	VIREO_TEST(tool_convert_progress),
	VIREO_TEST(tool_check_verdicts),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(tool, tests);
