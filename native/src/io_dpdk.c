/* DPDK backend: any EAL port (virtio-user to a vhost-user socket, memif, a PCI VF). EAL arguments
 * after "--" are passed through; CPU placement is ours, from the allowed set. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "eal_mem.h"
#include "fail.h"
#include "io.h"
#include "pci_env.h"
#include "rxparse.h"
#include "runtime.h"

#define POOL_CACHE 256u

_Static_assert(sizeof(struct rte_mbuf) == MBUF_STRUCT && RTE_PKTMBUF_HEADROOM == MBUF_HEADROOM &&
		       RTE_MBUF_DEFAULT_DATAROOM == MBUF_DATAROOM,
	       "eal_mem.h sizes the pools with DPDK's mbuf layout");
/* Shared-CPU mode backs off from 16 us to 256 us on an empty poll: at 100 kpps even a 256-entry
 * virtio ring holds 2.5 ms of traffic, and any traffic resets the back-off. */
#define IDLE_MIN_NS 16000u
#define IDLE_MAX_NS 256000u

struct io_dpdk {
	struct io io;
	uint16_t port;
	unsigned len;
	unsigned virtio_queue; /* ring size of a virtio-user port, 0 for other ports */
	bool memif_sender;
	struct rte_mempool *tx; /* every mbuf pre-built as a data frame (the tail past the stamp is never rewritten) */
	struct rte_mempool *rx;
	struct rte_mempool *ctl; /* end markers, apart so data mbufs keep their template */
	struct rte_mempool *probe; /* a sender's probe frames on a virtio-user port */
	uint8_t end[FRAME_END_SIZE];
	unsigned end_len;
	uint64_t idle_ns;
	struct rxmatch match;
	struct rte_mbuf *rxm[SB_BURST_MAX];
	uint8_t tmpl[FRAME_MAX];
};

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* virtio-user in client mode fails its probe when the vhost-user socket is missing; the switch may
 * still be creating it, so wait for it up to --link-timeout and name it if it never appears. */
static void wait_vhost_socket(const char *vdev, double timeout)
{
	char path[4096];
	const char *p = strstr(vdev, ",path=");
	struct stat st;

	if (!(starts(vdev, "net_virtio_user") || starts(vdev, "virtio_user")) || !p || strstr(vdev, ",server=1"))
		return;
	p += strlen(",path=");
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p, ","), p);
	for (double until = mono_s() + timeout;;) {
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			return;
		if (sb_stop || mono_s() >= until)
			sb_fail(sb_stop ? SB_EXIT_INTERRUPTED : SB_EXIT_PORT,
				"--vdev %s: vhost-user socket %s does not exist (waited %gs)", vdev, path, timeout);
		sleep_ns(20000000);
	}
}

/* -m, --socket-mem: the caller chose the reservation. */
static bool memory_arg(const char *a)
{
	return (a[0] == '-' && a[1] == 'm' && (!a[2] || isdigit((unsigned char)a[2]))) || starts(a, "--socket-mem");
}

/* Without -m or --socket-mem, EAL starts with 2 MB and grows as the pools are created, after
 * virtio-user has told the switch its memory (eal_mem.h). The reservation is checked against the
 * container's hugetlb limit first, so that a limit too small is named as such rather than surfacing
 * as an allocation failure inside EAL. */
static void reserve_memory(const struct sb_config *c, unsigned virtio_queue, bool huge, char *arg, size_t cap)
{
	unsigned mib = eal_mem_mib(c->role, c->size, virtio_queue);
	unsigned long page_kib = huge ? hugepage_kib("/proc/meminfo") : 0;
	uint64_t limit;

	if (page_kib && hugetlb_limit("/proc/self/cgroup", "/sys/fs/cgroup", page_kib, &limit)) {
		uint64_t page = (uint64_t)page_kib << 10, need = ((((uint64_t)mib << 20) + page - 1) / page) * page;

		if (need > limit)
			sb_fail(SB_EXIT_USAGE,
				"hugepages: the pools need %" PRIu64 " MiB of %lu kB pages, the container may use %" PRIu64
				" MiB (its hugetlb limit; in a pod, spec.resources.hugepages.perPodMi)",
				need >> 20, page_kib, limit >> 20);
	}
	snprintf(arg, cap, "%u", mib);
}

