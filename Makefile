# Vireo top-level build.  See README.md; `make help` lists the targets.
#
# Everything generated goes under $(BUILD) (git-ignored): the Kconfig
# output, userland binaries, guest images and the rig's download cache.

BUILD      ?= $(CURDIR)/build
SRCTREE    := $(CURDIR)
SYSPY      := /usr/bin/python3
KCONFIGLIB := /usr/lib/python3/dist-packages

export KCONFIG_CONFIG := $(BUILD)/.config
CONFIG_H   := $(BUILD)/include/vireo_config.h
CONFIG_MK  := $(BUILD)/config.mk

# The kernel vireo.ko is built against: the running kernel's build tree if it
# has one, else the Debian kernel the test rig boots (see tools/rig/rig.mk).
KVER       ?= $(shell uname -r)
HOST_KDIR  := /lib/modules/$(KVER)/build

.PHONY: all help deps kmod userland tests unit fuzz check check-kernels kmatrix demo bench clean install man \
	defconfig menuconfig olddefconfig config checkpatch

all: kmod userland tests

help:
	@echo "make deps         install the Debian packages the build, rig and tests need"
	@echo "make              build vireo.ko, userland and test programs"
	@echo "make man          the man pages (go-md2man) in build/man"
	@echo "make install      vireo, vireo-run, man pages, bash completion, udev rule"
	@echo "                  (PREFIX=/usr/local, DESTDIR=)"
	@echo "make check        host unit tests, fuzzers, the kernel build matrix, the SVM and VMX rig suites,"
	@echo "                  the KVM coexistence test on 6.12"
	@echo "make kmatrix      vireo.ko built with W=1 against Debian 12 (6.1), 13 (6.12) and unstable kernels"
	@echo "make check-kernels  the SVM and VMX rig suites with L1 on Debian 13's 6.12 and unstable's kernel"
	@echo "make demo         show a guest speaking under vireo.ko"
	@echo "make bench        exit-cost benchmark, vireo.ko vs kvm-amd (QEMU L1) and vs kvm-intel (Bochs L1);"
	@echo "                  Linux as L2, vireo-run vs QEMU/kvm-amd (boot, virtio-blk, memory)"
	@echo "make rig-shell    interactive shell in the emulated L1 (see tools/rig/README.md)"
	@echo "make rig-check-vmx  boot L1 under Bochs (Intel VMX+EPT); not part of check yet"
	@echo "make defconfig | menuconfig | olddefconfig   Kconfig front ends (kconfiglib)"

# ---------------------------------------------------------------- config
$(KCONFIG_CONFIG):
	@mkdir -p $(BUILD)
	$(SYSPY) $(KCONFIGLIB)/alldefconfig.py Kconfig

$(CONFIG_MK) $(CONFIG_H): $(KCONFIG_CONFIG) Kconfig
	@mkdir -p $(dir $(CONFIG_H))
	$(SYSPY) $(KCONFIGLIB)/olddefconfig.py Kconfig >/dev/null
	$(SYSPY) $(KCONFIGLIB)/genconfig.py --header-path $(CONFIG_H) \
		--config-out $(CONFIG_MK) Kconfig

config: $(CONFIG_MK)

defconfig:
	@mkdir -p $(BUILD)
	$(SYSPY) $(KCONFIGLIB)/alldefconfig.py Kconfig
menuconfig:
	@mkdir -p $(BUILD)
	$(SYSPY) $(KCONFIGLIB)/menuconfig.py Kconfig
olddefconfig:
	@mkdir -p $(BUILD)
	$(SYSPY) $(KCONFIGLIB)/olddefconfig.py Kconfig

-include $(CONFIG_MK)

# ---------------------------------------------------------------- deps
deps:
	tools/deps.sh

# ---------------------------------------------------------------- parts
include tools/rig/rig.mk
include userland/userland.mk
include userland/disk/disk.mk
include userland/cli/cli.mk
include tests/tests.mk
include tests/kunit/kunit.mk
include tests/bench/linux/bench-linux.mk
include userland/version.mk
include docs/man/man.mk

KDIR ?= $(if $(wildcard $(HOST_KDIR)),$(HOST_KDIR),$(RIG_KDIR))

KMOD_FLAGS := CONFIG_VIREO_SVM=$(CONFIG_VIREO_SVM) \
	CONFIG_VIREO_VMX=$(CONFIG_VIREO_VMX) \
	VIREO_CONFIG_H=$(CONFIG_H)

kmod: $(CONFIG_H)
	@test -d "$(KDIR)" || { echo "kmod: no kernel build tree at '$(KDIR)'; run 'make deps' or set KDIR"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(SRCTREE)/kmod $(KMOD_FLAGS) modules

check: deps
	tools/check.sh

# vireo.ko with W=1 against Debian 12's, 13's and unstable's kernels.
kmatrix: deps
	tools/kmatrix.sh

# make check's svm and vmx legs with L1 booting Debian 13's and unstable's
# kernels (tools/rig/check-kernels.sh).
check-kernels: deps
	tools/rig/check-kernels.sh

# The kernel's checkpatch.pl over kmod/ (tools/checkpatch.sh); not in check.
checkpatch:
	tools/checkpatch.sh

demo: deps
	tools/demo.sh

bench: deps
	$(MAKE) rig-bench
	$(MAKE) rig-bench-linux
	$(MAKE) rig-bench-vmx

clean:
	-$(MAKE) -C $(KDIR) M=$(SRCTREE)/kmod clean 2>/dev/null
	rm -rf $(BUILD)/bin $(BUILD)/lib $(BUILD)/obj $(BUILD)/guests $(BUILD)/include $(BUILD)/man
