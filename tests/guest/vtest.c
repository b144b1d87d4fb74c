// SPDX-License-Identifier: GPL-2.0
/*
 * vtest: raw-ioctl helpers for the test programs; see vtest.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vtest.h"

long vt_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

int vt_open_dev(void)
{
	int fd = open(VIREO_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void vt_vm_destroy(struct vt_vm *v)
{
	if (v->run)
		munmap(v->run, VIREO_RUN_PAGE_SIZE);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->mem)
		munmap(v->mem, v->mem_size);
	v->run = NULL;
	v->vcpu = v->vm = -1;
	v->mem = NULL;
}

int vt_vm_create(int sys, struct vt_vm *v, size_t mem_size, const char **step)
{
	struct vireo_memory_region region;
	const char *dummy;
	long r;

	if (!step)
		step = &dummy;
	memset(v, 0, sizeof(*v));
	v->vm = v->vcpu = -1;

	*step = "VIREO_CREATE_VM";
	r = vt_ioctl(sys, VIREO_CREATE_VM, 0);
	if (r < 0)
		goto fail;
	v->vm = (int)r;

	if (mem_size) {
		*step = "mmap guest RAM";
		v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (v->mem == MAP_FAILED) {
			v->mem = NULL;
			r = -errno;
			goto fail;
		}
		v->mem_size = mem_size;

		*step = "VIREO_SET_MEMORY_REGION";
		memset(&region, 0, sizeof(region));
		region.slot = 0;
		region.guest_phys_addr = 0;
		region.size = mem_size;
		region.userspace_addr = (uintptr_t)v->mem;
		r = vt_ioctl(v->vm, VIREO_SET_MEMORY_REGION, (uintptr_t)&region);
		if (r < 0)
			goto fail;
	}

	*step = "VIREO_CREATE_VCPU";
	r = vt_ioctl(v->vm, VIREO_CREATE_VCPU, 0);
	if (r < 0)
		goto fail;
	v->vcpu = (int)r;

	*step = "mmap run page";
	v->run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		r = -errno;
		goto fail;
	}
	*step = NULL;
	return 0;

fail:
	vt_vm_destroy(v);
	return (int)r;
}

static void vt_seg(struct vireo_segment *s, uint16_t sel, uint8_t type, uint32_t limit,
		   int big)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = limit;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = big;
	s->g = big;
}

/* Selectors and segment types below: SDM vol. 3 3.4.5.1 (code 0xb =
 * execute/read/accessed, data 0x3 = read/write/accessed). */
int vt_mode_real(struct vt_vm *v, uint64_t rip)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	long r;

	r = vt_ioctl(v->vcpu, VIREO_GET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return (int)r;
	vt_seg(&sregs.cs, 0, 0xb, 0xffff, 0);
	vt_seg(&sregs.ds, 0, 0x3, 0xffff, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 &= ~0x80000001ULL;	/* PG, PE */
	sregs.efer = 0;
	r = vt_ioctl(v->vcpu, VIREO_SET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return (int)r;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = 0x7000;
	regs.rflags = 0x2;
	return (int)vt_ioctl(v->vcpu, VIREO_SET_REGS, (uintptr_t)&regs);
}

int vt_mode_protected(struct vt_vm *v, uint64_t rip)
{
	static const uint64_t gdt[3] = {
		0,
		0x00cf9b000000ffffULL,	/* 0x08: code, base 0, 4 GiB, 32-bit */
		0x00cf93000000ffffULL,	/* 0x10: data, base 0, 4 GiB */
	};
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	long r;

	if (v->mem_size < VT_GDT_GPA + sizeof(gdt))
		return -E2BIG;
	memcpy((char *)v->mem + VT_GDT_GPA, gdt, sizeof(gdt));

	r = vt_ioctl(v->vcpu, VIREO_GET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return (int)r;
	vt_seg(&sregs.cs, VT_SEL_CODE32, 0xb, 0xffffffff, 1);
	vt_seg(&sregs.ds, VT_SEL_DATA, 0x3, 0xffffffff, 1);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = VT_GDT_GPA;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.cr0 = 0x11;		/* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	r = vt_ioctl(v->vcpu, VIREO_SET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return (int)r;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = 0x7fff0;
	regs.rflags = 0x2;
	return (int)vt_ioctl(v->vcpu, VIREO_SET_REGS, (uintptr_t)&regs);
}

int vt_load_file(struct vt_vm *v, const char *path, uint64_t gpa)
{
	struct stat st;
	ssize_t n;
	size_t done = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (gpa > v->mem_size || (uint64_t)st.st_size > v->mem_size - gpa) {
		ret = -E2BIG;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, (char *)v->mem + gpa + done, st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += n;
	}
out:
	close(fd);
	return ret;
}

const char *vt_exit_name(uint32_t reason)
{
	static const char *const names[] = VIREO_EXIT_REASON_NAMES;

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "?";
}

int vt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own fd */
}

void vt_report(struct vt_tally *t, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (!fmt) {
		printf("TEST %s/%s PASS\n", t->group, name);
		t->passed++;
	} else {
		printf("TEST %s/%s FAIL ", t->group, name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		t->failed++;
	}
	fflush(stdout);
}
