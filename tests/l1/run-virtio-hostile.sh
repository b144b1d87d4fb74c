#!/bin/sh
# tests/l1/run-virtio-hostile.sh - a hostile virtio driver against the real
# monitor, in the rig's L1.  Prints TEST lines; exits 0 when it ran to the
# end.
#
# vireo-run boots the Multiboot test kernel virtio-hostile.elf
# (tests/guest/virtio_hostile/) on the Vireo PC with one raw disk and one
# NIC on the user-mode NAT (--net nat: no root); the PC always has a
# virtio-console (its output goes to stdout) and a virtio-rng too.  The
# guest finds the four virtio functions, and device after device, case
# after case, posts something malformed on one of its queues (buffers
# outside RAM, in the PCI hole, wrapping 2^64; lengths past 4 GiB; loops;
# bad indirect tables; chains longer than the queue; a runaway avail
# index; rings outside RAM; buffers the wrong way round; requests without
# a header or status byte, a short virtio-net header ...), checks the
# device's reaction (NEEDS_RESET with a configuration interrupt, a failed
# request: an IOERR/UNSUPP status byte or a dropped frame, or, on the
# console's receive queue that no input feeds, nothing at all), resets it
# if it must, and proves that the device works: virtio-blk reads a sector
# of the pattern written here, which must come back byte for byte;
# virtio-net sends an ARP request for the NAT's gateway 10.0.2.2 and
# receives its answer; virtio-console writes "vcon <case> ok", which must
# come out on vireo-run's stdout; virtio-rng reads 64 bytes that are not
# all alike nor the last read's.  It prints "CASE <name> PASS|FAIL
# <detail>" per case and "DONE cases=N pass=N fail=N resets=N", then
# powers off through ACPI S5 (run without --debug-exit, its status is 0).
#
# TEST lines (group virtio-hostile):
#   <case>             the guest's verdict, and the monitor's stderr for that
#                      case: exactly one "broke the rules" message naming
#                      the device (virtio-blk with the disk, virtio-net on
#                      the NAT, virtio-console, virtio-rng), the queue and
#                      the problem below for a case that breaks the device,
#                      none otherwise; and for the console's cases, exactly
#                      the lines the guest wrote there on stdout (no line
#                      of a refused request), none for the others' cases
#   monitor-survived   vireo-run ended with status 0 (the guest's own S5)
#                      after the DONE line, and every case reported
#   message-accounting every incident the guest saw is a message, or is
#                      counted in "(N earlier messages not shown)" / "N more
#                      driver errors not shown" (the rate limit: the flood
#                      case breaks virtio-blk 256 times)
#   rate-limit         the flood was cut short: of virtio-blk's messages at
#                      most the burst (100) and one a second got through
#                      (the budget is per device)
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
# virtio-console's output lands there the same way: the device writes it
# before it gives the chain back.
start=$(date +%s)
timeout "$TIMEOUT" vireo-run --kernel "$KERNEL" --mem 64M --disk "$T/disk.img" --net nat \
	</dev/null >"$T/out" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
tr -d '\r' <"$T/out" >"$T/log"
echo "virtio-hostile: vireo-run status $rc after ${elapsed}s; its output:"
sed 's/^/virtio-hostile| /' "$T/log"

