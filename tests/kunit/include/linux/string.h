/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LINUX_STRING_H
#define KSHIM_LINUX_STRING_H

#include <string.h>
#include <linux/types.h>

/* Copies from "user" memory, which on the host is ordinary memory. */
void *memdup_user(const void __user *src, size_t len);

#endif
