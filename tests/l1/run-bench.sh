#!/bin/sh
# tests/l1/run-bench.sh - exit cost, vireo.ko against KVM in the same L1
# (make bench / make rig-bench).
#
# vireo-bench runs first, on /dev/vireo (vireo.ko is loaded by the rig and
# leaves SVM off while it has no VMs); then the kvm modules are loaded and
# kvm-bench runs the same guest the same way on /dev/kvm.  Prints both raw
# lines, rig-style "BENCH <name> <value> <unit>" figures, and a table.
#
# Knobs: VIREO_BENCH_N (instructions per phase, default 20000),
#        VIREO_BENCH_ROUNDS (best of, default 3).

. "$(dirname "$0")/lib.sh"

N=${VIREO_BENCH_N:-20000}
ROUNDS=${VIREO_BENCH_ROUNDS:-3}

vireo_line=$(vireo-bench -n "$N" -r "$ROUNDS" 2>&1)
echo "$vireo_line"
if load_kvm; then
	kvm_line=$(kvm-bench -n "$N" -r "$ROUNDS" 2>&1)
	echo "$kvm_line"
	unload_kvm
else
	kvm_line=""
	echo "run-bench: cannot load kvm: $KVM_ERR"
fi

vc=$(bench_field "$(echo "$vireo_line" | grep '^BENCH vireo ')" cpuid_ns)
vp=$(bench_field "$(echo "$vireo_line" | grep '^BENCH vireo ')" pio_ns)
kc=$(bench_field "$(echo "$kvm_line" | grep '^BENCH kvm ')" cpuid_ns)
kp=$(bench_field "$(echo "$kvm_line" | grep '^BENCH kvm ')" pio_ns)

[ -n "$vc" ] && echo "BENCH exit-cpuid/vireo $vc ns per CPUID exit (in-kernel)"
[ -n "$vp" ] && echo "BENCH exit-pio/vireo $vp ns per OUT exit (to userland)"
[ -n "$kc" ] && echo "BENCH exit-cpuid/kvm $kc ns per CPUID exit (in-kernel)"
[ -n "$kp" ] && echo "BENCH exit-pio/kvm $kp ns per OUT exit (to userland)"

# ratio A B: A/B with two decimals, or "-" if either is missing.
ratio() {
	if [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
	else
		echo "-"
	fi
}
rc=$(ratio "$vc" "$kc")
rp=$(ratio "$vp" "$kp")
[ "$rc" != "-" ] && echo "BENCH ratio-cpuid/vireo-over-kvm $rc x"
[ "$rp" != "-" ] && echo "BENCH ratio-pio/vireo-over-kvm $rp x"

echo
echo "Exit cost in this L1, n=$N, best of $ROUNDS.  Under QEMU TCG the absolute"
echo "numbers are emulated time, not hardware cost: compare the columns, not the"
echo "numbers with a real machine's."
printf '  %-22s %14s %14s %14s\n' "" "vireo.ko" "kvm" "vireo/kvm"
printf '  %-22s %14s %14s %14s\n' "ns per CPUID exit" "${vc:--}" "${kc:--}" "$rc"
printf '  %-22s %14s %14s %14s\n' "ns per port-I/O exit" "${vp:--}" "${kp:--}" "$rp"
exit 0
