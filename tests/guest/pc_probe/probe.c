// SPDX-License-Identifier: GPL-2.0
/*
 * The PC probe: a Multiboot test kernel for vireo-run --kernel that
 * checks what a firmware-less kernel finds (the Multiboot information as
 * GRUB and QEMU give it, the BIOS data area), the PMU MSRs of both
 * vendors, and tries every guest action the monitor audit found able to
 * end the monitor (docs/ARCHITECTURE.md, "Guest actions"): the xAPIC
 * page with the APIC disabled or in x2APIC mode, MMIO where nothing is,
 * port accesses of every width at odd places, string I/O to nothing,
 * unknown MSRs; with --vga, VGA and VBE register storms.  It prints "CASE <name> PASS|FAIL <detail>" per case and
 * "DONE cases=N pass=N fail=N", then ends the machine through the
 * debug-exit port (vireo-run --debug-exit 0x501) with V = 0x21: status
 * 67, the guest's own, which tests/l1/run-pc-probe.sh checks.
 *
 * With "post-hold" on the command line it does nothing else: it writes
 * PROBE_POST_HOLD to the POST code port (0x80) and halts with interrupts
 * off until the monitor is ended, so that tests/l1/run-pc-probe.sh can
 * read the code from the control socket's query-status.
 *
 * Expected command line: "<path>/pc-probe.elf probe x=1"; two modules
 * (--initrd "<dir>/probe-module.txt,<dir>/probe-second.txt two=2"), holding
 * "vireo probe module\n" and "second\n".
 */
#include "../virtio_hostile/hw.h"

#define PROBE_DEBUG_EXIT	0x501
#define PROBE_DONE		0x21	/* status (0x21 << 1) | 1 = 67 */
#define PROBE_CRASHED		0x7e	/* an unexpected exception: status 253 */
#define PORT_POST		0x80
#define PROBE_POST_HOLD		0xa7	/* query-status "post-code": 167 */

#define MBI_MEM			(1U << 0)
#define MBI_CMDLINE		(1U << 2)
#define MBI_MODS		(1U << 3)
#define MBI_MMAP		(1U << 6)

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EXTD		(1U << 10)
#define APIC_BASE_ENABLE	(1U << 11)
#define XAPIC_VERSION		0xfee00030U
#define XAPIC_EOI		0xfee000b0U
#define XAPIC_TPR		0xfee00080U

int probe_rdmsr(uint32_t index, uint64_t *value);
int probe_wrmsr(uint32_t index, uint32_t lo, uint32_t hi);
void probe_gp_entry(void);
void probe_unexpected(uint32_t vector) __attribute__((noreturn, used));

uint32_t fault_vector, fault_resume;
static unsigned int cases, passed;

static void verdict(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verdict(const char *name, int ok, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	vh_vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	cases++;
	passed += ok != 0;
	vh_printf("CASE %s %s %s\n", name, ok ? "PASS" : "FAIL", detail);
}

static void __attribute__((noreturn)) debug_exit(uint16_t v)
{
	outw(PROBE_DEBUG_EXIT, v);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

void probe_unexpected(uint32_t vector)
{
	vh_printf("CASE exception FAIL unexpected exception %u\n", vector);
	debug_exit(PROBE_CRASHED);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(leaf), "c"(sub));
}

/* ---- exceptions: every vector reported, #GP survivable ------------------ */

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct gate idt[32];

#define STUB(n) extern char probe_stub_##n[];
STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7) STUB(8) STUB(9) STUB(10)
STUB(11) STUB(12) STUB(14) STUB(15) STUB(16) STUB(17) STUB(18) STUB(19) STUB(20) STUB(21)
STUB(22) STUB(23) STUB(24) STUB(25) STUB(26) STUB(27) STUB(28) STUB(29) STUB(30) STUB(31)

static void set_gate(unsigned int v, void *handler)
{
	uint32_t a = (uint32_t)handler;
	uint16_t cs;

	__asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
	idt[v] = (struct gate){ (uint16_t)a, cs, 0, 0x8e, (uint16_t)(a >> 16) };
}

