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
#   make rig-shell    boot the same L1 interactively (Ctrl-A X quits)
#   make rig-linux-shell  L1, then Linux as L2 under vireo-run, its shell here
#   make rig-check-vmx  Bochs L1 (Intel VMX + EPT); see tools/rig/bochs.sh
#   make rig-linux-vmx  Linux as L2 in the Bochs L1 (run-linux.sh alone)
#
# Knobs (make VAR=...): RIG_TIMEOUT, RIG_MEM_MB (default from Kconfig),
# RIG_TESTS (more directories of L1 scripts), RIG_SHOW (prefix|raw|none).

# The Debian kernel ABI, asked of apt once per make run, and only when used.
RIG_KVER = $(eval RIG_KVER := $(shell $(SRCTREE)/tools/rig/kver.sh --fallback))$(RIG_KVER)
RIG_KDIR = /usr/src/linux-headers-$(RIG_KVER)

RIG_MEM_MB  ?= $(or $(CONFIG_VIREO_RIG_MEM_MB),2560)
RIG_TIMEOUT ?= $(or $(CONFIG_VIREO_RIG_TIMEOUT),1200)
RIG_TESTS   ?=
RIG_SHOW    ?= prefix

# Until kmod/ has a Makefile or Kbuild, L1 boots without vireo.ko and the
# init reports rig/insmod as SKIP: the one tolerated missing piece, marked.
RIG_KMOD_SRC := $(wildcard $(SRCTREE)/kmod/Kbuild $(SRCTREE)/kmod/Makefile)
RIG_KO       := $(if $(RIG_KMOD_SRC),$(SRCTREE)/kmod/vireo.ko)

RIG_RUN = $(SRCTREE)/tools/rig/run.sh --build $(BUILD) --kver $(RIG_KVER) \
	--mem $(RIG_MEM_MB) --timeout $(RIG_TIMEOUT) \
	$(if $(RIG_KO),--ko $(RIG_KO)) $(foreach t,$(RIG_TESTS),--tests $(t))

.PHONY: rig-build rig-check rig-bench rig-demo rig-shell

# vireo.ko against the kernel L1 boots (not the host's), then the programs
# and guest images that go into the initramfs.
rig-build:
	@test -n "$(RIG_KVER)" || { echo "rig: cannot tell the Debian kernel ABI (see tools/rig/kver.sh); run 'make deps'"; exit 1; }
ifneq ($(RIG_KO),)
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
	$(RIG_RUN) --script run-suite.sh --show $(RIG_SHOW)

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
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_BOOTS_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) $(foreach t,$(RIG_TESTS),--tests $(t)) \
		--script run-boots.sh --show $(RIG_SHOW)

.PHONY: rig-bench-linux
rig-bench-linux: rig-build bench-linux
	$(SRCTREE)/tools/rig/run.sh --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_MEM_MB) --timeout $(RIG_BENCH_LINUX_TIMEOUT) \
		$(if $(RIG_KO),--ko $(RIG_KO)) --extra $(BUILD)/bench-linux/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-bench-linux.sh --show $(RIG_SHOW)

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
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		$(if $(RIG_VMX_KO),--ko $(RIG_VMX_KO)) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script $(RIG_VMX_SCRIPT) --show $(RIG_SHOW)

# The exit-cost benchmark in the Bochs L1: vireo.ko's VMX backend against
# kvm-intel in the same boot.
.PHONY: rig-bench-vmx
rig-bench-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-bench.sh --show $(RIG_SHOW)

# Linux as L2 under the Bochs L1 (tests/l1/run-linux.sh) alone; make
# check's vmx leg runs it in run-suite.sh.
RIG_LINUX_VMX_TIMEOUT ?= 7200

.PHONY: rig-linux-vmx
rig-linux-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_LINUX_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-linux.sh --show $(RIG_SHOW)

.PHONY: rig-demo-vmx
rig-demo-vmx: rig-build
	$(SRCTREE)/tools/rig/run.sh --emu bochs --build $(BUILD) --kver $(RIG_KVER) \
		--mem $(RIG_VMX_MEM_MB) --timeout $(RIG_VMX_TIMEOUT) \
		--ko $(RIG_KO) --tests $(SRCTREE)/tools/rig/l1 \
		$(foreach t,$(RIG_TESTS),--tests $(t)) --script run-demo.sh --show raw
