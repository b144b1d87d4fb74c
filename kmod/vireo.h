/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo.ko internals shared by the vendor-neutral core and the backends.
 *
 * The core (main.c, vm.c, vcpu.c, mmu.c, cpuid.c, msr.c, tdp.c) never
 * includes a vendor header; a backend (svm/, vmx/) implements struct
 * vireo_backend_ops and exports exactly one symbol, its ops table.
 *
 * Field legends:  (c) set at creation, constant afterwards
 *                 (m) vm->mmu_lock   (v) vcpu->mutex   (a) atomic/ONCE
 * A function whose comment says "caller holds" a lock checks it with
 * lockdep_assert_held() (the KUnit host shim turns that into a failed case).
 *
 * Lock order (outer first; a lock is only taken while holding those above it
 * on its branch):
 *
 *   cpu hotplug lock (cpus_read_lock)   main.c: enabling CPUs, cpuhp callbacks
 *     vireo_hw_lock                     main.c: the count of live VMs
 *   vm->vcpus_lock                      vCPU creation, VIREO_ENABLE_LAPIC; alone
 *   vcpu->mutex                         every vCPU ioctl, the whole of VIREO_RUN
 *     vm->mmu_lock                      slots, pins, TDP tables (a nested fault)
 *       mm->mmap_lock                   pinning the guest's pages
 *       vcpu->wq.lock                   vireo_vcpu_kick_all() when unmapping
 *     vm->eventfds_lock                 irqfd/ioeventfd lists (a guest OUT)
 *       eventfd ctx->wqh.lock           irq-off: eventfd_signal(), irqfd wakeup
 *         lapic->lock                   irq-safe: an MSI from the irqfd wakeup
 *           hrtimer base lock           the LAPIC timer's start and try_to_cancel
 *         vcpu->wq.lock                 vireo_vcpu_kick() after a delivery
 *
 * vm->vcpus_lock, mmu_lock and eventfds_lock never nest in one another.
 * At most one lapic->lock is held at a time, and vireo_vcpu_kick() is never
 * called under one: an IPI is sent after the sender's lock is dropped
 * (lapic.c, lapic_unlock_and_send()).  The LAPIC timer's callback takes
 * lapic->lock, so hrtimer_cancel() (which waits for it) is never called
 * under that lock.
 */
#ifndef VIREO_INTERNAL_H
#define VIREO_INTERNAL_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/mm_types.h>
#include <linux/wait.h>
#ifdef CONFIG_PREEMPT_NOTIFIERS
#include <linux/preempt.h>
#endif
#include <linux/list.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "include/uapi/vireo.h"

#define VIREO_LOG_PREFIX "vireo: "

/*
 * Static in vireo.ko; external where the KUnit suites are built (the
 * kernel's VISIBLE_IF_KUNIT of <kunit/visibility.h>, which 6.1 lacks), so
 * that they can call a few "caller holds" helpers directly.
 */
#if defined(VIREO_KUNIT) || defined(VIREO_KUNIT_HOST)
#define VIREO_VISIBLE_IF_KUNIT
#else
#define VIREO_VISIBLE_IF_KUNIT static
#endif

struct vireo_vm;
struct vireo_vcpu;

/* Guest general registers, indexed like the x86 ModRM register encoding. */
enum vireo_reg {
	VIREO_REG_RAX, VIREO_REG_RCX, VIREO_REG_RDX, VIREO_REG_RBX,
	VIREO_REG_RSP, VIREO_REG_RBP, VIREO_REG_RSI, VIREO_REG_RDI,
	VIREO_REG_R8, VIREO_REG_R9, VIREO_REG_R10, VIREO_REG_R11,
	VIREO_REG_R12, VIREO_REG_R13, VIREO_REG_R14, VIREO_REG_R15,
	VIREO_REG_RIP, VIREO_REG_RFLAGS,
	VIREO_NR_REGS
};

/* ------------------------------------------------------------ memory */

