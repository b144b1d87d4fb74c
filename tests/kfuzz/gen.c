// SPDX-License-Identifier: GPL-2.0
/*
 * kfuzz generator: the call table.  One entry per ioctl of vireo.h (on
 * the fd kind it belongs to) and per action a VMM or a hostile process
 * can take (mmap/munmap/mprotect of guest memory, close, dup, fork,
 * eventfds, runner threads, guest code writes).  Each entry draws its
 * arguments from the program's PRNG: mostly well-formed from the
 * program's state (a slot over memory it mapped, a vCPU id not taken),
 * then mutated with boundary values, or aimed at the wrong fd, or given a
 * bad pointer (NULL, unmapped, kernel, non-canonical, read-only, straddling
 * the end of a mapping, unaligned).
 *
 * Known kernel bugs (FINDINGS.md) are avoided unless opts->known allows
 * them; each avoidance says which finding it is for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kfuzz.h"

#define PAGE		4096ULL
#define ARGBUF		8192

/* ------------------------------------------------------------ objects */

int kf_obj_add(struct kf_prog *p, int fd, enum kf_kind kind)
{
	struct kf_obj *o;

	if (p->nobjs == KF_MAX_OBJS) {
		close(fd);
		return -1;
	}
	o = &p->objs[p->nobjs];
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->kind = kind;
	o->open = true;
	o->vm = -1;
	o->code_mem = -1;
	return p->nobjs++;
}

/* An object of kind (open ones only, or also closed), or -1. */
int kf_obj_pick(struct kf_prog *p, struct kf_rng *r, enum kf_kind kind, bool open_only)
{
	int cand[KF_MAX_OBJS], n = 0, i;

	for (i = 0; i < p->nobjs; i++)
		if (p->objs[i].kind == kind && (p->objs[i].open || !open_only))
			cand[n++] = i;
	return n ? cand[kf_below(r, n)] : -1;
}

static const char *kind_name(enum kf_kind k)
{
	static const char *const n[] = { "sys", "vm", "vcpu", "eventfd" };

	return k < KF_NR_KINDS ? n[k] : "?";
}

/*
 * The fd a call of kind goes to: mostly an open object of that kind,
 * sometimes a closed one (a stale number, maybe reused), another kind's,
 * or a number that is no fd at all.  *obj is the object or -1.
 */
static int pick_fd(struct kf_prog *p, struct kf_rng *r, enum kf_kind kind, int *obj, char *what,
		   size_t n)
{
	static const int junk[] = { -1, 0, 1, 2, 1000, 0x7fffffff, -100 };
	unsigned int x = kf_below(r, 100);
	int o = -1;

	if (x < 88)
		o = kf_obj_pick(p, r, kind, true);
	else if (x < 92)
		o = kf_obj_pick(p, r, kind, false);
	else if (x < 97 && p->nobjs)
		o = kf_below(r, p->nobjs);
	*obj = o;
	if (o >= 0) {
		snprintf(what, n, "%s#%d(fd %d%s)", kind_name(p->objs[o].kind), o, p->objs[o].fd,
			 p->objs[o].open ? "" : ", closed");
		return p->objs[o].fd;
	}
	o = junk[kf_below(r, sizeof(junk) / sizeof(junk[0]))];
	snprintf(what, n, "fd %d", o);
	return o;
}

/* ------------------------------------------------------------ pointers */

/*
 * Where an argument of size bytes (taken from s) is put: buf (or buf + 1,
 * unaligned) most of the time, else a bad address.  *out is set to the
 * memory to read results from, or NULL.
 */
static unsigned long argp(struct kf_prog *p, struct kf_rng *r, const void *s, size_t size,
			  uint8_t *buf, uint8_t **out, char *what, size_t n)
{
	static const unsigned long bad[] = {
		0, 0x10, 0xffffffff81000000UL, 0xffff888000000000UL, 0x0000800000000000UL,
		0xfffffffffffff000UL, 0x00007ffffffff000UL,
	};
	unsigned int x = kf_below(r, 100);

	*out = NULL;
	if (x < 84 || size == 0) {
		memcpy(buf, s, size);
		*out = buf;
		snprintf(what, n, "&buf");
		return (unsigned long)buf;
	}
	if (x < 88) {
		memcpy(buf + 1, s, size);
		*out = buf + 1;
		snprintf(what, n, "&buf+1");
		return (unsigned long)(buf + 1);
	}
	if (x < 91) {
		/* the struct runs off the end of the mapping into the hole */
		size_t keep = kf_below(r, size);
		uint8_t *a = p->edge + PAGE - keep;

		memcpy(a, s, keep);
		snprintf(what, n, "edge-%zu", keep);
		return (unsigned long)a;
	}
	if (x < 94) {
		memcpy(buf, s, size);	/* not used: the ioctl sees a read-only page */
		snprintf(what, n, "ro-page");
		return (unsigned long)p->ro_page;
	}
	if (x < 96) {
		snprintf(what, n, "hole");
		return (unsigned long)p->hole;
	}
	x = kf_below(r, sizeof(bad) / sizeof(bad[0]));
	snprintf(what, n, "%#lx", bad[x]);
	return bad[x];
}

static uint8_t argbuf[ARGBUF] __attribute__((aligned(64)));
static uint8_t entbuf[ARGBUF + 64] __attribute__((aligned(64)));

/* A user pointer field (entries, userspace_addr): good or bad. */
static uint64_t ptr_field(struct kf_prog *p, struct kf_rng *r, void *good)
{
	switch (kf_below(r, 14)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)p->hole;
	case 2:
		return 0xffff888000000000ULL;
	case 3:
		return (uintptr_t)p->ro_page;
	case 4:
		return kf_boundary(r);
	default:
		return (uintptr_t)good;
	}
}

/* The known problems allowed: --known, plus QEMU's on the VMX leg (Bochs). */
static unsigned int known(struct kf_prog *p)
{
	unsigned int k = p->o->known;

	if (p->have_caps && p->caps.backend == VIREO_BACKEND_VMX)
		k |= KF_KNOWN_QEMU;
	return k;
}

static long ret_or_errno(long r)
{
	return r < 0 ? -errno : r;
}

/* ------------------------------------------------------------ /dev/vireo */

static long call_open(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int flags = kf_pct(r, 80) ? O_RDWR : (kf_pct(r, 50) ? O_RDONLY : O_WRONLY);
	int fd = open(p->o->dev, flags | (kf_pct(r, 50) ? O_CLOEXEC : 0));

	if (fd < 0) {
		snprintf(d, n, "open(%s, %#x) = -%d", p->o->dev, flags, errno);
		return -errno;
	}
	snprintf(d, n, "open(%s, %#x) = sys#%d (fd %d)", p->o->dev, flags, p->nobjs, fd);
	kf_obj_add(p, fd, KF_SYS);
	return fd;
}

