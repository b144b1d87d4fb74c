/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvireo: a thin, typed C library over the Vireo ioctls (vireo.h).
 *
 * Objects and their fds:
 *   struct vireo_sys   /dev/vireo, API version checked, capabilities read
 *   struct vireo_vm    a VM fd plus the userland copy of its slot table
 *   struct vireo_vcpu  a vCPU fd and its mmap()ed struct vireo_run
 *
 * Conventions: functions return 0 (or a count) on success and -errno on
 * failure, never set errno for the caller to find; vireo_strerror() turns
 * the value into text.  The emulation calls, whose failures need more than
 * a number, also take `GError **error` last (VIREO_ERROR, vireo/error.h).  Constructors hand back the object through an out
 * pointer and are paired with a destroy/close that accepts NULL.  The
 * library is not thread-safe per object: one thread per vCPU.
 *
 * The building blocks are public too, each in its own header:
 *   vireo/x86.h      architectural constants
 *   vireo/paging.h   guest memory accessors and the page-table walker
 *   vireo/decode.h   the instruction decoder
 *   vireo/emulate.h  MMIO / string-I/O emulation on plain register state
 *   vireo/slots.h    the slot table
 */
#ifndef LIBVIREO_H
#define LIBVIREO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vireo.h>
#include <vireo/error.h>
#include <vireo/x86.h>
#include <vireo/paging.h>
#include <vireo/decode.h>
#include <vireo/emulate.h>
#include <vireo/slots.h>

struct vireo_sys;
struct vireo_vm;
struct vireo_vcpu;

/* ---------------------------------------------------------------- system */

/*
 * Open /dev/vireo (or path, if non-NULL), check that the module speaks
 * VIREO_API_VERSION (-EPROTO if not) and read its capabilities.
 * vireo.ko charges guest memory to the caller's RLIMIT_MEMLOCK (unless it
 * has CAP_IPC_LOCK), so this also raises the soft limit to the hard one.
 */
int vireo_open(const char *path, struct vireo_sys **sysp);

/*
 * After -ENOMEM from vireo_vm_set_memory(): one line for the user saying
 * that guest RAM counts against the locked-memory limit, its current
 * value, and how to raise it.
 */
void vireo_memlock_explain(FILE *f, const char *prog);
void vireo_close(struct vireo_sys *sys);
const struct vireo_caps *vireo_caps(const struct vireo_sys *sys);
int vireo_sys_fd(const struct vireo_sys *sys);
/*
 * What vireo.ko can give a guest (VIREO_GET_SUPPORTED_CPUID): the start of
 * every guest's CPUID table, from which a monitor may only take features
 * away.  The number of entries, or -E2BIG when max is too small.
 */
int vireo_supported_cpuid(struct vireo_sys *sys, struct vireo_cpuid_entry *e, unsigned int max);

/* ---------------------------------------------------------------- VM */

int vireo_vm_create(struct vireo_sys *sys, struct vireo_vm **vmp);
/* Destroy the VM's vCPUs first; this closes the VM fd. */
void vireo_vm_destroy(struct vireo_vm *vm);
int vireo_vm_fd(const struct vireo_vm *vm);

/*
 * Map guest-physical [gpa, gpa + size) to host memory (VIREO_MEM_* flags).
 * Checked against the userland table first, then set in the kernel; the
 * table is updated only if the kernel accepted the slot.
 */
int vireo_vm_set_memory(struct vireo_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
			uint64_t size, void *host);
int vireo_vm_delete_memory(struct vireo_vm *vm, uint32_t slot);

/* Host pointer for [gpa, gpa + len), or NULL if not wholly inside one slot. */
void *vireo_gpa_to_host(const struct vireo_vm *vm, uint64_t gpa, uint64_t len);

/* Guest RAM as the emulation code reads it (struct vireo_mem over the slots). */
void vireo_vm_mem(struct vireo_vm *vm, struct vireo_mem *mem);

/* The guest MAXPHYADDR libvireo assumes for page-table reserved bits. */
unsigned int vireo_vm_phys_bits(const struct vireo_vm *vm);

