#!/bin/bash
# Install every Debian package the build, the test rig and the tests need.
# Idempotent: when dpkg says everything is installed it does nothing at all
# (no apt-get update).  Runs apt through sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
	# build: userland, vireo.ko, guest images, fuzzers
	gcc make nasm clang libclang-rt-14-dev pkg-config libglib2.0-dev
	python3 python3-kconfiglib
	# test rig: QEMU-TCG L1 (AMD SVM) and its initramfs
	qemu-system-x86 busybox-static cpio gzip kmod coreutils
	# test rig: Bochs L1 (Intel VMX) booted from an ISO
	xorriso isolinux syslinux-common bochs bochsbios vgabios bochs-term
	tmux
)

if [[ $(id -u) -eq 0 ]]; then
	SUDO=()
else
	command -v sudo >/dev/null || { echo "deps.sh: not root and no sudo: cannot install packages" >&2; exit 1; }
	SUDO=(sudo -n)
fi

apt_update_done=0
apt_update() {
	((apt_update_done)) && return 0
	echo "deps.sh: apt-get update" >&2
	"${SUDO[@]}" apt-get update -q || { echo "deps.sh: 'apt-get update' failed" >&2; exit 1; }
	apt_update_done=1
}

# The kernel headers must match the Debian kernel the rig boots.
if ! kver=$(tools/rig/kver.sh 2>/dev/null); then
	apt_update
	kver=$(tools/rig/kver.sh)
fi
PACKAGES+=("linux-headers-$kver")

# One dpkg-query for all; a package it doesn't know at all prints nothing.
declare -A installed=()
while read -r name status; do
	[[ "$status" == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)

missing=()
for p in "${PACKAGES[@]}"; do
	[[ -n "${installed[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "deps.sh: all ${#PACKAGES[@]} packages installed (kernel ABI $kver)"
	exit 0
fi

echo "deps.sh: installing ${missing[*]}"
apt_update
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	{ echo "deps.sh: 'apt-get install ${missing[*]}' failed" >&2; exit 1; }
