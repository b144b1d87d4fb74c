# The test rig: vireo.ko and the tests run inside an emulated L1 machine
# (QEMU TCG, -cpu max = AMD SVM with nested paging) booting Debian's own
# kernel.  See tools/rig/README.md.  Included by the top-level Makefile,
# which provides BUILD, SRCTREE and the CONFIG_* values.
#
#   make rig-check    build, boot L1, run tests/l1/run-suite.sh, report
#   make rig-bench    the same with tests/l1/run-bench.sh, prints figures
#   make rig-bench-linux  Linux as L2: vireo-run vs QEMU/kvm-amd in one L1
#                     (tests/l1/run-bench-linux.sh; QEMU in the initramfs)
#   make rig-demo     the same with tests/l1/run-demo.sh, output shown raw
#   make rig-linux    the Debian kernel as L2 under vireo-run (run-linux.sh)
#   make rig-cli      the vireo CLI end to end with a Linux L2 (run-cli.sh)
#   make rig-boots    the L2 Linux booted 30 times over (run-boots.sh, soak)
#   make rig-selftests  the kernel's x86 selftests in the L2 Linux, under
#                     vireo-run and under QEMU/kvm-amd (run-selftests.sh)
#   make rig-shell    boot the same L1 interactively (Ctrl-A X quits)
#   make rig-linux-shell  L1, then Linux as L2 under vireo-run, its shell here
#   make rig-check-vmx  Bochs L1 (Intel VMX + EPT); see tools/rig/bochs.sh
#   make rig-fuzz     kfuzz, the ioctl fuzzer, RIG_FUZZ_MINUTES (30) in the QEMU L1
#   make rig-fuzz-vmx the same in the Bochs L1 (VMX)
#   make rig-linux-vmx  Linux as L2 in the Bochs L1 (run-linux.sh alone)
#
#   make check-kernels  the SVM and VMX suites with Debian 13's and
#                     unstable's kernels (tools/rig/check-kernels.sh)
#
# Knobs (make VAR=...): RIG_TIMEOUT, RIG_MEM_MB (default from Kconfig),
# RIG_TESTS (more directories of L1 scripts), RIG_SHOW (prefix|raw|none),
# RIG_KERNEL (host|trixie|sid: the kernel L1 boots), RIG_MODPROBE
# (modules the init loads before vireo.ko, e.g. kvm_amd), RIG_SCRIPT (the
# tests/l1 script rig-check runs, run-suite.sh), RIG_HOST_ROOT=1 (the
# host's root read-only at /host in the QEMU L1, over virtio-9p).

# The Debian kernel ABI, asked of apt once per make run, and only when used.
RIG_KVER = $(eval RIG_KVER := $(shell $(SRCTREE)/tools/rig/kver.sh --fallback))$(RIG_KVER)
RIG_KDIR = /usr/src/linux-headers-$(RIG_KVER)

RIG_MEM_MB  ?= $(or $(CONFIG_VIREO_RIG_MEM_MB),2560)
RIG_TIMEOUT ?= $(or $(CONFIG_VIREO_RIG_TIMEOUT),1200)
RIG_TESTS   ?=
RIG_SHOW    ?= prefix

# The kernel L1 boots (and the L2 Linux): host, Debian 12's, the one the
# host's headers are for; trixie, Debian 13's 6.12; sid, unstable's
# newest.  For the last two vireo.ko is the one tools/kmatrix.sh builds in
# a chroot of that release, with its compiler, against its headers, and
# the image comes from that release (tools/rig/kernel.sh).
RIG_KERNEL   ?= host
RIG_MODPROBE ?=
RIG_SCRIPT   ?= run-suite.sh
RIG_HOST_ROOT ?=
ifeq ($(filter host trixie sid,$(RIG_KERNEL)),)
$(error RIG_KERNEL must be host, trixie or sid, not '$(RIG_KERNEL)')
endif

# Until kmod/ has a Makefile or Kbuild, L1 boots without vireo.ko and the
# init reports rig/insmod as SKIP: the one tolerated missing piece, marked.
RIG_KMOD_SRC := $(wildcard $(SRCTREE)/kmod/Kbuild $(SRCTREE)/kmod/Makefile)
ifeq ($(RIG_KERNEL),host)
RIG_KO       := $(if $(RIG_KMOD_SRC),$(SRCTREE)/kmod/vireo.ko)
else
RIG_KO       := $(BUILD)/kmatrix/$(RIG_KERNEL)/vireo.ko
endif

RIG_KERNEL_ARGS = --kernel-suite $(RIG_KERNEL) \
	$(if $(filter host,$(RIG_KERNEL)),--kver $(RIG_KVER)) \
	$(if $(RIG_MODPROBE),--modprobe "$(RIG_MODPROBE)")

