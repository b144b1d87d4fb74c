#!/bin/sh
# tests/l1/run-coexist.sh - vireo.ko beside KVM (docs/ARCHITECTURE.md,
# "Beside KVM"; make rig-coexist): a QEMU/KVM L2 Linux and a vireo-run L2
# Linux at the same time in one L1, each doing CPU and disk work.
#
# Both L2s are the bench-linux guest (tests/bench/linux: its init's
# bench.mode=work: rounds of SHA-256 over /dev/urandom and
# vireo-bench-blk's checked write and read of /dev/vda), each on a raw
# image of its own.  Phases, in this order:
#   1 vireo first: vireo.ko was loaded at boot, KVM was not; the Vireo VM
#     asks for kvm-amd itself and runs inside KVM's enablement.  QEMU/KVM
#     starts next, while the Vireo L2 works; the Vireo L2 has less work
#     and stops first.
#   2 kvm first: vireo.ko is unloaded and loaded again with KVM loaded; the
#     QEMU/KVM L2 starts first and stops first.  Once it is gone, while the
#     Vireo L2 still works, `rmmod kvm_amd` must be refused (the KVM VM
#     vireo.ko holds pins it), and the Vireo L2 must still finish.
# Every phase checks that both L2s finished all their rounds with every
# read checked, that their runs overlapped (each started before the other
# ended), the mode vireo.ko logged, and the kernel log for warnings and
# oopses.  Under the rig's TCG L1 an L2 boot alone takes tens of seconds
# (QEMU/KVM's far more, see run-selftests.sh), so the work is a few rounds
# rather than the issue's two minutes of it: VIREO_COEXIST_ROUNDS (short
# side 2, long side twice that), VIREO_COEXIST_MIB (8, the disk part),
# VIREO_COEXIST_CPU_MIB (4), VIREO_COEXIST_TIMEOUT (seconds per L2, 1500).

. "$(dirname "$0")/lib.sh"
TEST_GROUP=coexist
FAILED=

L2DIR=${VIREO_BENCH_LINUX:-/vireo/bench-linux}
KERNEL=$L2DIR/vmlinuz
INITRD=$L2DIR/initrd.gz
QEMU=${VIREO_BENCH_QEMU:-qemu-system-x86_64}
ROUNDS=${VIREO_COEXIST_ROUNDS:-2}
MIB=${VIREO_COEXIST_MIB:-8}
CPU_MIB=${VIREO_COEXIST_CPU_MIB:-4}
TMO=${VIREO_COEXIST_TIMEOUT:-1500}
WORK=${TMPDIR:-/tmp}/coexist
KO=${VIREO_KO:-/vireo/vireo.ko}
MEM=256

mkdir -p "$WORK"

# l2_start WHO ROUNDS TAG: starts one L2 in the background (WHO: vireo or
# kvm); its spawn line goes to $WORK/TAG.spawn, its console to
# $WORK/TAG.log; the start and end times (L1 seconds since boot) to
# $WORK/TAG.times.  Sets L2_PID.
l2_start() {
	_who=$1 _rounds=$2 _tag=$3
	_app="console=ttyS0 quiet panic=-1 bench.mode=work bench.rounds=$_rounds bench.mib=$MIB bench.cpu_mib=$CPU_MIB"
	_disk=$WORK/$_tag.img
	dd if=/dev/zero of="$_disk" bs=1M count="$MIB" 2>/dev/null
	(
		_t0=$(cut -d' ' -f1 /proc/uptime)
		if [ "$_who" = vireo ]; then
			vireo-bench-spawn --log "$WORK/$_tag.log" --timeout "$TMO" \
				--marker "VIREO-BENCH work-done" -- \
				vireo-run --kernel "$KERNEL" --initrd "$INITRD" --append "$_app" \
				--cpus 1 --mem "${MEM}M" --disk "$_disk,format=raw"
		else
			# xsave=off: see run-bench-linux.sh (kvm-amd's host model
			# under the TCG L1 offers an XSAVE layout L2 rejects).
			vireo-bench-spawn --log "$WORK/$_tag.log" --timeout "$TMO" \
				--marker "VIREO-BENCH work-done" -- \
				"$QEMU" -accel kvm -cpu host,xsave=off -m "$MEM" -smp 1 \
				-nodefaults -no-user-config -display none -no-reboot -serial stdio \
				-kernel "$KERNEL" -initrd "$INITRD" -append "$_app" \
				-drive "file=$_disk,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0
		fi >"$WORK/$_tag.spawn" 2>&1
		echo "$_t0 $(cut -d' ' -f1 /proc/uptime)" >"$WORK/$_tag.times"
	) &
	L2_PID=$!
}

