/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bare-image test monitor (vireo-run --load ...): one vCPU, RAM at
 * GPA 0, the images copied in, the serial port, the debug exit and the
 * MMIO test device; the harness of tests/guest.  Its insides: monitor.h.
 */
#ifndef VIREO_BARE_H
#define VIREO_BARE_H

#include "options.h"

/* Run the bare machine o describes: the exit status (status.h). */
int vireo_bare_main(const struct vireo_options *o);

#endif /* VIREO_BARE_H */