static char **eal_args(const struct sb_config *c, const struct cpu_plan *cpu, int *argc, unsigned *virtio_queue)
{
	static char lcores[300], memory[16];
	static struct pci_list pci;
	char list[256];
	char **v = calloc((size_t)c->eal_argc + 7 + 2 * PCI_ENV_MAX, sizeof(char *));
	int n = 0;
	bool memory_given = false, huge = true;

	if (!v)
		sb_fail(SB_EXIT_INTERNAL, "out of memory");
	*virtio_queue = 0;
	cpu_list_format(&cpu->use, list, sizeof(list));
	snprintf(lcores, sizeof(lcores), "0@(%s)", list);
	v[n++] = (char *)sb_prog;
	v[n++] = "--lcores";
	v[n++] = lcores;
	/* EAL's informational lines would bury the one-line diagnostics; a later --log-level wins. */
	v[n++] = "--log-level=warning";
	for (int i = 0; i < c->eal_argc; i++) {
		const char *a = c->eal_argv[i], *vdev = NULL;

		if ((a[0] == '-' && (a[1] == 'l' || a[1] == 'c' || a[1] == 's' || a[1] == 'S')) ||
		    starts(a, "--lcores") || starts(a, "--main-lcore") || starts(a, "--service-c"))
			sb_fail(SB_EXIT_USAGE, "EAL argument %s: CPUs come from the allowed set and --cpus", a);
		memory_given |= memory_arg(a);
		huge &= strcmp(a, "--no-huge") != 0;
		if (!strcmp(a, "--vdev") && i + 1 < c->eal_argc)
			vdev = c->eal_argv[i + 1];
		else if (starts(a, "--vdev="))
			vdev = a + strlen("--vdev=");
		if (vdev) {
			unsigned q = vdev_virtio_queue(vdev);
			wait_vhost_socket(vdev, c->link_timeout);
			*virtio_queue = q > *virtio_queue ? q : *virtio_queue;
		}
		v[n++] = c->eal_argv[i];
	}
	if (!memory_given) {
		reserve_memory(c, *virtio_queue, huge, memory, sizeof(memory));
		v[n++] = "-m";
		v[n++] = memory;
	}
	if (c->pci_env) {
		pci_env_read(c->pci_env, &pci);
		for (int i = 0; i < pci.n; i++) {
			v[n++] = "-a";
			v[n++] = pci.addr[i];
		}
	}
	*argc = n;
	return v;
}

static void init_frame(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct rte_mbuf *m = obj;
	struct io_dpdk *d = arg;

	(void)mp;
	(void)idx;
	memcpy((uint8_t *)m->buf_addr + m->data_off, d->tmpl, d->len);
}

static struct rte_mempool *pool(const char *name, unsigned n, unsigned cache, unsigned room, int socket)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, cache, 0, (uint16_t)(RTE_PKTMBUF_HEADROOM + room),
							 socket);

	if (!mp)
		sb_fail(SB_EXIT_PORT, "mempool %s: %s (hugepages short? see -m / --socket-mem)", name,
			rte_strerror(rte_errno));
	return mp;
}

