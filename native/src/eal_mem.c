#include "eal_mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

unsigned vdev_virtio_queue(const char *vdev)
{
	const char *p;

	if (!starts(vdev, "net_virtio_user") && !starts(vdev, "virtio_user"))
		return 0;
	for (p = strchr(vdev, ','); p; p = strchr(p + 1, ','))
		if (starts(p + 1, "queue_size=")) {
			unsigned long q = strtoul(p + 1 + strlen("queue_size="), NULL, 10);
			/* DPDK refuses anything else when it probes the vdev; count the default meanwhile */
			return q >= 1 && q <= 32768 ? (unsigned)q : VIRTIO_USER_DEFAULT_QUEUE;
		}
	return VIRTIO_USER_DEFAULT_QUEUE;
}

/* A pool of n mbufs with room data bytes each. Per object: the mempool's object header, the mbuf
 * with its headroom and room in whole cache lines, and one more line, which DPDK may add to spread
 * objects over memory channels. Per pool: the ring, and a header holding a cache for each of
 * RTE_MAX_LCORE lcores (about 8 KiB each, 1 MiB with 128): 2 MiB covers both. */
static uint64_t pool_bytes(uint64_t n, unsigned room)
{
	uint64_t obj = 64 + ((MBUF_STRUCT + MBUF_HEADROOM + room + 63u) & ~63ull) + 64;

	return n * obj + (2ull << 20);
}

unsigned eal_mem_mib(enum sb_role role, unsigned size, unsigned virtio_queue)
{
	unsigned len = size - FRAME_FCS, room = len > MBUF_DATAROOM ? len : MBUF_DATAROOM;
	/* EAL's own structures and the ethdev data, then a virtio ring pair: descriptors, rings and
	 * the transmit headers, under 256 bytes a descriptor. Measured with DPDK 22.11: EAL and ethdev
	 * took 0.4 MB before any pool; 8 MiB leaves room for malloc's headers and page-end waste. */
	uint64_t bytes = (8ull << 20) + 2ull * virtio_queue * 256;

	if (role == ROLE_RECEIVER) {
		bytes += pool_bytes(POOL_RX_RECEIVER, MBUF_DATAROOM);
	} else {
		bytes += pool_bytes(POOL_RX_SENDER, MBUF_DATAROOM);
		bytes += pool_bytes(len > MBUF_DATAROOM ? POOL_TX_JUMBO : POOL_TX, room);
		bytes += pool_bytes(POOL_CTL, FRAME_END_SIZE);
		if (virtio_queue)
			bytes += pool_bytes(POOL_PROBE(virtio_queue), FRAME_MIN);
	}
	return (unsigned)(((bytes + (2ull << 20) - 1) >> 21) << 1);
}

unsigned long hugepage_kib(const char *meminfo)
{
	FILE *f = fopen(meminfo, "r");
	char line[256];
	unsigned long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* The kernel names hugetlb controller files by page size: 2MB, 1GB, 64KB. */
static void size_name(unsigned long kib, char *buf, size_t cap)
{
	if (kib >= (1ul << 20) && kib % (1ul << 20) == 0)
		snprintf(buf, cap, "%luGB", kib >> 20);
	else if (kib >= 1024 && kib % 1024 == 0)
		snprintf(buf, cap, "%luMB", kib >> 10);
	else
		snprintf(buf, cap, "%luKB", kib);
}

/* The first line of path as an unsigned number; false for "max", a missing file or anything else. */
static bool read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	char buf[64] = "";
	char *end;
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok || !isdigit((unsigned char)buf[0]))
		return false;
	*v = strtoull(buf, &end, 10);
	return *end == '\n' || *end == '\0';
}

/* Whether the comma-separated controller list of a cgroup v1 line names hugetlb. */
static bool names_hugetlb(const char *list)
{
	size_t n = strlen("hugetlb");

	for (const char *p = list; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (!strncmp(p, "hugetlb", n) && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

bool hugetlb_limit(const char *proc_cgroup, const char *root, unsigned long page_kib, uint64_t *bytes)
{
	FILE *f = page_kib ? fopen(proc_cgroup, "r") : NULL;
	char line[4096], name[32], path[4352];
	bool found = false;

	if (!f)
		return false;
	size_name(page_kib, name, sizeof(name));
	while (!found && fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n'), *controllers = strchr(line, ':'), *rel;

		if (nl)
			*nl = '\0';
		if (!controllers || !(rel = strchr(controllers + 1, ':')))
			continue;
		*controllers++ = '\0';
		*rel++ = '\0';
		if (!strcmp(rel, "/"))
			rel = ""; /* the container's own cgroup namespace */
		if (!strcmp(line, "0") && !*controllers) /* cgroup v2: "0::/path" */
			snprintf(path, sizeof(path), "%s%s/hugetlb.%s.max", root, rel, name);
		else if (names_hugetlb(controllers)) /* cgroup v1: "N:hugetlb:/path" */
			snprintf(path, sizeof(path), "%s/hugetlb%s/hugetlb.%s.limit_in_bytes", root, rel, name);
		else
			continue;
		/* v1 writes "unlimited" as the largest page-aligned long */
		found = read_u64(path, bytes) && *bytes < (1ull << 62);
	}
	fclose(f);
	return found;
}
