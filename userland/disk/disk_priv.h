/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside libvireo-disk: the backend ops table and the common handle that
 * every format embeds (reached back with container_of, never void *).
 */
#ifndef VIREO_DISK_PRIV_H
#define VIREO_DISK_PRIV_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include "disk.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct vireo_disk;

/*
 * One const table per format.  The generic layer (disk.c) validates
 * ranges, takes the handle's mutex and checks writability before calling
 * pread/pwrite/discard/resize, so a backend sees only in-range requests on
 * a handle of its own format, one at a time.
 */
struct vireo_disk_ops {
	const char *name;
	enum vireo_disk_format format;
	int (*pread)(struct vireo_disk *d, void *buf, size_t len, uint64_t off);
	int (*pwrite)(struct vireo_disk *d, const void *buf, size_t len, uint64_t off);
	int (*flush)(struct vireo_disk *d);
	int (*discard)(struct vireo_disk *d, uint64_t off, uint64_t len);	/* optional */
	int (*resize)(struct vireo_disk *d, uint64_t new_size);
	void (*info)(struct vireo_disk *d, struct vireo_disk_info *info);
	int (*check)(struct vireo_disk *d, struct vireo_disk_check *res, FILE *log);	/* optional */
	void (*close)(struct vireo_disk *d);	/* frees the containing struct */
};

struct vireo_disk {
	const struct vireo_disk_ops *ops;	/* (i) */
	char *path;		/* (i) as given by the caller, for messages */
	int fd;			/* (i) */
	bool ro;		/* (i) */
	unsigned int flags;	/* (i) VIREO_DISK_* open flags */
	uint64_t size;		/* [lock] virtual size */
	pthread_mutex_t lock;	/* serialises every call */
	char err[VIREO_DISK_ERR_MAX];	/* [lock] last error */
};

extern const struct vireo_disk_ops vireo_disk_raw_ops;
extern const struct vireo_disk_ops vireo_disk_qcow2_ops;

/* Format "<path>: <fmt...>" into @buf. */
void vireo_disk_fmt_err(char *buf, size_t len, const char *path, const char *fmt, va_list ap);
void vireo_disk_err_set(struct vireo_disk_err *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set @d's message; returns @ret so that `return vireo_disk_fail(d, -EIO, ...)` reads well. */
int vireo_disk_fail(struct vireo_disk *d, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Backend openers: fill *out on success; @depth counts the backing chain. */
int vireo_disk_raw_open(const char *path, int fd, unsigned int flags, struct vireo_disk **out,
			struct vireo_disk_err *err);
int vireo_disk_qcow2_open(const char *path, int fd, unsigned int flags, int depth,
			  struct vireo_disk **out, struct vireo_disk_err *err);
/* Open with the chain depth (backing files). */
int vireo_disk_open_depth(const char *path, enum vireo_disk_format fmt, unsigned int flags,
			  int depth, struct vireo_disk **out, struct vireo_disk_err *err);

int vireo_disk_raw_create(const char *path, const struct vireo_disk_create_opts *o,
			  struct vireo_disk_err *err);
int vireo_disk_qcow2_create(const char *path, const struct vireo_disk_create_opts *o,
			    struct vireo_disk_err *err);

/* Common handle set-up/teardown for backends. */
void vireo_disk_base_init(struct vireo_disk *d, const struct vireo_disk_ops *ops,
			  const char *path, int fd, unsigned int flags);
void vireo_disk_base_fini(struct vireo_disk *d);

/* Full pread/pwrite: loop over short transfers; reads past EOF give zeros. */
int vireo_disk_pread_full(int fd, void *buf, size_t len, uint64_t off);
int vireo_disk_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* The directory part of @path joined with @name (unless absolute); malloc'd. */
char *vireo_disk_resolve_relative(const char *path, const char *name);

#endif /* VIREO_DISK_PRIV_H */
