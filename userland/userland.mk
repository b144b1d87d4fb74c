# Userland: libvireo, the vireo-run monitor, host unit tests, decoder fuzzer.
# Included by the top Makefile, which provides BUILD, SRCTREE, CONFIG_H and
# the CONFIG_* variables of $(BUILD)/config.mk.  Every variable here is
# prefixed UL_ so that the other fragments cannot collide with it.
#
#   make userland   $(BUILD)/lib/libvireo.a, the PC libraries and $(BUILD)/bin/vireo-run
#   make unit       build and run the host unit tests (tests/unit)
#   make fuzz       libFuzzer on the decoder and emulator for UL_FUZZ_SECONDS, then
#                   UL_EMU_DIFF_CASES cases of the emulator's differential test

UL_SRC   := $(SRCTREE)/userland
UL_OBJ   := $(BUILD)/obj/userland
UL_UNIT  := $(SRCTREE)/tests/unit

# Errors travel as GError (userland/include/vireo/error.h): every library
# here, libvireo included, needs GLib's headers and links glib-2.0.
UL_GLIB_CFLAGS := $(shell pkg-config --cflags glib-2.0 2>/dev/null)
UL_GLIB_LIBS   := $(shell pkg-config --libs glib-2.0 2>/dev/null)
UL_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
	-fno-strict-aliasing -MMD -MP \
	-I$(UL_SRC)/include -I$(SRCTREE)/kmod/include/uapi $(UL_GLIB_CFLAGS)
UL_LDFLAGS :=
ifeq ($(CONFIG_VIREO_USER_DEBUG),y)
UL_CFLAGS  += -O0 -fsanitize=address,undefined -fno-omit-frame-pointer
UL_LDFLAGS += -fsanitize=address,undefined
endif

