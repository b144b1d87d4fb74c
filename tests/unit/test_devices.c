// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-run devices: the MMIO test device, the serial port, the bus
 * (debug exit, unclaimed ports and MMIO, the scratch MSR) and the loader.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor.h"
#include "status.h"
#include "test.h"

/* Output captured from a device. */
static char *out_text;
static size_t out_len;

static FILE *out_open(void)
{
	free(out_text);
	out_text = NULL;
	out_len = 0;
	return open_memstream(&out_text, &out_len);
}

static uint64_t dev_read(struct vireo_mmio_test *d, uint64_t off, unsigned int size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aULL;

	vireo_mmio_test_access(d, off, size, false, &v);
	return v;
}

static void dev_write(struct vireo_mmio_test *d, uint64_t off, unsigned int size, uint64_t v)
{
	vireo_mmio_test_access(d, off, size, true, &v);
}

static void mmio_test_scratch(void)
{
	static struct vireo_mmio_test d;

	vireo_mmio_test_init(&d, 0xd0000000, stdout);
	T_EQ(dev_read(&d, 0, 8), 0);
	dev_write(&d, 0, 8, 0x1122334455667788ULL);
	T_EQ(dev_read(&d, 0, 8), 0x1122334455667788ULL);
	T_EQ(dev_read(&d, 0, 1), 0x88);
	T_EQ(dev_read(&d, 7, 1), 0x11);
	T_EQ(dev_read(&d, 6, 2), 0x1122);
	T_EQ(dev_read(&d, 4, 4), 0x11223344);
	dev_write(&d, 3, 1, 0xaa);
	T_EQ(dev_read(&d, 0, 8), 0x11223344aa667788ULL);
	/* A write of N bytes touches only those bytes. */
	dev_write(&d, 0x20, 8, 0);
	dev_write(&d, 0x22, 4, 0xdeadbeef44332211ULL);
	T_EQ(dev_read(&d, 0x20, 8), 0x0000443322110000ULL);
	/* Straddling two registers touches both. */
	dev_write(&d, 0x2c, 8, 0x0807060504030201ULL);
	T_EQ(dev_read(&d, 0x28, 8) >> 32, 0x04030201);
	T_EQ(dev_read(&d, 0x30, 4), 0x08070605);
	/* The whole 0x000-0x0ff range is scratch. */
	dev_write(&d, 0xf8, 8, 0xfeedfacecafebeefULL);
	T_EQ(dev_read(&d, 0xf8, 8), 0xfeedfacecafebeefULL);
}

static void mmio_test_id(void)
{
	static struct vireo_mmio_test d;

	vireo_mmio_test_init(&d, 0xd0000000, stdout);
	T_EQ(dev_read(&d, 0x100, 8), 0x0123456789abcdefULL);
	T_EQ(dev_read(&d, 0x100, 4), 0x89abcdef);
	T_EQ(dev_read(&d, 0x104, 4), 0x01234567);
	T_EQ(dev_read(&d, 0x102, 2), 0x89ab);	/* bytes 2, 3: ab 89 */
	T_EQ(dev_read(&d, 0x101, 2), 0xabcd);	/* bytes 1, 2: cd ab */
	T_EQ(dev_read(&d, 0x105, 2), 0x2345);
	T_EQ(dev_read(&d, 0x107, 1), 0x01);
	dev_write(&d, 0x100, 8, 0);	/* read-only */
	T_EQ(dev_read(&d, 0x100, 8), 0x0123456789abcdefULL);
	/* Past the ID: undefined, all-ones. */
	T_EQ(dev_read(&d, 0x106, 4), 0xffff0123);
	T_EQ(dev_read(&d, 0x300, 8), ~0ULL);
	T_EQ(dev_read(&d, 0xffc, 4), 0xffffffff);
}

static void mmio_test_print(void)
{
	static struct vireo_mmio_test d;
	FILE *f = out_open();

	T_TRUE(f != NULL);
	vireo_mmio_test_init(&d, 0xd0000000, f);
	dev_write(&d, 0x200, 1, 0x15a);	/* only the low byte counts */
	dev_write(&d, 0x200, 2, 0x1234);
	dev_write(&d, 0x200, 4, 0xdeadbeef);
	dev_write(&d, 0x200, 8, 0x0123456789abcdefULL);
	T_EQ(dev_read(&d, 0x200, 4), 0);
	fclose(f);
	T_TRUE(!strcmp(out_text, "mmio: 1 5a\nmmio: 2 1234\nmmio: 4 deadbeef\n"
				 "mmio: 8 123456789abcdef\n"));
}

