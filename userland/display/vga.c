// SPDX-License-Identifier: GPL-2.0
/*
 * The VGA's register files behind ports 0x3b0-0x3df (FreeVGA's register
 * reference), the handlers the machine registers, video memory, and the
 * MMIO BAR that QEMU's stdvga adds.
 *
 * Every index register keeps only the bits its register file decodes;
 * data writes keep only the bits the register defines, so what the guest
 * reads back is what the hardware would hold.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/vga_internal.h"

/* Bits each register holds (FreeVGA's defined bits). */
static const uint8_t seq_wmask[VIREO_VGA_SEQ_REGS] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
static const uint8_t gc_wmask[VIREO_VGA_GC_REGS] = {
	0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff,
};

static uint8_t attr_wmask(unsigned int index)
{
	if (index < 0x10)
		return 0x3f;
	switch (index) {
	case VGA_AR_MODE:
		return 0xef;
	case VGA_AR_PLANE_ENABLE:
		return 0x3f;
	case 0x13:		/* horizontal pixel panning */
	case VGA_AR_COLOR_SELECT:
		return 0x0f;
	default:		/* 0x11, overscan colour */
		return 0xff;
	}
}

/* Ports 0x3b0-0x3bf answer only with mono addressing, 0x3d0-0x3df only with colour. */
static bool port_decoded(const struct vireo_vga *vga, uint16_t port)
{
	bool color = vga->misc & VGA_MISC_COLOR_IO;

	if (port >= 0x3b0 && port <= 0x3bf)
		return !color;
	if (port >= 0x3d0 && port <= 0x3df)
		return color;
	return true;
}

static void crtc_write(struct vireo_vga *vga, uint8_t val)
{
	unsigned int i = vga->crtc_index;

	if (i >= VIREO_VGA_CRTC_REGS)
		return;
	/* CR11 bit 7 write-protects CR0-CR7, except CR7's line compare bit 8. */
	if ((vga->crtc[VGA_CR_VRETRACE_END] & VGA_CR11_PROTECT) && i <= VGA_CR_OVERFLOW) {
		if (i == VGA_CR_OVERFLOW)
			vga->crtc[i] = (uint8_t)((vga->crtc[i] & ~VGA_CR7_LINE_COMPARE8) |
						 (val & VGA_CR7_LINE_COMPARE8));
		return;
	}
	vga->crtc[i] = val;
}

static void attr_write(struct vireo_vga *vga, uint8_t val)
{
	unsigned int i;

	if (!vga->attr_data_next) {
		vga->attr_index = val & 0x3f;
		vga->attr_data_next = true;
		return;
	}
	vga->attr_data_next = false;
	i = vga->attr_index & 0x1f;
	if (i >= VIREO_VGA_ATTR_REGS)
		return;
	/* The palette belongs to the display while PAS is 1 (FreeVGA, 3C0h). */
	if (i < 0x10 && (vga->attr_index & VGA_AR_INDEX_PAS))
		return;
	vga->attr[i] = val & attr_wmask(i);
}

static uint8_t dac_mask(const struct vireo_vga *vga)
{
	return (vga->vbe[VIREO_VBE_INDEX_ENABLE] & VIREO_VBE_8BIT_DAC) ? 0xff : 0x3f;
}

static void dac_data_write(struct vireo_vga *vga, uint8_t val)
{
	vga->dac[vga->dac_write_index][vga->dac_component] = val & dac_mask(vga);
	if (++vga->dac_component == 3) {
		vga->dac_component = 0;
		vga->dac_write_index++;
	}
}

static uint8_t dac_data_read(struct vireo_vga *vga)
{
	uint8_t v = vga->dac[vga->dac_read_index][vga->dac_component] & dac_mask(vga);

	if (++vga->dac_component == 3) {
		vga->dac_component = 0;
		vga->dac_read_index++;
	}
	return v;
}

