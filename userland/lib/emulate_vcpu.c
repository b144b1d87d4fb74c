// SPDX-License-Identifier: GPL-2.0
/*
 * The emulation core (emulate.c) bound to a real vCPU: fetch the register
 * state with ioctls, run the core on it, write the registers back and
 * inject the exception the instruction raised, if any.  Kept apart so the
 * core stays testable without /dev/vireo.  The guest's XMM/YMM registers
 * are fetched (VIREO_GET_XSAVE) only when the instruction turns out to be
 * a vector move, and written back (VIREO_SET_XSAVE) after a load.
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
	vireo_mmio_fn buffer_mmio;	/* INS/OUTS buffers that are not RAM */
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

/* Standard XSAVE layout (SDM vol. 1 13.4): XMMn, XSTATE_BV, AVX's upper halves. */
#define XSAVE_XMM(n)		(160 + 16 * (n))
#define XSAVE_XSTATE_BV		512
#define XSAVE_YMM_HI(n)		(576 + 16 * (n))
#define XSTATE_AVX		(1ULL << 2)

static uint64_t xstate_bv(const struct vireo_xsave *x)
{
	uint64_t bv;

	memcpy(&bv, (const uint8_t *)x->region + XSAVE_XSTATE_BV, sizeof(bv));
	return bv;
}

static void vregs_from_xsave(struct vireo_vregs *v, const struct vireo_xsave *x)
{
	const uint8_t *b = (const uint8_t *)x->region;
	bool avx = xstate_bv(x) & XSTATE_AVX;	/* clear: the upper halves are zero */
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < 16; i++) {
		memcpy(v->ymm[i], b + XSAVE_XMM(i), 16);
		if (avx)
			memcpy(v->ymm[i] + 16, b + XSAVE_YMM_HI(i), 16);
	}
}

/* After a VEX load the AVX component is in use (its upper halves are written). */
static void vregs_to_xsave(struct vireo_xsave *x, const struct vireo_vregs *v, bool vex)
{
	uint8_t *b = (uint8_t *)x->region;
	uint64_t bv = xstate_bv(x) | (1ULL << 1) | (vex ? XSTATE_AVX : 0);
	int i;

	for (i = 0; i < 16; i++) {
		memcpy(b + XSAVE_XMM(i), v->ymm[i], 16);
		if (bv & XSTATE_AVX)
			memcpy(b + XSAVE_YMM_HI(i), v->ymm[i] + 16, 16);
	}
	memcpy(b + XSAVE_XSTATE_BV, &bv, sizeof(bv));
}

/*
 * A vector move to MMIO: run it again with the guest's XMM/YMM registers
 * (the first attempt stopped before touching the device), then write a
 * loaded register back.
 */
static int emulate_vector(struct vireo_vcpu *vcpu, struct vireo_emu *emu,
			  const struct emu_request *req)
{
	struct vireo_xsave xsave;
	struct vireo_vregs vregs;
	int ret;

	ret = vireo_get_xsave(vcpu, &xsave);
	if (ret) {
		snprintf(emu->error, sizeof(emu->error), "VIREO_GET_XSAVE: %s",
			 vireo_strerror(ret));
		return ret;
	}
	vregs_from_xsave(&vregs, &xsave);
	emu->vregs = &vregs;
	emu->error[0] = 0;
	memset(&emu->exception, 0, sizeof(emu->exception));
	ret = vireo_emu_mmio(emu, &vcpu->run->mmio, req->mmio, req->opaque);
	if (ret || emu->exception.pending || emu->insn.op != VIREO_OP_VLOAD)
		return ret;
	vregs_to_xsave(&xsave, &vregs, emu->insn.vec.vex);
	ret = vireo_set_xsave(vcpu, &xsave);
	if (ret)
		snprintf(emu->error, sizeof(emu->error), "VIREO_SET_XSAVE: %s",
			 vireo_strerror(ret));
	return ret;
}

static int emulate(struct vireo_vcpu *vcpu, const struct emu_request *req, GError **error)
{
	struct vireo_regs regs;
	struct vireo_sregs sregs;
	struct vireo_mem mem;
	struct vireo_emu emu = {
		.regs = &regs,
		.sregs = &sregs,
		.mem = &mem,
		.phys_bits = vcpu->vm->phys_bits,
		.buffer_mmio = req->buffer_mmio,
	};
	int ret;

	if (vcpu->run->exit_reason != req->exit_reason)
		return vireo_error_set(error, EINVAL, "exit reason is %s, not %s",
				       vireo_exit_reason_name(vcpu->run->exit_reason),
				       vireo_exit_reason_name(req->exit_reason));
	vireo_vm_mem(vcpu->vm, &mem);
	ret = vireo_get_regs(vcpu, &regs);
	if (ret)
		goto ioctl_failed;
	ret = vireo_get_sregs(vcpu, &sregs);
	if (ret)
		goto ioctl_failed;
	if (req->exit_reason == VIREO_EXIT_MMIO) {
		ret = vireo_emu_mmio(&emu, &vcpu->run->mmio, req->mmio, req->opaque);
		if (ret == -ENOTSUP &&
		    (emu.insn.op == VIREO_OP_VLOAD || emu.insn.op == VIREO_OP_VSTORE))
			ret = emulate_vector(vcpu, &emu, req);
	} else
		ret = vireo_emu_string_io(&emu, &vcpu->run->io, req->pio, req->opaque);
	if (ret)
		return vireo_error_set(error, ret, "%s", emu.error);
	/* For the guest's data breakpoints (vireo.h, struct vireo_run). */
	memcpy(vcpu->run->accesses, emu.accesses, sizeof(emu.accesses));
	vcpu->run->nr_accesses = emu.nr_accesses;
	ret = vireo_set_regs(vcpu, &regs);
	if (ret)
		goto ioctl_failed;
	if (emu.exception.pending) {
		ret = deliver(vcpu, &sregs, &emu.exception);
		if (ret)
			goto ioctl_failed;
	}
	return 0;
ioctl_failed:
	return vireo_error_set(error, ret, "cannot access vCPU registers: %s", vireo_strerror(ret));
}

int vireo_emulate_mmio(struct vireo_vcpu *vcpu, vireo_mmio_fn fn, void *opaque, GError **error)
{
	struct emu_request req = {
		.exit_reason = VIREO_EXIT_MMIO,
		.mmio = fn,
		.opaque = opaque,
	};

	return emulate(vcpu, &req, error);
}

int vireo_emulate_string_io(struct vireo_vcpu *vcpu, vireo_pio_fn fn, vireo_mmio_fn buffer_mmio,
			    void *opaque, GError **error)
{
	struct emu_request req = {
		.exit_reason = VIREO_EXIT_IO,
		.pio = fn,
		.buffer_mmio = buffer_mmio,
		.opaque = opaque,
	};

	if (vcpu->run->exit_reason == VIREO_EXIT_IO && !vcpu->run->io.string)
		return vireo_error_set(error, EINVAL, "not a string I/O exit");
	return emulate(vcpu, &req, error);
}
