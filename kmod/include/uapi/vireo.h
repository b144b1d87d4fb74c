/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Vireo user/kernel interface: the one header shared by vireo.ko, libvireo,
 * the monitor, the tools and the tests.
 *
 * Object model (three kinds of file descriptor):
 *   /dev/vireo  system fd: version, capabilities, VIREO_CREATE_VM
 *   VM fd       guest-physical memory slots, VIREO_CREATE_VCPU
 *   vCPU fd     mmap()able run page (struct vireo_run), VIREO_RUN, register
 *               state, CPUID table, MSRs, event injection
 *
 * Rules every struct here follows: fixed-width fields only, explicit padding
 * (reserved fields must be zero on input and are zero on output), and a
 * static assertion on its size so that 32/64-bit and compiler differences
 * cannot change the ABI.  Any incompatible change bumps VIREO_API_VERSION.
 */
#ifndef _UAPI_VIREO_H
#define _UAPI_VIREO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/build_bug.h>
#define VIREO_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#define VIREO_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/*
 * 2: VIREO_GET_MSRS is _IOWR (it reads the indices and writes the values),
 *    the capability bits below name every optional ioctl.
 */
#define VIREO_API_VERSION	2
#define VIREO_DEVICE_PATH	"/dev/vireo"
#define VIREO_IOCTL_MAGIC	0xB7

/* Limits (also reported by VIREO_GET_CAPS). */
#define VIREO_MAX_VCPUS		64
#define VIREO_MAX_MEM_SLOTS	32
#define VIREO_MAX_CPUID_ENTRIES	128
#define VIREO_MAX_MSR_ENTRIES	64
#define VIREO_RUN_PAGE_SIZE	4096
/*
 * The largest memory slot (VIREO_SET_MEMORY_REGION.size): 512 GiB.  The
 * kernel keeps one 8-byte page pointer per 4 KiB of a slot, in chunks
 * allocated as the guest touches them, and at VIREO_SET_MEMORY_REGION an
 * index of the chunks (8 bytes per 2 MiB: 2 MiB for 512 GiB).  Bounded so
 * that no size from userland sizes a kernel allocation unchecked (KVM
 * bounds its per-slot arrays the same way, KVM_MEM_MAX_NR_PAGES).  A larger
 * guest uses several slots.
 */
#define VIREO_MAX_SLOT_SIZE	(512ULL << 30)
/* Registrations per VM: VIREO_IRQFD and VIREO_IOEVENTFD each (-ENOSPC beyond). */
#define VIREO_MAX_IRQFDS	256
#define VIREO_MAX_IOEVENTFDS	1024

/* ------------------------------------------------------------------ */
/* System ioctls on /dev/vireo                                         */
/* ------------------------------------------------------------------ */

enum vireo_backend {
	VIREO_BACKEND_NONE = 0,
	VIREO_BACKEND_SVM = 1,	/* AMD-V with nested paging */
	VIREO_BACKEND_VMX = 2,	/* Intel VT-x with EPT */
};

/* vireo_caps.flags */
#define VIREO_CAP_NESTED_PAGING		(1ULL << 0)
#define VIREO_CAP_INSN_BYTES		(1ULL << 1) /* MMIO exits carry insn bytes */
#define VIREO_CAP_NEXT_RIP		(1ULL << 2) /* hw reports next RIP */
#define VIREO_CAP_READONLY_MEM		(1ULL << 3)
/* The in-kernel LAPIC: VIREO_ENABLE_LAPIC, VIREO_APIC_ACCESS */
#define VIREO_CAP_LAPIC			(1ULL << 4)
#define VIREO_CAP_SIGNAL_MSI		(1ULL << 5) /* VIREO_SIGNAL_MSI */
#define VIREO_CAP_IRQFD			(1ULL << 6) /* VIREO_IRQFD */
#define VIREO_CAP_IOEVENTFD		(1ULL << 7) /* VIREO_IOEVENTFD */
#define VIREO_CAP_XSAVE_STATE		(1ULL << 8) /* VIREO_GET/SET_XSAVE */
#define VIREO_CAP_SUPPORTED_CPUID	(1ULL << 9) /* VIREO_GET_SUPPORTED_CPUID */
/*
 * Not a feature but the host's mode: the VMs that exist (with none, the
 * last ones) run inside KVM's enablement of the CPUs, which vireo.ko keeps
 * on by holding a KVM VM ("shared with KVM"); clear: vireo.ko turns
 * virtualization on itself ("own").  Nothing in the ABI differs.
 */
