#!/bin/sh
# selftests-run [SECONDS]: in the L2 Linux, every kernel x86 selftest in
# /bin (*_64, tests/linux/selftests/build.sh) once, each under a timeout
# (default 60 s, then SIGKILL), its output kept in /tmp.  On the console
# for tests/l1/run-selftests.sh: "SELFTEST-BEGIN count=N", then one line
# each:
#   SELFTEST NAME rc=N secs=S at=UPTIME fail=F skip=K
# (F and K: its "[FAIL]" and "[SKIP]" lines), and for a non-zero status its
# [FAIL] lines and last lines as "SELFTEST-LOG NAME| ...".  Then
# "SELFTEST-END".
#
# As the L2's PID 1 (rdinit=/bin/selftests-run selftest.timeout=SECONDS):
# mounts what the tests need, runs them, powers off.  Nothing is typed on
# the console then, which under QEMU/KVM in the rig's L1 takes seconds a
# character.
tmo=${1:-60}
if [ "$$" = 1 ]; then
	export PATH=/bin:/sbin:/usr/bin:/usr/sbin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t tmpfs tmpfs /tmp
	for arg in $(cat /proc/cmdline); do
		case "$arg" in
		selftest.timeout=*) tmo=${arg#selftest.timeout=} ;;
		esac
	done
	echo "SELFTEST-INIT cpus=$(cat /sys/devices/system/cpu/online)"
fi
set -- /bin/*_64
echo "SELFTEST-BEGIN count=$#"
for t in /bin/*_64; do
	n=${t##*/}
	n=${n%_64}
	start=$(cut -d' ' -f1 /proc/uptime)
	timeout -s KILL "$tmo" "$t" </dev/null >"/tmp/$n.log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
	echo "SELFTEST $n rc=$rc secs=$secs at=$start fail=$(grep -c '\[FAIL\]' "/tmp/$n.log")" \
		"skip=$(grep -c '\[SKIP\]' "/tmp/$n.log")"
	if [ "$rc" -ne 0 ]; then
		{ grep '\[FAIL\]' "/tmp/$n.log" | head -n 10; tail -n 8 "/tmp/$n.log"; } |
			sed "s/^/SELFTEST-LOG $n| /"
	fi
done
echo "SELFTEST-END"
[ "$$" = 1 ] && poweroff -f
exit 0
