#!/bin/bash
# Pack the L2 initramfs: what the Debian kernel boots as a guest of
# vireo-run inside the rig's L1 (tests/l1/run-linux.sh).
#
#   tests/linux/mkinitrd.sh --out FILE --kroot DIR --kver KVER [--bin FILE]...
#       [--bin-dir DIR]...
#
#   /init                 tests/linux/init (busybox sh)
#   /bin, /sbin, ...      busybox-static and its applet links, and every
#                         --bin FILE (static test programs: xstate-check)
#                         and every file of each --bin-dir DIR (the kernel's
#                         x86 selftests: tests/linux/selftests)
#   /lib/modules/KVER/    the virtio drivers (pci, blk, net, console, rng)
#                         ext4, the ACPI button and evdev (the power
#                         button), with their dependencies and modules.dep,
#                         from the Debian kernel unpacked at --kroot (the one
#                         the rig boots as L1: it is the L2 kernel as well)
set -euo pipefail

die() { echo "tests/linux/mkinitrd.sh: $*" >&2; exit 1; }

out= kroot= kver= bins=() bin_dirs=()
while (($#)); do
	case "$1" in
	--out) out=$2 ;;
	--kroot) kroot=$2 ;;
	--kver) kver=$2 ;;
	--bin) bins+=("$2") ;;
	--bin-dir) bin_dirs+=("$2") ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$out" && -n "$kroot" && -n "$kver" ]] || die "--out, --kroot and --kver are required"

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tools/rig/initramfs.sh"

root=$out.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,root,etc,lib/modules}
initramfs_busybox "$root"
install -m 0755 "$here/init" "$root/init"
for d in "${bin_dirs[@]}"; do
	[[ -d "$d" ]] || die "--bin-dir: no directory '$d'"
	for b in "$d"/*; do
		bins+=("$b")
	done
done
for b in "${bins[@]}"; do
	install -m 0755 "$b" "$root/bin/"
done
initramfs_kmods "$root" "$kroot" "$kver" virtio_pci virtio_blk virtio_net virtio_console \
	virtio_rng crc32c_generic ext4 button evdev
initramfs_pack "$root" "$out"
rm -rf "$root"
echo "tests/linux/mkinitrd.sh: $out ($(du -h "$out" | cut -f1); modules: ${initramfs_kmods_added[*]})" >&2
