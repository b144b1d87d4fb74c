#!/bin/bash
# Pack the rig's L1 initramfs (the layout is the contract with tests/l1;
# see tools/rig/README.md).
#
#   tools/rig/mkinitrd.sh --out FILE --kroot DIR --kver KVER
#       [--ko vireo.ko] [--bin DIR] [--guests DIR] [--tests DIR]... [--extra DIR]...
#       [--kmods "kvm_amd kvm_intel ..."] [--l2 DIR]
#
#   /init                 tools/rig/init
#   /bin, /sbin, /usr/... busybox-static and its applet links (--install -s)
#   /vireo/vireo.ko       --ko (left out when not given)
#   /vireo/bin/           every executable in --bin, plus the shared
#                         libraries they need (ldd) at their usual paths
#   /vireo/guests/        everything in --guests
#   /vireo/tests/         the files of every --tests directory
#   /lib/modules/KVER/    the --kmods from the Debian kernel unpacked at
#                         --kroot, with what they depend on, and modules.dep
#                         (so `modprobe kvm_amd` works)
#   /vireo/l2/            the files of --l2: the L2 guest's kernel and
#                         initramfs (tests/linux), for tests/l1/run-linux.sh
#   /...                  every --extra DIR copied over the root as is
#                         (e.g. QEMU and its firmware, for the Linux-guest
#                         benchmark only); its dynamic executables get
#                         their shared libraries (ldd) like --bin's
set -euo pipefail

die() { echo "mkinitrd.sh: $*" >&2; exit 1; }
note() { echo "mkinitrd.sh: NOTE: $*" >&2; }

out= kroot= kver= ko= bin= guests= kmods= l2=
tests=() extras=()
while (($#)); do
	case "$1" in
	--out) out=$2 ;;
	--kroot) kroot=$2 ;;
	--kver) kver=$2 ;;
	--ko) ko=$2 ;;
	--bin) bin=$2 ;;
	--guests) guests=$2 ;;
	--tests) tests+=("$2") ;;
	--extra) extras+=("$2") ;;
	--kmods) kmods=$2 ;;
	--l2) l2=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$out" && -n "$kroot" && -n "$kver" ]] || die "--out, --kroot and --kver are required"

here=$(cd "$(dirname "$0")" && pwd)
. "$here/initramfs.sh"

root=$out.d
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,lib/modules}
mkdir -p "$root"/vireo/{bin,guests,tests,l2}

# ---------------------------------------------------------------- busybox
initramfs_busybox "$root"
install -m 0755 "$here/init" "$root/init"

# ---------------------------------------------------------------- vireo.ko
if [[ -n "$ko" ]]; then
	[[ -f "$ko" ]] || die "no kernel module at $ko"
	cp "$ko" "$root/vireo/vireo.ko"
fi

# ---------------------------------------------------------------- programs
# Copy a library (or the ELF interpreter) to the path the loader will look
# for it at, resolving symlinks.
copy_lib() {
	local lib=$1
	[[ -e "$root$lib" ]] && return 0
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
}

is_dynamic_elf() {
	[[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" == '177ELF' ]] &&
		ldd "$1" >/dev/null 2>&1
}

# The shared libraries of a dynamic executable, as ldd finds them here.
copy_needed_libs() {
	local f=$1 line lib
	is_dynamic_elf "$f" || return 0
	while read -r line; do
		case "$line" in
		*"=> not found"*) die "$f needs a library that is not installed: $line" ;;
		*"=> "/*) lib=${line#*=> }; copy_lib "${lib%% (*}" ;;
		/*) copy_lib "${line%% (*}" ;;	# the ELF interpreter
		esac
	done < <(ldd "$f")
}

nbin=0
if [[ -n "$bin" && -d "$bin" ]]; then
	for f in "$bin"/*; do
		[[ -f "$f" && -x "$f" ]] || continue
		cp -L "$f" "$root/vireo/bin/"
		nbin=$((nbin + 1))
		copy_needed_libs "$f"
	done
fi
((nbin)) || note "no programs in ${bin:-(no --bin)}: /vireo/bin is empty (userland not built yet?)"
for x in "${extras[@]}"; do
	[[ -d "$x" ]] || die "no directory $x (--extra)"
	cp -a "$x"/. "$root/"
	while IFS= read -r -d '' f; do
		copy_needed_libs "$root/$f"
	done < <(cd "$x" && find . -type f -perm -u+x -print0)
done
# The libraries' own search path, as on the host.
if [[ -d "$root/lib/x86_64-linux-gnu" || -d "$root/usr/lib/x86_64-linux-gnu" ]]; then
	mkdir -p "$root/etc/ld.so.conf.d"
	printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib >"$root/etc/ld.so.conf"
	ldconfig -r "$root" 2>/dev/null || note "ldconfig -r failed; the loader will search its default paths"
fi

# ---------------------------------------------------------------- guests, tests
if [[ -n "$guests" && -d "$guests" ]] && [[ -n "$(ls -A "$guests")" ]]; then
	cp -a "$guests"/. "$root/vireo/guests/"
else
	note "no guest images in ${guests:-(no --guests)}: /vireo/guests is empty"
fi
for t in "${tests[@]}"; do
	if [[ -d "$t" ]] && [[ -n "$(ls -A "$t")" ]]; then
		cp -a "$t"/. "$root/vireo/tests/"
	else
		note "no test scripts in $t"
	fi
done

# ---------------------------------------------------------------- L2 guest
if [[ -n "$l2" ]]; then
	[[ -d "$l2" ]] || die "no L2 directory at $l2"
	cp -a "$l2"/. "$root/vireo/l2/"
fi

# ---------------------------------------------------------------- kernel modules
# shellcheck disable=SC2086  # $kmods is a list of names
initramfs_kmods "$root" "$kroot" "$kver" $kmods

# ---------------------------------------------------------------- pack
initramfs_pack "$root" "$out"
echo "mkinitrd.sh: $out ($(du -h "$out" | cut -f1); vireo.ko: $([[ -n $ko ]] && echo yes || echo no), $nbin programs, kernel modules: ${initramfs_kmods_added[*]}${extras[*]:+; extra: ${extras[*]}})" >&2