static void idt_setup(void)
{
	void *stubs[32] = {
		probe_stub_0, probe_stub_1, probe_stub_2, probe_stub_3, probe_stub_4,
		probe_stub_5, probe_stub_6, probe_stub_7, probe_stub_8, probe_stub_9,
		probe_stub_10, probe_stub_11, probe_stub_12, (void *)probe_gp_entry,
		probe_stub_14, probe_stub_15, probe_stub_16, probe_stub_17, probe_stub_18,
		probe_stub_19, probe_stub_20, probe_stub_21, probe_stub_22, probe_stub_23,
		probe_stub_24, probe_stub_25, probe_stub_26, probe_stub_27, probe_stub_28,
		probe_stub_29, probe_stub_30, probe_stub_31,
	};
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)idt };
	unsigned int v;

	for (v = 0; v < 32; v++)
		set_gate(v, stubs[v]);
	__asm__ __volatile__("lidt %0" : : "m"(idtr));
}

/* ---- Multiboot and the BIOS data area ------------------------------------ */

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int ends_with(const char *s, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !memcmp(s + len - n, tail, n) && (len == n || s[len - n - 1] == '/');
}

/* The Multiboot command line has word, space-separated. */
static int cmdline_has(uint32_t mbi, const char *word)
{
	const char *start, *c;
	size_t n = strlen(word);

	if (!(*(uint32_t *)phys(mbi) & MBI_CMDLINE))
		return 0;
	start = phys(*(uint32_t *)phys(mbi + 16));
	for (c = start; *c; c++)
		if ((c == start || c[-1] == ' ') && !memcmp(c, word, n) &&
		    (c[n] == ' ' || !c[n]))
			return 1;
	return 0;
}

static void check_multiboot(uint32_t magic, uint32_t mbi)
{
	uint32_t flags = *(uint32_t *)phys(mbi);
	extern char _start[], probe_image_end[];

	verdict("mb-magic", magic == 0x2badb002, "eax %x", magic);
	verdict("mb-loaded-low", (uint32_t)_start < 0x100000 && (uint32_t)_start >= 0x8000,
		"running at %x-%x, information at %x", (uint32_t)_start,
		(uint32_t)probe_image_end, mbi);
	verdict("mb-info-clear", mbi >= (uint32_t)probe_image_end || mbi + 0x10000 <= 0x8000,
		"information at %x, kernel ends at %x", mbi, (uint32_t)probe_image_end);

	if (flags & MBI_CMDLINE) {
		const char *c = phys(*(uint32_t *)phys(mbi + 16));
		size_t first = 0;

		while (c[first] && c[first] != ' ')
			first++;
		verdict("mb-cmdline", ends_with(c, first, "pc-probe.elf") &&
					      streq(c + first, " probe x=1"),
			"'%s'", c);
	} else {
		verdict("mb-cmdline", 0, "no command line (flags %x)", flags);
	}

	if ((flags & MBI_MODS) && *(uint32_t *)phys(mbi + 20) == 2) {
		uint32_t *mod = phys(*(uint32_t *)phys(mbi + 24));
		const char *str = phys(mod[2]), *str2 = phys(mod[6]);
		const char *want = "vireo probe module\n", *want2 = "second\n";
		size_t path2 = 0;

		while (str2[path2] && str2[path2] != ' ')
			path2++;
		verdict("mb-module", ends_with(str, strlen(str), "probe-module.txt") &&
					     mod[1] - mod[0] == strlen(want) &&
					     !memcmp(phys(mod[0]), want, strlen(want)) &&
					     mod[0] >= 0x100000 && !(mod[0] & 0xfff),
			"at %x-%x, string '%s'", mod[0], mod[1], str);
		verdict("mb-module-args", ends_with(str2, path2, "probe-second.txt") &&
						  streq(str2 + path2, " two=2") &&
						  mod[5] - mod[4] == strlen(want2) &&
						  !memcmp(phys(mod[4]), want2, strlen(want2)) &&
						  mod[4] >= mod[1] && !(mod[4] & 0xfff),
			"at %x-%x, string '%s'", mod[4], mod[5], str2);
	} else {
		verdict("mb-module", 0, "flags %x, %u modules, want 2", flags,
			flags & MBI_MODS ? *(uint32_t *)phys(mbi + 20) : 0);
	}
	verdict("mb-memory", (flags & MBI_MEM) && (flags & MBI_MMAP) &&
				     *(uint32_t *)phys(mbi + 4) == 639 &&
				     *(uint32_t *)phys(mbi + 8) >= 60 * 1024,
		"flags %x lower %u upper %u", flags, *(uint32_t *)phys(mbi + 4),
		*(uint32_t *)phys(mbi + 8));
}

