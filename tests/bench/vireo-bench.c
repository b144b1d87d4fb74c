// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-bench: exit cost on /dev/vireo through libvireo, whose calls are
 * the uapi ioctls one for one, plus its MMIO emulator: with Vireo the
 * decoding and emulation of an MMIO access is userland's, as KVM's is its
 * kernel's.  kvm-bench.c is the same program on /dev/kvm; keep them
 * line-for-line alike so the comparison measures the hypervisors, not the
 * runners.
 *
 * Usage: vireo-bench [-n N] [-r ROUNDS] [-g IMAGE]; see bench.h.
 */
#include <libvireo.h>

#include "bench.h"

/* err: a -errno from libvireo. */
static void die(const char *what, int err)
{
	fprintf(stderr, "vireo-bench: %s: %s\n", what, vireo_strerror(err));
	exit(1);
}

/* Flat 32-bit protected mode at BENCH_ENTRY with ESI = n. */
static void set_protected_mode(struct vireo_vcpu *vcpu, unsigned long n)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;
	int err;

	err = vireo_get_sregs(vcpu, &sregs);
	if (err)
		die("VIREO_GET_SREGS", err);
	BENCH_PROTECTED_MODE(sregs, regs, n);
	err = vireo_set_sregs(vcpu, &sregs);
	if (err)
		die("VIREO_SET_SREGS", err);
	err = vireo_set_regs(vcpu, &regs);
	if (err)
		die("VIREO_SET_REGS", err);
}

/* Leaf 0 from bench.h, then the leaves bench_wants_leaf() as vireo.ko offers them. */
static void set_cpuid(struct vireo_sys *sys, struct vireo_vcpu *vcpu)
{
	static struct vireo_cpuid_entry supported[VIREO_MAX_CPUID_ENTRIES];
	static struct vireo_cpuid_entry table[VIREO_MAX_CPUID_ENTRIES];
	int i, n, nent = 0, err;

	n = vireo_supported_cpuid(sys, supported, VIREO_MAX_CPUID_ENTRIES);
	if (n < 0)
		die("VIREO_GET_SUPPORTED_CPUID", n);
	table[nent++] = (struct vireo_cpuid_entry)BENCH_CPUID0_ENTRY;
	for (i = 0; i < n; i++)
		if (bench_wants_leaf(supported[i].function))
			table[nent++] = supported[i];
	err = vireo_set_cpuid(vcpu, table, nent);
	if (err)
		die("VIREO_SET_CPUID", err);
}

/* libvireo's emulator performs the guest's access through this. */
static int mmio_access(void *round, uint64_t gpa, unsigned int size, bool is_write,
		       uint64_t *data)
{
	return bench_mmio_access(round, gpa, size, is_write, data);
}

int main(int argc, char **argv)
{
	struct bench_result best = { 0 };
	struct bench_round round;
	struct bench_opts o;
	struct vireo_run *run;
	struct vireo_sys *sys;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	int i, err;
	char *mem;

	mem = bench_start(argc, argv, &o, "vireo-bench");

	err = vireo_open(NULL, &sys);
	if (err)
		die(VIREO_DEVICE_PATH, err);
	err = vireo_vm_create(sys, &vm);
	if (err)
		die("VIREO_CREATE_VM", err);
	err = vireo_vm_set_memory(vm, 0, 0, 0, BENCH_MEM_SIZE, mem);
	if (err)
		die("VIREO_SET_MEMORY_REGION", err);
	err = vireo_vcpu_create(vm, 0, &vcpu);
	if (err)
		die("VIREO_CREATE_VCPU", err);
	run = vireo_vcpu_run_page(vcpu);
	set_cpuid(sys, vcpu);

	for (i = 0; i < o.rounds; i++) {
		set_protected_mode(vcpu, o.n);
		bench_round_start(&round);
		for (;;) {
			err = vireo_vcpu_run(vcpu);
			if (err == -EINTR)
				continue;
			if (err)
				die("VIREO_RUN", err);
			if (run->exit_reason == VIREO_EXIT_HLT)
				break;
			if (run->exit_reason == VIREO_EXIT_MMIO) {
				g_autoptr(GError) error = NULL;

				err = vireo_emulate_mmio(vcpu, mmio_access, &round, &error);
				if (err && !round.error[0])
					snprintf(round.error, sizeof(round.error), "MMIO emulation: %s",
						 error->message);
			} else if (run->exit_reason == VIREO_EXIT_IO &&
				   run->io.direction == VIREO_IO_OUT && !run->io.string &&
				   run->io.size == 1) {
				err = bench_port_out(&round, run->io.port, run->io.data & 0xff);
			} else {
				err = -EPROTO;
				snprintf(round.error, sizeof(round.error), "unexpected exit %s (%u)",
					 vireo_exit_reason_name(run->exit_reason), run->exit_reason);
			}
			if (err) {
				fprintf(stderr, "vireo-bench: %s at rip 0x%llx\n", round.error,
					(unsigned long long)run->rip);
				return 1;
			}
		}
		if (bench_round_end(&round, o.n, i == 0, &best) < 0) {
			fprintf(stderr, "vireo-bench: %s\n", round.error);
			return 1;
		}
	}
	bench_print("vireo", &o, &best);

	vireo_vcpu_destroy(vcpu);
	vireo_vm_destroy(vm);
	vireo_close(sys);
	munmap(mem, BENCH_MEM_SIZE);
	return 0;
}
