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
#include <rte_prefetch.h>

#include "fail.h"
#include "io.h"
#include "pci_env.h"
#include "runtime.h"

#define POOL_CACHE 256u
/* Shared-CPU mode backs off from 16 us to 256 us on an empty poll: at 100 kpps even a 256-entry
 * virtio ring holds 2.5 ms of traffic, and any traffic resets the back-off. */
#define IDLE_MIN_NS 16000u
#define IDLE_MAX_NS 256000u
#define PREFETCH_AHEAD 4u

struct io_dpdk {
	struct io io;
	uint16_t port;
	uint16_t dst_port_be;
	unsigned len;
	struct rte_mempool *tx; /* every mbuf pre-built as a data frame: a burst only stamps 16 bytes */
	struct rte_mempool *rx;
	struct rte_mempool *ctl; /* end markers, apart so data mbufs keep their template */
	uint8_t end[FRAME_END_SIZE];
	unsigned end_len;
	uint64_t idle_ns;
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
	d->rx = pool("sb_rx", 8191, POOL_CACHE, RTE_MBUF_DEFAULT_DATAROOM, socket);
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

	/* An empty pool means the ring still holds every mbuf: the same as a full ring. */
	if (rte_pktmbuf_alloc_bulk(d->tx, m, n))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		frame_stamp(rte_pktmbuf_mtod(m[i], uint8_t *) + FRAME_HDRS, seq + i, tsc);
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

/* Non-zero unless m is what rte_pktmbuf_free would put straight back into the queue's pool: one
 * segment, one reference, data in the mbuf itself (a received frame always is, unless it is a jumbo
 * chain). refcnt and nb_segs are adjacent, so one 32-bit compare covers both. */
static inline uint64_t mbuf_not_plain(const struct rte_mbuf *m)
{
	uint32_t ref_segs;

	memcpy(&ref_segs, &m->refcnt, 4);
	return (ref_segs ^ (1u | 1u << 16)) | (m->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL));
}
_Static_assert(offsetof(struct rte_mbuf, nb_segs) == offsetof(struct rte_mbuf, refcnt) + 2, "refcnt, nb_segs adjacent");
_Static_assert(sizeof(((struct rte_mbuf *)0)->refcnt) == 2, "16-bit refcnt");

/* The receive loop's state within one burst: the data run being grown, kept in registers. no_run
 * is non-zero while there is none, folded into the run test so that it costs no extra branch. */
struct rx_parse {
	struct rx_item *items, *run;
	unsigned k;
	uint64_t want_seq, run_tsc, no_run;
	uint16_t dst_port_be;
	uint64_t not_plain;
	struct frame_end *end;
};

static inline void close_run(struct rx_parse *x)
{
	if (!x->no_run)
		x->run->n = (uint16_t)(x->want_seq - x->run->seq);
}

/* One frame: a data frame that continues the run (the next sequence number, the same stamp) costs
 * a compare and an increment; any other frame closes the run and opens an item. */
static inline void parse_one(struct rx_parse *x, const struct rte_mbuf *b)
{
	const uint8_t *p = rte_pktmbuf_mtod(b, const uint8_t *);

	x->not_plain |= mbuf_not_plain(b);
	if (likely(frame_is_data(p, b->data_len, x->dst_port_be))) {
		uint64_t seq = frame_seq(p), tsc = frame_tsc(p);

		if (likely(((seq ^ x->want_seq) | (tsc ^ x->run_tsc) | x->no_run) == 0)) {
			x->want_seq++;
			return;
		}
		close_run(x);
		x->run = &x->items[x->k++];
		*x->run = (struct rx_item){.seq = seq, .tsc = tsc, .wire = b->pkt_len + FRAME_FCS, .kind = RX_DATA};
		x->want_seq = seq + 1;
		x->run_tsc = tsc;
		x->no_run = 0;
		return;
	}
	close_run(x);
	x->no_run = 1;
	frame_parse_l2(p, b->data_len, b->pkt_len, x->dst_port_be, &x->items[x->k++], x->end);
}

/* Parses a burst in one pass into items, a sender burst's frames growing one item, and returns the
 * number of items. Checks and frees are inline: a call per frame into another object (as
 * rte_pktmbuf_free_bulk's walk is) costs more instructions here than the whole parse. */
static unsigned dpdk_recv(struct io *io, struct rx_item *items, unsigned max, struct frame_end *end)
{
	struct io_dpdk *d = (struct io_dpdk *)io;
	struct rte_mbuf *m[SB_BURST_MAX];
	uint16_t n = rte_eth_rx_burst(d->port, 0, m, (uint16_t)max), i = 0;
	struct rx_parse x = {.items = items, .no_run = 1, .dst_port_be = d->dst_port_be, .end = end};

	if (!n)
		return 0;
	d->idle_ns = IDLE_MIN_NS;
	/* A peer on another core (virtio-user's vhost side) wrote these frames: keep a few cache misses
	 * in flight ahead of the parse. */
	for (uint16_t j = 0; j < n && j < PREFETCH_AHEAD; j++)
		rte_prefetch0(rte_pktmbuf_mtod(m[j], void *));
	for (; i + PREFETCH_AHEAD < n; i++) {
		rte_prefetch0(rte_pktmbuf_mtod(m[i + PREFETCH_AHEAD], void *));
		parse_one(&x, m[i]);
	}
	for (; i < n; i++)
		parse_one(&x, m[i]);
	close_run(&x);
	/* The per-lcore cache put, inline: the PMD took these from the queue's pool. */
	if (likely(!x.not_plain))
		rte_mempool_put_bulk(d->rx, (void **)m, n);
	else
		rte_pktmbuf_free_bulk(m, n);
	return x.k;
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
	d->dst_port_be = c->addr.dst_port;
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
