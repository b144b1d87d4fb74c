// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 RTC and CMOS (hw/rtc.h) as a device of the PC: ports
 * 0x70-0x71, one line, a timer, the RAM sizes in CMOS, and its alarm
 * into the ACPI PM block (above it in the table) as the RTC wake event.
 */
#include <errno.h>
#include <stdlib.h>

#include "acpi/pm.h"
#include "boot/layout.h"
#include "hw/rtc.h"

#include "models.h"

static void expired(void *dev)
{
	vireo_rtc_timer(dev);
}

static void alarm(void *pm)
{
	vireo_pm_rtc_alarm(pm);
}

static int create(const struct vireo_pc_services *svc, const struct vireo_pc_slot *slot,
		  unsigned int instance, void **dev)
{
	int line = vireo_pc_slot_line(slot, 0);
	struct vireo_pm *pm = svc->find(svc->machine, &vireo_pc_dev_pm, 0);
	struct vireo_timer timer;
	struct vireo_rtc *rtc;
	int r;

	(void)instance;
	if (line < 0 || !svc->irq(svc->machine))
		return vireo_pc_device_fail(svc, 0, "the RTC needs an interrupt line and the router above it");
	rtc = calloc(1, sizeof(*rtc));
	if (!rtc)
		return vireo_pc_device_fail(svc, -ENOMEM, "RTC");
	r = svc->timer(svc->machine, expired, rtc, &timer);
	if (!r)
		r = vireo_rtc_init(rtc, svc->irq(svc->machine), (unsigned int)line,
				   vireo_clock_monotonic, timer, vireo_clock_utc_ns());
	if (r) {
		free(rtc);
		return vireo_pc_device_fail(svc, r, "cannot set up the RTC");
	}
	vireo_rtc_set_memory(rtc, svc->layout->low_end, svc->layout->high_size);
	if (pm)
		vireo_rtc_set_alarm_hook(rtc, alarm, pm);
	*dev = rtc;
	return 0;
}

static void destroy(void *dev)
{
	vireo_rtc_fini(dev);
	free(dev);
}

const struct vireo_pc_device_model vireo_pc_dev_rtc = {
	.name = "rtc",
	.create = create,
	.destroy = destroy,
	.hw = &vireo_rtc_desc,
	.state_section = "rtc",
	.state_version = 1,
};
