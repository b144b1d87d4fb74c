// SPDX-License-Identifier: GPL-2.0
/*
 * The test kernel's library: the mem* functions the compiler may call,
 * a small printf to COM1 and into buffers, a millisecond clock from the
 * ACPI PM timer, and power-off.
 */
#include "hw.h"

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* ---- formatting ---------------------------------------------------------- */

struct sink {
	char *buf;	/* NULL: COM1 */
	size_t len, cap;
};

static void put(struct sink *s, char c)
{
	if (!s->buf) {
		/* The Vireo PC's UART takes a byte at any time (LSR reads THRE). */
		outb(COM1, (uint8_t)c);
		return;
	}
	if (s->len + 1 < s->cap)
		s->buf[s->len++] = c;
}

static void put_num(struct sink *s, uint64_t v, unsigned int base, unsigned int width,
		    char pad)
{
	char tmp[24];
	unsigned int n = 0;

	do {
		unsigned int d = (unsigned int)(v & (base - 1));

		/* base is 16 here, or 10 below: no 64-bit division needed for hex. */
		if (base == 10) {
			uint32_t v32 = (uint32_t)v;

			d = v32 % 10;
			v = v32 / 10;
		} else {
			v >>= 4;
		}
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	} while (v);
	while (n < width--)
		put(s, pad);
	while (n)
		put(s, tmp[--n]);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		char pad = ' ';
		const char *str;
		int i;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (i = (int)strlen(str); (unsigned int)i < width; i++)
				put(s, ' ');
			while (*str)
				put(s, *str++);
			break;
		case 'c':
			put(s, (char)va_arg(ap, int));
			break;
		case 'd':
			i = va_arg(ap, int);
			if (i < 0) {
				put(s, '-');
				i = -i;
			}
			put_num(s, (uint32_t)i, 10, width, pad);
			break;
		case 'u':
			put_num(s, va_arg(ap, unsigned int), 10, width, pad);
			break;
		case 'x':
			if (longs >= 2)
				put_num(s, va_arg(ap, unsigned long long), 16, width, pad);
			else
				put_num(s, va_arg(ap, unsigned int), 16, width, pad);
			break;
		case '%':
			put(s, '%');
			break;
		default:
			put(s, '?');
			break;
		}
		if (!*fmt)
			break;
	}
}

void vh_printf(const char *fmt, ...)
{
	struct sink s = { 0 };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
}

void vh_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = { buf, 0, n };

	format(&s, fmt, ap);
	if (n)
		buf[s.len] = 0;
}

void vh_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vh_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* ---- time and power ------------------------------------------------------ */

/*
 * The PM timer counts at 3.579545 MHz in 24 bits (or 32 with TMR_VAL_EXT);
 * taking differences modulo 2^24 works for both as long as calls come less
 * than 4.6 s apart, which the polling loops guarantee.  A longer gap only
 * makes a wait last longer.
 */
uint32_t vh_ms(void)
{
	static uint32_t last, rem, ms;
	static int started;
	uint32_t now = inl(PM_TMR);

	if (!started) {
		started = 1;
		last = now;
		return 0;
	}
	rem += (now - last) & 0xffffffU;
	last = now;
	ms += rem / (PM_TMR_HZ / 1000);
	rem %= PM_TMR_HZ / 1000;
	return ms;
}

void vh_poweroff(uint8_t code)
{
	outw(PM1_CNT, PM1_S5);
	/* Under QEMU with -device isa-debug-exit (a development aid only). */
	outb(DEBUG_EXIT, code);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