struct vireo_mem_slot {
	u32 id;			/* (c) */
	u32 flags;		/* (c) VIREO_MEM_* */
	u64 gpa;		/* (c) */
	u64 npages;		/* (c) */
	unsigned long hva;	/* (c) */
	/*
	 * (m) pinned pages, VIREO_SLOT_CHUNK per chunk: a chunk is allocated
	 * when the guest first touches one of its pages, so a large slot
	 * costs 8 bytes per 2 MiB until used (see mmu.c).
	 */
	struct page ***chunks;
};

/*
 * A guest-physical -> host-physical radix table (NPT or EPT).  The walk,
 * allocation and teardown are common; the entry bits and the depth are
 * the backend's.
 */
struct vireo_tdp_format {
	unsigned int levels;	/* 4, or 5 (AMD NPT follows the host's LA57) */
	u64 table_bits;		/* bits of a non-leaf entry */
	u64 leaf_bits;		/* bits of a read-only leaf */
	u64 write_bit;		/* added to a writable leaf */
	u64 present_mask;	/* entry is present if any of these is set */
};

struct vireo_tdp {
	const struct vireo_tdp_format *fmt;	/* (c) */
	u64 *root;				/* (c) */
	phys_addr_t root_pa;			/* (c) */
};

int vireo_tdp_init(struct vireo_tdp *tdp, const struct vireo_tdp_format *fmt);
void vireo_tdp_destroy(struct vireo_tdp *tdp);
int vireo_tdp_map(struct vireo_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable);
void vireo_tdp_unmap_range(struct vireo_tdp *tdp, u64 gpa, u64 size);

/* --------------------------------------------------------------- VM */

struct vireo_vm {
	refcount_t refs;		/* VM fd + one per vCPU fd */
	struct mm_struct *mm;		/* (c) the creator's, for pinning */

	struct mutex mmu_lock;
	struct vireo_mem_slot *slots[VIREO_MAX_MEM_SLOTS];	/* (m) */
	struct vireo_tdp tdp;					/* (m) */
	atomic_t tlb_generation;	/* (a) bumped when mappings go away */

	struct mutex vcpus_lock;
	/*
	 * (vcpus_lock) to add; deliveries read it without the lock (READ_ONCE):
	 * an entry, once set, stays until the VM is destroyed.
	 */
	struct vireo_vcpu *vcpus[VIREO_MAX_VCPUS];
	int nr_vcpus;					/* (vcpus_lock) */
	bool lapic_enabled;	/* (vcpus_lock) read: vireo_vm_has_lapic() */

	struct mutex eventfds_lock;
	struct list_head irqfds;			/* (eventfds_lock) */
	struct list_head ioeventfds;			/* (RCU, eventfds_lock) */
};

void vireo_vm_put(struct vireo_vm *vm);
int vireo_vm_create(void);

/* VIREO_ENABLE_LAPIC is done: vCPUs get an in-kernel LAPIC. */
static inline bool vireo_vm_has_lapic(struct vireo_vm *vm)
{
	bool on;

	mutex_lock(&vm->vcpus_lock);
	on = vm->lapic_enabled;
	mutex_unlock(&vm->vcpus_lock);
	return on;
}

/* Resolve a guest-physical fault against the slots; see mmu.c. */
enum vireo_fault_result {
	VIREO_FAULT_MAPPED,	/* retry the access */
	VIREO_FAULT_MMIO,	/* no slot (or write to read-only): exit */
	VIREO_FAULT_NO_MEMORY,	/* the slot's user memory is gone */
};
enum vireo_fault_result vireo_mmu_fault(struct vireo_vm *vm, u64 gpa, bool is_write);
int vireo_mmu_set_region(struct vireo_vm *vm, const struct vireo_memory_region *mr);
int vireo_mmu_delete_region(struct vireo_vm *vm, u32 slot);
void vireo_mmu_destroy(struct vireo_vm *vm);
int vireo_read_guest(struct vireo_vm *vm, u64 gpa, void *buf, size_t len);
/* -EFAULT outside the slots and in a read-only one (a ROM: writes exit). */
int vireo_write_guest(struct vireo_vm *vm, u64 gpa, const void *buf, size_t len);

