#!/bin/sh
# tests/l1/run-linux.sh - the Debian kernel as an L2 guest of vireo-run, in
# the rig's L1 (make rig-linux).  Prints TEST lines; exits 0 when
# it ran to the end.
#
# One vireo-run, two boots of the L2 kernel (tests/linux/init is its PID 1):
#   boot 1  init marker; 2 vCPUs online; an ext2 file system made on the
#           virtio disk (a qcow2 image made by qemu-img) with a 256 KiB
#           random file; eth0 (virtio-net on a
#           tap bridged in L1) pings L1 and sends a TCP stream to it; L1
#           pings L2; a command typed on the serial console (through a
#           FIFO on vireo-run's stdin) runs and its output comes back;
#           xstate-check: YMM0-15 of 4 processes unchanged across
#           syscalls, signals and moves between the vCPUs;
#           ACPI S3 ("S3 and wake", SVM leg only): "echo mem" to
#           /sys/power/state with an RTC alarm 5 s ahead returns, woken by
#           the alarm (vireo-run's note says so), the kernel log shows the
#           resume; the disk's file reads back the same (page cache
#           dropped) and a new one is written; a second "echo mem" is woken
#           by the power button from the control socket (vireo stop
#           --timeout 0: the guest stays up, status 5);
#           "reboot -f" typed there
#   boot 2  the file read back with the same checksum; "poweroff -f" typed:
#           vireo-run exits with status 0
# then a second vireo-run, stopped with the console escape Ctrl-A x
# (status 10),
# and the L2 kernel log shows no warning (BUG, WARNING, unchecked MSR
# access, Call Trace ...).  Every wait is bounded.
#
# vireo-run's threads run on any L1 CPU (L2_TASKSET, e.g. "taskset -c 0",
# pins them).  In make check (run-suite.sh), both legs.
#
# History: under the QEMU L1 about one quiet boot in twenty used to
# deadlock (the kernel spinning in native_queued_spin_lock_slowpath with
# IF=0, a PIT interrupt nested in another one's handler), and unpinned SMP
# boots now and then died on a user GS base after SWAPGS.  Both were one
# fault: QEMU's TCG SVM delivered an interrupt injected by EVENTINJ twice,
# the second time as an exception past IF=0 (found with an exit history:
# the entry injecting vector 0x30 ended with EXITINTINFO 0x330).  vireo.ko
# now posts external interrupts in V_IRQ (kmod/svm/svm.c, svm_post_virq);
# tests/l1/run-boots.sh (make rig-boots) is the soak test for it.

# Knobs: L2_QUIET (kernel arguments in place of "quiet"), L2_BOOT_TIMEOUT (seconds to the init marker, default 240; 3600
# under Bochs), L2_STEP_TIMEOUT (other steps, default 120; 1200 under
# Bochs), VIREO_L2 (the kernel and initramfs, default /vireo/l2).

. "$(dirname "$0")/lib.sh"

L2=${VIREO_L2:-/vireo/l2}
if [ "$VIREO_RIG_EMU" = bochs ]; then	# make rig-linux-vmx: everything is slower
	BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-3600}
	STEP_TIMEOUT=${L2_STEP_TIMEOUT:-1200}
else
	BOOT_TIMEOUT=${L2_BOOT_TIMEOUT:-240}
	STEP_TIMEOUT=${L2_STEP_TIMEOUT:-120}
fi
T=/tmp/run-linux.$$
NAME=l2linux
TASKSET=${L2_TASKSET-}
QUIET=${L2_QUIET-quiet}
TAP=vtap0
BR=vbr0
L1_IP=10.0.2.1
L2_IP=10.0.2.2
PORT=5000

TEST_GROUP=linux
need_l2 boot
mkdir -p "$T"

