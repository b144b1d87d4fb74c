#!/bin/bash
# `make demo`: show a guest speaking under vireo.ko.
#
# On a host where /dev/vireo is there and opens (vireo.ko loaded, SVM/VMX
# hardware), runs tests/l1/run-demo.sh right here against $BUILD/bin and
# $BUILD/guests.  Anywhere else, boots the emulated L1 machine and runs the
# same script there (make rig-demo); the guest's output is shown either way.
# DEMO_BACKEND=vmx picks the Intel VMX L1 (Bochs, a few minutes) instead of
# the AMD SVM one (QEMU).
#
# In the AMD L1, with a terminal on stdin, the demo is Linux: the Debian
# kernel boots under vireo-run to a shell on this terminal (make
# rig-linux-shell; 'poweroff -f' ends it).  DEMO=hello, or no terminal (a
# pipe, CI), shows the tiny guest instead.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build=${BUILD:-$top/build}
demo=$top/tests/l1/run-demo.sh

if [[ -c /dev/vireo ]] && (exec 9<>/dev/vireo) 2>/dev/null; then
	[[ -f "$demo" ]] || { echo "demo.sh: $demo does not exist yet" >&2; exit 1; }
	echo "demo.sh: /dev/vireo is usable here: running the demo on this host"
	make -C "$top" --no-print-directory BUILD="$build" userland tests
	export VIREO_BIN=$build/bin VIREO_GUESTS=$build/guests VIREO_TESTS=$top/tests/l1 \
		VIREO_DEV=/dev/vireo PATH=$build/bin:$PATH
	exec sh "$demo"
fi

backend=${DEMO_BACKEND:-svm}
what=${DEMO:-$([[ -t 0 ]] && echo linux || echo hello)}
case "$backend" in
svm) target=rig-demo; [[ "$what" == linux ]] && target=rig-linux-shell ;;
vmx) target=rig-demo-vmx ;;
*) echo "demo.sh: DEMO_BACKEND must be svm or vmx, not '$backend'" >&2; exit 2 ;;
esac
echo "demo.sh: no usable /dev/vireo on this host: running the demo inside the emulated L1 machine ($backend)"
exec make -C "$top" --no-print-directory BUILD="$build" "$target"
