# userland/cli/cli.mk - the control plane: VM library, control protocol,
# the `vireo` CLI and their tests.  Included by the top Makefile after
# userland/userland.mk; every variable here is prefixed CLI_.
#
#   make cli             $(BUILD)/bin/vireo, $(BUILD)/lib/libvireo-vm.a,
#                        $(BUILD)/lib/libvireo-control.a (also part of `make userland`)
#   make unit-cli        host tests: tests/vmlib, tests/control (C, in-process
#                        server on a real socket) and the CLI end-to-end script
#                        against a fake monitor (also part of `make unit`)
#   make fuzz-control    libFuzzer on the control protocol parser, CLI_FUZZ_SECONDS
#
# Needs GLib and json-glib (Debian: libglib2.0-dev libjson-glib-dev).
#
# For a monitor embedding the control server (userland/control/server.h, no
# GLib types in it but the GError of vireo/error.h): link $(CLI_CONTROL_LIB) $(CLI_VM_LIB) $(CLI_GLIB_LIBS);
# the lock (userland/vmlib/lock.h) is libc only.

CLI_SRC     := $(SRCTREE)/userland
CLI_OBJ     := $(BUILD)/obj/cli
CLI_TESTS   := $(SRCTREE)/tests

CLI_PKGS    := glib-2.0 json-glib-1.0
# `vireo disk` and new disks of `vireo create` use libvireo-disk
# (userland/disk/disk.mk builds it); every library's errors are GErrors of
# libvireo's VIREO_ERROR (userland/include/vireo/error.h), so $(UL_LIB) links last.
CLI_DISK_LIB  := $(BUILD)/lib/libvireo-disk.a
CLI_DISK_LIBS := -lz -lpthread
CLI_GLIB_CFLAGS := $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null)
CLI_GLIB_LIBS   := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

CLI_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
	-fno-strict-aliasing -MMD -MP -I$(CLI_SRC) -I$(CLI_SRC)/include -I$(SRCTREE)/kmod/include/uapi $(CLI_GLIB_CFLAGS) \
	-DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_66
CLI_LDFLAGS :=
ifeq ($(CONFIG_VIREO_USER_DEBUG),y)
CLI_CFLAGS  += -O0 -fsanitize=address,undefined -fno-omit-frame-pointer
CLI_LDFLAGS += -fsanitize=address,undefined
endif

