#!/bin/sh
# tests/l1/run-virtio-hostile.sh - a hostile virtio driver against the real
# monitor, in the rig's L1.  Prints TEST lines; exits 0 when it ran to the
# end.
#
# vireo-run boots the Multiboot test kernel virtio-hostile.elf
# (tests/guest/virtio_hostile/) on the Vireo PC with one raw disk.  The
# guest finds the virtio-blk function, and case after case posts something
# malformed (buffers outside RAM, in the PCI hole, wrapping 2^64; loops;
# bad indirect tables; chains longer than the queue; a runaway avail
# index; rings outside RAM; requests without a header ...), checks the
# device's reaction (NEEDS_RESET with a configuration interrupt, or an
# IOERR/UNSUPP status byte), resets it if it must, and reads a sector of
# the pattern written here, which must come back byte for byte.  It prints
# "CASE <name> PASS|FAIL <detail>" per case and "DONE cases=N pass=N
# fail=N resets=N", then powers off through ACPI S5 (the Vireo PC has no
# debug-exit port).
#
# TEST lines (group virtio-hostile):
#   <case>             the guest's verdict, and the monitor's stderr for that
#                      case: exactly one "broke the rules" message naming
#                      virtio-blk, the disk, queue 0 and the problem below
#                      for a case that breaks the device, none otherwise
#   monitor-survived   vireo-run ended with status 0 (the guest's own S5)
#                      after the DONE line, and every case reported
#   message-accounting every incident the guest saw is a message, or is
#                      counted in "(N earlier messages not shown)" / "N more
#                      driver errors not shown" (the rate limit: the flood
#                      case breaks the device 256 times)
#   rate-limit         the flood was cut short: at most the burst (100) and
#                      one a second got through
#   stderr-clean       vireo-run printed nothing else on stderr
#
# Knobs: VH_TIMEOUT (seconds for vireo-run, default 600; 3600 under Bochs).

. "$(dirname "$0")/lib.sh"

TEST_GROUP=virtio-hostile
KERNEL=$VIREO_GUESTS/virtio-hostile.elf
if [ "$VIREO_RIG_EMU" = bochs ]; then
	TIMEOUT=${VH_TIMEOUT:-3600}
else
	TIMEOUT=${VH_TIMEOUT:-600}
fi
T=/tmp/virtio-hostile.$$
LOG_BURST=100		# VIREO_VIRTIO_LOG_BURST, userland/virtio/virtio.h
TAB=$(printf '\t')

if [ ! -f "$KERNEL" ]; then
	fail monitor-survived "no test kernel at $KERNEL"
	exit 0
fi
mkdir -p "$T"

# The disk: 2048 sectors; sectors 0-127 hold 32 records
# "S<sector, 3 digits>R<record, 2 digits>:abcdefg\n" of 16 bytes each,
# which the guest recomputes (cases.c, pattern()).
dd if=/dev/zero of="$T/disk.img" bs=512 count=2048 2>/dev/null
awk 'BEGIN { for (s = 0; s < 128; s++) for (r = 0; r < 32; r++)
	printf "S%03dR%02d:abcdefg\n", s, r }' >"$T/pattern"
dd if="$T/pattern" of="$T/disk.img" conv=notrunc 2>/dev/null

# One file for both streams, so that each message lands between the CASE
# lines of the case that caused it: the device logs under its lock before
# the guest can see NEEDS_RESET, and the guest prints its CASE line after.
start=$(date +%s)
timeout "$TIMEOUT" vireo-run --kernel "$KERNEL" --mem 64M --disk "$T/disk.img" \
	</dev/null >"$T/out" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
tr -d '\r' <"$T/out" >"$T/log"
echo "virtio-hostile: vireo-run status $rc after ${elapsed}s; its output:"
sed 's/^/virtio-hostile| /' "$T/log"

