# tests/l1/lib.sh - shared by the tests/l1 scripts (POSIX sh: busybox ash in
# L1, dash on a host).  Sourced, not run.
#
# Everything is found through the rig's environment (tools/rig/README.md),
# with the L1 defaults, so the scripts also run on a host with a real
# /dev/vireo given VIREO_BIN and VIREO_GUESTS.

# shellcheck disable=SC2034  # KVM_ERR etc. are read by the sourcing scripts
VIREO_BIN=${VIREO_BIN:-/vireo/bin}
VIREO_GUESTS=${VIREO_GUESTS:-/vireo/guests}
VIREO_DEV=${VIREO_DEV:-/dev/vireo}
export VIREO_BIN VIREO_GUESTS VIREO_DEV
PATH=$VIREO_BIN:$PATH
export PATH

# run_prog NAME CMD...: runs a program that prints its own TEST lines and
# exits 0 (all passed) or 1 (some failed).  Any other ending - a crash, a
# missing binary - becomes one FAIL line of its own, so it cannot go unseen.
run_prog() {
	_name=$1
	shift
	"$@"
	_rc=$?
	if [ "$_rc" -gt 1 ]; then
		if [ "$_rc" -gt 128 ]; then
			echo "TEST $_name FAIL killed by signal $((_rc - 128))"
		else
			echo "TEST $_name FAIL exited with status $_rc"
		fi
	fi
	return 0
}

# pass/fail/skip NAME [DETAIL]: a "TEST $TEST_GROUP/NAME ..." line; fail also
# sets FAILED.
pass() { echo "TEST $TEST_GROUP/$1 PASS${2:+ }$2"; }
fail() { echo "TEST $TEST_GROUP/$1 FAIL $2"; FAILED=1; }
skip() { echo "TEST $TEST_GROUP/$1 SKIP $2"; }

# need_l2 NAME: unless $L2 holds the L2 kernel and initramfs (tools/rig/run.sh
# puts them there), NAME is skipped and the script ends.
need_l2() {
	if [ ! -f "$L2/vmlinuz" ] || [ ! -f "$L2/initrd.gz" ]; then
		skip "$1" "no L2 kernel and initramfs in $L2 (tools/rig/run.sh puts them there)"
		exit 0
	fi
}

# bench_field LINE KEY: the value of KEY=... in a "BENCH name k=v ..." line.
bench_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# load_kvm: loads kvm-amd (or kvm-intel on VMX) for the comparison runs.
# Prefers modprobe (the rig ships modules.dep); falls back to insmod of
# irqbypass, ccp, kvm, kvm-amd in that order, found under /vireo/kmods or
# /lib/modules/$(uname -r).  On failure returns 1 with the reason in
# KVM_ERR.  Sets KVM_LOADED=1 only if it loaded something, so that
# unload_kvm never removes a KVM that was there before (on a host).
KVM_ERR=
KVM_LOADED=
load_kvm() {
	KVM_ERR=
	if [ -c /dev/kvm ]; then
		return 0
	fi
	_vendor=amd
	grep -q '^flags.* vmx' /proc/cpuinfo && _vendor=intel
	if modprobe "kvm_$_vendor" 2>/dev/null && [ -c /dev/kvm ]; then
		KVM_LOADED=1
		return 0
	fi
	if [ "$_vendor" = amd ]; then
		_mods="irqbypass ccp kvm kvm-amd"
	else
		_mods="irqbypass kvm kvm-intel"
	fi
	for _m in $_mods; do
		_u=$(echo "$_m" | tr - _)
		grep -q "^$_u " /proc/modules && continue
		_f=$(find /vireo/kmods "/lib/modules/$(uname -r)" \( -name "$_m.ko" -o -name "$_u.ko" \) \
			2>/dev/null | head -n 1)
		if [ -z "$_f" ]; then
			KVM_ERR="no $_m.ko under /vireo/kmods or /lib/modules/$(uname -r)"
			return 1
		fi
		if ! _err=$(insmod "$_f" 2>&1); then
			KVM_ERR="insmod $_f: $_err"
			return 1
		fi
		KVM_LOADED=1
	done
	# devtmpfs makes /dev/kvm; without it, make the node from sysfs.
	if [ ! -c /dev/kvm ] && [ -r /sys/class/misc/kvm/dev ]; then
		_mm=$(cat /sys/class/misc/kvm/dev)
		mknod /dev/kvm c "${_mm%%:*}" "${_mm##*:}"
	fi
	if [ ! -c /dev/kvm ]; then
		KVM_ERR="modules loaded but no /dev/kvm"
		return 1
	fi
}

# unload_kvm: undoes load_kvm (only what it loaded), best effort.
unload_kvm() {
	if [ -n "$KVM_LOADED" ]; then
		rmmod kvm_amd 2>/dev/null || rmmod kvm_intel 2>/dev/null
		rmmod kvm 2>/dev/null
		KVM_LOADED=
	fi
	return 0
}
