// SPDX-License-Identifier: GPL-2.0
/*
 * The emulation core (emulate.c) bound to a real vCPU: fetch the register
 * state with ioctls, run the core on it, write the registers back.  Kept
 * apart so the core stays testable without /dev/vireo.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* One emulation request: exactly one of mmio / pio is set. */
struct emu_request {
	uint32_t exit_reason;
	vireo_mmio_fn mmio;
	vireo_pio_fn pio;
	void *opaque;
};

static int emulate(struct vireo_vcpu *vcpu, const struct emu_request *req)
{
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	struct vireo_mem mem;
	struct vireo_emu emu = {
		.regs = &regs,
		.sregs = &sregs,
		.mem = &mem,
		.phys_bits = vcpu->vm->phys_bits,
	};
	int ret;

	vcpu->error[0] = 0;
	if (vcpu->run->exit_reason != req->exit_reason) {
		ret = -EINVAL;
		snprintf(vcpu->error, sizeof(vcpu->error), "exit reason is %s, not %s",
			 vireo_exit_reason_name(vcpu->run->exit_reason),
			 vireo_exit_reason_name(req->exit_reason));
		goto out;
	}
	vireo_vm_mem(vcpu->vm, &mem);
	ret = vireo_get_regs(vcpu, &regs);
	if (ret)
		goto ioctl_failed;
	ret = vireo_get_sregs(vcpu, &sregs);
	if (ret)
		goto ioctl_failed;
	if (req->mmio)
		ret = vireo_emu_mmio(&emu, &vcpu->run->mmio, req->mmio, req->opaque);
	else
		ret = vireo_emu_string_io(&emu, &vcpu->run->io, req->pio, req->opaque);
	if (ret) {
		snprintf(vcpu->error, sizeof(vcpu->error), "%s", emu.error);
		goto out;
	}
	ret = vireo_set_regs(vcpu, &regs);
	if (ret)
		goto ioctl_failed;
	goto out;
ioctl_failed:
	snprintf(vcpu->error, sizeof(vcpu->error), "cannot access vCPU registers: %s",
		 vireo_strerror(ret));
out:
	return ret;
}

int vireo_emulate_mmio(struct vireo_vcpu *vcpu, vireo_mmio_fn fn, void *opaque)
{
	struct emu_request req = {
		.exit_reason = VIREO_EXIT_MMIO,
		.mmio = fn,
		.opaque = opaque,
	};

	return emulate(vcpu, &req);
}

int vireo_emulate_string_io(struct vireo_vcpu *vcpu, vireo_pio_fn fn, void *opaque)
{
	struct emu_request req = {
		.exit_reason = VIREO_EXIT_IO,
		.pio = fn,
		.opaque = opaque,
	};

	if (vcpu->run->exit_reason == VIREO_EXIT_IO && !vcpu->run->io.string) {
		snprintf(vcpu->error, sizeof(vcpu->error), "not a string I/O exit");
		return -EINVAL;
	}
	return emulate(vcpu, &req);
}
