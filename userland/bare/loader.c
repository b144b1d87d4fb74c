// SPDX-License-Identifier: GPL-2.0
/*
 * --load: copy image files into guest RAM.  Every file is bounds-checked
 * against RAM before a byte is copied, and reading stops at the end of
 * RAM even if the file grows meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor.h"

static int load_one(struct vireo_monitor *m, const struct vireo_load *l)
{
	uint64_t ram_size = m->opts.mem_size, done = 0;
	struct stat st;
	int fd, ret = 0;

	fd = open(l->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(m->err, "vireo-run: %s: cannot open: %s\n", l->path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		fprintf(m->err, "vireo-run: %s: cannot stat: %s\n", l->path, strerror(errno));
		goto out;
	}
	if (l->gpa >= ram_size ||
	    (S_ISREG(st.st_mode) && (uint64_t)st.st_size > ram_size - l->gpa)) {
		ret = -EFBIG;
		fprintf(m->err,
			"vireo-run: %s: %" PRIu64 " bytes at 0x%" PRIx64
			" do not fit in guest RAM (0x%" PRIx64 " bytes)\n",
			l->path, (uint64_t)st.st_size, l->gpa, ram_size);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, m->ram + l->gpa + done, ram_size - l->gpa - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fprintf(m->err, "vireo-run: %s: read error: %s\n", l->path,
				strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		done += n;
		if (done == ram_size - l->gpa) {
			char c;

			/* RAM is full: the file must end here. */
			if (read(fd, &c, 1) > 0) {
				ret = -EFBIG;
				fprintf(m->err,
					"vireo-run: %s: does not fit in guest RAM at 0x%" PRIx64 "\n",
					l->path, l->gpa);
				goto out;
			}
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int vireo_load_files(struct vireo_monitor *m)
{
	unsigned int i;
	int ret;

	for (i = 0; i < m->opts.nr_loads; i++) {
		ret = load_one(m, &m->opts.loads[i]);
		if (ret)
			return ret;
	}
	return 0;
}
