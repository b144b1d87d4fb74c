/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM definition: what a machine is made of, independent of whether it
 * runs.  docs/vm-definition.md is the reference for the on-disk form
 * (machine.json, "format": 1); this header is the in-memory form.
 *
 * Ownership: a struct vireo_vmdef owns every string and array hanging off
 * it (g_malloc'd); vireo_vmdef_free() releases all of it.  Functions that
 * fail return NULL/false and set a GError in VIREO_VM_ERROR whose message
 * names the file (when there is one) and the field, e.g.
 *   "/home/u/.local/share/vireo/machines/deb/machine.json: disks[1].format:
 *    "qcow3" is not one of raw, qcow2"
 *
 * Not thread-safe per object; no global state.
 */
#ifndef VIREO_VMLIB_VMDEF_H
#define VIREO_VMLIB_VMDEF_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

/* The format this library writes; it reads this one and upgrades older. */
#define VIREO_VMDEF_FORMAT		1

#define VIREO_VM_NAME_MAX		64	/* bytes, see vireo_vm_name_valid() */
#define VIREO_VM_MEM_MIN_MIB		16
#define VIREO_VM_MEM_MAX_MIB		(1024 * 1024)	/* 1 TiB */
#define VIREO_VM_CPUS_MAX		64	/* VIREO_MAX_VCPUS in the uapi */
#define VIREO_VM_DISKS_MAX		16
#define VIREO_VM_NICS_MAX		8
#define VIREO_VM_FORWARDS_MAX		32	/* per NIC (VIREO_NET_MAX_HOSTFWD) */
#define VIREO_VM_IFNAME_MAX		15	/* IFNAMSIZ - 1 */
#define VIREO_VM_CMDLINE_MAX		4096	/* bytes, without the NUL */

#define VIREO_VM_ERROR (vireo_vm_error_quark())
GQuark vireo_vm_error_quark(void);

/* Error codes of VIREO_VM_ERROR; the CLI maps them to its exit codes. */
enum vireo_vm_error {
	VIREO_VM_ERROR_NOT_FOUND,	/* no such machine or file */
	VIREO_VM_ERROR_EXISTS,		/* a machine of that name exists */
	VIREO_VM_ERROR_INVALID,		/* a field is wrong; message names it */
	VIREO_VM_ERROR_PARSE,		/* not JSON at all */
	VIREO_VM_ERROR_VERSION,		/* "format" newer than this library */
	VIREO_VM_ERROR_LOCKED,		/* a monitor runs the machine */
	VIREO_VM_ERROR_IO,		/* the file system said no */
};

enum vireo_vm_disk_format {
	VIREO_VM_DISK_RAW,
	VIREO_VM_DISK_QCOW2,
};

enum vireo_vm_disk_media {
	VIREO_VM_MEDIA_DISK,
	VIREO_VM_MEDIA_CDROM,	/* read-only, boot order "cdrom" */
};

enum vireo_vm_nic_backend {
	VIREO_VM_NIC_NAT,	/* user-mode NAT (libslirp in the monitor); no root */
	VIREO_VM_NIC_TAP,	/* an existing tap interface, for bridged setups */
};

enum vireo_vm_fwd_proto {
	VIREO_VM_FWD_TCP,
	VIREO_VM_FWD_UDP,
};

enum vireo_vm_boot_mode {
	VIREO_VM_BOOT_KERNEL,	/* direct Linux boot: kernel + initrd + cmdline */
	VIREO_VM_BOOT_FIRMWARE,	/* firmware boot by "order" (not implemented yet) */
};

enum vireo_vm_boot_device {
	VIREO_VM_BOOTDEV_DISK,
	VIREO_VM_BOOTDEV_CDROM,
	VIREO_VM_BOOTDEV_NET,
};
#define VIREO_VM_BOOTDEV_COUNT 3

struct vireo_vm_disk {
	char *path;			/* relative to the machine dir, or absolute */
	enum vireo_vm_disk_format format;
	enum vireo_vm_disk_media media;
	bool read_only;			/* always true for a cdrom */
};

/* Host → guest port forward on a NAT NIC. */
struct vireo_vm_forward {
	enum vireo_vm_fwd_proto proto;
	char *host_addr;		/* IPv4 dotted quad; "127.0.0.1" by default */
	uint16_t host_port;		/* 1..65535 */
	uint16_t guest_port;		/* 1..65535 */
};

struct vireo_vm_nic {
	/* Only "virtio" exists; the field is stored so that others can come. */
	char *model;
	enum vireo_vm_nic_backend backend;
	char *ifname;			/* tap only: 1..15 bytes */
	uint8_t mac[6];			/* generated once at creation, then stored */
	struct vireo_vm_forward *forwards;	/* NAT only */
	unsigned int n_forwards;
};

struct vireo_vm_boot {
	enum vireo_vm_boot_mode mode;
	char *kernel;			/* VIREO_VM_BOOT_KERNEL: required */
	char *initrd;			/* optional */
	char *cmdline;			/* optional */
	/* Boot order for firmware boot; stored for either mode. */
	enum vireo_vm_boot_device order[VIREO_VM_BOOTDEV_COUNT];
	unsigned int n_order;
};

struct vireo_vm_serial {
	bool enabled;
	/* Where a headless start writes the console: relative to the machine
	 * dir or absolute; NULL: discarded. */
	char *log;
};

struct vireo_vmdef {
	char *name;			/* == the machine's directory name */
	char uuid[37];			/* RFC 4122 text, lower case */
	uint64_t memory_mib;
	unsigned int cpus;
	struct vireo_vm_boot boot;
	struct vireo_vm_disk *disks;
	unsigned int n_disks;
	struct vireo_vm_nic *nics;
	unsigned int n_nics;
	struct vireo_vm_serial serial;
	int64_t created;		/* Unix seconds, UTC */
	int64_t modified;
	/* Set by the loader when the file was an older format and was
	 * upgraded in memory: the caller should save it back. */
	bool upgraded;
};

/* A new definition with the documented defaults (512 MiB, 1 CPU, one NAT
 * NIC with a fresh MAC, serial console logged to serial.log, a fresh
 * UUID, created = modified = now).  name is copied. */
struct vireo_vmdef *vireo_vmdef_new(const char *name);
void vireo_vmdef_free(struct vireo_vmdef *def);
struct vireo_vmdef *vireo_vmdef_copy(const struct vireo_vmdef *def);

/* Machine names: 1..64 bytes of [A-Za-z0-9._-], starting with a letter or
 * digit, so that a name is always a safe directory and socket name. */
bool vireo_vm_name_valid(const char *name);

/* Append a disk / NIC (copied: the caller keeps its strings).  A NIC with
 * an all-zero MAC gets a fresh one.  False (error set) past the maxima. */
bool vireo_vmdef_add_disk(struct vireo_vmdef *def, const struct vireo_vm_disk *disk,
			  GError **error);
bool vireo_vmdef_add_nic(struct vireo_vmdef *def, const struct vireo_vm_nic *nic,
			 GError **error);
void vireo_vmdef_remove_disk(struct vireo_vmdef *def, unsigned int index);
void vireo_vmdef_remove_nic(struct vireo_vmdef *def, unsigned int index);
bool vireo_vm_nic_add_forward(struct vireo_vm_nic *nic, const struct vireo_vm_forward *fwd,
			   GError **error);

/* Check every field against the documented ranges, the way the loader
 * does: false with the field named.  what prefixes the message (a file
 * name, or NULL). */
bool vireo_vmdef_validate(const struct vireo_vmdef *def, const char *what, GError **error);

/* A locally administered unicast MAC: 56:xx:xx:xx:xx:xx (0x56 is 'V'). */
void vireo_vm_mac_generate(uint8_t mac[6]);
bool vireo_vm_mac_parse(const char *s, uint8_t mac[6]);
void vireo_vm_mac_format(const uint8_t mac[6], char out[18]);

/* Names of the enums as they appear in JSON and on the command line, and
 * back (-1 when unknown). */
const char *vireo_vm_disk_format_name(enum vireo_vm_disk_format f);
int vireo_vm_disk_format_from_name(const char *s);
const char *vireo_vm_disk_media_name(enum vireo_vm_disk_media m);
int vireo_vm_disk_media_from_name(const char *s);
const char *vireo_vm_nic_backend_name(enum vireo_vm_nic_backend b);
int vireo_vm_nic_backend_from_name(const char *s);
const char *vireo_vm_fwd_proto_name(enum vireo_vm_fwd_proto p);
int vireo_vm_fwd_proto_from_name(const char *s);
const char *vireo_vm_boot_mode_name(enum vireo_vm_boot_mode m);
int vireo_vm_boot_mode_from_name(const char *s);
const char *vireo_vm_boot_device_name(enum vireo_vm_boot_device d);
int vireo_vm_boot_device_from_name(const char *s);

/*
 * Sizes as people type them: "512M", "2G", "1T", "4096" (bytes), "64K";
 * suffixes K/M/G/T (powers of 1024), optionally followed by "iB" or "B".
 * False on anything else, zero, or overflow.
 */
bool vireo_vm_parse_size(const char *s, uint64_t *bytes);

/*
 * JSON (vmdef_json.c).  from_json parses, upgrades older formats (format 0
 * or no "format" member: see docs/vm-definition.md), refuses newer ones
 * (VIREO_VM_ERROR_VERSION), and validates every field; 'what' is the file
 * name used in messages.  to_json returns a g_malloc'd, pretty-printed
 * document of the current format, newline-terminated.
 */
struct vireo_vmdef *vireo_vmdef_from_json(const char *text, size_t len, const char *what,
					  GError **error);
char *vireo_vmdef_to_json(const struct vireo_vmdef *def);

#endif /* VIREO_VMLIB_VMDEF_H */
