#!/bin/sh
# tests/l1/run-suite.sh - every correctness test, run inside L1 by the rig
# (make rig-check).  Prints TEST lines; exits 0 when it ran to the end.
#
#   1  vireo-guest-suite   the tiny guests under vireo-run (tests/guest/suite.c)
#   2  vireo-cycles 200    create/run/destroy with raw ioctls
#      vireo-smp           two vCPUs of one VM at once, raw ioctls
#      vireo-abi           who completes what (vireo.h), raw ioctls, no libvireo
#      vireo-lapic         the in-kernel LAPIC: timer, MSI, irqfd, ioeventfd, SIPI
#      vireo-events        single-step traps after completed instructions, NMI
#                          blocking until IRET
#   3  vireo-misuse        ioctl misuse (tests/misuse/misuse.c)
#      run-virtio-hostile.sh  a test kernel that attacks the virtio disk
#                          through the PC machine; the monitor survives
#      run-pc-probe.sh     a Multiboot kernel below 1 MiB: boot information,
#                          BIOS data area, PMU MSRs, the guest actions that
#                          once ended the monitor; ends through --debug-exit
#      run-linux.sh        the Debian kernel as L2: SMP, virtio disk, tap
#                          network, serial console, reboot, poweroff
#      run-cli.sh          the vireo CLI end to end with that L2 (qcow2,
#                          NAT, port forward, disk export, stop)
#      run-cpuhp.sh        CPU 1 offline/online and a suspend test (pm_test
#                          core) while a VM exists; guests on both CPUs after
#   4  bench/*-quick       both benchmark runners work (tiny N).  KVM is
#                          loaded already by then: vireo.ko's first VM asked
#                          for it and the suite ran in shared mode
#                          (docs/ARCHITECTURE.md, "Beside KVM").
#   5  run-fuzz.sh         kfuzz, the ioctl fuzzer, on a short fixed list of
#                          seeds (tests/kfuzz/README.md), then rmmod vireo
#                          and insmod again; the SVM leg only (the Bochs leg
#                          has make rig-fuzz-vmx)
#   6  suite/rmmod-vireo   (in the rig) vireo.ko unloads: no VM, vCPU or fd
#                          of any test above kept a reference
#      suite/dmesg-clean   no WARNING, BUG, Oops, RCU stall, soft lockup or
#                          hung task in the kernel log of the whole run

. "$(dirname "$0")/lib.sh"

echo "run-suite: $(uname -r), $(grep -c '^processor' /proc/cpuinfo) CPUs," \
	"$(sed -n 's/^MemTotal: *//p' /proc/meminfo)"

run_prog guest/suite vireo-guest-suite
run_prog guest/cycles vireo-cycles 200
run_prog guest/smp vireo-smp
run_prog abi/all vireo-abi
run_prog lapic/all vireo-lapic
run_prog events/all vireo-events
run_prog misuse/all vireo-misuse
run_prog virtio-hostile/all sh "$(dirname "$0")/run-virtio-hostile.sh"
run_prog pc-probe/all sh "$(dirname "$0")/run-pc-probe.sh"
run_prog linux/all sh "$(dirname "$0")/run-linux.sh"
run_prog cli/all sh "$(dirname "$0")/run-cli.sh"
run_prog cpuhp/all sh "$(dirname "$0")/run-cpuhp.sh"

# quick_bench NAME RUNNER: one tiny run, judged on its BENCH line: every
# case a number (the runner has already checked the MMIO ORs and the YMM
# registers, or failed), avx_exit_ns "skip" only with the reason printed.
quick_bench() {
	if _out=$("$2" -n 1000 -r 1 2>&1); then
		_line=$(echo "$_out" | grep "^BENCH $1 ")
		_bad=
		for _k in cpuid_ns pio_ns mmio_or_ns avx_exit_ns; do
			_v=$(bench_field "$_line" $_k)
			case "$_v" in
			[0-9]*) ;;
			skip) echo "$_out" | grep -q "avx_exit_ns skipped: " || _bad="$_bad $_k=skip(no reason)" ;;
			*) _bad="$_bad $_k=${_v:-missing}" ;;
			esac
		done
		if [ -z "$_bad" ]; then
			echo "TEST bench/$1-quick PASS"
			echo "quick: $_line"
			return
		fi
		_out="$_bad: $_out"
	fi
	echo "TEST bench/$1-quick FAIL $(echo "$_out" | tr '\n' ' ')"
}

quick_bench vireo vireo-bench
if load_kvm; then
	quick_bench kvm kvm-bench
	unload_kvm
else
	echo "TEST bench/kvm-quick FAIL cannot load kvm: $KVM_ERR"
fi

if [ "${VIREO_RIG_EMU:-}" = bochs ]; then
	echo "TEST kfuzz/short SKIP the fuzzer's short run is the SVM leg's; make rig-fuzz-vmx runs it under Bochs"
else
	run_prog kfuzz/all sh "$(dirname "$0")/run-fuzz.sh"
fi

if [ -n "${VIREO_RIG:-}" ]; then
	if _err=$(rmmod vireo 2>&1); then
		echo "TEST suite/rmmod-vireo PASS"
	else
		echo "TEST suite/rmmod-vireo FAIL $(echo "$_err" | tr '\n' ' ')"
	fi
fi
_bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|rcu.*(stall|self-detected)|soft lockup|blocked for more than|Kernel panic' |
	head -n 3 | tr '\n' ' ')
if [ -z "$_bad" ]; then
	echo "TEST suite/dmesg-clean PASS"
else
	echo "TEST suite/dmesg-clean FAIL $_bad"
fi
exit 0
