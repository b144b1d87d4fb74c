/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-run's PC machine (--kernel): the in-kernel LAPIC per vCPU, the
 * userland platform of libvireo-pc (hw/, acpi/, pci/, virtio/, boot/) and
 * the threads that drive it.
 *
 * Threads:
 *   main     builds the machine, then runs the I/O loop (pc_io.c): epoll on
 *            the device timers (timerfds), stdin, the virtio queue
 *            notifications (ioeventfds), the backends (tap, console), the
 *            signals (signalfd) and the machine's event eventfd.  When an
 *            event ends the machine, it stops the vCPU threads, tears
 *            everything down and, on a reset, builds it again.
 *   vCPU n   VIREO_RUN and the exits that reach userland (pc_vcpu.c): port
 *            I/O and MMIO into the device models, the xAPIC page, MSRs the
 *            kernel leaves to userland, IOAPIC EOIs.
 * Device models lock themselves (hw/hw.h, pci/pci.h, virtio/virtio.h); this
 * file's structures are either fixed while the threads run or atomic.
 *
 * What survives a reset (struct vireo_pc_host): the console (terminal
 * mode, escape state, input not yet delivered), the tap fds (a tap closed
 * by its last fd would leave the host's bridge), the signalfd.  Everything
 * else is made again, so a reboot is a power cycle with the disks kept.
 *
 * Legend: (i) set while building, then fixed while the threads run;
 * (a) atomic; (m) main thread only.
 */
#ifndef VIREO_RUN_PC_H
#define VIREO_RUN_PC_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libvireo.h>

#include "acpi/pm.h"
#include "acpi/tables.h"
#include "boot/layout.h"
#include "hw/i8042.h"
#include "hw/ioapic.h"
#include "hw/irq.h"
#include "hw/pic.h"
#include "hw/pit.h"
#include "hw/rtc.h"
#include "hw/uart.h"
#include "pci/pci.h"
#include "virtio/virtio_pci.h"

#include "device.h"
#include "machine.h"
#include "options.h"
#include "pc_console.h"
#include "pc_control.h"
#include "pc_msr.h"
#include "pc_nat.h"

struct vireo_nat;

/* Why the machine stops, in order of precedence (a higher one wins). */
enum vireo_pc_event {
	VIREO_PC_RUNNING = 0,
	VIREO_PC_RESET,		/* the guest asked for a reboot */
	VIREO_PC_POWEROFF,	/* ACPI S5: status 0 */
	VIREO_PC_DEBUG_EXIT,	/* --debug-exit: status (V << 1) | 1 */
	VIREO_PC_STOP,		/* SIGINT/SIGTERM or the console escape */
	VIREO_PC_CRASH,		/* triple fault, failed entry, bad exit */
	VIREO_PC_ERROR,		/* a monitor error: ioctl failures */
};

/* Port I/O ranges on the PC's bus (pc_bus.c). */
struct vireo_pc_port_range {
	uint16_t base, len;
	vireo_pio_handler_fn handler;
	void *dev;
	const char *name;
};
#define VIREO_PC_MAX_PORT_RANGES	24

/* Fixed MMIO regions, and the devices that decode addresses at run time (pc_bus.c). */
struct vireo_pc_mmio_region {
	uint64_t base, len;
	vireo_mmio_handler_fn handler;
	void *dev;
	const char *name;
};
#define VIREO_PC_MAX_MMIO_REGIONS	4

struct vireo_pc_decoder {
	vireo_pc_decode_pio_fn pio;
	vireo_pc_decode_mmio_fn mmio;
	void *dev;
};
#define VIREO_PC_MAX_DECODERS		2

/* One device of the machine description, as built (pc_devices.c). */
struct vireo_pc_device {
	const struct vireo_pc_slot *slot;
	unsigned int instance;
	void *dev;
};
#define VIREO_PC_MAX_DEVICES	(24 + VIREO_PC_MAX_DISKS + VIREO_PC_MAX_NICS)

struct vireo_pc;

/* One exit, for the crash report: the last few per vCPU. */
struct vireo_pc_exit_trace {
	uint32_t reason;
	uint32_t detail;	/* port, MSR index, EOI vector */
	uint64_t addr;		/* MMIO gpa, or I/O data */
	uint64_t rip;
};
#define VIREO_PC_TRACE	16

struct vireo_pc_vcpu {
	struct vireo_pc *pc;		/* (i) */
	unsigned int id;		/* (i) also the APIC ID */
	struct vireo_vcpu *vcpu;	/* (i) */
	struct vireo_run *run;		/* (i) */
	pthread_t thread;		/* (i) */
	bool thread_started;		/* (m) */
	atomic_bool exited;		/* (a) the thread has left its loop */
	struct vireo_pc_msrs msrs;	/* the vCPU thread's */
	struct vireo_pc_exit_trace trace[VIREO_PC_TRACE];	/* the vCPU thread's */
	unsigned int trace_next;	/* the vCPU thread's */
};

/* One virtio-pci function and the fds the I/O loop watches for it. */
struct vireo_pc_virtio {
	struct vireo_pc *pc;			/* (i) */
	struct vireo_virtio_dev *vd;		/* (i) */
	struct vireo_virtio_pci vp;		/* (i) */
	const char *what;			/* (i) "disk /path", ... for messages */
	int queue_fd[VIREO_VIRTIO_MAX_QUEUES];	/* (i) ioeventfds, -1: none */
	/* The port each queue's ioeventfd is assigned to, 0: none (bar_change). */
	uint16_t queue_port[VIREO_VIRTIO_MAX_QUEUES];
	int backend_fd;				/* (i) tap, console input, or -1 */
	int wake_fd;				/* (i) eventfd the device writes, or -1 */
	bool backend_polled;			/* (m) EPOLLIN on backend_fd now */
};
#define VIREO_PC_MAX_VIRTIO	(VIREO_PC_MAX_DISKS + VIREO_PC_MAX_NICS + 2)

/* A device's one-shot timer: a timerfd on CLOCK_MONOTONIC. */
struct vireo_pc_timer {
	int fd;				/* (i) */
	void (*expired)(void *dev);	/* (i) */
	void *dev;			/* (i) */
};
#define VIREO_PC_MAX_TIMERS	4

/*
 * Where paused vCPU threads wait (pc_vcpu.c).  'want' is read without the
 * lock on every trip round a vCPU loop and written under it.
 */
struct vireo_pc_hold {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* parked changes; want or stopping changes */
	atomic_bool want;		/* (lock for writes) vCPUs must park */
	unsigned int parked;		/* (lock) threads waiting now */
};

/* What outlives a reset (see above). */
struct vireo_pc_host {
	struct vireo_pc_console console;	/* (m) */
	struct vireo_pc_control ctl;		/* pc_control.h */
	struct vireo_pc_hold hold;
	int signal_fd;				/* (i) SIGINT, SIGTERM, SIGPWR */
	int tap_fd[VIREO_PC_MAX_NICS];		/* (i) a dup kept open; -1: none */
	unsigned int boots;			/* (m) machines built so far */
	uint32_t debug_exit_value;		/* (m) the last machine's, for the status */
};

struct vireo_pc {
	const struct vireo_options *opts;	/* (i) */
	struct vireo_pc_host *host;		/* (i) */
	FILE *err;				/* (i) */
	struct vireo_sys *sys;			/* (i) */
	struct vireo_vm *vm;			/* (i) */
	int vm_fd;				/* (i) */

	struct vireo_layout layout;		/* (i) */
	uint8_t *ram;				/* (i) layout.ram_size bytes */
	struct vireo_guest_ram guest_ram;	/* (i) for the virtio devices */
	struct vireo_acpi_tables acpi;		/* (i) */
	struct vireo_cpuid_entry cpuid[VIREO_MAX_CPUID_ENTRIES];	/* (i) */
	unsigned int nr_cpuid;			/* (i) */
	unsigned int phys_bits;			/* (i) guest MAXPHYADDR */

	/* The devices of the machine description, in build order; each locks itself. */
	struct vireo_pc_services svc;		/* (i) what they may ask of the machine */
	struct vireo_pc_device devices[VIREO_PC_MAX_DEVICES];	/* (i) */
	unsigned int nr_devices;		/* (i) */
	/* The few the machine itself drives (found in devices[] after building). */
	struct vireo_irq_router *irq;		/* (i) */
	struct vireo_ioapic *ioapic;		/* (i) level-triggered EOIs */
	struct vireo_uart *uart;		/* (i) console input */
	struct vireo_pm *pm;			/* (i) the power button, S3 */
	struct vireo_pc_virtio *virtio[VIREO_PC_MAX_VIRTIO];	/* (i) */
	unsigned int nr_virtio;			/* (i) */
	/* --disk i's virtio-blk device (also in virtio[]), for disk-export/resize. */
	struct vireo_virtio_dev *disks[VIREO_PC_MAX_DISKS];	/* (i) */
	/* --net nat: each owned by its virtio-net device, driven by the I/O loop. */
	struct vireo_nat *nat[VIREO_PC_MAX_NICS];	/* (i) */
	unsigned int nr_nat;			/* (i) */

	struct vireo_pc_timer timers[VIREO_PC_MAX_TIMERS];	/* (i) */
	unsigned int nr_timers;			/* (i) */
	int uart_room_fd;			/* (i) eventfd: the UART took input */

	struct vireo_pc_port_range ports[VIREO_PC_MAX_PORT_RANGES];	/* (i) */
	unsigned int nr_ports;			/* (i) */
	struct vireo_pc_mmio_region mmio[VIREO_PC_MAX_MMIO_REGIONS];	/* (i) */
	unsigned int nr_mmio;			/* (i) */
	struct vireo_pc_decoder decoders[VIREO_PC_MAX_DECODERS];	/* (i) */
	unsigned int nr_decoders;		/* (i) */

	struct vireo_pc_vcpu vcpus[VIREO_MAX_VCPUS];	/* (i) */
	unsigned int nr_vcpus;			/* (i) */

	/* The machine's fate: the first event wins unless a later one outranks it. */
	pthread_mutex_t event_lock;
	enum vireo_pc_event event;		/* (event_lock) */
	uint32_t debug_exit_value;		/* (event_lock) V of VIREO_PC_DEBUG_EXIT */
	int event_fd;				/* (i) wakes the I/O loop */
	atomic_bool stopping;			/* (a) vCPU threads: leave the loop */
	/* (a) ACPI S3 (pc_sleep.c): vCPU threads park until the wake restarts them */
	atomic_bool asleep;
	atomic_uint sleep_requests;		/* (a) for the main thread, pc_sleep.c */

	/* Counters for --verbose and the tests. */
	atomic_uint_fast64_t unhandled_pio, unhandled_mmio, msi_sent, msi_refused;
};

/* ---- pc_main.c -------------------------------------------------------- */

/* The exit status of a debug exit with value V: (V << 1) | 1, its low 8 bits. */
int vireo_pc_debug_exit_status(uint32_t value);

/* ---- pc_machine.c ------------------------------------------------------ */

/* Build the whole machine, ready for its vCPU threads.  0 or -errno (message printed). */
int vireo_pc_build(struct vireo_pc *pc, const struct vireo_options *opts,
		   struct vireo_pc_host *host, FILE *err);
/* Undo vireo_pc_build (or what of it succeeded); threads must be stopped. */
void vireo_pc_destroy(struct vireo_pc *pc);

/* Any thread: the machine must stop because of ev (pc.h's precedence). */
void vireo_pc_request(struct vireo_pc *pc, enum vireo_pc_event ev);
enum vireo_pc_event vireo_pc_event(struct vireo_pc *pc);
/*
 * A vCPU wrote value to the debug-exit port: VIREO_PC_DEBUG_EXIT, with
 * the value of the first such write that set the event.
 */
void vireo_pc_request_debug_exit(struct vireo_pc *pc, uint32_t value);

/* The MSI sink of the IOAPIC, the PIC and PCI: VIREO_SIGNAL_MSI. */
int vireo_pc_msi(void *pc, uint64_t address, uint32_t data);

/* ---- pc_devices.c: the machine description, built and taken apart ------- */

/* pc->svc, the services the devices get: pc->opts and pc->err set before (layout and RAM may come later). */
void vireo_pc_services_init(struct vireo_pc *pc);
/*
 * Every line of vireo_pc_machine_table, each instance the options ask
 * for: created, its ports and MMIO on the buses.  0 or -errno (message
 * printed); what was made is undone by vireo_pc_devices_destroy.
 */
int vireo_pc_devices_build(struct vireo_pc *pc);
/* One instance of one table line (the unit tests build single devices). */
int vireo_pc_device_add(struct vireo_pc *pc, const struct vireo_pc_slot *slot,
			unsigned int instance);
/* Every device, in the reverse order, then the timers. */
void vireo_pc_devices_destroy(struct vireo_pc *pc);
/* The instance of model built, or NULL. */
void *vireo_pc_find(struct vireo_pc *pc, const struct vireo_pc_device_model *model,
		    unsigned int instance);

/* ---- pc_virtio.c: virtio functions on the PCI bus ------------------------ */

/* The services' virtio_plug (machine: the struct vireo_pc); unplug: device.h. */
int vireo_pc_virtio_plug(void *pc, struct vireo_virtio_dev *vd, char *what, void **dev);
/* The PCI bus's bar_change: queue notifications follow the notify BAR. */
void vireo_pc_virtio_bar_change(void *pc, struct vireo_pci_dev *dev, unsigned int bar,
				bool is_io, uint64_t addr, uint64_t size, bool mapped);

/* ---- pc_nat.c ----------------------------------------------------------- */

struct vireo_net_backend;

/*
 * The backend of NIC i (opts->nets[i]) for its virtio-net device: a dup of
 * the host's tap, or a new NAT recorded in pc->nat[] for the I/O loop.
 * 0, or -errno with a message.  If the device is then not created,
 * close the backend (be->ops->close) and call vireo_pc_nic_forget().
 */
int vireo_pc_nic_backend(struct vireo_pc *pc, unsigned int i, struct vireo_net_backend *be,
			 GError **error);
void vireo_pc_nic_forget(struct vireo_pc *pc, unsigned int i);

/* ---- pc_bus.c ---------------------------------------------------------- */

/* Register a port range; -ENOSPC (a monitor bug) when the table is full. */
int vireo_pc_add_ports(struct vireo_pc *pc, uint16_t base, uint16_t len,
		       vireo_pio_handler_fn handler, void *dev, const char *name);
/* An MMIO region, and a device decoding at run time; -ENOSPC when full. */
int vireo_pc_add_mmio(struct vireo_pc *pc, uint64_t base, uint64_t len,
		      vireo_mmio_handler_fn handler, void *dev, const char *name);
int vireo_pc_add_decoder(struct vireo_pc *pc, vireo_pc_decode_pio_fn pio,
			 vireo_pc_decode_mmio_fn mmio, void *dev);

/* The vireo_pio_fn and vireo_mmio_fn of libvireo's emulation (opaque: vCPU). */
int vireo_pc_pio(void *pc_vcpu, uint16_t port, unsigned int size, bool is_write,
		 uint32_t *data);
int vireo_pc_mmio(void *pc_vcpu, uint64_t gpa, unsigned int size, bool is_write,
		  uint64_t *data);

/* ---- pc_vcpu.c --------------------------------------------------------- */

int vireo_pc_vcpus_start(struct vireo_pc *pc);
/* Make every vCPU thread leave VIREO_RUN and join it. */
void vireo_pc_vcpus_stop(struct vireo_pc *pc);
/*
 * Main thread: hold every vCPU thread out of VIREO_RUN (kicked with the
 * stop signal) and return once each is held or has exited; resume lets
 * them go.  The hold is the host's, so threads started later (a reset)
 * start held.
 */
void vireo_pc_vcpus_pause(struct vireo_pc *pc);
void vireo_pc_vcpus_resume(struct vireo_pc *pc);
/*
 * Main thread: kick the vCPU threads until every one is parked or gone,
 * for a hold already asked for (a pause, or pc->asleep).
 */
void vireo_pc_vcpus_hold_wait(struct vireo_pc *pc);

/* ---- pc_sleep.c: ACPI S3 ------------------------------------------------ */

/* The PM block's suspend and wake callbacks (opaque: the struct vireo_pc). */
void vireo_pc_sleep_enter(void *pc);
void vireo_pc_sleep_wake(void *pc);
/* Main thread, on the event fd: park the vCPUs, or restart them at the waking vector. */
void vireo_pc_sleep_service(struct vireo_pc *pc);
/* The wake's trampoline page is free: above the ACPI tables, in RAM. */
bool vireo_pc_sleep_trampoline_fits(const struct vireo_pc *pc);

/* ---- pc_io.c ----------------------------------------------------------- */

/* Run the I/O loop until the machine's event is set; 0 or -errno. */
int vireo_pc_io_loop(struct vireo_pc *pc);

/* ---- pc_ioctl.c: the in-kernel LAPIC ioctls (vireo.h) ------------------ */

int vireo_pc_enable_lapic(int vm_fd);
int vireo_pc_signal_msi(int vm_fd, uint64_t address, uint32_t data);
int vireo_pc_ioeventfd(int vm_fd, uint16_t port, unsigned int len, int fd, uint64_t datamatch,
		       bool assign);
/* One 32-bit access to the vCPU's xAPIC page at offset. */
int vireo_pc_apic_access(struct vireo_vcpu *vcpu, uint32_t offset, bool is_write,
			 uint32_t *data);

/* ---- pc_cpuid.c -------------------------------------------------------- */

/*
 * The guest's CPUID table from the kernel's recommendation (n entries,
 * changed in place): what a minimal PC with these devices shows.  See
 * pc_cpuid.c for each change and why.
 */
void vireo_pc_cpuid_adjust(struct vireo_cpuid_entry *e, unsigned int n);
/* The guest's physical address width from the table (0x80000008 EAX), or 36. */
unsigned int vireo_pc_cpuid_phys_bits(const struct vireo_cpuid_entry *e, unsigned int n);
/* Leaf 0's vendor is AMD's ("AuthenticAMD") or Hygon's, whose MSRs are AMD's. */
bool vireo_pc_cpuid_is_amd(const struct vireo_cpuid_entry *e, unsigned int n);

#endif /* VIREO_RUN_PC_H */
