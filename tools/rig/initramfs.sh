# tools/rig/initramfs.sh - what both initramfs builders share (sourced by
# tools/rig/mkinitrd.sh, L1's, and tests/linux/mkinitrd.sh, the L2 guest's).
# Bash; the sourcing script provides die().

# initramfs_busybox ROOT: busybox-static as ROOT/bin/busybox with a link
# for every applet (what `busybox --install -s` would do at every boot).
initramfs_busybox() {
	local root=$1 busybox=/bin/busybox applet

	[[ -x $busybox ]] || die "$busybox missing (package busybox-static; run 'make deps')"
	if ldd "$busybox" >/dev/null 2>&1; then
		die "$busybox is dynamically linked; the initramfs needs busybox-static"
	fi
	cp "$busybox" "$root/bin/busybox"
	"$busybox" --list-full | while read -r applet; do
		[[ -e "$root/$applet" ]] || ln -s /bin/busybox "$root/$applet"
	done
}

# initramfs_kmods ROOT KROOT KVER NAME...: the named modules of the Debian
# kernel unpacked at KROOT, with everything they depend on, and modules.dep
# for modprobe.  The modules copied are left in initramfs_kmods_added.
# Kernels differ in three ways that are handled here: Debian 13 and later
# keep modules under /usr/lib/modules (merged /usr); they ship them
# compressed (.ko.xz), which busybox's insmod cannot read, so they are
# unpacked into plain .ko files; and a driver that is a module in one
# kernel can be built in in another (virtio_pci in 6.12), which
# modules.builtin says: that one is left out, and modprobe of it, which
# reads modules.builtin, succeeds.  A module renamed upstream is found by
# its new name (initramfs_kmods_renamed).
initramfs_kmods_added=()
declare -A initramfs_kmods_renamed=(
	[crc32c_generic]=crc32c_cryptoapi	# after 6.12 (7.2 has crc32c-cryptoapi)
)
initramfs_kmods() {
	local root=$1 kroot=$2 kver=$3 moddir modinfo depmod m
	local -A seen=()
	shift 3
	moddir=$kroot/lib/modules/$kver
	[[ -d "$moddir/kernel" ]] || moddir=$kroot/usr/lib/modules/$kver
	[[ -d "$moddir/kernel" ]] || die "no lib/modules/$kver/kernel or usr/lib/modules/$kver/kernel (unpacked linux-image-$kver expected at $kroot)"
	modinfo=$(command -v modinfo || echo /sbin/modinfo)
	depmod=$(command -v depmod || echo /sbin/depmod)
	[[ -x "$modinfo" && -x "$depmod" ]] || die "modinfo/depmod missing (package kmod; run 'make deps')"

	add_kmod() {
		local name=$1 file rel dep
		name=${name//-/_}
		[[ -n "${seen[$name]:-}" ]] && return 0
		seen[$name]=1
		file=$(find "$moddir/kernel" -regextype posix-extended \
			-regex ".*/(${name}|${name//_/-})\.ko(\.xz|\.zst|\.gz)?" | head -n 1)
		if [[ -z "$file" && -n "${initramfs_kmods_renamed[$name]:-}" ]]; then
			unset "seen[$name]"
			add_kmod "${initramfs_kmods_renamed[$name]}"
			return
		fi
		if [[ -z "$file" ]]; then
			if grep -qE "/(${name}|${name//_/-})\.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
				unset "seen[$name]"
				return 0
			fi
			die "kernel module '$name' not found in $moddir/kernel (nor built in)"
		fi
		rel=${file#"$moddir"/}
		rel=${rel%.xz} rel=${rel%.zst} rel=${rel%.gz}
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		case "$file" in
		*.xz) xz -dc "$file" >"$root/lib/modules/$kver/$rel" ;;
		*.zst) zstd -q -dc "$file" >"$root/lib/modules/$kver/$rel" ;;
		*.gz) gzip -dc "$file" >"$root/lib/modules/$kver/$rel" ;;
		*) cp "$file" "$root/lib/modules/$kver/$rel" ;;
		esac || die "cannot copy $file"
		for dep in $("$modinfo" -F depends "$file" | tr ',' ' '); do
			add_kmod "$dep"
		done
	}
	for m in "$@"; do
		add_kmod "$m"
	done
	initramfs_kmods_added=("${!seen[@]}")
	((${#seen[@]})) || return 0
	cp "$moddir"/modules.order "$moddir"/modules.builtin "$moddir"/modules.builtin.modinfo \
		"$root/lib/modules/$kver/" 2>/dev/null || true
	"$depmod" -b "$root" "$kver" || die "depmod -b $root $kver failed"
}

# initramfs_pack ROOT OUT: ROOT as a gzipped newc cpio at OUT, owned by root,
# in a stable order.
initramfs_pack() {
	local root=$1 out=$2

	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc -R 0:0) | gzip -1 >"$out.tmp" ||
		die "packing $root with cpio failed"
	mv "$out.tmp" "$out"
}