/*
 * Anonymous, zeroed, lazily backed memory for guest RAM (MAP_NORESERVE:
 * a large guest costs only what it touches).  size must be page aligned.
 */
int vireo_ram_alloc(uint64_t size, void **hostp);
void vireo_ram_free(void *host, uint64_t size);

/* ---------------------------------------------------------------- vCPU */

int vireo_vcpu_create(struct vireo_vm *vm, uint32_t id, struct vireo_vcpu **vcpup);
void vireo_vcpu_destroy(struct vireo_vcpu *vcpu);
int vireo_vcpu_fd(const struct vireo_vcpu *vcpu);
struct vireo_vm *vireo_vcpu_vm(const struct vireo_vcpu *vcpu);

/* The shared run page: exit information and the in/out request fields. */
struct vireo_run *vireo_vcpu_run_page(const struct vireo_vcpu *vcpu);

/*
 * VIREO_RUN.  0 with run->exit_reason set, or -errno; -EINTR when a signal
 * interrupted it or run->immediate_exit was set.
 */
int vireo_vcpu_run(struct vireo_vcpu *vcpu);

int vireo_get_regs(struct vireo_vcpu *vcpu, struct vireo_regs *regs);
/* The guest's x87/SSE/AVX state in the standard XSAVE layout (uapi vireo.h). */
int vireo_get_xsave(struct vireo_vcpu *vcpu, struct vireo_xsave *x);
int vireo_set_xsave(struct vireo_vcpu *vcpu, const struct vireo_xsave *x);
int vireo_set_regs(struct vireo_vcpu *vcpu, const struct vireo_regs *regs);
int vireo_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs);
int vireo_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs);

/* Replace the vCPU's CPUID table (at most VIREO_MAX_CPUID_ENTRIES). */
int vireo_set_cpuid(struct vireo_vcpu *vcpu, const struct vireo_cpuid_entry *entries,
		    uint32_t nent);

/*
 * Read or write n MSRs in order.  Returns how many were processed (the
 * kernel stops at the first MSR it refuses), or -errno.
 */
int vireo_get_msrs(struct vireo_vcpu *vcpu, struct vireo_msr_entry *entries, uint32_t n);
int vireo_set_msrs(struct vireo_vcpu *vcpu, const struct vireo_msr_entry *entries,
		   uint32_t n);

int vireo_inject_event(struct vireo_vcpu *vcpu, const struct vireo_event *event);
/* Convenience forms of vireo_inject_event(). */
int vireo_inject_extint(struct vireo_vcpu *vcpu, uint8_t vector);
int vireo_inject_exception(struct vireo_vcpu *vcpu, uint8_t vector, bool has_error_code,
			   uint32_t error_code);

/* ---------------------------------------------------------------- emulation */

/*
 * Complete a VIREO_EXIT_MMIO exit: get registers, decode the instruction
 * (the CPU's bytes if given, else fetched through the guest page tables),
 * call fn for the access, write back the destination register, advance RIP
 * and set the registers.  On failure nothing is written to the vCPU and
 * *error says why (VIREO_ERROR, vireo/error.h).
 */
int vireo_emulate_mmio(struct vireo_vcpu *vcpu, vireo_mmio_fn fn, void *opaque, GError **error);

/*
 * Complete a VIREO_EXIT_IO exit with io.string set (INS/OUTS, REP).  Where
 * the buffer is not RAM its bytes go to buffer_mmio (same opaque); NULL:
 * an unassigned address, reads all ones and writes dropped.
 */
int vireo_emulate_string_io(struct vireo_vcpu *vcpu, vireo_pio_fn fn, vireo_mmio_fn buffer_mmio,
			    void *opaque, GError **error);

/* ---------------------------------------------------------------- misc */

/* Text for a -errno (or errno) from libvireo, with libvireo's meanings. */
const char *vireo_strerror(int err);

/* "IO", "MMIO", "HLT", ... for an enum vireo_exit_reason; "?" if unknown. */
const char *vireo_exit_reason_name(uint32_t reason);

#endif /* LIBVIREO_H */
