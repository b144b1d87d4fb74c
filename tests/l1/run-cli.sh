#!/bin/sh
# tests/l1/run-cli.sh - a machine made and run with the vireo CLI, in the
# rig's L1 (also run by run-suite.sh).  Prints TEST lines; exits 0 when it
# ran to the end.
#
#   vireo create   the Debian kernel and the L2 initramfs (tests/linux), a
#                  new qcow2 disk, 2 vCPUs, the default NAT NIC and a port
#                  forward L1 127.0.0.1:FWD_PORT -> L2 port 8000
#   vireo start    headless; the serial console goes to serial.log
#   the guest      gets its address by DHCP from libslirp, fetches a file
#                  over HTTP (nc) from a server on L1's loopback (10.0.2.2
#                  in the guest), serves one on port 8000, and writes an ext2
#                  file system with a random file to its qcow2 disk
#   L1             fetches the guest's file through the port forward
#   vireo disk convert  of the running machine's disk: through its monitor
#                  (disk-export) with progress events; after the stop the
#                  copy reads back the same as the disk
#   vireo stop     the ACPI power button: the guest powers off, the
#                  machine is stopped, with status 0
#   vireo start    again: the file on the qcow2 disk reads back the same
#   vireo console  a command typed into the guest's shell through the
#                  monitor's console socket runs and its output comes back;
#                  Ctrl-] detaches with status 0, the machine runs on
#   vireo stop, vireo delete --yes
# (serial.log is rewritten by each vireo start.)
#
# vireo start runs its monitor on any L1 CPU (CLI_TASKSET, e.g.
# "taskset -c 0", pins it).
#
# Knobs: CLI_BOOT_TIMEOUT (seconds to each init marker, default 240),
# CLI_STEP_TIMEOUT (other steps, default 120), VIREO_L2 (kernel and
# initramfs, default /vireo/l2).

. "$(dirname "$0")/lib.sh"

L2=${VIREO_L2:-/vireo/l2}
BOOT_TIMEOUT=${CLI_BOOT_TIMEOUT:-240}
STEP_TIMEOUT=${CLI_STEP_TIMEOUT:-120}
T=/tmp/run-cli.$$
NAME=l2cli
HTTP_PORT=8080
FWD_PORT=18000
TASKSET=${CLI_TASKSET-}

TEST_GROUP=cli
need_l2 create
mkdir -p "$T/data" "$T/run" "$T/www"
chmod 700 "$T/run"
export XDG_DATA_HOME="$T/data" XDG_RUNTIME_DIR="$T/run"
MDIR=$XDG_DATA_HOME/vireo/machines/$NAME
SERIAL=$MDIR/serial.log

# L1's web server on its loopback: the guest reaches it as 10.0.2.2.
ip link set lo up 2>/dev/null
head -c 65536 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$T/www/blob"
echo >>"$T/www/blob"	# text with a final newline: the body survives sed
served_sha=$(sha256sum "$T/www/blob" | cut -d' ' -f1)
httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$T/www" &
httpd_pid=$!