static long call_api_version(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	char what[64];
	int obj, fd = pick_fd(p, r, KF_SYS, &obj, what, sizeof(what));
	unsigned long arg = kf_pct(r, 80) ? 0 : kf_boundary(r);
	long ret = kf_ioctl(p, 0, "VIREO_GET_API_VERSION", fd, VIREO_GET_API_VERSION, arg);

	snprintf(d, n, "VIREO_GET_API_VERSION(%s, %#lx) = %ld", what, arg, ret);
	return ret;
}

static long call_get_caps(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_caps caps;
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_SYS, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	memset(&caps, 0, sizeof(caps));
	a = argp(p, r, &caps, sizeof(caps), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_GET_CAPS", fd, VIREO_GET_CAPS, a);
	if (ret == 0 && out && !p->have_caps) {
		memcpy(&p->caps, out, sizeof(p->caps));
		p->have_caps = true;
	}
	snprintf(d, n, "VIREO_GET_CAPS(%s, %s) = %ld", what, pw, ret);
	return ret;
}

static long call_supported_cpuid(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_cpuid c = { 0 };
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_SYS, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	c.nent = kf_pct(r, 70) ? kf_below(r, VIREO_MAX_CPUID_ENTRIES + 2) : kf_boundary(r);
	c.reserved = kf_pct(r, 5) ? kf_rand(r) : 0;
	c.entries = ptr_field(p, r, entbuf);
	/* entbuf holds ARGBUF bytes: more entries than that would be ours to overrun */
	if (c.entries == (uintptr_t)entbuf && (uint64_t)c.nent * 32 > ARGBUF)
		c.entries = (uintptr_t)p->hole;
	a = argp(p, r, &c, sizeof(c), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_GET_SUPPORTED_CPUID", fd, VIREO_GET_SUPPORTED_CPUID, a);
	snprintf(d, n, "VIREO_GET_SUPPORTED_CPUID(%s, %s {nent %u rsv %u entries %#llx}) = %ld",
		 what, pw, c.nent, c.reserved, (unsigned long long)c.entries, ret);
	return ret;
}

static long call_create_vm(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	char what[64];
	int obj, fd = pick_fd(p, r, KF_SYS, &obj, what, sizeof(what));
	unsigned long arg = kf_pct(r, 90) ? 0 : kf_boundary(r);
	long ret = kf_ioctl(p, 0, "VIREO_CREATE_VM", fd, VIREO_CREATE_VM, arg);

	if (ret >= 0) {
		int o = kf_obj_add(p, ret, KF_VM);

		snprintf(d, n, "VIREO_CREATE_VM(%s, %#lx) = vm#%d (fd %ld)", what, arg, o, ret);
	} else {
		snprintf(d, n, "VIREO_CREATE_VM(%s, %#lx) = %ld", what, arg, ret);
	}
	return ret;
}

/* ------------------------------------------------------------ memory */

static long call_mem_map(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	static const size_t sizes[] = { 0x10000, 0x20000, 0x40000, 0x100000, 0x200000, 0x1000,
					0x3000, 0x400000 };
	size_t size = sizes[kf_below(r, 8)];
	bool ro = kf_pct(r, 10), memfd = kf_pct(r, 20);
	struct kf_mem *m;
	void *a;
	int fd = -1;

	if (p->nmems == KF_MAX_MEMS) {
		snprintf(d, n, "mmap: skipped (%d mappings)", KF_MAX_MEMS);
		return -EAGAIN;
	}
	if (memfd) {
		fd = memfd_create("kfuzz", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, size) < 0) {
			if (fd >= 0)
				close(fd);
			memfd = false;
			fd = -1;
		}
	}
	a = mmap(NULL, size, ro ? PROT_READ : PROT_READ | PROT_WRITE,
		 memfd ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, fd, 0);
	if (fd >= 0)
		close(fd);
	if (a == MAP_FAILED) {
		snprintf(d, n, "mmap(%#zx) = -%d", size, errno);
		return -errno;
	}
	m = &p->mems[p->nmems];
	m->addr = a;
	m->size = size;
	m->mapped = true;
	m->readonly = ro;
	snprintf(d, n, "mmap(%#zx, %s%s) = mem#%d %p", size, ro ? "ro" : "rw",
		 memfd ? ", memfd" : "", p->nmems, a);
	return p->nmems++;
}

/*
 * A placeholder where memory was unmapped: the address must not come back
 * as a thread stack or malloc arena of ours, which a slot still naming it
 * would then hand to the guest (new faults pin whatever is mapped there).
 */
static void placeholder(void *addr, size_t len)
{
	mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
	     -1, 0);
}

static long call_mem_unmap(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int i = p->nmems ? (int)kf_below(r, p->nmems) : -1;
	struct kf_mem *m;
	size_t off = 0, len;

	if (i < 0 || !p->mems[i].mapped) {
		snprintf(d, n, "munmap: none");
		return -ENOENT;
	}
	m = &p->mems[i];
	len = m->size;
	if (kf_pct(r, 30) && m->size > PAGE) {
		/* a hole in the middle: the slot's pages there go away */
		off = kf_below(r, m->size / PAGE) * PAGE;
		len = PAGE;
		munmap(m->addr + off, len);
		placeholder(m->addr + off, len);
		m->readonly = true;	/* no longer wholly writable: keep off it */
		snprintf(d, n, "munmap(mem#%d + %#zx, %#zx)", i, off, len);
		return 0;
	}
	munmap(m->addr, len);
	m->mapped = false;
	if (kf_pct(r, 30)) {
		/* fresh memory at the same address: the slot now names it */
		void *a = mmap(m->addr, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (a == m->addr)
			m->mapped = true;
		snprintf(d, n, "munmap(mem#%d), mmap again at %p: %s", i, m->addr,
			 m->mapped ? "ok" : "failed");
		return 0;
	}
	placeholder(m->addr, len);
	snprintf(d, n, "munmap(mem#%d %p, %#zx)", i, m->addr, len);
	return 0;
}

static long call_mem_protect(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int i = p->nmems ? (int)kf_below(r, p->nmems) : -1;
	int prot = kf_pct(r, 50) ? PROT_READ : PROT_NONE;
	long ret;

	if (i < 0 || !p->mems[i].mapped) {
		snprintf(d, n, "mprotect: none");
		return -ENOENT;
	}
	ret = ret_or_errno(mprotect(p->mems[i].addr, p->mems[i].size, prot));
	if (ret == 0)
		p->mems[i].readonly = true;
	snprintf(d, n, "mprotect(mem#%d, %s) = %ld", i, prot ? "ro" : "none", ret);
	return ret;
}

static bool slot_used(struct kf_prog *p, int vm, uint32_t slot)
{
	int i;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].live && p->slots[i].vm == vm && p->slots[i].slot == slot)
			return true;
	return false;
}

static uint64_t phys_limit(struct kf_prog *p)
{
	unsigned int bits = p->have_caps && p->caps.guest_phys_bits ? p->caps.guest_phys_bits : 40;

	return bits >= 64 ? ~0ULL : 1ULL << bits;
}

