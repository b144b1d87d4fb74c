#!/bin/bash
# `make install` into a temporary DESTDIR: exactly the expected files, with
# the expected modes, for the default PREFIX and for PREFIX=/usr; the
# installed programs run and say their version; the installed man pages
# are found by man(1).
#
#   MAKE=make bash tests/vmlib/install-check.sh     (from the top directory)
#
# Prints "PASS name" / "FAIL name: detail" and "N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
MAKE=${MAKE:-make}
passed=0 failed=0

ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

T=$(mktemp -d /tmp/vireo-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
version=$(cat "$top/VERSION")

# check_tree NAME DESTDIR EXPECTED-LIST: "mode path" of every file.
check_tree() {
	local got
	got=$(cd "$2" && find . -type f -printf '%m %P\n' | sort)
	if [[ $got == "$3" ]]; then
		ok "$1"
	else
		bad "$1" "$(diff <(echo "$3") <(echo "$got") | tr '\n' '|')"
	fi
}

if $MAKE -s -C "$top" --no-print-directory install DESTDIR="$T/local" >"$T/log" 2>&1; then
	ok install-default
else
	bad install-default "$(tail -n 5 "$T/log" | tr '\n' '|')"
fi
check_tree install-default-files "$T/local" "$(sort <<'LIST'
644 etc/udev/rules.d/60-vireo.rules
644 usr/local/share/bash-completion/completions/vireo
644 usr/local/share/man/man1/vireo-run.1
644 usr/local/share/man/man1/vireo.1
644 usr/local/share/man/man5/vireo-machine.5
755 usr/local/bin/vireo
755 usr/local/bin/vireo-run
LIST
)"

if $MAKE -s -C "$top" --no-print-directory install DESTDIR="$T/pkg" PREFIX=/usr >"$T/log" 2>&1; then
	ok install-usr
else
	bad install-usr "$(tail -n 5 "$T/log" | tr '\n' '|')"
fi
check_tree install-usr-files "$T/pkg" "$(sort <<'LIST'
644 usr/lib/udev/rules.d/60-vireo.rules
644 usr/share/bash-completion/completions/vireo
644 usr/share/man/man1/vireo-run.1
644 usr/share/man/man1/vireo.1
644 usr/share/man/man5/vireo-machine.5
755 usr/bin/vireo
755 usr/bin/vireo-run
LIST
)"

B=$T/local/usr/local/bin
for p in vireo vireo-run; do
	out=$("$B/$p" --version 2>&1)
	[[ $out == "$p $version"* ]] && ok "installed-$p-version" ||
		bad "installed-$p-version" "'$out'"
done
# `vireo start` finds the vireo-run installed beside it.
grep -q 'KERNEL=="vireo".*GROUP="vireo".*MODE="0660"' "$T/local/etc/udev/rules.d/60-vireo.rules" &&
	ok installed-udev-rule || bad installed-udev-rule "$(cat "$T/local/etc/udev/rules.d/60-vireo.rules")"
out=$(MANPATH="$T/local/usr/local/share/man" MANPAGER=cat MANWIDTH=80 man vireo-machine 2>&1 | head -n 5)
[[ $out == *"vireo-machine - the Vireo machine definition file"* ]] && ok installed-man-found ||
	bad installed-man-found "man vireo-machine: ${out:0:200}"
out=$(bash -c 'source "$1" && complete -p vireo' _ "$T/local/usr/local/share/bash-completion/completions/vireo" 2>&1)
[[ $out == "complete -F _vireo vireo" ]] && ok installed-completion || bad installed-completion "$out"

echo "$passed passed, $failed failed"
((failed == 0))