RIG_RUN = $(SRCTREE)/tools/rig/run.sh --build $(BUILD) $(RIG_KERNEL_ARGS) \
	$(if $(RIG_HOST_ROOT),--host-root 1) \
	--mem $(RIG_MEM_MB) --timeout $(RIG_TIMEOUT) \
	$(if $(RIG_KO),--ko $(RIG_KO)) $(foreach t,$(RIG_TESTS),--tests $(t))

.PHONY: rig-build rig-check rig-bench rig-demo rig-shell

# vireo.ko against the kernel L1 boots (not the host's), then the programs
# and guest images that go into the initramfs.
rig-build:
ifneq ($(RIG_KERNEL),host)
	$(MAKE) config
	BUILD=$(BUILD) $(SRCTREE)/tools/kmatrix.sh $(RIG_KERNEL)
	@test -f $(RIG_KO) || { echo "rig: tools/kmatrix.sh $(RIG_KERNEL) left no $(RIG_KO)"; exit 1; }
else ifneq ($(RIG_KO),)
	@test -n "$(RIG_KVER)" || { echo "rig: cannot tell the Debian kernel ABI (see tools/rig/kver.sh); run 'make deps'"; exit 1; }
	$(MAKE) kmod KDIR=$(RIG_KDIR)
	@test -f $(RIG_KO) || { echo "rig: 'make kmod' left no $(RIG_KO)"; exit 1; }
else
	@echo "rig: NOTE: no vireo.ko to build (kmod/ has no Makefile or Kbuild, or RIG_KO is empty): L1 boots without it"
endif
	$(MAKE) userland tests

# RIG_PREBUILT=1: the parts are built already (tools/check.sh builds them
# once, then runs the SVM and VMX legs side by side, which must not both
# run Kbuild in kmod/ at the same time).
RIG_BUILD_DEP = $(if $(RIG_PREBUILT),,rig-build)

rig-check: $(RIG_BUILD_DEP)
	$(RIG_RUN) --script $(RIG_SCRIPT) --show $(RIG_SHOW)

rig-bench: rig-build
	$(RIG_RUN) --script run-bench.sh --show $(RIG_SHOW)

rig-demo: rig-build
	$(RIG_RUN) --script run-demo.sh --show raw

rig-shell: rig-build
	$(RIG_RUN) --script shell

# The Debian kernel as L2 under vireo-run, its shell on this terminal.
.PHONY: rig-linux-shell
rig-linux-shell: rig-build
	$(RIG_RUN) --script linux-shell

# The Linux-guest benchmark (tests/bench/linux/README.md): the Debian kernel
# as L2 under vireo-run, then under QEMU on kvm-amd, in the same L1.  Only
# this run's initramfs carries QEMU and its firmware (--extra).  Several L2
# boots under an emulated L1: a timeout of its own.
RIG_BENCH_LINUX_TIMEOUT ?= 1800

# The Debian kernel as L2 under vireo-run (tests/l1/run-linux.sh) alone;
# make check runs it too, in run-suite.sh.
.PHONY: rig-linux
rig-linux: rig-build
	$(RIG_RUN) --script run-linux.sh --show $(RIG_SHOW)

# The vireo CLI end to end (tests/l1/run-cli.sh) alone: vireo
# create/start/stop of the L2 Linux from a qcow2 disk with a NAT NIC; make
# check runs it too, in run-suite.sh.
.PHONY: rig-cli
rig-cli: rig-build
	$(RIG_RUN) --script run-cli.sh --show $(RIG_SHOW)

# Thirty L2 boots of about 25 s each (tests/l1/run-boots.sh): a timeout of
# its own.
RIG_BOOTS_TIMEOUT ?= 2400

.PHONY: rig-boots
rig-boots: rig-build
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_BOOTS_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) $(foreach t,$(RIG_TESTS),--tests $(t)) \
		--script run-boots.sh --show $(RIG_SHOW)

.PHONY: rig-bench-linux
rig-bench-linux: rig-build bench-linux
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_BENCH_LINUX_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) --extra $(BUILD)/bench-linux/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-bench-linux.sh --show $(RIG_SHOW)

# The kernel's x86 selftests (tests/linux/selftests/README.md) in the L2
# Linux under vireo-run, then under QEMU on kvm-amd in the same L1 (QEMU
# comes from the bench-linux tree, --extra); the programs go into the L2
# initramfs of this run only.
RIG_SELFTESTS_TIMEOUT ?= 4800

.PHONY: rig-selftests
rig-selftests: rig-build bench-linux selftests
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_SELFTESTS_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) --extra $(BUILD)/bench-linux/l1 \
		--l2-bin-dir $(BUILD)/l2selftests \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-selftests.sh --show $(RIG_SHOW)

