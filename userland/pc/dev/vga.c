// SPDX-License-Identifier: GPL-2.0
/*
 * --vga: the standard VGA with Bochs VBE (display/vga_pci.h) as a PCI
 * function on the PC's bus, its legacy ports and window registered from
 * vireo_vga_desc.  No ROM: vireo-run boots a kernel without firmware,
 * so nobody would run a VGA BIOS.
 *
 * Still missing, all on the machine's side (display/README.md): the
 * window 0xa0000-0xbffff is RAM in the layout, so the legacy window never
 * reaches the device; video memory is not a memory slot following BAR 0,
 * so framebuffer accesses exit and go through the PCI bus; nothing
 * renders the screen.
 */
#include <errno.h>
#include <stdlib.h>

#include "display/vga_pci.h"
#include "options.h"
#include "pci/pci.h"

#include "models.h"

static unsigned int count(const struct vireo_options *opts)
{
	return opts->vga ? 1 : 0;
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_pci_bus *bus = svc->find(svc->machine, &vireo_pc_dev_pci_host, 0);
	struct vireo_vga_pci *vp;
	int r;

	(void)slot;
	(void)instance;
	if (!bus)
		return vireo_pc_device_fail(svc, 0, "the VGA needs the PCI host above it");
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return vireo_pc_device_fail(svc, -ENOMEM, "VGA");
	r = vireo_vga_pci_init(vp, 0, NULL);
	if (r) {
		free(vp);
		return vireo_pc_device_fail(svc, r, "cannot make the VGA's video memory");
	}
	r = vireo_pci_bus_add(bus, &vp->pci, -1);
	if (r) {
		vireo_vga_pci_fini(vp);
		free(vp);
		return vireo_pc_device_fail(svc, r, "no PCI slot for the VGA");
	}
	*dev = &vp->vga;	/* the legacy handlers' dev; vga is vp's first member */
	return 0;
}

static void destroy(void *dev)
{
	struct vireo_vga_pci *vp = dev;

	vireo_vga_pci_fini(vp);
	free(vp);
}

const struct vireo_pc_device_model vireo_pc_dev_vga = {
	.name = "vga",
	.count = count,
	.create = create,
	.destroy = destroy,
	.hw = &vireo_vga_desc,
	.state_section = "vga",
	.state_version = 1,
};
