// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host bridge and its bus (pci/pci.h) as a device of the PC:
 * CF8/CFC and ECAM, and the BARs of the functions plugged on it, all
 * decoded at run time; INTx into the router, MSI-X to the machine.  The
 * virtio functions below it in the table plug onto it; once every device
 * exists, the firmware's BAR assignment runs (complete).
 */
#include <errno.h>
#include <stdlib.h>

#include "boot/layout.h"
#include "hw/irq.h"
#include "pci/pci.h"

#include "models.h"

struct pc_pci {
	struct vireo_pci_bus bus;	/* first: the machine's and the plugs' dev */
	const struct vireo_pc_services *svc;
	struct vireo_irq_router *irq;
};

static void set_gsi(void *opaque, unsigned int gsi, bool asserted)
{
	struct pc_pci *p = opaque;

	vireo_irq_set(p->irq, gsi, asserted);
}

static int msi(void *opaque, uint64_t address, uint32_t data)
{
	struct pc_pci *p = opaque;

	return p->svc->msi(p->svc->machine, address, data);
}

static const struct vireo_pci_irq_ops irq_ops = {
	.set_gsi = set_gsi,
	.msi = msi,
};

static int decode_pio(void *dev, uint16_t port, unsigned int size, bool is_write,
		      uint32_t *data)
{
	return vireo_pci_pio(dev, port, size, is_write, data);
}

static int decode_mmio(void *dev, uint64_t gpa, unsigned int size, bool is_write,
		       uint64_t *data)
{
	return vireo_pci_mmio(dev, gpa, size, is_write, data);
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	const struct vireo_layout *l = svc->layout;
	struct vireo_pci_bus_config bc = {
		.ecam_base = l->ecam_base,
		.ecam_buses = (unsigned int)(l->ecam_size >> 20),
		.mem_base = l->mmio32_base,
		.mem_end = l->mmio32_base + l->mmio32_size,
		.io_base = VIREO_PCI_IO_BASE,
		.io_end = VIREO_PCI_IO_END,
		.irq = &irq_ops,
		.bar_change = svc->pci_bar_change,
		.bar_opaque = svc->machine,
	};
	struct pc_pci *p;
	int r;

	(void)slot;
	(void)instance;
	if (!svc->irq(svc->machine))
		return vireo_pc_device_fail(svc, 0, "the PCI host needs the interrupt router above it");
	p = calloc(1, sizeof(*p));
	if (!p)
		return vireo_pc_device_fail(svc, -ENOMEM, "PCI host");
	p->svc = svc;
	p->irq = svc->irq(svc->machine);
	bc.irq_opaque = p;
	r = vireo_pci_bus_init(&p->bus, &bc);
	if (r) {
		free(p);
		return vireo_pc_device_fail(svc, r, "cannot set up the PCI bus");
	}
	*dev = &p->bus;
	return 0;
}

static int complete(void *dev)
{
	struct pc_pci *p = dev;	/* bus is its first member */
	int r = vireo_pci_bus_assign(&p->bus);

	return r ? vireo_pc_device_fail(p->svc, r, "PCI BAR assignment") : 0;
}

static void destroy(void *dev)
{
	vireo_pci_bus_fini(dev);
	free(dev);	/* the pc_pci: bus is its first member */
}

const struct vireo_pc_device_model vireo_pc_dev_pci_host = {
	.name = "pci-host",
	.create = create,
	.complete = complete,
	.destroy = destroy,
	.decode_pio = decode_pio,
	.decode_mmio = decode_mmio,
	.state_section = "pci",
	.state_version = 1,
};
