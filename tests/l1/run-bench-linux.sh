#!/bin/sh
# tests/l1/run-bench-linux.sh - Linux as the L2 guest: vireo-run against
# QEMU on kvm-amd in the same L1 (make rig-bench-linux; part of make bench).
#
# Both monitors boot the same kernel and initramfs (tests/bench/linux:
# prepare.sh puts them in /vireo/bench-linux, with QEMU and its firmware in
# /usr) with the same memory, CPUs, command line and a virtio-blk disk on
# the same raw image in L1's tmpfs.  The two alternate, round by round
# (vireo-run first, then QEMU; vireo.ko runs beside KVM, and its first VM
# loads kvm-amd where KVM is installed), so that a change
# in the emulated L1's speed (the host's load) falls on both sides alike.
#
# Figures (all timed in L1 with CLOCK_MONOTONIC by vireo-bench-spawn, which
# reads the monitor's console through a pipe, no sleeps):
#   linux-boot    process start to the first line of L2's init
#                 ("VIREO-BENCH init"), best of the boots (all are shown)
#   linux-ready   process start to "VIREO-BENCH ready" (virtio modules in,
#                 /dev/vda there), best of the boots
#   blk-write, blk-read   vireo-bench-blk in L2 on /dev/vda (O_DIRECT, 1 MiB
#                 blocks): MiB over the time between its begin and end lines
#                 as they reach L1; the same program on the image file in L1
#                 (tmpfs: no O_DIRECT in 6.1, the page cache is the file)
#   mem-overhead  at the ready line of an idle boot (1 vCPU, 256 MiB by
#                 default): VmRSS minus the Rss of the guest-RAM mapping in
#                 /proc/PID/smaps, i.e. what the monitor holds beyond the
#                 guest memory the guest has touched (kernel-side memory of
#                 vireo.ko or KVM is not in either)
#
# Knobs: VIREO_BENCH_LINUX (dir with vmlinuz and initrd.gz, default
# /vireo/bench-linux), VIREO_BENCH_LINUX_CPUS (1), VIREO_BENCH_LINUX_MEM_MB
# (256), VIREO_BENCH_LINUX_BOOTS (idle boots per monitor, 3; the blk run's
# boot counts too), VIREO_BENCH_BLK_MIB (128), VIREO_BENCH_BLK_ROUNDS
# (disk runs per monitor, best of; 1), VIREO_BENCH_LINUX_TIMEOUT
# (seconds per L2 run, 300), VIREO_BENCH_LINUX_APPEND (more kernel command
# line), VIREO_BENCH_QEMU (qemu-system-x86_64), VIREO_BENCH_LINUX_ONLY
# (vireo|kvm: one side only).  In the rig they come from
# $VIREO_BENCH_LINUX/env (make rig-bench-linux BENCH_LINUX_ENV="...").

. "$(dirname "$0")/lib.sh"

L2DIR=${VIREO_BENCH_LINUX:-/vireo/bench-linux}
# shellcheck disable=SC1091
[ -f "$L2DIR/env" ] && . "$L2DIR/env"
KERNEL=$L2DIR/vmlinuz
INITRD=$L2DIR/initrd.gz
CPUS=${VIREO_BENCH_LINUX_CPUS:-1}
MEM=${VIREO_BENCH_LINUX_MEM_MB:-256}
BOOTS=${VIREO_BENCH_LINUX_BOOTS:-3}
MIB=${VIREO_BENCH_BLK_MIB:-128}
BLK_ROUNDS=${VIREO_BENCH_BLK_ROUNDS:-1}
TMO=${VIREO_BENCH_LINUX_TIMEOUT:-300}
QEMU=${VIREO_BENCH_QEMU:-qemu-system-x86_64}
ONLY=${VIREO_BENCH_LINUX_ONLY:-}
APPEND="console=ttyS0 quiet panic=-1 ${VIREO_BENCH_LINUX_APPEND:-}"
WORK=${TMPDIR:-/tmp}/bench-linux
DISK=$WORK/disk.img
READY="VIREO-BENCH ready"

mkdir -p "$WORK"