static void configure(struct io_dpdk *d, const struct sb_config *c)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int socket = rte_eth_dev_socket_id(d->port), r;

	if (socket < 0)
		socket = (int)SOCKET_ID_ANY;
	memset(&conf, 0, sizeof(conf));
	if ((r = rte_eth_dev_info_get(d->port, &info)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: %s", d->port, rte_strerror(-r));
	/* ethdev counts a frame as MTU + 18 (Ethernet header and FCS), as --size does. The receiver takes
	 * any frame size the port can, jumbo frames arriving as mbuf chains. */
	bool scatter = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER;
	unsigned frame = c->role == ROLE_SENDER ? c->size : FRAME_MAX < info.max_rx_pktlen ? FRAME_MAX : info.max_rx_pktlen;
	if (c->role == ROLE_SENDER && c->size > info.max_rx_pktlen)
		sb_fail(SB_EXIT_USAGE, "--size %u: port %u takes frames up to %u bytes", c->size, d->port,
			info.max_rx_pktlen);
	if (frame - 18 > RTE_ETHER_MTU && (scatter || c->role == ROLE_SENDER)) {
		conf.rxmode.mtu = frame - 18;
		if (scatter)
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	}
	if ((r = rte_eth_dev_configure(d->port, 1, 1, &conf)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: configure: %s", d->port, rte_strerror(-r));
	/* The receiver's pool is twice the sender's. With 8191 mbufs sb-receiver drained vhost-user at
	 * ~32 Mpps in some runs and at 22-27 in others (more than half of the benchmark's rounds; a perf
	 * sample put 21 % of the CPU in the vhost PMD's dequeue instead of 6 %), where testpmd rxonly with
	 * 32768 never slowed; with 16383 or 32767, 14 runs of 14 were fast. Why the size matters could not
	 * be seen without PMU counters. 40 MB fits the smallest hugepage allowance the tests use. */
	d->rx = pool("sb_rx", c->role == ROLE_RECEIVER ? POOL_RX_RECEIVER : POOL_RX_SENDER, POOL_CACHE,
		     RTE_MBUF_DEFAULT_DATAROOM, socket);
	if ((r = rte_eth_rx_queue_setup(d->port, 0, 0, (unsigned)socket, NULL, d->rx)) ||
	    (r = rte_eth_tx_queue_setup(d->port, 0, 0, (unsigned)socket, NULL)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: queue setup: %s", d->port, rte_strerror(-r));
	if (c->role == ROLE_SENDER) {
		unsigned room = d->len > RTE_MBUF_DEFAULT_DATAROOM ? d->len : RTE_MBUF_DEFAULT_DATAROOM;
		d->tx = pool("sb_tx", d->len > RTE_MBUF_DEFAULT_DATAROOM ? POOL_TX_JUMBO : POOL_TX, POOL_CACHE, room, socket);
		d->ctl = pool("sb_ctl", POOL_CTL, 0, FRAME_END_SIZE, socket);
		if (d->virtio_queue)
			d->probe = pool("sb_probe", POOL_PROBE(d->virtio_queue), 0, FRAME_MIN, socket);
	}
}

/* virtio-user reports its link up as soon as the vhost-user socket is connected, which says nothing
 * of whether the switch serves the rings yet: Snabb handles control messages on a 500 ms timer, so
 * the rings of a new connection stay unserved for up to half a second and the first frames fill the
 * ring. The trial's clock must not start before the switch takes frames, so the sender sends probe
 * frames (TAG_PROBE, which the receiver sets apart) until the ring has taken more of them than it
 * holds: the PMD reuses a descriptor only once the switch has returned it, so each frame beyond the
 * ring's size proves the switch took one. A burst a millisecond (32 kpps) keeps the probing short,
 * some 35 ms for a 1024-entry ring, and easy on a receiver that sleeps between polls. Returns the
 * number of probe frames sent, 0 when stopped by a signal. */
static uint64_t wait_for_switch(struct io_dpdk *d, const struct sb_config *c, const struct frame_addr *a, double until)
{
	uint8_t tmpl[FRAME_MIN];
	unsigned len = frame_build(tmpl, a, FRAME_MIN, TAG_PROBE);
	uint64_t sent = 0;

	while (sent <= d->virtio_queue) {
		struct rte_mbuf *m[PROBE_BURST];

		if (sb_stop)
			return 0;
		if (mono_s() >= until)
			sb_fail(SB_EXIT_PORT,
				"--port-id %u: the switch took no frame from the virtio-user ring in %gs (%" PRIu64
				" probe frames sent, the ring holds %u): its vhost-user side does not serve the port",
				d->port, c->link_timeout, sent, d->virtio_queue);
		/* the pool holds a ring and a burst more: empty only while the ring is full */
		if (!rte_pktmbuf_alloc_bulk(d->probe, m, PROBE_BURST)) {
			for (unsigned i = 0; i < PROBE_BURST; i++) {
				memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), tmpl, len);
				m[i]->data_len = (uint16_t)len;
				m[i]->pkt_len = len;
			}
			uint16_t n = rte_eth_tx_burst(d->port, 0, m, PROBE_BURST);
			if (n < PROBE_BURST)
				rte_pktmbuf_free_bulk(m + n, PROBE_BURST - n);
			sent += n;
		}
		sleep_ns(1000000);
	}
	return sent;
}

/* Warns once when EAL's memory grows after the port was set up: a vhost-user switch then gets a new
 * memory table while it serves the rings (eal_mem.h), which is what the reservation prevents. */
static void memory_grew(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	static bool warned;

	(void)addr;
	(void)arg;
	if (type == RTE_MEM_EVENT_ALLOC && !warned) {
		warned = true;
		sb_log("warning: hugepage memory grew by %zu bytes after the port was set up: a vhost-user switch gets "
		       "a second memory table (give a larger -m)",
		       len);
	}
}

/* Only the sender waits for the link, and on virtio-user for the switch: frames sent into a down
 * link or an unserved ring would be lost or refused before the trial starts. The receiver is ready
 * once started, since memif's link comes up only when the sender, its client, connects. */
static void start(struct io_dpdk *d, const struct sb_config *c, const struct frame_addr *a)
{
	struct rte_eth_link link;
	int r;

	rte_eth_promiscuous_enable(d->port); /* ENOTSUP on some vdevs, which accept everything anyway */
	if ((r = rte_eth_dev_start(d->port)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: start: %s", d->port, rte_strerror(-r));
	for (double until = mono_s() + c->link_timeout; c->role == ROLE_SENDER;) {
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(d->port, &link);
		if (link.link_status == RTE_ETH_LINK_UP) {
			if (d->virtio_queue)
				d->io.probes = wait_for_switch(d, c, a, until);
			return;
		}
		if (sb_stop)
			return;
		if (mono_s() >= until)
			sb_fail(SB_EXIT_PORT, "--port-id %u: link down after %gs (is the peer up?)", d->port,
				c->link_timeout);
		sleep_ns(10000000);
	}
}

static unsigned dpdk_send(struct io *io, uint64_t seq, unsigned n, uint64_t tsc)
{
	struct io_dpdk *d = (struct io_dpdk *)io;
	struct rte_mbuf *m[SB_BURST_MAX];
	uint16_t sent;

	/* A raw get, as testpmd's txonly does, not rte_pktmbuf_alloc_bulk. Every mbuf returns to the pool
	 * with one segment, no next and refcnt 1 (the free path guarantees it). Of the rest, the sender sets
	 * what a PMD may change: the data offset (virtio-user pushes its header into the headroom) and
	 * the lengths. The reset that alloc does also writes each mbuf's second cache line, and that cost
	 * a quarter of the vhost-user send rate (16.0 -> 21.5 Mpps into testpmd rxonly, bursts of 32).
	 * An empty pool means the ring still holds every mbuf: the same as a full ring. */
	if (rte_mempool_get_bulk(d->tx, (void **)m, n))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)m[i]->buf_addr + RTE_PKTMBUF_HEADROOM;

		m[i]->data_off = RTE_PKTMBUF_HEADROOM;
		/* The pool holds built frames, yet the headers are rewritten with the stamp, as txonly writes
		 * its frames whole: on virtio-user, with the 16-byte stamp as the only store into the frame's
		 * first line, the sender ran at 20.6 Mpps; with the headers too it outruns testpmd rxonly
		 * (32.7 Mpps, bursts of 32). Any second store into that line helped (28-33 Mpps); without PMU
		 * counters in the VM where this was measured, why could not be seen. */
		memcpy(p, d->tmpl, FRAME_HDRS);
		frame_stamp(p + FRAME_HDRS, seq + i, tsc);
		m[i]->data_len = (uint16_t)d->len;
		m[i]->pkt_len = d->len;
	}
	sent = rte_eth_tx_burst(d->port, 0, m, (uint16_t)n);
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	return sent;
}

static bool dpdk_send_end(struct io *io, const struct frame_end *e)
{
	struct io_dpdk *d = (struct io_dpdk *)io;
	struct rte_mbuf *m = rte_pktmbuf_alloc(d->ctl);

	if (!m)
		return false;
	frame_end_encode(d->end + FRAME_HDRS, e);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), d->end, d->end_len);
	m->data_len = (uint16_t)d->end_len;
	m->pkt_len = d->end_len;
	if (rte_eth_tx_burst(d->port, 0, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/* An mbuf rte_pktmbuf_free would put straight back into its pool has one reference, one segment
 * and its data in itself (not indirect, not external). refcnt and nb_segs sit between data_off and
 * port in the 8 bytes EAL calls rearm_data: one load gives the parse its data offset and the check
 * its fields, compared whole against the burst's first mbuf with refcnt and nb_segs set to 1. */
#define REARM_OFF offsetof(struct rte_mbuf, data_off)
#define REARM_REF_SEGS (0xffffffffull << 16)
#define REARM_PLAIN (1ull << 16 | 1ull << 32)
_Static_assert(offsetof(struct rte_mbuf, refcnt) == REARM_OFF + 2 && offsetof(struct rte_mbuf, nb_segs) == REARM_OFF + 4 &&
		       offsetof(struct rte_mbuf, port) == REARM_OFF + 6 && sizeof(((struct rte_mbuf *)0)->refcnt) == 2,
	       "data_off, refcnt, nb_segs, port: 16 bits each, in this order");

static inline uint64_t mbuf_rearm(const struct rte_mbuf *m)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)m + REARM_OFF, 8);
	return v;
}

/* Parses a non-empty burst in one pass (rxparse.h) and frees it: into the queue's pool in one put
 * when every mbuf is plain, which the rearm words and the OR of the flags show at the end, else
 * through rte_pktmbuf_free_bulk (jumbo chains). */
__attribute__((noinline)) static unsigned parse_burst(struct io_dpdk *d, struct rx_item *items, uint16_t n, struct frame_end *end)
{
	struct rte_mbuf **m = d->rxm;
	struct rxparse x;
	uint64_t plain = (mbuf_rearm(m[0]) & ~REARM_REF_SEGS) | REARM_PLAIN, any = 0, all = ~0ull, flags = 0;

	rxparse_init(&x, items, &d->match, end);
	/* No prefetch ahead of the parse: both memif and vhost-user copy each frame into its mbuf on this
	 * core within the rx call, so the data is in cache already. Prefetching 4 ahead cost vhost-user
	 * 4 % (31.9 against 33.2 Mpps) and changed nothing on memif. A VF's frames arrive by DMA, which
	 * Intel's DDIO places in the last-level cache; that path has no hardware here to measure on. */
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *b = m[i];
		uint64_t r = mbuf_rearm(b);

		/* all equal to plain exactly when the OR and the AND of them both are */
		any |= r;
		all &= r;
		flags |= b->ol_flags;
		rxparse_frame(&x, (const uint8_t *)b->buf_addr + (uint16_t)r, b->data_len, b->pkt_len);
	}
	/* The per-lcore cache put, inline: the PMD took these from the queue's pool. */
	if (likely(any == plain && all == plain && !(flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL))))
		rte_mempool_put_bulk(d->rx, (void **)m, n);
	else
		rte_pktmbuf_free_bulk(m, n);
	return rxparse_finish(&x);
}