/*
 * paging.c: guest-linear accesses through the guest's page tables, all
 * paging modes, as supervisor.  They return 0, -EFAULT with *fault filled
 * (the #PF the CPU would raise), or -ENXIO where the walk or the data
 * leaves guest RAM (MMIO, a read-only slot for a write).
 */
struct vireo_linear_fault {
	u64 address;		/* CR2 */
	u32 error_code;
};

int vireo_linear_to_gpa(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
			bool write, u64 *gpa, struct vireo_linear_fault *fault);
int vireo_read_linear(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
		      void *buf, size_t len, struct vireo_linear_fault *fault);
int vireo_write_linear(struct vireo_vm *vm, const struct vireo_sregs *sr, u64 la,
		       const void *buf, size_t len, struct vireo_linear_fault *fault);

/* ------------------------------------------------------------- vCPU */

enum vireo_vcpu_mode {
	VIREO_OUTSIDE_GUEST,
	VIREO_IN_GUEST,
};

/* Multiprocessor state with an in-kernel LAPIC (SDM 9.4). */
enum vireo_mp_state {
	VIREO_MP_RUNNABLE,
	VIREO_MP_HALTED,	/* HLT: sleeping until an interrupt */
	VIREO_MP_WAIT_SIPI,	/* after INIT, and APs from creation */
};

/* vcpu->requests bits, set by other contexts, taken by the vCPU thread. */
#define VIREO_REQ_INIT		0
#define VIREO_REQ_SIPI		1

/* A vector in pic_vector / level_eoi is valid when this bit is set. */
#define VIREO_PIC_VECTOR_VALID	0x100

struct vireo_lapic;

/* Where vireo_vcpu_pick_event() took an event from, to hand it back. */
enum vireo_event_source {
	VIREO_EVSRC_QUEUED,	/* the reinject, exception or extint slot */
	VIREO_EVSRC_NMI,
	VIREO_EVSRC_PIC,	/* the 8259 through LINT0 */
	VIREO_EVSRC_LAPIC,	/* acknowledged from IRR into ISR */
};

/* An event waiting to be delivered at the next entry. */
struct vireo_pending_event {
	bool valid;
	u8 type;		/* enum vireo_event_type (hardware encoding) */
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u8 source;		/* enum vireo_event_source, set by pick */
};

/* DR6.BS: the debug exception was a single-step trap (SDM 17.2.3). */
#define VIREO_DR6_BS		(1U << 14)

/* How the next VIREO_RUN finishes an instruction userland handled. */
enum vireo_completion {
	VIREO_COMPLETE_NONE,
	VIREO_COMPLETE_IO_OUT,		/* RIP = next_rip */
	VIREO_COMPLETE_IO_IN,		/* AL/AX/EAX = run->io.data, RIP = next_rip */
	VIREO_COMPLETE_MSR,		/* RDMSR result or #GP, RIP = next_rip */
};

struct vireo_vcpu {
	struct vireo_vm *vm;		/* (c) holds a reference */
	u32 id;				/* (c) */
	struct mutex mutex;		/* serialises the vCPU ioctls */
	struct vireo_run *run;		/* (c) the shared run page */
	struct page *run_page;		/* (c) */

	u64 regs[VIREO_NR_REGS];	/* (v) synced by the backend per exit */

	int mode;			/* (a) enum vireo_vcpu_mode */
	int cpu;			/* (a) host CPU while in guest mode */
	int tlb_generation;		/* (v) vm->tlb_generation last flushed */

	struct vireo_cpuid_entry *cpuid;	/* (v) */
	u32 cpuid_nent;				/* (v) */
	u64 cr4_reserved;			/* (v) vireo_cr4_reserved_bits() of it */

