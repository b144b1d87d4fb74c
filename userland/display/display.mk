# The VGA's two test programs beyond tests/unit.  Included from
# userland/userland.mk after its fuzz settings, so UL_FUZZ_CC,
# UL_FUZZ_SECONDS and CONFIG_VIREO_FUZZ apply here too.
#
#   make vgabios-check  Debian's VGA BIOS run against the device on libx86emu
#                       (tests/display/vgabios_run.c; part of make unit)
#   make fuzz-vga       libFuzzer on the port, legacy-window and MMIO BAR
#                       handlers with rendering (tests/unit/fuzz_vga.c) for
#                       UL_FUZZ_SECONDS (also run by make fuzz)

UL_VGABIOS_BIN := $(BUILD)/bin/vireo-vgabios-check

.PHONY: vgabios-check
unit: vgabios-check

$(UL_VGABIOS_BIN): $(SRCTREE)/tests/display/vgabios_run.c $(UL_PC_LIB)
	@mkdir -p $(dir $@)
	@test -f /usr/include/x86emu.h || { echo "vgabios-check: libx86emu-dev is missing: make deps"; exit 1; }
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -I$(UL_SRC) \
		-o $@ $< $(UL_PC_LIB) -lx86emu -lpthread

vgabios-check: $(UL_VGABIOS_BIN)
	$(UL_VGABIOS_BIN)

UL_VGAFUZZ_BIN    := $(BUILD)/bin/vireo-fuzz-vga
UL_VGAFUZZ_CORPUS := $(BUILD)/fuzz/vga
UL_VGAFUZZ_SRCS   := $(SRCTREE)/tests/unit/fuzz_vga.c $(SRCTREE)/userland/hw/hw.c \
	$(wildcard $(SRCTREE)/userland/display/*.c) $(wildcard $(SRCTREE)/userland/pci/*.c)

.PHONY: fuzz-vga

$(UL_VGAFUZZ_BIN): $(UL_VGAFUZZ_SRCS) $(wildcard $(SRCTREE)/userland/display/*.h) \
		$(wildcard $(SRCTREE)/userland/pci/*.h) $(CONFIG_H)
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