UL_LIB_SRCS  := $(wildcard $(UL_SRC)/lib/*.c)
UL_LIB_OBJS  := $(patsubst $(UL_SRC)/lib/%.c,$(UL_OBJ)/lib/%.o,$(UL_LIB_SRCS))
UL_LIB       := $(BUILD)/lib/libvireo.a

# vireo-run is three parts: vireo-run/ (main, options, the CPU models both
# machines take), bare/ (the bare-image test monitor behind --load) and pc/
# (the PC machine behind --kernel, libvireo-machine.a).  Everything but
# main.c is linked into the unit tests as well, so that the devices and
# parsers are tested as shipped.  The three directories see each other's
# headers.
UL_RUN_DIRS  := vireo-run bare pc
UL_RUN_INCS  := $(foreach d,$(UL_RUN_DIRS),-I$(UL_SRC)/$(d))
UL_RUN_SRCS  := $(wildcard $(UL_SRC)/vireo-run/*.c $(UL_SRC)/bare/*.c)
UL_RUN_OBJS  := $(patsubst $(UL_SRC)/%.c,$(UL_OBJ)/%.o,$(UL_RUN_SRCS))
UL_RUN_LIBOBJS := $(filter-out $(UL_OBJ)/vireo-run/main.o,$(UL_RUN_OBJS))
UL_RUN       := $(BUILD)/bin/vireo-run

UL_MACHINE_SRCS := $(wildcard $(UL_SRC)/pc/*.c $(UL_SRC)/pc/dev/*.c)
UL_MACHINE_OBJS := $(patsubst $(UL_SRC)/%.c,$(UL_OBJ)/%.o,$(UL_MACHINE_SRCS))
UL_MACHINE_LIB  := $(BUILD)/lib/libvireo-machine.a

# The PC platform (device models, PCI, virtio, boot, ACPI): one directory
# per area, all in libvireo-pc.a, linked into vireo-run and the unit tests.
UL_PC_DIRS   := hw pci virtio boot acpi net display fw
UL_PC_SRCS   := $(foreach d,$(UL_PC_DIRS),$(wildcard $(UL_SRC)/$(d)/*.c))
UL_PC_OBJS   := $(patsubst $(UL_SRC)/%.c,$(UL_OBJ)/%.o,$(UL_PC_SRCS))
UL_PC_LIB    := $(BUILD)/lib/libvireo-pc.a

UL_UNIT_SRCS := $(filter-out $(UL_UNIT)/fuzz_%.c,$(wildcard $(UL_UNIT)/*.c))
UL_UNIT_OBJS := $(patsubst $(UL_UNIT)/%.c,$(UL_OBJ)/unit/%.o,$(UL_UNIT_SRCS))
UL_UNIT_BIN  := $(BUILD)/bin/vireo-unit

UL_FUZZ_CC      ?= clang
UL_FUZZ_SECONDS ?= 20
UL_FUZZ_BIN     := $(BUILD)/bin/vireo-fuzz-decode
UL_FUZZ_CORPUS  := $(BUILD)/fuzz/decode

.PHONY: userland unit fuzz

userland: $(UL_LIB) $(UL_PC_LIB) $(UL_MACHINE_LIB) $(UL_RUN)

$(foreach d,$(UL_PC_DIRS),$(eval $$(UL_OBJ)/$(d)/%.o: $$(UL_SRC)/$(d)/%.c $$(CONFIG_H) ; @mkdir -p $$(dir $$@) && $$(CC) $$(UL_CFLAGS) -I$$(UL_SRC) -c $$< -o $$@))

$(UL_PC_LIB): $(UL_PC_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(UL_MACHINE_LIB): $(UL_MACHINE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Objects depend on the generated config so a Kconfig change (e.g.
# VIREO_USER_DEBUG) rebuilds them with the new flags.
$(UL_OBJ)/lib/%.o: $(UL_SRC)/lib/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(UL_CFLAGS) -c $< -o $@

$(foreach d,$(UL_RUN_DIRS),$(eval $$(UL_OBJ)/$(d)/%.o: $$(UL_SRC)/$(d)/%.c $$(CONFIG_H) ; @mkdir -p $$(dir $$@) && $$(CC) $$(UL_CFLAGS) $$(UL_RUN_INCS) -I$$(UL_SRC) -c $$< -o $$@))

$(UL_OBJ)/unit/%.o: $(UL_UNIT)/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(UL_CFLAGS) $(UL_RUN_INCS) -I$(UL_SRC)/lib -I$(UL_SRC) -c $< -o $@

$(UL_LIB): $(UL_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# vireo-run's --disk takes qcow2 images through libvireo-disk (disk.mk).
UL_DISK_LIB  := $(BUILD)/lib/libvireo-disk.a
# --control embeds the control server and --lock takes the machine lock
# (both built by userland/cli/cli.mk; the server needs GLib and json-glib).
UL_CTL_LIBS  := $(BUILD)/lib/libvireo-control.a $(BUILD)/lib/libvireo-vm.a
UL_CTL_LDLIBS = $(shell pkg-config --libs glib-2.0 json-glib-1.0)

$(UL_RUN): $(UL_RUN_OBJS) $(UL_MACHINE_LIB) $(UL_PC_LIB) $(UL_LIB) $(UL_DISK_LIB) $(UL_CTL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(UL_LDFLAGS) -o $@ $(UL_RUN_OBJS) $(UL_MACHINE_LIB) $(UL_PC_LIB) $(UL_DISK_LIB) -lz \
		$(UL_CTL_LIBS) $(UL_LIB) $(UL_CTL_LDLIBS) $(shell pkg-config --libs slirp) -lpthread

# --whole-archive: test files may only reference the platform through
# self-registered suites, so pull every object in.
$(UL_UNIT_BIN): $(UL_UNIT_OBJS) $(UL_RUN_LIBOBJS) $(UL_MACHINE_LIB) $(UL_PC_LIB) $(UL_LIB) \
		$(UL_DISK_LIB) $(UL_CTL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(UL_LDFLAGS) -o $@ $(UL_UNIT_OBJS) $(UL_RUN_LIBOBJS) \
		-Wl,--whole-archive $(UL_MACHINE_LIB) $(UL_PC_LIB) -Wl,--no-whole-archive \
		$(UL_DISK_LIB) -lz $(UL_CTL_LIBS) $(UL_LIB) $(UL_CTL_LDLIBS) \
		$(shell pkg-config --libs slirp) -lpthread

unit: $(UL_UNIT_BIN)
	$(UL_UNIT_BIN)

# The fuzzer builds the decoder and the emulation core on their own with
# clang's instrumentation (no ioctls: emulate_vcpu.c stays out).
UL_FUZZ_EMU_SRCS := $(UL_SRC)/lib/decode.c $(UL_SRC)/lib/paging.c \
		    $(filter-out %/emulate_vcpu.c,$(wildcard $(UL_SRC)/lib/emulate*.c))
$(UL_FUZZ_BIN): $(UL_UNIT)/fuzz_decode.c $(UL_FUZZ_EMU_SRCS) $(UL_SRC)/lib/emulate_internal.h \
		$(wildcard $(UL_SRC)/include/vireo/*.h) $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(UL_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined \
		-I$(UL_SRC)/include -I$(SRCTREE)/kmod/include/uapi $(UL_GLIB_CFLAGS) \
		-o $@ $(UL_UNIT)/fuzz_decode.c $(UL_FUZZ_EMU_SRCS) -lpthread

# The differential test's long run (tests/unit/emu_diff.c): about 30000
# cases a second, so make check's 10 s fuzz leg runs 300000.
UL_EMU_DIFF_BIN   := $(BUILD)/bin/vireo-fuzz-emulate-diff
UL_EMU_DIFF_CASES ?= $(shell echo $$(( $(UL_FUZZ_SECONDS) * 30000 )))
$(UL_EMU_DIFF_BIN): $(UL_UNIT)/fuzz_emulate_diff.c $(UL_UNIT)/emu_diff.c $(UL_UNIT)/emu_diff.h \
		$(UL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(UL_CFLAGS) -o $@ $(UL_UNIT)/fuzz_emulate_diff.c $(UL_UNIT)/emu_diff.c $(UL_LIB) \
		$(UL_GLIB_LIBS) -lpthread

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz:
	@echo "fuzz: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz: $(UL_FUZZ_BIN) $(UL_EMU_DIFF_BIN)
	@mkdir -p $(UL_FUZZ_CORPUS)
	$(UL_FUZZ_BIN) -max_total_time=$(UL_FUZZ_SECONDS) -max_len=80 $(UL_FUZZ_CORPUS)
	$(UL_EMU_DIFF_BIN) $(UL_EMU_DIFF_CASES)
endif

-include $(UL_LIB_OBJS:.o=.d) $(UL_RUN_OBJS:.o=.d) $(UL_MACHINE_OBJS:.o=.d) $(UL_UNIT_OBJS:.o=.d) $(UL_PC_OBJS:.o=.d)
include $(UL_SRC)/virtio/fuzz.mk
include $(UL_SRC)/display/display.mk
include $(UL_SRC)/fw/fuzz.mk
