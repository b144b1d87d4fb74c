#!/bin/bash
# make checkpatch: the kernel's scripts/checkpatch.pl over kmod/.  Debian
# ships checkpatch.pl only inside linux-source-<major.minor> (a 139 MB
# package), so the script and its two data files are taken from there once
# and kept in build/checkpatch/.  Exit status: checkpatch's.
#
# Known and left: vmx/vmcs.c's asm goto passes its label to _ASM_EXTABLE as
# "%l[fail]", which checkpatch reads as a modulo ("spacing around '%'").
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/checkpatch
cp=$dir/scripts/checkpatch.pl
if [ ! -f "$cp" ]; then
	kver=$(tools/rig/kver.sh --fallback)
	series=$(echo "$kver" | cut -d. -f1,2)
	mkdir -p "$dir"
	(cd "$dir" && apt-get download "linux-source-$series" >/dev/null 2>&1) ||
		{ echo "checkpatch: cannot download linux-source-$series"; exit 2; }
	deb=$(ls "$dir"/linux-source-"$series"_*.deb | head -n 1)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/linux-source-$series.tar.xz" |
		tar -xJ -C "$dir" --strip-components=1 \
			"linux-source-$series/scripts/checkpatch.pl" \
			"linux-source-$series/scripts/spelling.txt" \
			"linux-source-$series/scripts/const_structs.checkpatch"
	rm -f "$deb"
fi

mapfile -t files < <(ls kmod/*.[ch] kmod/svm/*.[ch] kmod/vmx/*.[ch] kmod/compat/*.h kmod/include/uapi/*.h |
	grep -v -e '\.mod\.c$' -e 'compat-autoconf\.h$')
# Silent and status 0 when every file is clean; otherwise the findings, 1.
report=$(perl "$cp" --no-tree --terse --show-types --max-line-length=100 -f "${files[@]}" |
	grep -v ' 0 errors, 0 warnings' || true)
[ -z "$report" ] || { printf '%s\n' "$report"; exit 1; }
