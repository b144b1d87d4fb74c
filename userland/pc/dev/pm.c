// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM block (acpi/pm.h) as a device of the PC: its ports, the SCI,
 * S5 and S3 as machine requests.  The SCI is the line the FADT names
 * (SCI_INT, acpi/tables.c), so the table must give that one.
 */
#include <errno.h>
#include <stdlib.h>

#include "acpi/pm.h"
#include "hw/irq.h"

#include "models.h"

struct pc_pm {
	struct vireo_pm pm;	/* first: the handlers' and the machine's dev */
	const struct vireo_pc_services *svc;
};

static void poweroff(void *opaque)
{
	struct pc_pm *p = opaque;

	p->svc->request(p->svc->machine, VIREO_PC_DEV_POWEROFF, 0);
}

static void suspend(void *opaque)
{
	struct pc_pm *p = opaque;

	p->svc->request(p->svc->machine, VIREO_PC_DEV_SLEEP, 0);
}

static void wake(void *opaque)
{
	struct pc_pm *p = opaque;

	p->svc->request(p->svc->machine, VIREO_PC_DEV_WAKE, 0);
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	struct vireo_pm_config cfg = {
		.irq = svc->irq(svc->machine),
		.poweroff = poweroff,
		.suspend = suspend,
		.wake = wake,
	};
	struct pc_pm *p;
	int r;

	(void)instance;
	if (vireo_pc_slot_line(slot, 0) != VIREO_IRQ_SCI || !cfg.irq)
		return vireo_pc_device_fail(svc, 0, "the ACPI PM block needs line %d (the FADT's SCI) and the router above it",
					    VIREO_IRQ_SCI);
	p = calloc(1, sizeof(*p));
	if (!p)
		return vireo_pc_device_fail(svc, -ENOMEM, "ACPI PM block");
	p->svc = svc;
	cfg.opaque = p;
	r = vireo_pm_init(&p->pm, &cfg);
	if (r) {
		free(p);
		return vireo_pc_device_fail(svc, r, "cannot set up the ACPI PM block");
	}
	*dev = &p->pm;
	return 0;
}

static void destroy(void *dev)
{
	vireo_pm_fini(dev);
	free(dev);	/* p: pm is its first member */
}

const struct vireo_pc_device_model vireo_pc_dev_pm = {
	.name = "acpi-pm",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_pm_desc,
	.state_section = "acpi-pm",
	.state_version = 1,
};
