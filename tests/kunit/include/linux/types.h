/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host shim (tests/kunit): the kernel's fixed-width types on top of
 * <stdint.h>.  See tests/kunit/README in kmod/tests/README.md.
 */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
typedef int64_t __s64;

typedef u64 phys_addr_t;
typedef unsigned int gfp_t;
typedef unsigned int __poll_t;
typedef unsigned int vm_fault_t;

typedef struct {
	int counter;
} atomic_t;

#define __user
#define __rcu
#define __init
#define __exit

#endif
