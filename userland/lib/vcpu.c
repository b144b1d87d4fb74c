// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: creation, the mmap()ed run page, VIREO_RUN and the state
 * ioctls.  Each function is one ioctl with its argument typed.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int vireo_vcpu_create(struct vireo_vm *vm, uint32_t id, struct vireo_vcpu **vcpup)
{
	struct vireo_vcpu *vcpu;
	size_t size;
	void *run;
	int ret;

	*vcpup = NULL;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = -1;
	ret = vireo_ioctl(vm->fd, VIREO_CREATE_VCPU, (void *)(uintptr_t)id);
	if (ret < 0)
		goto out;
	vcpu->fd = ret;

	size = vm->sys->caps.run_page_size ? vm->sys->caps.run_page_size : VIREO_RUN_PAGE_SIZE;
	if (size < sizeof(struct vireo_run)) {
		ret = -EPROTO;
		goto out;
	}
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	vcpu->run = run;
	vcpu->run_size = size;
	*vcpup = vcpu;
	ret = 0;
out:
	if (ret)
		vireo_vcpu_destroy(vcpu);
	return ret;
}

void vireo_vcpu_destroy(struct vireo_vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu);
}

int vireo_vcpu_fd(const struct vireo_vcpu *vcpu)
{
	return vcpu->fd;
}

struct vireo_vm *vireo_vcpu_vm(const struct vireo_vcpu *vcpu)
{
	return vcpu->vm;
}

struct vireo_run *vireo_vcpu_run_page(const struct vireo_vcpu *vcpu)
{
	return vcpu->run;
}

int vireo_vcpu_run(struct vireo_vcpu *vcpu)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_RUN, NULL);

	return ret < 0 ? ret : 0;
}

int vireo_get_regs(struct vireo_vcpu *vcpu, struct vireo_regs *regs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_GET_REGS, regs);

	return ret < 0 ? ret : 0;
}

int vireo_set_regs(struct vireo_vcpu *vcpu, const struct vireo_regs *regs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_SET_REGS, (void *)regs);

	return ret < 0 ? ret : 0;
}

int vireo_get_xsave(struct vireo_vcpu *vcpu, struct vireo_xsave *x)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_GET_XSAVE, x);

	return ret < 0 ? ret : 0;
}

int vireo_set_xsave(struct vireo_vcpu *vcpu, const struct vireo_xsave *x)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_SET_XSAVE, (void *)x);

	return ret < 0 ? ret : 0;
}

int vireo_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_GET_SREGS, sregs);

	return ret < 0 ? ret : 0;
}

int vireo_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *sregs)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_SET_SREGS, (void *)sregs);

	return ret < 0 ? ret : 0;
}

int vireo_set_cpuid(struct vireo_vcpu *vcpu, const struct vireo_cpuid_entry *entries,
		    uint32_t nent)
{
	struct vireo_cpuid arg = {
		.nent = nent,
		.entries = (uintptr_t)entries,
	};
	int ret;

	if (nent > VIREO_MAX_CPUID_ENTRIES)
		return -E2BIG;
	ret = vireo_ioctl(vcpu->fd, VIREO_SET_CPUID, &arg);
	return ret < 0 ? ret : 0;
}

static int msrs_ioctl(struct vireo_vcpu *vcpu, unsigned long request,
		      const struct vireo_msr_entry *entries, uint32_t n)
{
	struct vireo_msrs arg = {
		.nmsrs = n,
		.entries = (uintptr_t)entries,
	};

	if (n > VIREO_MAX_MSR_ENTRIES)
		return -E2BIG;
	return vireo_ioctl(vcpu->fd, request, &arg);
}

int vireo_get_msrs(struct vireo_vcpu *vcpu, struct vireo_msr_entry *entries, uint32_t n)
{
	return msrs_ioctl(vcpu, VIREO_GET_MSRS, entries, n);
}

int vireo_set_msrs(struct vireo_vcpu *vcpu, const struct vireo_msr_entry *entries,
		   uint32_t n)
{
	return msrs_ioctl(vcpu, VIREO_SET_MSRS, entries, n);
}

int vireo_inject_event(struct vireo_vcpu *vcpu, const struct vireo_event *event)
{
	int ret = vireo_ioctl(vcpu->fd, VIREO_INJECT_EVENT, (void *)event);

	return ret < 0 ? ret : 0;
}

int vireo_inject_extint(struct vireo_vcpu *vcpu, uint8_t vector)
{
	struct vireo_event ev = {
		.type = VIREO_EVENT_EXTINT,
		.vector = vector,
	};

	return vireo_inject_event(vcpu, &ev);
}

int vireo_inject_exception(struct vireo_vcpu *vcpu, uint8_t vector, bool has_error_code,
			   uint32_t error_code)
{
	struct vireo_event ev = {
		.type = VIREO_EVENT_EXCEPTION,
		.vector = vector,
		.has_error_code = has_error_code,
		.error_code = error_code,
	};

	return vireo_inject_event(vcpu, &ev);
}
