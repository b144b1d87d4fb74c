/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvireo private object layouts.  Callers see only the opaque types of
 * libvireo.h, so these can change without breaking them.
 */
#ifndef VIREO_LIB_INTERNAL_H
#define VIREO_LIB_INTERNAL_H

#include <libvireo.h>

struct vireo_sys {
	int fd;				/* /dev/vireo */
	struct vireo_caps caps;		/* read once at open */
};

struct vireo_vm {
	struct vireo_sys *sys;
	int fd;
	unsigned int phys_bits;		/* for the page walker's reserved bits */
	struct vireo_slot_table slots;	/* mirror of the kernel's table */
};

struct vireo_vcpu {
	struct vireo_vm *vm;
	int fd;
	uint32_t id;
	struct vireo_run *run;		/* mmap()ed, run_size bytes */
	size_t run_size;
};

/* ioctl() returning the result or -errno, retrying nothing. */
int vireo_ioctl(int fd, unsigned long request, void *arg);

#endif /* VIREO_LIB_INTERNAL_H */