#define VIREO_CAP_SHARED_WITH_KVM	(1ULL << 10)

struct vireo_caps {
	__u32 api_version;
	__u32 backend;		/* enum vireo_backend */
	__u64 flags;		/* VIREO_CAP_* */
	__u32 max_vcpus;
	__u32 max_mem_slots;
	__u32 guest_phys_bits;	/* slots must lie below 1 << guest_phys_bits */
	__u32 run_page_size;	/* bytes to mmap() on a vCPU fd */
	__u32 max_cpuid_entries;
	__u32 max_msr_entries;
	__u32 nr_msrs;		/* entries valid in msr_list[] */
	__u32 reserved0;
	__u32 msr_list[32];	/* MSRs VIREO_GET_MSRS/VIREO_SET_MSRS accept */
};
VIREO_ABI_ASSERT(sizeof(struct vireo_caps) == 176, "vireo_caps ABI");

/*
 * ioctl numbers by object: 0x00-0x0f on /dev/vireo, 0x10-0x1f on a VM fd,
 * 0x20-0x2f on a vCPU fd.  A number is never reused for another meaning.
 */

/* Returns VIREO_API_VERSION. */
#define VIREO_GET_API_VERSION	_IO(VIREO_IOCTL_MAGIC, 0x00)
#define VIREO_GET_CAPS		_IOR(VIREO_IOCTL_MAGIC, 0x01, struct vireo_caps)
/*
 * The CPUID table vireo.ko recommends for a guest: the host's leaves
 * filtered to what Vireo virtualises (no VMX/SVM, no MONITOR, no MSRs it
 * does not emulate), the hypervisor bit, and the "VireoVireoVi" leaf at
 * 0x40000000.  Fills at most nent entries; returns the number filled, or
 * -E2BIG (with nent set to the number needed) if they do not fit.
 */
#define VIREO_GET_SUPPORTED_CPUID _IOWR(VIREO_IOCTL_MAGIC, 0x03, struct vireo_cpuid)

/* Returns a new VM fd.  The argument must be 0. */
#define VIREO_CREATE_VM		_IO(VIREO_IOCTL_MAGIC, 0x02)

/* ------------------------------------------------------------------ */
/* VM ioctls                                                           */
/* ------------------------------------------------------------------ */

#define VIREO_MEM_READONLY	(1U << 0)	/* guest writes exit as MMIO */

/*
 * Map [guest_phys_addr, guest_phys_addr + size) to the caller's memory at
 * userspace_addr.  All three must be page aligned, size non-zero, the range
 * must not overlap another slot, and it must lie below the guest physical
 * address width; size is at most VIREO_MAX_SLOT_SIZE (-EINVAL beyond).  Re-setting a used slot number fails with -EEXIST: delete it
 * first.  Pages are pinned lazily, when the guest first touches them, and
 * released when the slot or the VM goes away.  The whole size is charged
 * to the caller's locked memory at once (VmLck, as mlock() would), until
 * then: -ENOMEM when that would exceed RLIMIT_MEMLOCK, unless the caller
 * has CAP_IPC_LOCK.
 */
struct vireo_memory_region {
	__u32 slot;
	__u32 flags;		/* VIREO_MEM_* */
	__u64 guest_phys_addr;
	__u64 size;
	__u64 userspace_addr;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_memory_region) == 32, "memory_region ABI");