static void check_bda(void)
{
	/* Plain RAM, read with the MMIO helpers' MOVs: no object lives at 0x400. */
	uint16_t com1 = mmio_read16(0x400), ebda = mmio_read16(0x40e);
	uint16_t base_kb = mmio_read16(0x413), cols = mmio_read16(0x44a);
	uint8_t mode = mmio_read8(0x449), ebda_kb = mmio_read8(0x9fc00);

	verdict("bda", com1 == 0x3f8 && ebda == 0x9fc0 && base_kb == 639 && mode == 3 &&
			       cols == 80 && ebda_kb == 1,
		"COM1 %x EBDA %x (%u KiB) base %u KiB mode %u cols %u", com1, ebda, ebda_kb,
		base_kb, mode, cols);
}

/* ---- PMU MSRs --------------------------------------------------------------- */

static int vendor_is_amd(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	return (r[1] == 0x68747541 && r[3] == 0x69746e65 && r[2] == 0x444d4163) ||
	       (r[1] == 0x6f677948 && r[3] == 0x6e65476e && r[2] == 0x656e6975);
}

static void check_pmu(void)
{
	uint32_t r[4], index, max, bad = 0, first_bad = 0;
	int amd = vendor_is_amd(), f;
	uint64_t v;

	/* AMD's legacy counters: on AMD read 0 and take writes (APM vol. 2 13.2.1). */
	for (index = 0xc0010000; index <= 0xc0010007; index++) {
		int fw = probe_wrmsr(index, index < 0xc0010004 ? 0x530076 : 0x1234, 0);

		v = 0xdead;
		f = probe_rdmsr(index, &v);
		if (amd ? fw || f || v : fw != 13 || f != 13) {
			if (!bad++)
				first_bad = index;
		}
	}
	verdict("pmu-amd-legacy", !bad, "%s guest: %u of 8 wrong, first %x", amd ? "AMD" : "Intel",
		bad, first_bad);

	/* PerfCtrExtCore is hidden: its MSRs #GP. */
	cpuid(0x80000000, 0, r);
	max = r[0];
	r[2] = 0;
	if (max >= 0x80000001)
		cpuid(0x80000001, 0, r);
	f = probe_rdmsr(0xc0010200, &v);
	verdict("pmu-amd-ext-core", !(r[2] & (1U << 23)) && f == 13 &&
					    probe_wrmsr(0xc001020b, 0, 0) == 13,
		"CPUID 0x80000001 ECX %x, rdmsr 0xc0010200 vector %u", r[2], f);

	/* Intel's architectural PMU: absent when CPUID leaf 0xa says version 0. */
	cpuid(0, 0, r);
	max = r[0];
	r[0] = 0;
	if (max >= 0xa)
		cpuid(0xa, 0, r);
	bad = 0;
	if (probe_rdmsr(0xc1, &v) != 13)
		bad |= 1;
	if (probe_wrmsr(0x186, 0x43003c, 0) != 13)
		bad |= 2;
	if (probe_rdmsr(0x309, &v) != 13)
		bad |= 4;
	if (probe_rdmsr(0x38f, &v) != 13)
		bad |= 8;
	verdict("pmu-intel-arch", (r[0] & 0xff) == 0 && !bad,
		"CPUID 0xa EAX %x; MSRs that did not #GP: mask %x", r[0], bad);

	verdict("msr-unknown", probe_rdmsr(0xdeadbeef, &v) == 13 &&
				       probe_wrmsr(0x4b564d01, 1, 2) == 13,
		"unknown MSRs #GP");
}

/* ---- the APIC switched off and to x2APIC mode ---------------------------- */

static int cpuid_apic(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return !!(r[3] & (1U << 9));
}