/*
 * Accepted slots of more than 16 GiB are kept out: their page arrays (8
 * bytes a page, 32 MiB and up, allocated at once) would take the L1's
 * memory away with a few slots.  Bigger sizes the kernel refuses (beyond
 * VIREO_MAX_SLOT_SIZE or the guest physical width) still go in.  The
 * 1 TiB slot that WARNed in kvmalloc (FINDINGS.md F2) is refused since
 * kmod a960089.
 */
/*
 * The end of user space as access_ok() sees it: 2^56 - 4 KiB with 5-level
 * paging (QEMU's -cpu max has LA57), 2^47 - 4 KiB without.  The larger,
 * so that a slot that may be accepted is taken as accepted.
 */
#define USER_TOP	((1ULL << 56) - PAGE)

static bool slot_too_big(struct kf_prog *p, const struct vireo_memory_region *mr)
{
	uint64_t limit = phys_limit(p);
	bool accepted = mr->slot < VIREO_MAX_MEM_SLOTS && !(mr->flags & ~VIREO_MEM_READONLY) &&
			mr->size && !(mr->size & (PAGE - 1)) && !(mr->guest_phys_addr & (PAGE - 1)) &&
			!(mr->userspace_addr & (PAGE - 1)) && mr->guest_phys_addr < limit &&
			mr->size <= limit - mr->guest_phys_addr &&
			mr->userspace_addr + mr->size >= mr->userspace_addr &&
			mr->userspace_addr + mr->size <= USER_TOP;

	return accepted && mr->size > (16ULL << 30) && mr->size <= VIREO_MAX_SLOT_SIZE;
}

