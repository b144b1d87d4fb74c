#!/bin/bash
# The man pages, built from docs/man/*.md by go-md2man: each renders
# without a warning (groff -ww, man -l), and none drifts from its program:
# every subcommand and every option that `--help` shows is in the page,
# and every option of `vireo` is in the bash completion too.
#
#   VIREO=build/bin/vireo VIREO_RUN=build/bin/vireo-run \
#       bash tests/vmlib/man-check.sh build/man
#
# Prints "PASS name" / "FAIL name: detail" and "N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
MAN=${1:-$top/build/man}
VIREO=${VIREO:-$top/build/bin/vireo}
RUN=${VIREO_RUN:-$top/build/bin/vireo-run}
COMPLETION=$top/tools/completion/vireo.bash
passed=0 failed=0

ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# The page as plain text on long lines: no hyphenation, no wrapping.
text_of() {
	LC_ALL=C.UTF-8 groff -t -man -Tutf8 -rHY=0 -rLL=2000n -P-cbou "$1" 2>/dev/null
}

for page in vireo.1 vireo-run.1 vireo-machine.5; do
	f=$MAN/$page
	if [[ ! -s $f ]]; then
		bad "render-$page" "$f missing (make man)"
		continue
	fi
	warn=$(LC_ALL=C.UTF-8 groff -t -man -Tutf8 -ww -z "$f" 2>&1)
	[[ -z $warn ]] && ok "render-$page" || bad "render-$page" "groff: ${warn:0:300}"
	out=$(MANPAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$f" 2>&1 >/dev/null)
	rc=$?
	lines=$(MANPAGER=cat MANWIDTH=80 man -l "$f" 2>/dev/null | wc -l)
	[[ $rc == 0 && -z $out && $lines -gt 10 ]] && ok "man-l-$page" ||
		bad "man-l-$page" "man -l: status $rc, $lines lines, stderr: ${out:0:300}"
	has_name=$(text_of "$f" | grep -c "^NAME")
	[[ $has_name -ge 1 ]] && ok "name-$page" || bad "name-$page" "no NAME section"
done

# check PAGE-TEXT NAME WHAT...: each WHAT is in the page's text.
mentions() {
	local text=$1 name=$2 w missing=()
	shift 2
	for w in "$@"; do
		grep -qF -- "$w" <<<"$text" || missing+=("$w")
	done
	((${#missing[@]} == 0)) && ok "$name" || bad "$name" "not in the page: ${missing[*]}"
}

# The options a GOption --help lists: "-m, --memory" or "--no-nic".
goption_opts() {
	sed -n '/^Application Options:/,/^$/p' | sed -nE 's/^  ((-[[:alnum:]], )?--[[:alnum:]-]+).*/\1/p'
}

vtext=$(text_of "$MAN/vireo.1")
ctext=$(cat "$COMPLETION")
mapfile -t cmds < <("$VIREO" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
((${#cmds[@]} > 10)) && ok vireo-commands-listed || bad vireo-commands-listed "${cmds[*]}"
mapfile -t dcmds < <("$VIREO" disk --help | awk '/^  [a-z]/ { print $1 }')
for c in "${cmds[@]}"; do
	mentions "$vtext" "vireo.1-command-$c" "vireo $c"
	grep -q "commands=.*\b$c\b" "$COMPLETION" && ok "completion-command-$c" ||
		bad "completion-command-$c" "not in the completion's command list"
	[[ $c == disk ]] && continue
	mapfile -t opts < <("$VIREO" "$c" --help 2>/dev/null | goption_opts)
	((${#opts[@]})) || continue
	mentions "$vtext" "vireo.1-options-$c" "${opts[@]}"
	mapfile -t longs < <(printf '%s\n' "${opts[@]}" | sed 's/.*\(--[[:alnum:]-]*\)$/\1/')
	mentions "$ctext" "completion-options-$c" "${longs[@]}"
done
for c in "${dcmds[@]}"; do
	mentions "$vtext" "vireo.1-command-disk-$c" "vireo disk $c"
	mapfile -t opts < <("$VIREO" disk "$c" --help 2>/dev/null | goption_opts)
	((${#opts[@]})) || continue
	mentions "$vtext" "vireo.1-options-disk-$c" "${opts[@]}"
	mapfile -t longs < <(printf '%s\n' "${opts[@]}" | sed 's/.*\(--[[:alnum:]-]*\)$/\1/')
	mentions "$ctext" "completion-options-disk-$c" "${longs[@]}"
done

# vireo-run: every option its --help names.
rtext=$(text_of "$MAN/vireo-run.1")
mapfile -t ropts < <("$RUN" --help | grep -oE -- '(^|[^[:alnum:]-])--[a-z][a-z0-9-]*' |
	sed 's/^[^-]*//' | sort -u)
((${#ropts[@]} > 15)) && ok vireo-run-options-listed || bad vireo-run-options-listed "${ropts[*]}"
mentions "$rtext" vireo-run.1-options "${ropts[@]}"

# One exit-status table: the same rows in both programs' pages.
for page in vireo.1 vireo-run.1; do
	t=$(text_of "$MAN/$page")
	mentions "$t" "exit-table-$page" "EXIT STATUS" "the guest crashed" \
		"the monitor was interrupted" "check: the image is corrupt" "declined"
done

echo "$passed passed, $failed failed"
((failed == 0))
