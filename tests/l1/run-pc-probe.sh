#!/bin/sh
# tests/l1/run-pc-probe.sh - the PC probe kernel (tests/guest/pc_probe/)
# under vireo-run --kernel, in the rig's L1.  Prints TEST lines; exits 0
# when it ran to the end.
#
# The probe is a Multiboot kernel linked at 0x8000, its bss over 0x10000
# (where the Multiboot information usually goes); it gets two modules (the
# second with arguments, QEMU's -initrd list) and a command line, checks what a firmware-less kernel finds there (file name
# first on the command line, the module's string, the BIOS data area),
# the PMU MSRs of its vendor, and tries every guest action the monitor
# audit found able to end the monitor (docs/ARCHITECTURE.md, "Guest
# actions"): the xAPIC page with the APIC disabled and in x2APIC mode,
# MMIO to nothing, odd port widths, string I/O to nothing and with a
# buffer that is not RAM, unknown MSRs; with --vga (given here), VGA and VBE
# register storms and a VBE mode past video memory (vga-storm).
# It ends the machine with a write of 0x21 to QEMU's isa-debug-exit port
# (--debug-exit 0x501): status (0x21 << 1) | 1 = 67.
#
# TEST lines (group pc-probe):
#   <case>         the probe's verdict of each case (probe.c)
#   debug-exit     vireo-run ended with 67, the status the guest asked for
#                  (not 4, a monitor error; not 8, a crash; not 10, the
#                  timeout), after the DONE line
#   all-cases      the DONE line counts every case the script expects
#   stderr-clean   the monitor printed nothing on stderr
#   post-code-status  a second run, the probe with "post-hold" (it writes
#                  0xa7 to the POST code port and halts): query-status on
#                  the control socket reports "post-code": 167, and `kill`
#                  ends the monitor
#
# Knobs: PP_TIMEOUT (seconds for vireo-run, default 120; 600 under Bochs).

. "$(dirname "$0")/lib.sh"

TEST_GROUP=pc-probe
KERNEL=$VIREO_GUESTS/pc-probe.elf
if [ "$VIREO_RIG_EMU" = bochs ]; then
	TIMEOUT=${PP_TIMEOUT:-600}
else
	TIMEOUT=${PP_TIMEOUT:-120}
fi
T=/tmp/pc-probe.$$
CASES="mb-magic mb-loaded-low mb-info-clear mb-cmdline mb-module mb-module-args mb-memory bda
pmu-amd-legacy pmu-amd-ext-core pmu-intel-arch msr-unknown apic-on apic-disabled
apic-reenabled apic-x2apic-mmio mmio-unclaimed mmio-device-widths pci-missing-function
pio-unclaimed-widths pio-device-widths pio-string-unclaimed pio-string-device-buffer
post-code-latch vga-storm"

if [ ! -f "$KERNEL" ]; then
	fail debug-exit "no test kernel at $KERNEL"
	exit 0
fi
mkdir -p "$T"
printf 'vireo probe module\n' >"$T/probe-module.txt"
printf 'second\n' >"$T/probe-second.txt"

timeout "$TIMEOUT" vireo-run --kernel "$KERNEL" \
	--initrd "$T/probe-module.txt,$T/probe-second.txt two=2" \
	--append "probe x=1" --mem 64M --debug-exit 0x501 --vga </dev/null >"$T/out" 2>"$T/err"
rc=$?
tr -d '\r' <"$T/out" >"$T/log"
echo "pc-probe: vireo-run status $rc; its output:"
sed 's/^/pc-probe| /' "$T/log"
sed 's/^/pc-probe stderr| /' "$T/err"

for c in $CASES; do
	line=$(grep "^CASE $c " "$T/log" | head -n 1)
	case "$line" in
	"CASE $c PASS"*) pass "$c" "${line#CASE "$c" PASS }" ;;
	"CASE $c FAIL"*) fail "$c" "${line#CASE "$c" FAIL }" ;;
	*) fail "$c" "no CASE line (the probe or the monitor stopped before it)" ;;
	esac
done
grep '^CASE ' "$T/log" | while read -r _ name _; do
	case " $(echo "$CASES" | tr '\n' ' ') " in
	*" $name "*) ;;
	*) fail "$name" "unknown case: $(grep "^CASE $name " "$T/log" | head -n 1)" ;;
	esac
done

done_line=$(grep '^DONE ' "$T/log" | tail -n 1)
ncases=$(echo "$CASES" | wc -w)
case $rc in
67) why="status 67" ;;
4) why="status 4: a monitor error, caused by the guest" ;;
8) why="status 8: the guest crashed" ;;
124) why="the ${TIMEOUT}s timeout" ;;
253) why="status 253: the probe took an unexpected exception" ;;
*) why="status $rc" ;;
esac
if [ "$rc" -eq 67 ] && [ -n "$done_line" ]; then
	pass debug-exit "$why after '$done_line'"
else
	fail debug-exit "$why, want 67; DONE line '${done_line:-none}'"
fi
if [ "$(echo "$done_line" | sed -n 's/.*cases=\([0-9]*\).*/\1/p')" = "$ncases" ]; then
	pass all-cases "$done_line"
else
	fail all-cases "want cases=$ncases: '${done_line:-no DONE line}'"
fi
if [ -s "$T/err" ]; then
	fail stderr-clean "$(head -n 3 "$T/err" | tr '\n' ' ')"
else
	pass stderr-clean
fi

# The POST code as the control socket shows it, polled until the guest has
# written it (at most 60 s), then the monitor killed through the socket.
S=$T/ctl.sock
timeout "$TIMEOUT" vireo-run --kernel "$KERNEL" --append "post-hold" --mem 64M \
	--control "$S" </dev/null >"$T/hold-out" 2>"$T/hold-err" &
hold_pid=$!
status=
tries=0
while [ "$tries" -lt 600 ] && kill -0 "$hold_pid" 2>/dev/null; do
	status=$(vireo-ctl-call "$S" query-status 2>/dev/null)
	case $status in *'"post-code":167'*) break ;; esac
	tries=$((tries + 1))
	sleep 0.1
done
vireo-ctl-call "$S" kill >/dev/null 2>&1
wait "$hold_pid"
hold_rc=$?
sed 's/^/pc-probe post-hold| /' "$T/hold-out"
sed 's/^/pc-probe post-hold stderr| /' "$T/hold-err"
case $status in
*'"post-code":167'*)
	if [ "$hold_rc" -eq 124 ] || [ "$hold_rc" -eq 4 ]; then
		fail post-code-status "query-status: $status; but kill did not end the monitor cleanly (status $hold_rc)"
	else
		pass post-code-status "$status; killed, status $hold_rc"
	fi ;;
*) fail post-code-status "want \"post-code\":167, last query-status: '${status:-no reply}', vireo-run status $hold_rc" ;;
esac
rm -rf "$T"
exit 0
