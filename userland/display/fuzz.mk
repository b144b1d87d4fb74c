# libFuzzer on the VGA's port, legacy-window and MMIO BAR handlers, with
# rendering (tests/unit/fuzz_vga.c).  Included from userland/userland.mk
# after its fuzz settings, so UL_FUZZ_CC, UL_FUZZ_SECONDS and
# CONFIG_VIREO_FUZZ apply here too.
#
#   make fuzz-vga   build and run it for UL_FUZZ_SECONDS (also run by make fuzz)

UL_VGAFUZZ_BIN    := $(BUILD)/bin/vireo-fuzz-vga
UL_VGAFUZZ_CORPUS := $(BUILD)/fuzz/vga
UL_VGAFUZZ_SRCS   := $(SRCTREE)/tests/unit/fuzz_vga.c $(SRCTREE)/userland/hw/hw.c \
	$(filter-out %/vga_pci.c,$(wildcard $(SRCTREE)/userland/display/*.c))

.PHONY: fuzz-vga

$(UL_VGAFUZZ_BIN): $(UL_VGAFUZZ_SRCS) $(wildcard $(SRCTREE)/userland/display/*.h) $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(UL_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I$(SRCTREE)/userland -o $@ $(UL_VGAFUZZ_SRCS) -lpthread

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz-vga:
	@echo "fuzz-vga: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz-vga: $(UL_VGAFUZZ_BIN)
	@mkdir -p $(UL_VGAFUZZ_CORPUS)
	$(UL_VGAFUZZ_BIN) -max_total_time=$(UL_FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=4096 \
		$(UL_VGAFUZZ_CORPUS)

fuzz: fuzz-vga
endif