static void mmio_test_claims(void)
{
	static struct vireo_mmio_test d;

	vireo_mmio_test_init(&d, 0xd0000000, stdout);
	T_TRUE(vireo_mmio_test_claims(&d, 0xd0000000));
	T_TRUE(vireo_mmio_test_claims(&d, 0xd0000fff));
	T_TRUE(!vireo_mmio_test_claims(&d, 0xd0001000));
	T_TRUE(!vireo_mmio_test_claims(&d, 0xcfffffff));
}

static void serial_port(void)
{
	static struct vireo_serial s;
	FILE *f = out_open();
	uint32_t v;

	T_TRUE(f != NULL);
	vireo_serial_init(&s, f);
	v = 'h';
	vireo_serial_io(&s, 0, true, &v);
	v = 'i';
	vireo_serial_io(&s, 0, true, &v);
	v = 0x80;	/* DLAB: the next THR writes program the divisor */
	vireo_serial_io(&s, 3, true, &v);
	v = 0x01;
	vireo_serial_io(&s, 0, true, &v);
	v = 0x03;
	vireo_serial_io(&s, 3, true, &v);
	v = '\n';
	vireo_serial_io(&s, 0, true, &v);
	vireo_serial_io(&s, 5, false, &v);
	T_EQ(v, 0x60);
	vireo_serial_io(&s, 0, false, &v);
	T_EQ(v, 0);
	vireo_serial_io(&s, 3, false, &v);
	T_EQ(v, 0);
	fclose(f);
	T_TRUE(!strcmp(out_text, "hi\n"));
	T_EQ(s.tx_bytes, 3);
}

static void monitor_init(struct vireo_monitor *m, FILE *out)
{
	memset(m, 0, sizeof(*m));
	m->opts.mmio_test_gpa = 0xd0000000;
	vireo_devices_init(m, out);
}

static void bus_ports(void)
{
	static struct vireo_monitor m;
	FILE *f = out_open();
	uint32_t v;

	T_TRUE(f != NULL);
	monitor_init(&m, f);
	v = 'A';
	T_EQ(vireo_bus_pio(&m, 0x3f8, 1, true, &v), 0);
	v = 0;
	vireo_bus_pio(&m, 0x3fd, 1, false, &v);
	T_EQ(v, 0x60);
	vireo_bus_pio(&m, 0x3ff, 1, false, &v);
	T_EQ(v, 0);
	vireo_bus_pio(&m, 0x5a0, 1, false, &v);
	T_EQ(v, 0xff);
	vireo_bus_pio(&m, 0x5a0, 2, false, &v);
	T_EQ(v, 0xffff);
	vireo_bus_pio(&m, 0x5a0, 4, false, &v);
	T_EQ(v, 0xffffffff);
	vireo_bus_pio(&m, 0x80, 1, true, &v);
	T_EQ(m.stats.unhandled_pio_reads, 3);
	T_EQ(m.stats.unhandled_pio_writes, 1);
	T_TRUE(!m.done);
	fclose(f);
	T_TRUE(!strcmp(out_text, "A"));
}

static void bus_debug_exit(void)
{
	static struct vireo_monitor m;
	uint32_t v;

	monitor_init(&m, stdout);
	v = 0x10;
	vireo_bus_pio(&m, 0xf4, 1, true, &v);
	T_TRUE(m.done);
	T_EQ(m.status, 33);
	v = 0x11;	/* a second write does not change the status */
	vireo_bus_pio(&m, 0xf4, 1, true, &v);
	T_EQ(m.status, 33);

	monitor_init(&m, stdout);
	v = 0;
	vireo_bus_pio(&m, 0xf4, 1, true, &v);
	T_EQ(m.status, 1);

	monitor_init(&m, stdout);
	v = 0x1ff;	/* byte write: only 0xff counts; status is 8 bits */
	vireo_bus_pio(&m, 0xf4, 1, true, &v);
	T_EQ(m.status, 0xff);
}

static void bus_mmio(void)
{
	static struct vireo_monitor m;
	uint64_t v;

	monitor_init(&m, stdout);
	v = 0x1234;
	T_EQ(vireo_bus_mmio(&m, 0xd0000008, 2, true, &v), 0);
	v = 0;
	T_EQ(vireo_bus_mmio(&m, 0xd0000008, 8, false, &v), 0);
	T_EQ(v, 0x1234);
	T_EQ(vireo_bus_mmio(&m, 0xfee00000, 4, false, &v), 0);
	T_EQ(v, 0xffffffff);
	T_EQ(vireo_bus_mmio(&m, 0xfee00000, 8, false, &v), 0);
	T_EQ(v, ~0ULL);
	T_EQ(vireo_bus_mmio(&m, 0xfee00000, 1, true, &v), 0);
	T_EQ(m.stats.unhandled_mmio_reads, 2);
	T_EQ(m.stats.unhandled_mmio_writes, 1);
}