# The expected monitor message per case: the device (blk, net, con, rng),
# the queue the message names and the message ("-": none).
{
cat <<'EOF'
good-read	blk	-	-
config-capacity	blk	-	-
good-scatter	blk	-	-
good-indirect	blk	-	-
good-direct-then-indirect	blk	-	-
good-get-id	blk	-	-
zero-len-desc-outside-ram	blk	-	-
blk-sector-beyond-disk	blk	-	-
blk-sector-overflow	blk	-	-
blk-partial-sector	blk	-	-
blk-write-past-end	blk	-	-
blk-unknown-type	blk	-	-
addr-beyond-ram	blk	0	buffer outside guest RAM
addr-above-4g	blk	0	buffer outside guest RAM
addr-pci-hole	blk	0	buffer outside guest RAM
addr-own-bar	blk	0	buffer outside guest RAM
addr-lapic	blk	0	buffer outside guest RAM
addr-wrap-into-ram	blk	0	buffer outside guest RAM
addr-straddles-ram-end	blk	0	buffer outside guest RAM
len-beyond-ram	blk	0	buffer outside guest RAM
len-4g	blk	0	buffer outside guest RAM
hdr-outside-ram	blk	0	buffer outside guest RAM
status-in-pci-hole	blk	0	buffer outside guest RAM
chain-bytes-overflow	blk	0	chain longer than VIREO_VQ_MAX_BYTES
next-out-of-range	blk	0	next index outside the descriptor table
next-ffff	blk	0	next index outside the descriptor table
avail-entry-out-of-range	blk	0	avail ring entry is not a descriptor index
avail-entry-ffff	blk	0	avail ring entry is not a descriptor index
loop-self	blk	0	descriptor chain longer than the queue (a loop?)
loop-pair	blk	0	descriptor chain longer than the queue (a loop?)
loop-writable	blk	0	descriptor chain longer than the queue (a loop?)
loop-whole-table	blk	0	descriptor chain longer than the queue (a loop?)
chain-longer-than-queue	blk	0	descriptor chain longer than the queue (a loop?)
readable-after-writable	blk	0	device-readable descriptor after a device-writable one
write-only-header	blk	0	request without header or status byte
no-status-byte	blk	0	request without header or status byte
short-header	blk	0	request without header or status byte
all-zero-length	blk	0	request without header or status byte
indirect-loop	blk	0	descriptor chain longer than the queue (a loop?)
indirect-self-loop	blk	0	descriptor chain longer than the queue (a loop?)
indirect-nested	blk	0	indirect descriptor inside an indirect table
indirect-outside-ram	blk	0	indirect table outside guest RAM
indirect-in-pci-hole	blk	0	indirect table outside guest RAM
indirect-straddles-ram-end	blk	0	indirect table outside guest RAM
indirect-wrap	blk	0	indirect table outside guest RAM
indirect-too-long	blk	0	indirect table length not 16 x 1..queue size
indirect-len-zero	blk	0	indirect table length not 16 x 1..queue size
indirect-len-odd	blk	0	indirect table length not 16 x 1..queue size
indirect-with-next	blk	0	indirect descriptor with NEXT set
indirect-next-out-of-range	blk	0	next index outside the descriptor table
indirect-not-negotiated	blk	0	indirect descriptor without VIRTIO_F_INDIRECT_DESC
avail-idx-jump	blk	0	avail index moved more than the queue size ahead
avail-idx-backwards	blk	0	avail index moved more than the queue size ahead
broken-ignores-queue	blk	0	descriptor chain longer than the queue (a loop?)
ring-desc-outside-ram	blk	0	ring area outside guest RAM
ring-avail-in-pci-hole	blk	0	ring area outside guest RAM
ring-used-above-4g	blk	0	ring area outside guest RAM
ring-used-straddles-ram-end	blk	0	ring area outside guest RAM
ring-desc-wrap	blk	0	ring area outside guest RAM
ring-desc-misaligned	blk	0	ring area misaligned
queue-size-not-pow2	blk	0	queue size is not a power of two within the maximum
queue-size-too-big	blk	0	queue size is not a power of two within the maximum
queue-size-zero	blk	0	queue size is not a power of two within the maximum
queue-enable-before-features-ok	blk	0	queue enabled before FEATURES_OK
features-without-version1	blk	0	queue enabled before FEATURES_OK
features-unoffered	blk	-	-
notify-bogus	blk	-	-
dma-without-bus-master	blk	-	-
dma-over-desc-table	blk	-	-
msix-bogus-address	blk	-	-
msix-illegal-vector	blk	-	-
msix-smi	blk	-	-
flood	blk	0	(flood)
EOF

# The generic attacks on one queue (attack.c): chain_attacks PREFIX DEV QUEUE.
chain_attacks() {
	while IFS="$TAB" read -r attack msg; do
		printf '%s-%s\t%s\t%s\t%s\n' "$1" "$attack" "$2" "$3" "$msg"
	done <<'EOF'
addr-beyond-ram	buffer outside guest RAM
addr-above-4g	buffer outside guest RAM
addr-pci-hole	buffer outside guest RAM
addr-wrap-into-ram	buffer outside guest RAM
len-4g	buffer outside guest RAM
chain-bytes-overflow	chain longer than VIREO_VQ_MAX_BYTES
next-out-of-range	next index outside the descriptor table
avail-entry-out-of-range	avail ring entry is not a descriptor index
loop-self	descriptor chain longer than the queue (a loop?)
loop-pair	descriptor chain longer than the queue (a loop?)
chain-longer-than-queue	descriptor chain longer than the queue (a loop?)
indirect-loop	descriptor chain longer than the queue (a loop?)
indirect-outside-ram	indirect table outside guest RAM
indirect-nested	indirect descriptor inside an indirect table
readable-after-writable	device-readable descriptor after a device-writable one
avail-idx-jump	avail index moved more than the queue size ahead
EOF
}
ring_attacks() {
	printf '%s-ring-desc-outside-ram\t%s\t%s\tring area outside guest RAM\n' "$@"
	printf '%s-ring-used-in-pci-hole\t%s\t%s\tring area outside guest RAM\n' "$@"
}

cat <<'EOF'
net-config	net	-	-
net-arp	net	-	-
net-tx-split	net	-	-
net-tx-indirect	net	-	-
net-rx-scatter	net	-	-
net-rx-indirect	net	-	-
net-tx-needs-csum-unoffered	net	-	-
net-tx-gso-unoffered	net	-	-
net-tx-frame-too-long	net	-	-
net-tx-empty-frame	net	-	-
net-tx-short-header	net	1	malformed transmit buffer
net-tx-all-zero-length	net	1	malformed transmit buffer
net-tx-write-only-buffer	net	1	malformed transmit buffer
net-tx-readable-then-writable	net	1	malformed transmit buffer
EOF
chain_attacks net-tx net 1
ring_attacks net-tx net 1
cat <<'EOF'
net-rx-short-header	net	0	malformed receive buffer
net-rx-all-zero-length	net	0	malformed receive buffer
net-rx-read-only-buffer	net	0	malformed receive buffer
net-rx-readable-then-writable	net	0	malformed receive buffer
EOF
chain_attacks net-rx net 0
ring_attacks net-rx net 0

cat <<'EOF'
con-write	con	-	-
con-write-scatter	con	-	-
con-tx-write-only-buffer	con	1	writable buffer in output
con-tx-readable-then-writable	con	1	writable buffer in output
EOF
chain_attacks con-tx con 1
ring_attacks con-tx con 1
cat <<'EOF'
con-rx-no-input	con	-	-
con-rx-read-only-buffer	con	-	-
con-rx-addr-beyond-ram	con	-	-
con-rx-loop-self	con	-	-
con-rx-avail-idx-jump	con	-	-
EOF
ring_attacks con-rx con 0

cat <<'EOF'
rng-read	rng	-	-
rng-read-scatter	rng	-	-
rng-read-big	rng	-	-
rng-read-only-buffer	rng	0	device-readable buffer in a request
rng-readable-then-writable	rng	0	device-readable buffer in a request
EOF
chain_attacks rng rng 0
ring_attacks rng rng 0
} >"$T/expect"

