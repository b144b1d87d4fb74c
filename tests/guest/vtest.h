/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtest: the few raw-ioctl helpers the test programs share (vireo-cycles,
 * vireo-misuse, vireo-bench).  Deliberately not libvireo: these programs
 * test the kernel's ABI as a stranger would use it, straight from the uapi
 * header, so a libvireo bug cannot hide a kernel one (or the reverse).
 *
 * Every function returns 0 or a negative errno, never exits.
 */
#ifndef VTEST_H
#define VTEST_H

#include <stddef.h>
#include <stdint.h>

#include <vireo.h>

#define VT_PAGE		4096UL

/* The flat GDT vt_mode_protected() writes into guest RAM (same as vireo-run). */
#define VT_GDT_GPA	0x8000UL
#define VT_SEL_CODE32	0x08
#define VT_SEL_DATA	0x10

/* One VM with one RAM slot at GPA 0 and one vCPU with its run page mapped. */
struct vt_vm {
	int vm;			/* VM fd, or -1 */
	int vcpu;		/* vCPU fd, or -1 */
	void *mem;		/* guest RAM (anonymous mapping), or NULL */
	size_t mem_size;
	struct vireo_run *run;	/* mmap()ed run page, or NULL */
};

/* ioctl() as -errno: returns the ioctl's value (>= 0) or -errno. */
long vt_ioctl(int fd, unsigned long req, unsigned long arg);

/* Opens /dev/vireo (O_RDWR | O_CLOEXEC); -errno on failure. */
int vt_open_dev(void);

/*
 * vt_vm_create: VM, mem_size bytes of RAM as slot 0 at GPA 0 (mem_size == 0:
 * no slot), vCPU 0, run page.  On failure everything made is undone and
 * *step names the step that failed.  vt_vm_destroy undoes it (any subset).
 */
int vt_vm_create(int sys, struct vt_vm *v, size_t mem_size, const char **step);
void vt_vm_destroy(struct vt_vm *v);

/* Registers: real mode (CS=DS=ES=SS=0, SP=0x7000) or flat 32-bit protected
 * mode (GDT at VT_GDT_GPA written into mem, ESP=0x7fff0); RIP = rip. */
int vt_mode_real(struct vt_vm *v, uint64_t rip);
int vt_mode_protected(struct vt_vm *v, uint64_t rip);

/* Copies a file into guest RAM at gpa; -E2BIG if it does not fit. */
int vt_load_file(struct vt_vm *v, const char *path, uint64_t gpa);

/* Name of an exit reason, for messages. */
const char *vt_exit_name(uint32_t reason);

/* Number of open file descriptors of this process (for leak checks). */
int vt_count_fds(void);

/* A program's verdicts: "TEST <group>/<name> PASS|FAIL ...", then the total. */
struct vt_tally {
	const char *group;
	int passed, failed;
};

/* One verdict: fmt NULL is a pass, otherwise the failure's reason. */
void vt_report(struct vt_tally *t, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VTEST_H */
