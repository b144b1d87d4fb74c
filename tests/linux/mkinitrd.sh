#!/bin/bash
# Pack the L2 initramfs: what the Debian kernel boots as a guest of
# vireo-run inside the rig's L1 (tests/l1/run-linux.sh).
#
#   tests/linux/mkinitrd.sh --out FILE --kroot DIR --kver KVER
#
#   /init                 tests/linux/init (busybox sh)
#   /bin, /sbin, ...      busybox-static and its applet links
#   /lib/modules/KVER/    the virtio drivers (pci, blk, net, console, rng)
#                         ext4, the ACPI button and evdev (the power
#                         button), with their dependencies and modules.dep,
#                         from the Debian kernel unpacked at --kroot (the one
#                         the rig boots as L1: it is the L2 kernel as well)
set -euo pipefail

die() { echo "tests/linux/mkinitrd.sh: $*" >&2; exit 1; }

out= kroot= kver=
while (($#)); do
	case "$1" in
	--out) out=$2 ;;
	--kroot) kroot=$2 ;;
	--kver) kver=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$out" && -n "$kroot" && -n "$kver" ]] || die "--out, --kroot and --kver are required"

here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox missing (package busybox-static; run 'make deps')"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; the initramfs needs busybox-static"
fi
moddir=$kroot/lib/modules/$kver
[[ -d "$moddir/kernel" ]] || die "no $moddir/kernel (unpacked linux-image-$kver expected at $kroot)"
modinfo=$(command -v modinfo || echo /sbin/modinfo)
depmod=$(command -v depmod || echo /sbin/depmod)
[[ -x "$modinfo" && -x "$depmod" ]] || die "modinfo/depmod missing (package kmod; run 'make deps')"

root=$out.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,root,etc,lib/modules}
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
done
install -m 0755 "$here/init" "$root/init"

declare -A seen=()
add_kmod() {
	local name=$1 file dep
	name=${name//-/_}
	[[ -n "${seen[$name]:-}" ]] && return 0
	seen[$name]=1
	file=$(find "$moddir/kernel" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) | head -n 1)
	[[ -n "$file" ]] || die "kernel module '$name' not found in $moddir/kernel"
	mkdir -p "$root/lib/modules/$kver/$(dirname "${file#"$moddir"/}")"
	cp "$file" "$root/lib/modules/$kver/${file#"$moddir"/}"
	for dep in $("$modinfo" -F depends "$file" | tr ',' ' '); do
		add_kmod "$dep"
	done
}
for m in virtio_pci virtio_blk virtio_net virtio_console virtio_rng crc32c_generic ext4 \
	 button evdev; do
	add_kmod "$m"
done
cp "$moddir"/modules.order "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo \
	"$root/lib/modules/$kver/" 2>/dev/null || true
"$depmod" -b "$root" "$kver" || die "depmod -b $root $kver failed"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp" ||
	die "packing $root with cpio failed"
mv "$out.tmp" "$out"
rm -rf "$root"
echo "tests/linux/mkinitrd.sh: $out ($(du -h "$out" | cut -f1); modules: ${!seen[*]})" >&2
