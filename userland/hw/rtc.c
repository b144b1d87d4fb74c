// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC and CMOS RAM model (rtc.h).  Datasheet: Motorola
 * MC146818A, "Real-Time Clock Plus RAM (RTC)".
 *
 * The clock time is signed here (int64_t nanoseconds) so that a phase
 * before the clock's origin needs no special case.
 */
#include <errno.h>

#include "hw/rtc.h"

#define NS_PER_SEC	1000000000LL
#define UIP_NS		244141LL	/* 8 cycles of 32.768 kHz */
#define DV_RELEASE_NS	500000000LL	/* first update after a divider reset */

#define REG_SEC		0x00
#define REG_SEC_ALARM	0x01
#define REG_MIN		0x02
#define REG_MIN_ALARM	0x03
#define REG_HOUR	0x04
#define REG_HOUR_ALARM	0x05
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define FIRST_RAM	0x0e

#define A_UIP		0x80
#define A_DV_MASK	0x70
#define A_DV_RESET	0x60	/* DV2 and DV1 set: divider held in reset */
#define A_RS_MASK	0x0f
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_AF		0x20
#define C_UF		0x10
#define C_FLAGS		0x70
#define D_VRT		0x80
#define ALARM_ANY	0xc0
#define NMI_MASK	0x80

static const struct vireo_hw_pio_range rtc_pio[] = {
	{ VIREO_RTC_BASE, VIREO_RTC_PORTS, vireo_rtc_pio },
};

const struct vireo_hw_desc vireo_rtc_desc = {
	.name = "rtc",
	.pio = rtc_pio,
	.nr_pio = 1,
	.line = VIREO_IRQ_RTC,
};

/* ---- calendar ---------------------------------------------------- */

struct rtc_fields {
	unsigned int sec, min, hour, wday, mday, month, year, century;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b && (a < 0) != (b < 0))
		q--;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void fields_from_seconds(int64_t s, struct rtc_fields *f)
{
	int64_t days = floor_div(s, 86400), rem = s - days * 86400, y;

	f->sec = (unsigned int)(rem % 60);
	f->min = (unsigned int)(rem / 60 % 60);
	f->hour = (unsigned int)(rem / 3600);
	/* 1970-01-01 was a Thursday; the register counts Sunday as 1. */
	f->wday = (unsigned int)(days + 4 - floor_div(days + 4, 7) * 7) + 1;
	civil_from_days(days, &y, &f->month, &f->mday);
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	f->year = (unsigned int)(y % 100);
	f->century = (unsigned int)(y / 100);
}

static int64_t seconds_from_fields(const struct rtc_fields *f)
{
	int64_t y = (int64_t)f->century * 100 + f->year;

	return days_from_civil(y, f->month, f->mday) * 86400 + f->hour * 3600 + f->min * 60 +
	       f->sec;
}

/* ---- register formats -------------------------------------------- */

static uint8_t enc(const struct vireo_rtc *rtc, unsigned int v)
{
	return rtc->reg_b & B_BINARY ? (uint8_t)v : vireo_bin_to_bcd(v);
}

static unsigned int dec(const struct vireo_rtc *rtc, uint8_t v, unsigned int lo, unsigned int hi)
{
	unsigned int n = rtc->reg_b & B_BINARY ? v : vireo_bcd_to_bin(v);

	return n < lo ? lo : n > hi ? hi : n;
}

