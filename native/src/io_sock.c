/* Kernel socket backends, the four variants of the paper's Table 1: UDP or raw AF_PACKET sockets,
 * one system call per packet (send/recv) or per vector (sendmmsg/recvmmsg, vector = burst). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/sock_diag.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fail.h"
#include "io.h"
#include "neigh.h"
#include "runtime.h"

/* A receiver reads only what it parses; MSG_TRUNC still reports each frame's real length, so
 * large frames cost the kernel no copy beyond this. */
#define RX_CAP 128u

struct io_sock {
	struct io io;
	int fd;
	bool raw, mmsg, sender;
	unsigned len;  /* bytes per sent frame (raw) or datagram (udp) */
	unsigned off;  /* where our payload starts in a buffer */
	unsigned stride;
	uint16_t dst_port_be;
	struct sockaddr_ll sll;
	uint8_t *buf;
	struct iovec *iov;
	struct mmsghdr *msgs;
	uint8_t end[FRAME_END_SIZE];
	unsigned end_len;
	char iface[IFNAMSIZ];
	uint64_t if_rx_dropped_at_open; /* UINT64_MAX: the interface keeps no such counter we can read */
};

/* The kernel's rx_dropped of the receiver's interface, in the program's own network namespace. */
static uint64_t if_rx_dropped(const char *iface)
{
	char path[96];
	unsigned long long n;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_dropped", iface);
	f = fopen(path, "re");
	if (!f)
		return UINT64_MAX;
	int got = fscanf(f, "%llu", &n);
	fclose(f);
	return got == 1 ? n : UINT64_MAX;
}

static int ifreq_ioctl(const char *iface, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", iface);
	r = s < 0 ? -1 : ioctl(s, req, ifr);
	if (s >= 0)
		close(s);
	return r;
}

static void wait_link(const struct sb_config *c)
{
	double until = mono_s() + c->link_timeout;
	struct ifreq ifr;

	for (;;) {
		if (ifreq_ioctl(c->iface, SIOCGIFFLAGS, &ifr))
			sb_fail(SB_EXIT_PORT, "--iface %s: %s", c->iface, strerror(errno));
		if ((ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING))
			return;
		if (sb_stop || mono_s() >= until)
			sb_fail(sb_stop ? SB_EXIT_INTERRUPTED : SB_EXIT_PORT, "--iface %s: link down after %gs",
				c->iface, c->link_timeout);
		sleep_ns(10000000);
	}
}

static void opt_buf(int fd, bool rx, unsigned bytes)
{
	int v = (int)bytes;

	/* FORCE lifts the rmem_max/wmem_max cap when we may (CAP_NET_ADMIN); otherwise take the cap. */
	if (setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, rx ? SO_RCVBUF : SO_SNDBUF, &v, sizeof(v));
}

static int udp_socket(const struct sb_config *c, uint32_t ip, uint16_t port_be)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = port_be, .sin_addr.s_addr = ip};

	if (fd < 0)
		sb_fail(SB_EXIT_PORT, "--backend udp: socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->iface, (socklen_t)strlen(c->iface)))
		sb_fail(SB_EXIT_PORT, "--iface %s: SO_BINDTODEVICE: %s", c->iface, strerror(errno));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		sb_fail(SB_EXIT_PORT, "%s %u: bind: %s", c->role == ROLE_SENDER ? "--src-port" : "--dst-port",
			ntohs(port_be), strerror(errno));
	return fd;
}

static void setup_udp_sender(struct io_sock *s, const struct sb_config *c)
{
	int pmtu = IP_PMTUDISC_DO;
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = c->addr.dst_port, .sin_addr.s_addr = c->addr.dst_ip};

	s->fd = udp_socket(c, c->src_ip_set ? c->addr.src_ip : htonl(INADDR_ANY), c->addr.src_port);
	/* A frame that does not fit the MTU must fail loudly rather than be fragmented. */
	setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (connect(s->fd, (struct sockaddr *)&dst, sizeof(dst)))
		sb_fail(SB_EXIT_PORT, "--dst-ip: connect: %s", strerror(errno));
	opt_buf(s->fd, false, c->sock_buf);
	s->len = c->size - FRAME_HDRS - FRAME_FCS;
	s->off = 0;
	s->buf[0] = TAG_DATA & 0xff;
	s->buf[1] = TAG_DATA >> 8;
	s->end_len = FRAME_END_SIZE - FRAME_HDRS - FRAME_FCS;
}

