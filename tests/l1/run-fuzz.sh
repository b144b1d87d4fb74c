#!/bin/sh
# tests/l1/run-fuzz.sh - kfuzz (tests/kfuzz/README.md), the fuzzer of
# vireo.ko's ioctls, inside L1; then vireo.ko must unload.  Prints TEST
# lines; exits 0 when it ran to the end.
#
#   KFUZZ_SECONDS=N   fuzz for N seconds of L1 time (make rig-fuzz and
#                     make rig-fuzz-vmx set it; tools/rig/rig.mk)
#   KFUZZ_SEEDS=A-B   or run these seeds; default: the short fixed list of
#                     make check (run-suite.sh), KFUZZ_SHORT_SEEDS below
#   KFUZZ_ARGS=...    more kfuzz options (e.g. --known)
#   KFUZZ_NAME=...    TEST name group (default kfuzz)
#
# TEST lines: kfuzz's own (<group>/kernel-log, no-stuck, no-hung-ioctl,
# pins-released, reached-guest), then <group>/run (kfuzz ended by itself),
# <group>/module-unused (/sys/module/vireo/refcnt back to 0: no vireo fd
# is left open anywhere), <group>/rmmod (rmmod vireo works and logs no
# error) and <group>/reload (insmod again, with the parameters the rig
# gave it, so that any step after this one still has /dev/vireo).

. "$(dirname "$0")/lib.sh"

# make check's run: 400 programs, about 40 s in the QEMU L1 on an idle
# host.  No runner threads (RUN from each program's main thread only):
# with them, an L1 CPU gets stuck after STGI now and then, a finding
# whose trigger is not known yet (FINDINGS.md F6); make rig-fuzz has them.
KFUZZ_SHORT_SEEDS=1-400
KFUZZ_SHORT_ARGS="--runners 0"
TEST_GROUP=${KFUZZ_NAME:-kfuzz}

ko=${VIREO_KO:-/vireo/vireo.ko}
if [ ! -d /sys/module/vireo ]; then
	skip run "vireo.ko is not loaded"
	exit 0
fi

slow=1
[ "${VIREO_RIG_EMU:-}" = bochs ] && slow=5
if [ -n "${KFUZZ_SECONDS:-}" ]; then
	what="--time $KFUZZ_SECONDS"
else
	what="--seeds ${KFUZZ_SEEDS:-$KFUZZ_SHORT_SEEDS}"
	[ -n "${KFUZZ_SEEDS:-}" ] || what="$what $KFUZZ_SHORT_ARGS"
fi
# Each seed goes to the console before its program starts: if one takes
# the whole L1 down, console.log names it.
seedlog=/dev/console
[ -w "$seedlog" ] || seedlog=/dev/null

echo "run-fuzz: kfuzz $what --slow $slow ${KFUZZ_ARGS:-}"
start=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086  # KFUZZ_ARGS and $what are lists of options
kfuzz $what --slow "$slow" --seed-log "$seedlog" --tests "$TEST_GROUP" ${KFUZZ_ARGS:-}
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
echo "run-fuzz: kfuzz exited with status $rc after $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }') s of L1 time"
if [ "$rc" -le 1 ]; then
	pass run
else
	fail run "kfuzz exited with status $rc"
fi

# Every fd of vireo.ko holds a module reference (fops.owner): 0 means
# every VM and vCPU file of every program is gone.
refcnt=$(cat /sys/module/vireo/refcnt 2>/dev/null)
if [ "$refcnt" = 0 ]; then
	pass module-unused
else
	fail module-unused "/sys/module/vireo/refcnt is ${refcnt:-unreadable} after kfuzz"
fi

before=$(dmesg | wc -l)
if out=$(rmmod vireo 2>&1); then
	bad=$(dmesg | tail -n +$((before + 1)) |
		grep -E 'BUG|Oops|WARNING|general protection|Call Trace|Kernel panic|leak' | head -n 3 | tr '\n' ' ')
	if [ -n "$bad" ]; then
		fail rmmod "rmmod vireo logged: $bad"
	else
		pass rmmod
	fi
	# The parameters the rig loaded it with (vireo.* on the command line).
	koargs=
	# shellcheck disable=SC2013  # the command line is one line of words
	for arg in $(cat /proc/cmdline); do
		case "$arg" in vireo.*=*) koargs="$koargs ${arg#vireo.}" ;; esac
	done
	# shellcheck disable=SC2086
	if out=$(insmod "$ko" $koargs 2>&1) && [ -c "$VIREO_DEV" ]; then
		pass reload
	else
		fail reload "insmod $ko$koargs: $(echo "$out" | tr '\n' ' ')"
	fi
else
	fail rmmod "rmmod vireo: $(echo "$out" | tr '\n' ' ')"
fi
exit 0
