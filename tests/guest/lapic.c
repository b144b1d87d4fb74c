// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-lapic: the in-kernel LAPIC through raw ioctls (VIREO_ENABLE_LAPIC,
 * VIREO_SIGNAL_MSI, VIREO_IRQFD, VIREO_IOEVENTFD, VIREO_APIC_ACCESS) with
 * the guest in lapic.asm: the x2APIC timer, an MSI, an ioeventfd that
 * takes an OUT without an exit, an irqfd, HLT sleeping in the kernel, and
 * an application processor started with INIT-SIPI-SIPI; and the guest
 * CPUID table vireo.ko recommends (VIREO_GET_SUPPORTED_CPUID); IPIs a vCPU
 * sends itself through the xAPIC ICR.
 *
 * Usage: vireo-lapic [-g GUESTS_DIR]
 * Prints "TEST lapic/<name> PASS|FAIL ..." lines and a summary.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vtest.h"

#define MEM_SIZE	0x100000
#define IMAGE_GPA	0x10000
#define AP_OFFSET	0x380
#define AP_GPA		0x2000
#define AP_SIZE		0x100	/* ap_entry..ap_end in lapic.asm, rounded up */
#define PORT_REPORT	0xe9
#define PORT_NOTIFY	0x500
#define MSI_ADDR	0xfee00000ULL	/* physical, APIC ID 0 */
#define RUN_TIMEOUT_S	20

static struct vt_tally tally = { .group = "lapic" };

static void on_alarm(int sig)
{
	(void)sig;
}

struct vcpu {
	int fd;
	struct vireo_run *run;
	char seen[64];		/* characters reported on PORT_REPORT */
	int nseen;
	int unexpected_exit;	/* first exit that was neither IO nor INTR */
};

static int vcpu_open(int vm, unsigned long id, struct vcpu *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = (int)vt_ioctl(vm, VIREO_CREATE_VCPU, id);
	if (c->fd < 0)
		return c->fd;
	c->run = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	return c->run == MAP_FAILED ? -errno : 0;
}

/*
 * Runs until the guest reports `until` (or fails); returns 0 if it did.
 * The BSP's runs are bounded by alarm(); the AP thread blocks SIGALRM and
 * is stopped with SIGUSR1 instead.
 */
static int run_until(struct vcpu *c, char until, bool *notify_exited)
{
	for (;;) {
		long r;

		if (notify_exited)
			alarm(RUN_TIMEOUT_S);
		r = vt_ioctl(c->fd, VIREO_RUN, 0);
		if (notify_exited)
			alarm(0);
		if (r == -EINTR)
			return -ETIMEDOUT;
		if (r < 0)
			return (int)r;
		if (c->run->exit_reason != VIREO_EXIT_IO) {
			c->unexpected_exit = c->run->exit_reason;
			return -EPROTO;
		}
		if (c->run->io.port == PORT_NOTIFY && notify_exited)
			*notify_exited = true;
		if (c->run->io.port == PORT_REPORT && c->nseen < (int)sizeof(c->seen) - 1) {
			char ch = (char)c->run->io.data;

			c->seen[c->nseen++] = ch;
			if (ch == until)
				return 0;
		}
	}
}

static void *ap_thread(void *arg)
{
	struct vcpu *ap = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Blocks in the kernel (wait-for-SIPI) until the BSP starts it. */
	run_until(ap, 'L', NULL);
	return NULL;
}

