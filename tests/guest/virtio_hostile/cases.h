/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the case files share (tests/guest/README.md): the case table, the
 * devices under test, the expectations every case checks (cases.c) and
 * the attacks any queue gets (attack.c).
 *
 * Each device under test is a struct vhdev with its own table of cases;
 * the runner (cases.c) goes through virtio-blk's, then virtio-net's,
 * virtio-console's and virtio-rng's.  A case either has its own function
 * or is one of the generic attacks (enum attack) on a struct vtarget, a
 * queue of one of the devices.  After each case, the device must still
 * work: vhdev.check proves it (a sector read back, an ARP answered, a
 * line written, random bytes).
 */
#ifndef VH_CASES_H
#define VH_CASES_H

#include "vdrv.h"

#define WAIT_MS			5000	/* for a reaction that must come */
#define QUIET_MS		300	/* for one that must not */

#define DEFAULT_FEATURES	(FBIT(F_VERSION_1) | FBIT(F_INDIRECT_DESC))
#define PCI_HOLE_ADDR		0xd0000000ULL	/* in the PCI window, no BAR there */
#define LAPIC_ADDR		0xfee00000ULL
#define ABOVE_4G		0x100000000ULL

#define ITABLE(n) ((volatile struct vring_desc *)phys(VH_INDIRECT + 0x1000U * (n)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum after {
	AFTER_RESET,		/* reset, reinitialise, then the device's check */
	AFTER_SAME_QUEUE,	/* the device must still be running: the check */
};

/*
 * The generic attacks (attack.c).  On a two-descriptor request in the
 * queue's direction, one thing is changed; then the device must set
 * NEEDS_RESET (or, on a queue it never takes buffers from without input,
 * leave them alone).  The ring attacks hand the queue bad ring addresses
 * when it is enabled.
 */
enum attack {
	A_NONE,
	A_ADDR_BEYOND_RAM,		/* the second buffer at the end of RAM */
	A_ADDR_ABOVE_4G,
	A_ADDR_PCI_HOLE,
	A_ADDR_WRAP_INTO_RAM,		/* [2^64 - 4 KiB, 2^64 + 4 KiB) */
	A_LEN_4G,			/* len 0xffffffff */
	A_CHAIN_BYTES_OVERFLOW,		/* 16 x 20 MiB: more than VIREO_VQ_MAX_BYTES */
	A_NEXT_OUT_OF_RANGE,
	A_AVAIL_ENTRY_OUT_OF_RANGE,
	A_LOOP_SELF,
	A_LOOP_PAIR,
	A_CHAIN_LONGER_THAN_QUEUE,	/* 10 direct + 16 in an indirect table */
	A_INDIRECT_LOOP,
	A_INDIRECT_OUTSIDE_RAM,
	A_INDIRECT_NESTED,
	A_READABLE_AFTER_WRITABLE,
	A_WRONG_WAY,			/* both buffers in the other direction */
	A_READABLE_THEN_WRITABLE,	/* a legal order, wrong for a one-way queue */
	A_AVAIL_IDX_JUMP,
	A_RING_DESC_OUTSIDE_RAM,	/* from here on: ring attacks */
	A_RING_USED_IN_PCI_HOLE,
};

struct vhdev;

/* A queue the generic attacks aim at. */
struct vtarget {
	const struct vhdev *on;
	uint16_t q;
	bool writable;		/* the device writes this queue's buffers */
	bool parsed;		/* it takes buffers without input (console rx: no) */
	/* The request's 76 bytes (12 + 64) when they must look right; optional. */
	void (*fill)(uint8_t *buf);
};

struct vcase {
	const char *name;
	const char *(*run)(void);	/* the case, or NULL: attack on target */
	enum after after;
	const struct vtarget *target;
	enum attack attack;
};

/* A table row for a generic attack. */
#define ATTACK(name, target, attack, after) { name, NULL, after, &(target), attack }

