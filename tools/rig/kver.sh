#!/bin/bash
# Print the kernel ABI the rig boots and builds against, e.g. "6.1.0-56-amd64":
# the linux-image-<ABI> package that Debian's linux-image-amd64 depends on.
#
#   tools/rig/kver.sh            ask apt (apt-cache depends); exit 1 if it can't tell
#   tools/rig/kver.sh --fallback if apt can't tell, use the newest installed
#                                /usr/src/linux-headers-*-amd64 (with a warning)
set -euo pipefail

abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n 1)

if [[ -z "$abi" && "${1:-}" == "--fallback" ]]; then
	abi=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
		sed 's|^/usr/src/linux-headers-||' | sort -V | tail -n 1)
	[[ -n "$abi" ]] &&
		echo "kver.sh: apt-cache does not know linux-image-amd64; using installed headers $abi" >&2
fi

if [[ -z "$abi" ]]; then
	echo "kver.sh: cannot tell the Debian kernel ABI: 'apt-cache depends linux-image-amd64' names no linux-image-*-amd64 (run 'apt-get update' or 'make deps')" >&2
	exit 1
fi
echo "$abi"
