// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-smp: two vCPUs of one VM running at once, each in its own thread,
 * raw ioctls.  vCPU n runs (real mode, at 0x1000 + n * 0x1000)
 *	mov cx, ROUNDS ; l: out PORT_n, al ; loop l ; hlt
 * with PORT_0 = 0xe0, PORT_1 = 0xe1.  Each thread must see exactly ROUNDS
 * OUT exits, all on its own port, then the HLT: vCPU state is per vCPU and
 * both can be in VIREO_RUN together.  At every exit the thread also reads
 * its registers back: RBX and RBP hold a per-vCPU tag that the guest never
 * touches (they travel through the world switch's own save area), RSP one
 * that travels through the VMCB/VMCS, and the FS and GS bases one that
 * travels through VMSAVE/VMLOAD on SVM, so a mixed-up exit says which part
 * of the state went to the wrong vCPU.
 *
 * Prints "TEST guest/two-vcpus-one-vm PASS" or "... FAIL <why>".
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtest.h"

#define ROUNDS		2000
#define MEM_SIZE	0x10000
#define TAG(id)		(0x5a5a0000ULL + (id))
#define STACK(id)	(0x7000ULL + 0x100 * (id))
#define FS_BASE(id)	(0x100000ULL * ((id) + 1))
#define GS_BASE(id)	(0x200000ULL * ((id) + 1))

struct cpu {
	int id;
	int fd;
	struct vireo_run *run;
	unsigned long outs;
	char why[256];
};

static void *vcpu_thread(void *arg)
{
	struct cpu *c = arg;
	unsigned int port = 0xe0 + c->id;
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	long r;

	for (;;) {
		r = vt_ioctl(c->fd, VIREO_RUN, 0);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			snprintf(c->why, sizeof(c->why), "vCPU %d: RUN: %s", c->id, strerror((int)-r));
			return NULL;
		}
		r = vt_ioctl(c->fd, VIREO_GET_REGS, (uintptr_t)&regs);
		if (r < 0) {
			snprintf(c->why, sizeof(c->why), "vCPU %d: GET_REGS: %s", c->id,
				 strerror((int)-r));
			return NULL;
		}
		if (regs.rbx != TAG(c->id) || regs.rbp != TAG(c->id) ||
		    regs.rsp != STACK(c->id)) {
			snprintf(c->why, sizeof(c->why),
				 "vCPU %d after %lu OUTs: rbx %#llx rbp %#llx rsp %#llx rip %#llx rcx %#llx (want rbx/rbp %#llx, rsp %#llx)",
				 c->id, c->outs, (unsigned long long)regs.rbx,
				 (unsigned long long)regs.rbp, (unsigned long long)regs.rsp,
				 (unsigned long long)regs.rip, (unsigned long long)regs.rcx,
				 TAG(c->id), STACK(c->id));
			return NULL;
		}
		r = vt_ioctl(c->fd, VIREO_GET_SREGS, (uintptr_t)&sregs);
		if (r < 0 || sregs.fs.base != FS_BASE(c->id) || sregs.gs.base != GS_BASE(c->id)) {
			snprintf(c->why, sizeof(c->why),
				 "vCPU %d after %lu OUTs: GET_SREGS %ld, fs base %#llx gs base %#llx (want %#llx, %#llx)",
				 c->id, c->outs, r, (unsigned long long)sregs.fs.base,
				 (unsigned long long)sregs.gs.base, FS_BASE(c->id), GS_BASE(c->id));
			return NULL;
		}
		if (c->run->exit_reason == VIREO_EXIT_HLT)
			break;
		if (c->run->exit_reason != VIREO_EXIT_IO || c->run->io.port != port) {
			snprintf(c->why, sizeof(c->why),
				 "vCPU %d after %lu OUTs: exit %s port 0x%x (want IO to 0x%x), rip %#llx rcx %#llx",
				 c->id, c->outs, vt_exit_name(c->run->exit_reason), c->run->io.port,
				 port, (unsigned long long)regs.rip, (unsigned long long)regs.rcx);
			return NULL;
		}
		c->outs++;
	}
	if (c->outs != ROUNDS)
		snprintf(c->why, sizeof(c->why), "vCPU %d: %lu OUT exits, want %d", c->id, c->outs,
			 ROUNDS);
	return NULL;
}

