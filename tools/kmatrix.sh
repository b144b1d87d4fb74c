#!/bin/bash
# tools/kmatrix.sh [SUITE...] - build vireo.ko with W=1 against each kernel
# of the matrix, with the compiler that kernel was built with:
#   host     Debian 12's kernel headers on this machine (gcc 12)
#   trixie   Debian 13: a chroot (mmdebstrap) with its gcc and 6.12 headers
#   sid      Debian unstable: the newest kernel Debian ships
# No boot: this proves the module compiles, links (modpost) and warns about
# nothing.  Default: all three.  Prints one line per kernel,
#   KMATRIX <suite> <kernel release> PASS|FAIL [why]
# and exits 1 if any failed.
#
# The chroots are made once (about a minute each; ~700 MB) as tarballs in
# $BUILD/rig/cache/kmatrix/ and unpacked into $BUILD/kmatrix/<suite>/; the
# module's sources are copied into each, so the tree's own build is left
# alone.  sid's Release file on the mirror can be past its Valid-Until
# date (../shared/RIG-NOTES.md), so that check is off for it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
cache=$build/rig/cache/kmatrix
work=$build/kmatrix
suites=("$@")
((${#suites[@]})) || suites=(host trixie sid)

[[ $(id -u) -eq 0 ]] || { echo "kmatrix: needs root (chroot, mount)" >&2; exit 1; }
mkdir -p "$cache" "$work"

# copy_sources DIR: the module's sources as in the work tree (nothing built).
copy_sources() {
	rm -rf "$1"
	mkdir -p "$1"
	git -C "$top" ls-files -z --cached --others --exclude-standard kmod | (cd "$top" && xargs -0 tar -cf -) | tar -C "$1" -xf -
}

# judge SUITE RELEASE LOG RC
judge() {
	local why=""
	if (($4 != 0)); then
		why="build failed: $(grep -m 1 -E 'error:|ERROR:' "$3" || tail -n 1 "$3")"
	elif grep -q -E 'warning:|WARNING:' "$3"; then
		why="$(grep -c -E 'warning:|WARNING:' "$3") warnings, first: $(grep -m 1 -E 'warning:|WARNING:' "$3")"
	fi
	if [[ -z $why ]]; then
		echo "KMATRIX $1 $2 PASS"
		return 0
	fi
	grep -E 'error:|ERROR:|warning:|WARNING:' "$3" | head -n 20 | sed "s/^/kmatrix: $1: /"
	echo "KMATRIX $1 $2 FAIL $why"
	return 1
}

build_host() {
	local kdir=${KDIR:-/lib/modules/$(uname -r)/build} rel src=$work/host/src rc=0
	if [[ ! -d $kdir ]]; then
		kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
	fi
	[[ -d $kdir ]] || { echo "KMATRIX host - FAIL no kernel headers (make deps)"; return 1; }
	rel=$(make -s -C "$kdir" kernelrelease 2>/dev/null || basename "$kdir")
	copy_sources "$src"
	make -C "$kdir" M="$src/kmod" W=1 modules >"$work/host/build.log" 2>&1 || rc=$?
	judge host "$rel" "$work/host/build.log" "$rc"
}

build_chroot() {
	local suite=$1 root=$work/$1/root tar=$cache/$1.tar hdr rc=0
	local opts=(--variant=buildd --include=linux-headers-amd64)
	[[ $suite == sid ]] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
	if [[ ! -f $tar ]]; then
		echo "kmatrix: $suite: making the chroot (mmdebstrap)"
		rm -rf "$tar.tmp"
		# --format: mmdebstrap would take a name not ending in .tar for a directory.
		mmdebstrap --format=tar "${opts[@]}" "$suite" "$tar.tmp" \
			>"$work/$suite.mmdebstrap.log" 2>&1 ||
			{ echo "KMATRIX $suite - FAIL mmdebstrap failed (see $work/$suite.mmdebstrap.log)"; return 1; }
		mv "$tar.tmp" "$tar"
	fi
	if [[ ! -d $root/usr/src || $tar -nt $root/usr/src ]]; then
		rm -rf "$root"
		mkdir -p "$root"
		tar -C "$root" -xf "$tar" ||
			{ echo "KMATRIX $suite - FAIL cannot unpack $tar"; return 1; }
		touch "$root/usr/src"
	fi
	hdr=$(cd "$root/usr/src" && ls -d linux-headers-*-amd64 | sort -V | tail -n 1)
	[[ -n $hdr ]] || { echo "KMATRIX $suite - FAIL no linux-headers-*-amd64 in the chroot"; return 1; }
	echo "${hdr#linux-headers-}" >"$work/$suite/kver"
	rm -f "$work/$suite/vireo.ko"
	copy_sources "$root/src"
	# objtool reads /proc; a private mount namespace keeps it from leaking.
	unshare --mount --fork sh -c "mount -t proc proc '$root/proc' &&
		chroot '$root' make -C '/usr/src/$hdr' M=/src/kmod W=1 modules $(config_flags "$root")" \
		>"$work/$suite/build.log" 2>&1 || rc=$?
	judge "$suite" "${hdr#linux-headers-}" "$work/$suite/build.log" "$rc" || return 1
	cp "$root/src/kmod/vireo.ko" "$work/$suite/vireo.ko"
}

# config_flags ROOT: the backends chosen in Kconfig, as the top Makefile's
# kmod target passes them, with the generated header copied into ROOT
# (nothing when the tree is not configured: Kbuild's defaults).
config_flags() {
	local hdr=$build/include/vireo_config.h
	[[ -f $hdr && -f $build/config.mk ]] || return 0
	cp "$hdr" "$1/src/vireo_config.h"
	printf 'VIREO_CONFIG_H=/src/vireo_config.h %s' \
		"$(grep -E '^CONFIG_VIREO_(SVM|VMX)=' "$build/config.mk" | tr '\n' ' ')"
}

fail=0
for s in "${suites[@]}"; do
	mkdir -p "$work/$s"
	case $s in
	host) build_host || fail=1 ;;
	*) build_chroot "$s" || fail=1 ;;
	esac
done
exit $fail
