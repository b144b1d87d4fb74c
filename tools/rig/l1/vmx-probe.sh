#!/bin/sh
# The rig's own L1 script for the Bochs leg (make rig-check-vmx): does the
# emulated CPU offer what the VMX backend needs, and does kvm-intel agree?
# "flags" has vmx (and ept, vpid...); 6.1 lists VMX details on "vmx flags".
flags=$(sed -n '/^processor/,/^$/{ s/^flags[[:space:]]*://p; s/^vmx flags[[:space:]]*://p; }' /proc/cpuinfo | tr '\n' ' ')
grep -m1 '^model name' /proc/cpuinfo
grep -m1 '^vmx flags' /proc/cpuinfo
for f in vmx ept ept_ad vpid unrestricted_guest; do
	case " $flags " in
	*" $f "*) echo "TEST rig/cpu-has-$f PASS" ;;
	*) echo "TEST rig/cpu-has-$f FAIL /proc/cpuinfo flags lack '$f'" ;;
	esac
done
if out=$(modprobe kvm_intel 2>&1); then
	echo "TEST rig/kvm-intel-loads PASS"
	rmmod kvm_intel kvm irqbypass 2>/dev/null
else
	echo "TEST rig/kvm-intel-loads FAIL $out"
fi