static long call_set_region(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_memory_region mr = { 0 };
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	int mi = p->nmems ? (int)kf_below(r, p->nmems) : -1;
	unsigned long a;
	long ret;
	int k;

	/* well-formed from state */
	do {
		mr.slot = kf_below(r, 8);
	} while (obj >= 0 && slot_used(p, obj, mr.slot) && kf_pct(r, 80));
	if (mi >= 0) {
		struct kf_mem *m = &p->mems[mi];

		mr.size = m->size;
		mr.userspace_addr = (uintptr_t)m->addr;
		if (kf_pct(r, 20) && m->size > PAGE) {
			uint64_t off = kf_below(r, m->size / PAGE) * PAGE;

			mr.userspace_addr += off;
			mr.size = (1 + kf_below(r, (m->size - off) / PAGE)) * PAGE;
		}
	} else {
		mr.size = 0x10000;
		mr.userspace_addr = (uintptr_t)p->hole;
	}
	mr.guest_phys_addr = kf_pct(r, 40) ? 0 : kf_below(r, 0x4000) * 0x10000;
	if (kf_pct(r, 10))
		mr.flags = VIREO_MEM_READONLY;

	/* then ill-formed */
	for (k = kf_below(r, 4) == 0 ? 1 + kf_below(r, 2) : 0; k > 0; k--) {
		switch (kf_below(r, 9)) {
		case 0:
			mr.slot = kf_pct(r, 50) ? VIREO_MAX_MEM_SLOTS - 1 + kf_below(r, 3) : kf_boundary(r);
			break;
		case 1:
			mr.flags = kf_boundary(r);
			break;
		case 2:
			mr.guest_phys_addr = kf_boundary(r);
			break;
		case 3:
			mr.size = kf_boundary(r);
			break;
		case 4:
			mr.userspace_addr = ptr_field(p, r, (void *)(uintptr_t)mr.userspace_addr);
			break;
		case 5:
			mr.guest_phys_addr = phys_limit(p) - mr.size + PAGE * (kf_below(r, 3) - 1);
			break;
		case 6:
			mr.userspace_addr += 1 + kf_below(r, PAGE - 1);
			break;
		case 7:
			mr.size = PAGE * kf_below(r, 3);
			break;
		default:
			mr.size = (1ULL << (30 + kf_below(r, 12))) - (kf_pct(r, 50) ? 0 : PAGE);
			break;
		}
	}
	if (slot_too_big(p, &mr))
		mr.size = phys_limit(p) + PAGE;	/* rejected instead */

	a = argp(p, r, &mr, sizeof(mr), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_SET_MEMORY_REGION", fd, VIREO_SET_MEMORY_REGION, a);
	snprintf(d, n, "VIREO_SET_MEMORY_REGION(%s, %s {slot %u flags %#x gpa %#llx size %#llx uaddr %#llx%s%d}) = %ld",
		 what, pw, mr.slot, mr.flags, (unsigned long long)mr.guest_phys_addr,
		 (unsigned long long)mr.size, (unsigned long long)mr.userspace_addr,
		 mi >= 0 ? " mem#" : " no mem ", mi, ret);
	if (ret == 0 && out == argbuf && obj >= 0 && p->nslots < KF_MAX_SLOTS) {
		p->slots[p->nslots++] = (struct kf_slot){
			.vm = obj, .slot = mr.slot, .gpa = mr.guest_phys_addr, .size = mr.size,
			.live = true,
		};
		if (mr.guest_phys_addr == 0 && mi >= 0 && mr.userspace_addr == (uintptr_t)p->mems[mi].addr &&
		    mr.size >= KF_CODE_MIN && p->objs[obj].kind == KF_VM)
			p->objs[obj].code_mem = mi;
	}
	return ret;
}

static long call_delete_region(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	uint32_t slot = kf_below(r, 8);
	unsigned long a;
	long ret;
	int i;

	if (kf_pct(r, 60)) {
		for (i = 0; i < p->nslots; i++)
			if (p->slots[i].live && p->slots[i].vm == obj && kf_pct(r, 50))
				slot = p->slots[i].slot;
	}
	if (kf_pct(r, 10))
		slot = kf_boundary(r);
	a = argp(p, r, &slot, sizeof(slot), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_DELETE_MEMORY_REGION", fd, VIREO_DELETE_MEMORY_REGION, a);
	snprintf(d, n, "VIREO_DELETE_MEMORY_REGION(%s, %s {%u}) = %ld", what, pw, slot, ret);
	if (ret == 0) {
		for (i = 0; i < p->nslots; i++)
			if (p->slots[i].live && p->slots[i].vm == obj && p->slots[i].slot == slot)
				p->slots[i].live = false;
	}
	return ret;
}

/* ------------------------------------------------------------ VM */

static long map_run(struct kf_prog *p, struct kf_rng *r, int o, char *d, size_t n)
{
	size_t len = VIREO_RUN_PAGE_SIZE;
	off_t off = 0;
	int prot = PROT_READ | PROT_WRITE, flags;
	void *a;

	if (kf_pct(r, 15)) {
		switch (kf_below(r, 4)) {
		case 0:
			len = 2 * PAGE;
			break;
		case 1:
			off = PAGE;
			break;
		case 2:
			prot |= PROT_EXEC;
			break;
		default:
			len = 1;
			break;
		}
	}
	flags = kf_pct(r, 95) ? MAP_SHARED : MAP_PRIVATE;
	a = mmap(NULL, len, prot, flags, p->objs[o].fd, off);
	if (a == MAP_FAILED) {
		snprintf(d, n, "mmap(vcpu#%d, len %#zx, off %#lx, prot %#x) = -%d", o, len,
			 (long)off, prot, errno);
		return -errno;
	}
	/*
	 * Only a shared mapping shows the kernel's exits: a private one
	 * becomes our own copy at our first write to it.
	 */
	if (len == VIREO_RUN_PAGE_SIZE && off == 0 && flags == MAP_SHARED && !p->objs[o].run)
		p->objs[o].run = a;
	snprintf(d, n, "mmap(vcpu#%d, len %#zx, off %#lx, prot %#x, %s) = %p", o, len, (long)off, prot,
		 flags == MAP_SHARED ? "shared" : "private", a);
	return 0;
}

static long call_create_vcpu(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	char what[64];
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	unsigned long id = kf_pct(r, 85) ? kf_below(r, 4) :
			   (kf_pct(r, 50) ? VIREO_MAX_VCPUS - 1 + kf_below(r, 3) : kf_boundary(r));
	long ret = kf_ioctl(p, 0, "VIREO_CREATE_VCPU", fd, VIREO_CREATE_VCPU, id);

	if (ret >= 0) {
		int o = kf_obj_add(p, ret, KF_VCPU);
		char md[160] = "";

		if (o >= 0) {
			p->objs[o].vm = obj >= 0 && p->objs[obj].kind == KF_VM ? obj : -1;
			p->objs[o].vcpu_id = id;
			if (kf_pct(r, 85))
				map_run(p, r, o, md, sizeof(md));
		}
		snprintf(d, n, "VIREO_CREATE_VCPU(%s, %#lx) = vcpu#%d (fd %ld) %s", what, id, o, ret, md);
	} else {
		snprintf(d, n, "VIREO_CREATE_VCPU(%s, %#lx) = %ld", what, id, ret);
	}
	return ret;
}

static long call_mmap_run(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int o = kf_obj_pick(p, r, kf_pct(r, 90) ? KF_VCPU : KF_VM, true);

	if (o < 0) {
		snprintf(d, n, "mmap run page: no vCPU");
		return -ENOENT;
	}
	return map_run(p, r, o, d, n);
}

static long call_enable_lapic(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	char what[64];
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	unsigned long arg = kf_pct(r, 90) ? 0 : kf_boundary(r);
	long ret = kf_ioctl(p, 0, "VIREO_ENABLE_LAPIC", fd, VIREO_ENABLE_LAPIC, arg);

	if (ret == 0 && obj >= 0)
		p->objs[obj].lapic = true;
	snprintf(d, n, "VIREO_ENABLE_LAPIC(%s, %#lx) = %ld", what, arg, ret);
	return ret;
}

static uint64_t msi_address(struct kf_rng *r)
{
	if (kf_pct(r, 75))
		return 0xfee00000ULL | kf_below(r, 4) << 12 | kf_below(r, 2) << 3 | kf_below(r, 2) << 2;
	return kf_boundary(r);
}

static uint32_t msi_data(struct kf_rng *r)
{
	if (kf_pct(r, 75))
		return kf_below(r, 256) | kf_below(r, 8) << 8 | kf_below(r, 2) << 14 |
		       kf_below(r, 2) << 15;
	return kf_rand(r);
}

static long call_signal_msi(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_msi msi = { .address = msi_address(r), .data = msi_data(r) };
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (kf_pct(r, 5))
		msi.reserved = kf_rand(r);
	a = argp(p, r, &msi, sizeof(msi), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_SIGNAL_MSI", fd, VIREO_SIGNAL_MSI, a);
	snprintf(d, n, "VIREO_SIGNAL_MSI(%s, %s {addr %#llx data %#x rsv %u}) = %ld", what, pw,
		 (unsigned long long)msi.address, msi.data, msi.reserved, ret);
	return ret;
}

static int pick_eventfd(struct kf_prog *p, struct kf_rng *r)
{
	int o = kf_obj_pick(p, r, KF_EVENTFD, false);

	if (o >= 0 && kf_pct(r, 90))
		return p->objs[o].fd;
	if (kf_pct(r, 50) && p->nobjs)
		return p->objs[kf_below(r, p->nobjs)].fd;	/* not an eventfd */
	return kf_pct(r, 50) ? -1 : (int)kf_below(r, 64);
}

static long call_irqfd(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_irqfd f = {
		.fd = pick_eventfd(p, r),
		.flags = kf_pct(r, 30) ? VIREO_IRQFD_DEASSIGN : 0,
		.msi_address = msi_address(r),
		.msi_data = msi_data(r),
	};
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (kf_pct(r, 5))
		f.flags = kf_rand(r);
	if (kf_pct(r, 5))
		f.reserved = kf_rand(r);
	a = argp(p, r, &f, sizeof(f), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_IRQFD", fd, VIREO_IRQFD, a);
	snprintf(d, n, "VIREO_IRQFD(%s, %s {fd %d flags %#x addr %#llx data %#x rsv %u}) = %ld",
		 what, pw, f.fd, f.flags, (unsigned long long)f.msi_address, f.msi_data,
		 f.reserved, ret);
	return ret;
}

static long call_ioeventfd(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	static const uint32_t lens[] = { 1, 2, 4, 4, 0, 3, 8 };
	struct vireo_ioeventfd f = {
		.addr = kf_pct(r, 70) ? kf_below(r, 4) ? 0x3f8 + kf_below(r, 8) : 0x80 : kf_boundary(r),
		.len = lens[kf_below(r, 7)],
		.fd = pick_eventfd(p, r),
		.datamatch = kf_pct(r, 70) ? kf_below(r, 256) : kf_boundary(r),
		.flags = VIREO_IOEVENTFD_PIO | (kf_pct(r, 40) ? VIREO_IOEVENTFD_DATAMATCH : 0) |
			 (kf_pct(r, 25) ? VIREO_IOEVENTFD_DEASSIGN : 0),
	};
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VM, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (kf_pct(r, 8))
		f.flags = kf_rand(r) & 0xff;
	if (kf_pct(r, 5))
		f.reserved = kf_rand(r);
	a = argp(p, r, &f, sizeof(f), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_IOEVENTFD", fd, VIREO_IOEVENTFD, a);
	snprintf(d, n, "VIREO_IOEVENTFD(%s, %s {addr %#llx len %u fd %d match %#llx flags %#x rsv %u}) = %ld",
		 what, pw, (unsigned long long)f.addr, f.len, f.fd, (unsigned long long)f.datamatch,
		 f.flags, f.reserved, ret);
	return ret;
}

static long call_eventfd(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int o = kf_obj_pick(p, r, KF_EVENTFD, true);
	uint64_t v = kf_pct(r, 90) ? 1 : kf_boundary(r);
	long ret;

	if (o < 0 || kf_pct(r, 20)) {
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd < 0) {
			snprintf(d, n, "eventfd() = -%d", errno);
			return -errno;
		}
		o = kf_obj_add(p, fd, KF_EVENTFD);
		snprintf(d, n, "eventfd() = eventfd#%d (fd %d)", o, fd);
		return fd;
	}
	ret = ret_or_errno(write(p->objs[o].fd, &v, sizeof(v)));
	snprintf(d, n, "write(eventfd#%d, %#llx) = %ld", o, (unsigned long long)v, ret);
	return ret;
}

/* ------------------------------------------------------------ vCPU */

static void fill_regs(struct kf_rng *r, struct vireo_regs *regs)
{
	uint64_t *v = (uint64_t *)regs;
	size_t i;

	for (i = 0; i < sizeof(*regs) / 8; i++)
		v[i] = kf_pct(r, 50) ? kf_below(r, 0x10000) : kf_boundary(r);
}

static long call_get_regs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_regs regs = { 0 };
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a = argp(p, r, &regs, sizeof(regs), argbuf, &out, pw, sizeof(pw));
	long ret = kf_ioctl(p, 0, "VIREO_GET_REGS", fd, VIREO_GET_REGS, a);

	snprintf(d, n, "VIREO_GET_REGS(%s, %s) = %ld", what, pw, ret);
	return ret;
}

static long call_set_regs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_regs regs;
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (kf_pct(r, 60)) {
		kf_guest_regs(r, obj >= 0 ? p->objs[obj].mode : KF_MODE_REAL, &regs);
		if (obj >= 0 && p->objs[obj].vm >= 0 && p->objs[p->objs[obj].vm].nsnips)
			regs.rip = p->objs[p->objs[obj].vm].snips[kf_below(r, p->objs[p->objs[obj].vm].nsnips)];
		if (kf_pct(r, 20))
			regs.rflags = kf_boundary(r);
	} else {
		fill_regs(r, &regs);
	}
	/* RFLAGS.VM: FINDINGS.md, virtual-8086 mode aborts QEMU's L1 */
	if (!(known(p) & KF_KNOWN_VM86))
		regs.rflags &= ~0x20000ULL;
	a = argp(p, r, &regs, sizeof(regs), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_SET_REGS", fd, VIREO_SET_REGS, a);
	snprintf(d, n, "VIREO_SET_REGS(%s, %s {rip %#llx rsp %#llx rflags %#llx rax %#llx rcx %#llx}) = %ld",
		 what, pw, (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		 (unsigned long long)regs.rflags, (unsigned long long)regs.rax,
		 (unsigned long long)regs.rcx, ret);
	return ret;
}

static long call_get_sregs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_sregs sr = { 0 };
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a = argp(p, r, &sr, sizeof(sr), argbuf, &out, pw, sizeof(pw));
	long ret = kf_ioctl(p, 0, "VIREO_GET_SREGS", fd, VIREO_GET_SREGS, a);

	snprintf(d, n, "VIREO_GET_SREGS(%s, %s) = %ld", what, pw, ret);
	return ret;
}

static void mutate_segment(struct kf_rng *r, struct vireo_segment *s)
{
	switch (kf_below(r, 8)) {
	case 0:
		s->type = kf_rand(r);
		break;
	case 1:
		s->present = kf_pct(r, 50) ? 0 : kf_rand(r);
		break;
	case 2:
		s->base = kf_boundary(r);
		break;
	case 3:
		s->limit = kf_boundary(r);
		break;
	case 4:
		s->dpl = kf_rand(r);
		break;
	case 5:
		s->l = 1, s->db = 1;
		break;
	case 6:
		s->unusable = kf_rand(r);
		break;
	default:
		s->selector = kf_rand(r);
		break;
	}
}

/*
 * Register state: a well-formed mode (kf_guest_sregs), the current state
 * read back, or garbage, then a few fields mutated.  EFER.LME with CR4.PAE
 * and CR0.PG clear hung the QEMU L1 (FINDINGS.md F1) until kmod 806c9d5:
 * no longer kept out.
 */
static long call_set_sregs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_sregs sr;
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	enum kf_mode mode = kf_below(r, KF_NR_MODES);
	unsigned long a;
	int k, nmut = kf_pct(r, 50) ? 0 : 1 + kf_below(r, 4);
	long ret;

	kf_guest_sregs(mode, &sr);
	if (kf_pct(r, 15) && obj >= 0)
		kf_ioctl(p, 0, "VIREO_GET_SREGS", fd, VIREO_GET_SREGS, (unsigned long)&sr);
	for (k = 0; k < nmut; k++) {
		struct vireo_segment *segs[] = { &sr.cs, &sr.ds, &sr.es, &sr.fs, &sr.gs, &sr.ss,
						 &sr.tr, &sr.ldt };

		switch (kf_below(r, 12)) {
		case 0:
			sr.cr0 = kf_pct(r, 50) ? sr.cr0 ^ (1ULL << kf_below(r, 32)) : kf_boundary(r);
			break;
		case 1:
			sr.cr3 = kf_boundary(r);
			break;
		case 2:
			sr.cr4 = kf_pct(r, 50) ? sr.cr4 ^ (1ULL << kf_below(r, 24)) : kf_boundary(r);
			break;
		case 3:
			sr.efer = kf_pct(r, 60) ? sr.efer ^ (1ULL << kf_below(r, 16)) : kf_boundary(r);
			break;
		case 4:
			sr.cr8 = kf_pct(r, 70) ? kf_below(r, 17) : kf_boundary(r);
			break;
		case 5:
			sr.gdt.base = kf_boundary(r);
			sr.gdt.limit = kf_rand(r);
			break;
		case 6:
			sr.idt.limit = kf_pct(r, 50) ? 0 : kf_rand(r);
			if (kf_pct(r, 20))
				sr.idt.reserved[kf_below(r, 3)] = kf_rand(r);
			break;
		case 7:
			sr.cr2 = kf_boundary(r);
			break;
		default:
			mutate_segment(r, segs[kf_below(r, 8)]);
			break;
		}
	}
	a = argp(p, r, &sr, sizeof(sr), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_SET_SREGS", fd, VIREO_SET_SREGS, a);
	if (ret == 0 && obj >= 0 && nmut == 0)
		p->objs[obj].mode = mode;
	snprintf(d, n, "VIREO_SET_SREGS(%s, %s {mode %d, %d mutations: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x/%#x/l%u db%u p%u}) = %ld",
		 what, pw, mode, nmut, (unsigned long long)sr.cr0, (unsigned long long)sr.cr3,
		 (unsigned long long)sr.cr4, (unsigned long long)sr.efer, sr.cs.selector, sr.cs.type,
		 sr.cs.l, sr.cs.db, sr.cs.present, ret);
	return ret;
}

static long call_set_cpuid(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_cpuid c = { 0 };
	struct vireo_cpuid_entry *e = (struct vireo_cpuid_entry *)entbuf;
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a;
	uint32_t i;
	long ret;

	c.nent = kf_pct(r, 80) ? kf_below(r, VIREO_MAX_CPUID_ENTRIES + 2) : kf_boundary(r);
	for (i = 0; i < VIREO_MAX_CPUID_ENTRIES + 2 && (i + 1) * sizeof(*e) <= ARGBUF; i++) {
		e[i] = (struct vireo_cpuid_entry){
			.function = kf_pct(r, 70) ? kf_below(r, 0x20) : kf_rand(r),
			.index = kf_below(r, 4),
			.flags = kf_pct(r, 95) ? kf_below(r, 2) : kf_rand(r),
			.eax = kf_rand(r), .ebx = kf_rand(r), .ecx = kf_rand(r), .edx = kf_rand(r),
			.reserved = kf_pct(r, 98) ? 0 : kf_rand(r),
		};
	}
	c.entries = ptr_field(p, r, entbuf);
	if (kf_pct(r, 5))
		c.reserved = kf_rand(r);
	if (c.entries == (uintptr_t)entbuf && (uint64_t)c.nent * sizeof(*e) > ARGBUF)
		c.entries = (uintptr_t)p->hole;
	a = argp(p, r, &c, sizeof(c), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_SET_CPUID", fd, VIREO_SET_CPUID, a);
	snprintf(d, n, "VIREO_SET_CPUID(%s, %s {nent %u rsv %u entries %#llx}) = %ld", what, pw,
		 c.nent, c.reserved, (unsigned long long)c.entries, ret);
	return ret;
}

static long do_msrs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n, bool set)
{
	struct vireo_msrs m = { 0 };
	struct vireo_msr_entry *e = (struct vireo_msr_entry *)entbuf;
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	const char *name = set ? "VIREO_SET_MSRS" : "VIREO_GET_MSRS";
	unsigned long a;
	uint32_t i;
	long ret;

	m.nmsrs = kf_pct(r, 85) ? kf_below(r, 8) : kf_boundary(r);
	for (i = 0; i < VIREO_MAX_MSR_ENTRIES + 2; i++) {
		e[i].index = p->have_caps && p->caps.nr_msrs && kf_pct(r, 70) ?
			     p->caps.msr_list[kf_below(r, p->caps.nr_msrs < 32 ? p->caps.nr_msrs : 32)] :
			     kf_msr_index(r);
		e[i].reserved = kf_pct(r, 97) ? 0 : kf_rand(r);
		e[i].data = kf_pct(r, 50) ? kf_below(r, 0x1000) : kf_boundary(r);
	}
	m.entries = ptr_field(p, r, entbuf);
	if (kf_pct(r, 5))
		m.reserved = kf_rand(r);
	if (m.entries == (uintptr_t)entbuf && (uint64_t)m.nmsrs * sizeof(*e) > ARGBUF)
		m.entries = (uintptr_t)p->hole;
	a = argp(p, r, &m, sizeof(m), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, name, fd, set ? VIREO_SET_MSRS : VIREO_GET_MSRS, a);
	snprintf(d, n, "%s(%s, %s {nmsrs %u rsv %u entries %#llx, first %#x=%#llx}) = %ld", name,
		 what, pw, m.nmsrs, m.reserved, (unsigned long long)m.entries, e[0].index,
		 (unsigned long long)e[0].data, ret);
	return ret;
}

static long call_get_msrs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	return do_msrs(p, r, d, n, false);
}

static long call_set_msrs(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	return do_msrs(p, r, d, n, true);
}

static long call_inject(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	static const uint8_t types[] = { VIREO_EVENT_EXTINT, VIREO_EVENT_NMI, VIREO_EVENT_EXCEPTION };
	struct vireo_event ev = {
		.type = kf_pct(r, 90) ? types[kf_below(r, 3)] : kf_rand(r),
		.vector = kf_rand(r),
		.has_error_code = kf_pct(r, 30),
		.error_code = kf_pct(r, 70) ? 0 : kf_rand(r),
	};
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (ev.type == VIREO_EVENT_NMI && kf_pct(r, 80))
		ev.vector = 2, ev.has_error_code = 0, ev.error_code = 0;
	if (ev.type == VIREO_EVENT_EXCEPTION && kf_pct(r, 80))
		ev.vector = kf_below(r, 32);
	if (kf_pct(r, 3))
		ev.reserved = kf_rand(r);
	a = argp(p, r, &ev, sizeof(ev), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_INJECT_EVENT", fd, VIREO_INJECT_EVENT, a);
	snprintf(d, n, "VIREO_INJECT_EVENT(%s, %s {type %u vector %u has_err %u err %#x rsv %u}) = %ld",
		 what, pw, ev.type, ev.vector, ev.has_error_code, ev.error_code, ev.reserved, ret);
	return ret;
}

static long call_apic_access(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct vireo_apic_access acc = {
		.offset = kf_pct(r, 80) ? kf_below(r, 0x40) * 0x10 : kf_boundary(r),
		.size = kf_pct(r, 85) ? 4 : kf_rand(r),
		.is_write = kf_pct(r, 50),
		.data = kf_pct(r, 50) ? kf_rand(r) : kf_boundary(r),
	};
	char what[64], pw[32];
	uint8_t *out;
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned long a;
	long ret;

	if (kf_pct(r, 5))
		acc.is_write = kf_rand(r);
	if (kf_pct(r, 3))
		acc.reserved = kf_rand(r);
	a = argp(p, r, &acc, sizeof(acc), argbuf, &out, pw, sizeof(pw));
	ret = kf_ioctl(p, 0, "VIREO_APIC_ACCESS", fd, VIREO_APIC_ACCESS, a);
	snprintf(d, n, "VIREO_APIC_ACCESS(%s, %s {off %#x size %u write %u data %#llx}) = %ld",
		 what, pw, acc.offset, acc.size, acc.is_write, (unsigned long long)acc.data, ret);
	return ret;
}

static long call_run(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct kf_vcpu_view v;
	char what[64];
	int obj, fd = pick_fd(p, r, KF_VCPU, &obj, what, sizeof(what));
	unsigned int i, runs = 1 + kf_below(r, 8);
	long ret = 0;

	if (obj >= 0) {
		kf_vcpu_view(p, obj, &v);
	} else {
		memset(&v, 0, sizeof(v));
		v.obj = -1;
	}
	v.fd = fd;
	for (i = 0; i < runs; i++) {
		ret = kf_run_once(p, r, 0, &v, d, n);
		if (i + 1 < runs)
			kf_trace(p, 0, "  %s: %s", what, d);
		if (ret < 0 && ret != -EINTR)
			break;
	}
	return ret;
}

/* ------------------------------------------------------------ actions */

static long call_close(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int o = p->nobjs ? (int)kf_below(r, p->nobjs) : -1;
	long ret;

	if (o < 0 || !p->objs[o].open) {
		snprintf(d, n, "close: none");
		return -ENOENT;
	}
	ret = ret_or_errno(close(p->objs[o].fd));
	p->objs[o].open = false;
	snprintf(d, n, "close(%s#%d fd %d) = %ld", kind_name(p->objs[o].kind), o, p->objs[o].fd, ret);
	return ret;
}

static long call_dup(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int o = kf_below(r, 3) ? kf_obj_pick(p, r, KF_VM, true) : kf_obj_pick(p, r, KF_VCPU, true);
	int fd, no;

	if (o < 0) {
		snprintf(d, n, "dup: none");
		return -ENOENT;
	}
	fd = fcntl(p->objs[o].fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		snprintf(d, n, "dup(#%d) = -%d", o, errno);
		return -errno;
	}
	no = kf_obj_add(p, fd, p->objs[o].kind);
	if (no >= 0) {
		p->objs[no].vm = p->objs[o].vm;
		p->objs[no].vcpu_id = p->objs[o].vcpu_id;
		p->objs[no].mode = p->objs[o].mode;
		p->objs[no].run = p->objs[o].run;	/* the same vCPU's page */
		if (p->objs[o].kind == KF_VM)
			p->objs[no].code_mem = p->objs[o].code_mem;
	}
	snprintf(d, n, "dup(%s#%d) = #%d (fd %d)", kind_name(p->objs[o].kind), o, no, fd);
	return fd;
}

static long call_fork(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	return kf_fork_child(p, r, d, n);
}

static long call_spawn_runner(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int o = kf_obj_pick(p, r, KF_VCPU, true);
	unsigned int runs = 5 + kf_below(r, 60);
	int tid;

	if (o < 0) {
		snprintf(d, n, "runner: no vCPU");
		return -ENOENT;
	}
	tid = kf_spawn_runner(p, o, runs);
	snprintf(d, n, "runner on vcpu#%d (fd %d), %u runs = thread %d", o, p->objs[o].fd, runs, tid);
	return tid < 0 ? -EAGAIN : 0;
}

static long call_join(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	(void)r;
	kf_join_runners(p);
	snprintf(d, n, "join runners");
	return 0;
}

static long call_pause(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	struct timespec t = { 0, (1 + kf_below(r, 10)) * 1000000L };

	(void)p;
	nanosleep(&t, NULL);
	snprintf(d, n, "sleep %ld ms", t.tv_nsec / 1000000);
	return 0;
}

/* Sets vCPU obj up for mode: well-formed sregs and regs (RIP at the code). */
static long setup_mode(struct kf_prog *p, struct kf_rng *r, int obj, enum kf_mode mode)
{
	struct vireo_sregs sr;
	struct vireo_regs regs;
	long ret;

	kf_guest_sregs(mode, &sr);
	ret = kf_ioctl(p, 0, "VIREO_SET_SREGS", p->objs[obj].fd, VIREO_SET_SREGS, (unsigned long)&sr);
	if (ret < 0)
		return ret;
	kf_guest_regs(r, mode, &regs);
	p->objs[obj].mode = mode;
	return kf_ioctl(p, 0, "VIREO_SET_REGS", p->objs[obj].fd, VIREO_SET_REGS, (unsigned long)&regs);
}

/* Writes fresh guest code into a VM's code slot and sets its vCPUs up. */
static long call_guest_code(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	int vm = kf_obj_pick(p, r, KF_VM, false);
	enum kf_mode mode = KF_MODE_REAL + kf_below(r, 3);
	char desc[400];
	size_t used;
	int i;

	if (vm < 0 || p->objs[vm].code_mem < 0) {
		snprintf(d, n, "guest code: no VM with a code slot");
		return -ENOENT;
	}
	kf_guest_fill(p, r, vm, mode, desc, sizeof(desc));
	used = snprintf(d, n, "guest code vm#%d: %s; set up", vm, desc);
	for (i = 0; i < p->nobjs; i++) {
		if (p->objs[i].kind != KF_VCPU || p->objs[i].vm != vm || !p->objs[i].open)
			continue;
		if (kf_pct(r, 80)) {
			long ret = setup_mode(p, r, i, mode);

			if (used < n)
				used += snprintf(d + used, n - used, " vcpu#%d=%ld", i, ret);
		}
	}
	return 0;
}

/*
 * Ioctls where they do not belong: another fd kind's numbers, wrong size
 * or direction bits, unknown numbers, KVM's.
 */
static long call_bogus(struct kf_prog *p, struct kf_rng *r, char *d, size_t n)
{
	static const unsigned long reqs[] = {
		VIREO_GET_API_VERSION, VIREO_GET_CAPS, VIREO_CREATE_VM, VIREO_GET_SUPPORTED_CPUID,
		VIREO_SET_MEMORY_REGION, VIREO_DELETE_MEMORY_REGION, VIREO_CREATE_VCPU,
		VIREO_ENABLE_LAPIC, VIREO_SIGNAL_MSI, VIREO_IRQFD, VIREO_IOEVENTFD, VIREO_GET_REGS,
		VIREO_SET_REGS, VIREO_GET_SREGS, VIREO_SET_SREGS, VIREO_SET_CPUID, VIREO_GET_MSRS,
		VIREO_SET_MSRS, VIREO_INJECT_EVENT, VIREO_APIC_ACCESS, VIREO_RUN,
		0xae00, 0xae01, 0xae80,	/* KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_RUN */
	};
	int o = p->nobjs ? (int)kf_below(r, p->nobjs) : -1;
	int fd = o >= 0 ? p->objs[o].fd : -1;
	unsigned long req = reqs[kf_below(r, sizeof(reqs) / sizeof(reqs[0]))];
	unsigned long arg = kf_pct(r, 50) ? (unsigned long)argbuf : kf_boundary(r);
	long ret;

	switch (kf_below(r, 4)) {
	case 0:	/* another size */
		req = (req & ~(0x3fffUL << 16)) | (kf_below(r, 0x3fff) << 16);
		break;
	case 1:	/* another direction */
		req ^= (1 + kf_below(r, 3)) << 30;
		break;
	case 2:	/* an unknown number */
		req = (req & ~0xffUL) | kf_below(r, 256);
		break;
	default:
		break;
	}
	/* Not the RUN of a vCPU: kf_run_once counts exits, not this. */
	memset(argbuf, 0, 512);
	ret = kf_ioctl(p, 0, "bogus ioctl", fd, req, arg);
	snprintf(d, n, "ioctl(%s#%d fd %d, %#lx, %#lx) = %ld", o >= 0 ? kind_name(p->objs[o].kind) : "-",
		 o, fd, req, arg, ret);
	return ret;
}

/* ------------------------------------------------------------ the table */

const struct kf_call_desc kf_calls[] = {
	{ "open", 1, call_open },
	{ "GET_API_VERSION", 1, call_api_version },
	{ "GET_CAPS", 1, call_get_caps },
	{ "GET_SUPPORTED_CPUID", 1, call_supported_cpuid },
	{ "CREATE_VM", 2, call_create_vm },
	{ "mmap-mem", 3, call_mem_map },
	{ "munmap-mem", 2, call_mem_unmap },
	{ "mprotect-mem", 1, call_mem_protect },
	{ "SET_MEMORY_REGION", 6, call_set_region },
	{ "DELETE_MEMORY_REGION", 4, call_delete_region },
	{ "CREATE_VCPU", 3, call_create_vcpu },
	{ "mmap-run", 2, call_mmap_run },
	{ "ENABLE_LAPIC", 1, call_enable_lapic },
	{ "SIGNAL_MSI", 2, call_signal_msi },
	{ "IRQFD", 2, call_irqfd },
	{ "IOEVENTFD", 2, call_ioeventfd },
	{ "eventfd", 2, call_eventfd },
	{ "GET_REGS", 2, call_get_regs },
	{ "SET_REGS", 3, call_set_regs },
	{ "GET_SREGS", 2, call_get_sregs },
	{ "SET_SREGS", 4, call_set_sregs },
	{ "SET_CPUID", 2, call_set_cpuid },
	{ "GET_MSRS", 2, call_get_msrs },
	{ "SET_MSRS", 2, call_set_msrs },
	{ "INJECT_EVENT", 3, call_inject },
	{ "APIC_ACCESS", 2, call_apic_access },
	{ "RUN", 14, call_run },
	{ "close", 3, call_close },
	{ "dup", 1, call_dup },
	{ "fork", 1, call_fork },
	{ "runner", 4, call_spawn_runner },
	{ "join", 1, call_join },
	{ "sleep", 2, call_pause },
	{ "guest-code", 4, call_guest_code },
	{ "bogus-ioctl", 3, call_bogus },
};

const int kf_nr_calls = sizeof(kf_calls) / sizeof(kf_calls[0]);

static void record(struct kf_prog *p, int idx, long ret, const char *desc)
{
	if (idx < 64) {
		kf_add(&p->st->per_call[idx], 1);
		if (ret >= 0)
			kf_add(&p->st->per_call_ok[idx], 1);
	}
	kf_trace(p, 0, "#%u %s", p->ncalls, desc);
}

int kf_gen_call(struct kf_prog *p)
{
	static unsigned int total;
	struct kf_rng *r = &p->rng;
	char desc[1024];
	unsigned int x;
	int i;
	long ret;

	if (!total)
		for (i = 0; i < kf_nr_calls; i++)
			total += kf_calls[i].weight;
	x = kf_below(r, total);
	for (i = 0; i < kf_nr_calls - 1; i++) {
		if (x < kf_calls[i].weight)
			break;
		x -= kf_calls[i].weight;
	}
	desc[0] = 0;
	ret = kf_calls[i].fn(p, r, desc, sizeof(desc));
	record(p, i, ret, desc);
	return i;
}

/*
 * The usual start of a VMM, well-formed, so that most programs reach
 * guest code: /dev/vireo, caps, a VM (sometimes with the LAPIC), a code
 * slot at GPA 0, one or two vCPUs with run pages, code, a mode, maybe a
 * runner.  It uses a PRNG stream of its own, only for its few choices.
 */
void kf_gen_setup(struct kf_prog *p)
{
	static const size_t sizes[] = { 0x10000, 0x40000, 0x100000, 0x200000 };
	struct kf_rng r;
	struct vireo_memory_region mr = { 0 };
	char desc[1024];
	int sys, vm, mi, i, nvcpus;
	enum kf_mode mode;
	long ret;
	void *a;

	kf_rng_init(&r, p->seed, 1);
	sys = open(p->o->dev, O_RDWR | O_CLOEXEC);
	if (sys < 0)
		return;
	sys = kf_obj_add(p, sys, KF_SYS);
	kf_trace(p, 0, "setup: open(%s) = sys#%d (fd %d)", p->o->dev, sys, p->objs[sys].fd);
	if (kf_ioctl(p, 0, "VIREO_GET_CAPS", p->objs[sys].fd, VIREO_GET_CAPS,
		     (unsigned long)&p->caps) == 0)
		p->have_caps = true;
	ret = kf_ioctl(p, 0, "VIREO_CREATE_VM", p->objs[sys].fd, VIREO_CREATE_VM, 0);
	kf_trace(p, 0, "setup: VIREO_CREATE_VM = %ld", ret);
	if (ret < 0)
		return;
	vm = kf_obj_add(p, ret, KF_VM);
	if (kf_pct(&r, 25)) {
		ret = kf_ioctl(p, 0, "VIREO_ENABLE_LAPIC", p->objs[vm].fd, VIREO_ENABLE_LAPIC, 0);
		p->objs[vm].lapic = ret == 0;
		kf_trace(p, 0, "setup: VIREO_ENABLE_LAPIC(vm#%d) = %ld", vm, ret);
	}

	mr.size = sizes[kf_below(&r, 4)];
	a = mmap(NULL, mr.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (a == MAP_FAILED || p->nmems == KF_MAX_MEMS)
		return;
	mi = p->nmems++;
	p->mems[mi] = (struct kf_mem){ .addr = a, .size = mr.size, .mapped = true };
	mr.slot = 0;
	mr.userspace_addr = (uintptr_t)a;
	ret = kf_ioctl(p, 0, "VIREO_SET_MEMORY_REGION", p->objs[vm].fd, VIREO_SET_MEMORY_REGION,
		       (unsigned long)&mr);
	kf_trace(p, 0, "setup: VIREO_SET_MEMORY_REGION(vm#%d, slot 0 gpa 0 size %#llx mem#%d) = %ld",
		 vm, (unsigned long long)mr.size, mi, ret);
	if (ret == 0) {
		p->slots[p->nslots++] = (struct kf_slot){ .vm = vm, .slot = 0, .size = mr.size, .live = true };
		p->objs[vm].code_mem = mi;
	}

	mode = KF_MODE_REAL + kf_below(&r, 3);
	kf_guest_fill(p, &r, vm, mode, desc, sizeof(desc));
	kf_trace(p, 0, "setup: %s", desc);
	nvcpus = kf_pct(&r, 30) ? 2 : 1;
	for (i = 0; i < nvcpus; i++) {
		int o;

		ret = kf_ioctl(p, 0, "VIREO_CREATE_VCPU", p->objs[vm].fd, VIREO_CREATE_VCPU, i);
		if (ret < 0)
			break;
		o = kf_obj_add(p, ret, KF_VCPU);
		if (o < 0)
			break;
		p->objs[o].vm = vm;
		p->objs[o].vcpu_id = i;
		a = mmap(NULL, VIREO_RUN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, p->objs[o].fd, 0);
		if (a != MAP_FAILED)
			p->objs[o].run = a;
		ret = setup_mode(p, &r, o, mode);
		kf_trace(p, 0, "setup: vcpu#%d (fd %d) id %d, mode %d = %ld", o, p->objs[o].fd, i,
			 mode, ret);
	}
	if (kf_pct(&r, 40)) {
		int o = kf_obj_pick(p, &r, KF_VCPU, true);

		if (o >= 0)
			kf_trace(p, 0, "setup: runner on vcpu#%d = thread %d", o,
				 kf_spawn_runner(p, o, 10 + kf_below(&r, 40)));
	}
}
