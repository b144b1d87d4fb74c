#!/bin/bash
# `make check-kernels`: the rig suites with the other kernels of the matrix.
#
#   tools/rig/check-kernels.sh [SUITE...]      (default: trixie sid)
#
# For each Debian release (tools/kmatrix.sh's chroots: trixie = Debian 13's
# 6.12, sid = unstable's newest), vireo.ko is built against that kernel
# with that release's compiler (make rig-build RIG_KERNEL=<suite>); then
# the L1 boots that kernel and runs what make check's svm and vmx legs run
# (tests/l1/run-suite.sh under QEMU/SVM and under Bochs/VMX; side by side,
# one core each, as tools/check.sh does; KERNELS_SERIAL=1 runs them one
# after the other).  KERNELS_LEGS="svm" (or "vmx") runs one leg only.
#
# A release whose kernel the module does not build against is reported as
# one failure with the build's reason, and its L1 still boots once without
# vireo.ko (tools/rig/l1/kernel-probe.sh), so that the rig's side of that
# kernel stays proved.  Each leg prints its wall time; the last line is
# "N passed, N failed[, N skipped]" over everything, exit status 1 on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

suites=("$@")
((${#suites[@]})) || suites=(trixie sid)
legs=${KERNELS_LEGS:-svm vmx}
make=(make --no-print-directory)
total_pass=0 total_fail=0 total_skip=0 summary=()

# tally NAME LOG SECONDS: add LOG's "N passed, N failed" lines to the totals.
tally() {
	local name=$1 log=$2 secs=$3 line p=0 f=0 s=0
	while read -r line; do
		[[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]] || continue
		p=$((p + BASH_REMATCH[1]))
		f=$((f + BASH_REMATCH[2]))
		s=$((s + ${BASH_REMATCH[4]:-0}))
	done < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log")
	grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log" || { f=1; echo "check-kernels: $name printed no summary: counted as 1 failure"; }
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	summary+=("$(printf '%-12s %4d passed, %d failed' "$name" "$p" "$f")$( ((s)) && echo ", $s skipped") ($((secs / 60)) min $((secs % 60)) s)")
}

# run_leg LOG live|quiet COMMAND...: COMMAND's output into LOG (and shown
# as it comes when live), its wall time into LOG.secs.
run_leg() {
	local log=$1 how=$2 start
	shift 2
	start=$SECONDS
	if [[ $how == live ]]; then
		"$@" 2>&1 | tee "$log"
	else
		"$@" >"$log" 2>&1
	fi
	echo $((SECONDS - start)) >"$log.secs"
}

# end_leg NAME LOG [show]: add up a leg that ran (showing its output now
# when it ran in the background).
end_leg() {
	[[ -z ${3:-} ]] || { echo "==== check-kernels: $1, its output:"; cat "$2"; }
	tally "$1" "$2" "$(cat "$2.secs")"
	echo "==== check-kernels: $1 took $(cat "$2.secs") s"
	rm -f "$2" "$2.secs"
}

for suite in "${suites[@]}"; do
	echo "==== check-kernels: $suite: building vireo.ko against its kernel (tools/kmatrix.sh $suite) and the userland"
	log=$(mktemp)
	"${make[@]}" rig-build RIG_KERNEL="$suite" 2>&1 | tee "$log"
	verdict=$(grep -m 1 "^KMATRIX $suite " "$log")
	rm -f "$log"
	if [[ $verdict != *" PASS" ]]; then
		echo "==== check-kernels: $suite: vireo.ko does not build: ${verdict:-no KMATRIX line (see above)}"
		total_fail=$((total_fail + 1))
		if [[ $verdict == *" FAIL "* ]]; then
			read -r _ _ release _ <<<"$verdict"
			summary+=("$(printf '%-12s vireo.ko does not build against %s: %s' "$suite" "$release" "${verdict#* FAIL }")")
		else
			summary+=("$(printf '%-12s vireo.ko not built (make rig-build failed; see above)' "$suite")")
		fi
		# The userland is not built when kmatrix fails: build it for the probe.
		"${make[@]}" userland tests >/dev/null || { summary+=("$suite: make userland tests failed"); total_fail=$((total_fail + 1)); continue; }
		echo "==== check-kernels: $suite: the L1 without vireo.ko (tools/rig/l1/kernel-probe.sh)"
		log=$(mktemp)
		run_leg "$log" live "${make[@]}" rig-check RIG_KERNEL="$suite" RIG_PREBUILT=1 \
			RIG_KO= RIG_TESTS="$PWD/tools/rig/l1" RIG_SCRIPT=kernel-probe.sh RIG_TIMEOUT=600
		end_leg "$suite/probe" "$log"
		continue
	fi

	ko=$PWD/build/kmatrix/$suite/vireo.ko
	svm=("${make[@]}" rig-check RIG_KERNEL="$suite" RIG_PREBUILT=1)
	vmx=("${make[@]}" rig-check-vmx RIG_KERNEL="$suite" RIG_PREBUILT=1 RIG_VMX_KO="$ko" RIG_VMX_SCRIPT=run-suite.sh)
	svm_log='' vmx_log='' vmx_pid=''
	for leg in $legs; do
		case $leg in
		svm) svm_log=$(mktemp) ;;
		vmx) vmx_log=$(mktemp) ;;
		*) echo "check-kernels: unknown leg '$leg'"; exit 2 ;;
		esac
	done
	if [[ -n $vmx_log && -n $svm_log && -z ${KERNELS_SERIAL:-} ]]; then
		echo "==== check-kernels: $suite: vmx (${vmx[*]}) started in the background"
		run_leg "$vmx_log" quiet "${vmx[@]}" &
		vmx_pid=$!
	fi
	if [[ -n $svm_log ]]; then
		echo "==== check-kernels: $suite: svm (${svm[*]})"
		run_leg "$svm_log" live "${svm[@]}"
		end_leg "$suite/svm" "$svm_log"
	fi
	if [[ -n $vmx_log ]]; then
		if [[ -n $vmx_pid ]]; then
			echo "==== check-kernels: $suite: vmx: waiting for the background leg"
			wait "$vmx_pid"
			end_leg "$suite/vmx" "$vmx_log" show
		else
			echo "==== check-kernels: $suite: vmx (${vmx[*]})"
			run_leg "$vmx_log" live "${vmx[@]}"
			end_leg "$suite/vmx" "$vmx_log"
		fi
	fi
done

echo "==== check-kernels: summary"
printf '  %s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed$( ((total_skip)) && echo ", $total_skip skipped")"
((total_fail == 0))
