/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): boot_cpu_has() lives in asm/processor.h here. */
#ifndef KSHIM_ASM_CPUFEATURE_H
#define KSHIM_ASM_CPUFEATURE_H

#include <asm/processor.h>

#endif