static void check_apic(void)
{
	uint64_t base = 0;
	uint32_t version, off_read, off_cpuid, back, r[4];
	int f;

	f = probe_rdmsr(MSR_APIC_BASE, &base);
	version = mmio_read32(XAPIC_VERSION);
	verdict("apic-on", !f && (base & APIC_BASE_ENABLE) && cpuid_apic() &&
				   version != 0xffffffff && (version & 0xff) != 0,
		"APIC_BASE %x, version register %x", (uint32_t)base, version);

	/* SDM vol. 3 11.4.3: off, it is as if there were no APIC at all. */
	f = probe_wrmsr(MSR_APIC_BASE, (uint32_t)base & ~APIC_BASE_ENABLE, (uint32_t)(base >> 32));
	off_cpuid = cpuid_apic();
	off_read = mmio_read32(XAPIC_VERSION);
	mmio_write32(XAPIC_EOI, 0);
	mmio_write32(XAPIC_TPR, 0x20);
	off_read &= mmio_read32(XAPIC_TPR);
	verdict("apic-disabled", !f && !off_cpuid && off_read == 0xffffffff,
		"wrmsr vector %u, CPUID.1:EDX.APIC %u, xAPIC reads %x", f, off_cpuid, off_read);

	f = probe_wrmsr(MSR_APIC_BASE, (uint32_t)base, (uint32_t)(base >> 32));
	back = mmio_read32(XAPIC_VERSION);
	verdict("apic-reenabled", !f && cpuid_apic() && back == version,
		"wrmsr vector %u, version register %x", f, back);

	cpuid(1, 0, r);
	if (!(r[2] & (1U << 21))) {
		verdict("apic-x2apic-mmio", 1, "no x2APIC in CPUID: nothing to try");
		return;
	}
	/* 11.12.1.2: in x2APIC mode the MMIO page is a disabled xAPIC's. */
	f = probe_wrmsr(MSR_APIC_BASE, (uint32_t)base | APIC_BASE_EXTD, (uint32_t)(base >> 32));
	off_read = mmio_read32(XAPIC_VERSION);
	mmio_write32(XAPIC_EOI, 0);
	/* Back to xAPIC through disabled, the only way the SDM allows. */
	f |= probe_wrmsr(MSR_APIC_BASE, (uint32_t)base & ~(APIC_BASE_ENABLE | APIC_BASE_EXTD),
			 (uint32_t)(base >> 32));
	f |= probe_wrmsr(MSR_APIC_BASE, (uint32_t)base, (uint32_t)(base >> 32));
	back = mmio_read32(XAPIC_VERSION);
	verdict("apic-x2apic-mmio", !f && off_read == 0xffffffff && back == version,
		"wrmsr vectors %u, xAPIC page in x2APIC mode reads %x, back in xAPIC %x", f,
		off_read, back);
}

/* ---- MMIO and ports where nothing is -------------------------------------- */

static void check_unclaimed_mmio(void)
{
	static const uint32_t where[] = { 0xf0000000, 0xfed00000, 0xfebff000, 0xfec01000,
					  0xfee01000, 0xfffffff0 };
	unsigned int i, bad = 0;
	uint32_t first = 0;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		uint32_t a = where[i];

		mmio_write32(a, 0x12345678);
		mmio_write16(a + 6, 0x1234);
		mmio_write8(a + 9, 0x12);
		if (mmio_read32(a) != 0xffffffff || mmio_read16(a + 6) != 0xffff ||
		    mmio_read8(a + 9) != 0xff || mmio_read32(a + 1) != 0xffffffff) {
			if (!bad++)
				first = a;
		}
	}
	verdict("mmio-unclaimed", !bad, "%u places did not read all-ones, first %x", bad, first);
}

/* Device pages at widths and places their registers do not have. */
static void check_odd_mmio(void)
{
	uint32_t version = mmio_read32(XAPIC_VERSION), v;

	/* SDM vol. 3 11.4.1: only aligned 32-bit accesses are defined. */
	(void)mmio_read8(XAPIC_VERSION);
	(void)mmio_read16(XAPIC_VERSION + 2);
	(void)mmio_read32(XAPIC_VERSION + 1);
	mmio_write8(XAPIC_TPR, 0x10);
	mmio_write32(XAPIC_TPR + 2, 0x10);
	/* The IOAPIC's last bytes and a read running off its page. */
	(void)mmio_read32(0xfec00ffe);
	mmio_write16(0xfec00fff, 0);
	v = mmio_read32(XAPIC_VERSION);
	verdict("mmio-device-widths", v == version, "APIC version register %x then %x", version,
		v);

	/* PCI: a function nobody has, through CF8/CFC and ECAM. */
	outl(0xcf8, 0x8000fffc);		/* bus 0, device 31, function 7, reg 0xfc */
	v = inl(0xcfc);
	outl(0xcf8, 0);
	verdict("pci-missing-function", v == 0xffffffff &&
						mmio_read32(0xe00ff000) == 0xffffffff &&
						mmio_read16(0xe1000000) == 0xffff,
		"CF8/CFC read %x", v);
}

static uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void check_ports(void)
{
	/* Unclaimed ports, and accesses running past a device's range. */
	static const struct {
		uint16_t port;
		uint8_t size;
	} empty[] = {
		{ 0x520, 2 }, { 0x520, 4 }, { 0x402, 1 }, { 0x402, 4 }, { 0x3fe, 4 },
		{ 0x3ff, 2 }, { 0xcf9, 4 }, { 0xcf9, 2 }, { 0xffff, 1 }, { 0xfffe, 2 },
		{ 0xfffd, 4 }, { 0x61, 4 },
	};
	uint16_t buf[8];
	unsigned int i, bad = 0;
	uint32_t v, first = 0;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		uint16_t p = empty[i].port;

		switch (empty[i].size) {
		case 1:
			outb(p, 0x5a);
			v = inb(p) | 0xffffff00;
			break;
		case 2:
			outw(p, 0x5a5a);
			v = inw(p) | 0xffff0000;
			break;
		default:
			outl(p, 0x5a5a5a5a);
			v = inl(p);
			break;
		}
		if (v != 0xffffffff && !bad++)
			first = (uint32_t)p << 8 | empty[i].size;
	}
	verdict("pio-unclaimed-widths", !bad, "%u accesses did not read all-ones, first %x", bad,
		first);

	/* Devices at widths they do not decode: the machine must go on. */
	(void)inl(0x3f9);
	(void)inw(0x41);
	(void)inl(0x71);
	(void)inl(0x20);
	(void)inl(0x80);
	outw(0x92, 0x0002);		/* A20 on, no reset */
	(void)inl(0x92);
	(void)inw(0xcfe);
	verdict("pio-device-widths", 1, "odd widths on the UART, PIT, RTC, PIC, port A, PCI");

	memset(buf, 0, sizeof(buf));
	{
		void *d = buf, *s = buf;
		uint32_t n = 8, m = 16;

		__asm__ __volatile__("rep insw" : "+D"(d), "+c"(n) : "d"(0x520) : "memory");
		for (i = 0; i < 8; i++)
			bad |= buf[i] != 0xffff;
		__asm__ __volatile__("rep outsb" : "+S"(s), "+c"(m) : "d"(0x402) : "memory");
	}
	verdict("pio-string-unclaimed", !bad, "rep insw from port 0x520 read %x", buf[0]);

	/*
	 * INS/OUTS whose buffer is not RAM (SDM vol. 1 19.4.4: the memory
	 * operand is an ordinary one): unassigned addresses read all ones and
	 * drop writes; a device page gets the element.  The IOAPIC's IOREGSEL
	 * keeps what it is given (bits 7:0), and an OUTS from it selects the
	 * CMOS register whose value the probe then reads back.
	 */
	{
		void *d = (void *)0xf0000000, *s = (void *)0xf0000000;
		uint32_t n = 8, m = 16, sel;
		uint8_t cmos;

		__asm__ __volatile__("rep insw" : "+D"(d), "+c"(n) : "d"(0x520) : "memory");
		__asm__ __volatile__("rep outsb" : "+S"(s), "+c"(m) : "d"(0x402) : "memory");
		d = (void *)0xfec00000;
		n = 1;
		__asm__ __volatile__("rep insl" : "+D"(d), "+c"(n) : "d"(0x520) : "memory");
		sel = mmio_read32(0xfec00000);
		outb(0x70, 0x7f);	/* where all-ones data would point */
		outb(0x71, 0x00);
		outb(0x70, 0x3f);
		outb(0x71, 0xa5);
		mmio_write32(0xfec00000, 0x3f);
		s = (void *)0xfec00000;
		__asm__ __volatile__("outsb" : "+S"(s) : "d"(0x70) : "memory");
		cmos = inb(0x71);
		mmio_write32(0xfec00000, 0);
		verdict("pio-string-device-buffer", sel == 0xff && cmos == 0xa5,
			"INS into IOREGSEL left %x (want ff), OUTS from it selected CMOS %x (want a5)",
			sel, cmos);
	}
}

