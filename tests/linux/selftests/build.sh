#!/bin/bash
# Build the kernel's own x86 selftests (tools/testing/selftests/x86 of
# Debian's linux-source for the rig's kernel series) as static 64-bit
# programs for the L2 Linux's busybox initramfs (see README.md here).
#
#   tests/linux/selftests/build.sh --out DIR --src DIR --series 6.1
#
#   SRC/          the part of linux-source this needs, unpacked once from
#                 the .deb (apt-get download, as tools/checkpatch.sh does)
#   OUT/NAME_64   one program per 64-bit selftest, stripped
#   OUT/selftests-run   the L2 side: runs them all (run-all.sh)
#
# The flags are the selftests Makefile's (-O2 -g -std=gnu99 -pthread -Wall
# -no-pie, -DCAN_BUILD_64, -lrt -ldl) plus -static; the system's
# linux-libc-dev headers stand in for KHDR_INCLUDES (same 6.1 series).
set -euo pipefail

die() { echo "tests/linux/selftests/build.sh: $*" >&2; exit 1; }

out= src= series=
while (($#)); do
	case "$1" in
	--out) out=$2 ;;
	--src) src=$2 ;;
	--series) series=$2 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift 2 || die "option '$1' needs a value"
done
[[ -n "$out" && -n "$src" && -n "$series" ]] || die "--out, --src and --series are required"
here=$(cd "$(dirname "$0")" && pwd)

x86=$src/tools/testing/selftests/x86
if [[ ! -f "$x86/Makefile" ]]; then
	dl=$(mktemp -d)
	trap 'rm -rf "$dl"' EXIT
	(cd "$dl" && apt-get download "linux-source-$series" >/dev/null 2>&1) ||
		die "cannot download linux-source-$series"
	mkdir -p "$src"
	# sigreturn.c includes the kernel's desc_defs.h by a relative path.
	dpkg-deb --fsys-tarfile "$dl"/linux-source-"$series"_*.deb |
		tar -xO "./usr/src/linux-source-$series.tar.xz" |
		tar -xJ -C "$src" --strip-components=1 \
			"linux-source-$series/tools/testing/selftests/x86" \
			"linux-source-$series/tools/testing/selftests/kselftest.h" \
			"linux-source-$series/arch/x86/include/asm/desc_defs.h"
fi

# The Makefile's 64-bit lists: TARGETS_C_BOTHBITS and TARGETS_C_64BIT_ONLY.
# TARGETS_C_32BIT_NEEDED (ldt_gdt, ptrace_syscall) it builds as 64-bit
# programs only when a 32-bit build works too; they are 64-bit programs and
# build here, so they are in.  The 32-bit-only ones are out (README.md).
list() {
	awk -v v="$1" '{ line = line $0 } /\\$/ { sub(/\\$/, "", line); next }
		{ if (line ~ "^" v " *:=") { sub(/^[^=]*= */, "", line); print line } line = "" }' \
		"$x86/Makefile" | tr -s ' \t' '\n'
}
mapfile -t tests < <( { list TARGETS_C_BOTHBITS; list TARGETS_C_64BIT_ONLY; list TARGETS_C_32BIT_NEEDED; } |
	grep -v '^$' | sort -u)
((${#tests[@]} > 10)) || die "found only ${#tests[@]} tests in $x86/Makefile"

mkdir -p "$out"
built=0
for t in "${tests[@]}"; do
	extra=()
	case "$t" in
	sysret_ss_attrs) extra=("$x86/thunks.S") ;;
	# Its own entry point, and static anyway (the Makefile says why).
	check_initial_reg_state) extra=(-Wl,-ereal_start) ;;
	esac
	gcc -m64 -static -O2 -g -std=gnu99 -pthread -Wall -no-pie -DCAN_BUILD_64 \
		-o "$out/${t}_64.tmp" "$x86/$t.c" "${extra[@]}" -lrt -ldl 2>"$out.log" ||
		die "$t: $(grep -m 3 error "$out.log")"
	strip -o "$out/${t}_64" "$out/${t}_64.tmp"
	rm -f "$out/${t}_64.tmp"
	built=$((built + 1))
done
install -m 0755 "$here/run-all.sh" "$out/selftests-run"
echo "tests/linux/selftests/build.sh: $built selftests in $out ($(du -sh "$out" | cut -f1))" >&2