# l2_running TAG: the console shows the L2 kernel has started (its init ran).
l2_running() {
	grep -q "VIREO-BENCH init" "$WORK/$1.log" 2>/dev/null
}

# wait_for_init TAG PID: until TAG's L2 runs its init, or its runner ends.
# Polls the console log the runner writes (nothing to block on: the log is
# a file), once a second.
wait_for_init() {
	while ! l2_running "$1"; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 1
	done
}

# l2_check TAG ROUNDS WHO: the L2 did all its rounds with every disk round
# checked, and its monitor ended with status 0.
l2_check() {
	_spawn=$(grep '^SPAWN' "$WORK/$1.spawn" | tail -n 1)
	if grep -q "VIREO-BENCH work-done rounds=$2 blk_ok=$2" "$WORK/$1.log" 2>/dev/null &&
		[ "$(bench_field "$_spawn" end)" = exit ] && [ "$(bench_field "$_spawn" code)" = 0 ]; then
		pass "$1-$3-work" "$(grep -c 'VIREO-BENCH round ' "$WORK/$1.log") rounds, $_spawn"
	else
		fail "$1-$3-work" "not all $2 rounds done and checked, or the monitor failed: $_spawn"
		echo "--- last lines of $1's console:"
		grep -v '^MAP ' "$WORK/$1.log" 2>/dev/null | tail -n 20 | sed 's/^/    /'
		tail -n 5 "$WORK/$1.spawn" | sed 's/^/    /'
	fi
}

# overlap NAME A B: A's and B's runs overlapped in time.
overlap() {
	read -r _as _ae <"$WORK/$2.times"
	read -r _bs _be <"$WORK/$3.times"
	if awk -v as="$_as" -v ae="$_ae" -v bs="$_bs" -v be="$_be" \
		'BEGIN { exit !(as < be && bs < ae) }'; then
		pass "$1" "$2 ran $_as-$_ae s, $3 ran $_bs-$_be s (L1 uptime)"
	else
		fail "$1" "$2 ran $_as-$_ae s, $3 ran $_bs-$_be s: not at the same time"
	fi
}

# dmesg_clean NAME: no warning, oops or BUG in the kernel log since the mark.
dmesg_clean() {
	_bad=$(dmesg | sed -n "/COEXIST-MARK $1/,\$p" |
		grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|RCU stall|hung task' | head -n 5)
	if [ -z "$_bad" ]; then
		pass "$1-dmesg" "no warning or oops"
	else
		fail "$1-dmesg" "$(echo "$_bad" | tr '\n' '|')"
	fi
}

mark() {
	echo "COEXIST-MARK $1" >/dev/kmsg
}

# expect_mode NAME WORD: vireo.ko logged "mode: WORD" since the mark.
expect_mode() {
	_m=$(dmesg | sed -n "/COEXIST-MARK $1/,\$p" | grep 'vireo: mode:' | tail -n 1)
	case "$_m" in
	*"mode: $2"*) pass "$1-mode" "${_m#*vireo: }" ;;
	*) fail "$1-mode" "want 'mode: $2', the log says: ${_m:-nothing}" ;;
	esac
}

for f in "$KERNEL" "$INITRD"; do
	if [ ! -f "$f" ]; then
		skip setup "no $f (make rig-coexist ships the bench-linux L2 and QEMU)"
		exit 0
	fi
done
if [ ! -c "$VIREO_DEV" ] || ! command -v "$QEMU" >/dev/null 2>&1; then
	skip setup "no $VIREO_DEV or no $QEMU in L1"
	exit 0
fi
if grep -q '^kvm_amd ' /proc/modules; then
	skip setup "kvm_amd is loaded already: phase 1 wants vireo.ko first"
	exit 0