#define VIREO_SET_MEMORY_REGION	_IOW(VIREO_IOCTL_MAGIC, 0x10, struct vireo_memory_region)
/* Argument: pointer to a __u32 slot number. */
#define VIREO_DELETE_MEMORY_REGION _IOW(VIREO_IOCTL_MAGIC, 0x11, __u32)
/* Argument: vCPU id (0 .. max_vcpus-1).  Returns a new vCPU fd. */
#define VIREO_CREATE_VCPU	_IO(VIREO_IOCTL_MAGIC, 0x12)

/*
 * In-kernel interrupt controller.  VIREO_ENABLE_LAPIC (argument 0) must
 * come before the first VIREO_CREATE_VCPU; afterwards every vCPU has a
 * local APIC in the kernel (xAPIC registers at IA32_APIC_BASE, x2APIC
 * MSRs 0x800-0x8ff, the timer in periodic, one-shot and TSC-deadline
 * modes, IPIs including INIT/SIPI), HLT waits in the kernel until an
 * interrupt is pending, and vCPUs other than 0 start in wait-for-SIPI.
 * VIREO_INJECT_EVENT then takes only exceptions and NMIs; interrupts
 * arrive as MSI messages (VIREO_SIGNAL_MSI, VIREO_IRQFD) from the
 * device models, IOAPIC and PIC in userland.
 */
#define VIREO_ENABLE_LAPIC	_IO(VIREO_IOCTL_MAGIC, 0x13)

/*
 * An MSI write as a PCI device would make it (Intel SDM vol. 3 12.11):
 * address 0xfee00000 | dest ID << 12 | redirection hint << 3 | dest mode
 * << 2; data = vector | delivery mode << 8 | level << 14 | trigger << 15.
 * Delivery mode ExtINT (7) is how the userland 8259 PIC hands an
 * interrupt to the LAPIC: the vector is taken from data as is and the
 * LAPIC's in-service state is not involved (the PIC gets its own EOI).
 * Returns the number of LAPICs that accepted it (0: all masked/absent).
 */
struct vireo_msi {
	__u64 address;
	__u32 data;
	__u32 reserved;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_msi) == 16, "vireo_msi ABI");
#define VIREO_SIGNAL_MSI	_IOW(VIREO_IOCTL_MAGIC, 0x14, struct vireo_msi)

/*
 * Each write to the eventfd fd delivers the MSI message: device threads
 * raise interrupts without a system call into the vCPU path.  With
 * VIREO_IRQFD_DEASSIGN, fd is unbound instead.  An eventfd is bound once
 * per VM (-EBUSY for a second time), at most VIREO_MAX_IRQFDS of them.
 */
#define VIREO_IRQFD_DEASSIGN	(1U << 0)
struct vireo_irqfd {
	__s32 fd;
	__u32 flags;
	__u64 msi_address;
	__u32 msi_data;
	__u32 reserved;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_irqfd) == 24, "vireo_irqfd ABI");
#define VIREO_IRQFD		_IOW(VIREO_IOCTL_MAGIC, 0x15, struct vireo_irqfd)

/*
 * A guest OUT of len bytes to port addr (and, with DATAMATCH, of value
 * datamatch) signals the eventfd fd and completes in the kernel instead of
 * exiting: a virtio queue notification wakes the device thread directly.
 * Port I/O only for now (VIREO_IOEVENTFD_PIO is required).  At most
 * VIREO_MAX_IOEVENTFDS per VM.
 */
#define VIREO_IOEVENTFD_PIO		(1U << 0)
#define VIREO_IOEVENTFD_DATAMATCH	(1U << 1)
#define VIREO_IOEVENTFD_DEASSIGN	(1U << 2)
struct vireo_ioeventfd {
	__u64 addr;
	__u32 len;		/* 1, 2 or 4 */
	__s32 fd;
	__u64 datamatch;
	__u32 flags;
	__u32 reserved;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_ioeventfd) == 32, "vireo_ioeventfd ABI");
