// SPDX-License-Identifier: GPL-2.0
/*
 * The PC guest's CPUID table: vireo.ko's recommendation
 * (VIREO_GET_SUPPORTED_CPUID: the host's leaves filtered to what the
 * kernel virtualises, APIC ID patched per vCPU at run time) with what
 * this machine does not have taken out.  A feature bit stays only if
 * everything it promises works: an instruction that runs, an MSR that
 * vireo.ko or pc_msr.c answers.  (MCE and MCA stay: IA32_MCG_CAP reports
 * no banks, which Linux accepts; without the bits it complains that it
 * cannot set its MCE device up.)
 *
 *   7 EBX TSC_ADJUST       no IA32_TSC_ADJUST
 *   7 ECX OSPKE            vireo.ko's, from the vCPU's CR4.PKE
 *   7 ECX LA57             the boot page tables and libvireo's walker are
 *                          4-level here; 5-level guests are not tested
 *   0x80000001 ECX         no OSVW (Linux reads its MSRs unguarded), IBS,
 *                          TOPOEXT (no leaf 0x8000001e), core/NB/LLC
 *                          performance counters, MWAITX
 *   0x80000007             only the invariant TSC bit
 *   0x80000008 EBX         only CLZERO, XSAVEERPTR, WBNOINVD: the rest are
 *                          speculation controls backed by MSRs (SPEC_CTRL,
 *                          PRED_CMD, VIRT_SPEC_CTRL) the guest would write
 *                          with plain wrmsr
 *   0x80000008 ECX         0: one core per package; the MADT and the APIC
 *                          IDs describe the vCPUs
 */
#include <errno.h>

#include "pc.h"

#define C7_EBX_TSC_ADJUST	(1U << 1)
#define C7_ECX_OSPKE		(1U << 4)
#define C7_ECX_LA57		(1U << 16)
#define C81_ECX_HIDE		((1U << 9) /* OSVW */ | (1U << 10) /* IBS */ |		\
				 (1U << 22) /* TOPOEXT */ | (1U << 23) /* PERFCTR_CORE */ | \
				 (1U << 24) /* PERFCTR_NB */ | (1U << 28) /* PERFCTR_LLC */ | \
				 (1U << 29) /* MWAITX */)
#define C87_EDX_KEEP		(1U << 8)	/* invariant TSC */
#define C88_EBX_KEEP		((1U << 0) /* CLZERO */ | (1U << 2) /* XSAVEERPTR */ | \
				 (1U << 9) /* WBNOINVD */)

void vireo_pc_cpuid_adjust(struct vireo_cpuid_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vireo_cpuid_entry *c = &e[i];

		switch (c->function) {
		case 7:
			if (c->index == 0) {
				c->ebx &= ~C7_EBX_TSC_ADJUST;
				c->ecx &= ~(C7_ECX_OSPKE | C7_ECX_LA57);
			}
			break;
		case 0x80000001:
			c->ecx &= ~C81_ECX_HIDE;
			break;
		case 0x80000007:
			c->eax = c->ebx = c->ecx = 0;
			c->edx &= C87_EDX_KEEP;
			break;
		case 0x80000008:
			c->ebx &= C88_EBX_KEEP;
			c->ecx = 0;
			break;
		}
	}
}

unsigned int vireo_pc_cpuid_phys_bits(const struct vireo_cpuid_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == 0x80000008 && (e[i].eax & 0xff) >= 32)
			return e[i].eax & 0xff;
	return 36;
}

bool vireo_pc_cpuid_is_amd(const struct vireo_cpuid_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (e[i].function != 0)
			continue;
		/* EBX, EDX, ECX spell the vendor: "Auth" "enti" "cAMD", "Hygo" "nGen" "uine". */
		return (e[i].ebx == 0x68747541 && e[i].edx == 0x69746e65 &&
			e[i].ecx == 0x444d4163) ||
		       (e[i].ebx == 0x6f677948 && e[i].edx == 0x6e65476e && e[i].ecx == 0x656e6975);
	}
	return false;
}