# The control socket where the vireo CLI finds it: `vireo stop` needs only
# the machine to exist (a definition file) and its lock held by the
# monitor, which vireo-run takes with --lock.
mkdir -p "$T/data/vireo/machines/$NAME" "$T/run/vireo"
chmod 700 "$T/run" "$T/run/vireo"
export XDG_DATA_HOME="$T/data" XDG_RUNTIME_DIR="$T/run"
echo '{}' >"$T/data/vireo/machines/$NAME/machine.json"

# ---------------------------------------------------------------- L1 side
# A bridge with L1's address and a persistent tap on it: vireo-run opens
# the tap by name, and it stays on the bridge across the L2 reboot.
net_ok=1
net_err=
setup_net() {
	modprobe tun 2>/dev/null
	modprobe bridge 2>/dev/null
	[ -c /dev/net/tun ] || { mkdir -p /dev/net; mknod /dev/net/tun c 10 200; }
	net_err=$( {
		tunctl -t "$TAP" >/dev/null &&
		brctl addbr "$BR" &&
		brctl addif "$BR" "$TAP" &&
		ip addr add "$L1_IP/24" dev "$BR" &&
		ip link set "$BR" up &&
		ip link set "$TAP" up
	} 2>&1) || net_ok=
}
cleanup_net() {
	ip link set "$TAP" down 2>/dev/null
	brctl delif "$BR" "$TAP" 2>/dev/null
	ip link set "$BR" down 2>/dev/null
	brctl delbr "$BR" 2>/dev/null
	tunctl -d "$TAP" >/dev/null 2>&1
}
setup_net

# The disk: an empty qcow2 image made by qemu-img (tests/tests.mk).
cp "$VIREO_GUESTS/qemu-img-32m.qcow2" "$T/disk.qcow2" ||
	fail disk-image "no $VIREO_GUESTS/qemu-img-32m.qcow2 (make tests makes it)"

# The serial console's input: a FIFO held open for writing here (fd 5), so
# that vireo-run never sees the end of its input.
mkfifo "$T/console"
exec 5<>"$T/console"

# The TCP stream's receiver.  Its stdin stays open (fd 6 on a FIFO): at
# the end of its input, busybox nc would half-close the connection, and
# the sender, seeing that, would quit before it has sent everything.
mkfifo "$T/nc-in"
exec 6<>"$T/nc-in"
nc -l -p "$PORT" <"$T/nc-in" >"$T/tcp.got" 2>/dev/null &
nc_pid=$!

append="console=ttyS0 $QUIET l2.ip=$L2_IP/24 l2.peer=$L1_IP l2.tcp=$PORT"
[ -n "$net_ok" ] || append="console=ttyS0 $QUIET"
net_opt=
[ -n "$net_ok" ] && net_opt="--net tap,ifname=$TAP"
start=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086  # TASKSET and net_opt are words or nothing
$TASKSET vireo-run --kernel "$L2/vmlinuz" --initrd "$L2/initrd.gz" --append "$append" \
	--cpus 2 --mem 256M --disk "$T/disk.qcow2" $net_opt --console --verbose \
	--name "$NAME" --lock "$T/data/vireo/machines/$NAME/lock" \
	--control "$T/run/vireo/$NAME.sock" \
	<"$T/console" >"$T/out" 2>"$T/err" &
vpid=$!

# ---------------------------------------------------------------- helpers
out() { tr -d '\r' <"$T/out"; }
alive() { kill -0 "$vpid" 2>/dev/null; }
# wait_gone SECONDS: until vireo-run has exited, at most SECONDS.
wait_gone() {
	_i=0
	while alive && [ "$_i" -lt "$1" ]; do
		sleep 1
		_i=$((_i + 1))
	done
}
elapsed() { awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }'; }
# since T: seconds from elapsed time T to now.
since() { awk -v a="$1" -v b="$(elapsed)" 'BEGIN { printf "%.1f", b - a }'; }

# wait_err PATTERN COUNT SECONDS: until COUNT lines of vireo-run's stderr
# match PATTERN (grep -E).  1 on timeout or when vireo-run is gone.
wait_err() {
	_i=0
	while [ "$_i" -lt "$3" ]; do
		[ "$(grep -cE "$1" "$T/err")" -ge "$2" ] && return 0
		alive || return 1
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}

