// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-bench: exit cost on /dev/vireo, raw ioctls from the uapi header.
 * kvm-bench.c is the same program on /dev/kvm; keep them line-for-line alike
 * so the comparison measures the kernels, not the runners.
 *
 * Usage: vireo-bench [-n N] [-r ROUNDS] [-g IMAGE]; see bench.h.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <vireo.h>

#include "bench.h"

static void die(const char *what)
{
	fprintf(stderr, "vireo-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void seg(struct vireo_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/* Flat 32-bit protected mode at BENCH_ENTRY with ESI = n. */
static void set_protected_mode(int vcpu, unsigned long n)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;

	if (ioctl(vcpu, VIREO_GET_SREGS, &sregs) < 0)
		die("VIREO_GET_SREGS");
	seg(&sregs.cs, 0x08, 0xb);
	seg(&sregs.ds, 0x10, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = BENCH_GDT_GPA;
	sregs.gdt.limit = sizeof(bench_gdt) - 1;
	sregs.cr0 = 0x11;	/* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu, VIREO_SET_SREGS, &sregs) < 0)
		die("VIREO_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = BENCH_ENTRY;
	regs.rsp = BENCH_STACK;
	regs.rsi = n;
	regs.rflags = 0x2;
	if (ioctl(vcpu, VIREO_SET_REGS, &regs) < 0)
		die("VIREO_SET_REGS");
}

int main(int argc, char **argv)
{
	struct vireo_cpuid_entry leaf0 = {
		.function = 0,
		.eax = BENCH_CPUID0_EAX, .ebx = BENCH_CPUID0_EBX,
		.ecx = BENCH_CPUID0_ECX, .edx = BENCH_CPUID0_EDX,
	};
	struct vireo_cpuid cpuid = { .nent = 1, .entries = (uintptr_t)&leaf0 };
	struct vireo_memory_region region;
	struct bench_result best = { 0, 0 };
	struct bench_round round;
	struct bench_opts o;
	struct vireo_run *run;
	int sys, vm, vcpu, i;
	long len;
	char *mem;

	if (bench_parse(argc, argv, &o) < 0)
		return 2;

	mem = mmap(NULL, BENCH_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest RAM");
	len = bench_read_image(o.image, mem + BENCH_ENTRY, BENCH_MEM_SIZE - BENCH_ENTRY);
	if (len < 0) {
		errno = (int)-len;
		die(o.image);
	}
	memcpy(mem + BENCH_GDT_GPA, bench_gdt, sizeof(bench_gdt));

	sys = open(VIREO_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sys < 0)
		die(VIREO_DEVICE_PATH);
	vm = ioctl(sys, VIREO_CREATE_VM, 0);
	if (vm < 0)
		die("VIREO_CREATE_VM");
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.size = BENCH_MEM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, VIREO_SET_MEMORY_REGION, &region) < 0)
		die("VIREO_SET_MEMORY_REGION");
	vcpu = ioctl(vm, VIREO_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("VIREO_CREATE_VCPU");
	run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap run page");
	if (ioctl(vcpu, VIREO_SET_CPUID, &cpuid) < 0)
		die("VIREO_SET_CPUID");

	for (i = 0; i < o.rounds; i++) {
		set_protected_mode(vcpu, o.n);
		bench_round_start(&round);
		for (;;) {
			if (ioctl(vcpu, VIREO_RUN, 0) < 0) {
				if (errno == EINTR)
					continue;
				die("VIREO_RUN");
			}
			if (run->exit_reason == VIREO_EXIT_HLT)
				break;
			if (run->exit_reason != VIREO_EXIT_IO ||
			    run->io.direction != VIREO_IO_OUT || run->io.string) {
				fprintf(stderr, "vireo-bench: unexpected exit %u at rip 0x%llx\n",
					run->exit_reason, (unsigned long long)run->rip);
				return 1;
			}
			if (run->io.port == BENCH_MARK_PORT) {
				if (bench_mark(&round, run->io.data & 0xff) < 0) {
					fprintf(stderr, "vireo-bench: marker %u out of order\n",
						run->io.data & 0xff);
					return 1;
				}
			} else if (run->io.port != BENCH_WORK_PORT) {
				fprintf(stderr, "vireo-bench: OUT to unexpected port 0x%x\n",
					run->io.port);
				return 1;
			}
		}
		if (bench_round_end(&round, o.n, i == 0, &best) < 0) {
			fprintf(stderr, "vireo-bench: guest halted before its last marker\n");
			return 1;
		}
	}
	bench_print("vireo", &o, &best);

	munmap(run, VIREO_RUN_PAGE_SIZE);
	close(vcpu);
	close(vm);
	close(sys);
	munmap(mem, BENCH_MEM_SIZE);
	return 0;
}
