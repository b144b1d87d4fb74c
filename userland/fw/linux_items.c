// SPDX-License-Identifier: GPL-2.0
/* Kernel, initrd and command line as fw_cfg items (linux_items.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vireo/error.h>

#include "boot/image.h"
#include "fw/linux_items.h"

/* Where the initrd goes, or 0 if it does not fit (QEMU x86_load_linux). */
static uint32_t initrd_place(const struct vireo_layout *l, const struct vireo_linux_header *h,
			     size_t size)
{
	uint64_t max = h->initrd_addr_max;

	if (l->low_end < VIREO_FW_LINUX_FW_DATA + VIREO_FW_LINUX_KERNEL_ADDR)
		return 0;
	if (max >= l->low_end - VIREO_FW_LINUX_FW_DATA)
		max = l->low_end - VIREO_FW_LINUX_FW_DATA - 1;
	if (size >= max || max - size < VIREO_FW_LINUX_KERNEL_ADDR)
		return 0;
	return (uint32_t)((max - size) & ~0xfffULL);
}

static int add_u32(struct vireo_fw_cfg *fw, uint16_t key, uint32_t v, int r)
{
	return r ? r : vireo_fw_cfg_add_u32(fw, key, v);
}

static int add_data(struct vireo_fw_cfg *fw, uint16_t key, const void *data, size_t len, int r)
{
	return r ? r : vireo_fw_cfg_add_item(fw, key, data, len);
}

/* For messages: a file the caller did not name. */
static const char *image_name(const char *name)
{
	return name ? name : "(image)";
}

int vireo_fw_linux_add(struct vireo_fw_cfg *fw, const struct vireo_layout *l,
		       const struct vireo_linux_config *cfg, GError **error)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	const uint8_t *image = cfg->kernel;
	struct vireo_linux_header h;
	size_t cmdline_len = strlen(cmdline);
	uint32_t initrd_addr = 0;
	uint8_t *setup;
	int r;

	r = vireo_linux_parse(cfg->kernel_name, cfg->kernel, cfg->kernel_size, &h, error);
	if (r)
		return r;
	if (cmdline_len > h.cmdline_size)
		return vireo_error_set(error, EINVAL,
				       "%s: the command line has %zu bytes, the kernel takes at most %u",
				       image_name(cfg->kernel_name), cmdline_len, h.cmdline_size);
	if (cfg->initrd_size) {
		initrd_addr = initrd_place(l, &h, cfg->initrd_size);
		if (!initrd_addr)
			return vireo_error_set(error, EINVAL,
					       "%s: %zu bytes do not fit below %#x and the top of low RAM",
					       image_name(cfg->initrd_name), cfg->initrd_size,
					       h.initrd_addr_max);
	}

	setup = malloc(h.kernel_offset);
	if (!setup)
		return -ENOMEM;
	memcpy(setup, image, h.kernel_offset);
	setup[VIREO_LINUX_TYPE_OF_LOADER] = VIREO_FW_LINUX_LOADER_TYPE;
	setup[VIREO_LINUX_LOADFLAGS] |= VIREO_LINUX_CAN_USE_HEAP;
	vireo_put_le16(setup + VIREO_LINUX_HEAP_END_PTR,
		       VIREO_FW_LINUX_CMDLINE_ADDR - VIREO_FW_LINUX_SETUP_ADDR - 0x200);
	vireo_put_le32(setup + VIREO_LINUX_CMD_LINE_PTR, VIREO_FW_LINUX_CMDLINE_ADDR);
	vireo_put_le32(setup + VIREO_LINUX_RAMDISK_IMAGE, initrd_addr);
	vireo_put_le32(setup + VIREO_LINUX_RAMDISK_SIZE, (uint32_t)cfg->initrd_size);

	r = add_u32(fw, VIREO_FW_CFG_SETUP_ADDR, VIREO_FW_LINUX_SETUP_ADDR, 0);
	r = add_u32(fw, VIREO_FW_CFG_SETUP_SIZE, (uint32_t)h.kernel_offset, r);
	r = add_data(fw, VIREO_FW_CFG_SETUP_DATA, setup, h.kernel_offset, r);
	r = add_u32(fw, VIREO_FW_CFG_KERNEL_ADDR, VIREO_FW_LINUX_KERNEL_ADDR, r);
	r = add_u32(fw, VIREO_FW_CFG_KERNEL_SIZE, (uint32_t)(cfg->kernel_size - h.kernel_offset), r);
	r = add_data(fw, VIREO_FW_CFG_KERNEL_DATA, image + h.kernel_offset,
		     cfg->kernel_size - h.kernel_offset, r);
	r = add_u32(fw, VIREO_FW_CFG_CMDLINE_ADDR, VIREO_FW_LINUX_CMDLINE_ADDR, r);
	r = add_u32(fw, VIREO_FW_CFG_CMDLINE_SIZE, (uint32_t)cmdline_len + 1, r);
	r = add_data(fw, VIREO_FW_CFG_CMDLINE_DATA, cmdline, cmdline_len + 1, r);
	if (cfg->initrd_size) {
		r = add_u32(fw, VIREO_FW_CFG_INITRD_ADDR, initrd_addr, r);
		r = add_u32(fw, VIREO_FW_CFG_INITRD_SIZE, (uint32_t)cfg->initrd_size, r);
		r = add_data(fw, VIREO_FW_CFG_INITRD_DATA, cfg->initrd, cfg->initrd_size, r);
	}
	free(setup);
	if (r)
		vireo_error_set(error, r, "%s: fw_cfg: %s", image_name(cfg->kernel_name),
				strerror(-r));
	return r;
}
