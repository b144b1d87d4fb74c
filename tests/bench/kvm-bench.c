// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-bench: exit cost on /dev/kvm, raw ioctls from linux/kvm.h; KVM's
 * kernel decodes and emulates MMIO accesses itself and hands the runner
 * each read and write (KVM_EXIT_MMIO).  vireo-bench.c is the same program
 * on /dev/vireo; keep them line-for-line alike so the comparison measures
 * the hypervisors, not the runners.
 *
 * Usage: kvm-bench [-n N] [-r ROUNDS] [-g IMAGE]; see bench.h.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "bench.h"

static void die(const char *what)
{
	fprintf(stderr, "kvm-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Flat 32-bit protected mode at BENCH_ENTRY with ESI = n. */
static void set_protected_mode(int vcpu, unsigned long n)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	BENCH_PROTECTED_MODE(sregs, regs, n);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

#define SUPPORTED_MAX	256

/*
 * XCR0 as the guest's AVX phase sets it (bench.asm), told to KVM up front.
 * QEMU's TCG SVM, the rig's L1, lets the guest's XSETBV through without its
 * intercept (tools/rig/README.md), so KVM never learns the guest's XCR0 and
 * loads its own (x87 only) at the next entry: the guest's next AVX
 * instruction #UDs and, with no IDT, the guest shuts down.  On hardware the
 * XSETBV exits and KVM sets this same value; vireo.ko reads XCR0 back at
 * every exit instead.  Only when leaf 0xD offers AVX: else the guest skips.
 */
static void set_xcr0(int vcpu, const struct kvm_cpuid_entry2 *leaf_d0)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };

	if (!leaf_d0 || (leaf_d0->eax & BENCH_XCR0_AVX) != BENCH_XCR0_AVX)
		return;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = BENCH_XCR0_AVX;
	if (ioctl(vcpu, KVM_SET_XCRS, &xcrs) < 0)
		die("KVM_SET_XCRS");
}

/* Leaf 0 from bench.h, then the leaves bench_wants_leaf() as KVM offers them. */
static void set_cpuid(int sys, int vcpu)
{
	const struct kvm_cpuid_entry2 *leaf_d0 = NULL;
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[SUPPORTED_MAX];
	} supported, table;
	unsigned int i;

	supported.hdr.nent = SUPPORTED_MAX;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, &supported) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	table.e[table.hdr.nent++] = (struct kvm_cpuid_entry2)BENCH_CPUID0_ENTRY;
	for (i = 0; i < supported.hdr.nent; i++) {
		if (!bench_wants_leaf(supported.e[i].function))
			continue;
		if (supported.e[i].function == 0xd && supported.e[i].index == 0)
			leaf_d0 = &supported.e[i];
		table.e[table.hdr.nent++] = supported.e[i];
	}
	if (ioctl(vcpu, KVM_SET_CPUID2, &table) < 0)
		die("KVM_SET_CPUID2");
	set_xcr0(vcpu, leaf_d0);
}

/* KVM_EXIT_MMIO: one read or one write of the guest's instruction. */
static int mmio_exit(struct kvm_run *run, struct bench_round *round)
{
	uint64_t data = 0;
	int ret;

	if (run->mmio.len > sizeof(data)) {
		snprintf(round->error, sizeof(round->error), "MMIO access of %u bytes",
			 run->mmio.len);
		return -EPROTO;
	}
	memcpy(&data, run->mmio.data, run->mmio.len);
	ret = bench_mmio_access(round, run->mmio.phys_addr, run->mmio.len, run->mmio.is_write,
				&data);
	if (!ret && !run->mmio.is_write)
		memcpy(run->mmio.data, &data, run->mmio.len);
	return ret;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region;
	struct bench_result best = { 0 };
	struct bench_round round;
	struct bench_opts o;
	struct kvm_run *run;
	int sys, vm, vcpu, i, run_size, err;
	char *mem;

	mem = bench_start(argc, argv, &o, "kvm-bench");

	sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys < 0)
		die("/dev/kvm");
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = BENCH_MEM_SIZE;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(sys, vcpu);

	for (i = 0; i < o.rounds; i++) {
		set_protected_mode(vcpu, o.n);
		bench_round_start(&round);
		for (;;) {
			if (ioctl(vcpu, KVM_RUN, 0) < 0) {
				if (errno == EINTR)
					continue;
				die("KVM_RUN");
			}
			if (run->exit_reason == KVM_EXIT_HLT)
				break;
			if (run->exit_reason == KVM_EXIT_MMIO) {
				err = mmio_exit(run, &round);
			} else if (run->exit_reason == KVM_EXIT_IO &&
				   run->io.direction == KVM_EXIT_IO_OUT && run->io.count == 1 &&
				   run->io.size == 1) {
				err = bench_port_out(&round, run->io.port,
						     *((uint8_t *)run + run->io.data_offset));
			} else {
				err = -EPROTO;
				snprintf(round.error, sizeof(round.error), "unexpected exit %u",
					 run->exit_reason);
			}
			if (err) {
				fprintf(stderr, "kvm-bench: %s\n", round.error);
				return 1;
			}
		}
		if (bench_round_end(&round, o.n, i == 0, &best) < 0) {
			fprintf(stderr, "kvm-bench: %s\n", round.error);
			return 1;
		}
	}
	bench_print("kvm", &o, &best);

	munmap(run, run_size);
	close(vcpu);
	close(vm);
	close(sys);
	munmap(mem, BENCH_MEM_SIZE);
	return 0;
}
