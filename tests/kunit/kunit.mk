# tests/kunit/kunit.mk - the KUnit suites of vireo.ko's core (kmod/tests/*_test.c)
# built and run on the host (included by the top Makefile).
#
#   make kunit                     build $(BUILD)/bin/vireo-kunit and run every suite;
#                                  KTAP on stdout, then "N passed, N failed[, N skipped]"
#   make kunit KUNIT_ARGS='vireo_lapic*'          only the matching suites ("suite.case"
#                                                  globs select cases)
#   make kunit KUNIT_KNOWN_BUGS=1  also run the cases of known bugs (skipped otherwise)
#   make kunit-ko                  build kmod/tests/vireo-kunit.ko against $(KDIR) (see
#                                  kmod/tests/README.md); without CONFIG_KUNIT there (the
#                                  Debian kernel), a compile check only: the KUnit symbols
#                                  stay undefined and the module cannot be loaded
#
# The program is the suites, the core files under test compiled unmodified
# from kmod/, and tests/kunit's kernel shims and KTAP runner; it runs with
# AddressSanitizer and UBSan.  Every variable here is prefixed KU_.  The
# shims model the kernel's guest-FPU API (asm/fpu/api.h), so guest_fpu.c is
# built as for a kernel that exports it (VIREO_HAVE_KVM_GUEST_FPU).

KU_DIR     := $(SRCTREE)/tests/kunit
KU_KMOD    := $(SRCTREE)/kmod
KU_VARIANT := $(if $(KUNIT_KNOWN_BUGS),-known-bugs)
KU_OBJ     := $(BUILD)/obj/kunit$(KU_VARIANT)
KU_BIN     := $(BUILD)/bin/vireo-kunit$(KU_VARIANT)

# The vendor-neutral core that the suites test (main.c, vm.c and mmu.c hold
# the fd plumbing and page pinning; kmod/tests/test_env.c stands in for the
# three functions of theirs the core calls).
KU_CORE    := lapic vcpu tdp cpuid msr exits eventfd state_check emulate paging task_switch debugreg guest_fpu
KU_SUITES  := $(sort $(wildcard $(KU_KMOD)/tests/*_test.c)) $(KU_KMOD)/tests/test_env.c

KU_SANITIZE ?= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
KU_CFLAGS  := -std=gnu11 -O1 -g -Wall -Werror -Wno-sign-compare -Wno-pointer-sign \
	-fno-strict-aliasing -fno-common -MMD -MP \
	-D__KERNEL__ -DVIREO_KUNIT_HOST -DVIREO_HAVE_KVM_GUEST_FPU $(if $(KUNIT_KNOWN_BUGS),-DVIREO_KUNIT_KNOWN_BUGS) \
	-I$(KU_DIR)/include $(KU_SANITIZE)

KU_OBJS    := $(patsubst %,$(KU_OBJ)/core/%.o,$(KU_CORE)) \
	$(patsubst $(KU_KMOD)/tests/%.c,$(KU_OBJ)/tests/%.o,$(KU_SUITES)) \
	$(KU_OBJ)/runner.o $(KU_OBJ)/kshim.o

.PHONY: kunit kunit-ko

kunit: $(KU_BIN)
	$(KU_BIN) $(KUNIT_ARGS)

$(KU_BIN): $(KU_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(KU_SANITIZE) -o $@ $(KU_OBJS)

$(KU_OBJ)/core/%.o: $(KU_KMOD)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KU_CFLAGS) -c $< -o $@

$(KU_OBJ)/tests/%.o: $(KU_KMOD)/tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KU_CFLAGS) -c $< -o $@

$(KU_OBJ)/%.o: $(KU_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KU_CFLAGS) -c $< -o $@

# The same suites as real KUnit: a module of their own, never part of vireo.ko.
KU_KDIR_KUNIT = $(shell grep -sqE '^CONFIG_KUNIT=(y|m)' $(KDIR)/.config && echo y)

kunit-ko:
	@test -d "$(KDIR)" || { echo "kunit-ko: no kernel build tree at '$(KDIR)'"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(KU_KMOD)/tests $(if $(KU_KDIR_KUNIT),,KBUILD_MODPOST_WARN=1) modules
	@test -n "$(KU_KDIR_KUNIT)" || echo "kunit-ko: $(KDIR) has no CONFIG_KUNIT:" \
		"compiled as a check only, vireo-kunit.ko cannot be loaded"

-include $(KU_OBJS:.o=.d)
