#!/bin/sh
# tests/l1/run-demo.sh - the demo: a tiny 64-bit guest under vireo-run tells
# what it sees from inside (CPU vendor, the hypervisor's CPUID signature,
# the RAM it finds).  Runs in L1 (make rig-demo) and on a host with a real
# /dev/vireo: VIREO_BIN=build/bin VIREO_GUESTS=build/guests sh tests/l1/run-demo.sh

. "$(dirname "$0")/lib.sh"

MEM=${VIREO_DEMO_MEM:-64M}
set -- vireo-run --mem "$MEM" --mode long --load "$VIREO_GUESTS/demo.bin@0x100000"

echo "\$ $*"
"$@"
status=$?
echo
case $status in
0) echo "(the guest halted; vireo-run exited with status 0)" ;;
*) echo "(vireo-run exited with status $status: see vireo-run --help)" ;;
esac
exit 0