static void test_xapic_access(int sys)
{
	struct vireo_apic_access acc = { .offset = 0x30, .size = 4 };
	int vm = (int)vt_ioctl(sys, VIREO_CREATE_VM, 0);
	struct vcpu c;
	long r;

	if (vm < 0) {
		vt_report(&tally, "xapic-access", "CREATE_VM: %s", strerror((int)-vm));
		return;
	}
	if (vt_ioctl(vm, VIREO_ENABLE_LAPIC, 0) < 0 || vcpu_open(vm, 0, &c) < 0) {
		vt_report(&tally, "xapic-access", "ENABLE_LAPIC/CREATE_VCPU failed");
		close(vm);
		return;
	}
	r = vt_ioctl(c.fd, VIREO_APIC_ACCESS, (unsigned long)&acc);
	if (r < 0 || (acc.data & 0xff) != 0x14 || ((acc.data >> 16) & 0xff) != 5) {
		vt_report(&tally, "xapic-access", "version register: r=%ld data=%#llx (want 0x50014)", r,
		       (unsigned long long)acc.data);
		goto out;
	}
	acc = (struct vireo_apic_access){ .offset = 0x80, .size = 4, .is_write = 1, .data = 0x20 };
	vt_ioctl(c.fd, VIREO_APIC_ACCESS, (unsigned long)&acc);
	acc = (struct vireo_apic_access){ .offset = 0xa0, .size = 4 };
	r = vt_ioctl(c.fd, VIREO_APIC_ACCESS, (unsigned long)&acc);
	if (r < 0 || acc.data != 0x20) {
		vt_report(&tally, "xapic-access", "PPR after TPR=0x20: r=%ld data=%#llx", r,
		       (unsigned long long)acc.data);
		goto out;
	}
	acc = (struct vireo_apic_access){ .offset = 0x30, .size = 2 };
	r = vt_ioctl(c.fd, VIREO_APIC_ACCESS, (unsigned long)&acc);
	if (r != -EINVAL) {
		vt_report(&tally, "xapic-access", "a 2-byte access gave %ld, want -EINVAL", r);
		goto out;
	}
	vt_report(&tally, "xapic-access", NULL);
out:
	munmap(c.run, VIREO_RUN_PAGE_SIZE);
	close(c.fd);
	close(vm);
}

/* One 32-bit xAPIC register access; the value read, or -1. */
static long long apic_rw(int fd, unsigned int offset, bool is_write, unsigned int data)
{
	struct vireo_apic_access acc = { .offset = offset, .size = 4, .is_write = is_write,
					 .data = data };
	long r = vt_ioctl(fd, VIREO_APIC_ACCESS, (unsigned long)&acc);

	return r < 0 ? -1 : (long long)acc.data;
}

/*
 * IPIs a vCPU sends itself, by destination ID and by the "self" shorthand:
 * delivering one takes the destination's lock, which is the sender's own.
 * (Before vireo.ko sent IPIs after dropping the sender's lock this hung
 * the CPU with interrupts off.)  Both vectors must land in IRR.
 */
static void test_self_ipi(int sys)
{
	int vm = (int)vt_ioctl(sys, VIREO_CREATE_VM, 0);
	long long irr;
	struct vcpu c;

	if (vm < 0) {
		vt_report(&tally, "self-ipi", "CREATE_VM: %s", strerror((int)-vm));
		return;
	}
	if (vt_ioctl(vm, VIREO_ENABLE_LAPIC, 0) < 0 || vcpu_open(vm, 0, &c) < 0) {
		vt_report(&tally, "self-ipi", "ENABLE_LAPIC/CREATE_VCPU failed");
		close(vm);
		return;
	}
	apic_rw(c.fd, 0xf0, true, 0x1ff);		/* SVR: software enable */
	apic_rw(c.fd, 0x310, true, 0);			/* ICR high: APIC ID 0, us */
	apic_rw(c.fd, 0x300, true, 0x50);		/* fixed, vector 0x50, by ID */
	apic_rw(c.fd, 0x300, true, (1U << 18) | 0x51);	/* fixed, 0x51, shorthand self */
	irr = apic_rw(c.fd, 0x220, false, 0);		/* IRR bits 64..95 */
	if (irr < 0 || (irr & (3ULL << 16)) != (3ULL << 16))
		vt_report(&tally, "self-ipi", "IRR[95:64] = %#llx, want bits 16 and 17 (vectors 0x50, 0x51)",
		       irr);
	else
		vt_report(&tally, "self-ipi", NULL);
	munmap(c.run, VIREO_RUN_PAGE_SIZE);
	close(c.fd);
	close(vm);
}

