#!/bin/bash
# Boot the L1 machine under Bochs (Intel VMX + EPT: cpu corei7_haswell_4770)
# once: the Bochs counterpart of boot.sh, with the same options and the same
# files left in DIR (console.log, results.log, boot.status).
#
#   tools/rig/bochs.sh --kernel VMLINUZ --initrd INITRD --outdir DIR
#       --script NAME [--mem MB] [--timeout SECS] [--show prefix|raw|none]
#       [--modprobe "MODULE..."]
#
# Bochs can't load a kernel itself: the kernel and initramfs go on an
# isolinux ISO.  com1 is the kernel console, com2 (L1's /dev/ttyS1) the
# results channel, both files.  Its only display without a GUI, "term",
# needs a terminal, so Bochs runs in a detached tmux session on a private
# server; Bochs ignores SIGTERM, so the timeout is SIGKILL.
set -euo pipefail

die() { echo "bochs.sh: $*" >&2; exit 1; }

kernel= initrd= outdir= script= modprobe= mem=1024 timeout=480 show=prefix
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
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -f "$kernel" ]] || die "no kernel image at '$kernel'"
[[ -f "$initrd" ]] || die "no initramfs at '$initrd'"
[[ -n "$outdir" && -n "$script" ]] || die "--outdir and --script are required"
[[ "$script" != shell ]] || die "no interactive shell under Bochs; use 'make rig-shell' (QEMU)"
for tool in bochs tmux xorriso; do
	command -v "$tool" >/dev/null || die "$tool missing (run 'make deps')"
done
isolinux=/usr/lib/ISOLINUX/isolinux.bin
ldlinux=/usr/lib/syslinux/modules/bios/ldlinux.c32
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
for f in "$isolinux" "$ldlinux" "$bios" "$vgabios"; do
	[[ -f "$f" ]] || die "$f missing (packages isolinux, syslinux-common, bochsbios, vgabios; run 'make deps')"
done

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
console=$outdir/console.log
results=$outdir/results.log
: >"$console"
: >"$results"
rm -f "$outdir/boot.status" "$outdir/bochs.rc"

guest_timeout=$((timeout > 90 ? timeout - 60 : timeout * 2 / 3))
# --modprobe: the init loads these before vireo.ko (tools/rig/init).
preload=${modprobe:+ rig.modprobe=${modprobe// /,}}

# ---------------------------------------------------------------- the ISO
iso=$outdir/iso.d
rm -rf "$iso"
mkdir -p "$iso/isolinux"
cp "$isolinux" "$ldlinux" "$iso/isolinux/"
cp "$kernel" "$iso/vmlinuz"
cp "$initrd" "$iso/initrd.gz"
cat >"$iso/isolinux/isolinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT l1
PROMPT 0
TIMEOUT 0
LABEL l1
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 quiet panic=-1 rig.script=$script rig.timeout=$guest_timeout rig.emu=bochs vireo.vmx_preempt_us=2000$preload
EOF
xorriso -as mkisofs -quiet -o "$outdir/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>"$outdir/xorriso.log" || {
	cat "$outdir/xorriso.log" >&2
	die "xorriso could not make $outdir/boot.iso"
}

# ---------------------------------------------------------------- bochsrc
cat >"$outdir/bochsrc" <<EOF
megs: $mem
cpu: model=corei7_haswell_4770, count=1, ips=200000000
romimage: file=$bios
vgaromimage: file=$vgabios
ata0-master: type=cdrom, path=$outdir/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$console
com2: enabled=1, mode=file, dev=$results
display_library: term
clock: sync=none
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
log: $outdir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
# The built-in debugger stops at a prompt before the first instruction
# unless told to continue.
echo c >"$outdir/bochs.debugrc"

# ---------------------------------------------------------------- run
sock=vireo-rig-$$
chan=vireo-rig-done-$$
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
}
trap cleanup EXIT

