/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine store: where definitions live and how they are read and
 * written.
 *
 *   $XDG_DATA_HOME/vireo/machines/<name>/    (default ~/.local/share)
 *       machine.json     the definition (docs/vm-definition.md)
 *       lock             the machine lock (lock.h)
 *       *.qcow2, *.img   disks created by `vireo create/disk create`
 *       serial.log       console of a headless start (serial.log)
 *       monitor.log      the monitor's own messages of a headless start
 *   $XDG_RUNTIME_DIR/vireo/<name>.sock       control socket while running
 *
 * The environment is read at every call (not cached as GLib does), so a
 * test can point XDG_DATA_HOME / XDG_RUNTIME_DIR at temporary directories.
 * Every returned string is g_malloc'd.  Errors are VIREO_VM_ERROR.
 */
#ifndef VIREO_VMLIB_STORE_H
#define VIREO_VMLIB_STORE_H

#include <stdbool.h>

#include <glib.h>

#include "vmdef.h"

#define VIREO_MACHINE_FILE	"machine.json"
#define VIREO_MACHINE_LOCK	"lock"

/* $XDG_DATA_HOME/vireo/machines (XDG_DATA_HOME unset, empty or relative:
 * $HOME/.local/share, as the XDG spec says). */
char *vireo_machines_dir(void);

/* $XDG_RUNTIME_DIR/vireo; without XDG_RUNTIME_DIR, /run/user/<uid> if it
 * is ours, else $XDG_CACHE_HOME/vireo-run (GLib's fallback, too). */
char *vireo_runtime_dir(void);

/* <machines dir>/<name>, and files in it; name must be valid. */
char *vireo_machine_dir(const char *name);
char *vireo_machine_file(const char *name, const char *file);

/* <runtime dir>/<name>.sock; NULL with an error when the path would not
 * fit a sockaddr_un (108 bytes). */
char *vireo_machine_socket_path(const char *name, GError **error);
/* The serial console's socket of a running machine (vireo-run
 * --console-socket, `vireo console`): <runtime>/NAME.console; the same
 * length check. */
char *vireo_machine_console_path(const char *name, GError **error);

/* Resolve a path of the definition (disk, kernel, log): relative ones are
 * relative to the machine dir. */
char *vireo_machine_resolve(const char *name, const char *path);

/* Whether a path of the definition lies inside the machine dir (relative
 * without "..", or absolute under it): only such disks are ever deleted. */
bool vireo_machine_path_inside(const char *name, const char *path);

/* Whether <machines dir>/<name>/machine.json exists. */
bool vireo_machine_exists(const char *name);

/* Sorted names of every directory holding a machine.json; NULL-terminated
 * (g_strfreev).  A missing store is an empty list. */
char **vireo_machine_list(GError **error);

/*
 * Load a definition by name.  The loaded name must equal the directory's
 * (field "name" otherwise).  A definition of an older format is upgraded
 * and written back at once (the old file kept as machine.json.v<N>), so
 * that what the upgrade generated (UUID, MACs) is generated only once.
 */
struct vireo_vmdef *vireo_machine_load(const char *name, GError **error);

/* Load from an explicit file (no write-back); for tests and tools. */
struct vireo_vmdef *vireo_vmdef_load_file(const char *path, GError **error);

/*
 * Save atomically (write machine.json.tmp, fsync, rename, fsync the dir):
 * a crash leaves either the old or the new definition.  Validates first;
 * sets def->modified to now unless keep_modified.
 */
bool vireo_machine_save(struct vireo_vmdef *def, bool keep_modified, GError **error);

/*
 * Create the machine directory (0700, parents as needed) and save def.
 * VIREO_VM_ERROR_EXISTS when a machine of that name exists; a directory
 * without machine.json (e.g. kept disks of a deleted machine) is reused.
 */
bool vireo_machine_create(struct vireo_vmdef *def, GError **error);

/*
 * Delete a machine that is not running (the caller should hold the lock,
 * see lock.h).  Removes machine.json, the logs, the lock file and, with
 * delete_disks, every disk of the definition that lies inside the machine
 * dir; disks elsewhere are never touched.  The directory goes when empty.
 * *kept (may be NULL) gets the disks left behind (g_strfreev).
 */
bool vireo_machine_delete(const struct vireo_vmdef *def, bool delete_disks, char ***kept,
			  GError **error);

#endif /* VIREO_VMLIB_STORE_H */