# The Intel VMX + EPT leg under Bochs.  By default it only proves that L1
# boots there and offers VMX, EPT and unrestricted guest
# (tools/rig/l1/vmx-probe.sh); make check's vmx leg (tools/check.sh) sets
# RIG_VMX_KO and RIG_VMX_SCRIPT=run-suite.sh, which boots the L2 Linux
# twice over (run-linux.sh, run-cli.sh): about 25 minutes of Bochs.
RIG_VMX_KO      ?=
RIG_VMX_MEM_MB  ?= 2048
RIG_VMX_TIMEOUT ?= 3000
RIG_VMX_SCRIPT  ?= vmx-probe.sh

.PHONY: rig-check-vmx
rig-check-vmx: $(RIG_BUILD_DEP)
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		$(if $(RIG_VMX_KO),--ko $(RIG_VMX_KO)) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script $(RIG_VMX_SCRIPT) --show $(RIG_SHOW)

# The exit-cost benchmark in the Bochs L1: vireo.ko's VMX backend against
# kvm-intel in the same boot.
.PHONY: rig-bench-vmx
rig-bench-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-bench.sh --show $(RIG_SHOW)

# Linux as L2 under the Bochs L1 (tests/l1/run-linux.sh) alone; make
# check's vmx leg runs it in run-suite.sh.
RIG_LINUX_VMX_TIMEOUT ?= 7200

.PHONY: rig-linux-vmx
rig-linux-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_LINUX_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-linux.sh --show $(RIG_SHOW)

.PHONY: rig-demo-vmx
rig-demo-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-demo.sh --show raw

# kfuzz (tests/kfuzz/README.md), the fuzzer of vireo.ko's ioctls, for
# RIG_FUZZ_MINUTES (30) in the QEMU L1 (SVM), then the module must unload
# (tests/l1/run-fuzz.sh).  RIG_FUZZ_ARGS passes more kfuzz options (e.g.
# --known to let it make the known bugs of FINDINGS.md).  A generated
# one-line script sets the duration: the L1 sees no make variables.
# Timeout: the fuzzing time plus 10 minutes (boot, the last program, the
# unload, the kernel-log dump).
RIG_FUZZ_MINUTES ?= 30
RIG_FUZZ_ARGS    ?=
RIG_FUZZ_DIR      = $(BUILD)/rig/kfuzz-scripts
RIG_FUZZ_TIMEOUT ?= $(shell echo $$(($(RIG_FUZZ_MINUTES) * 60 + 600)))

# rig-fuzz-script NAME SECONDS: the wrapper L1 runs as NAME.
define rig-fuzz-script
	@mkdir -p $(RIG_FUZZ_DIR)
	printf '#!/bin/sh\n# made by tools/rig/rig.mk\nKFUZZ_SECONDS=%s KFUZZ_ARGS="%s" exec sh /vireo/tests/run-fuzz.sh\n' \
		'$(2)' '$(RIG_FUZZ_ARGS)' >$(RIG_FUZZ_DIR)/$(1)
endef

.PHONY: rig-fuzz
rig-fuzz: $(RIG_BUILD_DEP)
	$(call rig-fuzz-script,run-fuzz-svm.sh,$(shell echo $$(($(RIG_FUZZ_MINUTES) * 60))))
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_FUZZ_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) --tests $(RIG_FUZZ_DIR) \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-fuzz-svm.sh --show $(RIG_SHOW)

# The same on VMX in the Bochs L1 (vireo.ko loaded with vmx_preempt_us,
# tools/rig/bochs.sh).  Bochs's L1 clock runs with the instructions it
# emulates, not with the wall clock: RIG_FUZZ_VMX_SLOWDOWN wall seconds go
# by for each L1 second, so the L1 is asked for RIG_FUZZ_MINUTES of wall
# time divided by it.  Measured 2026-12-07 on the shared 2-core host: 6.2
# with the QEMU leg running beside it (120 s of kfuzz in L1 took 12.5
# minutes), 3.6 with the host otherwise idle (300 s took 18 minutes).  3
# errs on the long side: at least RIG_FUZZ_MINUTES of wall time, and the
# timeout leaves room for twice that.
RIG_FUZZ_VMX_SLOWDOWN ?= 3
RIG_FUZZ_VMX_TIMEOUT  ?= $(shell echo $$(($(RIG_FUZZ_MINUTES) * 60 * 2 + 1200)))

.PHONY: rig-fuzz-vmx
rig-fuzz-vmx: $(RIG_BUILD_DEP)
	$(call rig-fuzz-script,run-fuzz-vmx.sh,$(shell echo $$(($(RIG_FUZZ_MINUTES) * 60 / $(RIG_FUZZ_VMX_SLOWDOWN)))))
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) $(RIG_KERNEL_ARGS) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_FUZZ_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(RIG_FUZZ_DIR) \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-fuzz-vmx.sh --show $(RIG_SHOW)
