/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a definition to the monitor's command line: the contract between
 * `vireo start` and vireo-run (docs/vm-definition.md, "Starting").
 *
 *   MONITOR --name NAME --lock <dir>/lock --control <runtime>/NAME.sock
 *           --mem <N>M --cpus N --kernel PATH [--initrd PATH] [--append CMDLINE]
 *           [--disk PATH,format=raw|qcow2[,ro][,media=cdrom]]...
 *           [--net nat,mac=MAC[,hostfwd=tcp:ADDR:HPORT-:GPORT]...]...
 *           [--net tap,ifname=IF,mac=MAC]...
 *           --console stdio|none
 *
 * Paths are resolved against the machine dir.  The monitor takes the lock
 * (lock.h) before anything else and fails with status 3 if it is held,
 * serves the control socket (control/server.h), and with --console stdio
 * the guest's serial console is its stdin/stdout: the CLI points those at
 * the terminal (--attach) or at the log file (headless).
 */
#ifndef VIREO_VMLIB_LAUNCH_H
#define VIREO_VMLIB_LAUNCH_H

#include <glib.h>

#include "vmdef.h"

/* A NULL-terminated argv (g_strfreev) for 'monitor', or NULL with an error
 * (VIREO_VM_ERROR_INVALID) when the definition cannot be started yet, e.g.
 * no kernel or firmware boot. */
char **vireo_monitor_argv(const struct vireo_vmdef *def, const char *monitor, GError **error);

#endif /* VIREO_VMLIB_LAUNCH_H */