# l2_run WHO MODE LOG [spawn options...]: one L2 boot under vireo-run or
# QEMU/KVM; prints vireo-bench-spawn's SPAWN line.
l2_run() {
	_who=$1 _mode=$2 _log=$3
	shift 3
	_app="$APPEND bench.mode=$_mode bench.mib=$MIB"
	if [ "$_who" = vireo ]; then
		vireo-bench-spawn --log "$_log" --timeout "$TMO" --marker "$READY" "$@" -- \
			vireo-run --kernel "$KERNEL" --initrd "$INITRD" --append "$_app" \
			--cpus "$CPUS" --mem "${MEM}M" --disk "$DISK,format=raw"
	else
		# xsave=off: under the rig's L1 (QEMU TCG, -cpu max) kvm-amd's
		# "host" CPU model reports an XSAVE layout (CPUID 0xD) that the L2
		# kernel finds inconsistent; it warns in fpu__init_system and the
		# boot never reaches init (seen: nothing in 25 minutes).  Without
		# XSAVE it reaches its ready line in about 30 s.
		vireo-bench-spawn --log "$_log" --timeout "$TMO" --marker "$READY" "$@" -- \
			"$QEMU" -accel kvm -cpu host,xsave=off -m "$MEM" -smp "$CPUS" \
			-nodefaults -no-user-config -display none -no-reboot -serial stdio \
			-kernel "$KERNEL" -initrd "$INITRD" -append "$_app" \
			-drive "file=$DISK,if=none,id=d0,format=raw" -device virtio-blk-pci,drive=d0
	fi
}

# line_ms LOG TEXT: L1 time (ms since the monitor started, one decimal) of
# the first line containing TEXT in a vireo-bench-spawn log, or nothing.
line_ms() {
	awk -v t="$2" 'index($0, t) { printf "%.1f\n", $1; exit }' "$1"
}

# field LINE KEY: KEY=value out of a line ("-" counts as missing).
field() {
	_v=$(bench_field "$1" "$2")
	[ "$_v" = - ] || echo "$_v"
}

# min A B: the smaller, either may be empty.
min() {
	if [ -z "$1" ]; then echo "$2"; elif [ -z "$2" ]; then echo "$1"; else
		awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'
	fi
}

# max A B: the larger, either may be empty.
max() {
	if [ -z "$1" ]; then echo "$2"; elif [ -z "$2" ]; then echo "$1"; else
		awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'
	fi
}

# mbps LOG PHASE: MiB/s of a vireo-bench-blk phase, by the L1 times of its
# begin and end lines.
mbps() {
	_b=$(line_ms "$1" "BLK $2 begin")
	_e=$(line_ms "$1" "BLK $2 end")
	[ -n "$_b" ] && [ -n "$_e" ] &&
		awk -v b="$_b" -v e="$_e" -v m="$MIB" 'BEGIN { if (e > b) printf "%.1f", m / ((e - b) / 1000) }'
}

# show_tail LOG: a failed run's console for the reader (the log stays in
# L1's tmpfs only): the first kernel oops or panic with what follows, and
# the last lines.
show_tail() {
	_at=$(grep -n -m 1 -E 'BUG:|Oops|general protection|Kernel panic|WARNING:|Call Trace' "$1" |
		cut -d: -f1)
	if [ -n "$_at" ]; then
		echo "--- $1, from line $((_at > 10 ? _at - 10 : 1)):"
		tail -n "+$((_at > 10 ? _at - 10 : 1))" "$1" | head -n 40 | sed 's/^/    /'
	fi
	echo "--- last lines of $1:"
	grep -v '^MAP ' "$1" | tail -n 15 | sed 's/^/    /'
	echo "---"
}

# get VAR: the value of the variable named VAR.
get() {
	eval "echo \"\${$1:-}\""
}

# note_boot WHO LOG SPAWN-LINE: adds a boot's samples (to init, to ready)
# to WHO's lists and bests.
note_boot() {
	_b=$(line_ms "$2" "VIREO-BENCH init")
	_r=$(field "$3" marker_ms)
	[ -n "$_b" ] && [ -n "$_r" ] || return 0
	eval "boots_$1=\"\$boots_$1 $_b\" readys_$1=\"\$readys_$1 $_r\""
	eval "boot_$1=\$(min \"\$boot_$1\" $_b) ready_$1=\$(min \"\$ready_$1\" $_r)"
}

# idle_run WHO N: boot N of WHO, stopped at the ready line; the first one
# that gets there gives WHO's memory figures.
idle_run() {
	_log=$WORK/$1-idle-$2.log
	_s=$(l2_run "$1" idle "$_log" --stop-at-marker --ram-mib "$MEM")
	echo "$1 idle boot $2: $_s"
	if [ -z "$(field "$_s" marker_ms)" ]; then
		echo "TEST bench-linux/$1-boot FAIL no \"$READY\" line (boot $2): $_s"
		show_tail "$_log"
		return 0
	fi
	note_boot "$1" "$_log" "$_s"
	grep "$READY" "$_log" | sed "s/^/$1: /"
	if [ -z "$(get "over_$1")" ] && [ -n "$(field "$_s" ram_rss_kb)" ]; then
		_rss=$(field "$_s" vmrss_kb)
		_ram=$(field "$_s" ram_rss_kb)
		eval "rss_$1=$_rss ram_$1=$_ram over_$1=$((_rss - _ram))"
		[ "$(field "$_s" ram_maps)" = 1 ] ||
			echo "$1: NOTE: $(field "$_s" ram_maps) mappings of the guest RAM's size counted as guest RAM"
		grep '^MAP ' "$_log" | sed "s/^/$1: /"
	fi
}

