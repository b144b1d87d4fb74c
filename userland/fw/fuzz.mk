# libFuzzer on fw_cfg's ports and DMA (tests/unit/fuzz_fw_cfg.c).  Included
# from userland/userland.mk after its fuzz settings, so that UL_FUZZ_CC,
# UL_FUZZ_SECONDS and CONFIG_VIREO_FUZZ apply here too.
#
#   make fuzz-fw-cfg   build and run it for UL_FUZZ_SECONDS (also run by make fuzz)

UL_FWFUZZ_BIN    := $(BUILD)/bin/vireo-fuzz-fw-cfg
UL_FWFUZZ_CORPUS := $(BUILD)/fuzz/fw_cfg
UL_FWFUZZ_SRCS   := $(SRCTREE)/tests/unit/fuzz_fw_cfg.c $(SRCTREE)/userland/fw/fw_cfg.c

.PHONY: fuzz-fw-cfg

$(UL_FWFUZZ_BIN): $(UL_FWFUZZ_SRCS) $(SRCTREE)/userland/fw/fw_cfg.h $(SRCTREE)/userland/hw/hw.h \
		$(SRCTREE)/userland/virtio/virtqueue.h $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(UL_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I$(SRCTREE)/userland -o $@ $(UL_FWFUZZ_SRCS) -lpthread

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz-fw-cfg:
	@echo "fuzz-fw-cfg: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz-fw-cfg: $(UL_FWFUZZ_BIN)
	@mkdir -p $(UL_FWFUZZ_CORPUS)
	$(UL_FWFUZZ_BIN) -max_total_time=$(UL_FUZZ_SECONDS) -max_len=4096 $(UL_FWFUZZ_CORPUS)

fuzz: fuzz-fw-cfg
endif