	struct vireo_pending_event reinject;	/* (v) interrupted delivery */
	struct vireo_pending_event exception;	/* (v) from userland or us */
	struct vireo_pending_event extint;	/* (v) from userland */
	bool nmi_pending;			/* (a) one latched NMI (SDM 6.7.1) */
	/*
	 * (v) From the delivery of an NMI until the next IRET completes,
	 * NMIs are blocked (SDM 6.7.1; APM vol. 2 8.2.3): one that comes
	 * meanwhile waits in nmi_pending.  Kept here, not in a backend, so
	 * that the state can be saved and restored; each backend keeps its
	 * hardware's view (VMX: virtual-NMI blocking; SVM: the IRET
	 * intercept) in step with it.
	 */
	bool nmi_blocked;
	/*
	 * (v) DR6 bits of the debug trap due after an instruction that the
	 * hypervisor completed with RFLAGS.TF set (DR6.BS, SDM 17.3.1.4):
	 * delivered at the next entry, before any NMI or interrupt (SDM 6.9).
	 */
	u32 pending_dbg;
	/*
	 * (v) The guest's DR0-3 and DR7 (debugreg.c).  MOV DRn exits on both
	 * backends, so these are the guest's view; each backend loads DR7
	 * into its VMCB/VMCS and DR0-3 into the CPU around each entry, and
	 * reads DR7 back after each exit (the CPU clears DR7.GD when it
	 * delivers a #DB, SDM 17.2.4).
	 */
	u64 dr[4];
	u64 dr7;
	/*
	 * (v) Userland emulates the instruction at emulation_rip (MMIO and
	 * string I/O exits): if RIP has moved by the next VIREO_RUN, it
	 * completed it (vireo_complete_user_exit()).
	 */
	bool emulation_pending;
	u64 emulation_rip;
	bool interrupt_shadow;			/* (v) as of the last exit */
	u64 cr8;				/* (v) as of the last exit */
	u64 exit_count;				/* (v) */

	enum vireo_completion completion;	/* (v) */
	u64 completion_rip;			/* (v) */
	u8 io_size;				/* (v) */
	u16 io_port;				/* (v) of the last I/O exit */
	bool emulating_io;			/* (v) emulation_pending is INS/OUTS */

	struct vireo_lapic *lapic;	/* (c) NULL without VIREO_ENABLE_LAPIC */
	wait_queue_head_t wq;		/* HLT and wait-for-SIPI sleep here */
	int mp_state;			/* (v) enum vireo_mp_state */
	unsigned long requests;		/* (a) VIREO_REQ_* */
	u8 sipi_vector;			/* (a) with VIREO_REQ_SIPI */
	u32 pic_vector;			/* (a) ExtINT from the 8259 */
	u32 level_eoi;			/* (v) level-triggered EOI for userland */

	u64 xcr0;			/* (v) guest XCR0 */
	u32 pkru;			/* (v) guest PKRU */
	u32 tsc_aux;			/* (v) guest IA32_TSC_AUX (RDTSCP, RDPID) */
	u32 host_tsc_aux;		/* (v) the host's, kept across one entry */
	bool tsc_aux_offered;		/* (v) CPUID offers RDTSCP or RDPID */
#ifdef VIREO_HAVE_KVM_GUEST_FPU
	struct fpu_guest guest_fpu;	/* (c) the kernel's copy of the guest's FPU state */
#else
	void *guest_xsave;		/* (c) one page: the guest's FPU state (guest_fpu.c) */
#endif
	unsigned long host_dr[4];	/* (v) the host's DR0-3 during one entry (debugreg_hw.h) */
#ifdef CONFIG_PREEMPT_NOTIFIERS
	/* (v) shared mode: registered while in VIREO_RUN (kvm_coexist.c) */
	struct preempt_notifier preempt_notifier;
	bool put_on_sched_out;
#endif
};

/* ---------------------------------------------------------- backend */

struct vireo_backend_ops {
	const char *name;
	enum vireo_backend id;