/* Every chain attack on one queue, "<pfx>-addr-beyond-ram" and so on. */
#define CHAIN_ATTACKS(pfx, t)                                                               \
	ATTACK(pfx "-addr-beyond-ram", t, A_ADDR_BEYOND_RAM, AFTER_RESET),                  \
	ATTACK(pfx "-addr-above-4g", t, A_ADDR_ABOVE_4G, AFTER_RESET),                      \
	ATTACK(pfx "-addr-pci-hole", t, A_ADDR_PCI_HOLE, AFTER_RESET),                      \
	ATTACK(pfx "-addr-wrap-into-ram", t, A_ADDR_WRAP_INTO_RAM, AFTER_RESET),            \
	ATTACK(pfx "-len-4g", t, A_LEN_4G, AFTER_RESET),                                    \
	ATTACK(pfx "-chain-bytes-overflow", t, A_CHAIN_BYTES_OVERFLOW, AFTER_RESET),        \
	ATTACK(pfx "-next-out-of-range", t, A_NEXT_OUT_OF_RANGE, AFTER_RESET),              \
	ATTACK(pfx "-avail-entry-out-of-range", t, A_AVAIL_ENTRY_OUT_OF_RANGE, AFTER_RESET), \
	ATTACK(pfx "-loop-self", t, A_LOOP_SELF, AFTER_RESET),                              \
	ATTACK(pfx "-loop-pair", t, A_LOOP_PAIR, AFTER_RESET),                              \
	ATTACK(pfx "-chain-longer-than-queue", t, A_CHAIN_LONGER_THAN_QUEUE, AFTER_RESET),  \
	ATTACK(pfx "-indirect-loop", t, A_INDIRECT_LOOP, AFTER_RESET),                      \
	ATTACK(pfx "-indirect-outside-ram", t, A_INDIRECT_OUTSIDE_RAM, AFTER_RESET),        \
	ATTACK(pfx "-indirect-nested", t, A_INDIRECT_NESTED, AFTER_RESET),                  \
	ATTACK(pfx "-readable-after-writable", t, A_READABLE_AFTER_WRITABLE, AFTER_RESET),  \
	ATTACK(pfx "-avail-idx-jump", t, A_AVAIL_IDX_JUMP, AFTER_RESET)

#define RING_ATTACKS(pfx, t)                                                                \
	ATTACK(pfx "-ring-desc-outside-ram", t, A_RING_DESC_OUTSIDE_RAM, AFTER_RESET),      \
	ATTACK(pfx "-ring-used-in-pci-hole", t, A_RING_USED_IN_PCI_HOLE, AFTER_RESET)

/* A device under test and its cases. */
struct vhdev {
	struct vdev *dev;
	uint64_t features;	/* what vd_start() negotiates */
	bool restart;		/* start afresh before every case, not only after a failure */
	/* The device works (NULL) or why not; n is the case's index in the table. */
	const char *(*check)(const struct vcase *c, unsigned int n);
	const struct vcase *cases;
	unsigned int nr_cases;
};

extern const struct vhdev vh_blk, vh_net, vh_con, vh_rng;

/* ---- cases.c ------------------------------------------------------------- */

extern unsigned int vh_nr_resets;	/* NEEDS_RESET incidents seen */

const char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void set_desc(volatile struct vring_desc *t, unsigned int i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next);
/* The next used entry of queue q must be head; its len in *len. */
const char *vh_expect_used(struct vdev *d, unsigned int q, uint16_t head, uint32_t *len);
/*
 * The device must set NEEDS_RESET without completing anything on queue q;
 * after DRIVER_OK it must also signal a configuration change (ISR bit 1).
 */
const char *vh_expect_reset(struct vdev *d, unsigned int q, bool want_isr);
/* Nothing may happen for QUIET_MS: no used entry on q, no NEEDS_RESET. */
const char *vh_expect_quiet(struct vdev *d, unsigned int q);

/* ---- attack.c ------------------------------------------------------------ */

const char *vh_attack(const struct vtarget *t, enum attack a);

#endif /* VH_CASES_H */