# wait_line PATTERN COUNT SECONDS: until COUNT lines of the L2's output
# match PATTERN (grep -E).  1 on timeout or when vireo-run is gone.
wait_line() {
	_i=0
	while [ "$_i" -lt "$3" ]; do
		[ "$(out | grep -cE "$1")" -ge "$2" ] && return 0
		alive || { [ "$(out | grep -cE "$1")" -ge "$2" ]; return; }
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}

# field KEY PATTERN N: KEY=value from the Nth line matching PATTERN.
field() {
	out | grep -E "$2" | sed -n "${3}p" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# type LINE: typed on the serial console.
type_line() { printf '%s\n' "$1" >&5; }

# Give up: the remaining tests fail with why.
STOPPED=
give_up() {
	[ -n "$STOPPED" ] && return
	STOPPED=$1
	echo "run-linux: giving up after $(elapsed)s: $1"
	echo "run-linux: --- last lines of the L2 console ---"
	out | tail -n 40 | sed 's/^/l2| /'
	echo "run-linux: --- vireo-run's stderr ---"
	tail -n 20 "$T/err" | sed 's/^/l2-err| /'
	diagnose
}

# diagnose: where a stalled L2 is.  The state and kernel wait channel of
# each vireo-run thread (a vCPU asleep in HLT or spinning in the guest),
# then two seconds of vireo.ko's exit trace: exit codes and guest RIPs.
diagnose() {
	alive || return
	echo "run-linux: --- vireo-run's threads (tid state wchan) ---"
	for _t in /proc/$vpid/task/*; do
		echo "l2-thread| ${_t##*/} $(cut -d' ' -f3 "$_t/stat" 2>/dev/null)" \
			"$(cat "$_t/wchan" 2>/dev/null) $(cat "$_t/comm" 2>/dev/null)"
	done
	_p=/sys/module/vireo/parameters/trace_exits
	[ -w "$_p" ] || _p=/sys/module/vireo/parameters/vmx_trace_exits
	[ -w "$_p" ] || return
	dmesg -c >/dev/null 2>&1
	echo 1 >"$_p"
	sleep 2
	echo 0 >"$_p"
	echo "run-linux: --- vireo.ko exit trace (2 s) ---"
	dmesg | grep ' exit ' | tail -n 120 | sed 's/^/l2-trace| /'
}
step() { # step NAME: true if the run is still going
	if [ -n "$STOPPED" ]; then
		fail "$1" "not reached ($STOPPED)"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- boot 1
if wait_line '^VIREO-L2: init marker' 1 "$BOOT_TIMEOUT"; then
	pass boot "init marker after $(elapsed)s"
else
	fail boot "no init marker within ${BOOT_TIMEOUT}s"
	give_up "no init marker"
fi

if step smp-2-cpus; then
	# init prints this line after the marker: it may not be out yet.
	wait_line '^VIREO-L2: cpus' 1 "$STEP_TIMEOUT"
	cpus=$(field online '^VIREO-L2: cpus' 1)
	if [ "$cpus" = 0-1 ]; then
		pass smp-2-cpus
	else
		fail smp-2-cpus "online CPUs '$cpus', want 0-1"
	fi
fi

written=
if step disk-write; then
	if wait_line '^VIREO-L2: disk-(written|failed|none)' 1 "$STEP_TIMEOUT"; then
		written=$(field sha '^VIREO-L2: disk-written' 1)
		if [ -n "$written" ]; then
			pass disk-write "sha256 $written"
		else
			fail disk-write "$(out | grep -E '^VIREO-L2: disk-' | head -n 1)"
		fi
	else
		fail disk-write "no disk report within ${STEP_TIMEOUT}s"
		give_up "no disk report"
	fi
fi

if [ -z "$net_ok" ]; then
	fail net "L1 network setup failed: $(echo "$net_err" | tr '\n' ' ')"
elif step net-up; then
	if wait_line '^VIREO-L2: net-(up|none)' 1 "$STEP_TIMEOUT" &&
	   out | grep -q '^VIREO-L2: net-up'; then
		pass net-up
		if ping -c 3 -W 5 "$L2_IP" >"$T/ping" 2>&1; then
			pass ping-l1-to-l2 "$(grep -o '[0-9]* packets received' "$T/ping")"
		else
			fail ping-l1-to-l2 "$(tail -n 2 "$T/ping" | tr '\n' ' ')"
		fi
		if wait_line '^VIREO-L2: ping-' 1 "$STEP_TIMEOUT" &&
		   out | grep -q '^VIREO-L2: ping-ok'; then
			pass ping-l2-to-l1
		else
			fail ping-l2-to-l1 "$(out | grep '^VIREO-L2: ping-' | head -n 1)"
		fi
		if wait_line '^VIREO-L2: tcp-' 1 "$STEP_TIMEOUT"; then
			sent=$(field sha '^VIREO-L2: tcp-sent' 1)
			_i=0
			while kill -0 "$nc_pid" 2>/dev/null && [ "$_i" -lt 20 ]; do
				sleep 1
				_i=$((_i + 1))
			done
			got=$(sha256sum "$T/tcp.got" | cut -d' ' -f1)
			if [ -n "$sent" ] && [ "$sent" = "$got" ]; then
				pass tcp-l2-to-l1 "256 KiB, sha256 $got"
			else
				fail tcp-l2-to-l1 "sent '${sent:-$(out | grep '^VIREO-L2: tcp-')}', L1 got $(wc -c <"$T/tcp.got") bytes sha256 $got"
			fi
		else
			fail tcp-l2-to-l1 "no TCP report within ${STEP_TIMEOUT}s"
		fi
	else
		fail net-up "$(out | grep '^VIREO-L2: net-' | head -n 1)"
	fi
fi

if step console; then
	if wait_line '^VIREO-L2: shell$' 1 "$STEP_TIMEOUT"; then
		sleep 1	# the shell reaches its prompt
		type_line 'echo typed-$((6*7))'
		if wait_line '^typed-42$' 1 30; then
			pass console "a typed command ran and its output came back"
		else
			fail console "no 'typed-42' within 30s of typing"
		fi
	else
		fail console "no shell on the console within ${STEP_TIMEOUT}s"
		give_up "no shell"
	fi
fi

# YMM registers of 4 processes across system calls, signals and migration
# between the 2 vCPUs (tests/linux/xstate_check.c): the guest's XSAVE state
# through vireo.ko's FPU switching and XCR0 handling.
if step xstate; then
	type_line 'xstate-check 4 10'
	if wait_line '^xstate-check: (OK|FAIL|no AVX|process [0-9]+ ended)' 1 "$STEP_TIMEOUT"; then
		verdict=$(out | grep -E '^xstate-check: (OK|FAIL|no AVX|process [0-9]+ ended)' | head -n 1)
		case "$verdict" in
		"xstate-check: OK"*) pass xstate "${verdict#xstate-check: }" ;;
		*) fail xstate "$verdict" ;;
		esac
	else
		fail xstate "no verdict from xstate-check within ${STEP_TIMEOUT}s"
	fi