static void setup_raw_sender(struct io_sock *s, const struct sb_config *c, int ifindex)
{
	struct frame_addr a = c->addr;
	struct ifreq ifr;

	if (!c->src_mac_set) {
		if (ifreq_ioctl(c->iface, SIOCGIFHWADDR, &ifr))
			sb_fail(SB_EXIT_PORT, "--iface %s: no MAC address: %s", c->iface, strerror(errno));
		memcpy(a.src_mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (!c->src_ip_set) {
		if (ifreq_ioctl(c->iface, SIOCGIFADDR, &ifr))
			sb_fail(SB_EXIT_USAGE, "--src-ip: %s has no IPv4 address, give one", c->iface);
		a.src_ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr;
	}
	/* Routed (a receiver on another node): the gateway takes only frames addressed to it. */
	if (c->dst_mac_resolve)
		neigh_resolve(c->iface, c->addr.dst_ip, c->link_timeout, a.dst_mac);
	/* Protocol 0: this socket never receives, so nothing queues up behind a sender that never reads. */
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		sb_fail(SB_EXIT_PORT, "--backend raw: socket: %s", strerror(errno));
	opt_buf(s->fd, false, c->sock_buf);
	s->sll.sll_family = AF_PACKET;
	s->sll.sll_protocol = htons(ETH_P_IP);
	s->sll.sll_ifindex = ifindex;
	s->sll.sll_halen = 6;
	memcpy(s->sll.sll_addr, a.dst_mac, 6);
	s->len = frame_build(s->buf, &a, c->size, TAG_DATA);
	s->off = FRAME_HDRS;
	s->end_len = frame_build(s->end, &a, FRAME_END_SIZE, TAG_END);
}

/* A raw receiver leaves the frames to the IP stack as well, as the paper's did: with no UDP socket
 * on the port the stack answers with (rate-limited) ICMP port-unreachable, which a raw sender never
 * reads and a connected UDP sender sees as an occasional ECONNREFUSED, counted as a tx failure. */
static void setup_receiver(struct io_sock *s, const struct sb_config *c, int ifindex)
{
	if (!s->raw) {
		s->fd = udp_socket(c, c->dst_ip_set ? c->addr.dst_ip : htonl(INADDR_ANY), c->addr.dst_port);
	} else {
		struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindex};
		int one = 1;

		/* Protocol 0 until bind, so frames of other interfaces never reach this socket. */
		s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)))
			sb_fail(SB_EXIT_PORT, "--backend raw: packet socket on %s: %s", c->iface, strerror(errno));
		setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	}
	opt_buf(s->fd, true, c->sock_buf);
}

static unsigned sock_send(struct io *io, uint64_t seq, unsigned n, uint64_t tsc)
{
	struct io_sock *s = (struct io_sock *)io;
	unsigned i;

	for (i = 0; i < n; i++)
		frame_stamp(s->buf + (size_t)i * s->stride + s->off, seq + i, tsc);
	if (s->mmsg) {
		int r = sendmmsg(s->fd, s->msgs, n, MSG_DONTWAIT);
		return r < 0 ? 0 : (unsigned)r;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *b = s->buf + (size_t)i * s->stride;
		ssize_t r = s->raw ? sendto(s->fd, b, s->len, MSG_DONTWAIT, (struct sockaddr *)&s->sll, sizeof(s->sll))
				   : send(s->fd, b, s->len, MSG_DONTWAIT);
		if (r < 0)
			break;
	}
	return i;
}

static bool sock_send_end(struct io *io, const struct frame_end *e)
{
	struct io_sock *s = (struct io_sock *)io;
	uint8_t *pl = s->end + (s->raw ? FRAME_HDRS : 0);
	ssize_t r;

	if (!s->raw) {
		memset(s->end, 0, s->end_len);
		pl[0] = TAG_END & 0xff;
		pl[1] = TAG_END >> 8;
	}
	frame_end_encode(pl, e);
	r = s->raw ? sendto(s->fd, s->end, s->end_len, MSG_DONTWAIT, (struct sockaddr *)&s->sll, sizeof(s->sll))
		   : send(s->fd, s->end, s->end_len, MSG_DONTWAIT);
	return r == (ssize_t)s->end_len;
}

static void parse(const struct io_sock *s, const uint8_t *b, size_t len, struct rx_item *it, struct frame_end *end)
{
	uint32_t cap = len < RX_CAP ? (uint32_t)len : RX_CAP;

	if (s->raw) {
		frame_parse_l2(b, cap, (uint32_t)len, s->dst_port_be, it, end);
	} else {
		it->wire = (uint32_t)len + FRAME_HDRS + FRAME_FCS;
		frame_parse_payload(b, cap, it, end);
	}
}

