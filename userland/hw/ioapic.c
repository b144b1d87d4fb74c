// SPDX-License-Identifier: GPL-2.0
/*
 * 82093AA IOAPIC model (ioapic.h).  Datasheet: Intel 290566, "82093AA
 * I/O Advanced Programmable Interrupt Controller", section 3.
 */
#include <errno.h>

#include "hw/ioapic.h"

/* Bits the guest may write: everything but delivery status and remote IRR. */
#define ENTRY_WRITABLE_LO	0x0001afffULL
#define ENTRY_WRITABLE_HI	0xff000000ULL
#define ID_MASK			0x0f000000U
#define REDTBL_END		(VIREO_IOAPIC_REG_REDTBL + 2 * VIREO_IOAPIC_PINS)

const struct vireo_hw_desc vireo_ioapic_desc = {
	.name = "ioapic",
	.mmio_base = VIREO_IOAPIC_BASE,
	.mmio_len = VIREO_IOAPIC_SIZE,
	.mmio = vireo_ioapic_mmio,
	.line = -1,
};

int vireo_ioapic_init(struct vireo_ioapic *io, vireo_msi_fn msi, void *msi_opaque)
{
	unsigned int i;

	io->msi = msi;
	io->msi_opaque = msi_opaque;
	io->regsel = 0;
	io->id = 0;
	io->arb = 0;
	io->input = 0;
	io->sent = 0;
	io->refused = 0;
	for (i = 0; i < VIREO_IOAPIC_PINS; i++)
		io->redir[i] = VIREO_IOAPIC_MASKED;
	return -pthread_mutex_init(&io->lock, NULL);
}

void vireo_ioapic_fini(struct vireo_ioapic *io)
{
	pthread_mutex_destroy(&io->lock);
}

bool vireo_ioapic_entry_msi(uint64_t entry, uint64_t *address, uint32_t *data)
{
	unsigned int dm = (entry >> VIREO_IOAPIC_DM_SHIFT) & 7;
	uint8_t dest = (uint8_t)(entry >> VIREO_IOAPIC_DEST_SHIFT);

	if (dm == VIREO_DM_EXTINT || dm == 3 || dm == 6)
		return false;
	*address = vireo_msi_address(dest, entry & VIREO_IOAPIC_LOGICAL, dm == VIREO_DM_LOWEST);
	*data = vireo_msi_data((uint8_t)(entry & VIREO_IOAPIC_VECTOR_MASK), dm,
			       entry & VIREO_IOAPIC_LEVEL);
	return true;
}

/* Send pin's message if the entry lets it through.  Lock held. */
static void fire(struct vireo_ioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];
	uint64_t address;
	uint32_t data;
	int ret;

	if (e & VIREO_IOAPIC_MASKED)
		return;
	if ((e & VIREO_IOAPIC_LEVEL) && (e & VIREO_IOAPIC_REMOTE_IRR))
		return;
	if (!vireo_ioapic_entry_msi(e, &address, &data))
		return;
	ret = io->msi(io->msi_opaque, address, data);
	if (ret <= 0) {
		/* Nobody took it: a level pin stays free to fire again. */
		io->refused++;
		return;
	}
	io->sent++;
	if (e & VIREO_IOAPIC_LEVEL)
		io->redir[pin] |= VIREO_IOAPIC_REMOTE_IRR;
}

/* A level pin whose input is up fires when nothing holds it back. */
static void fire_if_level_pending(struct vireo_ioapic *io, unsigned int pin)
{
	if ((io->redir[pin] & VIREO_IOAPIC_LEVEL) && (io->input & (1U << pin)))
		fire(io, pin);
}

