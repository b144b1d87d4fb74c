/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an image's file name says about its format, for `vireo disk`
 * create and convert: a new image's format is never guessed from its
 * name, but a name that names another format than the one about to be
 * used (no -f / -O given) is refused rather than written against (issue
 * 10: `convert a.qcow2 b.raw` used to write qcow2 into b.raw).  libc only.
 */
#ifndef VIREO_IMGNAME_H
#define VIREO_IMGNAME_H

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* "raw" (.raw, .img, .iso), "qcow2" (.qcow2, .qcow) or NULL. */
static inline const char *vireo_format_by_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return NULL;
	if (!strcasecmp(dot, ".qcow2") || !strcasecmp(dot, ".qcow"))
		return "qcow2";
	if (!strcasecmp(dot, ".raw") || !strcasecmp(dot, ".img") || !strcasecmp(dot, ".iso"))
		return "raw";
	return NULL;
}

/*
 * true when the default format 'dflt' may be used for 'path' (its name
 * names no format, or that one); false when the user must choose.
 */
static inline bool vireo_format_default_ok(const char *path, const char *dflt)
{
	const char *named = vireo_format_by_name(path);

	return !named || !strcmp(named, dflt);
}

#endif /* VIREO_IMGNAME_H */