static void test_guest(int sys, const char *image)
{
	struct vcpu bsp, ap;
	struct vt_vm v = { .vm = -1, .vcpu = -1 };
	struct vireo_ioeventfd ioev;
	struct vireo_irqfd irqfd;
	struct vireo_msi msi;
	int notify_efd = -1, irq_efd = -1, r;
	bool notify_exited = false;
	pthread_t th;
	bool ap_started = false;
	uint64_t one = 1;
	struct pollfd p;

	v.vm = (int)vt_ioctl(sys, VIREO_CREATE_VM, 0);
	if (v.vm < 0) {
		vt_report(&tally, "enable", "CREATE_VM: %s", strerror(-v.vm));
		return;
	}
	r = (int)vt_ioctl(v.vm, VIREO_ENABLE_LAPIC, 0);
	if (r < 0) {
		vt_report(&tally, "enable", "VIREO_ENABLE_LAPIC: %s", strerror(-r));
		goto out;
	}
	v.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	v.mem_size = MEM_SIZE;
	{
		struct vireo_memory_region mr = {
			.size = MEM_SIZE, .userspace_addr = (uintptr_t)v.mem,
		};

		r = (int)vt_ioctl(v.vm, VIREO_SET_MEMORY_REGION, (uintptr_t)&mr);
	}
	if (r < 0 || vcpu_open(v.vm, 0, &bsp) < 0 || vcpu_open(v.vm, 1, &ap) < 0) {
		vt_report(&tally, "enable", "memory or vCPUs: %s", strerror(-r));
		goto out;
	}
	r = (int)vt_ioctl(v.vm, VIREO_ENABLE_LAPIC, 0);
	vt_report(&tally, "enable", r == -EBUSY ? NULL : "ENABLE_LAPIC after vCPUs gave %d, want -EBUSY", r);

	v.vcpu = bsp.fd;
	r = vt_load_file(&v, image, IMAGE_GPA);
	if (r < 0) {
		vt_report(&tally, "guest", "cannot load %s: %s", image, strerror(-r));
		goto out;
	}
	memcpy((char *)v.mem + AP_GPA, (char *)v.mem + IMAGE_GPA + AP_OFFSET, AP_SIZE);
	r = vt_mode_protected(&v, IMAGE_GPA);
	v.vcpu = -1;	/* closed with bsp below */
	if (r < 0) {
		vt_report(&tally, "guest", "protected mode: %s", strerror(-r));
		goto out;
	}

	ap_started = !pthread_create(&th, NULL, ap_thread, &ap);

	r = run_until(&bsp, 'T', &notify_exited);
	vt_report(&tally, "timer-oneshot", r ? "no timer interrupt: %s (seen \"%s\", exit %u)" : NULL,
	       strerror(-r), bsp.seen, bsp.unexpected_exit);
	if (r)
		goto out;

	r = run_until(&bsp, 'R', &notify_exited);
	msi = (struct vireo_msi){ .address = MSI_ADDR, .data = 0x41 };
	if (!r)
		r = (int)vt_ioctl(v.vm, VIREO_SIGNAL_MSI, (uintptr_t)&msi);
	if (r == 1)
		r = run_until(&bsp, 'M', &notify_exited);
	else if (r >= 0)
		r = -ENODEV;
	vt_report(&tally, "msi", r ? "MSI not delivered: %s (seen \"%s\")" : NULL, strerror(-r), bsp.seen);
	if (r)
		goto out;

	notify_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ioev = (struct vireo_ioeventfd){
		.addr = PORT_NOTIFY, .len = 1, .fd = notify_efd, .flags = VIREO_IOEVENTFD_PIO,
	};
	irqfd = (struct vireo_irqfd){ .fd = irq_efd, .msi_address = MSI_ADDR, .msi_data = 0x42 };
	r = (int)vt_ioctl(v.vm, VIREO_IOEVENTFD, (uintptr_t)&ioev);
	if (!r)
		r = (int)vt_ioctl(v.vm, VIREO_IRQFD, (uintptr_t)&irqfd);
	if (r) {
		vt_report(&tally, "ioeventfd", "registering the eventfds: %s", strerror(-r));
		goto out;
	}
	r = run_until(&bsp, 'I', &notify_exited);
	p = (struct pollfd){ .fd = notify_efd, .events = POLLIN };
	if (!r && (notify_exited || poll(&p, 1, 0) != 1))
		r = -EPROTO;
	vt_report(&tally, "ioeventfd", r ? "OUT 0x500: exited=%d eventfd readable=%d (%s)" : NULL,
	       notify_exited, poll(&p, 1, 0) == 1, strerror(-r));

	if (write(irq_efd, &one, sizeof(one)) != sizeof(one))
		r = -errno;
	else
		r = run_until(&bsp, 'F', &notify_exited);
	vt_report(&tally, "irqfd", r ? "irqfd interrupt not seen: %s (seen \"%s\")" : NULL, strerror(-r),
	       bsp.seen);

	r = run_until(&bsp, 'd', &notify_exited);
	vt_report(&tally, "timer-tsc-deadline", r ? "no TSC-deadline interrupt: %s (seen \"%s\")" : NULL,
	       strerror(-r), bsp.seen);

	r = run_until(&bsp, 'D', &notify_exited);
	if (r) {
		vt_report(&tally, "init-sipi", "BSP did not finish: %s (seen \"%s\")", strerror(-r), bsp.seen);
		goto out;
	}
	if (ap_started) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += RUN_TIMEOUT_S;
		if (pthread_timedjoin_np(th, NULL, &ts) == 0) {
			ap_started = false;
			vt_report(&tally, "init-sipi", !strcmp(ap.seen, "AL") ? NULL :
			       "the AP did not reach long mode (seen \"%s\", want \"AL\"; exit %u)",
			       ap.seen, ap.unexpected_exit);
		} else {
			vt_report(&tally, "init-sipi", "the AP did not report within %d s", RUN_TIMEOUT_S);
		}
	} else {
		vt_report(&tally, "init-sipi", "cannot start the AP thread");
	}