# The expected monitor message per case ("-": none).
cat >"$T/expect" <<'EOF'
good-read	-
config-capacity	-
good-scatter	-
good-indirect	-
good-direct-then-indirect	-
good-get-id	-
zero-len-desc-outside-ram	-
blk-sector-beyond-disk	-
blk-sector-overflow	-
blk-partial-sector	-
blk-write-past-end	-
blk-unknown-type	-
addr-beyond-ram	buffer outside guest RAM
addr-above-4g	buffer outside guest RAM
addr-pci-hole	buffer outside guest RAM
addr-own-bar	buffer outside guest RAM
addr-lapic	buffer outside guest RAM
addr-wrap-into-ram	buffer outside guest RAM
addr-straddles-ram-end	buffer outside guest RAM
len-beyond-ram	buffer outside guest RAM
len-4g	buffer outside guest RAM
hdr-outside-ram	buffer outside guest RAM
status-in-pci-hole	buffer outside guest RAM
chain-bytes-overflow	chain longer than VIREO_VQ_MAX_BYTES
next-out-of-range	next index outside the descriptor table
next-ffff	next index outside the descriptor table
avail-entry-out-of-range	avail ring entry is not a descriptor index
avail-entry-ffff	avail ring entry is not a descriptor index
loop-self	descriptor chain longer than the queue (a loop?)
loop-pair	descriptor chain longer than the queue (a loop?)
loop-writable	descriptor chain longer than the queue (a loop?)
loop-whole-table	descriptor chain longer than the queue (a loop?)
chain-longer-than-queue	descriptor chain longer than the queue (a loop?)
readable-after-writable	device-readable descriptor after a device-writable one
write-only-header	request without header or status byte
no-status-byte	request without header or status byte
short-header	request without header or status byte
all-zero-length	request without header or status byte
indirect-loop	descriptor chain longer than the queue (a loop?)
indirect-self-loop	descriptor chain longer than the queue (a loop?)
indirect-nested	indirect descriptor inside an indirect table
indirect-outside-ram	indirect table outside guest RAM
indirect-in-pci-hole	indirect table outside guest RAM
indirect-straddles-ram-end	indirect table outside guest RAM
indirect-wrap	indirect table outside guest RAM
indirect-too-long	indirect table length not 16 x 1..queue size
indirect-len-zero	indirect table length not 16 x 1..queue size
indirect-len-odd	indirect table length not 16 x 1..queue size
indirect-with-next	indirect descriptor with NEXT set
indirect-next-out-of-range	next index outside the descriptor table
indirect-not-negotiated	indirect descriptor without VIRTIO_F_INDIRECT_DESC
avail-idx-jump	avail index moved more than the queue size ahead
avail-idx-backwards	avail index moved more than the queue size ahead
broken-ignores-queue	descriptor chain longer than the queue (a loop?)
ring-desc-outside-ram	ring area outside guest RAM
ring-avail-in-pci-hole	ring area outside guest RAM
ring-used-above-4g	ring area outside guest RAM
ring-used-straddles-ram-end	ring area outside guest RAM
ring-desc-wrap	ring area outside guest RAM
ring-desc-misaligned	ring area misaligned
queue-size-not-pow2	queue size is not a power of two within the maximum
queue-size-too-big	queue size is not a power of two within the maximum
queue-size-zero	queue size is not a power of two within the maximum
queue-enable-before-features-ok	queue enabled before FEATURES_OK
features-without-version1	queue enabled before FEATURES_OK
features-unoffered	-
notify-bogus	-
dma-without-bus-master	-
dma-over-desc-table	-
msix-bogus-address	-
msix-illegal-vector	-
msix-smi	-
flood	(flood)
EOF

# Each CASE line with the monitor's fault messages printed since the one
# before: name, verdict, detail, number of messages, the messages (" | ").
awk -v tab="$TAB" '
/^vireo-run: .*broke the rules: / { n++; msgs = msgs (n > 1 ? " | " : "") $0; next }
/^CASE / {
	detail = ""
	for (i = 4; i <= NF; i++)
		detail = detail (i > 4 ? " " : "") $i
	print $2 tab $3 tab (detail == "" ? "-" : detail) tab n + 0 tab (msgs == "" ? "-" : msgs)
	n = 0; msgs = ""
}' "$T/log" >"$T/cases"

