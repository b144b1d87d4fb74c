#!/bin/bash
# Judge one L1 run from the files tools/rig/boot.sh left in DIR.
#
#   tools/rig/report.sh DIR
#
# Prints every "TEST <name> PASS|FAIL <detail>|SKIP <detail>" line of
# DIR/results.log, then adds two tests of its own:
#   rig/boot-completed    the init's end marker arrived (L1 neither hung,
#                         crashed nor was killed by the timeout)
#   rig/kernel-log-clean  the kernel log (dumped by the init, or the console
#                         log when the dump is missing) has no BUG, Oops,
#                         WARNING, general protection, Call Trace or panic
# then any "BENCH <name> <figures...>" lines, and finally
#   N passed, N failed[, N skipped]
# Exit status: 1 if anything failed, else 0.
set -euo pipefail

dir=${1:?usage: report.sh DIR}
results=$dir/results.log
console=$dir/console.log
[[ -f "$results" && -f "$console" ]] || { echo "report.sh: no results.log/console.log in $dir" >&2; exit 1; }
rc='?' timed_out=0 wall='?'
[[ -f "$dir/boot.status" ]] && . "$dir/boot.status"

BAD='BUG|Oops|WARNING|general protection|Call Trace|Kernel panic'

tr -d '\r' <"$results" >"$dir/results.txt"
tr -d '\r' <"$console" >"$dir/console.txt"
# The kernel log the init dumped, if it got that far.
awk '/^VIREO-RIG: dmesg end/ { exit } on { print } /^VIREO-RIG: dmesg begin/ { on = 1 }' \
	"$dir/results.txt" >"$dir/dmesg.txt"

pass=0 fail=0 skip=0
result() {	# result NAME PASS|FAIL|SKIP [DETAIL]
	local name=$1 verdict=$2 detail=${3:-}
	case "$verdict" in
	PASS) pass=$((pass + 1)); printf '  PASS  %s\n' "$name" ;;
	FAIL) fail=$((fail + 1)); printf '  FAIL  %s%s\n' "$name" "${detail:+: $detail}" ;;
	SKIP) skip=$((skip + 1)); printf '  SKIP  %s%s\n' "$name" "${detail:+: $detail}" ;;
	*) fail=$((fail + 1)); printf '  FAIL  %s: malformed TEST line (verdict "%s")\n' "$name" "$verdict" ;;
	esac
}

echo "== L1 results ($dir)"
# Only the lines before the kernel-log dump: a TEST line in dmesg is not ours.
while read -r tag name verdict detail; do
	[[ "$tag" == TEST ]] || continue
	result "$name" "$verdict" "$detail"
done < <(awk '/^VIREO-RIG: dmesg begin/ { exit } { print }' "$dir/results.txt")

# ---------------------------------------------------------------- rig's own
if grep -q '^VIREO-RIG: end' "$dir/results.txt"; then
	result rig/boot-completed PASS
else
	if ((timed_out)); then
		why="L1 killed by the timeout after ${wall}s"
	elif [[ "$rc" == 137 ]]; then
		why="the emulator was killed (SIGKILL) after ${wall}s by something other than the rig's timeout"
	elif grep -q 'Kernel panic' "$dir/console.txt"; then
		why="L1 kernel panicked"
	elif [[ "$rc" != 0 ]]; then
		why="qemu-system-x86_64 exited with status $rc"
	else
		why="L1 powered off without the end marker"
	fi
	result rig/boot-completed FAIL "$why; last console lines:"
	tail -n 20 "$dir/console.txt" | sed 's/^/        console| /'
	echo "        last results-channel lines:"
	tail -n 10 "$dir/results.txt" | sed 's/^/        results| /'
fi

if [[ -s "$dir/dmesg.txt" ]]; then
	klog=$dir/dmesg.txt
else
	klog=$dir/console.txt
fi
# A warning the emulator causes, not vireo.ko, is left out of the judgement
# (and said so): under Bochs, kernels from 6.9 on (the topology rework)
# warn at boot in parse_legacy (arch/x86/kernel/cpu/topology_common.c)
# because Bochs's Haswell CPUID contradicts itself: leaf 4 says 8 cores
# per package, leaf 1 (with the HT flag) 1 logical processor.  Only that
# one WARNING block, from its "cut here" to its "end trace", and only in
# a Bochs run (DIR/bochsrc).
if [[ -f "$dir/bochsrc" ]]; then
	awk '/-+\[ cut here \]-+/ { held = $0; next }
		held != "" && /WARNING: .* parse_legacy/ { skipping = 1; held = ""; next }
		held != "" { print held; held = "" }
		skipping { if (/---\[ end trace/) skipping = 0; next }
		{ print }' "$klog" >"$dir/klog-judged.txt"
	if ! cmp -s "$klog" "$dir/klog-judged.txt"; then
		echo "  NOTE  the kernel's boot-time WARNING in parse_legacy is Bochs's CPUID (leaf 4: 8 cores, leaf 1: 1 logical processor); left out of rig/kernel-log-clean"
	fi
	klog=$dir/klog-judged.txt
fi
if grep -Eq "$BAD" "$klog"; then
	result rig/kernel-log-clean FAIL "$(grep -Ec "$BAD" "$klog") suspicious lines in $(basename "$klog"):"
	grep -En -B2 -A12 "$BAD" "$klog" | head -n 80 | sed 's/^/        /'
else
	result rig/kernel-log-clean PASS
fi

# ---------------------------------------------------------------- figures
if grep -q '^BENCH ' "$dir/results.txt"; then
	echo "== figures"
	awk '/^VIREO-RIG: dmesg begin/ { exit }
		$1 == "BENCH" { name = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); printf "  %-40s %s\n", name, $0 }' \
		"$dir/results.txt"
fi

boot=$(sed -n 's/^VIREO-RIG: script .* start uptime=\([0-9.]*\).*/\1/p' "$dir/results.txt" | head -n 1)
echo "== L1: ${boot:+booted to the script in ${boot}s of guest time, }whole run ${wall}s wall; logs in $dir"
if ((skip)); then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
((fail == 0))
