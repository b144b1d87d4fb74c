// SPDX-License-Identifier: GPL-2.0
/*
 * fw_cfg (fw/fw_cfg.h) as a device of the PC: ports 0x510-0x511 and
 * 0x514-0x51b, DMA through the machine's guest RAM, and the contents a
 * firmware reads: the numbered items (fw/pc_items.h), "etc/e820" and
 * SMBIOS.  The machine boots without firmware today, so nothing reads it
 * yet but a probing guest; the ACPI tables, the boot order and the kernel
 * items come with the firmware boot.  A guest's bad DMA request is told on
 * the monitor's error stream (the first few of them), never fatal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "boot/layout.h"
#include "fw/e820.h"
#include "fw/fw_cfg.h"
#include "fw/pc_items.h"
#include "fw/smbios.h"

#include "models.h"
#include "options.h"

#define ERRORS_SHOWN	8

struct fw_cfg_dev {
	struct vireo_fw_cfg fw;
	FILE *err;
	uint64_t errors_seen;	/* under fw.lock */
};

static int selector_pio(void *dev, uint16_t offset, unsigned int size, bool is_write,
			uint32_t *data)
{
	struct fw_cfg_dev *d = dev;

	return vireo_fw_cfg_pio(&d->fw, offset, size, is_write, data);
}

/* The DMA register, and a word on the error stream for a bad request. */
static int dma_pio(void *dev, uint16_t offset, unsigned int size, bool is_write, uint32_t *data)
{
	struct fw_cfg_dev *d = dev;
	int r = vireo_fw_cfg_dma_pio(&d->fw, offset, size, is_write, data);

	if (!is_write)
		return r;
	pthread_mutex_lock(&d->fw.lock);
	if (d->fw.dma_errors != d->errors_seen) {
		d->errors_seen = d->fw.dma_errors;
		if (d->errors_seen <= ERRORS_SHOWN)
			fprintf(d->err, "vireo-run: guest: %s (refused)%s\n", d->fw.last_error,
				d->errors_seen == ERRORS_SHOWN ? "; further ones not shown" : "");
	}
	pthread_mutex_unlock(&d->fw.lock);
	return r;
}

static const struct vireo_hw_pio_range fw_cfg_ports[] = {
	{ VIREO_FW_CFG_PORT, VIREO_FW_CFG_PORTS, selector_pio },
	{ VIREO_FW_CFG_DMA_PORT, VIREO_FW_CFG_DMA_PORTS, dma_pio },
};

static const struct vireo_hw_desc fw_cfg_desc = {
	.name = "fw_cfg",
	.pio = fw_cfg_ports,
	.nr_pio = 2,
	.line = -1,
};

/* The contents; 0 or -errno. */
static int fill(struct vireo_fw_cfg *fw, const struct vireo_pc_services *svc)
{
	const struct vireo_fw_pc_items items = {
		.nr_cpus = svc->opts->cpus,
		.max_cpus = svc->opts->cpus,
		.ram_size = svc->layout->ram_size,
		.nographic = true,		/* no display in the machine yet */
		.boot_fail_wait_ms = VIREO_FW_NEVER_REBOOT,
	};
	const struct vireo_smbios_config smbios = {
		.manufacturer = "Vireo",
		.product = "Vireo PC",
		.nr_cpus = svc->opts->cpus,
	};
	uint8_t *blob, anchor[VIREO_SMBIOS_ANCHOR_SIZE];
	size_t len;
	int r;

	r = vireo_fw_pc_add_items(fw, &items);
	if (r)
		return r;
	r = vireo_fw_e820_build(svc->layout, NULL, 0, &blob, &len);
	if (r)
		return r;
	r = vireo_fw_cfg_add_file(fw, VIREO_FW_E820_FILE, blob, len);
	free(blob);
	if (r)
		return r;
	r = vireo_smbios_build(&smbios, svc->layout, &blob, &len, anchor);
	if (r)
		return r;
	r = vireo_fw_cfg_add_file(fw, VIREO_SMBIOS_TABLES_FILE, blob, len);
	free(blob);
	if (!r)
		r = vireo_fw_cfg_add_file(fw, VIREO_SMBIOS_ANCHOR_FILE, anchor, sizeof(anchor));
	return r;
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct fw_cfg_dev *d = calloc(1, sizeof(*d));
	int r;

	(void)slot;
	(void)instance;
	if (!d)
		return vireo_pc_device_fail(svc, -ENOMEM, "fw_cfg");
	r = vireo_fw_cfg_init(&d->fw, svc->ram);
	if (r) {
		free(d);
		return vireo_pc_device_fail(svc, r, "cannot set up fw_cfg");
	}
	r = fill(&d->fw, svc);
	if (r) {
		vireo_fw_cfg_fini(&d->fw);
		free(d);
		return vireo_pc_device_fail(svc, r, "cannot fill fw_cfg");
	}
	d->err = svc->err;
	*dev = d;
	return 0;
}

static void reset(void *dev)
{
	struct fw_cfg_dev *d = dev;

	vireo_fw_cfg_reset(&d->fw);
}

static void destroy(void *dev)
{
	struct fw_cfg_dev *d = dev;

	vireo_fw_cfg_fini(&d->fw);
	free(d);
}

const struct vireo_pc_device_model vireo_pc_dev_fw_cfg = {
	.name = "fw_cfg",
	.create = create,
	.reset = reset,
	.destroy = destroy,
	.hw = &fw_cfg_desc,
	.state_section = "fw_cfg",
	.state_version = 1,
};