/* An empty poll returns before anything else: at saturation the sink outruns its ring at times and
 * polls empty more often than not. */
static unsigned dpdk_recv(struct io *io, struct rx_item *items, unsigned max, struct frame_end *end)
{
	struct io_dpdk *d = (struct io_dpdk *)io;
	uint16_t n = rte_eth_rx_burst(d->port, 0, d->rxm, (uint16_t)max);

	if (!n)
		return 0;
	d->idle_ns = IDLE_MIN_NS;
	return parse_burst(d, items, n, end);
}

static void dpdk_idle(struct io *io, uint64_t max_ns)
{
	struct io_dpdk *d = (struct io_dpdk *)io;

	sleep_ns(d->idle_ns < max_ns ? d->idle_ns : max_ns);
	if (d->idle_ns < IDLE_MAX_NS)
		d->idle_ns *= 2;
}

static uint64_t dpdk_local_drops(struct io *io)
{
	struct io_dpdk *d = (struct io_dpdk *)io;
	struct rte_eth_stats st;

	if (rte_eth_stats_get(d->port, &st))
		return 0;
	return st.imissed + st.rx_nombuf;
}

/* Longer than the receiver's linger after the end marker (0.5 s by default) plus its summary. */
#define MEMIF_SENDER_HOLD_NS 1500000000ull

