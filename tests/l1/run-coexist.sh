#!/bin/sh
# tests/l1/run-coexist.sh - vireo.ko beside KVM (docs/ARCHITECTURE.md,
# "Beside KVM"; make rig-coexist): a QEMU/KVM L2 Linux and a vireo-run L2
# Linux at the same time in one L1, each doing CPU and disk work.
#
# Every L2 is the bench-linux guest (tests/bench/linux: its init's
# bench.mode=work: rounds of SHA-256 over /dev/urandom and
# vireo-bench-blk's checked write and read of /dev/vda), each on a raw
# image of its own.  Phases:
#   1 one QEMU/KVM L2 and three Vireo L2s around it (see below): Vireo
#     first (kvm-amd loaded by vireo.ko's VM, or at boot on 6.12 as
#     distributions do), each side stopping first,
#     rmmod kvm_amd refused under a running Vireo VM.
#   2 vireo.ko unloaded and loaded again after KVM: kvm-bench's KVM guests
#     run while a Vireo L2 works.
#   3 kvm_amd unloads once the last Vireo VM is gone.
#   4 own mode: with vireo.share_kvm=0 a Vireo guest runs with SVM turned
#     on by vireo.ko, and KVM stays unloaded.
# Every L2 must finish all its rounds with every read checked and its
# monitor must exit with 0; runs that should overlap are checked to have
# (each started before the other ended); the kernel log is checked for
# warnings and oopses, and vireo.ko's logged mode.  Under the rig's TCG L1
# (single-threaded, on a shared machine) a QEMU/KVM L2 Linux takes from
# minutes to past 25 minutes to boot, so the work is a round or a few
# rather than the issue's two minutes: VIREO_COEXIST_ROUNDS (1),
# VIREO_COEXIST_LONG (Vireo L2 c's rounds, 12), VIREO_COEXIST_MIB (8, the
# disk part), VIREO_COEXIST_CPU_MIB (4), VIREO_COEXIST_TIMEOUT (seconds
# per L2, 2400).

. "$(dirname "$0")/lib.sh"
TEST_GROUP=coexist
FAILED=

L2DIR=${VIREO_BENCH_LINUX:-/vireo/bench-linux}
KERNEL=$L2DIR/vmlinuz
INITRD=$L2DIR/initrd.gz
QEMU=${VIREO_BENCH_QEMU:-qemu-system-x86_64}
ROUNDS=${VIREO_COEXIST_ROUNDS:-1}
LONG=${VIREO_COEXIST_LONG:-12}
# The QEMU/KVM L2 does a few more rounds, so that c, started at its init
# line, finds it still working (a round takes a second or two there).
K_ROUNDS=$((ROUNDS + 4))
MIB=${VIREO_COEXIST_MIB:-8}
CPU_MIB=${VIREO_COEXIST_CPU_MIB:-4}
TMO=${VIREO_COEXIST_TIMEOUT:-2400}
WORK=${TMPDIR:-/tmp}/coexist
KO=${VIREO_KO:-/vireo/vireo.ko}
MEM=256

mkdir -p "$WORK"

