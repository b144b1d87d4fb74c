/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LINUX_ANON_INODES_H
#define KSHIM_LINUX_ANON_INODES_H

#include <linux/fs.h>

/* Not run by the harness (kshim.c: a call is a bug). */
int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv,
		     int flags);

#endif