	/* Module load: does the CPU have what we need?  -ENODEV if not. */
	int (*probe)(void);
	int (*setup)(void);		/* module load, after probe */
	void (*unsetup)(void);		/* module unload */
	/*
	 * On every CPU while any VM exists.  Own mode: turn virtualization
	 * on, -EBUSY if another hypervisor has it on.  Shared mode
	 * (vireo_hw_shared()): KVM has turned it on and keeps it on; check
	 * that it has, and touch nothing of KVM's (kvm_coexist.c).
	 */
	int (*enable_cpu)(void);
	void (*disable_cpu)(void);
	/*
	 * Shared mode is possible: the backend can run its guests inside
	 * KVM's enablement, and kvm_module names the module that gives it.
	 * A backend without it runs in own mode only.
	 */
	const char *kvm_module;
	/*
	 * Shared mode: the vCPU's thread leaves this CPU (scheduled out,
	 * asleep, or back from VIREO_RUN); preemption is off.  Leave the
	 * CPU's virtualization state as KVM expects to find it.  NULL if
	 * nothing is left behind.
	 */
	void (*vcpu_put)(struct vireo_vcpu *vcpu);

	u64 (*caps_flags)(void);
	u32 (*guest_phys_bits)(void);
	const struct vireo_tdp_format *tdp_format;

	struct vireo_vcpu *(*vcpu_alloc)(void);
	int (*vcpu_init)(struct vireo_vcpu *vcpu);
	void (*vcpu_free)(struct vireo_vcpu *vcpu);

	void (*get_sregs)(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs);
	int (*set_sregs)(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs);
	u64 (*get_cr4)(struct vireo_vcpu *vcpu);
	/* MSRs of vireo_msr_list that live in the backend's state. */
	int (*get_msr)(struct vireo_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest);

	/*
	 * Enter the guest once and handle the exit.  Returns 0 to re-enter,
	 * 1 when run->exit_reason is filled for userland, or -errno.
	 * Called preemptible, with the guest FPU state loaded.
	 */
	int (*run_once)(struct vireo_vcpu *vcpu);
};

extern const struct vireo_backend_ops *vireo_ops;
extern const struct vireo_backend_ops vireo_svm_ops;
extern const struct vireo_backend_ops vireo_vmx_ops;

int vireo_hardware_get(void);
void vireo_hardware_put(void);
/* While a VM exists: virtualization is KVM's, Vireo runs inside it. */
bool vireo_hw_shared(void);
/* A reboot is under way: KVM may have turned virtualization off. */
bool vireo_hw_rebooting(void);

/* kvm_coexist.c: running beside KVM ("shared" mode). */
struct file *vireo_kvm_hold(const char *vendor_module);
void vireo_coexist_vcpu_load(struct vireo_vcpu *vcpu);
void vireo_coexist_vcpu_put(struct vireo_vcpu *vcpu);
void vireo_coexist_begin(void);
void vireo_coexist_end(void);

/* vcpu.c */
int vireo_vcpu_create(struct vireo_vm *vm, unsigned long id);
void vireo_vcpu_destroy(struct vireo_vcpu *vcpu);
bool vireo_vcpu_interruptible(struct vireo_vcpu *vcpu, bool interrupt_shadow);
void vireo_vcpu_queue_exception(struct vireo_vcpu *vcpu, u8 vector, bool has_error,
				u32 error_code);
void vireo_vcpu_kick_all(struct vireo_vm *vm);
u32 vireo_event_encode(const struct vireo_pending_event *ev);
void vireo_vcpu_interrupted_event(struct vireo_vcpu *vcpu, u32 info, u32 error_code);
bool vireo_vcpu_pick_event(struct vireo_vcpu *vcpu, bool shadow, struct vireo_pending_event *ev);
void vireo_vcpu_unpick_event(struct vireo_vcpu *vcpu, const struct vireo_pending_event *ev);
bool vireo_vcpu_wants_irq_window(struct vireo_vcpu *vcpu);
void vireo_vcpu_hold_interrupted_irq(struct vireo_vcpu *vcpu);
bool vireo_vcpu_wants_nmi_window(struct vireo_vcpu *vcpu);
void vireo_complete_user_exit(struct vireo_vcpu *vcpu);

