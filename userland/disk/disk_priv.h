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
#include <sys/types.h>

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
	/* Optional: a whole scatter-gather list at once (else pread/pwrite per buffer). */
	int (*preadv)(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		      uint64_t off);
	int (*pwritev)(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		       uint64_t off);
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
	char err[VIREO_DISK_ERR_MAX];	/* [lock] the message of the last failed call */
};

extern const struct vireo_disk_ops vireo_disk_raw_ops;
extern const struct vireo_disk_ops vireo_disk_qcow2_ops;

/* Format "<path>: <fmt...>" into @buf. */
void vireo_disk_fmt_err(char *buf, size_t len, const char *path, const char *fmt, va_list ap);
/* Set @d's message; returns @ret so that `return vireo_disk_fail(d, -EIO, ...)` reads well. */
int vireo_disk_fail(struct vireo_disk *d, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Internal open flag, above the public ones: the format was declared by a
 * qcow2 backing-format extension, by create's -F or by
 * vireo_disk_validate(), so raw declared for a file with the qcow2 magic
 * is refused too (the guest would see, and could rewrite, the metadata).
 */
#define VIREO_DISK_F_STRICT	(1u << 30)

/*
 * One image of a backing chain being opened, linked to the image that
 * names it (NULL for the top): loops are found by device and inode, so
 * that "a.qcow2" and "./x/../a.qcow2" or a hard link are one file.
 */
struct vireo_disk_chain {
	const struct vireo_disk_chain *child;
	const char *path;
	dev_t dev;
	ino_t ino;
	int depth;	/* 0 for the top */
};

/* Backend openers: fill *out on success; @self is the image's place in its chain. */
int vireo_disk_raw_open(const char *path, int fd, unsigned int flags, struct vireo_disk **out,
			GError **error);
int vireo_disk_qcow2_open(const char *path, int fd, unsigned int flags,
			  const struct vireo_disk_chain *self, struct vireo_disk **out,
			  GError **error);
/* Open a backing file of @child (NULL: a top image). */
int vireo_disk_open_chain(const char *path, enum vireo_disk_format fmt, unsigned int flags,
			  const struct vireo_disk_chain *child, struct vireo_disk **out,
			  GError **error);
/* The backing file handle of @d (qcow2 with an open backing file), else NULL. */
struct vireo_disk *vireo_disk_backing(struct vireo_disk *d);

/*
 * Writing a new image safely (replace.c): a temporary file beside the
 * destination (unnamed, O_TMPFILE, where the filesystem has it), locked
 * for writing, linked or renamed over the destination at commit once the
 * destination (if any) is locked by us too.  @dst is resolved (a symlink
 * to a file is followed: its target is replaced).
 */
struct vireo_disk_tmp {
	const char *name;	/* the destination as the caller gave it, for messages */
	char *dst;		/* the path renamed over */
	char *tmp;		/* "<dir>/.<base>.vireo-tmp-XXXXXX", or "/proc/self/fd/N" */
	int fd;			/* O_RDWR, write-locked */
	bool anon;		/* O_TMPFILE: unnamed until linked into place */
	bool named;		/* tmp is a directory entry of ours (to unlink on failure) */
	int slot;		/* signal-cleanup slot, or -1 */
	bool overwrite;
	bool existed;		/* dst existed at begin */
	dev_t dev;		/* of the existing dst */
	ino_t ino;
};
int vireo_disk_tmp_begin(struct vireo_disk_tmp *t, const char *dst, bool overwrite,
			 GError **error);
/*
 * Refuse (-EINVAL) an existing destination that is @d or a file of its
 * backing chain: @d is the convert source, or (@new_backing) the backing
 * file of the image being created.
 */
int vireo_disk_tmp_not_in_chain(struct vireo_disk_tmp *t, struct vireo_disk *d, bool new_backing,
				GError **error);
int vireo_disk_tmp_commit(struct vireo_disk_tmp *t, GError **error);
void vireo_disk_tmp_abort(struct vireo_disk_tmp *t);

/* Fill the (empty, locked) file @fd, named @tmp, with a new image; @name for messages. */
int vireo_disk_raw_fill(const char *name, int fd, uint64_t size, GError **error);
/*
 * qcow2: @bfmt is the backing file's format name (NULL without one), @size
 * the final virtual size (already defaulted and rounded).
 */
int vireo_disk_qcow2_fill(const char *name, const char *tmp, int fd,
			  const struct vireo_disk_create_opts *o, const char *bfmt, uint64_t size,
			  GError **error);
/* Options check shared by create and convert: cluster size, L1 limit. */
int vireo_disk_qcow2_check_opts(const char *name, uint64_t cluster, uint64_t size,
				GError **error);

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