void vireo_ioapic_set_irq(struct vireo_ioapic *io, unsigned int pin, bool level)
{
	uint32_t bit;
	bool was;

	if (pin >= VIREO_IOAPIC_PINS)
		return;
	bit = 1U << pin;
	pthread_mutex_lock(&io->lock);
	was = io->input & bit;
	if (level)
		io->input |= bit;
	else
		io->input &= ~bit;
	if (level) {
		if (io->redir[pin] & VIREO_IOAPIC_LEVEL)
			fire(io, pin);
		else if (!was)
			fire(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

void vireo_ioapic_eoi(struct vireo_ioapic *io, uint8_t vector)
{
	unsigned int pin;

	pthread_mutex_lock(&io->lock);
	for (pin = 0; pin < VIREO_IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if ((e & VIREO_IOAPIC_VECTOR_MASK) != vector || !(e & VIREO_IOAPIC_LEVEL) ||
		    !(e & VIREO_IOAPIC_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~VIREO_IOAPIC_REMOTE_IRR;
		fire_if_level_pending(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

uint64_t vireo_ioapic_entry(struct vireo_ioapic *io, unsigned int pin)
{
	uint64_t e;

	if (pin >= VIREO_IOAPIC_PINS)
		return 0;
	pthread_mutex_lock(&io->lock);
	e = io->redir[pin];
	pthread_mutex_unlock(&io->lock);
	return e;
}

/* The register IOREGSEL selects.  Lock held. */
static uint32_t reg_read(struct vireo_ioapic *io, uint32_t index)
{
	unsigned int pin;

	switch (index) {
	case VIREO_IOAPIC_REG_ID:
		return io->id;
	case VIREO_IOAPIC_REG_VER:
		return (VIREO_IOAPIC_PINS - 1) << 16 | VIREO_IOAPIC_VERSION;
	case VIREO_IOAPIC_REG_ARB:
		return io->arb;
	}
	if (index < VIREO_IOAPIC_REG_REDTBL || index >= REDTBL_END)
		return 0;
	pin = (index - VIREO_IOAPIC_REG_REDTBL) / 2;
	if (index & 1)
		return (uint32_t)(io->redir[pin] >> 32);
	return (uint32_t)io->redir[pin];
}

static void reg_write(struct vireo_ioapic *io, uint32_t index, uint32_t value)
{
	unsigned int pin;
	uint64_t e;

	if (index == VIREO_IOAPIC_REG_ID) {
		/* The datasheet: the arbitration ID is loaded with the ID. */
		io->id = value & ID_MASK;
		io->arb = io->id;
		return;
	}
	if (index < VIREO_IOAPIC_REG_REDTBL || index >= REDTBL_END)
		return;	/* version, arbitration, holes: read-only or nothing */
	pin = (index - VIREO_IOAPIC_REG_REDTBL) / 2;
	e = io->redir[pin];
	if (index & 1) {
		uint64_t hi = ENTRY_WRITABLE_HI << 32;

		e = (e & ~hi) | (((uint64_t)value << 32) & hi);
	} else {
		e = (e & ~ENTRY_WRITABLE_LO) | (value & ENTRY_WRITABLE_LO);
	}
	/* Remote IRR means nothing for edge; dropping it is Linux's old-IOAPIC EOI. */
	if (!(e & VIREO_IOAPIC_LEVEL))
		e &= ~VIREO_IOAPIC_REMOTE_IRR;
	io->redir[pin] = e;
	fire_if_level_pending(io, pin);
}

/*
 * 32-bit registers at 0x00 and 0x10; narrower accesses reach the bytes
 * they cover, wider ones are split into dwords.  Anything else in the
 * page reads 0 and ignores writes.
 */
static void dword_access(struct vireo_ioapic *io, uint64_t offset, unsigned int size,
			 bool is_write, uint32_t *value)
{
	unsigned int shift = (offset & 3) * 8;
	uint32_t mask = size >= 4 ? 0xffffffffU : ((1U << (8 * size)) - 1) << shift;
	uint64_t reg = offset & ~3ULL;
	uint32_t cur;

	if (reg == VIREO_IOAPIC_IOREGSEL)
		cur = io->regsel;
	else if (reg == VIREO_IOAPIC_IOWIN)
		cur = reg_read(io, io->regsel & 0xff);
	else
		cur = 0;
	if (!is_write) {
		*value = (cur & mask) >> shift;
		return;
	}
	cur = (cur & ~mask) | ((*value << shift) & mask);
	if (reg == VIREO_IOAPIC_IOREGSEL)
		io->regsel = cur & 0xff;
	else if (reg == VIREO_IOAPIC_IOWIN)
		reg_write(io, io->regsel & 0xff, cur);
}

int vireo_ioapic_mmio(void *dev, uint64_t offset, unsigned int size, bool is_write,
		      uint64_t *data)
{
	struct vireo_ioapic *io = dev;
	uint64_t result = 0;
	unsigned int done = 0;

	/* A monitor bug: no side effect. */
	if ((size != 1 && size != 2 && size != 4 && size != 8) || offset >= VIREO_IOAPIC_SIZE) {
		if (!is_write)
			*data = 0;
		return -EINVAL;
	}
	pthread_mutex_lock(&io->lock);
	while (done < size) {
		uint64_t off = offset + done;
		unsigned int chunk = 4 - (off & 3);
		uint32_t v;

		if (chunk > size - done)
			chunk = size - done;
		v = is_write ? (uint32_t)(*data >> (8 * done)) : 0;
		if (off < VIREO_IOAPIC_SIZE)
			dword_access(io, off, chunk, is_write, &v);
		if (!is_write)
			result |= (uint64_t)v << (8 * done);
		done += chunk;
	}
	pthread_mutex_unlock(&io->lock);
	if (!is_write)
		*data = result;
	return 0;
}
