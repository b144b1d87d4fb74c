// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-img: create, inspect, grow, convert and check disk images, a thin
 * command line over libvireo-disk (the `vireo disk ...` CLI calls the
 * library directly).  See usage() for the commands and exit codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"
#include "vireo_exit.h"
#include "vireo_imgname.h"
#include "vireo_version.h"

#define EXIT_USAGE VIREO_EXIT_USAGE

static void json_str(const char *s);

/*
 * --json or --output=json anywhere on the command line: an error is also
 * printed on stdout as {"error": {"code", "exit", "message"}} (code: the
 * table's name of the exit status), as `vireo --output=json` does.
 */
static bool json_errors;
static char first_error[512];

static void __attribute__((format(printf, 1, 2))) img_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vireo-img: %s\n", msg);
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), "%s", msg);
}

static int finish(int code)
{
	const char *name = vireo_exit_name(code);

	if (!json_errors || code == VIREO_EXIT_OK)
		return code;
	printf("{\n    \"error\": {\n        \"code\": \"%s\",\n        \"exit\": %d,\n"
	       "        \"message\": ",
	       name ? name : "error", code);
	json_str(first_error[0] ? first_error : "bad usage (see vireo-img --help)");
	printf("\n    }\n}\n");
	return code;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vireo-img COMMAND [options]\n"
		"       vireo-img --help | --version\n"
		"\n"
		"Options mean what they mean to qemu-img: -f the format of the image worked\n"
		"on (convert: of SRC), -O convert's output format, -F the backing file's.\n"
		"\n"
		"  create [-f raw|qcow2] [-b BACKING [-F raw|qcow2]] [-c CLUSTER] [--overwrite] FILE [SIZE]\n"
		"      New image (qcow2 by default; a FILE named .raw/.img/.iso needs -f: its\n"
		"      name says raw).  SIZE takes K/M/G/T suffixes; with -b it\n"
		"      defaults to the backing file's size.  BACKING is stored as given and, if\n"
		"      relative, is relative to FILE's directory.\n"
		"  info [-f FMT] [--json] [--no-backing] FILE\n"
		"      Format, virtual size, disk size, cluster size, backing file.\n"
		"  resize [-f FMT] FILE [+]SIZE\n"
		"      Grow the virtual size to SIZE (or by +SIZE).  Shrinking is refused.\n"
		"  convert [-f FMT] -O raw|qcow2 [-c CLUSTER] [-q] [--overwrite] SRC DST\n"
		"      Copy the guest view of SRC (backing chain flattened) into a new sparse\n"
		"      image DST.  Progress goes to stderr as percentages unless -q.\n"
		"  check [-f FMT] [--json] FILE\n"
		"      Compare refcounts with references, like 'qemu-img check'; status 12\n"
		"      when the image is corrupt, 14 when it only leaks clusters.\n"
		"\n"
		"create and convert write DST as a temporary file beside it and rename it into\n"
		"place at the end: --overwrite replaces a file only when no process (Vireo\n"
		"or QEMU) has it open, and a failure or Ctrl-C leaves it as it was.  Images are\n"
		"locked as QEMU locks them; info takes no lock (as qemu-img force-share does).\n"
		"\n"
		"A message on stderr names the file and the problem.  With --json or\n"
		"--output=json (info, check: JSON output), an error is also a JSON object\n"
		"on stdout: {\"error\": {\"code\", \"exit\", \"message\"}}.\n"
		VIREO_EXIT_TABLE_TEXT);
}

static int fail(int ret, struct vireo_disk_err *err)
{
	img_error("%s", err->msg[0] ? err->msg : strerror(-ret));
	return vireo_exit_of_errno(ret);
}

static int parse_fmt(const char *s, enum vireo_disk_format *f)
{
	if (vireo_disk_parse_format(s, f)) {
		img_error("unknown format '%s' (raw or qcow2)", s);
		return -1;
	}
	return 0;
}

static int parse_sz(const char *s, uint64_t *v, const char *what)
{
	int ret = vireo_disk_parse_size(s, v);

	if (ret)
		img_error("%s '%s': %s (use digits with K/M/G/T)", what, s,
			ret == -ERANGE ? "too large" : "not a size");
	return ret;
}