fi

# ACPI S3 (suspend to RAM) and its wake events: acpi/pm.h, vireo-run's
# pc_sleep.c.  "suspend exit" is the kernel's last resume message; its
# count tells one cycle from the next.
if [ "$VIREO_RIG_EMU" = bochs ]; then
	skip s3-rtc "S3 runs in the SVM leg only (a device test; keeps the Bochs leg short)"
elif step s3-rtc; then
	s3_start=$(elapsed)
	s3_all=$s3_start
	type_line 'echo +5 >/sys/class/rtc/rtc0/wakealarm && echo mem >/sys/power/state; echo s3-rtc rc=$? exits=$(dmesg | grep -c "PM: suspend exit") $(cat /sys/power/mem_sleep)'
	if wait_line '^s3-rtc rc=' 1 "$STEP_TIMEOUT"; then
		got=$(out | grep '^s3-rtc rc=' | head -n 1)
		if [ "$got" = 's3-rtc rc=0 exits=1 s2idle [deep]' ] &&
		   grep -q 'S3 wake by the RTC alarm' "$T/err"; then
			pass s3-rtc "$(grep 'S3 wake by' "$T/err" | head -n 1 | sed 's/^vireo-run: note: //'), back $(since "$s3_start")s after 'echo mem'"
		else
			fail s3-rtc "guest: '$got'; monitor: $(grep -E 'S3' "$T/err" | tr '\n' ' ')"
		fi
	else
		fail s3-rtc "no return from 'echo mem' within ${STEP_TIMEOUT}s; monitor: $(grep -E 'S3' "$T/err" | tr '\n' ' ')"
		give_up "no S3 resume"
	fi
	if step s3-disk; then
		type_line 'echo 3 >/proc/sys/vm/drop_caches; mount -t ext2 /dev/vda /mnt && echo s3-disk sha=$(sha256sum /mnt/blob | cut -d" " -f1) && head -c 65536 /dev/urandom >/mnt/after-s3 && sync && umount /mnt && echo s3-disk-written'
		if wait_line '^s3-disk-written' 1 "$STEP_TIMEOUT"; then
			after=$(field sha '^s3-disk sha=' 1)
			if [ -n "$written" ] && [ "$after" = "$written" ]; then
				pass s3-disk "read back the same sha256 after the resume, and wrote"
			else
				fail s3-disk "wrote '$written' before, read '$after' after the resume"
			fi
		else
			fail s3-disk "no disk report after the resume within ${STEP_TIMEOUT}s: $(out | grep '^s3-disk' | tr '\n' ' ')"
		fi
	fi
	if step s3-power-button; then
		s3_start=$(elapsed)
		type_line 'echo mem >/sys/power/state; echo s3-button rc=$? exits=$(dmesg | grep -c "PM: suspend exit")'
		if wait_err 'the guest entered S3' 2 "$STEP_TIMEOUT"; then
			vireo stop --timeout 0 "$NAME" >"$T/stop.out" 2>&1
			src=$?
			if wait_line '^s3-button rc=' 1 "$STEP_TIMEOUT"; then
				got=$(out | grep '^s3-button rc=' | head -n 1)
				if [ "$got" = 's3-button rc=0 exits=2' ] && [ "$src" -eq 5 ] &&
				   grep -q 'S3 wake by the power button' "$T/err"; then
					pass s3-power-button "woken through the control socket, back $(since "$s3_start")s after 'echo mem'; S3 steps took $(since "$s3_all")s in all"
				else
					fail s3-power-button "guest: '$got'; vireo stop: status $src $(tr '\n' ' ' <"$T/stop.out"); monitor: $(grep -E 'S3' "$T/err" | tr '\n' ' ')"
				fi
			else
				fail s3-power-button "no return from 'echo mem' within ${STEP_TIMEOUT}s of the button; vireo stop: status $src $(tr '\n' ' ' <"$T/stop.out")"
				give_up "no S3 resume by the power button"
			fi
		else
			fail s3-power-button "the guest did not enter S3 again within ${STEP_TIMEOUT}s"
			give_up "no second S3"
		fi
	fi