CLI_VM_SRCS      := $(wildcard $(CLI_SRC)/vmlib/*.c)
CLI_VM_OBJS      := $(patsubst $(CLI_SRC)/%.c,$(CLI_OBJ)/%.o,$(CLI_VM_SRCS))
CLI_VM_LIB       := $(BUILD)/lib/libvireo-vm.a

CLI_CONTROL_SRCS := $(wildcard $(CLI_SRC)/control/*.c)
CLI_CONTROL_OBJS := $(patsubst $(CLI_SRC)/%.c,$(CLI_OBJ)/%.o,$(CLI_CONTROL_SRCS))
CLI_CONTROL_LIB  := $(BUILD)/lib/libvireo-control.a

# main.c holds only main(); the rest is linked into the tests as well.
CLI_CLI_SRCS     := $(wildcard $(CLI_SRC)/cli/*.c)
CLI_CLI_OBJS     := $(patsubst $(CLI_SRC)/%.c,$(CLI_OBJ)/%.o,$(CLI_CLI_SRCS))
CLI_CLI_LIBOBJS  := $(filter-out $(CLI_OBJ)/cli/main.o,$(CLI_CLI_OBJS))
CLI_BIN          := $(BUILD)/bin/vireo

CLI_TEST_SRCS    := $(filter-out %/fuzz_control.c %/fake_monitor.c, \
	$(wildcard $(CLI_TESTS)/vmlib/*.c) $(wildcard $(CLI_TESTS)/control/*.c))
# The runner is tests/unit's; tests/control/hooks.c gives each test its own
# temporary XDG directories.
CLI_TEST_OBJS    := $(patsubst $(CLI_TESTS)/%.c,$(CLI_OBJ)/tests/%.o,$(CLI_TEST_SRCS)) \
	$(CLI_OBJ)/tests/unit/runner.o
CLI_TEST_BIN     := $(BUILD)/bin/vireo-unit-cli
CLI_FAKE_BIN     := $(BUILD)/bin/vireo-fake-monitor
CLI_E2E          := $(CLI_TESTS)/vmlib/cli-e2e.sh

CLI_FUZZ_CC      ?= clang
CLI_FUZZ_SECONDS ?= 20
CLI_FUZZ_BIN     := $(BUILD)/bin/vireo-fuzz-control
CLI_FUZZ_CORPUS  := $(BUILD)/fuzz/control

.PHONY: cli unit-cli fuzz-control cli-check-deps

userland: cli
unit: unit-cli

cli-check-deps:
	@pkg-config --exists $(CLI_PKGS) || { echo "cli: GLib/json-glib development files missing (Debian: libglib2.0-dev libjson-glib-dev; 'make deps')"; exit 1; }

cli: cli-check-deps $(CLI_BIN) $(CLI_VM_LIB) $(CLI_CONTROL_LIB)

$(CLI_OBJ)/%.o: $(CLI_SRC)/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -c $< -o $@

$(CLI_OBJ)/tests/%.o: $(CLI_TESTS)/%.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -I$(CLI_TESTS)/unit -c $< -o $@

$(CLI_VM_LIB): $(CLI_VM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CLI_CONTROL_LIB): $(CLI_CONTROL_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# libvireo for vireo_memlock_explain(), the one wording of the memlock advice.
$(CLI_BIN): $(CLI_CLI_OBJS) $(CLI_CONTROL_LIB) $(CLI_VM_LIB) $(CLI_DISK_LIB) $(UL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_LDFLAGS) -o $@ $(CLI_CLI_OBJS) $(CLI_CONTROL_LIB) $(CLI_VM_LIB) \
		$(CLI_DISK_LIB) $(UL_LIB) $(CLI_GLIB_LIBS) $(CLI_DISK_LIBS)

# The fake serves the console socket with vireo-run's own pc_console.c.
$(CLI_FAKE_BIN): $(CLI_OBJ)/tests/control/fake_monitor.o $(UL_OBJ)/pc/pc_console.o \
		$(CLI_CONTROL_LIB) $(CLI_VM_LIB) $(CLI_DISK_LIB) $(UL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_LDFLAGS) -o $@ $< $(UL_OBJ)/pc/pc_console.o $(CLI_CONTROL_LIB) \
		$(CLI_VM_LIB) $(CLI_DISK_LIB) $(UL_LIB) $(CLI_GLIB_LIBS) $(CLI_DISK_LIBS)

$(CLI_TEST_BIN): $(CLI_TEST_OBJS) $(CLI_CLI_LIBOBJS) $(CLI_CONTROL_LIB) $(CLI_VM_LIB) \
		$(CLI_DISK_LIB) $(UL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_LDFLAGS) -o $@ $(CLI_TEST_OBJS) $(CLI_CLI_LIBOBJS) $(CLI_CONTROL_LIB) \
		$(CLI_VM_LIB) $(CLI_DISK_LIB) $(UL_LIB) $(CLI_GLIB_LIBS) $(CLI_DISK_LIBS)

# The C tests first, then the CLI end to end against the fake monitor;
# each prints its own "N passed, M failed".
unit-cli: cli-check-deps $(CLI_TEST_BIN) $(CLI_BIN) $(CLI_FAKE_BIN) $(UL_RUN)
	$(CLI_TEST_BIN)
	VIREO=$(CLI_BIN) VIREO_FAKE_MONITOR=$(CLI_FAKE_BIN) VIREO_RUN=$(UL_RUN) \
		bash $(CLI_E2E)
	VIREO=$(CLI_BIN) VIREO_RUN=$(UL_RUN) bash $(CLI_TESTS)/vmlib/run-e2e.sh

# The parser, line splitter and formatter built with clang's
# instrumentation; json-glib itself is not instrumented.
$(CLI_FUZZ_BIN): $(CLI_TESTS)/control/fuzz_control.c $(CLI_SRC)/control/protocol.c \
		$(CLI_SRC)/control/json.c $(CLI_SRC)/control/protocol.h $(CONFIG_H)
	@mkdir -p $(dir $@)
	$(CLI_FUZZ_CC) -std=gnu11 -Wall -Wextra -Werror -g -O1 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -I$(CLI_SRC) -I$(CLI_SRC)/include $(CLI_GLIB_CFLAGS) \
		-o $@ $(CLI_TESTS)/control/fuzz_control.c $(CLI_SRC)/control/protocol.c \
		$(CLI_SRC)/control/json.c $(CLI_GLIB_LIBS)

ifneq ($(CONFIG_VIREO_FUZZ),y)
fuzz-control:
	@echo "fuzz-control: CONFIG_VIREO_FUZZ is off; enable it with 'make menuconfig'"
else
fuzz-control: cli-check-deps $(CLI_FUZZ_BIN)
	@mkdir -p $(CLI_FUZZ_CORPUS)
	cp -n $(CLI_TESTS)/control/corpus/* $(CLI_FUZZ_CORPUS)/ 2>/dev/null || true
	$(CLI_FUZZ_BIN) -max_total_time=$(CLI_FUZZ_SECONDS) -max_len=4096 \
		-dict=$(CLI_TESTS)/control/fuzz_control.dict $(CLI_FUZZ_CORPUS)
endif

-include $(CLI_VM_OBJS:.o=.d) $(CLI_CONTROL_OBJS:.o=.d) $(CLI_CLI_OBJS:.o=.d) \
	$(CLI_TEST_OBJS:.o=.d) $(CLI_OBJ)/tests/control/fake_monitor.d