#define VIREO_IOEVENTFD		_IOW(VIREO_IOCTL_MAGIC, 0x16, struct vireo_ioeventfd)

/* ------------------------------------------------------------------ */
/* vCPU state                                                          */
/* ------------------------------------------------------------------ */

struct vireo_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_regs) == 144, "vireo_regs ABI");

/* A segment register in unpacked form (SDM vol. 3 3.4.5). */
struct vireo_segment {
	__u64 base;
	__u32 limit;		/* byte granular: 0xfffff with g=1 is 0xffffffff */
	__u16 selector;
	__u8 type;
	__u8 present;
	__u8 dpl;
	__u8 db;
	__u8 s;
	__u8 l;
	__u8 g;
	__u8 avl;
	__u8 unusable;
	__u8 reserved;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_segment) == 24, "vireo_segment ABI");

struct vireo_dtable {
	__u64 base;
	__u16 limit;
	__u16 reserved[3];
};
VIREO_ABI_ASSERT(sizeof(struct vireo_dtable) == 16, "vireo_dtable ABI");

struct vireo_sregs {
	struct vireo_segment cs, ds, es, fs, gs, ss;
	struct vireo_segment tr, ldt;
	struct vireo_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_sregs) == 8 * 24 + 2 * 16 + 6 * 8, "vireo_sregs ABI");

/*
 * What VM entry or VMRUN would refuse is refused with -EINVAL and changes
 * nothing (SDM vol. 3 27.3.1, APM vol. 2 15.5.1): for SET_SREGS control
 * registers and EFER, segment attributes and bases, TR and LDTR; for
 * SET_REGS reserved RFLAGS bits (bit 1 reads back as 1), RFLAGS.VM without
 * a virtual-8086 set of segments, and a RIP not canonical in 64-bit code
 * or above 4 GiB outside it - checked against the segments the vCPU has,
 * so set SREGS first, then REGS.  SET_SREGS clears RIP's high half when it
 * leaves 64-bit code, sets RFLAGS.VM for a virtual-8086 set (every segment
 * base = selector << 4, limit 0xffff, attributes 0xf3) and clears it for
 * any other.
 */
#define VIREO_GET_REGS		_IOR(VIREO_IOCTL_MAGIC, 0x20, struct vireo_regs)
#define VIREO_SET_REGS		_IOW(VIREO_IOCTL_MAGIC, 0x21, struct vireo_regs)
#define VIREO_GET_SREGS		_IOR(VIREO_IOCTL_MAGIC, 0x22, struct vireo_sregs)
#define VIREO_SET_SREGS		_IOW(VIREO_IOCTL_MAGIC, 0x23, struct vireo_sregs)

/*
 * CPUID: the table is answered in the kernel; a leaf not in it reads 0.
 * VIREO_SET_CPUID refuses (-EINVAL) a table that sets a feature flag
 * (leaves 1, 7.0, 0xD.0/1, 0x80000001) which VIREO_GET_SUPPORTED_CPUID
 * does not: userland may take features away, never add them.  OSXSAVE and
 * OSPKE are the kernel's to set (from CR4) and are ignored.
 */
#define VIREO_CPUID_FLAG_INDEXED	(1U << 0) /* entry matches only its index */

struct vireo_cpuid_entry {
	__u32 function;
	__u32 index;		/* ECX sub-leaf, if VIREO_CPUID_FLAG_INDEXED */
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 reserved;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_cpuid_entry) == 32, "cpuid_entry ABI");

struct vireo_cpuid {
	__u32 nent;		/* <= VIREO_MAX_CPUID_ENTRIES */
	__u32 reserved;
	__u64 entries;		/* user pointer to nent struct vireo_cpuid_entry */
};
VIREO_ABI_ASSERT(sizeof(struct vireo_cpuid) == 16, "vireo_cpuid ABI");

#define VIREO_SET_CPUID		_IOW(VIREO_IOCTL_MAGIC, 0x24, struct vireo_cpuid)