static uint8_t enc_hour(const struct vireo_rtc *rtc, unsigned int h)
{
	if (rtc->reg_b & B_24H)
		return enc(rtc, h);
	return enc(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static unsigned int dec_hour(const struct vireo_rtc *rtc, uint8_t v)
{
	if (rtc->reg_b & B_24H)
		return dec(rtc, v, 0, 23);
	return dec(rtc, v & 0x7f, 1, 12) % 12 + (v & 0x80 ? 12 : 0);
}

/* Write the time registers of s into regs (a CMOS-shaped array). */
static void render(const struct vireo_rtc *rtc, int64_t s, uint8_t *regs)
{
	struct rtc_fields f;

	fields_from_seconds(s, &f);
	regs[REG_SEC] = enc(rtc, f.sec);
	regs[REG_MIN] = enc(rtc, f.min);
	regs[REG_HOUR] = enc_hour(rtc, f.hour);
	regs[REG_WDAY] = enc(rtc, f.wday);
	regs[REG_MDAY] = enc(rtc, f.mday);
	regs[REG_MONTH] = enc(rtc, f.month);
	regs[REG_YEAR] = enc(rtc, f.year);
	regs[VIREO_RTC_CENTURY] = enc(rtc, f.century);
}

/* The time the registers name; nonsense is clamped, day of week ignored. */
static int64_t parse(const struct vireo_rtc *rtc, const uint8_t *regs)
{
	struct rtc_fields f = {
		.sec = dec(rtc, regs[REG_SEC], 0, 59),
		.min = dec(rtc, regs[REG_MIN], 0, 59),
		.hour = dec_hour(rtc, regs[REG_HOUR]),
		.mday = dec(rtc, regs[REG_MDAY], 1, 31),
		.month = dec(rtc, regs[REG_MONTH], 1, 12),
		.year = dec(rtc, regs[REG_YEAR], 0, 99),
		.century = dec(rtc, regs[VIREO_RTC_CENTURY], 0, 99),
	};

	return seconds_from_fields(&f);
}

static bool is_time_reg(unsigned int index)
{
	return index == REG_SEC || index == REG_MIN || index == REG_HOUR ||
	       (index >= REG_WDAY && index <= REG_YEAR) || index == VIREO_RTC_CENTURY;
}

/* ---- time and flags ---------------------------------------------- */

static int64_t now(struct vireo_rtc *rtc)
{
	return (int64_t)rtc->clock.now_ns(rtc->clock.opaque);
}

static bool divider_reset(const struct vireo_rtc *rtc)
{
	return (rtc->reg_a & A_DV_RESET) == A_DV_RESET;
}

/* Updates completed since phase_ns at clock time t. */
static int64_t updates_at(const struct vireo_rtc *rtc, int64_t t)
{
	return floor_div(t - rtc->phase_ns, NS_PER_SEC);
}

static int64_t time_at(const struct vireo_rtc *rtc, int64_t t)
{
	if (rtc->halted)
		return parse(rtc, rtc->cmos);
	return rtc->epoch_sec + updates_at(rtc, t);
}

/* Periodic interrupt period as a power of two of 1/32768 s; 0: off. */
static unsigned int periodic_shift(const struct vireo_rtc *rtc)
{
	unsigned int rs = rtc->reg_a & A_RS_MASK;

	if (!rs || divider_reset(rtc))
		return 0;
	return rs <= 2 ? rs + 6 : rs - 1;	/* 1, 2 give 256 and 128 Hz */
}

static int64_t periods_at(const struct vireo_rtc *rtc, int64_t t, unsigned int shift)
{
	__int128 num = (__int128)(t - rtc->phase_ns) * 32768;
	__int128 den = (__int128)NS_PER_SEC << shift;
	__int128 q = num / den;

	if (num % den && num < 0)
		q--;
	return (int64_t)q;
}

static void update_irq(struct vireo_rtc *rtc)
{
	bool level, alarm;

	if (rtc->reg_c & rtc->reg_b & C_FLAGS)
		rtc->reg_c |= C_IRQF;
	else
		rtc->reg_c &= ~C_IRQF;
	level = rtc->reg_c & C_IRQF;
	/* AF.AIE newly true: the alarm asserts IRQ 8, which the PM block latches. */
	alarm = rtc->reg_c & rtc->reg_b & C_AF;
	if (alarm && !rtc->alarm_irq && rtc->alarm_hook)
		rtc->alarm_hook(rtc->alarm_opaque);
	rtc->alarm_irq = alarm;
	if (level == rtc->irq_level)
		return;
	rtc->irq_level = level;
	if (level)
		rtc->irqs++;
	vireo_irq_set(rtc->irq, rtc->line, level);
}

static bool alarm_matches(const struct vireo_rtc *rtc, int64_t s)
{
	static const unsigned int pairs[3][2] = {
		{ REG_SEC, REG_SEC_ALARM },
		{ REG_MIN, REG_MIN_ALARM },
		{ REG_HOUR, REG_HOUR_ALARM },
	};
	uint8_t regs[VIREO_RTC_CMOS_SIZE];
	unsigned int i;

	render(rtc, s, regs);
	for (i = 0; i < 3; i++) {
		uint8_t alarm = rtc->cmos[pairs[i][1]];

		if ((alarm & ALARM_ANY) != ALARM_ANY && alarm != regs[pairs[i][0]])
			return false;
	}
	return true;
}

/* Bring register C up to clock time t. */
static void advance(struct vireo_rtc *rtc, int64_t t)
{
	unsigned int shift = periodic_shift(rtc);

	if (t <= rtc->last_ns)
		return;
	if (!rtc->halted && updates_at(rtc, t) > updates_at(rtc, rtc->last_ns)) {
		rtc->reg_c |= C_UF;
		if (alarm_matches(rtc, time_at(rtc, t)))
			rtc->reg_c |= C_AF;
	}
	if (shift && periods_at(rtc, t, shift) > periods_at(rtc, rtc->last_ns, shift))
		rtc->reg_c |= C_PF;
	rtc->last_ns = t;
	update_irq(rtc);
}

static int64_t next_update_ns(const struct vireo_rtc *rtc, int64_t t)
{
	return rtc->phase_ns + (updates_at(rtc, t) + 1) * NS_PER_SEC;
}

/* The first nanosecond at or after the next periodic edge. */
static int64_t next_periodic_ns(const struct vireo_rtc *rtc, int64_t t, unsigned int shift)
{
	__int128 next = (__int128)(periods_at(rtc, t, shift) + 1) * ((__int128)NS_PER_SEC << shift);

	return rtc->phase_ns + (int64_t)((next + 32767) / 32768);
}

/* Arm the timer for the next edge of an enabled interrupt.  Lock held. */
static void rearm(struct vireo_rtc *rtc, int64_t t)
{
	uint64_t deadline = VIREO_TIMER_OFF;
	unsigned int shift = periodic_shift(rtc);

	/* With the line up, nothing new can be signalled until C is read. */
	if (!rtc->irq_level) {
		if (!rtc->halted && (rtc->reg_b & (B_UIE | B_AIE)))
			deadline = (uint64_t)next_update_ns(rtc, t);
		if (shift && (rtc->reg_b & B_PIE)) {
			uint64_t edge = (uint64_t)next_periodic_ns(rtc, t, shift);

			if (edge < deadline)
				deadline = edge;
		}
	}
	if (deadline != rtc->armed && rtc->timer.arm) {
		rtc->armed = deadline;
		rtc->timer.arm(rtc->timer.opaque, deadline);
	}
}

/* Stop updates: the time registers become plain bytes. */
static void halt(struct vireo_rtc *rtc, int64_t t)
{
	if (rtc->halted)
		return;
	render(rtc, time_at(rtc, t), rtc->cmos);
	rtc->halted = true;
}

/* Run from the registers' time; the next update comes at phase_ns + k s. */
static void resume(struct vireo_rtc *rtc, int64_t t)
{
	int64_t s;

	if (!rtc->halted || (rtc->reg_b & B_SET) || divider_reset(rtc))
		return;
	s = parse(rtc, rtc->cmos);
	rtc->halted = false;
	rtc->epoch_sec = s - updates_at(rtc, t);
	rtc->last_ns = t;
}

static void write_a(struct vireo_rtc *rtc, uint8_t v, int64_t t)
{
	bool was_reset = divider_reset(rtc);

	rtc->reg_a = v & ~A_UIP;
	if (!was_reset && divider_reset(rtc)) {
		halt(rtc, t);
	} else if (was_reset && !divider_reset(rtc)) {
		rtc->phase_ns = t - DV_RELEASE_NS;
		rtc->last_ns = t;
		resume(rtc, t);
	}
}

static void write_b(struct vireo_rtc *rtc, uint8_t v, int64_t t)
{
	if (v & B_SET) {
		v &= ~B_UIE;	/* the datasheet: SET clears UIE */
		halt(rtc, t);
	}
	rtc->reg_b = v;
	resume(rtc, t);
	update_irq(rtc);
}

static uint8_t read_reg(struct vireo_rtc *rtc, unsigned int index, int64_t t)
{
	uint8_t regs[VIREO_RTC_CMOS_SIZE], v;

	switch (index) {
	case REG_A:
		v = rtc->reg_a;
		if (!rtc->halted &&
		    (t - rtc->phase_ns) - updates_at(rtc, t) * NS_PER_SEC >= NS_PER_SEC - UIP_NS)
			v |= A_UIP;
		return v;
	case REG_B:
		return rtc->reg_b;
	case REG_C:
		v = rtc->reg_c;
		rtc->reg_c = 0;
		update_irq(rtc);
		return v;
	case REG_D:
		return D_VRT;
	}
	if (!rtc->halted && is_time_reg(index)) {
		render(rtc, time_at(rtc, t), regs);
		return regs[index];
	}
	return rtc->cmos[index];
}

static void write_reg(struct vireo_rtc *rtc, unsigned int index, uint8_t v, int64_t t)
{
	uint8_t regs[VIREO_RTC_CMOS_SIZE];

	switch (index) {
	case REG_A:
		write_a(rtc, v, t);
		return;
	case REG_B:
		write_b(rtc, v, t);
		return;
	case REG_C:
	case REG_D:
		return;	/* read-only */
	}
	if (!rtc->halted && is_time_reg(index)) {
		/* Setting one field of a running clock: it goes on from there. */
		render(rtc, time_at(rtc, t), regs);
		regs[index] = v;
		rtc->epoch_sec = parse(rtc, regs) - updates_at(rtc, t);
		return;
	}
	rtc->cmos[index] = v;
}

static void rtc_byte(void *dev, uint16_t port_offset, bool is_write, uint8_t *byte)
{
	struct vireo_rtc *rtc = dev;
	int64_t t;

	if (port_offset == 0) {
		if (is_write) {
			rtc->index = *byte & 0x7f;
			rtc->nmi_masked = *byte & NMI_MASK;
		} else {
			*byte = 0xff;	/* the index register is write-only */
		}
		return;
	}
	t = now(rtc);
	advance(rtc, t);
	if (is_write)
		write_reg(rtc, rtc->index, *byte, t);
	else
		*byte = read_reg(rtc, rtc->index, t);
	rearm(rtc, t);
}

int vireo_rtc_pio(void *dev, uint16_t port_offset, unsigned int size, bool is_write,
		  uint32_t *data)
{
	struct vireo_rtc *rtc = dev;
	int ret;

	pthread_mutex_lock(&rtc->lock);
	ret = vireo_hw_pio_bytes(rtc, port_offset, VIREO_RTC_PORTS, size, is_write, data, rtc_byte);
	pthread_mutex_unlock(&rtc->lock);
	return ret;
}

void vireo_rtc_timer(struct vireo_rtc *rtc)
{
	int64_t t;

	pthread_mutex_lock(&rtc->lock);
	t = now(rtc);
	advance(rtc, t);
	rearm(rtc, t);
	pthread_mutex_unlock(&rtc->lock);
}

int64_t vireo_rtc_time(struct vireo_rtc *rtc)
{
	int64_t s;

	pthread_mutex_lock(&rtc->lock);
	s = time_at(rtc, now(rtc));
	pthread_mutex_unlock(&rtc->lock);
	return s;
}

void vireo_rtc_cmos_set(struct vireo_rtc *rtc, unsigned int index, uint8_t value)
{
	if (index < FIRST_RAM || index >= VIREO_RTC_CMOS_SIZE || index == VIREO_RTC_CENTURY)
		return;
	pthread_mutex_lock(&rtc->lock);
	rtc->cmos[index] = value;
	pthread_mutex_unlock(&rtc->lock);
}

uint8_t vireo_rtc_cmos_get(struct vireo_rtc *rtc, unsigned int index)
{
	uint8_t v;

	if (index < FIRST_RAM || index >= VIREO_RTC_CMOS_SIZE || index == VIREO_RTC_CENTURY)
		return 0;
	pthread_mutex_lock(&rtc->lock);
	v = rtc->cmos[index];
	pthread_mutex_unlock(&rtc->lock);
	return v;
}

static void set16(uint8_t *cmos, unsigned int index, uint64_t v, uint64_t max)
{
	if (v > max)
		v = max;
	cmos[index] = (uint8_t)v;
	cmos[index + 1] = (uint8_t)(v >> 8);
}

void vireo_rtc_set_memory(struct vireo_rtc *rtc, uint64_t below_4g, uint64_t above_4g)
{
	const uint64_t mib = 1ULL << 20;
	uint64_t high = above_4g >> 16;
	unsigned int i, sum = 0;

	pthread_mutex_lock(&rtc->lock);
	set16(rtc->cmos, 0x15, 640, 640);	/* base memory, KiB */
	set16(rtc->cmos, 0x17, below_4g > mib ? (below_4g - mib) >> 10 : 0, 0xffff);
	set16(rtc->cmos, 0x30, below_4g > mib ? (below_4g - mib) >> 10 : 0, 0xffff);
	set16(rtc->cmos, 0x34, below_4g > 16 * mib ? (below_4g - 16 * mib) >> 16 : 0, 0xffff);
	if (high > 0xffffff)
		high = 0xffffff;
	rtc->cmos[0x5b] = (uint8_t)high;
	rtc->cmos[0x5c] = (uint8_t)(high >> 8);
	rtc->cmos[0x5d] = (uint8_t)(high >> 16);
	/* The AT checksum covers 0x10-0x2d, stored big-endian. */
	for (i = 0x10; i <= 0x2d; i++)
		sum += rtc->cmos[i];
	rtc->cmos[0x2e] = (uint8_t)(sum >> 8);
	rtc->cmos[0x2f] = (uint8_t)sum;
	pthread_mutex_unlock(&rtc->lock);
}

int vireo_rtc_init(struct vireo_rtc *rtc, struct vireo_irq_router *irq, unsigned int line,
		   struct vireo_clock clock, struct vireo_timer timer, int64_t utc_ns)
{
	int64_t t, sec = floor_div(utc_ns, NS_PER_SEC);

	*rtc = (struct vireo_rtc){ 0 };
	rtc->irq = irq;
	rtc->line = line;
	rtc->clock = clock;
	rtc->timer = timer;
	rtc->reg_a = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	rtc->reg_b = B_24H;
	rtc->armed = VIREO_TIMER_OFF;
	t = now(rtc);
	/* The next update comes when the UTC second changes. */
	rtc->phase_ns = t - (utc_ns - sec * NS_PER_SEC);
	rtc->epoch_sec = sec;
	rtc->last_ns = t;
	return -pthread_mutex_init(&rtc->lock, NULL);
}

void vireo_rtc_set_alarm_hook(struct vireo_rtc *rtc, void (*hook)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&rtc->lock);
	rtc->alarm_hook = hook;
	rtc->alarm_opaque = opaque;
	pthread_mutex_unlock(&rtc->lock);
}

void vireo_rtc_fini(struct vireo_rtc *rtc)
{
	if (rtc->timer.arm && rtc->armed != VIREO_TIMER_OFF)
		rtc->timer.arm(rtc->timer.opaque, VIREO_TIMER_OFF);
	pthread_mutex_destroy(&rtc->lock);
}
