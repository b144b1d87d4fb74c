/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's convention for paths inside comma-separated option values
 * (`--disk PATH,format=qcow2`): a literal comma in PATH is written ",,".
 * Every other byte a file name may hold (spaces, newlines, UTF-8) goes
 * through as it is, since the value is one argv element.  `vireo start`
 * escapes (launch.c), vireo-run and the test monitor split.  libc only.
 */
#ifndef VIREO_VMLIB_OPTSPLIT_H
#define VIREO_VMLIB_OPTSPLIT_H

/*
 * s with every ',' doubled; malloc'd (free), NULL when out of memory.
 */
char *vireo_opt_escape(const char *s);

/*
 * Cut the first field off s, in place: ",," becomes ',' and the first
 * single ',' ends the field (becomes NUL).  Returns what follows that
 * comma, or NULL when the field was the whole of s.
 */
char *vireo_opt_take_field(char *s);

#endif /* VIREO_VMLIB_OPTSPLIT_H */