/*
 * MSRs.  Only the MSRs listed in vireo_caps.msr_list may be read or
 * written; the ioctls process entries in order and return the number
 * processed, stopping at the first MSR not in the list or value refused.
 */
struct vireo_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_msr_entry) == 16, "msr_entry ABI");

struct vireo_msrs {
	__u32 nmsrs;		/* <= VIREO_MAX_MSR_ENTRIES */
	__u32 reserved;
	__u64 entries;		/* user pointer to nmsrs struct vireo_msr_entry */
};
VIREO_ABI_ASSERT(sizeof(struct vireo_msrs) == 16, "vireo_msrs ABI");

#define VIREO_GET_MSRS		_IOWR(VIREO_IOCTL_MAGIC, 0x25, struct vireo_msrs)
#define VIREO_SET_MSRS		_IOW(VIREO_IOCTL_MAGIC, 0x26, struct vireo_msrs)

/*
 * Event injection.  An exception is delivered at the next entry; its
 * vector must be one a CPU raises (not NMI's 2, nor the reserved 15, 22-27
 * and 31: -EINVAL), with an error code exactly for 8, 10-14, 17 and 21, of
 * 16 bits.  An
 * external interrupt is held until the guest can take it (RFLAGS.IF set, no
 * interrupt shadow) and then delivered; only one may be pending, a second
 * gets -EBUSY.
 */
enum vireo_event_type {
	VIREO_EVENT_EXTINT = 0,
	VIREO_EVENT_NMI = 2,
	VIREO_EVENT_EXCEPTION = 3,
};

struct vireo_event {
	__u8 type;		/* enum vireo_event_type */
	__u8 vector;
	__u8 has_error_code;	/* exceptions only */
	__u8 reserved;
	__u32 error_code;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_event) == 8, "vireo_event ABI");

#define VIREO_INJECT_EVENT	_IOW(VIREO_IOCTL_MAGIC, 0x27, struct vireo_event)

/*
 * xAPIC MMIO: a guest access to the 4 KiB page at IA32_APIC_BASE exits as
 * VIREO_EXIT_MMIO; userland decodes the instruction (libvireo) and performs
 * the access on the in-kernel LAPIC with this ioctl (offset within the
 * page, size 4; reads return data), then finishes the instruction.
 */
struct vireo_apic_access {
	__u32 offset;
	__u8 size;
	__u8 is_write;
	__u16 reserved;
	__u64 data;
};
VIREO_ABI_ASSERT(sizeof(struct vireo_apic_access) == 16, "vireo_apic_access ABI");
#define VIREO_APIC_ACCESS	_IOWR(VIREO_IOCTL_MAGIC, 0x29, struct vireo_apic_access)

/*
 * The guest's x87/SSE/AVX state, in the standard (non-compacted) XSAVE
 * format of SDM vol. 1 13.4: the 512-byte legacy region (XMM0-15 from
 * byte 160), the header at 512 (XSTATE_BV), each extended component at the
 * offset CPUID.(0DH,i):EBX gives (AVX's upper halves at 576).  Components
 * past 4096 bytes (AMX tile data) are not carried.  For userland's
 * emulation of vector moves to MMIO, and for saved state.  SET refuses
 * (-EINVAL) a header the CPU's XRSTOR would refuse or a component the
 * host does not enable.  Not while the vCPU runs (the vCPU mutex).
 */
struct vireo_xsave {
	__u32 region[1024];
};
VIREO_ABI_ASSERT(sizeof(struct vireo_xsave) == 4096, "vireo_xsave ABI");
#define VIREO_GET_XSAVE		_IOR(VIREO_IOCTL_MAGIC, 0x2a, struct vireo_xsave)
#define VIREO_SET_XSAVE		_IOW(VIREO_IOCTL_MAGIC, 0x2b, struct vireo_xsave)

/* Runs the vCPU until an exit userland must see; see struct vireo_run. */
#define VIREO_RUN		_IO(VIREO_IOCTL_MAGIC, 0x28)

