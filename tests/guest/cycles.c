// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-cycles: create/run/destroy a VM many times with raw ioctls.
 *
 * Each cycle: VIREO_CREATE_VM, one 64 KiB slot at GPA 0, vCPU 0, mmap the
 * run page, real mode at 0x1000 running
 *	mov al, 0x42 ; out 0xe9, al ; hlt
 * RUN must stop at the OUT (VIREO_EXIT_IO: out, port 0xe9, size 1, data
 * 0x42), RUN again must stop at the HLT with RIP past it (0x1005); then
 * everything is closed and unmapped.  Every step is checked, and at the end
 * the process must hold exactly the file descriptors it started with.
 *
 * Usage: vireo-cycles [COUNT]   (default 200)
 * Prints "TEST guest/create-run-destroy-<COUNT> PASS" or "... FAIL <why>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

#define GUEST_GPA	0x1000
#define MEM_SIZE	0x10000

static const unsigned char guest[] = {
	0xb0, 0x42,		/* mov al, 0x42 */
	0xe6, 0xe9,		/* out 0xe9, al */
	0xf4,			/* hlt */
};

static int cycle(int sys, char *why, size_t len)
{
	struct vt_vm v;
	const char *step;
	long r;

	r = vt_vm_create(sys, &v, MEM_SIZE, &step);
	if (r < 0) {
		snprintf(why, len, "%s: %s", step, strerror((int)-r));
		return -1;
	}
	memcpy((char *)v.mem + GUEST_GPA, guest, sizeof(guest));
	r = vt_mode_real(&v, GUEST_GPA);
	if (r < 0) {
		snprintf(why, len, "set real mode: %s", strerror((int)-r));
		goto fail;
	}

	r = vt_ioctl(v.vcpu, VIREO_RUN, 0);
	if (r < 0) {
		snprintf(why, len, "first VIREO_RUN: %s", strerror((int)-r));
		goto fail;
	}
	if (v.run->exit_reason != VIREO_EXIT_IO || v.run->io.direction != VIREO_IO_OUT ||
	    v.run->io.port != 0xe9 || v.run->io.size != 1 || v.run->io.string ||
	    (v.run->io.data & 0xff) != 0x42) {
		snprintf(why, len,
			 "first exit: %s (want IO) dir %u port 0x%x size %u string %u data 0x%x",
			 vt_exit_name(v.run->exit_reason), v.run->io.direction, v.run->io.port,
			 v.run->io.size, v.run->io.string, v.run->io.data);
		goto fail;
	}

	r = vt_ioctl(v.vcpu, VIREO_RUN, 0);
	if (r < 0) {
		snprintf(why, len, "second VIREO_RUN: %s", strerror((int)-r));
		goto fail;
	}
	if (v.run->exit_reason != VIREO_EXIT_HLT || v.run->rip != GUEST_GPA + sizeof(guest)) {
		snprintf(why, len, "second exit: %s at rip 0x%llx (want HLT at 0x%zx)",
			 vt_exit_name(v.run->exit_reason), (unsigned long long)v.run->rip,
			 GUEST_GPA + sizeof(guest));
		goto fail;
	}
	vt_vm_destroy(&v);
	return 0;

fail:
	vt_vm_destroy(&v);
	return -1;
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 200;
	char why[512];
	int sys, i, fds0, fds1;

	if (count <= 0) {
		fprintf(stderr, "usage: %s [COUNT]\n", argv[0]);
		return 2;
	}
	alarm(600);		/* a hang ends the program (SIGALRM), not the suite */
	fds0 = vt_count_fds();
	sys = vt_open_dev();
	if (sys < 0) {
		printf("TEST guest/create-run-destroy-%d FAIL open %s: %s\n", count,
		       VIREO_DEVICE_PATH, strerror(-sys));
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (cycle(sys, why, sizeof(why)) < 0) {
			printf("TEST guest/create-run-destroy-%d FAIL cycle %d: %s\n", count, i,
			       why);
			return 1;
		}
	}
	close(sys);
	fds1 = vt_count_fds();
	if (fds1 != fds0) {
		printf("TEST guest/create-run-destroy-%d FAIL %d fds open before, %d after\n",
		       count, fds0, fds1);
		return 1;
	}
	printf("TEST guest/create-run-destroy-%d PASS\n", count);
	return 0;
}
