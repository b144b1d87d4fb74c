// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the KUnit suites: a VM and vCPUs built the way vm.c and
 * vcpu.c build them, minus the file descriptors, with a fake backend in
 * vireo_ops; and the functions of the core that live outside the files
 * under test (main.c's vireo_ops, vm.c's vireo_vm_put(), kvm_coexist.c's
 * vCPU load and put, mmu.c's vireo_mmu_fault()).
 */
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "vireo_test.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of vireo.ko's vendor-neutral core");

/* main.c's: the test module has no backend of its own. */
const struct vireo_backend_ops *vireo_ops;

struct vt_backend vt_backend;

/* vm.c's: the fixture owns its VM, so the last reference never goes here. */
void vireo_vm_put(struct vireo_vm *vm)
{
	WARN_ON(refcount_dec_and_test(&vm->refs));
}

/* kvm_coexist.c's: the fake backend owns its CPU, nothing to leave behind. */
void vireo_coexist_vcpu_load(struct vireo_vcpu *vcpu)
{
}

void vireo_coexist_vcpu_put(struct vireo_vcpu *vcpu)
{
}

/* mmu.c's pins user pages: the fake reports what the case chose. */
enum vireo_fault_result vireo_mmu_fault(struct vireo_vm *vm, u64 gpa, bool is_write)
{
	vt_backend.faults++;
	vt_backend.fault_gpa = gpa;
	vt_backend.fault_write = is_write;
	return vt_backend.fault_result;
}

/* mmu.c's reads the slot's user memory: the fake reads vt_guest_mem. */
u8 *vt_guest_mem;
size_t vt_guest_mem_size;

int vireo_read_guest(struct vireo_vm *vm, u64 gpa, void *buf, size_t len)
{
	if (!vt_guest_mem || gpa > vt_guest_mem_size || len > vt_guest_mem_size - gpa)
		return -EFAULT;
	memcpy(buf, vt_guest_mem + gpa, len);
	return 0;
}

/* Writes the same memory; vt_guest_ro_below makes the pages under it a ROM. */
u64 vt_guest_ro_below;

int vireo_write_guest(struct vireo_vm *vm, u64 gpa, const void *buf, size_t len)
{
	if (!vt_guest_mem || gpa > vt_guest_mem_size || len > vt_guest_mem_size - gpa ||
	    gpa < vt_guest_ro_below)
		return -EFAULT;
	memcpy(vt_guest_mem + gpa, buf, len);
	return 0;
}

/* ------------------------------------------------------ fake backend */

static u64 *vt_fake_msr(u32 index)
{
	int i;

	for (i = 0; i < VT_FAKE_MSRS; i++)
		if (vt_backend.msr_index[i] == index)
			return &vt_backend.msr_data[i];
	for (i = 0; i < VT_FAKE_MSRS; i++) {
		if (!vt_backend.msr_index[i]) {
			vt_backend.msr_index[i] = index;
			return &vt_backend.msr_data[i];
		}
	}
	return NULL;
}

static int vt_get_msr(struct vireo_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *p = vt_fake_msr(index);

	if (!p || index == vt_backend.refuse_msr)
		return -EINVAL;
	*data = *p;
	return 0;
}

static int vt_set_msr(struct vireo_vcpu *vcpu, u32 index, u64 data, bool from_guest)
{
	u64 *p = vt_fake_msr(index);

	if (!p || index == vt_backend.refuse_msr)
		return -EINVAL;
	*p = data;
	vt_backend.last_set_msr = index;
	vt_backend.last_set_data = data;
	vt_backend.last_set_from_guest = from_guest;
	return 0;
}

int vt_fake_msr_set(u32 index, u64 data)
{
	u64 *p = vt_fake_msr(index);

	if (!p)
		return -ENOSPC;
	*p = data;
	return 0;
}

static u64 vt_get_cr4(struct vireo_vcpu *vcpu)
{
	return vt_backend.cr4;
}

static void vt_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs)
{
	*sregs = vt_backend.sregs;
}

static int vt_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs)
{
	vt_backend.sregs = *sregs;
	vt_backend.set_sregs_calls++;
	return 0;
}

static const struct vireo_backend_ops vt_backend_ops = {
	.name = "kunit-fake",
	.get_sregs = vt_get_sregs,
	.set_sregs = vt_set_sregs,
	.get_cr4 = vt_get_cr4,
	.get_msr = vt_get_msr,
	.set_msr = vt_set_msr,
};

/* ------------------------------------------------------------ fixture */

struct vireo_vcpu *vt_env_add_vcpu(struct kunit *test, struct vt_env *env, u32 id)
{
	struct vireo_vm *vm = env->vm;
	struct vireo_vcpu *vcpu;

	KUNIT_ASSERT_LT(test, env->nr_vcpus, VT_MAX_VCPUS);
	KUNIT_ASSERT_LT(test, id, (u32)VIREO_MAX_VCPUS);
	KUNIT_ASSERT_NULL(test, vm->vcpus[id]);
	vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	vcpu->run = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vcpu->run);

	/* As vireo_vcpu_create() does, minus the fd, run page and FPU. */
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	vcpu->xcr0 = 1;
	vcpu->cpu = -1;
	vcpu->regs[VIREO_REG_RFLAGS] = 2;
	init_waitqueue_head(&vcpu->wq);
	if (vm->lapic_enabled) {
		KUNIT_ASSERT_EQ(test, vireo_lapic_create(vcpu), 0);
		vcpu->mp_state = id ? VIREO_MP_WAIT_SIPI : VIREO_MP_RUNNABLE;
	}
	env->vcpu[env->nr_vcpus++] = vcpu;
	WRITE_ONCE(vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	return vcpu;
}

