// SPDX-License-Identifier: GPL-2.0
/*
 * fw_cfg against QEMU docs/specs/fw_cfg.rst: the signature and ID items,
 * the selector and data ports, the DMA signature register, the file
 * directory's byte layout and order, the numbered items, and the DMA
 * interface, including every way a guest can hand it a bad descriptor or
 * buffer.  Expected bytes are written out from the spec, not computed by
 * the code under test.
 *
 * Fake guest RAM: [0, 0x20000) and [0x20000, 0x30000) are two slots that
 * touch in guest-physical space but not on the host (a buffer across the
 * seam is fine), [0x30000, 0x40000) is a hole, [0x40000, 0x50000) RAM,
 * and so is [4 GiB, 4 GiB + 64 KiB).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fw/fw_cfg.h"
#include "test.h"
#include "test_hw_fakes.h"

#define SLOT0		0x00000ULL
#define SLOT1		0x20000ULL
#define HOLE		0x30000ULL
#define SLOT2		0x40000ULL
#define SLOT_END	0x50000ULL
#define HIGH		0x100000000ULL	/* RAM above 4 GiB: [4 GiB, + 64 KiB) */

static uint8_t ram0[0x20000], ram1[0x10000], ram2[0x10000], ram3[0x10000];
static struct vireo_fw_cfg fw;

static void *fake_map(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < SLOT1)
		return len <= SLOT1 - gpa ? ram0 + gpa : NULL;
	if (gpa < HOLE)
		return len <= HOLE - gpa ? ram1 + (gpa - SLOT1) : NULL;
	if (gpa >= SLOT2 && gpa < SLOT_END)
		return len <= SLOT_END - gpa ? ram2 + (gpa - SLOT2) : NULL;
	if (gpa >= HIGH && gpa < HIGH + sizeof(ram3))
		return len <= HIGH + sizeof(ram3) - gpa ? ram3 + (gpa - HIGH) : NULL;
	return NULL;
}

static const struct vireo_guest_ram fake_ram = { fake_map, NULL };

static uint8_t *gpa_ptr(uint64_t gpa)
{
	return fake_map(NULL, gpa, 1);
}

static void setup(void)
{
	memset(ram0, 0, sizeof(ram0));
	memset(ram1, 0, sizeof(ram1));
	memset(ram2, 0, sizeof(ram2));
	memset(ram3, 0, sizeof(ram3));
	vireo_fw_cfg_init(&fw, &fake_ram);
}

static void select_port(uint16_t key)
{
	uint32_t d = key;

	vireo_fw_cfg_pio(&fw, 0, 2, true, &d);
}

static uint8_t data_port(void)
{
	return fake_in(vireo_fw_cfg_pio, &fw, 1);
}

