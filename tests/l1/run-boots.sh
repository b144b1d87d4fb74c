#!/bin/sh
# tests/l1/run-boots.sh - boots the L2 Linux again and again (make
# rig-boots): a soak test for faults that show once in tens of boots, such
# as an interrupt delivered twice.  Not in make check: about 25 s a boot.
#
# Each boot gets a small virtio disk, runs tests/linux/init to its marker
# and powers off (l2.poweroff=1); it passes when vireo-run exits 0 with the
# marker and the poweroff line in its output, within L2_BOOT_TIMEOUT.  The
# boots take turns: 1 vCPU, 2 vCPUs on L1 CPU 0, 2 vCPUs on any L1 CPU.
# Knobs: L2_BOOTS (default 30), L2_BOOT_TIMEOUT (seconds a boot, default 120;
# 2400 under Bochs), VIREO_L2.

. "$(dirname "$0")/lib.sh"

L2=${VIREO_L2:-/vireo/l2}
BOOTS=${L2_BOOTS:-30}
if [ "$VIREO_RIG_EMU" = bochs ]; then
	BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-2400}
else
	BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-120}
fi
T=/tmp/run-boots.$$
TEST_GROUP=boots
need_l2 boot
mkdir -p "$T"
dd if=/dev/zero of="$T/disk.img" bs=1M count=16 2>/dev/null

i=0
while [ "$i" -lt "$BOOTS" ]; do
	i=$((i + 1))
	case $((i % 3)) in
	1) mode="cpus=1"; cpus=1; pin="taskset -c 0" ;;
	2) mode="cpus=2 pinned"; cpus=2; pin="taskset -c 0" ;;
	0) mode="cpus=2 unpinned"; cpus=2; pin= ;;
	esac
	start=$(cut -d' ' -f1 /proc/uptime)
	$pin timeout "$BOOT_TIMEOUT" vireo-run --kernel "$L2/vmlinuz" --initrd "$L2/initrd.gz" \
		--cpus "$cpus" --mem 256M --disk "$T/disk.img" \
		--append "console=ttyS0 quiet l2.poweroff=1" </dev/null >"$T/out" 2>&1
	rc=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	secs=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')
	if [ "$rc" = 0 ] && grep -q 'VIREO-L2: init marker' "$T/out" &&
	   grep -q 'VIREO-L2: poweroff' "$T/out"; then
		pass "$i" "$mode ${secs}s"
	else
		fail "$i" "$mode status $rc after ${secs}s; last lines: $(tail -n 4 "$T/out" | tr '\n' '|')"
		cp "$T/out" "/tmp/boots-failed.$i"
	fi
done
rm -rf "$T"
exit "${FAILED:-0}"
