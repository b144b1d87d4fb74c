#!/bin/bash
# Boot the L1 machine (QEMU TCG, -cpu max: AMD SVM with nested paging) once.
#
#   tools/rig/boot.sh --kernel VMLINUZ --initrd INITRD --outdir DIR
#       --script NAME [--mem MB] [--timeout SECS] [--show prefix|raw|none]
#       [--modprobe "MODULE..."] [--host-root 1]
#
# The kernel console goes to DIR/console.log, the results channel (L1's
# /dev/ttyS1) to DIR/results.log, which is shown live on stdout while the
# machine runs (--show prefix: as "L1| line", raw: as is, none: not), the
# kernel-log dump excepted.  The whole run is killed with SIGKILL after
# --timeout seconds; the script inside gets 60 s less, so that a hung script
# still leaves a kernel log.  DIR/boot.status records how the run ended:
#   rc=<qemu exit status>  timed_out=0|1  wall=<seconds>
#
# --script shell (or linux-shell) boots interactively instead: the console on this terminal
# (Ctrl-A X quits QEMU), no timeout.
set -euo pipefail

die() { echo "boot.sh: $*" >&2; exit 1; }

kernel= initrd= outdir= script= modprobe= host_root= mem=2560 timeout=480 show=prefix
while (($#)); do
	case "$1" in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--outdir) outdir=$2 ;;
	--script) script=$2 ;;
	--mem) mem=$2 ;;
	--timeout) timeout=$2 ;;
	--show) show=$2 ;;
	--modprobe) modprobe=$2 ;;
	--host-root) host_root=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -f "$kernel" ]] || die "no kernel image at '$kernel'"
[[ -f "$initrd" ]] || die "no initramfs at '$initrd'"
[[ -n "$outdir" && -n "$script" ]] || die "--outdir and --script are required"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing (package qemu-system-x86; run 'make deps')"

mkdir -p "$outdir"
console=$outdir/console.log
results=$outdir/results.log
: >"$console"
: >"$results"
rm -f "$outdir/boot.status"

guest_timeout=$((timeout > 90 ? timeout - 60 : timeout * 2 / 3))
append="console=ttyS0 quiet panic=-1 rig.script=$script rig.timeout=$guest_timeout rig.emu=qemu"
# --modprobe: the init loads these before vireo.ko (tools/rig/init).
[[ -z "$modprobe" ]] || append+=" rig.modprobe=${modprobe// /,}"
# One host thread for both L1 CPUs (thread=single): QEMU 7.2's SVM model is
# not safe under multi-threaded TCG.  With a thread per L1 CPU, two vCPUs of
# one VM running at once on both L1 CPUs now and then come back from an NPT
# fault whose "guest" state in the VMCB is L1's own (L1's CR0, the RIP just
# after VMRUN, a user-mode write while walking L1's page tables through the
# NPT): QEMU ran L1 code with nested paging still on.  vireo-smp looped 80
# times in one L1: 10 failures multi-threaded, none single-threaded.
# RIG_TCG_OPTS=thread=multi brings the other mode back.
tcg_opts=${RIG_TCG_OPTS-thread=single}
qemu_args=(-accel "tcg${tcg_opts:+,$tcg_opts}" -cpu max -smp 2 -m "$mem" -nodefaults -no-reboot
	-kernel "$kernel" -initrd "$initrd")
# --host-root: the host's tree, read-only, for tools too big for the
# initramfs (the init mounts it at /host; ../shared/RIG-NOTES.md).
if [[ -n "$host_root" ]]; then
	qemu_args+=(-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap)
	append+=" rig.hostroot=1"
fi

if [[ "$script" == shell || "$script" == linux-shell ]]; then
	echo "boot.sh: interactive L1 (Ctrl-A X quits QEMU); results channel: $results"
	exec "$qemu" "${qemu_args[@]}" -nographic -serial mon:stdio -serial "file:$results" \
		-append "console=ttyS0 quiet panic=-1 rig.script=$script"
fi

# Live view of the results channel, without the kernel-log dump.
show_live() {
	local prefix=$1
	# raw (no prefix) is for a person watching a demo: the rig's own
	# lines are left out there; the report after the run has them.
	tail -s 0.2 -n +1 -f --pid="$qpid" "$results" | awk -v prefix="$prefix" '
		{ sub(/\r$/, "") }
		/^VIREO-RIG: dmesg begin/ { hide = 1; if (prefix != "") print prefix "(kernel log dumped to the results file)"; fflush(); next }
		/^VIREO-RIG: dmesg end/ { hide = 0; next }
		prefix == "" && /^(VIREO-RIG: |TEST rig\/)/ { next }
		!hide { print prefix $0; fflush() }'
}

echo "boot.sh: booting L1 (QEMU TCG, -cpu max, ${mem} MiB, 2 vCPUs), script $script, timeout ${timeout}s"
start=$(date +%s.%N)
timeout -s KILL "$timeout" "$qemu" "${qemu_args[@]}" -display none \
	-serial "file:$console" -serial "file:$results" -append "$append" </dev/null &
qpid=$!
case "$show" in
prefix) show_live "L1| " & spid=$! ;;
raw) show_live "" & spid=$! ;;
none) spid= ;;
*) die "--show must be prefix, raw or none" ;;
esac

rc=0
wait "$qpid" 2>/dev/null || rc=$?	# (no "Killed" job notice)
[[ -z "$spid" ]] || wait "$spid" || true
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
timed_out=0
# SIGKILL (137) near the deadline is the timeout; earlier, someone else's.
if ((rc == 137)) && awk -v w="$wall" -v t="$timeout" 'BEGIN { exit !(w >= t - 2) }'; then
	timed_out=1
fi
printf 'rc=%s\ntimed_out=%s\nwall=%s\n' "$rc" "$timed_out" "$wall" >"$outdir/boot.status"

if ((timed_out)); then
	echo "boot.sh: L1 killed after ${timeout}s (timeout)"
elif ((rc == 137)); then
	echo "boot.sh: the emulator was killed (SIGKILL) after ${wall}s, not by the rig's timeout"
elif ((rc != 0)); then
	echo "boot.sh: qemu-system-x86_64 exited with status $rc after ${wall}s (see $console)"
else
	echo "boot.sh: L1 ran for ${wall}s wall"
fi
exit 0
