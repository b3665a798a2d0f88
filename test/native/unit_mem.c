/* Unit tests of the traffic programs' memory reservation (eal_mem.c) and of how the receiver tells
 * its own trial's frames and probes from another trial's (frame.h, rxparse.h); run by unit.c's main. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_mem.h"
#include "rxparse.h"
#include "unit.h"

/* What the receiver makes of one frame, by the per-frame parser and by the fast path. */
static bool kinds(const uint8_t *f, unsigned len, uint16_t port, enum rx_kind want)
{
	struct rx_item it, items[1];
	struct frame_end end;
	struct rxmatch m;
	struct rxparse x;

	frame_parse_l2(f, len, len, htons(port), &it, &end);
	rxmatch_init(&m, htons(port));
	rxparse_init(&x, items, &m, &end);
	rxparse_frame(&x, f, len, len);
	return rxparse_finish(&x) == 1 && it.kind == want && items[0].kind == want;
}

bool another_trials_frames_are_foreign(void)
{
	struct frame_addr a = {.src_mac = {2, 0, 0, 0, 0, 1}, .dst_mac = {2, 0, 0, 0, 0, 2}};
	uint8_t f[FRAME_END_SIZE];
	unsigned len;

	a.src_ip = htonl(0x0a000001);
	a.dst_ip = htonl(0x0a000002);
	a.src_port = htons(5000);
	a.dst_port = htons(5016); /* the previous trial's port */
	len = frame_build(f, &a, 64, TAG_DATA);
	frame_stamp(f + FRAME_HDRS, 7, 99);
	CHECK(kinds(f, len, 5016, RX_DATA), "its own trial's data frame");
	CHECK(kinds(f, len, 5032, RX_FOREIGN), "a data frame of another trial is foreign");
	len = frame_build(f, &a, FRAME_END_SIZE, TAG_END);
	CHECK(kinds(f, len, 5032, RX_FOREIGN), "an end marker of another trial is foreign");
	len = frame_build(f, &a, 64, TAG_PROBE);
	CHECK(kinds(f, len, 5016, RX_PROBE), "a probe of its own trial is a probe, neither data nor foreign");
	CHECK(kinds(f, len, 5032, RX_FOREIGN), "a probe of another trial is foreign");
	return true;
}

bool virtio_queue_from_the_vdev(void)
{
	CHECK(vdev_virtio_queue("net_virtio_user0,path=/run/switchbench/sender.sock,queues=1,queue_size=1024,"
				"mac=02:53:42:00:00:01") == 1024,
	      "the drivers' vdev");
	CHECK(vdev_virtio_queue("virtio_user0,path=/x.sock,queue_size=512,server=1") == 512, "a server vdev");
	CHECK(vdev_virtio_queue("net_virtio_user1,path=/x.sock") == VIRTIO_USER_DEFAULT_QUEUE, "DPDK's default");
	CHECK(vdev_virtio_queue("net_memif0,role=client,socket=/x.sock") == 0, "memif is not virtio-user");
	CHECK(vdev_virtio_queue("net_vhost0,iface=/x.sock,queue_size=64") == 0, "vhost is not virtio-user");
	return true;
}

/* Heap in use with the pools and a null port, DPDK 22.11 (rte_malloc_get_socket_stats): receiver
 * 38.6 MiB, sender 40.1 MiB with 64-byte frames and 58.5 MiB with 9000-byte frames; the virtio rings
 * come on top. The reservation must hold all of it, in whole 2 MiB pages, and stay within the
 * smallest hugepage allowance the tests give a pod (128 MiB). */
bool the_reservation_holds_the_pools(void)
{
	struct {
		enum sb_role role;
		unsigned size;
		double heap_mib;
	} cases[] = {
		{ROLE_RECEIVER, 64, 38.6},
		{ROLE_SENDER, 64, 40.1},
		{ROLE_SENDER, 9000, 58.5},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned plain = eal_mem_mib(cases[i].role, cases[i].size, 0);
		unsigned virtio = eal_mem_mib(cases[i].role, cases[i].size, 1024);

		CHECK(plain % 2 == 0 && virtio % 2 == 0, "case %u: %u and %u MiB are not whole 2 MiB pages", i, plain,
		      virtio);
		CHECK(plain >= cases[i].heap_mib + 2 && virtio >= plain, "case %u: %u MiB for %.1f MiB of pools", i, plain,
		      cases[i].heap_mib);
		CHECK(virtio <= 128, "case %u: %u MiB exceeds the smallest pod allowance", i, virtio);
	}
	CHECK(eal_mem_mib(ROLE_SENDER, 64, 32768) > eal_mem_mib(ROLE_SENDER, 64, 1024), "a larger ring needs more");
	return true;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

bool hugetlb_limits_of_cgroup_v1_and_v2(void)
{
	char dir[] = "/tmp/sb-unit-cg.XXXXXX", cg[600], root[600], cmd[700];
	uint64_t bytes = 0;
	bool ok = true;

	if (!mkdtemp(dir))
		CHECK(false, "mkdtemp");
	snprintf(cg, sizeof(cg), "%s/proc-cgroup", dir);
	snprintf(root, sizeof(root), "%s/sys", dir);
	put(dir, "meminfo", "MemTotal: 1 kB\nHugepagesize:       2048 kB\nHugetlb: 0 kB\n");
	snprintf(cmd, sizeof(cmd), "%s/meminfo", dir);
	ok &= hugepage_kib(cmd) == 2048;
	/* a pod's container: its own cgroup namespace, v2 */
	put(dir, "proc-cgroup", "0::/\n");
	put(dir, "sys/hugetlb.2MB.max", "536870912\n");
	put(dir, "sys/hugetlb.1GB.max", "max\n");
	ok &= hugetlb_limit(cg, root, 2048, &bytes) && bytes == 512ull << 20;
	ok &= !hugetlb_limit(cg, root, 1048576, &bytes);
	/* a host process in a nested v2 cgroup */
	put(dir, "proc-cgroup", "0::/kubepods.slice/pod1/c1\n");
	put(dir, "sys/kubepods.slice/pod1/c1/hugetlb.2MB.max", "134217728\n");
	ok &= hugetlb_limit(cg, root, 2048, &bytes) && bytes == 128ull << 20;
	/* v1, hugetlb among other controllers; unlimited is the largest page-aligned long */
	put(dir, "proc-cgroup", "12:hugetlb:/docker/abc\n3:cpu,cpuacct:/docker/abc\n");
	put(dir, "sys/hugetlb/docker/abc/hugetlb.2MB.limit_in_bytes", "67108864\n");
	ok &= hugetlb_limit(cg, root, 2048, &bytes) && bytes == 64ull << 20;
	put(dir, "sys/hugetlb/docker/abc/hugetlb.2MB.limit_in_bytes", "9223372036854771712\n");
	ok &= !hugetlb_limit(cg, root, 2048, &bytes);
	/* no hugetlb controller at all */
	put(dir, "proc-cgroup", "0::/user.slice\n");
	ok &= !hugetlb_limit(cg, root, 2048, &bytes);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok = false;
	CHECK(ok, "a limit was read wrong (last read %llu bytes)", (unsigned long long)bytes);
	return true;
}
