#!/bin/bash
# `vireo` with the real monitor, on a host without /dev/vireo: vireo-run
# must accept the whole command line `vireo start` builds (--name, --lock,
# --control, --disk ...,format=qcow2, --net nat,...,hostfwd=...) and fail
# only where a guest is needed; with the machine lock held by someone else
# it must exit 3 and touch nothing.  Skipped where /dev/vireo exists (the
# rig runs real guests instead).
#
#   VIREO=build/bin/vireo VIREO_RUN=build/bin/vireo-run bash tests/vmlib/run-e2e.sh
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VIREO=${VIREO:-$top/build/bin/vireo}
RUN=${VIREO_RUN:-$top/build/bin/vireo-run}
passed=0 failed=0

ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

if [[ -e /dev/vireo ]]; then
	echo "SKIP run-e2e: /dev/vireo exists"
	echo "0 passed, 0 failed"
	exit 0
fi
T=$(mktemp -d /tmp/vireo-run-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
# A comma and a space in the data directory: vireo-run must get its disk
# path whole (",," in --disk, vmlib/launch.h).
export XDG_DATA_HOME="$T/da,ta dir" XDG_RUNTIME_DIR=$T/run VIREO_MONITOR=$RUN
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
M="$XDG_DATA_HOME/vireo/machines"
echo kernel >"$T/bzImage"

"$VIREO" create r --kernel "$T/bzImage" --new-disk 16M --forward 2222:22 >/dev/null 2>&1 &&
	ok create || bad create "vireo create failed"

# The monitor parses everything and fails at /dev/vireo: vireo start
# reports the monitor's exit with the end of monitor.log.
out=$("$VIREO" start r --wait 10 2>&1)
rc=$?
if [[ $rc != 0 && $out == *"/dev/vireo"* && $out != *"unknown option"* && $out != *"--help for usage"* ]]; then
	ok start-reaches-kernel
else
	bad start-reaches-kernel "exit $rc: ${out:0:400}"
fi
# The lock file holds the monitor's pid once taken.
[[ -s $M/r/lock ]] && ok lock-taken || bad lock-taken "no pid in $M/r/lock"
[[ ! -e $XDG_RUNTIME_DIR/vireo/r.sock ]] && ok socket-removed || bad socket-removed "stale socket"

# Another holder of the lock: status 3, a message, no socket.
python3 - "$M/r/lock" <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(5)
PY
holder=$!
for _ in $(seq 50); do [[ -e $M/r/lock.held ]] && break; sleep 0.1; done
out=$("$RUN" --name r --lock "$M/r/lock" --control "$T/run/x.sock" --kernel "$T/bzImage" \
	--net nat,hostfwd=tcp::2222-:22 2>&1)
rc=$?
[[ $rc == 3 && $out == *"running already"* ]] && ok lock-held-status-3 ||
	bad lock-held-status-3 "exit $rc: $out"
[[ ! -e $T/run/x.sock ]] && ok lock-held-no-socket || bad lock-held-no-socket "socket made"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