/* debugreg.c: the guest's debug registers. */
struct vireo_mov_dr {
	u8 dr;			/* as encoded: 0-7, 8-15 with REX.R */
	u8 gpr;			/* enum vireo_reg */
	bool write;		/* MOV to DRn */
	bool wide;		/* 64-bit operand (64-bit code) */
};

u32 vireo_dr7_enabled(u64 dr7);
u32 vireo_dr_io_hits(const struct vireo_vcpu *vcpu, u16 port, unsigned int size, u64 cr4);
u32 vireo_dr_data_hits(const struct vireo_vcpu *vcpu, u64 linear, u64 len, bool is_write);
void vireo_dr_trap(struct vireo_vcpu *vcpu, u32 hits);
void vireo_handle_mov_dr(struct vireo_vcpu *vcpu, const struct vireo_mov_dr *m, u64 cr4,
			 unsigned int cpl, u64 *dr6, u64 next_rip);
void vireo_dr_task_switched(struct vireo_vcpu *vcpu);
void vireo_reset_debugregs(struct vireo_vcpu *vcpu);

/* Exit helpers shared by the backends (exits.c). */
void vireo_retire_insn(struct vireo_vcpu *vcpu, u64 next_rip);
void vireo_retire_io(struct vireo_vcpu *vcpu, u64 next_rip);
int vireo_handle_cpuid(struct vireo_vcpu *vcpu, unsigned int insn_len);
int vireo_handle_msr(struct vireo_vcpu *vcpu, bool is_write, u64 next_rip);
int vireo_handle_io(struct vireo_vcpu *vcpu, const struct vireo_exit_io *io, u64 next_rip);
int vireo_handle_xsetbv(struct vireo_vcpu *vcpu, unsigned int insn_len);
int vireo_handle_tdp_fault(struct vireo_vcpu *vcpu, u64 gpa, bool is_write);
int vireo_exit_to_user(struct vireo_vcpu *vcpu, u32 reason);
int vireo_exit_hw(struct vireo_vcpu *vcpu, u32 reason, u64 code, u64 info1, u64 info2,
		  u32 suberror);
void vireo_load_guest_xstate(struct vireo_vcpu *vcpu, u64 *host_xcr0, u32 *host_pkru);
void vireo_put_guest_xstate(struct vireo_vcpu *vcpu, u64 host_xcr0, u32 host_pkru);

/*
 * The guest's FPU state (guest_fpu.c): run_begin/run_end bracket one
 * VIREO_RUN, load/put one world switch (interrupts off); get/set convert
 * to and from struct vireo_xsave (-EINVAL: a state XRSTOR would refuse).
 */
int vireo_guest_fpu_alloc(struct vireo_vcpu *vcpu);
void vireo_guest_fpu_free(struct vireo_vcpu *vcpu);
void vireo_guest_fpu_run_begin(struct vireo_vcpu *vcpu);
void vireo_guest_fpu_run_end(struct vireo_vcpu *vcpu);
void vireo_guest_fpu_load(struct vireo_vcpu *vcpu);
void vireo_guest_fpu_put(struct vireo_vcpu *vcpu);
int vireo_guest_fpu_get(struct vireo_vcpu *vcpu, struct vireo_xsave *x, u64 offered);
int vireo_guest_fpu_set(struct vireo_vcpu *vcpu, const struct vireo_xsave *x);

void vireo_vcpu_kick(struct vireo_vcpu *vcpu);
int vireo_vcpu_init_state(struct vireo_vcpu *vcpu);
int vireo_handle_hlt(struct vireo_vcpu *vcpu, unsigned int insn_len);

/* lapic.c */
int vireo_lapic_create(struct vireo_vcpu *vcpu);
void vireo_lapic_free(struct vireo_vcpu *vcpu);
bool vireo_lapic_msi_address_valid(u64 address);
int vireo_lapic_deliver_msi(struct vireo_vm *vm, u64 address, u32 data);
int vireo_lapic_mmio(struct vireo_vcpu *vcpu, struct vireo_apic_access *acc);
int vireo_lapic_msr(struct vireo_vcpu *vcpu, u32 index, bool is_write, u64 *data, u64 guest_tsc);
int vireo_lapic_pending(struct vireo_vcpu *vcpu);
void vireo_lapic_ack(struct vireo_vcpu *vcpu, u8 vector);
void vireo_lapic_unack(struct vireo_vcpu *vcpu, u8 vector);
void vireo_lapic_init_signal(struct vireo_vcpu *vcpu);
bool vireo_lapic_disabled(struct vireo_vcpu *vcpu);

