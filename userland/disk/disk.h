/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvireo-disk: block backends for guest disks (raw files and qcow2
 * version 2/3 with backing files), image creation, resize, conversion and
 * consistency checks.  The one block layer: every block device model
 * (virtio-blk) opens its image here, whatever the format, and the
 * `vireo disk ...` CLI is a client too.  C, zlib, and GLib for its errors.
 *
 * Conventions
 *   - Every function returning int returns 0 (or a count) on success and
 *     -errno on failure.  Failures leave a message that names the file and
 *     the problem: in the caller's GError (VIREO_ERROR, the errno as its
 *     code; vireo/error.h) for the functions that take one (open, create,
 *     convert), else, for a handle's own calls, in vireo_disk_errmsg().
 *     Example: "disk.qcow2: L1 table at 0x30000 (65536 bytes) extends
 *     beyond the end of the file (size 196608)".
 *   - I/O is byte-granular: any offset and length inside the virtual size.
 *     virtio-blk passes sector * 512.  Reads of never-written areas return
 *     zeros (or the backing file's data).  A request crossing the virtual
 *     size fails with -EINVAL and does nothing.
 *   - Thread safety: every call on one handle takes the handle's mutex, so
 *     a handle may be used from several threads (e.g. one per virtqueue);
 *     requests on one image are serialised, not parallel.  Different
 *     handles are independent.
 *   - Locking: QEMU's own lock bytes (open-file-description byte-range
 *     locks, see lock.c and QEMU's block/file-posix.c), so that Vireo and
 *     QEMU (qemu-io, qemu-img, qemu-system-*) refuse each other's images
 *     the way QEMU refuses itself.  A read-write open holds the "write"
 *     and "resize" permissions and refuses them to others; a read-only open
 *     (backing files, convert sources) refuses them to others and is
 *     compatible with other read-only opens, so one backing file can serve
 *     many linked clones.  A conflict fails with -EBUSY and "in use".
 *   - Replacing files: create and convert never truncate, delete or write
 *     an existing file.  They write a temporary file in the destination's
 *     directory — unnamed (O_TMPFILE) where the filesystem allows, else
 *     named ".<name>.vireo-tmp-XXXXXX" (O_EXCL) — locked for writing,
 *     fsync it, take the write locks on the existing destination (refused,
 *     the destination untouched, if anyone has it open), link or rename
 *     the temporary file over it and fsync the directory.  A failure or a
 *     cancel removes the temporary file and leaves the destination as it
 *     was; a signal handler may call vireo_disk_abort_cleanup().  Only a
 *     SIGKILL (or a power cut) can leave a temporary file behind — with
 *     O_TMPFILE only in the instant between naming it and renaming it over
 *     an existing destination: it is harmless (unlocked, never opened by
 *     name again) and recognisable by its name; delete it when no create
 *     or convert is running.  $VIREO_DISK_NO_TMPFILE forces named
 *     temporary files (tests).
 *     Replacing needs a writable directory; the new file keeps the old
 *     one's permission bits, not its owner, ACLs or other hard links.
 *   - Durability: a completed write is in the page cache; vireo_disk_flush()
 *     (virtio-blk FLUSH) makes it durable.  Image metadata stays
 *     consistent whatever the moment the process dies or the host loses
 *     power: at worst clusters are leaked (see the ordering comment in
 *     qcow2_io.c).
 */
#ifndef VIREO_DISK_H
#define VIREO_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include <vireo/error.h>

enum vireo_disk_format {
	VIREO_DISK_AUTO = 0,	/* open: probe (qcow2 magic, else raw) */
	VIREO_DISK_RAW,
	VIREO_DISK_QCOW2,
};

/* Open flags. */
#define VIREO_DISK_RDONLY	(1u << 0)
/*
 * Do not open the backing file: unallocated clusters read as zeros.  For
 * tools that must not follow a name taken from an untrusted image (the
 * fuzzer) and for `info` of an image whose backing file is missing.
 */
#define VIREO_DISK_NO_BACKING	(1u << 1)
/*
 * Skip the ordering fdatasync()s of cluster allocation.  Only for images
 * nobody else can see until the caller is done (convert's fresh output):
 * a crash then leaves a file that must be thrown away.
 */
#define VIREO_DISK_UNSAFE_NOSYNC (1u << 2)
/*
 * Take no lock bytes (like `qemu-img info -U`): for `info` of an image a
 * running machine has open, and for callers that hold a lock of their own.
 */
#define VIREO_DISK_NO_LOCK	(1u << 3)
/*
 * With NO_BACKING: do not even read the backing files' headers.  Without
 * it, a NO_BACKING open still walks the backing chain's names (no data, no
 * locks) and refuses loops, chains deeper than VIREO_DISK_MAX_CHAIN and
 * backing files whose content contradicts the declared backing format; a
 * backing file that cannot be opened (missing) is no error there.  Only
 * for input that must not name files to read (the fuzzer).
 */
#define VIREO_DISK_NO_CHAIN	(1u << 4)

#define VIREO_DISK_ERR_MAX 1200


struct vireo_disk;

/*
 * Open @path.  @fmt VIREO_DISK_AUTO probes the first bytes: the qcow2
 * magic means qcow2, anything else raw.  An explicit VIREO_DISK_QCOW2 for
 * a file without the magic is refused; an explicit VIREO_DISK_RAW for a
 * file with it is allowed here (the bytes are the disk, as in QEMU) but
 * refused by vireo_disk_validate() and for backing files.
 * A qcow2 image's backing chain is opened read-only (at most
 * VIREO_DISK_MAX_CHAIN backing files below the top), each backing path
 * taken relative to the directory of the image that names it, with the
 * format its backing-format header extension declares (probed without
 * one); a declared format the file's content contradicts is refused, and
 * so is a loop (the same device and inode twice: A->B->A, A->A), with a
 * message naming the files of the loop.
 * Refused, with a message: a malformed or truncated header or table, an
 * incompatible feature we do not implement (named), encryption, external
 * data files; read-write opens are also refused for images with the dirty
 * or corrupt bit, internal snapshots, or refcounts other than 16 bits.
 */
#define VIREO_DISK_MAX_CHAIN 16
int vireo_disk_open(const char *path, enum vireo_disk_format fmt, unsigned int flags,
		    struct vireo_disk **out, GError **error);

/*
 * Check that @path is usable as a guest disk of format @declared (AUTO:
 * probe) before it is recorded anywhere (`vireo create --disk`): the file
 * exists and is a regular file or block device; qcow2 declared for a file
 * without the qcow2 magic is refused, and so is raw declared for a file
 * with it (the guest would see, and could rewrite, the qcow2 metadata);
 * the header is valid and the whole backing chain opens (every file
 * present, no loop, not too deep, declared backing formats true).  Takes
 * no locks: an image in use by another machine is not an error here.
 * 0 or -errno with a message naming the file and the problem.
 */
int vireo_disk_validate(const char *path, enum vireo_disk_format declared,
			GError **error);

/*
 * QEMU-compatible image locks on @fd (see "Locking" above and lock.c):
 * @write false = the read-only mode, true = the read-write mode.  For users
 * that open image files themselves (replace.c's temporary files; tests).  0, -EBUSY
 * ("in use", in @error naming @path) or -errno.  Closing the fd (its last
 * duplicate) drops the locks; vireo_disk_unlock_fd() drops them at once.
 */
int vireo_disk_lock_fd(int fd, bool write, const char *path, GError **error);
void vireo_disk_unlock_fd(int fd);

/*
 * For a SIGINT/SIGTERM/SIGHUP handler: async-signal-safe, it unlinks the
 * temporary files of every create or convert in progress in this process
 * (their destinations stay as they were), so that the handler can then
 * end the process (signal(sig, SIG_DFL); raise(sig)) without leaving a
 * partial image behind.  The interrupted call, if it ever resumes, fails.
 * Alternatively, a handler may set a flag that the convert's progress
 * callback returns (a cancel removes the temporary file the same way).
 * So that no temporary file escapes the handler, create and convert block
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT in the calling thread for the few
 * instructions between creating the file and registering it.
 */
void vireo_disk_abort_cleanup(void);

/* Flush (if writable) and free.  Returns the flush's result. */
int vireo_disk_close(struct vireo_disk *d);

int vireo_disk_pread(struct vireo_disk *d, void *buf, size_t len, uint64_t off);
int vireo_disk_pwrite(struct vireo_disk *d, const void *buf, size_t len, uint64_t off);
/*
 * The same for a scatter-gather list (a virtio-blk request's data
 * buffers): the whole list or nothing is range-checked, raw images move it
 * with one preadv/pwritev where the kernel allows.  @iov is not modified.
 */
int vireo_disk_preadv(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		      uint64_t off);
int vireo_disk_pwritev(struct vireo_disk *d, const struct iovec *iov, unsigned int niov,
		       uint64_t off);
int vireo_disk_flush(struct vireo_disk *d);
/*
 * Discard (virtio-blk DISCARD / WRITE_ZEROES with unmap): the range reads
 * as zeros afterwards.  qcow2 v3 drops whole clusters (zero flag), and
 * zero-fills partial ones; raw punches a hole.  -EOPNOTSUPP where the
 * format cannot (qcow2 v2).
 */
int vireo_disk_discard(struct vireo_disk *d, uint64_t off, uint64_t len);

/* Virtual size in bytes (what the guest sees). */
uint64_t vireo_disk_size(const struct vireo_disk *d);
bool vireo_disk_readonly(const struct vireo_disk *d);
enum vireo_disk_format vireo_disk_format(const struct vireo_disk *d);
const char *vireo_disk_path(const struct vireo_disk *d);

/* The message of the last failed call on @d ("" if none). */
const char *vireo_disk_errmsg(const struct vireo_disk *d);

/*
 * Grow the virtual size to @new_size (a multiple of 512).  Shrinking is
 * refused (-EINVAL): it would silently drop guest data.
 */
int vireo_disk_resize(struct vireo_disk *d, uint64_t new_size);

struct vireo_disk_info {
	enum vireo_disk_format format;
	uint64_t virtual_size;
	uint64_t disk_size;	/* bytes allocated on the host (st_blocks * 512) */
	uint64_t file_size;	/* st_size */
	uint32_t cluster_size;	/* 0 for raw */
	uint32_t qcow2_version;	/* 0 for raw */
	uint32_t refcount_bits;
	uint32_t nb_snapshots;
	bool dirty, corrupt, lazy_refcounts, compressed_clusters_seen;
	char backing_file[1024];	/* as stored in the image, "" if none */
	char backing_path[4096];	/* resolved against the image's directory */
	char backing_format[32];	/* "raw"/"qcow2" from the header extension, or "" */
};
void vireo_disk_get_info(struct vireo_disk *d, struct vireo_disk_info *info);
const char *vireo_disk_format_name(enum vireo_disk_format fmt);
/* "raw" / "qcow2" -> format; -EINVAL for anything else. */
int vireo_disk_parse_format(const char *name, enum vireo_disk_format *fmt);

/* --- creation ----------------------------------------------------------- */

struct vireo_disk_create_opts {
	enum vireo_disk_format format;	/* RAW or QCOW2 */
	uint64_t size;			/* 0: the backing file's size (required without one) */
	uint32_t cluster_size;		/* qcow2: power of two 512..2M; 0 = 64 KiB */
	const char *backing_file;	/* qcow2 only; stored as given, relative to the new image's dir */
	enum vireo_disk_format backing_format;	/* AUTO = probe it now */
	bool overwrite;			/* replace an existing file (default: -EEXIST) */
};

/*
 * Create an image.  raw: a sparse file of @size bytes.  qcow2: version 3,
 * 16-bit refcounts, zlib compression type, no L2 tables until written.
 * The backing file is opened (read-only, locked, its chain validated) to
 * learn its format and size.  An existing @path is replaced only with
 * @overwrite, only when nobody has it open, and never by an image whose
 * backing chain contains it ("its own backing file"); see "Replacing
 * files" above.  A symlink @path is followed: the file it names is
 * replaced.
 */
int vireo_disk_create(const char *path, const struct vireo_disk_create_opts *opts,
		      GError **error);

/* --- conversion --------------------------------------------------------- */

/*
 * Called after each chunk with bytes done and the total (the source's
 * virtual size); a non-zero return cancels (convert returns -ECANCELED,
 * removes its temporary file and leaves @dst as it was).  Called from the
 * converting thread.
 */
typedef int (*vireo_disk_progress_fn)(void *opaque, uint64_t done, uint64_t total);

struct vireo_disk_convert_opts {
	enum vireo_disk_format src_format;	/* AUTO to probe */
	enum vireo_disk_format dst_format;	/* RAW or QCOW2 */
	uint32_t cluster_size;			/* qcow2 output; 0 = 64 KiB */
	bool overwrite;
	vireo_disk_progress_fn progress;	/* may be NULL */
	void *opaque;
};

/*
 * Copy the guest-visible content of @src (its backing chain flattened) to
 * a new image @dst.  All-zero chunks are not written, so the output is
 * sparse (raw: holes; qcow2: unallocated clusters).  @dst is written as a
 * temporary file and renamed into place at the end ("Replacing files"
 * above); a @dst that is @src itself (by device and inode: symlinks and
 * hard links too) or a file of @src's backing chain is refused, naming
 * both.
 */
int vireo_disk_convert(const char *src, const char *dst, const struct vireo_disk_convert_opts *opts,
		       GError **error);

/*
 * A source that is not an image file of ours to open: a disk a running
 * monitor holds open (vireo-run's disk-export reads it through its
 * virtio-blk device, so that the guest's writes are held off meanwhile).
 * read() fills len bytes of the guest view at off (inside size; never more
 * than 2 MiB at once): 0, or -errno after an optional message in error.
 */
struct vireo_disk_source {
	int (*read)(void *opaque, void *buf, size_t len, uint64_t off, GError **error);
	void *opaque;
	uint64_t size;		/* virtual size in bytes */
	const char *name;	/* for messages */
};

/*
 * vireo_disk_convert() from @src: the same chunks, sparseness, progress
 * calls, cancellation and atomic replacement; a failure (of the read, the
 * write, the flush, or a cancel) removes the temporary file and leaves
 * @dst as it was.  A @dst the monitor itself has open (the disk being
 * exported) is refused as in use.  src_format is not used.
 */
int vireo_disk_convert_from(const struct vireo_disk_source *src, const char *dst,
			    const struct vireo_disk_convert_opts *opts, GError **error);

/* --- consistency check -------------------------------------------------- */

struct vireo_disk_check {
	uint64_t corruptions;	/* refcount below the number of references, bad entries */
	uint64_t leaks;		/* clusters with a refcount but fewer references */
	uint64_t check_errors;	/* I/O errors while checking */
	uint64_t allocated_clusters, total_clusters;	/* guest clusters */
	uint64_t image_end_offset;
};

/*
 * Walk every table of a qcow2 image and compare the references it finds
 * with the stored refcounts, the way `qemu-img check` does.  One line per
 * problem goes to @log (may be NULL).  Returns 0 when the walk completed
 * (look at the counts) or -errno.  Raw images have nothing to check.
 */
int vireo_disk_check(struct vireo_disk *d, struct vireo_disk_check *res, FILE *log);

/* --- sizes -------------------------------------------------------------- */

/*
 * "10G", "512M", "1.5T", "4096", "64k", "2GiB": binary multiples K/M/G/T/P/E
 * (upper or lower case, optional "B"/"iB").  -EINVAL for junk, -ERANGE
 * past 2^63.
 */
int vireo_disk_parse_size(const char *s, uint64_t *out);
/* Human form "10 GiB", "1.5 MiB", "512 B" into @buf. */
void vireo_disk_format_size(uint64_t v, char *buf, size_t len);

#endif /* VIREO_DISK_H */
