# tests/bench/linux/bench-linux.mk - the Linux-guest benchmark's parts
# (included by the top Makefile; tools/rig/rig.mk's rig-bench-linux uses
# them).  See tests/bench/linux/README.md.
#
#   make bench-linux   builds, on the host:
#     $(BUILD)/bin/vireo-bench-spawn   runs a monitor, times its console
#                                      lines, samples its memory (L1)
#     $(BUILD)/bin/vireo-bench-blk     sequential write/read (L1 and L2)
#     $(BUILD)/bench-linux/l2/         the L2 kernel and initramfs
#     $(BUILD)/bench-linux/l1/         the tree added to the L1 initramfs
#                                      (QEMU, its firmware, l2/)
#
#   BENCH_LINUX_ENV="VIREO_BENCH_LINUX_BOOTS=3 ..."  knobs for the L1 script
#   (tests/l1/run-bench-linux.sh), shipped in the L1 initramfs

BENCH_LINUX_SRC := $(SRCTREE)/tests/bench/linux
BENCH_LINUX_OUT := $(BUILD)/bench-linux
BENCH_LINUX_PROGS := $(BUILD)/bin/vireo-bench-spawn $(BUILD)/bin/vireo-bench-blk
BENCH_LINUX_ENV ?=
BENCH_LINUX_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror

.PHONY: bench-linux
bench-linux: $(BENCH_LINUX_PROGS)
	@test -n "$(RIG_KVER)" || { echo "bench-linux: cannot tell the Debian kernel ABI (see tools/rig/kver.sh)"; exit 1; }
	$(BENCH_LINUX_SRC)/prepare.sh --bin $(BUILD)/bin --kver $(RIG_KVER) \
		--kroot $$($(SRCTREE)/tools/rig/kernel.sh $(RIG_KVER) $(BUILD)/rig/cache) \
		--out $(BENCH_LINUX_OUT) --env "$(BENCH_LINUX_ENV)"

# Static: they run in L2's busybox initramfs and in L1's.
$(BUILD)/bin/vireo-bench-spawn: $(BENCH_LINUX_SRC)/spawn.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_LINUX_CFLAGS) -o $@ $< -static

$(BUILD)/bin/vireo-bench-blk: $(BENCH_LINUX_SRC)/blk.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_LINUX_CFLAGS) -o $@ $< -static