/*
 * Port 0x80, the POST code latch: a read gives the last code written
 * (pc/dev/post.c), whatever Linux-style I/O delays came before.
 */
static void check_post_code(void)
{
	uint8_t first, second;

	outb(PORT_POST, 0x5c);
	first = inb(PORT_POST);
	outb(PORT_POST, 0xc5);
	second = inb(PORT_POST);
	verdict("post-code-latch", first == 0x5c && second == 0xc5, "read %x after 5c, %x after c5",
		first, second);
}

/* VBE dispi registers (display/vga.h): index at 0x1ce, data at 0x1cf. */
static void vbe_write(uint16_t index, uint16_t val)
{
	outw(0x1ce, index);
	outw(0x1cf, val);
}

static uint16_t vbe_read(uint16_t index)
{
	outw(0x1ce, index);
	return inw(0x1cf);
}

/*
 * With --vga (display/): register storms over the VGA's ports at every
 * width and over the VBE registers, then a VBE mode larger than video
 * memory.  The machine must go on, the mode must be refused (ENABLE reads
 * back without its enabled bit), and the device must still answer.
 * Without --vga the ports are nobody's and the case says so.
 */
static void check_vga(void)
{
	uint32_t x = 0x9e3779b9, enable;
	unsigned int i;

	if (vbe_read(0) != 0xb0c5) {
		verdict("vga-storm", 1, "no VGA (vireo-run without --vga)");
		return;
	}
	for (i = 0; i < 8000; i++) {
		uint16_t port = (uint16_t)(0x3b0 + (x >> 8) % 0x30);

		x = x * 1103515245U + 12345U;
		switch (x & 3) {
		case 0:
			outb(port, (uint8_t)(x >> 16));
			break;
		case 1:
			(void)inb(port);
			break;
		case 2:
			outw(port, (uint16_t)(x >> 12));
			break;
		default:
			(void)inl(port);
			break;
		}
		/* Every VBE register but ENABLE (each enable clears up to 16 MiB). */
		if (!(i & 7) && ((x >> 20) % 11) != 4)
			vbe_write((uint16_t)((x >> 20) % 11), (uint16_t)(x >> 4));
	}
	vbe_write(4, 0);
	vbe_write(1, 4000);		/* 4000x3000x32: 48 MB, past 16 MiB */
	vbe_write(2, 3000);
	vbe_write(3, 32);
	vbe_write(4, 0x41);		/* ENABLED | LFB_ENABLED */
	enable = vbe_read(4);
	vbe_write(4, 0);
	outb(0x3c2, 0x67);		/* colour addressing, then a CRTC round trip */
	outb(0x3d4, 0x0e);
	outb(0x3d5, 0x12);
	verdict("vga-storm", !(enable & 1) && vbe_read(0) == 0xb0c5 && inb(0x3d5) == 0x12,
		"ENABLE %x after a 4000x3000x32 mode (want bit 0 clear), ID %x", enable,
		vbe_read(0));
}

void probe_main(uint32_t magic, uint32_t mbi)
{
	idt_setup();
	if (cmdline_has(mbi, "post-hold")) {
		outb(PORT_POST, PROBE_POST_HOLD);
		vh_printf("pc-probe: POST code %x written, holding\n", PROBE_POST_HOLD);
		for (;;)
			__asm__ __volatile__("cli; hlt");
	}
	vh_printf("pc-probe: start\n");
	check_multiboot(magic, mbi);
	check_bda();
	check_pmu();
	check_apic();
	check_unclaimed_mmio();
	check_odd_mmio();
	check_ports();
	check_post_code();
	check_vga();
	vh_printf("DONE cases=%u pass=%u fail=%u\n", cases, passed, cases - passed);
	debug_exit(PROBE_DONE);
}
