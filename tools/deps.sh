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
	# kernel matrix: chroots of later Debian releases (tools/kmatrix.sh);
	# their kernels' modules are xz-compressed (tools/rig/initramfs.sh)
	mmdebstrap xz-utils
	# tests: ACPI tables checked with iasl; qcow2 interop with qemu-img/qemu-io
	acpica-tools qemu-utils
	# userland libraries: disk images (zlib), VM library and control socket
	zlib1g-dev libjson-glib-dev libslirp-dev
	# man pages: Markdown in docs/man to roff (make man, make install)
	go-md2man
	# the man-page test renders them (groff -ww, man -l)
	groff-base man-db
	# the VGA test: Debian's VGA BIOS (seabios) run on libx86emu
	seabios libx86emu-dev
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

# The kernel headers must match the Debian kernel the rig boots: the ABI
# that linux-image-amd64 depends on (tools/rig/kver.sh).

# missing_pkgs PKG...: those dpkg doesn't call "install ok installed"
# (one dpkg-query for all; a package it doesn't know prints nothing).
missing_pkgs() {
	local -A installed=()
	local name status p
	while read -r name status; do
		[[ "$status" == "install ok installed" ]] && installed[$name]=1
	done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
	for p in "$@"; do
		[[ -n "${installed[$p]:-}" ]] || echo "$p"
	done
}

if kver=$(tools/rig/kver.sh 2>/dev/null); then
	mapfile -t missing < <(missing_pkgs "${PACKAGES[@]}" "linux-headers-$kver")
	if ((${#missing[@]} == 0)); then
		echo "deps.sh: all $((${#PACKAGES[@]} + 1)) packages installed (kernel ABI $kver)"
		exit 0
	fi
fi

# Something is missing (or apt can't name the kernel): refresh the package
# lists first, then ask again, so that the headers follow the current ABI.
apt_update
kver=$(tools/rig/kver.sh) || exit 1
mapfile -t missing < <(missing_pkgs "${PACKAGES[@]}" "linux-headers-$kver")
((${#missing[@]} == 0)) && { echo "deps.sh: all packages installed (kernel ABI $kver)"; exit 0; }

echo "deps.sh: installing ${missing[*]}"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	{ echo "deps.sh: 'apt-get install ${missing[*]}' failed" >&2; exit 1; }
echo "deps.sh: done (kernel ABI $kver)"