struct vt_env *vt_env_new(struct kunit *test, int nr, bool lapic)
{
	struct vt_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	struct vireo_vm *vm;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, env);
	vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm);

	/* As vireo_vm_create() does, minus the TDP root and the fd. */
	refcount_set(&vm->refs, 1);
	vm->mm = current->mm;
	mutex_init(&vm->mmu_lock);
	mutex_init(&vm->vcpus_lock);
	mutex_init(&vm->eventfds_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	INIT_LIST_HEAD(&vm->ioeventfds);
	vm->lapic_enabled = lapic;
	env->vm = vm;

	memset(&vt_backend, 0, sizeof(vt_backend));
	vt_backend.fault_result = VIREO_FAULT_MMIO;
	env->saved_ops = vireo_ops;
	vireo_ops = &vt_backend_ops;
	/* Set before the vCPUs, so that a failed assertion still cleans up. */
	test->priv = env;

	for (i = 0; i < nr; i++)
		vt_env_add_vcpu(test, env, i);
	return env;
}

void vt_env_free(struct vt_env *env)
{
	int i;

	if (!env)
		return;
	vireo_eventfds_release(env->vm);
	for (i = 0; i < env->nr_vcpus; i++)
		vireo_lapic_free(env->vcpu[i]);	/* cancels the APIC timer */
	vireo_ops = env->saved_ops;
}

void vt_suite_exit(struct kunit *test)
{
	vt_env_free(test->priv);
	test->priv = NULL;
}

/* ---------------------------------------------------- APIC helpers */

static bool vt_x2apic_mode(struct vireo_vcpu *vcpu)
{
	u64 base = 0;

	vireo_lapic_msr(vcpu, VT_APIC_BASE_MSR, false, &base, 0);
	return base & VT_APIC_BASE_EXTD;
}

int vt_rdmsr(struct vireo_vcpu *vcpu, u32 index, u64 *val)
{
	*val = 0;
	return vireo_lapic_msr(vcpu, index, false, val, 0);
}

int vt_wrmsr(struct vireo_vcpu *vcpu, u32 index, u64 val)
{
	return vireo_lapic_msr(vcpu, index, true, &val, 0);
}

u32 vt_apic_get(struct kunit *test, struct vireo_vcpu *vcpu, u32 off)
{
	struct vireo_apic_access acc = { .offset = off, .size = 4 };
	u64 val;

	if (vt_x2apic_mode(vcpu)) {
		KUNIT_EXPECT_EQ_MSG(test, vt_rdmsr(vcpu, VT_X2APIC_MSR(off), &val), 0,
				    "RDMSR of x2APIC register 0x%x", off);
		return val;
	}
	KUNIT_EXPECT_EQ_MSG(test, vireo_lapic_mmio(vcpu, &acc), 0, "xAPIC read of 0x%x", off);
	return acc.data;
}

void vt_apic_set(struct kunit *test, struct vireo_vcpu *vcpu, u32 off, u32 val)
{
	struct vireo_apic_access acc = { .offset = off, .size = 4, .is_write = 1, .data = val };

	if (vt_x2apic_mode(vcpu)) {
		KUNIT_EXPECT_EQ_MSG(test, vt_wrmsr(vcpu, VT_X2APIC_MSR(off), val), 0,
				    "WRMSR of x2APIC register 0x%x", off);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, vireo_lapic_mmio(vcpu, &acc), 0, "xAPIC write of 0x%x", off);
}

bool vt_apic_vec(struct kunit *test, struct vireo_vcpu *vcpu, u32 base, u8 vec)
{
	return vt_apic_get(test, vcpu, base + (vec / 32) * 0x10) & (1U << (vec % 32));
}

void vt_apic_enable(struct kunit *test, struct vireo_vcpu *vcpu)
{
	vt_apic_set(test, vcpu, VT_APIC_SVR, VT_SVR_ENABLE | 0xff);
}

int vt_msi(struct vireo_vm *vm, u32 dest, bool logical, u32 mode, bool level_trig, u8 vector)
{
	u64 address = VT_APIC_DEFAULT_BASE | (u64)(dest & 0xff) << 12 | (logical ? 1U << 2 : 0);
	u32 data = vector | mode << 8 | (level_trig ? 1U << 15 | 1U << 14 : 0);

	return vireo_lapic_deliver_msi(vm, address, data);
}

void vt_x2apic_enable(struct kunit *test, struct vireo_vcpu *vcpu)
{
	u64 base;

	KUNIT_ASSERT_EQ(test, vt_rdmsr(vcpu, VT_APIC_BASE_MSR, &base), 0);
	KUNIT_ASSERT_EQ(test, vt_wrmsr(vcpu, VT_APIC_BASE_MSR, base | VT_APIC_BASE_EXTD), 0);
}
