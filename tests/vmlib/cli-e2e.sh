#!/bin/bash
# End-to-end tests of the `vireo` CLI in a temporary XDG_DATA_HOME and
# XDG_RUNTIME_DIR, with vireo-fake-monitor (tests/control/fake_monitor.c)
# standing in for vireo-run: it takes the machine lock and serves the
# control socket, so start/stop/kill/pause/resume/reset run for real.
#
#   VIREO=build/bin/vireo VIREO_FAKE_MONITOR=build/bin/vireo-fake-monitor \
#       bash tests/vmlib/cli-e2e.sh [NAME-SUBSTRING]
#
# Prints "PASS name" / "FAIL name: detail" per check and "N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VIREO=${VIREO:-$top/build/bin/vireo}
FAKE=${VIREO_FAKE_MONITOR:-$top/build/bin/vireo-fake-monitor}
# Optional: the exit-status checks of the other two programs.
RUN=${VIREO_RUN:-}
COMPLETION=$top/tools/completion/vireo.bash
filter=${1:-}

for f in "$VIREO" "$FAKE"; do
	[[ -x $f ]] || { echo "cli-e2e: $f missing (make cli unit-cli)"; echo "0 passed, 1 failed"; exit 1; }
done

T=$(mktemp -d /tmp/vireo-e2e.XXXXXX)
export XDG_DATA_HOME=$T/data XDG_RUNTIME_DIR=$T/run VIREO_MONITOR=$FAKE
unset VIREO_FAKE_IGNORE_POWER VIREO_FAKE_FAIL VIREO_FAKE_STOP_MS VIREO_FAKE_EXIT
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
M=$XDG_DATA_HOME/vireo/machines

