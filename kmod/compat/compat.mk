# SPDX-License-Identifier: GPL-2.0
# Kernel API differences (compat.h), for kmod/Kbuild and kmod/tests/Kbuild.
# The includer sets vireo-compat-src (this directory) and
# vireo-compat-objs (its objects, relative to $(obj)).  conftest.sh runs
# with this kernel's compiler and flags and writes compat-autoconf.h into
# $(obj) before any of those objects is compiled.  VIREO_OWN_FPU=1 (make
# kmod VIREO_OWN_FPU=1) builds the module's own guest-FPU path on a kernel
# that would offer the kernel's (see conftest.sh).
VIREO_CONFTEST_CFLAGS = $(KBUILD_CPPFLAGS) $(NOSTDINC_FLAGS) $(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h \
	$(KBUILD_CFLAGS) $(KBUILD_CFLAGS_MODULE) -DKBUILD_MODNAME='"vireo_conftest"' \
	-DKBUILD_BASENAME='"vireo_conftest"'
$(obj)/compat-autoconf.h: $(vireo-compat-src)/conftest.sh FORCE
	$(Q)$(CONFIG_SHELL) $< $@ "$(KERNELRELEASE)" "$(objtree)/Module.symvers" "$(VIREO_OWN_FPU)" \
		$(CC) $(VIREO_CONFTEST_CFLAGS)
$(addprefix $(obj)/,$(vireo-compat-objs)): $(obj)/compat-autoconf.h
ccflags-y += -I$(obj) -include $(vireo-compat-src)/compat.h
