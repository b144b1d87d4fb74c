#!/bin/sh
# tests/l1/run-bench.sh - exit cost, vireo.ko against KVM in the same L1
# (make bench / make rig-bench).
#
# vireo-bench runs first, on /dev/vireo (vireo.ko is loaded by the rig and
# leaves SVM off while it has no VMs); then the kvm modules are loaded and
# kvm-bench runs the same guest the same way on /dev/kvm.  Prints both raw
# lines, rig-style "BENCH <name> <value> <unit>" figures, and a table: CPUID
# exits, port-I/O exits, emulated MMIO ORs, and port-I/O exits with the
# guest's YMM registers live (tests/bench/bench.asm).
#
# Knobs: VIREO_BENCH_N (iterations per phase, default 20000),
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

vireo_bench=$(echo "$vireo_line" | grep '^BENCH vireo ')
kvm_bench=$(echo "$kvm_line" | grep '^BENCH kvm ')

# ratio A B: A/B with two decimals, or "-" if either is missing or not a number.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'
}

# One benchmark case: KEY in the BENCH lines, a figure name, its unit, the
# table's row label.
rows=""
report() {
	_v=$(bench_field "$vireo_bench" "$1")
	_k=$(bench_field "$kvm_bench" "$1")
	[ -n "$_v" ] && echo "BENCH $2/vireo $_v $3"
	[ -n "$_k" ] && echo "BENCH $2/kvm $_k $3"
	_r=$(ratio "$_v" "$_k")
	[ "$_r" != "-" ] && echo "BENCH ratio-${2#exit-}/vireo-over-kvm $_r x"
	rows="$rows$(printf '  %-26s %14s %14s %14s' "$4" "${_v:--}" "${_k:--}" "$_r")
"
}

report cpuid_ns exit-cpuid "ns per CPUID exit (in-kernel)" "ns per CPUID exit"
report pio_ns exit-pio "ns per OUT exit (to userland)" "ns per port-I/O exit"
report mmio_or_ns exit-mmio-or "ns per emulated OR to MMIO" "ns per MMIO OR"
report avx_exit_ns exit-avx "ns per OUT exit with live YMM state" "ns per exit, YMM live"

echo
echo "Exit cost in this L1, n=$N, best of $ROUNDS.  Under QEMU TCG the absolute"
echo "numbers are emulated time, not hardware cost: compare the columns, not the"
echo "numbers with a real machine's.  An MMIO OR is one exit to userland for"
echo "vireo.ko (libvireo decodes and emulates it) and two for KVM (its kernel"
echo "emulates it and exits for the read and for the write)."
printf '  %-26s %14s %14s %14s\n' "" "vireo.ko" "kvm" "vireo/kvm"
printf '%s' "$rows"
exit 0