static void be32_at(uint64_t gpa, uint32_t v)
{
	uint8_t *p = gpa_ptr(gpa);

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t be32_of(uint64_t gpa)
{
	const uint8_t *p = gpa_ptr(gpa);

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write the low half only, as SeaBIOS does (outl(cpu_to_be32(addr), 0x518)). */
static void dma_kick_low(uint32_t addr)
{
	uint32_t d = __builtin_bswap32(addr);

	vireo_fw_cfg_dma_pio(&fw, 4, 4, true, &d);
}

/* High half then low half, as OVMF does. */
static void dma_kick(uint64_t addr)
{
	uint32_t d = __builtin_bswap32((uint32_t)(addr >> 32));

	vireo_fw_cfg_dma_pio(&fw, 0, 4, true, &d);
	d = __builtin_bswap32((uint32_t)addr);
	vireo_fw_cfg_dma_pio(&fw, 4, 4, true, &d);
}

/* A FWCfgDmaAccess at desc (RAM), all fields big-endian. */
static void dma_desc(uint64_t desc, uint32_t control, uint32_t length, uint64_t address)
{
	be32_at(desc, control);
	be32_at(desc + 4, length);
	be32_at(desc + 8, (uint32_t)(address >> 32));
	be32_at(desc + 12, (uint32_t)address);
}

static void test_signature_ports(void)
{
	setup();
	select_port(0x0000);
	T_EQ(data_port(), 'Q');
	T_EQ(data_port(), 'E');
	T_EQ(data_port(), 'M');
	T_EQ(data_port(), 'U');
	T_EQ(data_port(), 0);		/* past the end: 0 */
	/* A byte read of the selector port reads data too (QEMU's comb region). */
	select_port(0x0000);
	T_EQ(fake_in(vireo_fw_cfg_pio, &fw, 0), 'Q');
	T_EQ(data_port(), 'E');
	/* Selecting resets the offset. */
	select_port(0x0000);
	T_EQ(data_port(), 'Q');
	/* Bit 14 (the old write channel) is ignored. */
	select_port(0x4000);
	T_EQ(data_port(), 'Q');
	vireo_fw_cfg_fini(&fw);
}

static void test_id_has_dma(void)
{
	setup();
	select_port(0x0001);
	/* LE32: bit 0 traditional interface, bit 1 DMA. */
	T_EQ(data_port(), 0x03);
	T_EQ(data_port(), 0x00);
	T_EQ(data_port(), 0x00);
	T_EQ(data_port(), 0x00);
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_signature_register(void)
{
	uint32_t d = 0;

	setup();
	/* "QEMU CFG" = 0x51454d5520434647 big-endian, read little-endian. */
	vireo_fw_cfg_dma_pio(&fw, 0, 4, false, &d);
	T_EQ(d, 0x554d4551);
	vireo_fw_cfg_dma_pio(&fw, 4, 4, false, &d);
	T_EQ(d, 0x47464320);
	T_EQ(fake_in(vireo_fw_cfg_dma_pio, &fw, 7), 'G');
	vireo_fw_cfg_dma_pio(&fw, 6, 2, false, &d);
	T_EQ(d, 0x4746);
	vireo_fw_cfg_fini(&fw);
}

static void test_unknown_keys_read_zero(void)
{
	setup();
	select_port(0x0002);		/* UUID, not added */
	T_EQ(data_port(), 0);
	select_port(0x0020);		/* no files yet */
	T_EQ(data_port(), 0);
	select_port(0x8003);		/* arch E820_TABLE, not added */
	T_EQ(data_port(), 0);
	select_port(0xbfff);
	T_EQ(data_port(), 0);
	vireo_fw_cfg_fini(&fw);
}

static void test_port_widths(void)
{
	uint32_t d;

	setup();
	select_port(0x0000);
	d = 0;
	vireo_fw_cfg_pio(&fw, 1, 2, false, &d);	/* not a width the port has */
	T_EQ(d, 0xffffffff);
	T_EQ(data_port(), 'Q');			/* ... and it consumed nothing */
	d = 0x0001;
	vireo_fw_cfg_pio(&fw, 0, 4, true, &d);	/* a 32-bit write does not select */
	T_EQ(data_port(), 'E');
	fake_out(vireo_fw_cfg_pio, &fw, 1, 0x77);	/* data writes are ignored */
	T_EQ(data_port(), 'M');
	d = 0;
	T_EQ(vireo_fw_cfg_pio(&fw, 2, 1, false, &d), -EINVAL);	/* monitor bug */
	vireo_fw_cfg_fini(&fw);
}

static void test_numbered_items(void)
{
	setup();
	T_EQ(vireo_fw_cfg_add_u16(&fw, VIREO_FW_CFG_NB_CPUS, 0x0104), 0);
	T_EQ(vireo_fw_cfg_add_u64(&fw, VIREO_FW_CFG_RAM_SIZE, 0x0000000180000000ULL), 0);
	T_EQ(vireo_fw_cfg_add_u32(&fw, VIREO_FW_CFG_IRQ0_OVERRIDE, 1), 0);
	select_port(0x0005);
	T_EQ(data_port(), 0x04);
	T_EQ(data_port(), 0x01);
	T_EQ(data_port(), 0x00);
	select_port(0x0003);
	T_EQ(data_port(), 0x00);
	T_EQ(data_port(), 0x00);
	T_EQ(data_port(), 0x00);
	T_EQ(data_port(), 0x80);
	T_EQ(data_port(), 0x01);
	select_port(0x8002);
	T_EQ(data_port(), 0x01);
	/* The device's own items and out-of-bank keys are refused. */
	T_EQ(vireo_fw_cfg_add_u16(&fw, VIREO_FW_CFG_SIGNATURE, 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_u16(&fw, VIREO_FW_CFG_FILE_DIR, 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_u16(&fw, 0x0020, 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_u16(&fw, 0x8020, 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_u16(&fw, 0x4005, 1), -EINVAL);
	vireo_fw_cfg_fini(&fw);
}

/* The directory entry i, read through the data port after the count. */
static void read_port_bytes(uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = data_port();
}

static void test_file_directory(void)
{
	static const uint8_t e820[20] = { 1 };
	uint8_t count[4], entry[64], want[64];

	setup();
	/* Added out of order; the directory is sorted by strcmp. */
	T_EQ(vireo_fw_cfg_add_file(&fw, "etc/e820", e820, sizeof(e820)), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "bootorder", "/a\n/b", 6), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "etc/acpi/tables", "xyz", 3), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "Zebra", "", 0), 0);

	select_port(0x0019);
	read_port_bytes(count, 4);
	T_EQ(count[0], 0);
	T_EQ(count[1], 0);
	T_EQ(count[2], 0);
	T_EQ(count[3], 4);		/* big-endian count */

	/* "Zebra" < "bootorder" < "etc/acpi/tables" < "etc/e820" ('Z' < 'b'). */
	read_port_bytes(entry, 64);
	memset(want, 0, sizeof(want));
	want[5] = 0x20;			/* select 0x0020, BE; size 0 */
	memcpy(want + 8, "Zebra", 5);
	T_TRUE(!memcmp(entry, want, 64));

	read_port_bytes(entry, 64);
	memset(want, 0, sizeof(want));
	want[3] = 6;			/* size BE 6 */
	want[5] = 0x21;
	memcpy(want + 8, "bootorder", 9);
	T_TRUE(!memcmp(entry, want, 64));

	read_port_bytes(entry, 64);
	memset(want, 0, sizeof(want));
	want[3] = 3;
	want[5] = 0x22;
	memcpy(want + 8, "etc/acpi/tables", 15);
	T_TRUE(!memcmp(entry, want, 64));

	read_port_bytes(entry, 64);
	memset(want, 0, sizeof(want));
	want[3] = 20;
	want[5] = 0x23;
	memcpy(want + 8, "etc/e820", 8);
	T_TRUE(!memcmp(entry, want, 64));
	T_EQ(data_port(), 0);		/* end of the directory */

	/* The keys select the files' contents. */
	select_port(0x0022);
	T_EQ(data_port(), 'x');
	T_EQ(vireo_fw_cfg_file_key(&fw, "etc/e820"), 0x23);
	T_EQ(vireo_fw_cfg_file_key(&fw, "nope"), -ENOENT);
	vireo_fw_cfg_fini(&fw);
}

static void test_file_name_rules(void)
{
	char name[64];

	setup();
	memset(name, 'a', sizeof(name));
	name[55] = 0;			/* 55 characters + NUL: fits */
	T_EQ(vireo_fw_cfg_add_file(&fw, name, "1", 1), 0);
	name[55] = 'a';
	name[56] = 0;			/* 56 characters: does not */
	T_EQ(vireo_fw_cfg_add_file(&fw, name, "1", 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_file(&fw, "", "1", 1), -EINVAL);
	T_EQ(vireo_fw_cfg_add_file(&fw, "dup", "1", 1), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "dup", "2", 1), -EEXIST);
	vireo_fw_cfg_fini(&fw);
}

static void test_file_limit(void)
{
	char name[16];
	unsigned int i;

	setup();
	for (i = 0; i < VIREO_FW_CFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%03u", i);
		T_EQ(vireo_fw_cfg_add_file(&fw, name, "x", 1), 0);
	}
	T_EQ(vireo_fw_cfg_add_file(&fw, "one-more", "x", 1), -ENOSPC);
	/* The last file's key is 0x20 + 127. */
	T_EQ(vireo_fw_cfg_file_key(&fw, "f127"), 0x20 + 127);
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_select_read(void)
{
	uint8_t *buf;

	setup();
	/* control = key 0 << 16 | SELECT | READ; 8 bytes from a 4-byte item. */
	memset(gpa_ptr(0x2000), 0xaa, 16);
	dma_desc(0x1000, 0x0000000a, 8, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);		/* done, no error */
	buf = gpa_ptr(0x2000);
	T_TRUE(!memcmp(buf, "QEMU\0\0\0\0", 8));	/* zero-filled past the item */
	T_EQ(buf[8], 0xaa);			/* and not one byte further */
	T_EQ(fw.dma_errors, 0);
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_skip_then_read(void)
{
	setup();
	T_EQ(vireo_fw_cfg_add_file(&fw, "opt/x", "0123456789", 10), 0);
	/* Select and skip 3 (SELECT | SKIP), then read 4 (READ). */
	dma_desc(0x1000, (0x20u << 16) | 0x0c, 3, 0);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	dma_desc(0x1000, 0x02, 4, 0x3000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_TRUE(!memcmp(gpa_ptr(0x3000), "3456", 4));
	/* Skipping past the end stops at the end; the port then reads 0. */
	dma_desc(0x1000, 0x04, 100, 0);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_EQ(fw.offset, 10);		/* as QEMU: never past the item */
	T_EQ(data_port(), 0);
	/* A control word without read, write or skip only selects. */
	dma_desc(0x1000, (0x20u << 16) | 0x08, 100, 0);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_EQ(data_port(), '0');
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_64bit_address_and_reset(void)
{
	setup();
	/* A descriptor and a buffer above 4 GiB, in RAM: both halves count. */
	dma_desc(HIGH + 0x100, 0x0000000a, 4, HIGH + 0x200);
	dma_kick(HIGH + 0x100);
	T_EQ(be32_of(HIGH + 0x100), 0);
	T_TRUE(!memcmp(gpa_ptr(HIGH + 0x200), "QEMU", 4));
	T_EQ(fw.dma_errors, 0);
	/* A descriptor above 4 GiB that is not RAM: nothing to write back. */
	dma_kick(0x200001000ULL);
	T_EQ(fw.dma_errors, 1);
	T_TRUE(fw.last_error != NULL);
	/* The register was cleared, so a low-half write alone is a 32-bit address. */
	dma_desc(0x1000, 0x0000000a, 4, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_TRUE(!memcmp(gpa_ptr(0x2000), "QEMU", 4));
	/* Both halves through a 64-bit address that is RAM: SLOT2. */
	dma_desc(SLOT2, 0x0000000a, 4, SLOT2 + 0x100);
	dma_kick(SLOT2);
	T_EQ(be32_of(SLOT2), 0);
	T_TRUE(!memcmp(gpa_ptr(SLOT2 + 0x100), "QEMU", 4));
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_across_adjacent_slots(void)
{
	setup();
	/* 8 bytes at 0x1fffc: four in slot 0, four in slot 1. */
	dma_desc(0x1000, 0x0000000a, 8, SLOT1 - 4);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_TRUE(!memcmp(gpa_ptr(SLOT1 - 4), "QEMU", 4));
	T_TRUE(!memcmp(gpa_ptr(SLOT1), "\0\0\0\0", 4));
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_descriptor_across_adjacent_slots(void)
{
	setup();
	/* The descriptor's first 8 bytes in slot 0, the last 8 in slot 1. */
	dma_desc(SLOT1 - 8, 0x0000000a, 4, 0x2000);
	dma_kick_low((uint32_t)(SLOT1 - 8));
	T_EQ(be32_of(SLOT1 - 8), 0);
	T_TRUE(!memcmp(gpa_ptr(0x2000), "QEMU", 4));
	T_EQ(fw.dma_errors, 0);
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_read_into_hole_changes_nothing(void)
{
	setup();
	T_EQ(vireo_fw_cfg_add_file(&fw, "opt/x", "0123456789", 10), 0);
	memset(gpa_ptr(HOLE - 0x10), 0x5a, 0x10);
	/* From the last 16 bytes of RAM into the hole. */
	dma_desc(0x1000, (0x20u << 16) | 0x0a, 0x20, HOLE - 0x10);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);		/* error bit */
	T_EQ(gpa_ptr(HOLE - 0x10)[0], 0x5a);	/* the RAM part untouched */
	T_EQ(gpa_ptr(HOLE - 1)[0], 0x5a);
	T_EQ(data_port(), '0');			/* selected, offset unchanged */
	T_EQ(fw.dma_errors, 1);
	vireo_fw_cfg_fini(&fw);
}

static void test_dma_wild_buffers(void)
{
	setup();
	/* Length 0xffffffff from RAM at 0: runs far past RAM. */
	dma_desc(0x1000, 0x0000000a, 0xffffffff, 0);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);
	T_EQ(gpa_ptr(0)[0], 0);
	/* An address that wraps around 2^64. */
	dma_desc(0x1000, 0x0000000a, 0x100, 0xffffffffffffff80ULL);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);
	/* A descriptor whose control word is RAM but the rest is not. */
	dma_desc(HOLE - 0x10, 0, 0, 0);
	be32_at(HOLE - 4, 0x0000000a);
	dma_kick_low((uint32_t)(HOLE - 4));
	T_EQ(be32_of(HOLE - 4), 1);
	/* A descriptor wholly in the hole, and one at the top of 2^64. */
	dma_kick_low((uint32_t)HOLE);
	dma_kick(0xfffffffffffffffcULL);
	T_EQ(fw.dma_errors, 5);
	T_EQ(fw.dma_ops, 5);
	/* The device still works. */
	select_port(0x0000);
	T_EQ(data_port(), 'Q');
	vireo_fw_cfg_fini(&fw);
}

struct write_seen {
	unsigned int calls;
	uint32_t offset, len;
	uint8_t data[8];
};

static void on_write(void *opaque, const uint8_t *data, uint32_t offset, uint32_t len)
{
	struct write_seen *w = opaque;

	w->calls++;
	w->offset = offset;
	w->len = len;
	memcpy(w->data, data, sizeof(w->data));
}

static void test_dma_write(void)
{
	struct write_seen seen = { 0 };
	int key;

	setup();
	T_EQ(vireo_fw_cfg_add_file_writable(&fw, "etc/wr", "abcdefgh", 8, on_write, &seen), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "etc/ro", "abcdefgh", 8), 0);
	key = vireo_fw_cfg_file_key(&fw, "etc/wr");
	memcpy(gpa_ptr(0x2000), "WXYZ", 4);

	/* Select + skip 2, then write 4 (WRITE). */
	dma_desc(0x1000, ((uint32_t)key << 16) | 0x0c, 2, 0);
	dma_kick_low(0x1000);
	dma_desc(0x1000, 0x10, 4, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_EQ(seen.calls, 1);
	T_EQ(seen.offset, 2);
	T_EQ(seen.len, 4);
	T_TRUE(!memcmp(seen.data, "abWXYZgh", 8));

	/* 3 more bytes from offset 6 do not fit (one too many): error, nothing written. */
	dma_desc(0x1000, 0x10, 3, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);
	T_EQ(seen.calls, 1);
	T_EQ(fw.offset, 6);
	/* 2 bytes fit exactly. */
	dma_desc(0x1000, 0x10, 2, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_EQ(seen.calls, 2);
	T_EQ(seen.offset, 6);
	T_TRUE(!memcmp(seen.data, "abWXYZWX", 8));
	select_port((uint16_t)key);
	T_EQ(data_port(), 'a');

	/* A read-only file: error. */
	key = vireo_fw_cfg_file_key(&fw, "etc/ro");
	dma_desc(0x1000, ((uint32_t)key << 16) | 0x18, 4, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);
	select_port((uint16_t)key);
	T_EQ(data_port(), 'a');

	/* A key that names nothing: error. */
	dma_desc(0x1000, (0x3000u << 16) | 0x18, 4, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);

	/* Read wins when both bits are set: this one succeeds on "etc/ro". */
	dma_desc(0x1000, ((uint32_t)key << 16) | 0x1a, 4, 0x2000);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 0);
	T_TRUE(!memcmp(gpa_ptr(0x2000), "abcd", 4));

	/* A write from a buffer in the hole: error, item unchanged. */
	key = vireo_fw_cfg_file_key(&fw, "etc/wr");
	dma_desc(0x1000, ((uint32_t)key << 16) | 0x18, 4, HOLE);
	dma_kick_low(0x1000);
	T_EQ(be32_of(0x1000), 1);
	T_EQ(seen.calls, 2);
	select_port((uint16_t)key);
	T_EQ(data_port(), 'a');
	vireo_fw_cfg_fini(&fw);
}

static void test_reset(void)
{
	uint32_t d = __builtin_bswap32(1);

	setup();
	select_port(0x0001);
	vireo_fw_cfg_dma_pio(&fw, 0, 4, true, &d);	/* high half pending */
	vireo_fw_cfg_reset(&fw);
	T_EQ(data_port(), 'Q');
	T_EQ(fw.dma_addr, 0);
	vireo_fw_cfg_fini(&fw);
}

/* Random port and DMA traffic: the signature must survive, nothing may crash. */
static void test_random_traffic(void)
{
	uint64_t state = 0x1234567887654321ULL;
	unsigned int i;

	setup();
	T_EQ(vireo_fw_cfg_add_file_writable(&fw, "etc/wr", "abcdefgh", 8, NULL, NULL), 0);
	T_EQ(vireo_fw_cfg_add_file(&fw, "etc/ro", "abcdefgh", 8), 0);
	for (i = 0; i < 20000; i++) {
		uint64_t r = fake_rand(&state);

		if ((r & 7) == 0) {
			uint64_t desc = (r >> 8) % (SLOT_END + 0x100) & ~3ULL;

			if (fake_map(NULL, desc, 16))
				dma_desc(desc, (uint32_t)fake_rand(&state) & 0x003f001f,
					 (uint32_t)fake_rand(&state) % 0x30000,
					 fake_rand(&state) % (SLOT_END + 0x1000));
			dma_kick_low((uint32_t)desc);
		} else if (r & 8) {
			fake_random_pio(vireo_fw_cfg_pio, &fw, VIREO_FW_CFG_PORTS, &state);
		} else {
			fake_random_pio(vireo_fw_cfg_dma_pio, &fw, VIREO_FW_CFG_DMA_PORTS, &state);
		}
	}
	select_port(0x0000);
	T_EQ(data_port(), 'Q');
	T_EQ(data_port(), 'E');
	vireo_fw_cfg_fini(&fw);
}

static const struct vireo_test tests[] = {
	VIREO_TEST(test_signature_ports),
	VIREO_TEST(test_id_has_dma),
	VIREO_TEST(test_dma_signature_register),
	VIREO_TEST(test_unknown_keys_read_zero),
	VIREO_TEST(test_port_widths),
	VIREO_TEST(test_numbered_items),
	VIREO_TEST(test_file_directory),
	VIREO_TEST(test_file_name_rules),
	VIREO_TEST(test_file_limit),
	VIREO_TEST(test_dma_select_read),
	VIREO_TEST(test_dma_skip_then_read),
	VIREO_TEST(test_dma_64bit_address_and_reset),
	VIREO_TEST(test_dma_across_adjacent_slots),
	VIREO_TEST(test_dma_descriptor_across_adjacent_slots),
	VIREO_TEST(test_dma_read_into_hole_changes_nothing),
	VIREO_TEST(test_dma_wild_buffers),
	VIREO_TEST(test_dma_write),
	VIREO_TEST(test_reset),
	VIREO_TEST(test_random_traffic),
	{ NULL, NULL },
};

VIREO_TEST_SUITE(fw_cfg, tests);