uint8_t vga_port_read(struct vireo_vga *vga, uint16_t port)
{
	if (!port_decoded(vga, port))
		return 0xff;
	switch (port) {
	case 0x3c0:
		return vga->attr_index;
	case 0x3c1:
		return (vga->attr_index & 0x1f) < VIREO_VGA_ATTR_REGS ?
			       vga->attr[vga->attr_index & 0x1f] : 0;
	case 0x3c2:		/* input status 0: no switch sense, no CRT interrupt */
		return 0;
	case 0x3c4:
		return vga->seq_index;
	case 0x3c5:
		return vga->seq_index < VIREO_VGA_SEQ_REGS ? vga->seq[vga->seq_index] : 0;
	case 0x3c6:
		return vga->dac_pel_mask;
	case 0x3c7:		/* DAC state: 3 after a read index, 0 after a write index */
		return vga->dac_reading ? 0x03 : 0x00;
	case 0x3c8:
		return vga->dac_write_index;
	case 0x3c9:
		return dac_data_read(vga);
	case 0x3ca:
		return vga->feature;
	case 0x3cc:
		return vga->misc;
	case 0x3ce:
		return vga->gc_index;
	case 0x3cf:
		return vga->gc_index < VIREO_VGA_GC_REGS ? vga->gc[vga->gc_index] : 0;
	case 0x3b4:
	case 0x3d4:
		return vga->crtc_index;
	case 0x3b5:
	case 0x3d5:
		return vga->crtc_index < VIREO_VGA_CRTC_REGS ? vga->crtc[vga->crtc_index] : 0;
	case 0x3ba:
	case 0x3da:
		/*
		 * Input status 1 resets the attribute flip-flop (FreeVGA).  The
		 * retrace and display-disabled bits flip on every read, so a
		 * guest waiting for either edge sees it on its next read.
		 */
		vga->attr_data_next = false;
		vga->st01 ^= VGA_ST01_VRETRACE | VGA_ST01_DISP_DISABLED;
		return vga->st01;
	default:
		return 0xff;
	}
}

void vga_port_write(struct vireo_vga *vga, uint16_t port, uint8_t val)
{
	if (!port_decoded(vga, port))
		return;
	vga->generation++;
	switch (port) {
	case 0x3c0:
		attr_write(vga, val);
		break;
	case 0x3c2:
		vga->misc = val;
		break;
	case 0x3c4:
		vga->seq_index = val & 0x07;
		break;
	case 0x3c5:
		if (vga->seq_index < VIREO_VGA_SEQ_REGS)
			vga->seq[vga->seq_index] = val & seq_wmask[vga->seq_index];
		break;
	case 0x3c6:
		vga->dac_pel_mask = val;
		break;
	case 0x3c7:
		vga->dac_read_index = val;
		vga->dac_component = 0;
		vga->dac_reading = true;
		break;
	case 0x3c8:
		vga->dac_write_index = val;
		vga->dac_component = 0;
		vga->dac_reading = false;
		break;
	case 0x3c9:
		dac_data_write(vga, val);
		break;
	case 0x3ce:
		vga->gc_index = val & 0x0f;
		break;
	case 0x3cf:
		if (vga->gc_index < VIREO_VGA_GC_REGS)
			vga->gc[vga->gc_index] = val & gc_wmask[vga->gc_index];
		break;
	case 0x3b4:
	case 0x3d4:
		vga->crtc_index = val & 0x3f;
		break;
	case 0x3b5:
	case 0x3d5:
		crtc_write(vga, val);
		break;
	case 0x3ba:
	case 0x3da:
		vga->feature = val & 0x03;
		break;
	default:		/* 0x3c3 (VGA enable), unused ports */
		break;
	}
}

void vga_regs_reset(struct vireo_vga *vga)
{
	vga->misc = 0;
	vga->feature = 0;
	vga->st01 = 0;
	vga->seq_index = vga->crtc_index = vga->gc_index = vga->attr_index = 0;
	memset(vga->seq, 0, sizeof(vga->seq));
	memset(vga->crtc, 0, sizeof(vga->crtc));
	memset(vga->gc, 0, sizeof(vga->gc));
	memset(vga->attr, 0, sizeof(vga->attr));
	vga->attr_data_next = false;
	vga->dac_read_index = vga->dac_write_index = vga->dac_component = 0;
	vga->dac_reading = false;
	vga->dac_pel_mask = 0xff;
	memset(vga->dac, 0, sizeof(vga->dac));
	memset(vga->latch, 0, sizeof(vga->latch));
	vga->generation++;
}

static void vga_port_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_vga *vga = dev;
	uint16_t port = (uint16_t)(VIREO_VGA_PORT_BASE + port_offset);

	if (is_write)
		vga_port_write(vga, port, *byte);
	else
		*byte = vga_port_read(vga, port);
}

