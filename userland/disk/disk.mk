# libvireo-disk: the block layer (raw, qcow2), its tests and fuzzer.  Included by the top Makefile, which provides BUILD, SRCTREE,
# CONFIG_H and the CONFIG_* variables.  Every variable is prefixed DISK_.
#
#   make disk          $(BUILD)/lib/libvireo-disk.a
#   make disk-unit     build and run tests/disk (part of `make unit`);
#                      the qemu-img interop tests need qemu-utils (make deps);
#                      the command-line tests run `vireo disk` (cli.mk builds it)
#   make fuzz-qcow2    libFuzzer on qcow2 header/L1/L2 parsing for DISK_FUZZ_SECONDS
#
# Clients link $(BUILD)/lib/libvireo-disk.a -lz -lpthread and include
# "disk/disk.h" with -I$(SRCTREE)/userland.

DISK_SRC   := $(SRCTREE)/userland/disk
DISK_OBJ   := $(BUILD)/obj/disk
DISK_TESTS := $(SRCTREE)/tests/disk

DISK_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
	-fno-strict-aliasing -MMD -MP -pthread -I$(DISK_SRC) -I$(SRCTREE)/userland/include \
	$(UL_GLIB_CFLAGS)
DISK_LDFLAGS :=
ifeq ($(CONFIG_VIREO_USER_DEBUG),y)
DISK_CFLAGS  += -O0 -fsanitize=address,undefined -fno-omit-frame-pointer
DISK_LDFLAGS += -fsanitize=address,undefined
endif
# Errors are GErrors of VIREO_ERROR, whose helpers are libvireo's (lib/error.c).
DISK_LIBS  := $(UL_LIB) $(UL_GLIB_LIBS) -lz -lpthread

DISK_LIB_SRCS := $(wildcard $(DISK_SRC)/*.c)
DISK_LIB_OBJS := $(patsubst $(DISK_SRC)/%.c,$(DISK_OBJ)/%.o,$(DISK_LIB_SRCS))
DISK_LIB      := $(BUILD)/lib/libvireo-disk.a
# The image tool is `vireo disk` (userland/cli), built by cli.mk.
DISK_TOOL     := $(BUILD)/bin/vireo

# The disk tests share tests/unit's runner; helpers.c installs its hooks.
DISK_TEST_SRCS := $(filter-out $(DISK_TESTS)/fuzz_%.c,$(wildcard $(DISK_TESTS)/*.c)) \
	$(SRCTREE)/tests/unit/runner.c
DISK_TEST_OBJS := $(patsubst $(DISK_TESTS)/%.c,$(DISK_OBJ)/tests/%.o,$(filter $(DISK_TESTS)/%,$(DISK_TEST_SRCS))) \
	$(DISK_OBJ)/tests/runner.o
DISK_TEST_BIN  := $(BUILD)/bin/vireo-disk-unit

DISK_FUZZ_CC      ?= clang
DISK_FUZZ_SECONDS ?= 20
DISK_FUZZ_BIN     := $(BUILD)/bin/vireo-fuzz-qcow2
DISK_FUZZ_CORPUS  := $(BUILD)/fuzz/qcow2

.PHONY: disk disk-unit fuzz-qcow2

disk: $(DISK_LIB)
userland: disk
unit: disk-unit

$(DISK_OBJ)/%.o: $(DISK_SRC)/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(DISK_CFLAGS) -c $< -o $@

$(DISK_OBJ)/tests/%.o: $(DISK_TESTS)/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(DISK_CFLAGS) -I$(SRCTREE)/userland -I$(SRCTREE)/tests/unit -c $< -o $@

$(DISK_OBJ)/tests/runner.o: $(SRCTREE)/tests/unit/runner.c $(SRCTREE)/tests/unit/test.h $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(DISK_CFLAGS) -I$(SRCTREE)/tests/unit -c $< -o $@

$(DISK_LIB): $(DISK_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(DISK_TEST_BIN): $(DISK_TEST_OBJS) $(DISK_LIB) $(UL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(DISK_LDFLAGS) -o $@ $(DISK_TEST_OBJS) $(DISK_LIB) $(DISK_LIBS)

# The tests run `vireo disk` too (its exit codes and JSON output).
disk-unit: $(DISK_TEST_BIN) $(DISK_TOOL)
	VIREO=$(DISK_TOOL) $(DISK_TEST_BIN)

# The fuzzer builds the library on its own with clang's instrumentation.
$(DISK_FUZZ_BIN): $(DISK_TESTS)/fuzz_qcow2.c $(DISK_LIB_SRCS) $(wildcard $(DISK_SRC)/*.h) $(CONFIG_H) \
		$(UL_LIB)
	@mkdir -p $(dir $@)
	$(DISK_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE -pthread \
		-fsanitize=fuzzer,address,undefined -I$(DISK_SRC) -I$(SRCTREE)/userland \
		-I$(SRCTREE)/userland/include $(UL_GLIB_CFLAGS) \
		-o $@ $(DISK_TESTS)/fuzz_qcow2.c $(DISK_LIB_SRCS) $(DISK_LIBS)

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz-qcow2:
	@echo "fuzz-qcow2: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz-qcow2: $(DISK_FUZZ_BIN)
	@mkdir -p $(DISK_FUZZ_CORPUS)
	$(DISK_FUZZ_BIN) -max_total_time=$(DISK_FUZZ_SECONDS) -max_len=65536 \
		-timeout=10 $(DISK_FUZZ_CORPUS) $(DISK_TESTS)/fuzz-seeds
endif

-include $(DISK_LIB_OBJS:.o=.d) $(DISK_TEST_OBJS:.o=.d)