out:
	if (ap_started) {
		pthread_kill(th, SIGUSR1);
		pthread_join(th, NULL);
	}
	if (notify_efd >= 0)
		close(notify_efd);
	if (irq_efd >= 0)
		close(irq_efd);
	vt_vm_destroy(&v);
}

static void test_supported_cpuid(int sys)
{
	struct vireo_cpuid_entry e[128];
	struct vireo_cpuid c = { .nent = 0, .entries = (uintptr_t)e };
	const struct vireo_cpuid_entry *l1 = NULL, *l81 = NULL, *hv = NULL;
	long r = vt_ioctl(sys, VIREO_GET_SUPPORTED_CPUID, (uintptr_t)&c);
	unsigned int i, n;

	if (r != -E2BIG || c.nent == 0 || c.nent > 128) {
		vt_report(&tally, "supported-cpuid", "nent=0 gave %ld, nent=%u (want -E2BIG and the size)", r,
		       c.nent);
		return;
	}
	r = vt_ioctl(sys, VIREO_GET_SUPPORTED_CPUID, (uintptr_t)&c);
	if (r <= 0) {
		vt_report(&tally, "supported-cpuid", "second call gave %ld", r);
		return;
	}
	n = (unsigned int)r;
	for (i = 0; i < n; i++) {
		if (e[i].function == 1)
			l1 = &e[i];
		else if (e[i].function == 0x80000001)
			l81 = &e[i];
		else if (e[i].function == 0x40000000)
			hv = &e[i];
	}
	if (!l1 || !(l1->ecx & (1U << 31)) || (l1->ecx & (1U << 5)) || (l1->ecx & (1U << 3)))
		vt_report(&tally, "supported-cpuid", "leaf 1 ECX %#x: want hypervisor set, VMX/MONITOR clear",
		       l1 ? l1->ecx : 0);
	else if (l81 && (l81->ecx & (1U << 2)))
		vt_report(&tally, "supported-cpuid", "leaf 0x80000001 ECX %#x still offers SVM", l81->ecx);
	else if (!hv || memcmp(&hv->ebx, "Vire", 4) || memcmp(&hv->ecx, "oVir", 4) ||
		 memcmp(&hv->edx, "eoVi", 4))
		vt_report(&tally, "supported-cpuid", "no \"VireoVireoVi\" signature at 0x40000000");
	else
		vt_report(&tally, "supported-cpuid", NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	const char *guests = getenv("VIREO_GUESTS");
	char image[4096];
	int sys, opt;

	while ((opt = getopt(argc, argv, "g:")) != -1) {
		if (opt == 'g')
			guests = optarg;
		else
			return 2;
	}
	snprintf(image, sizeof(image), "%s/lapic.bin", guests ? guests : "/vireo/guests");
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	sys = vt_open_dev();
	if (sys < 0) {
		vt_report(&tally, "open", "%s: %s", VIREO_DEVICE_PATH, strerror(-sys));
		return 1;
	}
	test_supported_cpuid(sys);
	test_xapic_access(sys);
	test_self_ipi(sys);
	test_guest(sys, image);
	printf("lapic: %d passed, %d failed\n", tally.passed, tally.failed);
	return tally.failed ? 1 : 0;
}