enum { OPT_OVERWRITE = 256, OPT_JSON, OPT_NO_BACKING, OPT_FORMAT, OPT_OUTPUT };

static const struct option long_opts[] = {
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "no-backing", no_argument, NULL, OPT_NO_BACKING },
	{ "help", no_argument, NULL, 'h' },
	/* -f's long name, except in convert, where it would be ambiguous */
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "source-format", required_argument, NULL, 'f' },
	{ "output-format", required_argument, NULL, 'O' },
	{ "backing-format", required_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	enum vireo_disk_format fmt, out_fmt, backing_fmt;
	const char *backing;
	uint64_t cluster;
	bool overwrite, json, quiet, no_backing;
};

/* Common option parsing; returns optind or -1 (usage already printed). */
static int parse_opts(int argc, char **argv, const char *allowed, struct args *a)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:O:b:F:c:qh", long_opts, NULL)) != -1) {
		if (c != 'h' && c < 256 && !strchr(allowed, c))
			goto bad;
		switch (c) {
		case OPT_FORMAT:
			if (strchr(allowed, 'O')) {
				img_error(
					"convert: --format is ambiguous; give -f/--source-format for SRC's format or -O/--output-format for DST's");
				return -1;
			}
			/* fall through */
		case 'f':
			if (parse_fmt(optarg, &a->fmt))
				return -1;
			break;
		case 'O':
			if (parse_fmt(optarg, &a->out_fmt))
				return -1;
			break;
		case 'F':
			if (parse_fmt(optarg, &a->backing_fmt))
				return -1;
			break;
		case 'b':
			a->backing = optarg;
			break;
		case 'c':
			if (parse_sz(optarg, &a->cluster, "cluster size"))
				return -1;
			break;
		case 'q':
			a->quiet = true;
			break;
		case OPT_OVERWRITE:
			a->overwrite = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_OUTPUT:
			if (!strcmp(optarg, "json")) {
				a->json = true;
			} else if (strcmp(optarg, "text")) {
				img_error("--output: '%s' is not text or json", optarg);
				return -1;
			}
			break;
		case OPT_NO_BACKING:
			a->no_backing = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	return optind;
bad:
	usage(stderr);
	return -1;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static int cmd_create(int argc, char **argv)
{
	struct args a = { .fmt = VIREO_DISK_AUTO };
	struct vireo_disk_create_opts o = { 0 };
	struct vireo_disk_err err = { { 0 } };
	int i = parse_opts(argc, argv, "fbFc", &a), ret;

	if (i < 0)
		return EXIT_USAGE;
	if (argc - i < 1 || argc - i > 2 || (argc - i == 1 && !a.backing)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a.fmt == VIREO_DISK_AUTO) {
		if (!vireo_format_default_ok(argv[i], "qcow2")) {
			img_error(
				"%s: the name says %s but the default format is qcow2; give -f raw or -f qcow2",
				argv[i], vireo_format_by_name(argv[i]));
			return EXIT_USAGE;
		}
		a.fmt = VIREO_DISK_QCOW2;
	}
	if (argc - i == 2 && parse_sz(argv[i + 1], &o.size, "size"))
		return EXIT_USAGE;
	o.format = a.fmt;
	o.cluster_size = a.cluster;
	o.backing_file = a.backing;
	o.backing_format = a.backing_fmt;
	o.overwrite = a.overwrite;
	ret = vireo_disk_create(argv[i], &o, &err);
	if (ret)
		return fail(ret, &err);
	return 0;
}

static int open_img(const char *path, enum vireo_disk_format fmt, unsigned int flags,
		    struct vireo_disk **d)
{
	struct vireo_disk_err err = { { 0 } };
	int ret = vireo_disk_open(path, fmt, flags, d, &err);

	if (ret)
		return fail(ret, &err);
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	struct args a = { 0 };
	struct vireo_disk_info in;
	struct vireo_disk *d;
	char vs[32], ds[32];
	int i = parse_opts(argc, argv, "f", &a), ret;

	if (i < 0 || argc - i != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* No locks, like qemu-img info -U: info of an image a machine is using works. */
	ret = open_img(argv[i], a.fmt,
		       VIREO_DISK_RDONLY | VIREO_DISK_NO_LOCK | (a.no_backing ? VIREO_DISK_NO_BACKING : 0),
		       &d);
	if (ret)
		return ret;
	vireo_disk_get_info(d, &in);
	vireo_disk_close(d);
	if (a.json) {
		printf("{\n    \"filename\": ");
		json_str(argv[i]);
		printf(",\n    \"format\": \"%s\",\n", vireo_disk_format_name(in.format));
		printf("    \"virtual-size\": %llu,\n", (unsigned long long)in.virtual_size);
		printf("    \"actual-size\": %llu,\n", (unsigned long long)in.disk_size);
		printf("    \"file-size\": %llu", (unsigned long long)in.file_size);
		if (in.format == VIREO_DISK_QCOW2) {
			printf(",\n    \"cluster-size\": %u,\n", in.cluster_size);
			printf("    \"qcow2-version\": %u,\n", in.qcow2_version);
			printf("    \"refcount-bits\": %u,\n", in.refcount_bits);
			printf("    \"snapshots\": %u,\n", in.nb_snapshots);
			printf("    \"dirty-flag\": %s,\n", in.dirty ? "true" : "false");
			printf("    \"corrupt\": %s,\n", in.corrupt ? "true" : "false");
			printf("    \"lazy-refcounts\": %s", in.lazy_refcounts ? "true" : "false");
			if (in.backing_file[0]) {
				printf(",\n    \"backing-filename\": ");
				json_str(in.backing_file);
				printf(",\n    \"full-backing-filename\": ");
				json_str(in.backing_path);
				if (in.backing_format[0]) {
					printf(",\n    \"backing-filename-format\": ");
					json_str(in.backing_format);
				}
			}
		}
		printf("\n}\n");
		return 0;
	}
	vireo_disk_format_size(in.virtual_size, vs, sizeof(vs));
	vireo_disk_format_size(in.disk_size, ds, sizeof(ds));
	printf("image: %s\n", argv[i]);
	printf("file format: %s\n", vireo_disk_format_name(in.format));
	printf("virtual size: %s (%llu bytes)\n", vs, (unsigned long long)in.virtual_size);
	printf("disk size: %s\n", ds);
	if (in.format == VIREO_DISK_QCOW2) {
		printf("cluster_size: %u\n", in.cluster_size);
		printf("qcow2 version: %u\n", in.qcow2_version);
		printf("refcount bits: %u\n", in.refcount_bits);
		if (in.backing_file[0]) {
			printf("backing file: %s", in.backing_file);
			if (strcmp(in.backing_file, in.backing_path))
				printf(" (actual path: %s)", in.backing_path);
			printf("\n");
			if (in.backing_format[0])
				printf("backing file format: %s\n", in.backing_format);
		}
		if (in.nb_snapshots)
			printf("snapshots: %u\n", in.nb_snapshots);
		if (in.dirty || in.corrupt)
			printf("flags:%s%s\n", in.dirty ? " dirty" : "", in.corrupt ? " corrupt" : "");
	}
	return 0;
}

static int cmd_resize(int argc, char **argv)
{
	struct args a = { 0 };
	struct vireo_disk *d;
	uint64_t size;
	const char *s;
	int i = parse_opts(argc, argv, "f", &a), ret;

	if (i < 0 || argc - i != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	s = argv[i + 1];
	if (parse_sz(s[0] == '+' ? s + 1 : s, &size, "size"))
		return EXIT_USAGE;
	ret = open_img(argv[i], a.fmt, VIREO_DISK_NO_BACKING, &d);
	if (ret)
		return ret;
	if (s[0] == '+')
		size += vireo_disk_size(d);
	ret = vireo_disk_resize(d, size);
	if (ret)
		img_error("%s", vireo_disk_errmsg(d));
	if (vireo_disk_close(d) && !ret) {
		img_error("%s", vireo_disk_errmsg(d));
		ret = -EIO;
	}
	return ret ? vireo_exit_of_errno(ret) : 0;
}

struct progress {
	int last;
	bool quiet;
};

/* Percentages on stderr, one line each, only when the integer changes. */
static int print_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct progress *p = opaque;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (!p->quiet && pct != p->last) {
		fprintf(stderr, "    (%d.00/100%%)\n", pct);
		p->last = pct;
	}
	return 0;
}

static int cmd_convert(int argc, char **argv)
{
	struct args a = { .out_fmt = VIREO_DISK_AUTO };
	struct vireo_disk_convert_opts o = { 0 };
	struct vireo_disk_err err = { { 0 } };
	struct progress p = { .last = -1 };
	int i = parse_opts(argc, argv, "fOcq", &a), ret;

	if (i < 0 || argc - i != 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a.out_fmt == VIREO_DISK_AUTO) {
		img_error("convert: -O raw|qcow2 is required (the format of %s)",
			argv[i + 1]);
		return EXIT_USAGE;
	}
	p.quiet = a.quiet;
	o.src_format = a.fmt;
	o.dst_format = a.out_fmt;
	o.cluster_size = a.cluster;
	o.overwrite = a.overwrite;
	o.progress = print_progress;
	o.opaque = &p;
	ret = vireo_disk_convert(argv[i], argv[i + 1], &o, &err);
	if (ret)
		return fail(ret, &err);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct args a = { 0 };
	struct vireo_disk_check r;
	struct vireo_disk *d;
	int i = parse_opts(argc, argv, "f", &a), ret;

	if (i < 0 || argc - i != 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	ret = open_img(argv[i], a.fmt, VIREO_DISK_RDONLY | VIREO_DISK_NO_BACKING, &d);
	if (ret)
		return ret;
	ret = vireo_disk_check(d, &r, a.json ? NULL : stderr);
	if (ret)
		img_error("%s: check failed: %s", argv[i], strerror(-ret));
	vireo_disk_close(d);
	if (ret)
		return VIREO_EXIT_ERROR;
	if (a.json) {
		printf("{\n    \"filename\": ");
		json_str(argv[i]);
		printf(",\n    \"corruptions\": %llu,\n    \"leaks\": %llu,\n"
		       "    \"check-errors\": %llu,\n    \"allocated-clusters\": %llu,\n"
		       "    \"total-clusters\": %llu,\n    \"image-end-offset\": %llu\n}\n",
		       (unsigned long long)r.corruptions, (unsigned long long)r.leaks,
		       (unsigned long long)r.check_errors,
		       (unsigned long long)r.allocated_clusters,
		       (unsigned long long)r.total_clusters,
		       (unsigned long long)r.image_end_offset);
	} else {
		if (!r.corruptions && !r.leaks && !r.check_errors)
			printf("No errors were found on the image.\n");
		if (r.corruptions)
			printf("\n%llu errors were found on the image.\n"
			       "Data may be corrupted, or further writes to the image may corrupt it.\n",
			       (unsigned long long)r.corruptions);
		if (r.leaks)
			printf("\n%llu leaked clusters were found on the image.\n"
			       "This means waste of disk space, but no harm to data.\n",
			       (unsigned long long)r.leaks);
		if (r.check_errors)
			printf("\n%llu internal errors have occurred during the check.\n",
			       (unsigned long long)r.check_errors);
		if (r.total_clusters)
			printf("%llu/%llu = %.2f%% allocated\n",
			       (unsigned long long)r.allocated_clusters,
			       (unsigned long long)r.total_clusters,
			       100.0 * r.allocated_clusters / r.total_clusters);
		printf("Image end offset: %llu\n", (unsigned long long)r.image_end_offset);
	}
	if (r.check_errors)
		return VIREO_EXIT_ERROR;
	if (r.corruptions)
		return VIREO_EXIT_CORRUPT;
	return r.leaks ? VIREO_EXIT_LEAKS : VIREO_EXIT_OK;
}

/*
 * Ctrl-C, SIGTERM, SIGHUP during create or convert: remove the temporary
 * file (the destination stays as it was), then end as interrupted.
 */
static void on_signal(int sig)
{
	(void)sig;
	vireo_disk_abort_cleanup();
	_exit(VIREO_EXIT_INTERRUPTED);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "create", cmd_create }, { "info", cmd_info },	  { "resize", cmd_resize },
		{ "convert", cmd_convert }, { "check", cmd_check },
	};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--output=json") ||
		    (!strcmp(argv[i], "--output") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
			json_errors = true;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vireo-img %s\n", VIREO_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return finish(cmds[i].fn(argc - 1, argv + 1));
	img_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return finish(EXIT_USAGE);
}