# disk is what the device's messages call it: "virtio-blk (disk PATH)".
DEV="virtio-blk (disk $T/disk.img): the guest's driver broke the rules: queue 0: "
missing=0
while IFS="$TAB" read -r name want; do
	line=$(grep "^$name$TAB" "$T/cases" | head -n 1)
	if [ -z "$line" ]; then
		fail "$name" "no CASE line (the guest or the monitor stopped before it)"
		missing=$((missing + 1))
		continue
	fi
	verdict=$(echo "$line" | cut -f2)
	detail=$(echo "$line" | cut -f3)
	nmsg=$(echo "$line" | cut -f4)
	msgs=$(echo "$line" | cut -f5)
	if [ "$verdict" != PASS ]; then
		fail "$name" "guest: $detail; monitor: $msgs"
	elif [ "$want" = "(flood)" ]; then
		# All the same loop; the count is judged below.
		if [ "$nmsg" -lt 1 ]; then
			fail "$name" "no monitor message at all"
		elif [ "$(echo "$msgs" | tr '|' '\n' | grep -vcF "${DEV}descriptor chain longer")" -ne 0 ]; then
			fail "$name" "unexpected message: $msgs"
		else
			pass "$name" "$nmsg messages shown"
		fi
	elif [ "$want" = - ]; then
		if [ "$nmsg" -ne 0 ]; then
			fail "$name" "the device was not to break, but the monitor said: $msgs"
		else
			pass "$name"
		fi
	elif [ "$nmsg" -ne 1 ]; then
		fail "$name" "$nmsg monitor messages, want 1 naming '$want': $msgs"
	else
		case "$msgs" in
		*"$DEV$want"*) pass "$name" ;;
		*) fail "$name" "monitor said '$msgs', want '$DEV$want...'" ;;
		esac
	fi
done <"$T/expect"

# Cases the guest ran that this script does not know.
cut -f1 "$T/cases" | while read -r name; do
	grep -q "^$name$TAB" "$T/expect" || fail "$name" "unknown case (add it to the table here)"
done

done_line=$(grep '^DONE ' "$T/log" | tail -n 1)
field() { echo "$done_line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ncases=$(wc -l <"$T/expect")
if [ "$rc" -eq 0 ] && [ -n "$done_line" ] && [ "$missing" -eq 0 ] && \
   [ "$(field cases)" = "$ncases" ]; then
	pass monitor-survived "$done_line"
else
	case $rc in
	0) why="status 0" ;;
	2) why="status 2: the guest crashed" ;;
	4) why="status 4: monitor error" ;;
	6) why="status 6: stopped by the ${TIMEOUT}s timeout (or a signal)" ;;
	*) why="status $rc" ;;
	esac
	said=$(grep -e '^FATAL' -e '^vireo-run: ' "$T/log" | grep -v 'broke the rules' | head -n 3 |
		tr '\n' ' ')
	fail monitor-survived \
		"$why; DONE line '${done_line:-none}'; $missing of $ncases cases missing; $said"
fi

# Every incident is a message or counted in one of the two summaries.
shown=$(grep -c "broke the rules: " "$T/log")
sum() { awk '{ s += $1 } END { print s + 0 }'; }
earlier=$(sed -n 's/.*(\([0-9]*\) earlier messages not shown)$/\1/p' "$T/log" | sum)
later=$(sed -n 's/.*: \([0-9]*\) more driver errors not shown (rate limit)$/\1/p' "$T/log" | sum)
resets=$(field resets)
if [ -z "$resets" ]; then
	fail message-accounting "no DONE line"
elif [ $((shown + earlier + later)) -eq "$resets" ]; then
	pass message-accounting "$resets incidents: $shown shown, $earlier + $later not shown"
else
	fail message-accounting \
		"the guest saw $resets incidents; messages: $shown shown, $earlier + $later not shown"
fi

# The flood alone (256) is more than the burst: some must have been held back.
if [ $((earlier + later)) -gt 0 ] && [ "$shown" -le $((LOG_BURST + elapsed + 1)) ]; then
	pass rate-limit "$shown messages in ${elapsed}s"
else
	why="$shown messages shown, $((earlier + later)) held back in ${elapsed}s"
	fail rate-limit "$why (burst $LOG_BURST, then one a second)"
fi

other=$(grep '^vireo-run: ' "$T/log" |
	grep -v -e "broke the rules: " -e " more driver errors not shown (rate limit)$")
if [ -z "$other" ]; then
	pass stderr-clean
else
	fail stderr-clean "$(echo "$other" | head -n 3 | tr '\n' ' ')"
fi

rm -rf "$T"
exit 0
