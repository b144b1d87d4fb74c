/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's device models (device.h) that other code finds by pointer
 * (vireo_pc_find: the router takes the IOAPIC and the PIC, devices take
 * the PCI host, ...).  Every model is one file in this directory, and
 * machine_table.c declares and places each; a model nobody looks up (the
 * POST code port) needs no line here.
 */
#ifndef VIREO_PC_DEV_MODELS_H
#define VIREO_PC_DEV_MODELS_H

#include "device.h"

extern const struct vireo_pc_device_model vireo_pc_dev_debug_exit;
extern const struct vireo_pc_device_model vireo_pc_dev_ioapic;
extern const struct vireo_pc_device_model vireo_pc_dev_pic;
extern const struct vireo_pc_device_model vireo_pc_dev_irq_router;
extern const struct vireo_pc_device_model vireo_pc_dev_pit;
extern const struct vireo_pc_device_model vireo_pc_dev_pm;
extern const struct vireo_pc_device_model vireo_pc_dev_rtc;
extern const struct vireo_pc_device_model vireo_pc_dev_uart;
extern const struct vireo_pc_device_model vireo_pc_dev_i8042;
extern const struct vireo_pc_device_model vireo_pc_dev_pci_host;
extern const struct vireo_pc_device_model vireo_pc_dev_virtio_blk;
extern const struct vireo_pc_device_model vireo_pc_dev_virtio_net;
extern const struct vireo_pc_device_model vireo_pc_dev_virtio_console;
extern const struct vireo_pc_device_model vireo_pc_dev_virtio_rng;
extern const struct vireo_pc_device_model vireo_pc_dev_vga;

#endif /* VIREO_PC_DEV_MODELS_H */
