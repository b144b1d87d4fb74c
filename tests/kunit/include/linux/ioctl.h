/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KSHIM_LINUX_IOCTL_H
#define KSHIM_LINUX_IOCTL_H

/* The _IO/_IOR/_IOW encoding is UAPI: take the system's copy. */
#include <asm-generic/ioctl.h>

#endif
