# libFuzzer on the split virtqueue parser (tests/unit/fuzz_virtqueue.c).
# Included from userland/userland.mk after its fuzz settings, so that
# UL_FUZZ_CC, UL_FUZZ_SECONDS and CONFIG_VIREO_FUZZ apply here too.
#
#   make fuzz-virtqueue   build and run it for UL_FUZZ_SECONDS (also run by make fuzz)

UL_VQFUZZ_BIN    := $(BUILD)/bin/vireo-fuzz-virtqueue
UL_VQFUZZ_CORPUS := $(BUILD)/fuzz/virtqueue
UL_VQFUZZ_SRCS   := $(SRCTREE)/tests/unit/fuzz_virtqueue.c \
	$(SRCTREE)/userland/virtio/virtqueue.c $(SRCTREE)/userland/virtio/iov.c

.PHONY: fuzz-virtqueue

$(UL_VQFUZZ_BIN): $(UL_VQFUZZ_SRCS) $(wildcard $(SRCTREE)/userland/virtio/*.h) $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(UL_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I$(SRCTREE)/userland -o $@ $(UL_VQFUZZ_SRCS)

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz-virtqueue:
	@echo "fuzz-virtqueue: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz-virtqueue: $(UL_VQFUZZ_BIN)
	@mkdir -p $(UL_VQFUZZ_CORPUS)
	$(UL_VQFUZZ_BIN) -max_total_time=$(UL_FUZZ_SECONDS) -max_len=65600 $(UL_VQFUZZ_CORPUS)

fuzz: fuzz-virtqueue
endif