static void dpdk_close(struct io *io)
{
	struct io_dpdk *d = (struct io_dpdk *)io;

	/* DPDK 22.11's memif PMD unmaps the shared rings when the peer disconnects while the receiver may
	 * still be reading them: a receiver lingering after the end marker segfaulted in librte_net_memif
	 * as its sender closed. The sender, memif's client, keeps the connection until the receiver is
	 * done; the receiver, the server, then closes first. */
	if (d->memif_sender && !sb_stop)
		sleep_ns(MEMIF_SENDER_HOLD_NS);
	rte_eth_dev_stop(d->port);
	rte_eth_dev_close(d->port);
	rte_eal_cleanup();
	free(d);
}

static const struct io_ops dpdk_ops = {
	.send = dpdk_send,
	.send_end = dpdk_send_end,
	.recv = dpdk_recv,
	.idle = dpdk_idle,
	.local_drops = dpdk_local_drops,
	.close = dpdk_close,
};

struct io *io_dpdk_open(const struct sb_config *c, const struct cpu_plan *cpu)
{
	struct io_dpdk *d = calloc(1, sizeof(*d));
	struct frame_addr a = c->addr;
	int argc;
	unsigned virtio_queue;
	char **argv = eal_args(c, cpu, &argc, &virtio_queue);
	struct rte_eth_dev_info info;

