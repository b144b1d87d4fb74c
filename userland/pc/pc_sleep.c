// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI S3, suspend to RAM, on the PC machine: the monitor's part of what
 * the guest asks the PM block for (acpi/pm.h), and the firmware's part of
 * the wake, since there is no firmware.
 *
 * Entering (ACPI 6.5 16.1.3, "S3 Sleeping State": processor context lost,
 * memory kept): the PM block calls vireo_pc_sleep_enter() on the vCPU
 * thread that wrote SLP_EN.  It sets pc->asleep, which every vCPU thread
 * obeys at its hold point (pc_vcpu.c) before its next VIREO_RUN, and asks
 * the main thread to kick the others out of the kernel until all are
 * parked.  RAM and the device models are left as they are: their timers
 * keep running in the I/O loop, which is how the RTC alarm can fire.
 *
 * Waking: the PM block calls vireo_pc_sleep_wake() from whichever thread
 * made the wake event (the control socket's power button and the RTC's
 * timer both reach it through the I/O loop), with locks held, so it only
 * asks the main thread.  There, the processors restart as after a reset:
 * an INIT to every vCPU (the in-kernel LAPIC: registers to their power-on
 * values, LAPIC reset, wait-for-SIPI; SDM vol. 3 10.1.1 and 12.4.7.3),
 * and for the BSP the firmware's jump to the FACS waking vector in real
 * mode (ACPI 6.5 5.2.10: CS = vector >> 4, IP = vector & 0xf), made by a
 * SIPI to a five-byte far jump the monitor writes at WAKE_TRAMPOLINE, as
 * firmware code would.  The APs stay waiting for the OS's INIT-SIPI-SIPI.
 * Only then may the vCPU threads go on.  Unlike a BIOS, the trampoline
 * leaves CR0 as INIT made it (CD and NW set): the OS's wake code loads
 * its own CR0 on the way to protected mode (Linux's wakeup_asm.S does).
 *
 * What the monitor cannot do as the spec says ends in a reset of the
 * machine, as a firmware with no resume path would: a waking vector of 0
 * or above 1 MiB, a non-zero X_Firmware_Waking_Vector (the FACS does not
 * offer the 64-bit wake and a 32-bit protected-mode wake is not done
 * here), or a vCPU whose LAPIC refuses the INIT (disabled by the guest in
 * IA32_APIC_BASE, or its APIC ID changed).
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "boot/image.h"

#include "pc.h"

/*
 * The page of the BIOS area (0xe0000-0xfffff, reserved in the e820 map)
 * that plays the firmware's resume code: above the ACPI tables, which
 * vireo_pc_build() checks.
 */
#define WAKE_TRAMPOLINE		0xff000ULL
#define REAL_MODE_LIMIT		0x100000ULL

/* MSI data (SDM vol. 3 12.11.2): delivery mode INIT (101b) / Start-Up (110b). */
#define MSI_ADDRESS(apic_id)	(0xfee00000ULL | (uint64_t)(apic_id) << 12)
#define MSI_DM_INIT		(5U << 8)
#define MSI_DM_STARTUP		(6U << 8)
#define MSI_LEVEL_ASSERT	(1U << 14)

#define REQ_ENTER		(1U << 0)
#define REQ_WAKE		(1U << 1)

static void ask_main(struct vireo_pc *pc, unsigned int req)
{
	uint64_t one = 1;
	ssize_t n;

	atomic_fetch_or(&pc->sleep_requests, req);
	n = write(pc->event_fd, &one, sizeof(one));
	(void)n;	/* a full counter is still readable: the loop wakes */
}

void vireo_pc_sleep_enter(void *opaque)
{
	struct vireo_pc *pc = opaque;

	/* This thread parks at its next hold point; the others need a kick. */
	atomic_store(&pc->asleep, true);
	ask_main(pc, REQ_ENTER);
}

void vireo_pc_sleep_wake(void *opaque)
{
	ask_main(opaque, REQ_WAKE);
}

bool vireo_pc_sleep_trampoline_fits(const struct vireo_pc *pc)
{
	return pc->acpi.end <= WAKE_TRAMPOLINE && WAKE_TRAMPOLINE + 5 <= pc->layout.low_end;
}

/* The firmware's resume path failed: start over, as a power-on would. */
static void wake_by_reset(struct vireo_pc *pc, const char *why)
{
	fprintf(pc->err, "vireo-run: note: S3 wake: %s; resetting the machine\n", why);
	atomic_store(&pc->host->ctl.suspended, false);
	vireo_pc_request(pc, VIREO_PC_RESET);
}

/* INIT every vCPU; false if one's LAPIC did not take it. */
static bool init_all(struct vireo_pc *pc)
{
	unsigned int i;

	for (i = 0; i < pc->nr_vcpus; i++)
		if (vireo_pc_msi(pc, MSI_ADDRESS(pc->vcpus[i].id),
				 MSI_DM_INIT | MSI_LEVEL_ASSERT) <= 0)
			return false;
	return true;
}

static void wake_machine(struct vireo_pc *pc)
{
	const uint8_t *facs = pc->ram + pc->acpi.facs;
	uint32_t vector = vireo_le32(facs + VIREO_ACPI_FACS_WAKING_VECTOR);
	uint64_t x_vector = vireo_le64(facs + VIREO_ACPI_FACS_X_WAKING_VECTOR);
	uint8_t *jump = pc->ram + WAKE_TRAMPOLINE;
	struct vireo_pc_hold *h = &pc->host->hold;

	/* An enter not yet serviced: every vCPU is out of the guest first. */
	vireo_pc_vcpus_hold_wait(pc);
	if (x_vector) {
		wake_by_reset(pc, "the OS set X_Firmware_Waking_Vector (not supported)");
		return;
	}
	if (!vector || vector >= REAL_MODE_LIMIT) {
		wake_by_reset(pc, vector ? "the waking vector is above 1 MiB"
					 : "no waking vector in the FACS");
		return;
	}
	/* JMP FAR (vector >> 4):(vector & 0xf) */
	jump[0] = 0xea;
	vireo_put_le16(jump + 1, (uint16_t)(vector & 0xf));
	vireo_put_le16(jump + 3, (uint16_t)(vector >> 4));
	if (!init_all(pc) ||
	    vireo_pc_msi(pc, MSI_ADDRESS(pc->vcpus[0].id),
			 MSI_DM_STARTUP | MSI_LEVEL_ASSERT | (uint32_t)(WAKE_TRAMPOLINE >> 12)) <= 0) {
		wake_by_reset(pc, "a vCPU's local APIC refused INIT or SIPI");
		return;
	}
	if (pc->opts->verbose) {
		uint16_t sts = vireo_pm_status(pc->pm);

		fprintf(pc->err, "vireo-run: note: S3 wake by%s%s: BSP to %04x:%04x\n",
			sts & VIREO_PM1_PWRBTN ? " the power button" : "",
			sts & VIREO_PM1_RTC ? " the RTC alarm" : "", vector >> 4, vector & 0xf);
	}
	pthread_mutex_lock(&h->lock);
	atomic_store(&pc->asleep, false);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	atomic_store(&pc->host->ctl.suspended, false);
	vireo_pc_control_emit_state(&pc->host->ctl, vireo_pc_control_state(&pc->host->ctl),
				    "wake");
}

void vireo_pc_sleep_service(struct vireo_pc *pc)
{
	unsigned int req = atomic_exchange(&pc->sleep_requests, 0);

	if (req & REQ_ENTER) {
		vireo_pc_vcpus_hold_wait(pc);
		if (pc->opts->verbose)
			fprintf(pc->err, "vireo-run: note: the guest entered S3\n");
		atomic_store(&pc->host->ctl.suspended, true);
		vireo_pc_control_emit_state(&pc->host->ctl,
					    vireo_pc_control_state(&pc->host->ctl), "suspend");
	}
	if (req & REQ_WAKE)
		wake_machine(pc);
}