static int set_tags(int fd, int id)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	long r = vt_ioctl(fd, VIREO_GET_REGS, (uintptr_t)&regs);

	if (r < 0)
		return (int)r;
	regs.rbx = regs.rbp = TAG(id);
	regs.rsp = STACK(id);
	r = vt_ioctl(fd, VIREO_SET_REGS, (uintptr_t)&regs);
	if (r >= 0)
		r = vt_ioctl(fd, VIREO_GET_SREGS, (uintptr_t)&sregs);
	if (r < 0)
		return (int)r;
	sregs.fs.base = FS_BASE(id);
	sregs.gs.base = GS_BASE(id);
	return (int)vt_ioctl(fd, VIREO_SET_SREGS, (uintptr_t)&sregs);
}

int main(void)
{
	struct cpu cpus[2];
	pthread_t th[2];
	struct vt_vm v;
	const char *step;
	int sys, i, r;

	alarm(120);		/* a hung vCPU ends the program (SIGALRM), not the suite */
	sys = vt_open_dev();
	if (sys < 0) {
		printf("TEST guest/two-vcpus-one-vm FAIL open %s: %s\n", VIREO_DEVICE_PATH,
		       strerror(-sys));
		return 1;
	}
	r = vt_vm_create(sys, &v, MEM_SIZE, &step);	/* vCPU 0 */
	if (r < 0) {
		printf("TEST guest/two-vcpus-one-vm FAIL %s: %s\n", step, strerror(-r));
		return 1;
	}
	memset(cpus, 0, sizeof(cpus));
	cpus[0] = (struct cpu){ .id = 0, .fd = v.vcpu, .run = v.run };
	cpus[1].id = 1;
	cpus[1].fd = (int)vt_ioctl(v.vm, VIREO_CREATE_VCPU, 1);
	if (cpus[1].fd < 0) {
		printf("TEST guest/two-vcpus-one-vm FAIL CREATE_VCPU 1: %s\n", strerror(-cpus[1].fd));
		return 1;
	}
	cpus[1].run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   cpus[1].fd, 0);
	if (cpus[1].run == MAP_FAILED) {
		printf("TEST guest/two-vcpus-one-vm FAIL mmap run page 1: %s\n", strerror(errno));
		return 1;
	}

	for (i = 0; i < 2; i++) {
		uint64_t gpa = 0x1000 + i * 0x1000;
		unsigned char code[] = {
			0xb9, ROUNDS & 0xff, ROUNDS >> 8,	/* mov cx, ROUNDS */
			0xe6, (unsigned char)(0xe0 + i),	/* out PORT_i, al */
			0xe2, 0xfc,				/* loop -4 */
			0xf4,					/* hlt */
		};
		struct vt_vm one = v;

		memcpy((char *)v.mem + gpa, code, sizeof(code));
		one.vcpu = cpus[i].fd;
		r = vt_mode_real(&one, gpa);
		if (r >= 0)
			r = set_tags(cpus[i].fd, i);
		if (r < 0) {
			printf("TEST guest/two-vcpus-one-vm FAIL vCPU %d real mode: %s\n", i,
			       strerror(-r));
			return 1;
		}
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, vcpu_thread, &cpus[i])) {
			printf("TEST guest/two-vcpus-one-vm FAIL pthread_create\n");
			return 1;
		}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < 2; i++)
		if (cpus[i].why[0]) {
			printf("TEST guest/two-vcpus-one-vm FAIL %s\n", cpus[i].why);
			return 1;
		}
	munmap(cpus[1].run, VIREO_RUN_PAGE_SIZE);
	close(cpus[1].fd);
	vt_vm_destroy(&v);
	close(sys);
	printf("TEST guest/two-vcpus-one-vm PASS\n");
	return 0;
}