fi

# ---------------------------------------------------------------- boot 2
if step reboot; then
	type_line 'reboot -f'
	if wait_line '^VIREO-L2: init marker' 2 "$BOOT_TIMEOUT"; then
		pass reboot "booted again after $(elapsed)s"
	else
		fail reboot "no second init marker within ${BOOT_TIMEOUT}s"
		give_up "no reboot"
	fi
fi

if step disk-reread; then
	if wait_line '^VIREO-L2: disk-' 2 "$STEP_TIMEOUT"; then
		read_back=$(field sha '^VIREO-L2: disk-read' 1)
		if [ -n "$written" ] && [ "$read_back" = "$written" ]; then
			pass disk-reread "same sha256 after the reboot"
		else
			fail disk-reread "wrote '$written', read '$read_back' ($(out | grep -E '^VIREO-L2: disk-' | tail -n 1))"
		fi
	else
		fail disk-reread "no disk report within ${STEP_TIMEOUT}s"
	fi
fi

if step poweroff; then
	if wait_line '^VIREO-L2: shell$' 2 "$STEP_TIMEOUT"; then
		sleep 1
		type_line 'poweroff -f'
		wait_gone 60
		if alive; then
			fail poweroff "vireo-run still running 60s after 'poweroff -f'"
			give_up "no poweroff"
		else
			wait "$vpid"
			rc=$?
			if [ "$rc" -eq 0 ]; then
				pass poweroff "vireo-run exited with status 0 after $(elapsed)s"
			else
				fail poweroff "vireo-run exited with status $rc"
			fi
		fi
	else
		fail poweroff "no shell after the reboot within ${STEP_TIMEOUT}s"
		give_up "no second shell"
	fi
