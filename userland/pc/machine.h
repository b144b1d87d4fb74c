/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC machine (vireo-run --kernel ...), libvireo-machine.a: the devices
 * of its description (machine_table.c), its vCPU threads, its I/O thread
 * and its control commands.  Its insides: pc.h.
 */
#ifndef VIREO_PC_MACHINE_H
#define VIREO_PC_MACHINE_H

#include "options.h"

/* Run the PC o describes, rebuilt on every guest reset: the exit status (status.h). */
int vireo_pc_main(const struct vireo_options *o);

#endif /* VIREO_PC_MACHINE_H */