static void bus_msr(void)
{
	static struct vireo_monitor m;
	struct vireo_exit_msr msr = { .index = VIREO_MSR_SCRATCH };

	monitor_init(&m, stdout);
	vireo_bus_msr(&m, &msr);
	T_EQ(msr.error, 0);
	T_EQ(msr.data, 0x1122334455667788ULL);
	msr.is_write = 1;
	msr.data = 0xabcdef;
	vireo_bus_msr(&m, &msr);
	T_EQ(msr.error, 0);
	msr.is_write = 0;
	msr.data = 0;
	vireo_bus_msr(&m, &msr);
	T_EQ(msr.data, 0xabcdef);

	msr.index = 0xc0011234;
	vireo_bus_msr(&m, &msr);
	T_EQ(msr.error, 1);
	T_EQ(m.stats.unknown_msrs, 1);
}

static void stats_print(void)
{
	static struct vireo_stats st;
	FILE *f = out_open();

	T_TRUE(f != NULL);
	memset(&st, 0, sizeof(st));
	vireo_stats_exit(&st, VIREO_EXIT_IO);
	vireo_stats_exit(&st, VIREO_EXIT_IO);
	vireo_stats_exit(&st, VIREO_EXIT_HLT);
	vireo_stats_exit(&st, 1000);
	vireo_stats_print(&st, f);
	fclose(f);
	T_STR_CONTAINS(out_text, "4 exits");
	T_STR_CONTAINS(out_text, "IO              2");
	T_STR_CONTAINS(out_text, "HLT             1");
	T_STR_CONTAINS(out_text, "out of range");
}

/* A temporary file with n bytes. */
static int make_file(char *path, size_t n)
{
	char *buf = calloc(1, n + 1);
	int fd, ret = -1;

	strcpy(path, "/tmp/vireo-unit-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0 && buf) {
		memset(buf, 0xab, n);
		ret = write(fd, buf, n) == (ssize_t)n ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static void loader_bounds(void)
{
	static struct vireo_monitor m;
	static uint8_t ram[64 << 10];
	FILE *err = out_open();
	char path[64];

	T_TRUE(err != NULL);
	memset(&m, 0, sizeof(m));
	m.err = err;
	vireo_devices_init(&m, stdout);
	m.ram = ram;
	m.opts.mem_size = sizeof(ram);
	m.opts.nr_loads = 1;
	m.opts.loads[0].path = path;

	T_EQ(make_file(path, 4096), 0);
	m.opts.loads[0].gpa = sizeof(ram) - 4096;	/* exactly fits */
	T_EQ(vireo_load_files(&m), 0);
	T_EQ(ram[sizeof(ram) - 1], 0xab);
	m.opts.loads[0].gpa = sizeof(ram) - 4095;	/* one byte too many */
	T_EQ(vireo_load_files(&m), -EFBIG);
	fflush(err);
	T_STR_CONTAINS(out_text, path);	/* the message names the file */
	T_STR_CONTAINS(out_text, "do not fit in guest RAM");
	m.opts.loads[0].gpa = sizeof(ram);
	T_EQ(vireo_load_files(&m), -EFBIG);
	m.opts.loads[0].gpa = ~0ULL;
	T_EQ(vireo_load_files(&m), -EFBIG);
	unlink(path);
	T_EQ(vireo_load_files(&m), -ENOENT);
	fclose(err);
}

const struct vireo_test vireo_tests_devices[] = {
	VIREO_TEST(mmio_test_scratch),
	VIREO_TEST(mmio_test_id),
	VIREO_TEST(mmio_test_print),
	VIREO_TEST(mmio_test_claims),
	VIREO_TEST(serial_port),
	VIREO_TEST(bus_ports),
	VIREO_TEST(bus_debug_exit),
	VIREO_TEST(bus_mmio),
	VIREO_TEST(bus_msr),
	VIREO_TEST(stats_print),
	VIREO_TEST(loader_bounds),
	{ NULL, NULL },
};
VIREO_TEST_SUITE(devices, vireo_tests_devices);