static unsigned sock_recv(struct io *io, struct rx_item *items, unsigned max, struct frame_end *end)
{
	struct io_sock *s = (struct io_sock *)io;
	unsigned i;

	if (s->mmsg) {
		int r = recvmmsg(s->fd, s->msgs, max, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (r <= 0)
			return 0;
		for (i = 0; i < (unsigned)r; i++)
			parse(s, s->buf + (size_t)i * s->stride, s->msgs[i].msg_len, &items[i], end);
		return (unsigned)r;
	}
	for (i = 0; i < max; i++) {
		uint8_t *b = s->buf + (size_t)i * s->stride;
		ssize_t r = recv(s->fd, b, RX_CAP, MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0)
			break;
		parse(s, b, (size_t)r, &items[i], end);
	}
	return i;
}

static void sock_idle(struct io *io, uint64_t max_ns)
{
	struct io_sock *s = (struct io_sock *)io;
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	struct timespec t = {.tv_sec = (time_t)(max_ns / 1000000000u), .tv_nsec = (long)(max_ns % 1000000000u)};

	ppoll(&p, 1, &t, NULL);
}

static uint64_t sock_local_drops(struct io *io)
{
	struct io_sock *s = (struct io_sock *)io;
	uint32_t mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);

	uint64_t drops = 0, now = if_rx_dropped(s->iface);

	if (!getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		drops = mem[SK_MEMINFO_DROPS];
	/* What the interface dropped before the socket saw it (backlog full; it also counts frames of
	 * protocols nobody listens to, so this is evidence of the receiver's side, capped by the loss). */
	if (s->if_rx_dropped_at_open != UINT64_MAX && now != UINT64_MAX && now >= s->if_rx_dropped_at_open)
		drops += now - s->if_rx_dropped_at_open;
	return drops;
}

static void sock_close(struct io *io)
{
	struct io_sock *s = (struct io_sock *)io;

	close(s->fd);
	free(s->buf);
	free(s->iov);
	free(s->msgs);
	free(s);
}

static const struct io_ops sock_ops = {
	.send = sock_send,
	.send_end = sock_send_end,
	.recv = sock_recv,
	.idle = sock_idle,
	.local_drops = sock_local_drops,
	.close = sock_close,
};

struct io *io_sock_open(const struct sb_config *c)
{
	struct io_sock *s = calloc(1, sizeof(*s));
	int ifindex = (int)if_nametoindex(c->iface);
	struct ifreq ifr;

	if (!s)
		sb_fail(SB_EXIT_INTERNAL, "out of memory");
	if (!ifindex)
		sb_fail(SB_EXIT_PORT, "--iface %s: no such network interface", c->iface);
	s->io.ops = &sock_ops;
	s->raw = c->backend == BACKEND_RAW;
	s->mmsg = c->batching == BATCH_MMSG;
	s->sender = c->role == ROLE_SENDER;
	s->dst_port_be = c->addr.dst_port;
	snprintf(s->iface, sizeof(s->iface), "%s", c->iface);
	s->if_rx_dropped_at_open = if_rx_dropped(c->iface);
	if (s->sender) {
		if (ifreq_ioctl(c->iface, SIOCGIFMTU, &ifr) == 0 && (unsigned)ifr.ifr_mtu + 18 < c->size)
			sb_fail(SB_EXIT_USAGE, "--size %u: needs an MTU of %u, %s has %d", c->size, c->size - 18, c->iface,
				ifr.ifr_mtu);
		s->stride = c->size;
	} else {
		s->stride = RX_CAP;
	}
	s->buf = calloc(c->burst, s->stride);
	s->iov = calloc(c->burst, sizeof(*s->iov));
	s->msgs = calloc(c->burst, sizeof(*s->msgs));
	if (!s->buf || !s->iov || !s->msgs)
		sb_fail(SB_EXIT_INTERNAL, "out of memory");
	wait_link(c);
	if (!s->sender)
		setup_receiver(s, c, ifindex);
	else if (s->raw)
		setup_raw_sender(s, c, ifindex);
	else
		setup_udp_sender(s, c);
	for (unsigned i = 0; i < c->burst; i++) {
		uint8_t *b = s->buf + (size_t)i * s->stride;

		if (s->sender && i > 0)
			memcpy(b, s->buf, s->len);
		s->iov[i].iov_base = b;
		s->iov[i].iov_len = s->sender ? s->len : RX_CAP;
		s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
		s->msgs[i].msg_hdr.msg_iovlen = 1;
		if (s->sender && s->raw) {
			s->msgs[i].msg_hdr.msg_name = &s->sll;
			s->msgs[i].msg_hdr.msg_namelen = sizeof(s->sll);
		}
	}
	return &s->io;
}
