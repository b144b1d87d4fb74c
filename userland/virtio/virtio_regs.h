/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio 1.x constants (OASIS virtio v1.1): device status (2.1), feature
 * bits (6), split virtqueue layout (2.6), the PCI transport's capabilities
 * and common configuration layout (4.1.4), and the device types Vireo
 * implements (5.1 net, 5.2 blk, 5.3 console, 5.4 rng).
 *
 * Everything in guest memory and in the transport is little-endian; so is
 * every host Vireo runs on (x86-64), which the static assertion in
 * virtqueue.c pins rather than converting every field.
 */
#ifndef VIREO_VIRTIO_REGS_H
#define VIREO_VIRTIO_REGS_H

#include <stdint.h>

/* 2.1 Device status field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	1U
#define VIRTIO_STATUS_DRIVER		2U
#define VIRTIO_STATUS_DRIVER_OK		4U
#define VIRTIO_STATUS_FEATURES_OK	8U
#define VIRTIO_STATUS_NEEDS_RESET	64U
#define VIRTIO_STATUS_FAILED		128U

/* 6 Reserved (transport) feature bits. */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34

#define VIRTIO_BIT(n)			(1ULL << (n))

/* 2.6 Split virtqueue. */
#define VRING_DESC_F_NEXT		1U
#define VRING_DESC_F_WRITE		2U
#define VRING_DESC_F_INDIRECT		4U
#define VRING_AVAIL_F_NO_INTERRUPT	1U
#define VRING_USED_F_NO_NOTIFY		1U

struct vireo_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vireo_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* queue size entries, then used_event */
};

struct vireo_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vireo_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vireo_vring_used_elem ring[];	/* queue size entries, then avail_event */
};

/* 2.6: sizes and alignments of the three areas for a queue of n entries. */
#define VRING_DESC_SIZE(n)		(16ULL * (n))
#define VRING_AVAIL_SIZE(n)		(6ULL + 2ULL * (n))
#define VRING_USED_SIZE(n)		(6ULL + 8ULL * (n))
#define VRING_DESC_ALIGN		16
#define VRING_AVAIL_ALIGN		2
#define VRING_USED_ALIGN		4

/* 5 Device IDs. */
#define VIRTIO_ID_NET			1
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_ID_CONSOLE		3
#define VIRTIO_ID_RNG			4

/* 4.1.2 PCI IDs of a non-transitional ("modern") device. */
#define VIRTIO_PCI_VENDOR_ID		0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE	0x1040
#define VIRTIO_PCI_SUBSYSTEM_ID		0x1100	/* >= 0x40, as 4.1.2.1 asks */

/* 4.1.4 Virtio structure PCI capabilities (vendor-specific, ID 0x09). */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_cap, byte offsets. */
#define VIRTIO_PCI_CAP_LEN		2
#define VIRTIO_PCI_CAP_CFG_TYPE		3
#define VIRTIO_PCI_CAP_BAR		4
#define VIRTIO_PCI_CAP_ID		5
#define VIRTIO_PCI_CAP_OFFSET		8
#define VIRTIO_PCI_CAP_LENGTH		12
#define VIRTIO_PCI_CAP_SIZE		16
#define VIRTIO_PCI_NOTIFY_CAP_MULT	16	/* notify cap: notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE	20
#define VIRTIO_PCI_CFG_CAP_DATA		16	/* pci_cfg cap: pci_cfg_data[4] */
#define VIRTIO_PCI_CFG_CAP_SIZE		20

/* 4.1.4.3 struct virtio_pci_common_cfg, byte offsets. */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		0x04	/* le32 device_feature (RO) */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* le16 num_queues (RO) */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGEN	0x15	/* u8 config_generation (RO) */
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16	/* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18	/* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* le16 queue_notify_off (RO) */
#define VIRTIO_PCI_COMMON_Q_DESC	0x20	/* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_AVAIL	0x28	/* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_USED	0x30	/* le64 queue_device */
#define VIRTIO_PCI_COMMON_SIZE		0x38

#define VIRTIO_MSI_NO_VECTOR		0xffffU

/* 4.1.4.5 ISR status bits. */
#define VIRTIO_PCI_ISR_QUEUE		1U
#define VIRTIO_PCI_ISR_CONFIG		2U

/* 5.2 Block device. */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2
#define VIRTIO_BLK_ID_BYTES		20
#define VIRTIO_BLK_SECTOR_SIZE		512
/* struct virtio_blk_config offsets. */
#define VIRTIO_BLK_CFG_CAPACITY		0	/* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX		8	/* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX		12	/* le32 */
#define VIRTIO_BLK_CFG_BLK_SIZE		20	/* le32 */
#define VIRTIO_BLK_CFG_SIZE		60

/* 5.1 Network device. */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_S_LINK_UP		1U
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1U
#define VIRTIO_NET_HDR_GSO_NONE		0U
/* struct virtio_net_config offsets. */
#define VIRTIO_NET_CFG_MAC		0	/* u8[6] */
#define VIRTIO_NET_CFG_STATUS		6	/* le16 */
#define VIRTIO_NET_CFG_SIZE		12

/* 5.1.6: with VIRTIO_F_VERSION_1 the header always has num_buffers: 12 bytes. */
struct vireo_virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
#define VIRTIO_NET_HDR_SIZE		12

/* 5.3 Console: receiveq0 and transmitq0 only (no VIRTIO_CONSOLE_F_MULTIPORT). */
#define VIRTIO_CONSOLE_CFG_SIZE		12	/* cols, rows, max_nr_ports, emerg_wr */

#endif /* VIREO_VIRTIO_REGS_H */