int vireo_vga_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_vga *vga = dev;
	int ret;

	pthread_mutex_lock(&vga->lock);
	ret = vireo_hw_pio_bytes(vga, port_offset, VIREO_VGA_PORTS, size, is_write, data,
				 vga_port_byte);
	pthread_mutex_unlock(&vga->lock);
	return ret;
}

/*
 * 0x1ce is the index, 0x1cf and 0x1d0 the data (QEMU decodes both, for
 * guests that keep 16-bit ports aligned).  The registers are 16 bits; a
 * byte access moves the low byte, a dword access is two word accesses.
 */
static void vbe_port_word(struct vireo_vga *vga, unsigned int port_offset, bool is_write,
			  uint16_t *val)
{
	if (port_offset == 0) {
		if (is_write)
			vga->vbe_index = *val;
		else
			*val = vga->vbe_index;
	} else if (port_offset < VIREO_VBE_PORTS) {
		if (is_write)
			vbe_write(vga, vga->vbe_index, *val);
		else
			*val = vbe_read(vga, vga->vbe_index);
	} else if (!is_write) {
		*val = 0xffff;
	}
}

int vireo_vbe_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_vga *vga = dev;
	uint16_t lo = (uint16_t)*data, hi = (uint16_t)(*data >> 16);

	if (port_offset >= VIREO_VBE_PORTS || (size != 1 && size != 2 && size != 4)) {
		if (!is_write)
			*data = 0xffffffffU;
		return -EINVAL;
	}
	if (size == 1 && is_write)
		lo &= 0xff;
	pthread_mutex_lock(&vga->lock);
	vbe_port_word(vga, port_offset, is_write, &lo);
	if (size == 4)
		vbe_port_word(vga, port_offset + 2U, is_write, &hi);
	pthread_mutex_unlock(&vga->lock);
	if (!is_write) {
		if (size == 1)
			*data = lo & 0xff;
		else if (size == 2)
			*data = lo;
		else
			*data = (uint32_t)hi << 16 | lo;
	}
	return 0;
}

int vireo_vga_mmio(void *dev, uint64_t offset, unsigned int size, bool is_write, uint64_t *data)
{
	struct vireo_vga *vga = dev;
	uint64_t v = 0;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || offset >= VIREO_VGA_WINDOW_SIZE ||
	    size > VIREO_VGA_WINDOW_SIZE - offset) {
		if (!is_write)
			*data = ~0ULL;
		return -EINVAL;
	}
	pthread_mutex_lock(&vga->lock);
	for (unsigned int i = 0; i < size; i++) {
		uint32_t addr = (uint32_t)offset + i;

		if (is_write)
			vga_mem_write(vga, addr, (uint8_t)(*data >> (8 * i)));
		else
			v |= (uint64_t)vga_mem_read(vga, addr) << (8 * i);
	}
	pthread_mutex_unlock(&vga->lock);
	if (!is_write)
		*data = v;
	return 0;
}

/* ---- QEMU's stdvga MMIO BAR ------------------------------------------------ */

#define MMIO_BAR_VGA_PORTS	0x400	/* ports 0x3c0-0x3df */
#define MMIO_BAR_VBE		0x500
#define MMIO_BAR_QEXT		0x600
#define QEXT_SIZE		8
#define QEXT_LITTLE_ENDIAN	0x1e1e1e1eU

static bool mmio_bar_byte(struct vireo_vga *vga, uint64_t off, uint8_t *byte)
{
	if (off >= MMIO_BAR_VGA_PORTS && off < MMIO_BAR_VGA_PORTS + 0x20) {
		*byte = vga_port_read(vga, (uint16_t)(0x3c0 + off - MMIO_BAR_VGA_PORTS));
		return true;
	}
	if (off >= MMIO_BAR_VBE && off < MMIO_BAR_VBE + 2 * VIREO_VBE_NUM_REGS) {
		uint16_t r = vbe_read(vga, (uint16_t)((off - MMIO_BAR_VBE) / 2));

		*byte = (uint8_t)(r >> (8 * (off & 1)));
		return true;
	}
	if (off >= MMIO_BAR_QEXT && off < MMIO_BAR_QEXT + QEXT_SIZE) {
		uint32_t r = off < MMIO_BAR_QEXT + 4 ? QEXT_SIZE : QEXT_LITTLE_ENDIAN;

		*byte = (uint8_t)(r >> (8 * (off & 3)));
		return true;
	}
	return false;
}