#if defined(VIREO_KUNIT) || defined(VIREO_KUNIT_HOST)
/* "Caller holds" helpers the KUnit suites call directly (kmod/tests/lockdep_test.c). */
struct eventfd_ctx;
bool lapic_set_irr(struct vireo_lapic *a, u8 vector, bool level);
int irqfd_may_add(struct vireo_vm *vm, struct eventfd_ctx *ctx);
#endif

/* eventfd.c */
int vireo_irqfd(struct vireo_vm *vm, const struct vireo_irqfd *args);
int vireo_ioeventfd(struct vireo_vm *vm, const struct vireo_ioeventfd *args);
bool vireo_ioeventfd_signal(struct vireo_vm *vm, u16 port, u8 size, u32 value);
void vireo_eventfds_release(struct vireo_vm *vm);

/* cpuid.c */
long vireo_get_supported_cpuid(void __user *argp);
/* The guest's CPUID entry for (fn, idx), or NULL: the leaf reads as zeros. */
const struct vireo_cpuid_entry *vireo_cpuid_find(struct vireo_vcpu *vcpu, u32 fn, u32 idx);
/*
 * VIREO_SET_CPUID: 0, or -EINVAL when the table sets a feature flag the
 * supported table (VIREO_GET_SUPPORTED_CPUID) lacks: userland may only
 * take features away.
 */
int vireo_cpuid_check_features(const struct vireo_cpuid_entry *e, u32 n);
/* CPUID offers RDTSCP (0x80000001:EDX[27]) or RDPID (7:ECX[22]): IA32_TSC_AUX exists. */
bool vireo_cpuid_has_tsc_aux(struct vireo_vcpu *vcpu);
/*
 * IA32_TSC_AUX, kept in common code (neither VMCB nor VMCS switches it):
 * 0, or -EINVAL (#GP for the guest) when bits 63:32 are set or, for the
 * guest, CPUID does not offer it (SDM vol. 4 table 2-2; APM vol. 2 A.2).
 */
int vireo_tsc_aux_access(struct vireo_vcpu *vcpu, bool is_write, u64 *data, bool from_guest);
/* CPUID.(0DH,0):EBX for this XCR0: the XSAVE area's size, from the vCPU's table. */
u32 vireo_cpuid_xsave_size(struct vireo_vcpu *vcpu, u64 xcr0);

/* emulate.c: control-register writes reported without their operand. */
enum vireo_cr_kind {
	VIREO_CR_MOV,		/* MOV CRn, reg */
	VIREO_CR_LMSW,		/* LMSW reg: value is its low 16 bits */
	VIREO_CR_CLTS,
	VIREO_DR_WRITE,		/* MOV DRn, reg: cr is n */
	VIREO_DR_READ,		/* MOV reg, DRn: cr is n, gpr the destination */
};

struct vireo_cr_write {
	u8 kind;		/* enum vireo_cr_kind */
	u8 cr;			/* MOV: n, 8-15 with REX.R or LOCK */
	u8 len;			/* bytes, prefixes included */
	u8 gpr;			/* the register operand (enum vireo_reg) */
	bool wide;		/* 64-bit operand (64-bit code) */
	u64 value;		/* MOV, LMSW, DR write: the source register */
};

int vireo_decode_cr_write(struct vireo_vcpu *vcpu, const struct vireo_sregs *sr,
			  struct vireo_cr_write *w);

/* msr.c */
extern const u32 vireo_msr_list[];
extern const unsigned int vireo_msr_list_len;
bool vireo_msr_is_listed(u32 index);
bool vireo_pat_valid(u64 pat);

#endif /* VIREO_INTERNAL_H */