/* ------------------------------------------------------------------ */
/* The run page: mmap(VIREO_RUN_PAGE_SIZE) of a vCPU fd at offset 0    */
/* ------------------------------------------------------------------ */

enum vireo_exit_reason {
	VIREO_EXIT_NONE = 0,
	/*
	 * Port I/O.  Non-string: for OUT, data holds the value; for IN, userland
	 * stores the value in data and the kernel loads it into AL/AX/EAX and
	 * moves RIP past the instruction on the next VIREO_RUN.  String (INS,
	 * OUTS, with or without REP): RIP still points at the instruction and
	 * userland emulates it (libvireo does, walking the guest page tables).
	 */
	VIREO_EXIT_IO = 1,
	/*
	 * Guest access to a guest-physical address outside every slot, or a
	 * write to a read-only slot.  RIP points at the instruction; userland
	 * decodes and emulates it and advances RIP (libvireo does).  A RIP
	 * moved by the next VIREO_RUN (here and after string I/O) means the
	 * instruction completed: with RFLAGS.TF set, the guest then gets its
	 * single-step trap.
	 */
	VIREO_EXIT_MMIO = 2,
	VIREO_EXIT_HLT = 3,		/* RIP is already past the HLT */
	VIREO_EXIT_SHUTDOWN = 4,	/* triple fault; the vCPU is dead */
	/*
	 * RDMSR/WRMSR of an MSR the kernel does not handle.  On the next
	 * VIREO_RUN the kernel completes it: a read loads data into EDX:EAX;
	 * error != 0 injects #GP instead.
	 */
	VIREO_EXIT_MSR = 5,
	VIREO_EXIT_IRQ_WINDOW = 6,	/* requested window opened */
	VIREO_EXIT_FAIL_ENTRY = 7,	/* hardware refused the guest state */
	VIREO_EXIT_INTERNAL_ERROR = 8,	/* vireo.ko could not handle an exit */
	VIREO_EXIT_INTR = 9,		/* VIREO_RUN returned -EINTR (signal) */
	VIREO_EXIT_UNKNOWN = 10,	/* unhandled hardware exit code */
	/*
	 * With the in-kernel LAPIC: the guest ended (EOI) a level-triggered
	 * interrupt; userland's IOAPIC clears its remote IRR for eoi.vector.
	 */
	VIREO_EXIT_IOAPIC_EOI = 11,
};

/*
 * Each exit reason's name, for messages and traces: an array initializer
 * (index = reason), as Linux's VMX_EXIT_REASONS is for its exit codes.
 */
