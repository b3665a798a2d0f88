/* DPDK backend: any EAL port (virtio-user to a vhost-user socket, memif, a PCI VF). EAL arguments
 * after "--" are passed through; CPU placement is ours, from the allowed set. */
#include <errno.h>
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

#include "fail.h"
#include "io.h"
#include "pci_env.h"
#include "rxparse.h"
#include "runtime.h"

#define POOL_CACHE 256u
/* Shared-CPU mode backs off from 16 us to 256 us on an empty poll: at 100 kpps even a 256-entry
 * virtio ring holds 2.5 ms of traffic, and any traffic resets the back-off. */
#define IDLE_MIN_NS 16000u
#define IDLE_MAX_NS 256000u

struct io_dpdk {
	struct io io;
	uint16_t port;
	unsigned len;
	struct rte_mempool *tx; /* every mbuf pre-built as a data frame (the tail past the stamp is never rewritten) */
	struct rte_mempool *rx;
	struct rte_mempool *ctl; /* end markers, apart so data mbufs keep their template */
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

static char **eal_args(const struct sb_config *c, const struct cpu_plan *cpu, int *argc)
{
	static char lcores[300];
	static struct pci_list pci;
	char list[256];
	char **v = calloc((size_t)c->eal_argc + 5 + 2 * PCI_ENV_MAX, sizeof(char *));
	int n = 0;

	if (!v)
		sb_fail(SB_EXIT_INTERNAL, "out of memory");
	cpu_list_format(&cpu->use, list, sizeof(list));
	snprintf(lcores, sizeof(lcores), "0@(%s)", list);
	v[n++] = (char *)sb_prog;
	v[n++] = "--lcores";
	v[n++] = lcores;
	/* EAL's informational lines would bury the one-line diagnostics; a later --log-level wins. */
	v[n++] = "--log-level=warning";
	for (int i = 0; i < c->eal_argc; i++) {
		const char *a = c->eal_argv[i];

		if ((a[0] == '-' && (a[1] == 'l' || a[1] == 'c' || a[1] == 's' || a[1] == 'S')) ||
		    starts(a, "--lcores") || starts(a, "--main-lcore") || starts(a, "--service-c"))
			sb_fail(SB_EXIT_USAGE, "EAL argument %s: CPUs come from the allowed set and --cpus", a);
		if (!strcmp(a, "--vdev") && i + 1 < c->eal_argc)
			wait_vhost_socket(c->eal_argv[i + 1], c->link_timeout);
		else if (starts(a, "--vdev="))
			wait_vhost_socket(a + strlen("--vdev="), c->link_timeout);
		v[n++] = c->eal_argv[i];
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
	d->rx = pool("sb_rx", c->role == ROLE_RECEIVER ? 16383 : 8191, POOL_CACHE, RTE_MBUF_DEFAULT_DATAROOM, socket);
	if ((r = rte_eth_rx_queue_setup(d->port, 0, 0, (unsigned)socket, NULL, d->rx)) ||
	    (r = rte_eth_tx_queue_setup(d->port, 0, 0, (unsigned)socket, NULL)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: queue setup: %s", d->port, rte_strerror(-r));
	if (c->role == ROLE_SENDER) {
		unsigned room = d->len > RTE_MBUF_DEFAULT_DATAROOM ? d->len : RTE_MBUF_DEFAULT_DATAROOM;
		d->tx = pool("sb_tx", d->len > RTE_MBUF_DEFAULT_DATAROOM ? 4095 : 8191, POOL_CACHE, room, socket);
		d->ctl = pool("sb_ctl", 63, 0, FRAME_END_SIZE, socket);
	}
}

/* Only the sender waits for the link: frames sent into a down link would be lost before the trial
 * starts. The receiver is ready once started, since memif's link comes up only when the sender, its
 * client, connects. */
static void start(struct io_dpdk *d, const struct sb_config *c)
{
	struct rte_eth_link link;
	int r;

	rte_eth_promiscuous_enable(d->port); /* ENOTSUP on some vdevs, which accept everything anyway */
	if ((r = rte_eth_dev_start(d->port)))
		sb_fail(SB_EXIT_PORT, "--port-id %u: start: %s", d->port, rte_strerror(-r));
	for (double until = mono_s() + c->link_timeout; c->role == ROLE_SENDER;) {
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(d->port, &link);
		if (link.link_status == RTE_ETH_LINK_UP || sb_stop)
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

static void dpdk_close(struct io *io)
{
	struct io_dpdk *d = (struct io_dpdk *)io;

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
	char **argv = eal_args(c, cpu, &argc);

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
	start(d, c);
	return &d->io;
}