# What a device's messages call it: "<name> (<what>)" (pc_machine.c).
dev_label() {
	case $1 in
	blk) echo "virtio-blk (disk $T/disk.img)" ;;
	net) echo "virtio-net (net nat)" ;;
	con) echo "virtio-console (console)" ;;
	rng) echo "virtio-rng (rng)" ;;
	esac
}

# The lines a console case writes on stdout (" | " between them).
con_output() {
	case $1 in
	con-write) echo "vcon con-write hello | vcon con-write ok" ;;
	con-write-scatter) echo "vcon con-write-scatter abcdef | vcon con-write-scatter ok" ;;
	*) echo "vcon $1 ok" ;;
	esac
}

# Each CASE line with the monitor's fault messages and the console's lines
# printed since the one before: name, verdict, detail, number of messages,
# the messages, the console's lines (" | " between them, "-": none).
awk -v tab="$TAB" '
/^vireo-run: .*broke the rules: / { n++; msgs = msgs (n > 1 ? " | " : "") $0; next }
/^vcon / { con = con (con == "" ? "" : " | ") $0; next }
/^CASE / {
	detail = ""
	for (i = 4; i <= NF; i++)
		detail = detail (i > 4 ? " " : "") $i
	print $2 tab $3 tab (detail == "" ? "-" : detail) tab n + 0 tab (msgs == "" ? "-" : msgs) \
		tab (con == "" ? "-" : con)
	n = 0; msgs = ""; con = ""
}' "$T/log" >"$T/cases"

missing=0
while IFS="$TAB" read -r name dev queue want; do
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
	con=$(echo "$line" | cut -f6)
	DEV="$(dev_label "$dev"): the guest's driver broke the rules: queue $queue: "
	if [ "$dev" = con ]; then
		con_want=$(con_output "$name")
	else
		con_want=-
	fi
	if [ "$verdict" != PASS ]; then
		fail "$name" "guest: $detail; monitor: $msgs"
	elif [ "$con" != "$con_want" ]; then
		fail "$name" "virtio-console wrote '$con', want '$con_want'"
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
	8) why="status 8: the guest crashed" ;;
	4) why="status 4: monitor error" ;;
	10) why="status 10: stopped by the ${TIMEOUT}s timeout (or a signal)" ;;
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

# The flood alone (256) is more than the burst: some of virtio-blk's
# messages must have been held back.  The budget is per device; the other
# devices' cases stay within theirs (each case checks its one message).
grep -F "vireo-run: $(dev_label blk): " "$T/log" >"$T/blk"
shown=$(grep -c "broke the rules: " "$T/blk")
earlier=$(sed -n 's/.*(\([0-9]*\) earlier messages not shown)$/\1/p' "$T/blk" | sum)
later=$(sed -n 's/.*: \([0-9]*\) more driver errors not shown (rate limit)$/\1/p' "$T/blk" | sum)
if [ $((earlier + later)) -gt 0 ] && [ "$shown" -le $((LOG_BURST + elapsed + 1)) ]; then
	pass rate-limit "$shown virtio-blk messages in ${elapsed}s"
else
	why="$shown virtio-blk messages shown, $((earlier + later)) held back in ${elapsed}s"
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