#define VIREO_EXIT_REASON_NAMES {				\
	[VIREO_EXIT_NONE] = "NONE",				\
	[VIREO_EXIT_IO] = "IO",					\
	[VIREO_EXIT_MMIO] = "MMIO",				\
	[VIREO_EXIT_HLT] = "HLT",				\
	[VIREO_EXIT_SHUTDOWN] = "SHUTDOWN",			\
	[VIREO_EXIT_MSR] = "MSR",				\
	[VIREO_EXIT_IRQ_WINDOW] = "IRQ_WINDOW",			\
	[VIREO_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",			\
	[VIREO_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",		\
	[VIREO_EXIT_INTR] = "INTR",				\
	[VIREO_EXIT_UNKNOWN] = "UNKNOWN",			\
	[VIREO_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",			\
}

#define VIREO_IO_IN	0
#define VIREO_IO_OUT	1

struct vireo_exit_io {
	__u8 direction;		/* VIREO_IO_IN / VIREO_IO_OUT */
	__u8 size;		/* 1, 2 or 4 bytes per element */
	__u8 string;		/* INS/OUTS */
	__u8 rep;		/* REP prefix: RCX elements */
	__u16 port;
	__u8 address_size;	/* string only: 2, 4 or 8 */
	__u8 reserved;
	__u32 data;		/* non-string: the value (see above) */
	__u32 reserved2;
};

struct vireo_exit_mmio {
	__u64 gpa;
	__u8 is_write;		/* the fault was a write */
	__u8 insn_len;		/* 0: the CPU gave no bytes, fetch from RIP */
	__u8 reserved[6];
	__u8 insn_bytes[16];
};

struct vireo_exit_msr {
	__u32 index;
	__u8 is_write;
	__u8 error;		/* set by userland: inject #GP */
	__u16 reserved;
	__u64 data;		/* write: the value; read: userland fills */
};

struct vireo_exit_hw {
	__u64 hardware_code;	/* VMCB EXITCODE or VMX exit reason */
	__u64 info1;		/* EXITINFO1 or exit qualification */
	__u64 info2;
	__u32 suberror;		/* VIREO_INTERNAL_* for INTERNAL_ERROR */
	__u32 reserved;
};

#define VIREO_INTERNAL_NO_MEMORY	1	/* could not pin a guest page */
#define VIREO_INTERNAL_BAD_EXIT		2	/* exit in an impossible state */
#define VIREO_INTERNAL_EVENT_LOOP	3	/* exits during event delivery loop */
#define VIREO_INTERNAL_EMULATION	4	/* what the kernel emulates (a task switch) touched memory outside guest RAM */

/*
 * One guest-linear data access of an instruction userland emulated: the
 * bytes [linear, linear + len) it read or wrote (a REP string operand: the
 * whole range its iterations covered).
 */
struct vireo_emulated_access {
	__u64 linear;
	__u32 len;
	__u8 is_write;
	__u8 reserved[3];
};

#define VIREO_MAX_EMULATED_ACCESSES	4

struct vireo_run {
	/* in: set by userland before VIREO_RUN */
	__u8 request_interrupt_window;
	__u8 immediate_exit;	/* return -EINTR at once */
	__u8 reserved_in[6];

	/* out: written by the kernel */
	__u32 exit_reason;	/* enum vireo_exit_reason */
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;		/* guest RFLAGS.IF */
	__u16 reserved_out;
	__u64 rip;		/* guest RIP at the exit */
	__u64 cr8;
	__u64 exit_count;	/* exits since vCPU creation (all kinds) */

	union {
		struct vireo_exit_io io;
		struct vireo_exit_mmio mmio;
		struct vireo_exit_msr msr;
		struct vireo_exit_hw hw;	/* FAIL_ENTRY, UNKNOWN, INTERNAL */
		struct {
			__u8 vector;
			__u8 reserved[7];
		} eoi;				/* IOAPIC_EOI */
		__u8 padding[256];
	};

	/*
	 * in: after an MMIO or string I/O exit, the data accesses userland
	 * made when it emulated the instruction, for the guest's data
	 * breakpoints (DR7 R/W 01b and 11b, SDM vol. 3 17.2.4), which the CPU
	 * never saw.  The kernel matches them once RIP shows the instruction
	 * completed, raises the #DB trap they call for, and sets
	 * nr_accesses back to 0.  0 reports none.
	 */
	__u32 nr_accesses;
	__u32 reserved_accesses;
	struct vireo_emulated_access accesses[VIREO_MAX_EMULATED_ACCESSES];
};
VIREO_ABI_ASSERT(sizeof(struct vireo_exit_io) == 16, "exit_io ABI");
VIREO_ABI_ASSERT(sizeof(struct vireo_exit_mmio) == 32, "exit_mmio ABI");
VIREO_ABI_ASSERT(sizeof(struct vireo_exit_msr) == 16, "exit_msr ABI");
VIREO_ABI_ASSERT(sizeof(struct vireo_exit_hw) == 32, "exit_hw ABI");
VIREO_ABI_ASSERT(sizeof(struct vireo_emulated_access) == 16, "emulated_access ABI");
VIREO_ABI_ASSERT(sizeof(struct vireo_run) == 368, "vireo_run ABI");

#endif /* _UAPI_VIREO_H */
