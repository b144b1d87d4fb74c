// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's buses as the vCPU threads see them: which port or MMIO address
 * goes to which device model.  The tables are filled while building (the
 * devices' fixed ranges, pc_devices.c) and only read afterwards, so
 * lookups take no lock; every device locks itself.  Ports: the fixed
 * ranges, then the chipset's bits, then the decoders (the PCI bus: CF8/CFC
 * and I/O BARs).  MMIO: the xAPIC page goes to the vCPU's in-kernel LAPIC
 * (VIREO_APIC_ACCESS), then the fixed regions (the IOAPIC page), then the
 * decoders (ECAM and memory BARs).  What nobody claims behaves like an
 * empty ISA bus: reads return all-ones, writes vanish.
 *
 * Ports the monitor answers itself, the chipset's bits:
 *   0x92         PS/2 system control port A: bit 0 resets, bit 1 is A20
 *   0xcf9        PIIX reset control: writing bit 2 resets (0x06, 0x0e)
 */
#include <errno.h>
#include <inttypes.h>

#include "pc.h"

#define PORT_A		0x92
#define PORT_RESET_CTL	0xcf9

int vireo_pc_add_ports(struct vireo_pc *pc, uint16_t base, uint16_t len,
		       vireo_pio_handler_fn handler, void *dev, const char *name)
{
	struct vireo_pc_port_range *r;

	if (pc->nr_ports == VIREO_PC_MAX_PORT_RANGES)
		return -ENOSPC;
	r = &pc->ports[pc->nr_ports++];
	r->base = base;
	r->len = len;
	r->handler = handler;
	r->dev = dev;
	r->name = name;
	return 0;
}

int vireo_pc_add_mmio(struct vireo_pc *pc, uint64_t base, uint64_t len,
		      vireo_mmio_handler_fn handler, void *dev, const char *name)
{
	struct vireo_pc_mmio_region *r;

	if (pc->nr_mmio == VIREO_PC_MAX_MMIO_REGIONS)
		return -ENOSPC;
	r = &pc->mmio[pc->nr_mmio++];
	r->base = base;
	r->len = len;
	r->handler = handler;
	r->dev = dev;
	r->name = name;
	return 0;
}

int vireo_pc_add_decoder(struct vireo_pc *pc, vireo_pc_decode_pio_fn pio,
			 vireo_pc_decode_mmio_fn mmio, void *dev)
{
	struct vireo_pc_decoder *d;

	if (pc->nr_decoders == VIREO_PC_MAX_DECODERS)
		return -ENOSPC;
	d = &pc->decoders[pc->nr_decoders++];
	d->pio = pio;
	d->mmio = mmio;
	d->dev = dev;
	return 0;
}

static uint32_t ones(unsigned int size)
{
	return size >= 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

/* The chipset's own ports; true if port was one of them. */
static bool chipset_pio(struct vireo_pc *pc, uint16_t port, unsigned int size, bool is_write,
			uint32_t *data)
{
	switch (port) {
	case PORT_A:
		if (!is_write) {
			*data = 0x02;	/* A20 on */
		} else if (*data & 1) {
			vireo_pc_request(pc, VIREO_PC_RESET);
		}
		return true;
	case PORT_RESET_CTL:
		if (size != 1)
			return false;	/* 0xcf8 as a dword is the PCI bridge's */
		if (!is_write)
			*data = 0;
		else if (*data & 0x04)
			vireo_pc_request(pc, VIREO_PC_RESET);
		return true;
	}
	return false;
}

int vireo_pc_pio(void *opaque, uint16_t port, unsigned int size, bool is_write, uint32_t *data)
{
	struct vireo_pc_vcpu *v = opaque;
	struct vireo_pc *pc = v->pc;
	unsigned int i;

	if (!is_write)
		*data = ones(size);
	for (i = 0; i < pc->nr_ports; i++) {
		const struct vireo_pc_port_range *r = &pc->ports[i];

		if (port >= r->base && port - r->base < r->len) {
			/* An access running past the range: the ISA bus splits it. */
			if (port - r->base + size > r->len)
				break;
			r->handler(r->dev, (uint16_t)(port - r->base), size, is_write, data);
			if (!is_write)
				*data &= ones(size);
			return 0;
		}
	}
	if (chipset_pio(pc, port, size, is_write, data))
		return 0;
	for (i = 0; i < pc->nr_decoders; i++) {
		const struct vireo_pc_decoder *d = &pc->decoders[i];

		if (d->pio && d->pio(d->dev, port, size, is_write, data) == 0) {
			if (!is_write)
				*data &= ones(size);
			return 0;
		}
	}
	if (!is_write)
		*data = ones(size);
	atomic_fetch_add(&pc->unhandled_pio, 1);
	return 0;
}

static int apic_mmio(struct vireo_pc_vcpu *v, uint64_t offset, unsigned int size, bool is_write,
		     uint64_t *data)
{
	uint32_t val = (uint32_t)*data;
	int r;

	/* The LAPIC's registers are 32 bits wide and 16-byte aligned (SDM 11.4.1). */
	if (size != 4 || (offset & 3)) {
		if (!is_write)
			*data = 0;
		return 0;
	}
	r = vireo_pc_apic_access(v->vcpu, (uint32_t)offset, is_write, &val);
	if (r == -ENXIO) {
		/*
		 * The APIC is off (IA32_APIC_BASE[11] = 0: SDM vol. 3 11.4.3,
		 * "functionally equivalent to an IA-32 processor without an
		 * on-chip APIC") or in x2APIC mode (11.12.1.2: the MMIO
		 * interface then behaves as a globally disabled xAPIC's).  The
		 * access goes to the bus, where nothing answers on a PC.
		 */
		if (!is_write)
			*data = 0xffffffffU;
		atomic_fetch_add(&v->pc->unhandled_mmio, 1);
		return 0;
	}
	if (r) {
		/* -EINVAL: this function sent the kernel an access it refuses. */
		fprintf(v->pc->err, "vireo-run: vCPU %u: xAPIC %s at 0x%03" PRIx64 " failed: %s\n",
			v->id, is_write ? "write" : "read", offset, vireo_strerror(r));
		vireo_pc_request(v->pc, VIREO_PC_ERROR);
		return 0;
	}
	if (!is_write)
		*data = val;
	return 0;
}

int vireo_pc_mmio(void *opaque, uint64_t gpa, unsigned int size, bool is_write, uint64_t *data)
{
	struct vireo_pc_vcpu *v = opaque;
	struct vireo_pc *pc = v->pc;
	uint64_t all = size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	unsigned int i;

	if (gpa - VIREO_LAYOUT_LAPIC_BASE < VIREO_LAYOUT_APIC_PAGE)
		return apic_mmio(v, gpa - VIREO_LAYOUT_LAPIC_BASE, size, is_write, data);
	for (i = 0; i < pc->nr_mmio; i++) {
		const struct vireo_pc_mmio_region *r = &pc->mmio[i];

		if (gpa - r->base < r->len) {
			if (!is_write)
				*data = all;
			r->handler(r->dev, gpa - r->base, size, is_write, data);
			if (!is_write)
				*data &= all;
			return 0;
		}
	}
	for (i = 0; i < pc->nr_decoders; i++) {
		const struct vireo_pc_decoder *d = &pc->decoders[i];

		if (d->mmio && d->mmio(d->dev, gpa, size, is_write, data) == 0) {
			if (!is_write)
				*data &= all;
			return 0;
		}
	}
	if (!is_write)
		*data = all;
	atomic_fetch_add(&pc->unhandled_mmio, 1);
	return 0;
}
