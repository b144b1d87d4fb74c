// SPDX-License-Identifier: GPL-2.0
/* The numbered items and small files of a PC's fw_cfg (pc_items.h). */
#include <errno.h>
#include <stdlib.h>

#include "fw/pc_items.h"

/* NUMA: a zero node count and one zero LE64 per possible CPU. */
static int add_numa(struct vireo_fw_cfg *fw, unsigned int max_cpus)
{
	uint8_t *numa = calloc(1 + (size_t)max_cpus, 8);
	int r;

	if (!numa)
		return -ENOMEM;
	r = vireo_fw_cfg_add_item(fw, VIREO_FW_CFG_NUMA, numa, (1 + (size_t)max_cpus) * 8);
	free(numa);
	return r;
}

int vireo_fw_pc_add_items(struct vireo_fw_cfg *fw, const struct vireo_fw_pc_items *c)
{
	static const uint8_t no_uuid[16];
	uint8_t cpus_le[2] = { (uint8_t)c->nr_cpus, (uint8_t)(c->nr_cpus >> 8) };
	uint8_t wait_le[4];
	unsigned int i;
	int r;

	if (!c->nr_cpus || c->nr_cpus > c->max_cpus || c->max_cpus > 0xffff)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		wait_le[i] = (uint8_t)(c->boot_fail_wait_ms >> (8 * i));

	r = vireo_fw_cfg_add_u16(fw, VIREO_FW_CFG_NB_CPUS, (uint16_t)c->nr_cpus);
	if (!r)
		r = vireo_fw_cfg_add_u16(fw, VIREO_FW_CFG_MAX_CPUS, (uint16_t)c->max_cpus);
	if (!r)
		r = vireo_fw_cfg_add_u64(fw, VIREO_FW_CFG_RAM_SIZE, c->ram_size);
	if (!r)
		r = vireo_fw_cfg_add_u16(fw, VIREO_FW_CFG_NOGRAPHIC, c->nographic);
	if (!r)
		r = vireo_fw_cfg_add_u16(fw, VIREO_FW_CFG_BOOT_MENU, c->boot_menu);
	if (!r)
		r = vireo_fw_cfg_add_item(fw, VIREO_FW_CFG_UUID, c->uuid ? c->uuid : no_uuid, 16);
	if (!r)
		r = add_numa(fw, c->max_cpus);
	if (!r)
		r = vireo_fw_cfg_add_u32(fw, VIREO_FW_CFG_IRQ0_OVERRIDE, 1);
	if (!r)
		r = vireo_fw_cfg_add_file(fw, VIREO_FW_BOOT_CPUS_FILE, cpus_le, sizeof(cpus_le));
	if (!r)
		r = vireo_fw_cfg_add_file(fw, VIREO_FW_BOOT_FAIL_WAIT_FILE, wait_le,
					  sizeof(wait_le));
	return r;
}
