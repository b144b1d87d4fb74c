/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim (tests/kunit): module metadata means nothing in a program. */
#ifndef KSHIM_LINUX_MODULE_H
#define KSHIM_LINUX_MODULE_H

#define MODULE_LICENSE(l)
#define MODULE_DESCRIPTION(d)
#define MODULE_AUTHOR(a)

#endif
