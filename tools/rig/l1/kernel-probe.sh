#!/bin/sh
# The rig's own L1 script for a kernel the module does not build against
# (tools/rig/check-kernels.sh): does that kernel boot the rig's L1, run the
# host's programs (built on Debian 12, with its libraries), and offer the
# CPU's virtualization to its own KVM?  Runs without vireo.ko.
echo "kernel $(uname -r)"
if out=$("${VIREO_BIN:-/vireo/bin}/vireo-run" --version 2>&1); then
	echo "TEST rig/host-programs-run PASS"
else
	echo "TEST rig/host-programs-run FAIL vireo-run --version: $out"
fi
kvm=kvm_amd
grep -q '^flags.* vmx' /proc/cpuinfo && kvm=kvm_intel
if out=$(modprobe "$kvm" 2>&1) && [ -c /dev/kvm ]; then
	echo "TEST rig/$kvm-loads PASS"
else
	echo "TEST rig/$kvm-loads FAIL modprobe $kvm: $out; /dev/kvm: $(ls /dev/kvm 2>&1)"
fi
