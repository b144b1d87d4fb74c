// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel LAPIC ioctls of vireo.h that libvireo does not wrap yet:
 * thin, -errno on failure, nothing else.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "pc.h"

static long xioctl(int fd, unsigned long req, void *arg)
{
	long r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int vireo_pc_enable_lapic(int vm_fd)
{
	return (int)xioctl(vm_fd, VIREO_ENABLE_LAPIC, NULL);
}

int vireo_pc_signal_msi(int vm_fd, uint64_t address, uint32_t data)
{
	struct vireo_msi msi = { .address = address, .data = data };

	return (int)xioctl(vm_fd, VIREO_SIGNAL_MSI, &msi);
}

int vireo_pc_ioeventfd(int vm_fd, uint16_t port, unsigned int len, int fd, uint64_t datamatch,
		       bool assign)
{
	struct vireo_ioeventfd io = {
		.addr = port,
		.len = len,
		.fd = fd,
		.datamatch = datamatch,
		.flags = VIREO_IOEVENTFD_PIO | VIREO_IOEVENTFD_DATAMATCH |
			 (assign ? 0 : VIREO_IOEVENTFD_DEASSIGN),
	};

	return (int)xioctl(vm_fd, VIREO_IOEVENTFD, &io);
}

int vireo_pc_apic_access(struct vireo_vcpu *vcpu, uint32_t offset, bool is_write,
			 uint32_t *data)
{
	struct vireo_apic_access a = {
		.offset = offset,
		.size = 4,
		.is_write = is_write,
		.data = is_write ? *data : 0,
	};
	long r = xioctl(vireo_vcpu_fd(vcpu), VIREO_APIC_ACCESS, &a);

	if (r < 0)
		return (int)r;
	if (!is_write)
		*data = (uint32_t)a.data;
	return 0;
}