# l2_start WHO ROUNDS TAG: starts one L2 in the background (WHO: vireo or
# kvm); its spawn line goes to $WORK/TAG.spawn, its console to
# $WORK/TAG.log; its start and end times (L1 seconds since boot) to
# $WORK/TAG.start and, once it has ended, $WORK/TAG.end.  Sets L2_PID.
l2_start() {
	_who=$1 _rounds=$2 _tag=$3
	_app="console=ttyS0 quiet panic=-1 bench.mode=work bench.rounds=$_rounds bench.mib=$MIB bench.cpu_mib=$CPU_MIB"
	_disk=$WORK/$_tag.img
	dd if=/dev/zero of="$_disk" bs=1M count="$MIB" 2>/dev/null
	cut -d' ' -f1 /proc/uptime >"$WORK/$_tag.start"
	rm -f "$WORK/$_tag.end"
	(
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
		cut -d' ' -f1 /proc/uptime >"$WORK/$_tag.end"
	) &
	L2_PID=$!
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

# ended TAG: TAG's end time, or a time after any other if it still runs.
ended() {
	cat "$WORK/$1.end" 2>/dev/null || echo 1e12
}

# overlap NAME A B: A's and B's runs overlapped in time (B may still run).
overlap() {
	_as=$(cat "$WORK/$2.start") _ae=$(ended "$2")
	_bs=$(cat "$WORK/$3.start") _be=$(ended "$3")
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
# A 6.12 L1 may have loaded kvm_amd at boot (make check's coexist leg), as
# distributions do: KVM has turned SVM on before vireo.ko's first VM.
kvm_at_boot=
grep -q '^kvm_amd ' /proc/modules && kvm_at_boot=1
echo "run-coexist: L1 $(uname -r), $(nproc) CPUs; L2: 1 vCPU, $MEM MiB, rounds $ROUNDS (c: $LONG, QEMU/KVM: $K_ROUNDS), disk $MIB MiB, cpu $CPU_MIB MiB"

# wait_for_line TAG PID TEXT: until TAG's console shows TEXT, or its runner
# ends (polled once a second: the console log is a file).
wait_for_line() {
	while ! grep -q "$3" "$WORK/$1.log" 2>/dev/null; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 1
	done
}

# One QEMU/KVM L2 (its boot alone takes many minutes under TCG) and three
# Vireo L2s around it:
#   a  Vireo first: vireo.ko was loaded at boot, KVM was not; the Vireo
#      VM asks for kvm-amd itself and runs inside KVM's enablement.  The
#      QEMU/KVM L2 starts while it works, and it stops first.
#   b  another Vireo L2 while the QEMU/KVM L2 boots, stops first too.
#   c  a long Vireo L2 started once the QEMU/KVM L2 has booted: the QEMU/KVM L2
#      stops first; then, while c still works, rmmod kvm_amd must be
#      refused (the KVM VM vireo.ko holds pins it), and c must finish.
mark p1
l2_start vireo "$ROUNDS" a-vireo
apid=$L2_PID
if wait_for_line a-vireo "$apid" "VIREO-BENCH init"; then
	pass a-vireo-started "the Vireo L2 runs"
else
	fail a-vireo-started "the Vireo L2 ended before its init ran"
fi
if [ -n "$kvm_at_boot" ]; then
	pass kvm-requested "kvm_amd was loaded at boot, before vireo.ko's first VM"
elif [ -c /dev/kvm ] && grep -q '^kvm_amd ' /proc/modules; then
	pass kvm-requested "vireo.ko loaded kvm_amd for its VM"
else
	fail kvm-requested "no kvm_amd or /dev/kvm after vireo.ko's first VM"
	load_kvm || true
fi
l2_start kvm "$K_ROUNDS" k-kvm
kpid=$L2_PID
wait "$apid"
l2_check a-vireo "$ROUNDS" vireo
overlap a-overlap a-vireo k-kvm
expect_mode p1 "shared with KVM"
# b boots beside the QEMU/KVM L2 and stops first; c starts once the QEMU/KVM
# L2 has booted (its init line), while it still has its rounds ahead, and
# has more rounds, so the QEMU/KVM L2 stops first.  rmmod is tried once
# c's guest runs (its init line: its VM, and so the KVM VM vireo.ko holds,
# exist for sure) and the QEMU/KVM L2 is gone.
bpid=
if kill -0 "$kpid" 2>/dev/null; then
	l2_start vireo "$ROUNDS" b-vireo
	bpid=$L2_PID
else
	skip b-vireo "the QEMU/KVM L2 ended already"
fi
if wait_for_line k-kvm "$kpid" "VIREO-BENCH init" && kill -0 "$kpid" 2>/dev/null; then
	l2_start vireo "$LONG" c-vireo
	cpid=$L2_PID
	wait "$kpid"
	l2_check k-kvm "$K_ROUNDS" kvm
	if wait_for_line c-vireo "$cpid" "VIREO-BENCH init" && kill -0 "$cpid" 2>/dev/null; then
		pass c-order "the QEMU/KVM L2 stopped while the Vireo L2 c worked"
		if rmmod kvm_amd 2>"$WORK/rmmod-kvm.err"; then
			fail rmmod-kvm-refused "rmmod kvm_amd succeeded under a running Vireo VM"
		else
			pass rmmod-kvm-refused "$(tr '\n' ' ' <"$WORK/rmmod-kvm.err")"
		fi
	else
		skip c-order "the Vireo L2 c finished before the QEMU/KVM L2"
	fi
	wait "$cpid"
	l2_check c-vireo "$LONG" vireo
	overlap c-overlap c-vireo k-kvm
else
	skip c-order "the QEMU/KVM L2 ended before c could start beside it"
	wait "$kpid"
	l2_check k-kvm "$K_ROUNDS" kvm
fi
if [ -n "$bpid" ]; then
	wait "$bpid"
	l2_check b-vireo "$ROUNDS" vireo
	overlap b-overlap b-vireo k-kvm
fi
dmesg_clean p1

# ----------------------------------- phase 2: vireo.ko loaded after KVM
# Reloaded with kvm_amd loaded; KVM guests (kvm-bench's raw-ioctl guest)
# run while a Vireo L2 works.
mark p2
if ! rmmod vireo 2>"$WORK/rmmod.err"; then
	fail p2-reload "rmmod vireo: $(cat "$WORK/rmmod.err")"
elif ! insmod "$KO" 2>"$WORK/insmod.err"; then
	fail p2-reload "insmod $KO: $(cat "$WORK/insmod.err")"
	exit 0
else
	pass p2-reload "vireo.ko unloaded and loaded again, kvm_amd stayed"
fi
l2_start vireo "$ROUNDS" d-vireo
dpid=$L2_PID
wait_for_line d-vireo "$dpid" "VIREO-BENCH ready" || true
n=0 ok=0
while kill -0 "$dpid" 2>/dev/null && [ "$n" -lt 20 ]; do
	n=$((n + 1))
	kvm-bench -n 1000 -r 1 >"$WORK/kvm-bench.out" 2>&1 && ok=$((ok + 1))
done
if [ "$n" -gt 0 ] && [ "$ok" = "$n" ]; then
	pass p2-kvm-guests "$ok kvm-bench runs while the Vireo L2 worked"
else
	fail p2-kvm-guests "$ok of $n kvm-bench runs passed: $(tail -n 2 "$WORK/kvm-bench.out" | tr '\n' ' ')"
fi
wait "$dpid"
l2_check d-vireo "$ROUNDS" vireo
expect_mode p2 "shared with KVM"
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

# ------------------------------------------ phase 4: own mode (share_kvm=0)
# vireo.ko turns SVM on itself and does not ask for KVM.
mark p4
if echo 0 >/sys/module/vireo/parameters/share_kvm; then
	if out=$(vireo-bench -n 1000 -r 1 2>&1); then
		pass p4-own-guest "$(echo "$out" | grep '^BENCH' | cut -c1-100)"
	else
		fail p4-own-guest "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
	expect_mode p4 own
	if grep -q '^kvm_amd ' /proc/modules; then
		fail p4-no-kvm "kvm_amd was loaded in own mode"
	else
		pass p4-no-kvm "kvm_amd stayed unloaded"
	fi
	echo 1 >/sys/module/vireo/parameters/share_kvm
fi
dmesg_clean p4
[ -z "$FAILED" ]
