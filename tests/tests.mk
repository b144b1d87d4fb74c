# tests/tests.mk - test guests and test programs (included by the top Makefile).
#
#   make tests    builds, on any x86-64 Linux host:
#     $(BUILD)/guests/*.bin       tiny flat-binary guests (tests/guest/*.asm,
#                                 tests/bench/bench.asm), assembled with nasm
#     $(BUILD)/guests/virtio-hostile.elf  a Multiboot test kernel for the PC
#                                 (tests/guest/virtio_hostile/, freestanding C)
#     $(BUILD)/guests/qemu-img-32m.qcow2  an empty disk made by QEMU's
#                                 qemu-img, the L2 Linux's disk in run-linux.sh
#     $(BUILD)/bin/vireo-guest-suite   the guest test table (drives vireo-run)
#     $(BUILD)/bin/vireo-cycles        200 create/run/destroy cycles, raw ioctls
#     $(BUILD)/bin/vireo-smp           two vCPUs of one VM in two threads, raw ioctls
#     $(BUILD)/bin/vireo-abi           the run-loop contract (who completes what), raw ioctls
#     $(BUILD)/bin/vireo-misuse        ioctl misuse tests, raw ioctls
#     $(BUILD)/bin/vireo-bench         exit-cost benchmark on /dev/vireo
#     $(BUILD)/bin/kvm-bench           the same benchmark on /dev/kvm
#     $(BUILD)/bin/kfuzz               the ioctl-interface fuzzer (tests/kfuzz/)
#     $(BUILD)/bin/vireo-ctl-call      one control-socket request, for tests/l1 scripts
#     $(BUILD)/l2bin/xstate-check      YMM registers across syscalls, signals and
#                                      migration, run in the L2 Linux (run-linux.sh)
#
# They run inside the rig's L1 machine (tests/l1/*.sh); see tests/guest/README.md.
# Programs are linked statically: the L1 initramfs is busybox and nothing else.

TESTS_GUEST_DIR := $(SRCTREE)/tests/guest
TESTS_GUESTS_OUT := $(BUILD)/guests
TESTS_BIN_OUT := $(BUILD)/bin
TESTS_OBJ := $(BUILD)/obj/tests

NASM ?= nasm
TESTS_CC ?= cc
TESTS_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers -Werror=implicit-function-declaration \
	-D_GNU_SOURCE -I$(SRCTREE)/kmod/include/uapi -I$(TESTS_GUEST_DIR)
TESTS_LDFLAGS := -static -pthread