fi
echo "run-coexist: L1 $(uname -r), $(nproc) CPUs; L2: 1 vCPU, $MEM MiB, rounds $ROUNDS/$((ROUNDS * 2)), disk $MIB MiB, cpu $CPU_MIB MiB"

# ------------------------------------------------------ phase 1: vireo first
mark p1
l2_start vireo "$ROUNDS" p1-vireo
vpid=$L2_PID
# QEMU needs /dev/kvm, which the Vireo VM's creation brought (kvm-amd was
# not loaded): start it once the Vireo L2 runs.
if wait_for_init p1-vireo "$vpid"; then
	pass p1-vireo-started "the Vireo L2 runs"
else
	fail p1-vireo-started "the Vireo L2 ended before its init ran"
fi
if [ -c /dev/kvm ] && grep -q '^kvm_amd ' /proc/modules; then
	pass p1-kvm-requested "vireo.ko loaded kvm_amd for its VM"
else
	fail p1-kvm-requested "no kvm_amd or /dev/kvm after vireo.ko's first VM"
	load_kvm || true
fi
l2_start kvm "$((ROUNDS * 2))" p1-kvm
kpid=$L2_PID
wait "$vpid"
wait "$kpid"
expect_mode p1 "shared with KVM"
l2_check p1-vireo "$ROUNDS" vireo
l2_check p1-kvm "$((ROUNDS * 2))" kvm
overlap p1-overlap p1-vireo p1-kvm
read -r _ ve <"$WORK/p1-vireo.times"
read -r _ ke <"$WORK/p1-kvm.times"
if awk -v v="$ve" -v k="$ke" 'BEGIN { exit !(v < k) }'; then
	pass p1-order "the Vireo L2 stopped first ($ve s, QEMU/KVM's $ke s)"
else
	skip p1-order "the QEMU/KVM L2 stopped first ($ke s, Vireo's $ve s): the other order is phase 2's"
fi
dmesg_clean p1

# ------------------------------------------------------- phase 2: kvm first
mark p2
if ! rmmod vireo 2>"$WORK/rmmod.err"; then
	fail p2-reload "rmmod vireo: $(cat "$WORK/rmmod.err")"
elif ! insmod "$KO" 2>"$WORK/insmod.err"; then
	fail p2-reload "insmod $KO: $(cat "$WORK/insmod.err")"
	exit 0
else
	pass p2-reload "vireo.ko unloaded and loaded again, kvm_amd stayed"
fi
l2_start kvm "$ROUNDS" p2-kvm
kpid=$L2_PID
wait_for_init p2-kvm "$kpid" || fail p2-kvm-started "the QEMU/KVM L2 ended before its init ran"
l2_start vireo "$((ROUNDS * 2))" p2-vireo
vpid=$L2_PID
wait "$kpid"
# The QEMU/KVM VM is gone; the Vireo L2 works on, inside KVM's enablement.
if kill -0 "$vpid" 2>/dev/null; then
	if rmmod kvm_amd 2>"$WORK/rmmod-kvm.err"; then
		fail p2-rmmod-kvm-refused "rmmod kvm_amd succeeded under a running Vireo VM"
	else
		pass p2-rmmod-kvm-refused "$(tr '\n' ' ' <"$WORK/rmmod-kvm.err")"
	fi
else
	skip p2-rmmod-kvm-refused "the Vireo L2 ended before the QEMU/KVM one"
fi
wait "$vpid"
expect_mode p2 "shared with KVM"
l2_check p2-kvm "$ROUNDS" kvm
l2_check p2-vireo "$((ROUNDS * 2))" vireo
overlap p2-overlap p2-kvm p2-vireo
dmesg_clean p2

# After the last Vireo VM, kvm_amd is KVM's own again: it unloads.
mark p3
if rmmod kvm_amd 2>"$WORK/rmmod-kvm.err"; then
	pass p3-rmmod-kvm "kvm_amd unloads once no Vireo VM holds it"
	rmmod kvm 2>/dev/null
else
	fail p3-rmmod-kvm "$(tr '\n' ' ' <"$WORK/rmmod-kvm.err")"
fi
dmesg_clean p3
[ -z "$FAILED" ]
