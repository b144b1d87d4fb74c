/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): fd lookups, answered by the fake fd table (kshim.c). */
#ifndef KSHIM_LINUX_FILE_H
#define KSHIM_LINUX_FILE_H

#include <linux/fs.h>

struct fd {
	struct file *file;
	unsigned int flags;
};

struct fd fdget(unsigned int fd);
void fput(struct file *file);

#define fd_file(f)	((f).file)

static inline void fdput(struct fd fd)
{
	if (fd.file)
		fput(fd.file);
}

#endif