# blk_run WHO N: boot N of WHO with the disk benchmark, to its poweroff;
# keeps WHO's best write and read (and its boot samples).
blk_run() {
	_log=$WORK/$1-blk-$2.log
	_s=$(l2_run "$1" blk "$_log")
	echo "$1 blk run $2: $_s"
	grep '^[0-9.]* BLK ' "$_log" | sed "s/^/$1: /"
	[ -n "$(field "$_s" marker_ms)" ] && note_boot "$1" "$_log" "$_s"
	if grep -q 'BLK read end' "$_log" && ! grep -q 'BLK error' "$_log"; then
		eval "wr_$1=\$(max \"\$wr_$1\" \"$(mbps "$_log" write)\")"
		eval "rd_$1=\$(max \"\$rd_$1\" \"$(mbps "$_log" read)\")"
	else
		echo "TEST bench-linux/$1-blk FAIL no complete write/read in L2 (run $2): $_s"
		show_tail "$_log"
	fi
	if [ "$(field "$_s" end)" != exit ] || [ "$(field "$_s" code)" != 0 ]; then
		echo "$1: NOTE: blk run $2 did not end with poweroff and status 0"
	fi
}

# l1_blk: the same program on the image file in L1 (best of the rounds).
l1_blk() {
	_o=$(vireo-bench-blk "$DISK" "$MIB")
	echo "$_o" | sed 's/^/l1: /'
	wr_l1=$(max "$wr_l1" "$(echo "$_o" | awk '/BLK write end/ { for (i = 1; i <= NF; i++) if ($i ~ /^mbps=/) print substr($i, 6) }')")
	rd_l1=$(max "$rd_l1" "$(echo "$_o" | awk '/BLK read end/ { for (i = 1; i <= NF; i++) if ($i ~ /^mbps=/) print substr($i, 6) }')")
}

# each_side KIND N: one run of KIND (idle_run, blk_run) for vireo-run, then
# for QEMU with kvm-amd loaded.  Alternating the two in every round keeps a change
# in the host's load (the L1 is emulated) from landing on one side only.
each_side() {
	if [ "$ONLY" != kvm ] && [ -n "$have_vireo" ]; then
		"$1" vireo "$2"
	fi
	if [ "$ONLY" != vireo ] && [ -n "$have_kvm" ]; then
		if load_kvm; then
			"$1" kvm "$2"
			unload_kvm
		else
			echo "TEST bench-linux/kvm-load FAIL cannot load kvm (round $2): $KVM_ERR"
		fi
	fi
}

for f in "$KERNEL" "$INITRD"; do
	if [ ! -f "$f" ]; then
		echo "TEST bench-linux/setup FAIL no $f (make bench-linux builds it; rig-bench-linux ships it)"
		exit 0
	fi
done
# shellcheck disable=SC2034  # boots_* and readys_* are read through get()
{
	boot_vireo= ready_vireo= boots_vireo= readys_vireo= rss_vireo= ram_vireo= over_vireo=
	wr_vireo= rd_vireo=
	boot_kvm= ready_kvm= boots_kvm= readys_kvm= rss_kvm= ram_kvm= over_kvm= wr_kvm= rd_kvm=
}
wr_l1= rd_l1=

echo "run-bench-linux: L1 $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB;" \
	"L2: $CPUS vCPU(s), $MEM MiB, disk $MIB MiB raw in $WORK; append: $APPEND"

have_vireo=1
if [ ! -c "$VIREO_DEV" ]; then
	have_vireo=
	echo "TEST bench-linux/vireo SKIP no $VIREO_DEV (vireo.ko not loaded)"
fi
have_kvm=1
if ! load_kvm; then
	have_kvm=
	echo "TEST bench-linux/kvm SKIP cannot load kvm: $KVM_ERR"
else
	unload_kvm
fi

# The image, allocated (not sparse).
dd if=/dev/zero of="$DISK" bs=1M count="$MIB" 2>/dev/null
i=1
while [ "$i" -le "$BOOTS" ]; do
	each_side idle_run "$i"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$BLK_ROUNDS" ]; do
	l1_blk
	each_side blk_run "$i"
	i=$((i + 1))
done
for w in vireo kvm; do
	echo "$w: boot samples, ms to init:$(get "boots_$w"); to ready:$(get "readys_$w")"