echo "bochs.sh: booting L1 (Bochs, Haswell with VMX+EPT, ${mem} MiB), script $script, timeout ${timeout}s"
start=$(date +%s.%N)
tmux -L "$sock" new-session -d -x 80 -y 25 -s rig \
	"cd '$outdir' && timeout -s KILL $timeout bochs -q -f bochsrc -rc bochs.debugrc >bochs.out 2>&1; \
	 echo \$? >bochs.rc; tmux -L '$sock' wait-for -S '$chan'" ||
	die "tmux could not start a session for Bochs"
# Wait for the session's own signal; the outer timeout is only a safety net.
timeout $((timeout + 30)) tmux -L "$sock" wait-for "$chan" &
wpid=$!

# Debian's Bochs has its debugger built in, and then the term display draws
# on a pty of its own ("Bochs connected to screen /dev/pts/N" on stderr),
# not on the terminal.  Nobody reads that pty unless we do: once its 4 KiB
# buffer is full, Bochs blocks writing the screen and the guest stops.  So
# wait for the name as long as the session runs (on a loaded host Bochs
# has taken minutes to name it; a fixed limit left the pty undrained and
# the guest stopped), then drain it into screen.log.
pty=
while kill -0 "$wpid" 2>/dev/null; do
	# bochs.out appears only once the session's shell has started: until
	# then sed fails, which under set -e and pipefail must not end the run.
	pty=$(sed -n 's/^Bochs connected to screen "\(.*\)"$/\1/p' "$outdir/bochs.out" 2>/dev/null | head -n 1) || pty=
	[[ -n "$pty" || -f "$outdir/bochs.rc" ]] && break
	sleep 0.1
done
dpid=
if [[ -n "$pty" && -c "$pty" ]]; then
	stty -F "$pty" raw -echo 2>/dev/null || true
	cat "$pty" >"$outdir/screen.log" 2>/dev/null &
	dpid=$!
elif [[ ! -f "$outdir/bochs.rc" ]]; then
	echo "bochs.sh: WARNING: Bochs named no screen pty in $outdir/bochs.out; it may stall on a full pty" >&2
fi

show_live() {
	local prefix=$1
	# raw (no prefix) is for a person watching a demo: the rig's own
	# lines are left out there; the report after the run has them.
	tail -s 0.5 -n +1 -f --pid="$wpid" "$results" | awk -v prefix="$prefix" '
		{ sub(/\r$/, "") }
		/^VIREO-RIG: dmesg begin/ { hide = 1; if (prefix != "") print prefix "(kernel log dumped to the results file)"; fflush(); next }
		/^VIREO-RIG: dmesg end/ { hide = 0; next }
		prefix == "" && /^(VIREO-RIG: |TEST rig\/)/ { next }
		!hide { print prefix $0; fflush() }'
}
case "$show" in
prefix) show_live "L1| " & spid=$! ;;
raw) show_live "" & spid=$! ;;
none) spid= ;;
*) die "--show must be prefix, raw or none" ;;
esac

wait "$wpid" 2>/dev/null || true
[[ -z "$spid" ]] || wait "$spid" || true
# cat ends by itself when Bochs closes the pty; this is for a Bochs killed
# with the pty still held by something else.
[[ -z "$dpid" ]] || kill "$dpid" 2>/dev/null || true
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

rc=$(cat "$outdir/bochs.rc" 2>/dev/null || echo 137)
timed_out=0
# SIGKILL (137) near the deadline is the timeout; earlier, someone else's.
if ((rc == 137)) && awk -v w="$wall" -v t="$timeout" 'BEGIN { exit !(w >= t - 2) }'; then
	timed_out=1
fi
printf 'rc=%s\ntimed_out=%s\nwall=%s\n' "$rc" "$timed_out" "$wall" >"$outdir/boot.status"

if ((timed_out)); then
	echo "bochs.sh: L1 killed after ${timeout}s (timeout)"
elif ((rc == 137)); then
	echo "bochs.sh: the emulator was killed (SIGKILL) after ${wall}s, not by the rig's timeout"
else
	echo "bochs.sh: L1 ran for ${wall}s wall (bochs exit status $rc)"
fi
exit 0
