/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --cpu MODEL[,-FEATURE]...: the guest's CPU as a subset of what vireo.ko
 * offers (VIREO_GET_SUPPORTED_CPUID).  MODEL is "host" (all of it) or an
 * x86-64 micro-architecture level of the psABI ("x86-64-v2", "-v3", "-v4":
 * the level's features must all be there, and ISA extensions beyond the
 * level are taken away); each -FEATURE takes one more away, with what
 * depends on it.  Nothing can be added: the kernel would refuse it
 * (VIREO_SET_CPUID), and the guest would find it does not work.
 */
#ifndef VIREO_RUN_CPU_MODEL_H
#define VIREO_RUN_CPU_MODEL_H

#include <stddef.h>

#include <vireo.h>
#include <vireo/error.h>

/*
 * Applies SPEC to the table e[0..n).  0, or -EINVAL with the reason
 * (an unknown model or feature, a '+', or a level feature the table lacks).
 * With e NULL, only checks SPEC's spelling.
 */
int vireo_cpu_model_apply(const char *spec, struct vireo_cpuid_entry *e, unsigned int n,
			  GError **error);

#endif /* VIREO_RUN_CPU_MODEL_H */
