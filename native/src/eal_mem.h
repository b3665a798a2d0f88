/* The hugepage memory a program asks DPDK's EAL to reserve at start-up (-m), sized to its mbuf
 * pools, and the container's hugetlb limit it must fit in. Free of DPDK, so the unit tests hold it.
 *
 * Why reserve at all: a vhost-user switch learns the program's memory from virtio-user's
 * VHOST_USER_SET_MEM_TABLE. virtio-user sends one when the port is probed (during rte_eal_init, when
 * EAL holds only what it reserved) and another each time EAL grows its memory afterwards. Without a
 * reservation the pools grew it by some 40 MB after the first table, and the second table arrived
 * while the switch already read descriptors: VPP 23.06 counted "mmap failure" and forwarded stale
 * frames. With every pool inside the reservation the first table is the only one. */
#ifndef SB_EAL_MEM_H
#define SB_EAL_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"

/* mbufs per pool: io_dpdk.c creates its pools with these, eal_mem_mib reserves memory for them. */
#define POOL_RX_RECEIVER 16383u
#define POOL_RX_SENDER 8191u
#define POOL_TX 8191u
#define POOL_TX_JUMBO 4095u
#define POOL_CTL 63u
/* The probe pool holds a virtio-user ring's worth of probe frames and a burst more. */
#define PROBE_BURST 32u
#define POOL_PROBE(queue) ((queue) + 2 * PROBE_BURST)

/* DPDK's mbuf layout as io_dpdk.c checks it against rte_mbuf.h: the struct, the headroom and the
 * default data room, in bytes. */
#define MBUF_STRUCT 128u
#define MBUF_HEADROOM 128u
#define MBUF_DATAROOM 2048u

/* DPDK virtio-user's ring size when its vdev gives no queue_size. */
#define VIRTIO_USER_DEFAULT_QUEUE 256u

/* The ring size a --vdev value asks virtio-user for (queue_size, or the default), or 0 when the vdev
 * is not virtio-user. */
unsigned vdev_virtio_queue(const char *vdev);

/* MiB to reserve, in whole 2 MiB pages: the role's pools for --size bytes frames (and the probe pool
 * when virtio_queue is not 0), their rings and headers, and the EAL's and the PMD's own memory. */
unsigned eal_mem_mib(enum sb_role role, unsigned size, unsigned virtio_queue);

/* The default hugepage size in KiB from a meminfo file (Hugepagesize), 0 when it has none. */
unsigned long hugepage_kib(const char *meminfo);

/* The hugetlb cgroup limit on pages of page_kib KiB of the process whose cgroup membership is the
 * file proc_cgroup (/proc/self/cgroup), under the cgroup file system at root (/sys/fs/cgroup):
 * cgroup v2's hugetlb.<size>.max, or v1's hugetlb.<size>.limit_in_bytes. False when there is no
 * limit (no such file, "max", or v1's unlimited value). */
bool hugetlb_limit(const char *proc_cgroup, const char *root, unsigned long page_kib, uint64_t *bytes);

#endif
