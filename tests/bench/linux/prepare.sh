#!/bin/bash
# Build, on the host, what the Linux-guest benchmark needs inside L1 (see
# tests/bench/linux/README.md):
#
#   tests/bench/linux/prepare.sh --bin BUILD/bin --kroot DIR --kver KVER --out DIR
#       [--env "VAR=VALUE ..."]
#
#   OUT/l2/vmlinuz        the Debian kernel the rig boots as L1, here the L2
#   OUT/l2/initrd.gz      busybox-static, tests/bench/linux/init, the virtio
#                         modules (in load order: /etc/bench-modules) and
#                         vireo-bench-blk
#   OUT/l1/               a tree for `mkinitrd.sh --extra`: QEMU and the
#                         firmware it opens for `-nodefaults -kernel` (found
#                         with strace: SeaBIOS, linuxboot_dma.bin,
#                         kvmvapic.bin), and OUT/l2 as /vireo/bench-linux;
#                         mkinitrd.sh copies QEMU's shared libraries (ldd)
#   OUT/l1/vireo/bench-linux/env   the --env words (VIREO_BENCH_* knobs, no
#                         spaces in a value), one export each, which
#                         tests/l1/run-bench-linux.sh sources
set -euo pipefail

die() { echo "prepare.sh: $*" >&2; exit 1; }

bin= kroot= kver= out= env=
while (($#)); do
	case "$1" in
	--bin) bin=$2 ;;
	--kroot) kroot=$2 ;;
	--kver) kver=$2 ;;
	--out) out=$2 ;;
	--env) env=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$bin" && -n "$kroot" && -n "$kver" && -n "$out" ]] ||
	die "--bin, --kroot, --kver and --out are required"
here=$(cd "$(dirname "$0")" && pwd)
vmlinuz=$kroot/boot/vmlinuz-$kver
moddir=$kroot/lib/modules/$kver
[[ -f "$vmlinuz" ]] || die "no kernel at $vmlinuz"
[[ -d "$moddir/kernel" ]] || die "no modules at $moddir/kernel"
[[ -x "$bin/vireo-bench-blk" ]] || die "no $bin/vireo-bench-blk (make bench-linux builds it)"
busybox=/bin/busybox
[[ -x $busybox ]] && ! ldd "$busybox" >/dev/null 2>&1 ||
	die "$busybox missing or dynamic (package busybox-static; run 'make deps')"
qemu=$(command -v qemu-system-x86_64) ||
	die "qemu-system-x86_64 missing (package qemu-system-x86; run 'make deps')"
modinfo=$(command -v modinfo || echo /sbin/modinfo)

# ---------------------------------------------------------------- L2 initramfs
l2=$out/l2
root=$out/l2-root
rm -rf "$root" "$out/l1"
mkdir -p "$l2" "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,lib/modules}
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	[[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
done
install -m 0755 "$here/init" "$root/init"
install -m 0755 "$bin/vireo-bench-blk" "$root/bin/vireo-bench-blk"

# Modules, dependencies first (modinfo's "depends"), as plain files that
# busybox insmod loads: no modprobe, no modules.dep needed.
declare -A seen=()
order=()
add_kmod() {
	local name=${1//-/_} file dep
	[[ -n "${seen[$name]:-}" ]] && return 0
	seen[$name]=1
	file=$(find "$moddir/kernel" \( -name "$name.ko" -o -name "${name//_/-}.ko" \) | head -n 1)
	[[ -n "$file" ]] || die "kernel module '$name' not found in $moddir/kernel"
	for dep in $("$modinfo" -F depends "$file" | tr ',' ' '); do
		add_kmod "$dep"
	done
	cp "$file" "$root/lib/modules/$name.ko"
	order+=("$name")
}
for m in virtio_pci virtio_blk; do
	add_kmod "$m"
done
printf '%s\n' "${order[@]}" >"$root/etc/bench-modules"

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --quiet -o -H newc -R 0:0) | gzip -9 >"$l2/initrd.gz.tmp"
mv "$l2/initrd.gz.tmp" "$l2/initrd.gz"
cp "$vmlinuz" "$l2/vmlinuz"
rm -rf "$root"

# ---------------------------------------------------------------- L1 tree
l1=$out/l1
mkdir -p "$l1/usr/bin" "$l1/usr/share/qemu" "$l1/usr/share/seabios" "$l1/vireo"
cp -L "$qemu" "$l1/usr/bin/qemu-system-x86_64"
# QEMU finds its data at <bindir>/../share: /usr/share/{qemu,seabios}.
cp -L /usr/share/seabios/bios-256k.bin "$l1/usr/share/seabios/"
for f in linuxboot_dma.bin linuxboot.bin kvmvapic.bin; do
	cp -L "/usr/share/qemu/$f" "$l1/usr/share/qemu/"
done
cp -a "$l2" "$l1/vireo/bench-linux"
for word in $env; do
	[[ "$word" =~ ^VIREO_BENCH_[A-Z_]*=[-A-Za-z0-9_.,/:=]*$ ]] ||
		die "--env: '$word' is not VIREO_BENCH_NAME=VALUE (letters, digits, -_.,/:=)"
	echo "export $word"
done >"$l1/vireo/bench-linux/env"

echo "prepare.sh: $l2 (initrd $(du -h "$l2/initrd.gz" | cut -f1), modules: ${order[*]});" \
	"$l1 ($(du -sh "$l1" | cut -f1) before QEMU's libraries)" >&2
