#!/bin/bash
# One rig run: fetch the kernel (cached), pack the initramfs, boot L1 with a
# script, judge the results.  rig.mk calls this after building the parts.
#
#   tools/rig/run.sh --build BUILD --kver KVER --script NAME
#       [--ko vireo.ko] [--tests DIR]... [--mem MB] [--timeout SECS]
#       [--show prefix|raw|none] [--emu qemu|bochs] [--extra DIR]...
#       [--l2-bin-dir DIR]... [--kernel-suite host|trixie|sid]
#       [--modprobe "kvm_amd ..."] [--host-root 1]
#
# --kernel-suite: the Debian release whose kernel L1 (and the L2 Linux)
# boots: host (default) is the host's Debian 12 kernel, KVER; trixie
# (Debian 13, 6.12) and sid (unstable, the newest) are the kernels
# tools/kmatrix.sh built the module against (KVER is then read from
# BUILD/kmatrix/<suite>/kver, and the image is fetched by that release's
# apt in kmatrix's chroot).  The userland stays the host's.  --modprobe:
# kernel modules the init loads before vireo.ko (e.g. kvm_amd, as a
# distribution loads it at boot).  --host-root 1 (QEMU only): the host's
# root directory, read-only over virtio-9p, at /host in L1 (boot.sh).
#
# The programs come from BUILD/bin, the guest images from BUILD/guests, the
# scripts from tests/l1 (plus any --tests DIR); every --extra DIR is copied
# over the initramfs root (mkinitrd.sh --extra); every --l2-bin-dir DIR's
# programs go into the L2 initramfs's /bin.  Logs and the initramfs go to
# BUILD/rig/<script name>/ (BUILD/rig/bochs-<script name>/ for --emu bochs:
# the Intel VMX leg, booted by bochs.sh instead of boot.sh; prefixed with
# "<suite>-" for another release's kernel).  Exit status: report.sh's (non-zero on failure);
# --script shell (or linux-shell: the L2 Linux on the console) runs L1
# interactively and reports nothing.
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)

build= kver= script= ko= mem=2560 timeout=480 show=prefix emu=qemu suite=host modprobe= host_root=
tests=("$top/tests/l1") extras=() l2bins=()
while (($#)); do
	case "$1" in
	--build) build=$2 ;;
	--kver) kver=$2 ;;
	--script) script=$2 ;;
	--ko) ko=$2 ;;
	--tests) tests+=("$2") ;;
	--extra) extras+=("$2") ;;
	--l2-bin-dir) l2bins+=(--bin-dir "$2") ;;
	--mem) mem=$2 ;;
	--timeout) timeout=$2 ;;
	--show) show=$2 ;;
	--emu) emu=$2 ;;
	--kernel-suite) suite=$2 ;;
	--modprobe) modprobe=$2 ;;
	--host-root) host_root=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$build" && -n "$script" ]] || die "--build and --script are required"
[[ -z "$ko" || -f "$ko" ]] || die "no kernel module at '$ko'"

case "$suite" in
host)
	[[ -n "$kver" ]] || die "--kver is required for the host's kernel"
	prefix= kernel_args=("$kver" "$build/rig/cache")
	;;
trixie | sid)
	kmatrix=$build/kmatrix/$suite
	[[ -s $kmatrix/kver && -d $kmatrix/root ]] ||
		die "no $suite chroot in $kmatrix: run 'tools/kmatrix.sh $suite' first"
	kver=$(cat "$kmatrix/kver") prefix=$suite-
	kernel_args=("$kver" "$build/rig/cache/kernels/$suite" "$kmatrix/root")
	;;
*) die "--kernel-suite must be host, trixie or sid" ;;
esac

[[ -z "$host_root" || "$emu" == qemu ]] || die "--host-root needs QEMU's virtio-9p (not --emu $emu)"

case "$emu" in
qemu) out=$build/rig/$prefix${script%.sh} boot=$top/tools/rig/boot.sh ;;
bochs) out=$build/rig/${prefix}bochs-${script%.sh} boot=$top/tools/rig/bochs.sh ;;
*) die "--emu must be qemu or bochs" ;;
esac
mkdir -p "$out"

kroot=$("$top/tools/rig/kernel.sh" "${kernel_args[@]}")

# The L2 guest (tests/l1/run-linux.sh): the same Debian kernel, and an
# initramfs of busybox and its virtio modules (tests/linux).
mkdir -p "$out/l2"
cp "$kroot/boot/vmlinuz-$kver" "$out/l2/vmlinuz"
# Every --l2-bin-dir's programs too (the kernel's selftests: make
# rig-selftests).
[[ -x "$build/l2bin/xstate-check" ]] && l2bins+=(--bin "$build/l2bin/xstate-check")
"$top/tests/linux/mkinitrd.sh" --out "$out/l2/initrd.gz" --kroot "$kroot" --kver "$kver" "${l2bins[@]}"

# tun and bridge: the L1 side of the L2 guest's network.
pack=("$top/tools/rig/mkinitrd.sh" --out "$out/initrd.gz" --kroot "$kroot" --kver "$kver"
	--bin "$build/bin" --guests "$build/guests" --kmods "kvm_amd kvm_intel tun bridge $modprobe${host_root:+ virtio_pci 9pnet_virtio 9p}"
	--l2 "$out/l2")
[[ -n "$ko" ]] && pack+=(--ko "$ko")
for t in "${tests[@]}"; do
	pack+=(--tests "$t")
done
for x in "${extras[@]}"; do
	pack+=(--extra "$x")
done
"${pack[@]}"

"$boot" --kernel "$kroot/boot/vmlinuz-$kver" --initrd "$out/initrd.gz" \
	--outdir "$out" --script "$script" --mem "$mem" --timeout "$timeout" --show "$show" \
	${modprobe:+--modprobe "$modprobe"} ${host_root:+--host-root "$host_root"}

[[ "$script" == shell || "$script" == linux-shell ]] && exit 0
"$top/tools/rig/report.sh" "$out"
