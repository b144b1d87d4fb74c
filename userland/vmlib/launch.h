/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a definition to the monitor's command line: the contract between
 * `vireo start` and vireo-run (docs/vm-definition.md, "Starting").
 *
 *   MONITOR --name NAME --lock <dir>/lock --control <runtime>/NAME.sock
 *           --console-socket <runtime>/NAME.console
 *           --mem <N>M --cpus N --kernel PATH [--initrd PATH] [--append CMDLINE]
 *           [--disk PATH[,ro],format=raw|qcow2]...
 *           [--net nat,mac=MAC[,hostfwd=tcp:ADDR:HPORT-:GPORT]...]...
 *           [--net tap,ifname=IF,mac=MAC]...
 *           [--console]
 *
 * Paths are resolved against the machine dir and reach the monitor whole:
 * each is its own argv element, except in --disk, where a comma of the
 * path is written ",," (QEMU's convention, optsplit.h).  --disk, --net tap, --mem,
 * --cpus, --kernel, --initrd, --append and --console are vireo-run's own
 * (its --help); the serial console always goes to its stdout, and
 * --console (attach only) connects its stdin too.  A cdrom is passed as a
 * read-only disk until the monitor has a cdrom device.  Still to be added
 * to vireo-run: --name; --lock (take the machine lock, lock.h, before
 * anything else; exit 3 if it is held); --control (serve the control
 * socket, control/server.h); --net nat (libslirp).
 */
#ifndef VIREO_VMLIB_LAUNCH_H
#define VIREO_VMLIB_LAUNCH_H

#include <stdbool.h>

#include <glib.h>

#include "vmdef.h"

/* A NULL-terminated argv (g_strfreev) for 'monitor', or NULL with an error
 * (VIREO_VM_ERROR_INVALID) when the definition cannot be started yet, e.g.
 * no kernel or firmware boot. */
char **vireo_monitor_argv(const struct vireo_vmdef *def, const char *monitor, bool attach,
			  GError **error);

#endif /* VIREO_VMLIB_LAUNCH_H */