done

# ratio A B: A/B with two decimals, or "-" if either is missing.
ratio() {
	if [ -n "$1" ] && [ -n "$2" ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
	else
		echo "-"
	fi
}
# bench NAME VALUE UNIT...: a BENCH line, only for a figure that exists.
bench() {
	_n=$1 _v=$2
	shift 2
	[ -n "$_v" ] && [ "$_v" != - ] && echo "BENCH $_n $_v $*"
	return 0
}

bench linux-boot/vireo "$boot_vireo" ms to the init marker
bench linux-boot/kvm "$boot_kvm" ms to the init marker
bench ratio-linux-boot/vireo-over-kvm "$(ratio "$boot_vireo" "$boot_kvm")" x
bench linux-ready/vireo "$ready_vireo" ms to virtio-blk ready
bench linux-ready/kvm "$ready_kvm" ms to virtio-blk ready
bench ratio-linux-ready/vireo-over-kvm "$(ratio "$ready_vireo" "$ready_kvm")" x
bench blk-write/vireo-l2 "$wr_vireo" MiB/s
bench blk-write/kvm-l2 "$wr_kvm" MiB/s
bench blk-write/l1 "$wr_l1" MiB/s
bench ratio-blk-write/vireo-l2-over-l1 "$(ratio "$wr_vireo" "$wr_l1")" x
bench ratio-blk-write/kvm-l2-over-l1 "$(ratio "$wr_kvm" "$wr_l1")" x
bench ratio-blk-write/vireo-over-kvm "$(ratio "$wr_vireo" "$wr_kvm")" x
bench blk-read/vireo-l2 "$rd_vireo" MiB/s
bench blk-read/kvm-l2 "$rd_kvm" MiB/s
bench blk-read/l1 "$rd_l1" MiB/s
bench ratio-blk-read/vireo-l2-over-l1 "$(ratio "$rd_vireo" "$rd_l1")" x
bench ratio-blk-read/kvm-l2-over-l1 "$(ratio "$rd_kvm" "$rd_l1")" x
bench ratio-blk-read/vireo-over-kvm "$(ratio "$rd_vireo" "$rd_kvm")" x
bench mem-overhead/vireo "$over_vireo" KiB "(VmRSS $rss_vireo - guest RAM resident $ram_vireo)"
bench mem-overhead/kvm "$over_kvm" KiB "(VmRSS $rss_kvm - guest RAM resident $ram_kvm)"
bench ratio-mem-overhead/vireo-over-kvm "$(ratio "$over_vireo" "$over_kvm")" x

row() {
	printf '  %-34s %12s %12s %12s\n' "$1" "${2:--}" "${3:--}" "$4"
}
echo
echo "Linux ($KERNEL) as L2, $CPUS vCPU(s), $MEM MiB; boot: best of $((BOOTS + BLK_ROUNDS));"
echo "QEMU: -accel kvm -cpu host,xsave=off, SeaBIOS + linuxboot_dma; disk: $MIB MiB raw in L1 tmpfs."
echo "The L1 is itself QEMU TCG: every figure is emulated time on emulated"
echo "hardware.  Compare the columns with each other, not with a real machine."
row "" "vireo-run" "qemu+kvm" "vireo/kvm"
row "boot to init marker (ms)" "$boot_vireo" "$boot_kvm" "$(ratio "$boot_vireo" "$boot_kvm")"
row "boot to virtio-blk ready (ms)" "$ready_vireo" "$ready_kvm" "$(ratio "$ready_vireo" "$ready_kvm")"
row "monitor RSS beyond guest RAM (KiB)" "$over_vireo" "$over_kvm" "$(ratio "$over_vireo" "$over_kvm")"
row "  VmRSS (KiB)" "$rss_vireo" "$rss_kvm" ""
row "  guest RAM resident (KiB)" "$ram_vireo" "$ram_kvm" ""
row "virtio-blk seq. write (MiB/s)" "$wr_vireo" "$wr_kvm" "$(ratio "$wr_vireo" "$wr_kvm")"
row "virtio-blk seq. read (MiB/s)" "$rd_vireo" "$rd_kvm" "$(ratio "$rd_vireo" "$rd_kvm")"
row "  same file in L1, write (MiB/s)" "$wr_l1" "" ""
row "  same file in L1, read (MiB/s)" "$rd_l1" "" ""
row "  L2/L1 write" "$(ratio "$wr_vireo" "$wr_l1")" "$(ratio "$wr_kvm" "$wr_l1")" ""
row "  L2/L1 read" "$(ratio "$rd_vireo" "$rd_l1")" "$(ratio "$rd_kvm" "$rd_l1")" ""
rm -f "$DISK"
exit 0