serial() { tr -d '\r' <"$SERIAL" 2>/dev/null; }
# wait_line PATTERN COUNT SECONDS: until COUNT lines of serial.log match.
wait_line() {
	_i=0
	while [ "$_i" -lt "$3" ]; do
		[ "$(serial | grep -cE "$1")" -ge "$2" ] && return 0
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}
field() { serial | grep -E "$2" | sed -n "${3}p" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
state() { vireo list 2>/dev/null | awk -v n="$NAME" '$1 == n { print $2 }'; }
BAD='BUG|Oops|WARNING|Call Trace|Kernel panic|unchecked MSR|general protection'
show_logs() {
	_first=$(serial | grep -n -m 1 -E "$BAD" | cut -d: -f1)
	if [ -n "$_first" ]; then
		echo "run-cli: --- serial.log from its first warning (line $_first) ---"
		serial | sed -n "$((_first > 10 ? _first - 10 : 1)),$((_first + 50))p" | sed 's/^/l2| /'
	fi
	echo "run-cli: --- serial.log (last 30 lines) ---"
	serial | tail -n 30 | sed 's/^/l2| /'
	echo "run-cli: --- monitor.log (last 20 lines) ---"
	tail -n 20 "$MDIR/monitor.log" 2>/dev/null | sed 's/^/mon| /'
}

# ---------------------------------------------------------------- create
append="console=ttyS0 quiet l2.dhcp=1 l2.fetch=10.0.2.2:$HTTP_PORT/blob l2.serve=8000"
if out=$(vireo create "$NAME" --memory 256M --cpus 2 --kernel "$L2/vmlinuz" \
		--initrd "$L2/initrd.gz" --append "$append" --new-disk 64M \
		--forward "tcp:127.0.0.1:$FWD_PORT:8000" 2>&1); then
	disk=$(ls "$MDIR"/*.qcow2 2>/dev/null | head -n 1)
	if [ -n "$disk" ] && [ "$(head -c 4 "$disk" | od -An -tx1 | tr -d ' ')" = 514649fb ]; then
		pass create "a qcow2 disk ($(basename "$disk")) beside the definition"
	else
		fail create "no qcow2 image in $MDIR: $(ls "$MDIR" | tr '\n' ' ')"
	fi
else
	fail create "$out"
	kill "$httpd_pid" 2>/dev/null
	exit 0
fi

# ---------------------------------------------------------------- boot 1
started=
# shellcheck disable=SC2086  # TASKSET is words or nothing
if out=$($TASKSET vireo start "$NAME" --wait 30 2>&1); then
	if [ "$(state)" = running ]; then
		pass start "running, headless"
		started=1
	else
		fail start "vireo start succeeded but the state is '$(state)'"
	fi
else
	fail start "status $?: $out"
	show_logs
fi

if [ -n "$started" ]; then
	if wait_line '^VIREO-L2: init marker' 1 "$BOOT_TIMEOUT"; then
		pass boot "init marker in serial.log"
	else
		fail boot "no init marker within ${BOOT_TIMEOUT}s"
		started=
		show_logs
	fi
fi

if [ -n "$started" ]; then
	if wait_line '^VIREO-L2: (dhcp-|net-none)' 1 "$STEP_TIMEOUT" &&
	   serial | grep -q '^VIREO-L2: dhcp-ok 10\.0\.2\.'; then
		pass dhcp "$(serial | grep '^VIREO-L2: dhcp-ok' | cut -d' ' -f3-)"
	else
		fail dhcp "$(serial | grep -E '^VIREO-L2: (dhcp|net)' | head -n 1)"
	fi
	if wait_line '^VIREO-L2: fetch' 1 "$STEP_TIMEOUT"; then
		got=$(field sha '^VIREO-L2: fetched' 1)
		if [ "$got" = "$served_sha" ]; then
			pass fetch-from-l1 "128 KiB of hex over HTTP from L1's loopback, sha256 $got"
		else
			fail fetch-from-l1 "$(serial | grep '^VIREO-L2: fetch' | head -n 1); L1 served $served_sha"
		fi
	else
		fail fetch-from-l1 "no fetch report within ${STEP_TIMEOUT}s"
	fi
	if wait_line '^VIREO-L2: serv' 1 "$STEP_TIMEOUT"; then
		want=$(field sha '^VIREO-L2: serving' 1)
		# nc, not wget: busybox-static's wget segfaults here.
		printf 'GET /blob HTTP/1.0\r\n\r\n' |
			timeout 60 nc 127.0.0.1 "$FWD_PORT" >"$T/fwd.resp" 2>"$T/wget.err"
		sed '1,/^\r*$/d' "$T/fwd.resp" >"$T/fwd.got"
		got=$(sha256sum "$T/fwd.got" 2>/dev/null | cut -d' ' -f1)
		if [ -n "$want" ] && [ "$got" = "$want" ]; then
			pass port-forward "L1 127.0.0.1:$FWD_PORT reached the guest's port 8000, sha256 $got"
		else
			fail port-forward "guest serves '$want', L1 got '$got' ($(tr '\n' ' ' <"$T/wget.err"))"
		fi
	else
		fail port-forward "the guest reported no server within ${STEP_TIMEOUT}s"
	fi
	if wait_line '^VIREO-L2: disk-(written|failed|none)' 1 "$STEP_TIMEOUT" &&
	   [ -n "$(field sha '^VIREO-L2: disk-written' 1)" ]; then
		written=$(field sha '^VIREO-L2: disk-written' 1)
		pass qcow2-write "ext2 and a 256 KiB file on the qcow2 disk"
	else
		fail qcow2-write "$(serial | grep '^VIREO-L2: disk-' | head -n 1)"
	fi
	wait_line '^VIREO-L2: shell$' 1 "$STEP_TIMEOUT"
	# The disk of a running machine: vireo disk convert goes through its
	# monitor (disk-export) and shows the progress events it sends.
	if [ -n "$written" ]; then
		if out=$(vireo disk convert "$disk" "$T/export.qcow2" 2>&1) &&
		   echo "$out" | grep -q 'converting: 100%'; then
			pass disk-export-running "through the monitor: $(echo "$out" | grep -c 'converting:') progress lines, the last 100%"
			exported=1
		else
			fail disk-export-running "status $?: $(echo "$out" | tr '\n' ' ')"
		fi
	fi
fi

# stop_machine TEST: vireo stop (the power button), judged.
stop_machine() {
	if ! serial | grep -q '^VIREO-L2: power-button-armed'; then
		fail "$1" "the guest has no power button handler: $(serial | grep '^VIREO-L2: power-button' | tail -n 1)"
	fi
	if out=$(vireo stop "$NAME" --timeout 60 --no-kill 2>&1); then
		# --no-kill: status 0 means the guest powered itself off.  The
		# guest's "power-button" line may not leave its UART before
		# poweroff -f: it is reported, not required.
		if [ "$(state)" = stopped ]; then
			pass "$1" "the guest powered off on the power button (its line seen: $(serial | grep -c '^VIREO-L2: power-button$')); state stopped"
		else
			fail "$1" "vireo stop returned 0 but the state is '$(state)'"
		fi
	else
		fail "$1" "status $?: $out"
		show_logs
		vireo kill "$NAME" >/dev/null 2>&1
	fi
}
[ -n "$started" ] && stop_machine stop

# console_case: vireo console on the guest's shell (ttyS0), its stdin a
# FIFO held open here: a command typed through the monitor's console socket
# runs, its output (computed by the guest) comes back, Ctrl-] detaches.
console_case() {
	rm -f "$T/con.in"
	if ! mkfifo "$T/con.in"; then
		fail console "mkfifo $T/con.in"
		return
	fi
	vireo console "$NAME" <"$T/con.in" >"$T/con.out" 2>"$T/con.err" &
	_cpid=$!
	exec 7>"$T/con.in"
	( sleep "$STEP_TIMEOUT"; kill "$_cpid" 2>/dev/null ) &
	_watchdog=$!
	_i=0
	while [ "$_i" -lt 30 ] && ! grep -q 'Ctrl-] detaches' "$T/con.err" 2>/dev/null; do
		sleep 1
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2016  # the guest's shell expands it
	printf '%s\n' 'echo VIREO-CONSOLE-$((6 * 7))' >&7
	_i=0
	while [ "$_i" -lt 60 ] && ! tr -d '\r' <"$T/con.out" | grep -q '^VIREO-CONSOLE-42$'; do
		sleep 1
		_i=$((_i + 1))
	done
	printf '\035' >&7	# Ctrl-]
	exec 7>&-
	wait "$_cpid"
	_rc=$?
	kill "$_watchdog" 2>/dev/null
	if tr -d '\r' <"$T/con.out" | grep -q '^VIREO-CONSOLE-42$' && [ "$_rc" = 0 ] &&
	   [ "$(state)" = running ]; then
		pass console "a command typed through vireo console ran, its output came back; Ctrl-] detached with status 0, still running"
	else
		fail console "status $_rc, state $(state); out: $(tr -d '\r' <"$T/con.out" | tail -n 3 | tr '\n' '|') err: $(tr '\n' '|' <"$T/con.err")"
	fi
}

# The copy made while the guest ran holds what the disk holds now (the
# guest unmounted and synced before its disk-written line and wrote nothing
# after): both read back the same, as raw images.
if [ -n "$exported" ] && [ "$(state)" = stopped ]; then
	if vireo disk convert "$T/export.qcow2" "$T/export.raw" -O raw >/dev/null 2>&1 &&
	   vireo disk convert "$disk" "$T/disk.raw" -O raw >/dev/null 2>&1 &&
	   cmp -s "$T/export.raw" "$T/disk.raw"; then
		pass disk-export-content "the running machine's export equals the disk after the stop"
	else
		fail disk-export-content "the export and the disk differ (or could not be read as raw)"
	fi
	rm -f "$T/export.raw" "$T/disk.raw"
fi

# ---------------------------------------------------------------- boot 2
if [ -n "$started" ] && [ -n "$written" ]; then
	# shellcheck disable=SC2086
	if out=$($TASKSET vireo start "$NAME" --wait 30 2>&1) &&
	   wait_line '^VIREO-L2: disk-read' 1 "$BOOT_TIMEOUT"; then
		read_back=$(field sha '^VIREO-L2: disk-read' 1)
		if [ "$read_back" = "$written" ]; then
			pass qcow2-reread "the same sha256 after a new start of the monitor"
		else
			fail qcow2-reread "wrote $written, read '$read_back'"
		fi
		wait_line '^VIREO-L2: shell$' 1 "$STEP_TIMEOUT" && console_case
		stop_machine stop-again
	else
		fail qcow2-reread "second start: ${out:-no disk-read line within ${BOOT_TIMEOUT}s}"
		show_logs
		vireo kill "$NAME" >/dev/null 2>&1
	fi
fi

bad=$(serial | grep -E "$BAD" | head -n 3)
if [ -n "$bad" ]; then
	fail l2-log-clean "$(echo "$bad" | tr '\n' '|')"
elif [ -n "$started" ]; then
	pass l2-log-clean
fi

if out=$(vireo delete "$NAME" --yes 2>&1) && [ ! -e "$MDIR" ]; then
	pass delete "definition and disk gone"
else
	fail delete "${out:-$MDIR still there}"
fi

[ -n "$FAILED" ] && [ -n "$started" ] && show_logs
kill "$httpd_pid" 2>/dev/null
rm -rf "$T"
exit 0
