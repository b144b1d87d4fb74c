#!/bin/sh
# tests/l1/run-cpuhp.sh - CPU hotplug and system suspend while a VM exists,
# in the rig's L1 (needs 2 CPUs).  Prints TEST lines; exits 0 when it ran
# to the end.
#
# vireo.ko turns virtualization on in every CPU while any VM exists; a CPU
# that comes online later must get it too (a cpuhp state), and the CPU that
# stays through suspend must get it back on resume (syscore ops).  A VM is
# kept alive throughout by a spinning guest (spin.bin), which starts on
# CPU 1 and moves when CPU 1 goes away.  With one CPU (the Bochs L1) only
# the suspend cases run.
#
# TEST lines (group cpuhp):
#   offline-cpu1       CPU 1 goes offline while the VM exists (and runs there)
#   online-cpu1        and comes back
#   guest-on-cpu1      a guest pinned to the CPU that came back runs to its end
#   guest-on-cpu0      and one on CPU 0
#   suspend-resume     /sys/power/pm_test=core + "mem": CPUs off, syscore
#                      suspend and resume, CPUs back (SKIP without PM_DEBUG/S3)
#   guest-after-resume a guest on each CPU after it
#   spinner-survived   the VM that existed throughout still runs, and stops
#                      on SIGTERM with status 10
#   dmesg-clean        no WARNING/BUG/Oops in the kernel log of this script

. "$(dirname "$0")/lib.sh"

TEST_GROUP=cpuhp
CPU1=/sys/devices/system/cpu/cpu1/online
T=/tmp/cpuhp.$$
mkdir -p "$T"

HOTPLUG=1
SPIN_CPU=1
if [ ! -w "$CPU1" ]; then
	HOTPLUG=
	SPIN_CPU=0
fi
# The kernel log from here on: a mark, not dmesg -c, so that the suite's
# own kernel-log checks still see what came before this script.
MARK="CPUHP-MARK $$"
echo "$MARK" >/dev/kmsg
since_mark() { dmesg | sed -n "/$MARK/,\$p"; }

# hello CPU NAME: hello_real.bin pinned to CPU; passes when it prints its
# greeting and ends with 33 (the guest's debug exit), not 4 (monitor error).
hello() {
	taskset -c "$1" vireo-run --mode real --load "$VIREO_GUESTS/hello_real.bin@0x1000" \
		--entry 0x1000 >"$T/out" 2>"$T/err"
	_st=$?
	if [ "$_st" = 33 ] && grep -q "Hello from 16-bit real mode" "$T/out"; then
		pass "$2"
	else
		fail "$2" "status $_st, stdout '$(head -c 200 "$T/out")', stderr '$(head -c 300 "$T/err")'"
	fi
}

taskset -c $SPIN_CPU vireo-run --mode long --load "$VIREO_GUESTS/spin.bin@0x100000" \
	--entry 0x100000 >"$T/spin.out" 2>"$T/spin.err" &
SPIN=$!
i=0
while ! grep -q spinning "$T/spin.out" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if ! grep -q spinning "$T/spin.out"; then
	fail spinner-survived "the spinning guest did not start: $(cat "$T/spin.err")"
	kill "$SPIN" 2>/dev/null
	exit 0
fi

if [ -z "$HOTPLUG" ]; then
	skip offline-cpu1 "no hot-pluggable CPU 1 ($(grep -c '^processor' /proc/cpuinfo) CPUs)"
elif echo 0 >"$CPU1" && [ "$(cat "$CPU1")" = 0 ]; then
	pass offline-cpu1
else
	fail offline-cpu1 "CPU 1 still online"
fi
if [ -n "$HOTPLUG" ]; then
	if echo 1 >"$CPU1" && [ "$(cat "$CPU1")" = 1 ]; then
		pass online-cpu1
	else
		fail online-cpu1 "CPU 1 did not come back: $(since_mark | grep vireo | tail -2)"
	fi
	hello 1 guest-on-cpu1
fi
hello 0 guest-on-cpu0

if [ -w /sys/power/pm_test ] && grep -qw mem /sys/power/state; then
	grep -qw deep /sys/power/mem_sleep 2>/dev/null && echo deep >/sys/power/mem_sleep
	echo core >/sys/power/pm_test
	if echo mem >/sys/power/state 2>"$T/pm.err"; then
		if since_mark | grep -q "suspend debug: Waiting"; then
			pass suspend-resume
		else
			fail suspend-resume "no pm_test core wait in the kernel log"
		fi
	else
		fail suspend-resume "echo mem: $(cat "$T/pm.err")"
	fi
	echo none >/sys/power/pm_test
	[ -n "$HOTPLUG" ] && hello 1 guest-after-resume-cpu1
	hello 0 guest-after-resume-cpu0
else
	skip suspend-resume "no /sys/power/pm_test (CONFIG_PM_DEBUG) or no S3"
fi

kill -TERM "$SPIN"
wait "$SPIN"
st=$?
if [ "$st" = 10 ]; then
	pass spinner-survived
else
	fail spinner-survived "status $st (want 10), stderr '$(head -c 300 "$T/spin.err")'"
fi
if since_mark | grep -E "WARNING|BUG|Oops|general protection" >"$T/dmesg"; then
	fail dmesg-clean "$(head -3 "$T/dmesg")"
else
	pass dmesg-clean
fi
rm -rf "$T"
exit 0
