#!/bin/bash
# Fetch the Debian kernel the rig boots, once, into a cache.
#
#   tools/rig/kernel.sh KVER CACHEDIR [CHROOT]
#
# Downloads linux-image-KVER (apt-get download, nothing is installed) into
# CACHEDIR/debs and unpacks it with dpkg -x into CACHEDIR/linux-image-KVER.
# The host's apt knows only its own release's kernels: for another
# release's (Debian 13's 6.12, unstable's newest), CHROOT is a chroot of
# that release (tools/kmatrix.sh's, whose headers the module was built
# against) and its apt downloads the package, after an apt-get update
# there; nothing is installed in the chroot either.  Give each release a
# CACHEDIR of its own (the cleanup below keeps one kernel per CACHEDIR).
# A second run finds the unpacked tree and downloads nothing.  Prints the
# unpacked tree's path (it has boot/vmlinuz-KVER and lib/modules/KVER, or
# usr/lib/modules/KVER from Debian 13 on).
# Kernels of other versions in CACHEDIR are removed once a new one is in.
set -euo pipefail

kver=${1:?usage: kernel.sh KVER CACHEDIR}
cache=${2:?usage: kernel.sh KVER CACHEDIR}
chroot_dir=${3:-}
pkg=linux-image-$kver
root=$cache/$pkg

if [[ -f $root/.unpacked && -f $root/boot/vmlinuz-$kver ]]; then
	echo "$root"
	exit 0
fi

# download_in_chroot: linux-image-KVER into CACHEDIR/debs by the chroot's
# apt.  The chroots are made without package lists (mmdebstrap drops them):
# apt-get update first.  Unstable's Release file on the mirror can be past
# its Valid-Until date (../shared/RIG-NOTES.md).  Since 7.x (sid) the
# image package is empty and depends on linux-binary-KVER (vmlinuz),
# linux-modules-KVER and linux-base-KVER: every linux-*-KVER it depends on
# is fetched with it.
download_in_chroot() {
	local dl=/tmp/rig-kernel-download
	[[ -x $chroot_dir/usr/bin/apt-get ]] || { echo "kernel.sh: no chroot with apt at '$chroot_dir' (run tools/kmatrix.sh first)" >&2; exit 1; }
	rm -rf "$chroot_dir$dl"
	mkdir -p "$chroot_dir$dl"
	chroot "$chroot_dir" sh -c "apt-get -q -o Acquire::Check-Valid-Until=false update &&
		parts=\$(apt-cache depends $pkg | sed -n 's/^ *Depends: \\(linux-[a-z]*-$kver\\)\$/\\1/p') &&
		cd $dl && apt-get -q download $pkg \$parts" >&2 2> >(grep -v 'unsandboxed as root' >&2) || {
		echo "kernel.sh: 'apt-get download $pkg' in $chroot_dir failed (the release moved to a newer kernel than the chroot's headers? remove the chroot's tarball in the kmatrix cache and rerun tools/kmatrix.sh)" >&2
		exit 1
	}
	mv "$chroot_dir$dl/"*.deb "$cache/debs/"
	rm -rf "$chroot_dir$dl"
}

# One download at a time, when two rig runs start on an empty cache.
mkdir -p "$cache/debs"
exec 9>"$cache/.lock"
flock 9
if [[ -f $root/.unpacked && -f $root/boot/vmlinuz-$kver ]]; then
	echo "$root"
	exit 0
fi

deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$deb" ]]; then
	echo "kernel.sh: downloading $pkg${chroot_dir:+ (apt of the chroot $chroot_dir)}" >&2
	if [[ -n $chroot_dir ]]; then
		download_in_chroot
	else
		# apt-get download writes into the current directory; as root it warns
		# that the _apt user can't write there, which is harmless.
		(cd "$cache/debs" && apt-get download -q "$pkg" >&2 2> >(grep -v 'unsandboxed as root' >&2)) || {
			echo "kernel.sh: 'apt-get download $pkg' failed (is the apt package list current? try 'apt-get update')" >&2
			exit 1
		}
	fi
	deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[[ -n "$deb" ]] || { echo "kernel.sh: apt-get download left no ${pkg}_*.deb in $cache/debs" >&2; exit 1; }
fi

rm -rf "$root.tmp"
for part in "$deb" "$cache"/debs/linux-{binary,modules,base}-"${kver}"_*.deb; do
	[[ -f $part ]] || continue
	echo "kernel.sh: unpacking $(basename "$part")" >&2
	dpkg -x "$part" "$root.tmp" || { echo "kernel.sh: 'dpkg -x $part' failed" >&2; exit 1; }
done
# 7.x keeps the image beside its modules, where kernel-install takes it
# from; the rig's callers find it in boot/ as with the older kernels.
if [[ ! -f $root.tmp/boot/vmlinuz-$kver && -f $root.tmp/usr/lib/modules/$kver/vmlinuz ]]; then
	mkdir -p "$root.tmp/boot"
	ln "$root.tmp/usr/lib/modules/$kver/vmlinuz" "$root.tmp/boot/vmlinuz-$kver"
fi
[[ -f $root.tmp/boot/vmlinuz-$kver ]] || { echo "kernel.sh: $deb (and the parts it depends on) has no boot/vmlinuz-$kver nor usr/lib/modules/$kver/vmlinuz" >&2; exit 1; }
touch "$root.tmp/.unpacked"
rm -rf "$root"
mv "$root.tmp" "$root"

# Debian moved to a new ABI: the old kernels (~500 MB each) can go.
for old in "$cache"/linux-image-* "$cache"/debs/linux-{image,binary,modules,base}-*.deb; do
	case "$old" in
	"$root" | "$cache"/debs/linux-*-"${kver}"_*) ;;
	*) [[ -e "$old" ]] && echo "kernel.sh: removing the old $(basename "$old")" >&2 && rm -rf "$old" ;;
	esac
done
echo "$root"