void vireo_vga_mmio_bar_locked(struct vireo_vga *vga, uint64_t offset, unsigned int size,
			       bool is_write, uint64_t *data)
{
	if (!is_write) {
		uint64_t v = 0;

		for (unsigned int i = 0; i < size && i < 8; i++) {
			uint8_t b = 0xff;

			mmio_bar_byte(vga, offset + i, &b);
			v |= (uint64_t)b << (8 * i);
		}
		*data = v;
		return;
	}
	if (offset >= MMIO_BAR_VGA_PORTS && offset < MMIO_BAR_VGA_PORTS + 0x20) {
		/* A word write is index then data, as on the ports. */
		for (unsigned int i = 0; i < size && offset + i < MMIO_BAR_VGA_PORTS + 0x20; i++)
			vga_port_write(vga, (uint16_t)(0x3c0 + offset + i - MMIO_BAR_VGA_PORTS),
				       (uint8_t)(*data >> (8 * i)));
		return;
	}
	/* The VBE registers take whole aligned 16-bit writes (two for a dword). */
	if (offset >= MMIO_BAR_VBE && offset < MMIO_BAR_VBE + 2 * VIREO_VBE_NUM_REGS &&
	    !(offset & 1) && (size == 2 || size == 4)) {
		for (unsigned int i = 0; i < size; i += 2)
			vbe_write(vga, (uint16_t)((offset + i - MMIO_BAR_VBE) / 2),
				  (uint16_t)(*data >> (8 * i)));
	}
	/* The extended registers: the framebuffer stays little endian. */
}

/* ---- lifetime ---------------------------------------------------------------- */

static const struct vireo_hw_pio_range vga_pio_ranges[] = {
	{ VIREO_VGA_PORT_BASE, VIREO_VGA_PORTS, vireo_vga_pio },
	{ VIREO_VBE_PORT_BASE, VIREO_VBE_PORTS, vireo_vbe_pio },
};

const struct vireo_hw_desc vireo_vga_desc = {
	.name = "vga",
	.pio = vga_pio_ranges,
	.nr_pio = 2,
	.mmio_base = VIREO_VGA_WINDOW_BASE,
	.mmio_len = VIREO_VGA_WINDOW_SIZE,
	.mmio = vireo_vga_mmio,
	.line = -1,
};

void vireo_vga_reset(struct vireo_vga *vga)
{
	pthread_mutex_lock(&vga->lock);
	vga_regs_reset(vga);
	vbe_reset(vga);
	pthread_mutex_unlock(&vga->lock);
}

int vireo_vga_init(struct vireo_vga *vga, size_t vram_size)
{
	int err;

	memset(vga, 0, sizeof(*vga));
	vga->vram_fd = -1;
	if (!vram_size)
		vram_size = VIREO_VGA_VRAM_DEFAULT;
	if (vram_size < VIREO_VGA_VRAM_MIN || vram_size > VIREO_VGA_VRAM_MAX ||
	    (vram_size & (vram_size - 1)))
		return -EINVAL;
	vga->vram_fd = memfd_create("vireo-vga-vram", MFD_CLOEXEC);
	if (vga->vram_fd < 0)
		return -errno;
	if (ftruncate(vga->vram_fd, (off_t)vram_size) < 0)
		goto fail;
	vga->vram = mmap(NULL, vram_size, PROT_READ | PROT_WRITE, MAP_SHARED, vga->vram_fd, 0);
	if (vga->vram == MAP_FAILED) {
		vga->vram = NULL;
		goto fail;
	}
	vga->vram_size = vram_size;
	err = pthread_mutex_init(&vga->lock, NULL);
	if (err) {
		munmap(vga->vram, vram_size);
		close(vga->vram_fd);
		return -err;
	}
	vga_regs_reset(vga);
	vbe_reset(vga);
	return 0;
fail:
	err = -errno;
	close(vga->vram_fd);
	vga->vram_fd = -1;
	return err;
}

void vireo_vga_fini(struct vireo_vga *vga)
{
	if (vga->vram)
		munmap(vga->vram, vga->vram_size);
	if (vga->vram_fd >= 0)
		close(vga->vram_fd);
	vga->vram = NULL;
	vga->vram_fd = -1;
	pthread_mutex_destroy(&vga->lock);
}
