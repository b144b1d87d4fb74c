// SPDX-License-Identifier: GPL-2.0
/*
 * The emulation core (emulate.c) bound to a real vCPU: fetch the register
 * state with ioctls, run the core on it, write the registers back and
 * inject the exception the instruction raised, if any.  Kept apart so the
 * core stays testable without /dev/vireo.  No vector registers: the ABI
 * has no ioctl for the guest's XMM/YMM state, so emu.vregs stays NULL and
 * an SSE/AVX move to MMIO is reported as an emulation failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vireo/x86.h>

#include "internal.h"

/* One emulation request: exactly one of mmio / pio is set. */
struct emu_request {
	uint32_t exit_reason;
	vireo_mmio_fn mmio;
	vireo_pio_fn pio;
	void *opaque;
};

/*
 * The instruction faulted instead of completing: the guest gets the
 * exception at the next entry, with CR2 for a #PF (SDM vol. 3 6.15).
 */
static int deliver(struct vireo_vcpu *vcpu, struct vireo_sregs *sregs,
		   const struct vireo_emu_exception *e)
{
	int ret;

	if (e->vector == VIREO_VEC_PF) {
		sregs->cr2 = e->cr2;
		ret = vireo_set_sregs(vcpu, sregs);
		if (ret)
			return ret;
	}
	return vireo_inject_exception(vcpu, e->vector, e->has_error_code, e->error_code);
}

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
	if (emu.exception.pending) {
		ret = deliver(vcpu, &sregs, &emu.exception);
		if (ret)
			goto ioctl_failed;
	}
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