TESTS_ASM := $(wildcard $(TESTS_GUEST_DIR)/*.asm)
TESTS_GUEST_BINS := $(patsubst $(TESTS_GUEST_DIR)/%.asm,$(TESTS_GUESTS_OUT)/%.bin,$(TESTS_ASM)) \
	$(TESTS_GUESTS_OUT)/bench.bin

TESTS_PROGS := $(addprefix $(TESTS_BIN_OUT)/,vireo-guest-suite vireo-cycles vireo-smp \
	vireo-abi vireo-lapic vireo-events vireo-misuse vireo-bench kvm-bench kfuzz vireo-ctl-call)

# Static programs for the L2 Linux's initramfs (tests/linux/mkinitrd.sh --bin).
TESTS_L2_PROGS := $(BUILD)/l2bin/xstate-check

.PHONY: tests tests-clean
tests: $(TESTS_GUEST_BINS) $(TESTS_PROGS) $(TESTS_L2_PROGS) $(TESTS_GUESTS_OUT)/virtio-hostile.elf \
	$(TESTS_GUESTS_OUT)/pc-probe.elf \
	$(TESTS_GUESTS_OUT)/qemu-img-32m.qcow2

# Made by QEMU's own tool, so that the rig proves vireo-run takes such images.
$(TESTS_GUESTS_OUT)/qemu-img-32m.qcow2:
	@mkdir -p $(@D)
	qemu-img create -q -f qcow2 $@ 32M

$(TESTS_GUESTS_OUT)/%.bin: $(TESTS_GUEST_DIR)/%.asm $(TESTS_GUEST_DIR)/lib.inc
	@mkdir -p $(dir $@)
	$(NASM) -f bin -w+all -Werror -I$(TESTS_GUEST_DIR)/ -o $@ $<

$(TESTS_GUESTS_OUT)/bench.bin: $(SRCTREE)/tests/bench/bench.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -w+all -Werror -o $@ $<

# The hostile virtio driver: a 32-bit Multiboot kernel booted with
# vireo-run --kernel (tests/l1/run-virtio-hostile.sh).  Freestanding, no libc.
VH_DIR := $(TESTS_GUEST_DIR)/virtio_hostile
VH_OBJ := $(TESTS_OBJ)/virtio_hostile
VH_SRCS := $(wildcard $(VH_DIR)/*.c) $(VH_DIR)/boot.S
VH_OBJS := $(patsubst $(VH_DIR)/%,$(VH_OBJ)/%.o,$(VH_SRCS))
VH_CFLAGS := -m32 -march=i686 -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-Wall -Wextra -Werror -Wno-missing-field-initializers

$(VH_OBJ)/%.o: $(VH_DIR)/% $(wildcard $(VH_DIR)/*.h)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(VH_CFLAGS) -c -o $@ $<

$(TESTS_GUESTS_OUT)/virtio-hostile.elf: $(VH_OBJS) $(VH_DIR)/hostile.ld
	@mkdir -p $(dir $@)
	$(TESTS_CC) -m32 -nostdlib -static -no-pie -Wl,-T,$(VH_DIR)/hostile.ld \
		-Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments -o $@ $(VH_OBJS)

# The PC probe: a Multiboot kernel linked below 1 MiB that checks the boot
# environment and tries the guest actions the monitor audit lists
# (tests/l1/run-pc-probe.sh); it borrows the hostile driver's io.c.
PP_DIR := $(TESTS_GUEST_DIR)/pc_probe
PP_OBJ := $(TESTS_OBJ)/pc_probe
PP_OBJS := $(PP_OBJ)/probe.c.o $(PP_OBJ)/boot.S.o $(VH_OBJ)/io.c.o

$(PP_OBJ)/%.o: $(PP_DIR)/% $(VH_DIR)/hw.h
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(VH_CFLAGS) -c -o $@ $<

$(TESTS_GUESTS_OUT)/pc-probe.elf: $(PP_OBJS) $(PP_DIR)/probe.ld
	@mkdir -p $(dir $@)
	$(TESTS_CC) -m32 -nostdlib -static -no-pie -Wl,-T,$(PP_DIR)/probe.ld \
		-Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments -o $@ $(PP_OBJS)

TESTS_VTEST := $(TESTS_GUEST_DIR)/vtest.c $(TESTS_GUEST_DIR)/vtest.h
TESTS_UAPI := $(SRCTREE)/kmod/include/uapi/vireo.h

$(TESTS_BIN_OUT)/vireo-guest-suite: $(TESTS_GUEST_DIR)/suite.c
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-cycles: $(TESTS_GUEST_DIR)/cycles.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-smp: $(TESTS_GUEST_DIR)/smp.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-abi: $(TESTS_GUEST_DIR)/abi.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-lapic: $(TESTS_GUEST_DIR)/lapic.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-events: $(TESTS_GUEST_DIR)/events.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-misuse: $(SRCTREE)/tests/misuse/misuse.c $(TESTS_VTEST) $(TESTS_UAPI)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_GUEST_DIR)/vtest.c $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/vireo-ctl-call: $(SRCTREE)/tests/l1/ctl_call.c
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_LDFLAGS)

$(BUILD)/l2bin/xstate-check: $(SRCTREE)/tests/linux/xstate_check.c
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_LDFLAGS)

# The two benchmark runners share only bench.h: symmetry is the point.
# vireo-bench links libvireo, whose MMIO emulator is Vireo's counterpart of
# the one in KVM's kernel (and GLib with it: libvireo's errors are GErrors).
$(TESTS_BIN_OUT)/vireo-bench: $(SRCTREE)/tests/bench/vireo-bench.c \
		$(SRCTREE)/tests/bench/bench.h $(TESTS_UAPI) $(UL_LIB)
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -I$(UL_SRC)/include $(UL_GLIB_CFLAGS) -o $@ $< $(UL_LIB) \
		$(shell pkg-config --static --libs glib-2.0) $(TESTS_LDFLAGS)

$(TESTS_BIN_OUT)/kvm-bench: $(SRCTREE)/tests/bench/kvm-bench.c $(SRCTREE)/tests/bench/bench.h
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $< $(TESTS_LDFLAGS)

# The fuzzer of vireo.ko's ioctls (tests/kfuzz/README.md): raw ioctls from
# the uapi header, like vireo-misuse.
KFUZZ_SRCS := $(wildcard $(SRCTREE)/tests/kfuzz/*.c)

$(TESTS_BIN_OUT)/kfuzz: $(KFUZZ_SRCS) $(SRCTREE)/tests/kfuzz/kfuzz.h $(TESTS_UAPI) \
		$(SRCTREE)/tests/guest/vtest.c $(SRCTREE)/tests/guest/vtest.h
	@mkdir -p $(dir $@)
	$(TESTS_CC) $(TESTS_CFLAGS) -o $@ $(KFUZZ_SRCS) $(SRCTREE)/tests/guest/vtest.c \
		$(TESTS_LDFLAGS)

tests-clean:
	rm -f $(TESTS_GUEST_BINS) $(TESTS_PROGS) $(TESTS_L2_PROGS) $(TESTS_GUESTS_OUT)/virtio-hostile.elf \
		$(TESTS_GUESTS_OUT)/pc-probe.elf \
		$(TESTS_GUESTS_OUT)/qemu-img-32m.qcow2
	rm -rf $(VH_OBJ)

# The kernel's own x86 selftests, static, for the L2 Linux
# (tests/linux/selftests/README.md; make rig-selftests runs them).  The
# source comes once from Debian's linux-source for the rig's kernel series.
.PHONY: selftests
selftests:
	@test -n "$(RIG_KVER)" || { echo "selftests: cannot tell the Debian kernel ABI (see tools/rig/kver.sh)"; exit 1; }
	$(SRCTREE)/tests/linux/selftests/build.sh --out $(BUILD)/l2selftests \
		--src $(BUILD)/linux-source --series $(shell echo $(RIG_KVER) | cut -d. -f1,2)

# vireo.ko beside KVM (tests/l1/run-coexist.sh): QEMU/KVM and Vireo L2
# Linuxes at the same time in the QEMU-TCG L1, both orders, rmmod kvm_amd
# refused; the bench-linux L2 and QEMU ride along (--extra).  With
# RIG_KERNEL=trixie RIG_MODPROBE=kvm_amd (make check's coexist leg) on 6.12
# with KVM loaded at boot.
RIG_COEXIST_TIMEOUT ?= 3000

.PHONY: rig-coexist
rig-coexist: RIG_TIMEOUT = $(RIG_COEXIST_TIMEOUT)
rig-coexist: $(RIG_BUILD_DEP) bench-linux
	$(RIG_RUN) --extra $(BUILD)/bench-linux/l1 --script run-coexist.sh --show $(RIG_SHOW)
