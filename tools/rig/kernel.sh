#!/bin/bash
# Fetch the Debian kernel the rig boots, once, into a cache.
#
#   tools/rig/kernel.sh KVER CACHEDIR
#
# Downloads linux-image-KVER (apt-get download, nothing is installed) into
# CACHEDIR/debs and unpacks it with dpkg -x into CACHEDIR/linux-image-KVER.
# A second run finds the unpacked tree and downloads nothing.  Prints the
# unpacked tree's path (it has boot/vmlinuz-KVER and lib/modules/KVER).
# Kernels of other versions in CACHEDIR are removed once a new one is in.
set -euo pipefail

kver=${1:?usage: kernel.sh KVER CACHEDIR}
cache=${2:?usage: kernel.sh KVER CACHEDIR}
pkg=linux-image-$kver
root=$cache/$pkg

if [[ -f $root/.unpacked && -f $root/boot/vmlinuz-$kver ]]; then
	echo "$root"
	exit 0
fi

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
	echo "kernel.sh: downloading $pkg" >&2
	# apt-get download writes into the current directory; as root it warns
	# that the _apt user can't write there, which is harmless.
	(cd "$cache/debs" && apt-get download -q "$pkg" >&2 2> >(grep -v 'unsandboxed as root' >&2)) || {
		echo "kernel.sh: 'apt-get download $pkg' failed (is the apt package list current? try 'apt-get update')" >&2
		exit 1
	}
	deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[[ -n "$deb" ]] || { echo "kernel.sh: apt-get download left no ${pkg}_*.deb in $cache/debs" >&2; exit 1; }
fi

echo "kernel.sh: unpacking $(basename "$deb")" >&2
rm -rf "$root.tmp"
dpkg -x "$deb" "$root.tmp" || { echo "kernel.sh: 'dpkg -x $deb' failed" >&2; exit 1; }
[[ -f $root.tmp/boot/vmlinuz-$kver ]] || { echo "kernel.sh: $deb has no boot/vmlinuz-$kver" >&2; exit 1; }
touch "$root.tmp/.unpacked"
rm -rf "$root"
mv "$root.tmp" "$root"

# Debian moved to a new ABI: the old kernels (~500 MB each) can go.
for old in "$cache"/linux-image-* "$cache"/debs/linux-image-*.deb; do
	case "$old" in
	"$root" | "$cache/debs/${pkg}_"*) ;;
	*) [[ -e "$old" ]] && echo "kernel.sh: removing the old $(basename "$old")" >&2 && rm -rf "$old" ;;
	esac
done
echo "$root"