fi

cp "$T/out" "$T/out.main"

# ---------------------------------------------------------------- escape
# A third, short boot: the console escape Ctrl-A x stops vireo-run with
# the status of SIGTERM (10), whatever the guest is doing.
if step console-escape; then
	$TASKSET vireo-run --kernel "$L2/vmlinuz" --initrd "$L2/initrd.gz" \
		--append "console=ttyS0 quiet" --console <"$T/console" >"$T/out" 2>"$T/err" &
	vpid=$!
	if wait_line '^VIREO-L2: init marker' 1 "$BOOT_TIMEOUT"; then
		printf '\001x' >&5
		wait_gone 30
		if alive; then
			fail console-escape "vireo-run still running 30s after Ctrl-A x"
		else
			wait "$vpid"
			rc=$?
			if [ "$rc" -eq 10 ]; then
				pass console-escape "Ctrl-A x: status 10"
			else
				fail console-escape "Ctrl-A x: status $rc, want 10"
			fi
		fi
	else
		fail console-escape "no init marker within ${BOOT_TIMEOUT}s: $(tail -n 3 "$T/err" | tr '\n' ' ')"
		diagnose
	fi
fi

# ---------------------------------------------------------------- the end
if alive; then
	kill -TERM "$vpid" 2>/dev/null
	wait_gone 10
	alive && kill -KILL "$vpid" 2>/dev/null
	wait "$vpid" 2>/dev/null
fi
kill "$nc_pid" 2>/dev/null

# The L2 kernel log at "quiet" shows warnings and errors only.
cat "$T/out.main" "$T/out" >"$T/out.all" 2>/dev/null
mv "$T/out.all" "$T/out"
bad=$(out | grep -E 'BUG|Oops|WARNING|Call Trace|Kernel panic|unchecked MSR|general protection' | head -n 3)
if [ ! -s "$T/out" ]; then
	fail l2-log-clean "no L2 output at all"
elif [ -n "$bad" ]; then
	fail l2-log-clean "$(echo "$bad" | tr '\n' '|')"
else
	pass l2-log-clean
fi
if [ -n "$FAILED" ] && [ -z "$STOPPED" ]; then
	echo "run-linux: --- L2 console (last 60 lines) ---"
	out | tail -n 60 | sed 's/^/l2| /'
	echo "run-linux: --- vireo-run's stderr ---"
	tail -n 30 "$T/err" | sed 's/^/l2-err| /'
fi
grep -h 'note:' "$T/err" | sort | uniq -c | sed 's/^/run-linux: /' | head -n 20

exec 5>&- 6>&-
cleanup_net
rm -rf "$T"
exit 0