# Kill what the tests started (monitors write their pid in the lock file).
cleanup() {
	local l p
	for l in "$M"/*/lock; do
		[[ -f $l ]] || continue
		p=$(cat "$l" 2>/dev/null)
		[[ $p =~ ^[0-9]+$ ]] && kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

passed=0 failed=0 out= err= rc=0

ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# run NAME WANT_RC CMD...: run, keep stdout in $out, stderr in $err.
run() {
	local name=$1 want=$2
	shift 2
	[[ -n $filter && $name != *"$filter"* ]] && return 0
	out=$("$@" 2>"$T/stderr" </dev/null)
	rc=$?
	err=$(cat "$T/stderr")
	if [[ $rc == "$want" ]]; then
		ok "$name"
	else
		bad "$name" "exit $rc, want $want; stderr: ${err:0:300}"
	fi
}

# has NAME TEXT PATTERN: TEXT contains PATTERN (fixed string).
# lock_pid_is NAME PID: until the lock file names PID (at most 10 s).
lock_pid_is() {
	local i
	[[ -n $2 ]] || return 1
	for ((i = 0; i < 100; i++)); do
		[[ $(cat "$M/$1/lock" 2>/dev/null) == "$2" ]] && return 0
		sleep 0.1
	done
	return 1
}
has() {
	[[ -n $filter && $1 != *"$filter"* ]] && return 0
	if grep -qF -- "$3" <<<"$2"; then ok "$1"; else bad "$1" "'${3}' not in: ${2:0:400}"; fi
}
lacks() {
	[[ -n $filter && $1 != *"$filter"* ]] && return 0
	if grep -qF -- "$3" <<<"$2"; then bad "$1" "'${3}' found in: ${2:0:400}"; else ok "$1"; fi
}
truth() {
	[[ -n $filter && $1 != *"$filter"* ]] && return 0
	if eval "$2"; then ok "$1"; else bad "$1" "not true: $2"; fi
}

state_of() { "$VIREO" list 2>/dev/null | awk -v n="$1" '$1 == n { print $2 }'; }

# wait_state NAME STATE: up to 5 s.
wait_state() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(state_of "$1") == "$2" ]] && return 0
		sleep 0.05
	done
	return 1
}

echo "vm" >"$T/bzImage"
echo "rd" >"$T/initrd.img"

# ------------------------------------------------------------------ help
run help-top 0 "$VIREO" --help
has help-top-lists "$out" "modify"
has help-top-exit-codes "$out" "Exit status"
run no-args 1 "$VIREO"
run unknown-command 1 "$VIREO" frobnicate
has unknown-command-msg "$err" "no command 'frobnicate'"
run help-create 0 "$VIREO" help create
has help-create-text "$out" "--memory"
for c in create list info start stop kill pause resume reset modify delete disk; do
	run "help-$c" 0 "$VIREO" "$c" --help
done
for c in create info resize convert check; do
	run "help-disk-$c" 0 "$VIREO" disk "$c" --help
done
run bad-option 1 "$VIREO" list --bogus
run version 0 "$VIREO" --version
has version-text "$out" "vireo $(cat "$top/VERSION")"
run version-json 0 "$VIREO" --version --output=json
truth version-json-parses '[[ $(python3 -c "import json, sys; print(json.load(sys.stdin)[\"version\"].split()[0])" <<<"$out") == $(cat "$top/VERSION") ]]'

# ------------------------------------------------------------------ create, list, info
run list-empty 0 "$VIREO" list
truth list-empty-silent '[[ -z $out ]]'
run create-a 0 "$VIREO" create a
has create-a-msg "$out" "created a"
run create-dup 3 "$VIREO" create a
run create-badname 1 "$VIREO" create "bad name"
run create-badmem 1 "$VIREO" create c --memory lots
run create-badcpus 1 "$VIREO" create c --cpus 0
run create-nodisk 2 "$VIREO" create c --disk /nonexistent/disk.img
run create-nokernel 2 "$VIREO" create c --kernel /nonexistent/bzImage
run create-badnic 1 "$VIREO" create c --nic bridge
run create-badfwd 1 "$VIREO" create c --forward 22
truth create-failures-leave-nothing '[[ ! -e $M/c ]]'
run create-b 0 "$VIREO" create b --memory 1G --cpus 2 --kernel "$T/bzImage" \
	--initrd "$T/initrd.img" --append "console=ttyS0 quiet" --new-disk 64M --forward 2222:22
truth create-b-disk '[[ -f $M/b/disk0.qcow2 ]]'
truth create-b-json '[[ -f $M/b/machine.json ]]'
run list-two 0 "$VIREO" list
has list-a "$out" "a "
has list-b-stopped "$(grep '^b ' <<<"$out")" "stopped"
run list-json 0 "$VIREO" list --json
truth list-json-valid 'python3 -c "import json,sys; d=json.load(sys.stdin); assert [m[\"name\"] for m in d]==[\"a\",\"b\"]" <<<"$out"'
run info-b 0 "$VIREO" info b
has info-b-mem "$out" "1024 MiB"
has info-b-disk "$out" "disk0.qcow2 (qcow2)"
has info-b-fwd "$out" "forward tcp 127.0.0.1:2222 -> guest :22"
has info-b-state "$out" "state:     stopped"
run info-json 0 "$VIREO" info b --json
truth info-json-valid 'python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"state\"]==\"stopped\" and d[\"definition\"][\"cpus\"]==2 and d[\"definition\"][\"format\"]==1" <<<"$out"'
run info-missing 2 "$VIREO" info nosuch
# --output=json on the commands that print data, errors included: a JSON
# object on stdout, the status of the table.
jq_py() { python3 -c "import json, sys; d = json.load(sys.stdin); $1" <<<"$out" 2>&1; }
run output-json-list 0 "$VIREO" list --output=json
truth output-json-list-parses '[[ $(jq_py "print(type(d).__name__)") == list ]]'
run output-json-info 0 "$VIREO" info b --output json
truth output-json-info-state '[[ $(jq_py "print(d[\"state\"])") == stopped ]]'
run output-json-notfound 2 "$VIREO" info nosuch --output=json
truth output-json-notfound-code '[[ $(jq_py "print(d[\"error\"][\"code\"], d[\"error\"][\"exit\"])") == "not-found 2" ]]'
has output-json-notfound-msg "$(jq_py "print(d['error']['message'])")" 'no machine named "nosuch"'
has output-json-notfound-stderr "$err" 'no machine named "nosuch"'
run output-json-usage 1 "$VIREO" info --output=json
truth output-json-usage-code '[[ $(jq_py "print(d[\"error\"][\"code\"])") == usage ]]'
run output-json-alias 2 "$VIREO" info nosuch --json
truth output-json-alias-code '[[ $(jq_py "print(d[\"error\"][\"exit\"])") == 2 ]]'
run output-bad 1 "$VIREO" list --output=xml
has output-bad-msg "$err" '"xml" is not text or json'
run output-text 0 "$VIREO" list --output=text
lacks output-text-plain "$out" "{"
run info-usage 1 "$VIREO" info

# ------------------------------------------------------------------ modify
run modify-b 0 "$VIREO" modify b --cpus 4 --memory 2G --add-forward udp:5353:53 --remove-forward 2222
run modify-b-info 0 "$VIREO" info b
has modify-cpus "$out" "cpus:      4"
has modify-mem "$out" "2048 MiB"
has modify-fwd-added "$out" "forward udp 127.0.0.1:5353 -> guest :53"
lacks modify-fwd-removed "$out" "2222"
run modify-badcpus 1 "$VIREO" modify b --cpus 100
run modify-missing 2 "$VIREO" modify nosuch --cpus 2
run modify-nodisk 1 "$VIREO" modify b --remove-disk 7
run modify-newdisk 0 "$VIREO" modify b --new-disk 32M,format=raw
truth modify-newdisk-file '[[ -f $M/b/disk1.img ]]'
run modify-removedisk 0 "$VIREO" modify b --remove-disk 1
truth modify-removedisk-kept '[[ -f $M/b/disk1.img ]]'
has modify-removedisk-msg "$out" "detached disk disk1.img"
run modify-addnic 0 "$VIREO" modify b --add-nic tap,ifname=tap5 --boot-order cdrom,disk
run modify-addnic-info 0 "$VIREO" info b
has modify-tap "$out" "virtio tap tap5"
has modify-order "$out" "order:     cdrom,disk"
run modify-removenic 0 "$VIREO" modify b --remove-nic 1
run modify-invalid-unchanged 1 "$VIREO" modify b --cpus 3 --add-forward 99999:1
run modify-invalid-unchanged-info 0 "$VIREO" info b
has modify-invalid-kept-cpus "$out" "cpus:      4"

# ------------------------------------------------------------------ disk
run disk-create 0 "$VIREO" disk create "$T/x.qcow2" 16M
run disk-create-dup 3 "$VIREO" disk create "$T/x.qcow2" 16M
run disk-create-nosize 1 "$VIREO" disk create "$T/y.qcow2"
run disk-create-badsize 1 "$VIREO" disk create "$T/y.qcow2" huge
run disk-info 0 "$VIREO" disk info "$T/x.qcow2"
has disk-info-size "$out" "virtual size: 16 MiB"
has disk-info-format "$out" "format:       qcow2"
run disk-info-json 0 "$VIREO" disk info --json "$T/x.qcow2"
truth disk-info-json-valid 'python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"virtual_size\"]==16<<20" <<<"$out"'
run disk-resize 0 "$VIREO" disk resize "$T/x.qcow2" +16M
run disk-resize-info 0 "$VIREO" disk info "$T/x.qcow2"
has disk-resized "$out" "virtual size: 32 MiB"
run disk-shrink-refused 4 "$VIREO" disk resize "$T/x.qcow2" 1M
run disk-convert 0 "$VIREO" disk convert -q -O raw "$T/x.qcow2" "$T/x.img"
run disk-convert-info 0 "$VIREO" disk info "$T/x.img"
has disk-convert-raw "$out" "format:       raw"
run disk-convert-progress 0 "$VIREO" disk convert "$T/x.img" "$T/x2.qcow2"
has disk-convert-progress-msg "$err" "converting: 100%"
run disk-info-missing 2 "$VIREO" disk info "$T/nope.qcow2"
run disk-info-missing-json 2 "$VIREO" disk info --output=json "$T/nope.qcow2"
truth disk-info-missing-json-code '[[ $(jq_py "print(d[\"error\"][\"code\"])") == not-found ]]'
run disk-info-output-json 0 "$VIREO" disk info --output=json "$T/x.qcow2"
truth disk-info-output-json-format '[[ $(jq_py "print(d[\"format\"])") == qcow2 ]]'
run disk-unknown 1 "$VIREO" disk frob
run disk-backing 0 "$VIREO" disk create -b x.qcow2 "$T/clone.qcow2"
run disk-backing-info 0 "$VIREO" disk info "$T/clone.qcow2"
has disk-backing-shown "$out" "backing file: x.qcow2"
# qemu-img's meanings: create -f FMT, convert -f SRCFMT -O OUTFMT; a name
# that says another format than the default is refused, not written.
run convert-ambiguous 1 "$VIREO" disk convert -q "$T/x.qcow2" "$T/amb.raw"
has convert-ambiguous-msg "$err" "amb.raw: the name says raw but the default output format is qcow2; give -O raw or -O qcow2"
truth convert-ambiguous-nothing '[[ ! -e $T/amb.raw ]]'
run convert-O-raw 0 "$VIREO" disk convert -q -O raw "$T/x.qcow2" "$T/amb.raw"
run convert-O-raw-info 0 "$VIREO" disk info "$T/amb.raw"
has convert-O-raw-format "$out" "format:       raw"
run convert-f-source 0 "$VIREO" disk convert -q -f qcow2 -O qcow2 "$T/x.qcow2" "$T/amb.qcow2"
run convert-f-wrong-source 4 "$VIREO" disk convert -q -f qcow2 -O raw "$T/amb.raw" "$T/amb2.raw"
run convert-long-names 0 "$VIREO" disk convert -q --source-format raw --output-format raw "$T/amb.raw" "$T/amb3.raw"
run convert-format-refused 1 "$VIREO" disk convert -q --format raw "$T/x.qcow2" "$T/amb4.raw"
has convert-format-refused-msg "$err" "--format is ambiguous"
# Ctrl-C during a local convert with --overwrite: exit 10, the old
# destination byte for byte, no temporary file.  The signal goes when the
# first progress line ("converting: 0%") is read; 1 GiB of data to copy
# leaves seconds for it to land.
if [[ -z $filter || convert-sigint == *"$filter"* ]]; then
	head -c 1G /dev/zero | tr '\0' 'v' >"$T/sigint-src.raw"
	echo "old content" >"$T/sigint-dst.qcow2"
	coproc CONV { exec "$VIREO" disk convert -O qcow2 --overwrite "$T/sigint-src.raw" \
		"$T/sigint-dst.qcow2" 2>&1 >/dev/null; }
	conv_pid=$CONV_PID
	IFS= read -r -t 60 line <&"${CONV[0]}"
	kill -INT "$conv_pid"
	cat <&"${CONV[0]}" >/dev/null
	wait "$conv_pid"
	rc=$?
	truth convert-sigint-status "[[ $rc == 10 && \"$line\" == converting:* ]]"
	truth convert-sigint-dst-kept '[[ $(cat "$T/sigint-dst.qcow2") == "old content" ]]'
	truth convert-sigint-no-temp '! compgen -G "$T/.sigint-dst.qcow2.vireo-tmp-*" >/dev/null'
	rm -f "$T/sigint-src.raw"
fi
run convert-no-extension 0 "$VIREO" disk convert -q "$T/x.qcow2" "$T/noext"
run convert-no-extension-info 0 "$VIREO" disk info "$T/noext"
has convert-no-extension-qcow2 "$out" "format:       qcow2"
run create-ambiguous 1 "$VIREO" disk create "$T/new.img" 8M
has create-ambiguous-msg "$err" "new.img: the name says raw but the default format is qcow2; give -f raw or -f qcow2"
run create-f-raw 0 "$VIREO" disk create -f raw "$T/new.img" 8M
run create-f-raw-info 0 "$VIREO" disk info "$T/new.img"
has create-f-raw-format "$out" "format:       raw"
# -f: the declared format of the image worked on (info, resize, check).
run disk-check-clean 0 "$VIREO" disk check "$T/x.qcow2"
has disk-check-clean-msg "$out" "No errors were found on the image."
run disk-check-json 0 "$VIREO" disk check --output=json "$T/x.qcow2"
truth disk-check-json-counts '[[ $(jq_py "print(d[\"corruptions\"], d[\"leaks\"])") == "0 0" ]]'
run disk-check-raw 0 "$VIREO" disk check "$T/new.img"
run disk-info-f 0 "$VIREO" disk info -f raw "$T/x.qcow2"
has disk-info-f-raw "$out" "format:       raw"
run disk-info-f-wrong 4 "$VIREO" disk info -f qcow2 "$T/new.img"
has disk-info-f-wrong-msg "$err" "not a qcow2 image"
run disk-resize-f 0 "$VIREO" disk resize -f raw "$T/new.img" 16M
run disk-format-bad 1 "$VIREO" disk check -f vmdk "$T/x.qcow2"
has disk-format-bad-msg "$err" "is not one of raw, qcow2"

run create-attach-disk 0 "$VIREO" create d --disk "$T/x.qcow2" --disk "$T/x.img,ro" --no-nic
run create-attach-info 0 "$VIREO" info d
has create-attach-probed "$out" "$T/x.qcow2 (qcow2)"
has create-attach-ro "$out" "$T/x.img (raw, read-only)"

# ------------------------------------------------------------------ start, pause, stop
run start-nokernel 4 "$VIREO" start a
has start-nokernel-msg "$err" "boot.kernel: no kernel"
# b's 2 GiB of RAM against a 1 MiB hard memlock limit, without CAP_IPC_LOCK
# (dropped from the bounding set, so even root's exec loses it).
run start-memlock 4 prlimit --memlock=1048576:1048576 \
	setpriv --bounding-set=-ipc_lock "$VIREO" start b
has start-memlock-msg "$err" "b: its 2048 MiB of RAM exceed the locked-memory limit"
has start-memlock-advice "$err" "ulimit -l: 1024 KiB"
truth start-memlock-not-started '[[ $(state_of b) == stopped ]]'
run start-b 0 "$VIREO" start b
has start-b-msg "$out" "started b (monitor pid"
truth start-b-running 'wait_state b running'
run start-b-again 3 "$VIREO" start b
run info-running 0 "$VIREO" info b
has info-running-state "$out" "state:     running (monitor pid"
run modify-running 3 "$VIREO" modify b --cpus 2
run delete-running 3 "$VIREO" delete b --yes
run pause-b 0 "$VIREO" pause b
has pause-b-msg "$out" "paused b"
truth pause-b-state 'wait_state b paused'
run pause-b-again 3 "$VIREO" pause b
run resume-b 0 "$VIREO" resume b
run resume-b-again 3 "$VIREO" resume b
run reset-b 0 "$VIREO" reset b
# console: this terminal on the serial console through the monitor's
# console socket (the fake echoes in upper case), Ctrl-] detaches, one
# client at a time, the machine runs on.
if [[ -z $filter || console == *"$filter"* ]]; then
	python3 - "$VIREO" b >"$T/console.out" 2>&1 <<'PY'
import os, select, subprocess, sys, time
vireo, name = sys.argv[1], sys.argv[2]

def wait_for(stream, want, timeout=5):
    buf, end = b"", time.monotonic() + timeout
    while want not in buf:
        left = end - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
    return buf

p = subprocess.Popen([vireo, "console", name], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
err = wait_for(p.stderr, b"Ctrl-] detaches")
print("GREETED" if b"Ctrl-] detaches" in err else "NO-GREETING %r" % err)
p.stdin.write(b"hello console\n")
p.stdin.flush()
out = wait_for(p.stdout, b"HELLO CONSOLE")
print("ECHOED" if b"HELLO CONSOLE" in out else "NO-ECHO %r" % out)
q = subprocess.run([vireo, "console", name], stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=10)
print("BUSY", q.returncode, q.stderr.decode().strip())
p.stdin.write(b"\x1d")
p.stdin.flush()
rc = p.wait(timeout=10)
print("DETACHED", rc, p.stderr.read().decode().strip())
PY
	c_out=$(cat "$T/console.out")
	has console-greeting "$c_out" "GREETED"
	has console-echo "$c_out" "ECHOED"
	has console-busy "$c_out" "BUSY 3 vireo: b: the console is in use: another client is attached"
	has console-detach "$c_out" "DETACHED 0"
	has console-detach-msg "$c_out" "Detached from b (it is still running)."
	truth console-still-running 'wait_state b running'
	has console-serial-log "$(cat "$M/b/serial.log")" "HELLO CONSOLE"
	# Another client after the first: stdin at its end detaches at once.
	run console-again 0 "$VIREO" console b
	has console-again-msg "$err" "Detached from b"
	has console-again-backlog "$out" "HELLO CONSOLE"	# the last output, replayed
	run console-stopped 3 "$VIREO" console a
	run console-missing 2 "$VIREO" console nosuch
	run console-usage 1 "$VIREO" console
fi
run pause-stopped 3 "$VIREO" pause a
run pause-missing 2 "$VIREO" pause nosuch
serial=$(cat "$M/b/serial.log" 2>/dev/null)
has argv-mem "$serial" "--mem 2048M"
has argv-cpus "$serial" "--cpus 4"
has argv-kernel "$serial" "--kernel $T/bzImage"
has argv-initrd "$serial" "--initrd $T/initrd.img"
has argv-append "$serial" "--append console=ttyS0 quiet"
has argv-disk "$serial" "--disk $M/b/disk0.qcow2,format=qcow2"
has argv-net "$serial" "hostfwd=udp:127.0.0.1:5353-:53"
has argv-lock "$serial" "--lock $M/b/lock"
has argv-control "$serial" "--control $XDG_RUNTIME_DIR/vireo/b.sock"
has argv-console-socket "$serial" "--console-socket $XDG_RUNTIME_DIR/vireo/b.console"
lacks argv-console-headless "$(head -n 1 <<<"$serial") " "--console "
has monitor-log "$(cat "$M/b/monitor.log")" "fake-monitor: b running"
# A second monitor on the same machine is refused by the lock itself.
run second-monitor 3 "$FAKE" --name b --lock "$M/b/lock" --control "$T/other.sock"
run stop-b 0 "$VIREO" stop b
has stop-b-msg "$out" "stopped b"
truth stop-b-stopped '[[ $(state_of b) == stopped ]]'
truth stop-b-socket-gone '[[ ! -e $XDG_RUNTIME_DIR/vireo/b.sock ]]'
truth stop-b-console-gone '[[ ! -e $XDG_RUNTIME_DIR/vireo/b.console ]]'
has stop-b-poweroff "$(cat "$M/b/serial.log")" "guest powered off"
run stop-stopped 3 "$VIREO" stop b
run kill-stopped 3 "$VIREO" kill b

# A paused machine is resumed before the power button.
run start-pstop 0 "$VIREO" start b
run pause-pstop 0 "$VIREO" pause b
run stop-paused 0 "$VIREO" stop b --timeout 5
truth stop-paused-stopped '[[ $(state_of b) == stopped ]]'

# A guest that ignores the power button: stop never kills without
# --force; it says so and exits 5 (timeout).
export VIREO_FAKE_IGNORE_POWER=1
run start-ignore 0 "$VIREO" start b
run stop-timeout 5 "$VIREO" stop b --timeout 1
has stop-timeout-msg "$err" "b did not power off within 1 s and is still running"
truth stop-timeout-still-running '[[ $(state_of b) == running ]]'
run stop-nokill 5 "$VIREO" stop b --timeout 1 --no-kill
truth stop-nokill-still-running '[[ $(state_of b) == running ]]'
run stop-force-nokill 1 "$VIREO" stop b --force --no-kill
run stop-then-kill 0 "$VIREO" stop b --timeout 1 --force
has stop-then-kill-msg "$out" "killed b"
truth stop-then-kill-stopped '[[ $(state_of b) == stopped ]]'
unset VIREO_FAKE_IGNORE_POWER

run start-kill 0 "$VIREO" start b
run kill-b 0 "$VIREO" kill b
truth kill-b-stopped '[[ $(state_of b) == stopped ]]'

# A monitor killed by SIGKILL leaves no stale lock; the socket it left is
# replaced by the next start.
run start-crash 0 "$VIREO" start b
pid=$(cat "$M/b/lock")
kill -9 "$pid" 2>/dev/null
truth crash-lock-dropped 'wait_state b stopped'
truth crash-socket-left '[[ -S $XDG_RUNTIME_DIR/vireo/b.sock ]]'
run start-after-crash 0 "$VIREO" start b
run kill-after-crash 0 "$VIREO" kill b

# kill falls back to SIGKILL when the monitor does not answer.
run start-stopped-monitor 0 "$VIREO" start b
# The pid start printed is the monitor it saw answer; the lock file's must
# be the same one (a stale pid there once left the monitor running here).
pid=$(sed -n 's/^started b (monitor pid \([0-9]*\))$/\1/p' <<<"$out")
truth start-stopped-monitor-pid 'lock_pid_is b "$pid"'
kill -STOP "$pid"
run list-unresponsive 0 "$VIREO" list
has list-unresponsive-state "$(grep '^b ' <<<"$out")" "unresponsive"
run kill-unresponsive 0 "$VIREO" kill b
has kill-unresponsive-sigkill "$err" "sending SIGKILL"
truth kill-unresponsive-stopped 'wait_state b stopped'

# A monitor that fails at once: its log is shown, the exit code is 4.
run start-fail 4 env VIREO_FAKE_FAIL=1 "$VIREO" start b
has start-fail-log "$err" "failing as asked"

# --attach: the monitor in the foreground, the console on our stdout.
if [[ -z $filter || attach == *"$filter"* ]]; then
	"$VIREO" start b --attach >"$T/attach.out" 2>"$T/attach.err" </dev/null &
	bg=$!
	if wait_state b running; then ok attach-running; else bad attach-running "$(cat "$T/attach.err")"; fi
	run attach-stop 0 "$VIREO" stop b
	wait "$bg"
	rc=$?
	if [[ $rc == 0 ]]; then ok attach-exit; else bad attach-exit "exit $rc"; fi
	has attach-console "$(cat "$T/attach.out")" "fake-monitor argv:"
	has attach-console-flag "$(head -n 1 "$T/attach.out") " "--console "
fi
# The monitor's status comes through --attach as a code of the table, not
# as it is: a guest crash is 8, a monitor killed by a signal 10, a status
# from outside the table (2 would read "not found") a monitor error, 4.
run attach-crash 8 env VIREO_FAKE_EXIT=8 "$VIREO" start b --attach
has attach-crash-msg "$err" "b: the guest crashed"
run attach-interrupted 10 env VIREO_FAKE_EXIT=10 "$VIREO" start b --attach
run attach-killed 10 env VIREO_FAKE_EXIT=signal "$VIREO" start b --attach
has attach-killed-msg "$err" "killed by signal 9"
run attach-foreign 4 env VIREO_FAKE_EXIT=2 "$VIREO" start b --attach
has attach-foreign-msg "$err" "the monitor failed (exit status 2)"
run attach-locked 0 "$VIREO" start b
run attach-while-running 3 "$VIREO" start b --attach
run attach-locked-stop 0 "$VIREO" stop b
# SIGTERM to an attached vireo reaches the monitor, which stops: 10.
if [[ -z $filter || attach-sigterm == *"$filter"* ]]; then
	"$VIREO" start b --attach >/dev/null 2>"$T/attach.err" </dev/null &
	bg=$!
	if wait_state b running; then
		kill -TERM "$bg"
		wait "$bg"
		rc=$?
		[[ $rc == 10 ]] && ok attach-sigterm || bad attach-sigterm "exit $rc: $(cat "$T/attach.err")"
	else
		bad attach-sigterm "not running: $(cat "$T/attach.err")"
	fi
	truth attach-sigterm-stopped 'wait_state b stopped'
fi

# ------------------------------------------------------------------ odd paths
# A data directory with a comma and a space in its name: the machine's
# disk reaches the monitor whole (",," in --disk, vmlib/launch.h), which
# opens it or exits 4.
saved_data=$XDG_DATA_HOME saved_run=$XDG_RUNTIME_DIR
export XDG_DATA_HOME="$T/da,ta dir" XDG_RUNTIME_DIR="$T/ru,n dir"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
C="$XDG_DATA_HOME/vireo/machines"
run comma-create 0 "$VIREO" create co --kernel "$T/bzImage" --new-disk 8M --no-nic
run comma-start 0 "$VIREO" start co
has comma-argv "$(cat "$C/co/serial.log" 2>/dev/null)" "--disk ${C//,/,,}/co/disk0.qcow2,format=qcow2"
lacks comma-argv-whole "$(cat "$C/co/serial.log" 2>/dev/null)" "--disk $T/da,ta"
lacks comma-disk-opened "$(cat "$C/co/monitor.log" 2>/dev/null)" "fake-monitor: disk"
run comma-list 0 "$VIREO" list
has comma-running "$out" "running"
truth comma-sockets '[[ -S "$XDG_RUNTIME_DIR/vireo/co.sock" && -S "$XDG_RUNTIME_DIR/vireo/co.console" ]]'
run comma-console 0 "$VIREO" console co
run comma-stop 0 "$VIREO" stop co
export XDG_DATA_HOME=$saved_data XDG_RUNTIME_DIR=$saved_run

# ------------------------------------------------------------------ disks of a running machine
# convert and resize of an image a running machine uses go through its
# monitor (disk-export, disk-resize); the fake monitor holds the images
# locked as vireo-run does, so a CLI writing them itself would fail.
python3 - "$T/live.img" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    for i in range(8):
        f.write(os.urandom(1 << 20) if i % 2 == 0 else bytes(1 << 20))
PY
run live-qcow2 0 "$VIREO" disk create "$T/live.qcow2" 8M
run create-j 0 "$VIREO" create j --kernel "$T/bzImage" --disk "$T/live.img" \
	--disk "$T/live.qcow2" --disk "$T/x.img,ro" --no-nic
run start-j 0 "$VIREO" start j
truth start-j-running 'wait_state j running'
# QEMU's write lock is refused while the monitor holds the image (qemu-utils is in make deps).
truth live-image-locked 'command -v qemu-io >/dev/null && ! qemu-io -f raw -c "write 0 512" "$T/live.img" >/dev/null 2>&1'
run live-convert 0 "$VIREO" disk convert -O raw "$T/live.img" "$T/live-copy.img"
has live-convert-via "$err" "disk 0 of the running machine j"
has live-convert-progress "$err" "converting: 100%"
has live-convert-msg "$out" "converted $T/live.img to $T/live-copy.img (raw)"
truth live-convert-same 'cmp -s "$T/live.img" "$T/live-copy.img"'
truth live-convert-sparse '(( $(stat -c %b "$T/live-copy.img") * 512 < 8 << 20 ))'
run live-convert-exists 3 "$VIREO" disk convert -O raw "$T/live.img" "$T/live-copy.img"
run live-convert-overwrite 0 "$VIREO" disk convert -q -O qcow2 --overwrite "$T/live.img" "$T/live-copy.img"
run live-convert-qcow2-info 0 "$VIREO" disk info "$T/live-copy.img"
has live-convert-qcow2 "$out" "format:       qcow2"
run live-convert-back 0 "$VIREO" disk convert -q -O raw "$T/live-copy.img" "$T/live-back.img"
truth live-convert-back-same 'cmp -s "$T/live.img" "$T/live-back.img"'
run live-convert-self 3 "$VIREO" disk convert -q --overwrite "$T/live.img" "$T/live.qcow2"
has live-convert-self-msg "$err" "is a disk of the running machine j"
run live-convert-relative 0 bash -c 'cd "$1" && "$2" disk convert -q live.qcow2 rel.qcow2' _ "$T" "$(realpath "$VIREO")"
truth live-convert-relative-made '[[ -f $T/rel.qcow2 ]]'
run live-resize 0 "$VIREO" disk resize "$T/live.qcow2" +8M
has live-resize-via "$out" "disk 1 of the running machine j"
run live-resize-info 0 "$VIREO" disk info "$T/live.qcow2"
has live-resized "$out" "virtual size: 16 MiB"
run live-resize-raw 0 "$VIREO" disk resize "$T/live.img" 12M
truth live-resize-raw-size '[[ $(stat -c %s "$T/live.img") == 12582912 ]]'
run live-shrink 4 "$VIREO" disk resize "$T/live.img" 1M
has live-shrink-msg "$err" "shrink"
run live-resize-ro 4 "$VIREO" disk resize "$T/x.img" +1M
has live-resize-ro-msg "$err" "read-only"
# A read-only disk cannot change under the copy: copied here, as before.
run live-convert-ro 0 "$VIREO" disk convert -q -O raw "$T/x.img" "$T/x-copy.img"
truth live-convert-ro-same 'cmp -s "$T/x.img" "$T/x-copy.img"'
lacks live-convert-ro-local "$err" "running machine"
# Ctrl-C cancels the monitor's copy, which removes what it wrote.
if [[ -z $filter || live-cancel == *"$filter"* ]]; then
	"$VIREO" disk create "$T/big.qcow2" 64G >/dev/null
	"$VIREO" create big --kernel "$T/bzImage" --disk "$T/big.qcow2" --no-nic >/dev/null
	"$VIREO" start big >/dev/null
	"$VIREO" disk convert "$T/big.qcow2" "$T/big-copy.qcow2" 2>"$T/cancel.err" &
	conv=$!
	for ((i = 0; i < 200; i++)); do
		grep -q "its monitor copies it" "$T/cancel.err" 2>/dev/null && break
		sleep 0.05
	done
	kill -INT "$conv"
	wait "$conv"
	rc=$?
	[[ $rc == 4 ]] && ok live-cancel-status || bad live-cancel-status "exit $rc: $(cat "$T/cancel.err")"
	has live-cancel-msg "$(cat "$T/cancel.err")" "big: cancelled"
	truth live-cancel-removed '[[ ! -e $T/big-copy.qcow2 ]]'
	"$VIREO" stop big >/dev/null
fi
run stop-j 0 "$VIREO" stop j
# Stopped: the same image is converted and resized here again.
run dead-convert 0 "$VIREO" disk convert -q -O raw "$T/live.img" "$T/dead.img"
lacks dead-convert-local "$err" "running machine"
run dead-resize 0 "$VIREO" disk resize "$T/live.img" 16M
lacks dead-resize-local "$out" "running machine"

# ------------------------------------------------------------------ delete
run delete-a 0 "$VIREO" delete a
truth delete-a-gone '[[ ! -e $M/a ]]'
run delete-missing 2 "$VIREO" delete nosuch
run delete-contradiction 1 "$VIREO" delete b --yes --keep-disks
if [[ -z $filter || delete-declined == *"$filter"* ]]; then
	out=$(echo n | "$VIREO" delete b 2>"$T/stderr")
	rc=$?
	if [[ $rc == 6 ]]; then ok delete-declined; else bad delete-declined "exit $rc"; fi
	has delete-declined-asked "$(cat "$T/stderr")" "disk0.qcow2? [y/N]"
	truth delete-declined-kept '[[ -f $M/b/machine.json && -f $M/b/disk0.qcow2 ]]'
fi
run delete-keep 0 "$VIREO" delete b --keep-disks
has delete-keep-msg "$out" "kept disk $M/b/disk0.qcow2"
truth delete-keep-disk '[[ -f $M/b/disk0.qcow2 && ! -f $M/b/machine.json ]]'
run delete-keep-list 0 "$VIREO" list
lacks delete-keep-unlisted "$out" "b "
# The kept disk can go into a new machine of the same name.
run recreate-b 0 "$VIREO" create b --disk "$M/b/disk0.qcow2"
if [[ -z $filter || delete-yes-prompt == *"$filter"* ]]; then
	out=$(echo y | "$VIREO" delete b 2>"$T/stderr")
	rc=$?
	if [[ $rc == 0 ]]; then ok delete-yes-prompt; else bad delete-yes-prompt "exit $rc: $(cat "$T/stderr")"; fi
	truth delete-yes-prompt-gone '[[ ! -e $M/b/machine.json && ! -e $M/b/disk0.qcow2 ]]'
	# An image detached earlier is not the definition's: it stays.
	truth delete-yes-prompt-detached-kept '[[ -f $M/b/disk1.img ]]'
fi
run create-e 0 "$VIREO" create e --new-disk 8M
run delete-e-yes 0 "$VIREO" delete e --yes
truth delete-e-gone '[[ ! -e $M/e ]]'
run delete-d-outside 0 "$VIREO" delete d --yes
truth delete-d-outside-kept '[[ -f $T/x.qcow2 && -f $T/x.img ]]'

# ------------------------------------------------------------------ broken and old definitions
mkdir -p "$M/broken"
echo '{"format": 1, "name": "broken", "uuid": 5}' >"$M/broken/machine.json"
run list-broken 0 "$VIREO" list
has list-broken-invalid "$out" "invalid"
has list-broken-named "$err" "$M/broken/machine.json: uuid: expected a string"
run info-broken 4 "$VIREO" info broken
has info-broken-msg "$err" "machine.json: uuid"
run delete-broken 4 "$VIREO" delete broken
run delete-broken-yes 0 "$VIREO" delete broken --yes
mkdir -p "$M/future"
echo '{"format": 9, "name": "future"}' >"$M/future/machine.json"
run info-future 4 "$VIREO" info future
has info-future-msg "$err" "format: 9 is newer than this Vireo understands"
rm -rf "$M/future"
mkdir -p "$M/old"
echo '{"name": "old", "memory": "256M", "net": "nat", "disks": ["root.qcow2"]}' >"$M/old/machine.json"
run info-old 0 "$VIREO" info old
has info-old-upgraded "$err" "definition upgraded to format 1"
has info-old-mem "$out" "256 MiB"
truth info-old-written '[[ -f $M/old/machine.json.v0 ]] && grep -q "\"format\" : 1" "$M/old/machine.json"'
run info-old-again 0 "$VIREO" info old
lacks info-old-once "$err" "upgraded"

# ------------------------------------------------------------------ one exit-status table
# vireo's own codes are checked above (0-6, 8, 10); here the other two
# programs keep the same table (include/vireo_exit.h).
table_line="  10  the monitor was interrupted: a signal or the console escape"
run help-table 0 "$VIREO" --help
has help-table-vireo "$out" "$table_line"
if [[ -n $RUN ]]; then
	run run-version 0 "$RUN" --version
	has run-version-text "$out" "vireo-run $(cat "$top/VERSION")"
	run run-help 0 "$RUN" --help
	has run-help-table "$out" "$table_line"
	run run-usage 1 "$RUN" --bogus
	run run-usage-disk 1 "$RUN" --kernel "$T/bzImage" --disk "a,b.img"
	has run-usage-disk-msg "$err" "--disk: expected FILE"
	if [[ ! -e /dev/vireo ]]; then
		run run-error 4 "$RUN" --kernel "$T/bzImage"
	fi
	run run-not-found-kernel 2 "$RUN" --kernel "$T/missing-bzImage"
	has run-not-found-kernel-msg "$err" "$T/missing-bzImage: no such file"
	run run-not-found-disk 2 "$RUN" --kernel "$T/bzImage" --disk "$T/missing,,disk.img"
	has run-not-found-disk-msg "$err" "$T/missing,disk.img: no such file"
	run run-not-found-load 2 "$RUN" --mode long --load "$T/missing.bin@0x100000"
fi
# The one image tool is `vireo disk` (vireo-img, a second front end, is gone).
run disk-help 0 "$VIREO" disk --help
has disk-help-check "$out" "check"
run disk-unknown-json 1 "$VIREO" disk frob --output=json
truth disk-unknown-json-code '[[ $(jq_py "print(d[\"error\"][\"code\"], d[\"error\"][\"exit\"])") == "usage 1" ]]'
run disk-check-output-bad 1 "$VIREO" disk check --output=xml "$T/x.qcow2"
run disk-check-missing-json 2 "$VIREO" disk check --output=json "$T/missing.qcow2"
truth disk-check-missing-json-code '[[ $(jq_py "print(d[\"error\"][\"code\"])") == not-found ]]'
has disk-check-missing-json-msg "$(jq_py "print(d['error']['message'])")" "missing.qcow2"
# check's verdicts (vireo_exit.h): the header cluster's refcount raised to 2
# (a leak: 14), then zeroed (a corruption: 12).
run disk-check-image 0 "$VIREO" disk create "$T/k.qcow2" 1M
set_header_refcount() {
	python3 - "$T/k.qcow2" "$1" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(65536)	# the refcount table, after the header cluster
    block = struct.unpack(">Q", f.read(8))[0]
    f.seek(block)	# cluster 0's 16-bit refcount
    f.write(struct.pack(">H", int(sys.argv[2])))
PY
}
truth disk-check-leak-made 'set_header_refcount 2'
run disk-check-leak 14 "$VIREO" disk check "$T/k.qcow2"
has disk-check-leak-msg "$out" "1 leaked clusters were found on the image."
run disk-check-leak-json 14 "$VIREO" disk check --json "$T/k.qcow2"
truth disk-check-leak-json-count '[[ $(jq_py "print(d[\"leaks\"])") == 1 ]]'
truth disk-check-corrupt-made 'set_header_refcount 0'
run disk-check-corrupt 12 "$VIREO" disk check "$T/k.qcow2"
has disk-check-corrupt-msg "$err" "refcount=0 reference=1"
# Growing reads no guest data: a clone whose backing file is gone still grows.
run disk-orphan-base 0 "$VIREO" disk create "$T/base.qcow2" 4M
run disk-orphan 0 "$VIREO" disk create -b base.qcow2 "$T/orphan.qcow2"
rm -f "$T/base.qcow2"
run disk-orphan-resize 0 "$VIREO" disk resize "$T/orphan.qcow2" +4M
run disk-orphan-info 0 "$VIREO" disk info "$T/orphan.qcow2"
has disk-orphan-size "$out" "virtual size: 8 MiB"

# ------------------------------------------------------------------ completion
if [[ -z $filter || completion == *"$filter"* ]]; then
	if bash -n "$COMPLETION"; then ok completion-syntax; else bad completion-syntax "bash -n"; fi
	# shellcheck source=/dev/null
	source "$COMPLETION"
	complete_words() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_vireo
		echo "${COMPREPLY[*]}"
	}
	has completion-commands "$(complete_words vireo mo)" "modify"
	has completion-machines "$(complete_words vireo info o)" "old"
	has completion-options "$(complete_words vireo stop old --ti)" "--timeout"
	has completion-disk "$(complete_words vireo disk c)" "convert"
	has completion-console "$(complete_words vireo con)" "console"
	has completion-stop-force "$(complete_words vireo stop old --f)" "--force"
	lacks completion-stop-nokill "$(complete_words vireo stop old --n)" "--no-kill"
	has completion-output "$(complete_words vireo list --output j)" "json"
	has completion-convert-O "$(complete_words vireo disk convert --output-f)" "--output-format"
	# Machine names from `vireo list` when vireo is on $PATH.
	mkdir -p "$T/bin"
	ln -sf "$VIREO" "$T/bin/vireo"
	mkdir -p "$M/nolist"	# a directory without a machine.json is no machine
	has completion-list "$(PATH=$T/bin:$PATH complete_words vireo info o)" "old"
	lacks completion-list-only-machines "$(PATH=$T/bin:$PATH complete_words vireo info n)" "nolist"
fi

echo "$passed passed, $failed failed"
((failed == 0))