	if (!d)
		sb_fail(SB_EXIT_INTERNAL, "out of memory");
	d->io.ops = &dpdk_ops;
	d->port = (uint16_t)c->port_id;
	rxmatch_init(&d->match, c->addr.dst_port);
	d->idle_ns = IDLE_MIN_NS;
	rte_openlog_stream(stderr);
	if (rte_eal_init(argc, argv) < 0)
		sb_fail(rte_errno == EINVAL ? SB_EXIT_USAGE : SB_EXIT_PORT, "EAL arguments after --: %s",
			rte_strerror(rte_errno));
	if (!rte_eth_dev_is_valid_port(d->port) && c->pci_env)
		sb_fail(SB_EXIT_PORT, "--pci-from-env %s=%s: DPDK found no port on it: the device does not exist on this "
				      "node, or is not bound to a driver DPDK can use (vfio-pci)", c->pci_env, getenv(c->pci_env));
	if (!rte_eth_dev_is_valid_port(d->port))
		sb_fail(SB_EXIT_PORT, "--port-id %u: no such DPDK port (%u probed; check --vdev/-a)", d->port,
			rte_eth_dev_count_avail());
	if (rte_eth_dev_info_get(d->port, &info) == 0 && info.driver_name && !strcmp(info.driver_name, "net_virtio_user"))
		d->virtio_queue = virtio_queue;
	d->memif_sender = c->role == ROLE_SENDER && info.driver_name && !strcmp(info.driver_name, "net_memif");
	if (c->role == ROLE_SENDER) {
		struct rte_ether_addr mac;
		if (!c->src_mac_set && rte_eth_macaddr_get(d->port, &mac) == 0)
			memcpy(a.src_mac, mac.addr_bytes, 6);
		d->len = frame_build(d->tmpl, &a, c->size, TAG_DATA);
	}
	configure(d, c);
	if (c->role == ROLE_SENDER) {
		rte_mempool_obj_iter(d->tx, init_frame, d);
		d->end_len = frame_build(d->end, &a, FRAME_END_SIZE, TAG_END);
	}
	start(d, c, &a);
	rte_mem_event_callback_register("sb-memory-grew", memory_grew, NULL);
	return &d->io;
}
