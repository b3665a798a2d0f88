#include "args.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "pci_env.h"

enum opt_id {
	O_BACKEND, O_BATCHING, O_IFACE, O_PORT_ID, O_SRC_MAC, O_DST_MAC, O_SRC_IP, O_DST_IP, O_SRC_PORT,
	O_DST_PORT, O_SIZE, O_BURST, O_RATE, O_DURATION, O_WARMUP, O_WINDOW, O_SAMPLE, O_CPU_MODE, O_CPUS,
	O_SUMMARY, O_LINK_TIMEOUT, O_START_TIMEOUT, O_LINGER, O_GRACE, O_SOCK_BUF, O_MAX_PPS, O_SWITCH_COUNTERS,
	O_PCI_ENV,
};

#define BOTH (ROLE_SENDER | ROLE_RECEIVER)

static const struct opt {
	const char *name;
	enum opt_id id;
	unsigned roles;
	const char *help;
} opts[] = {
	{"--backend", O_BACKEND, BOTH, "dpdk|udp|raw (default dpdk)"},
	{"--batching", O_BATCHING, BOTH, "udp/raw: single (send/recv) or mmsg (sendmmsg/recvmmsg, default)"},
	{"--iface", O_IFACE, BOTH, "udp/raw: network interface"},
	{"--port-id", O_PORT_ID, BOTH, "dpdk: ethdev port (default 0)"},
	{"--pci-from-env", O_PCI_ENV, BOTH, "dpdk: allow (-a) the PCI devices listed in this environment variable"},
	{"--src-mac", O_SRC_MAC, ROLE_SENDER, "dpdk/raw: source MAC (default: the port's)"},
	{"--dst-mac", O_DST_MAC, ROLE_SENDER,
	 "dpdk/raw: destination MAC (default ff:ff:ff:ff:ff:ff); raw: resolve = the next hop's toward --dst-ip"},
	{"--src-ip", O_SRC_IP, ROLE_SENDER, "source IPv4 (default: the interface's; dpdk 10.0.0.1)"},
	{"--dst-ip", O_DST_IP, BOTH, "destination IPv4 (udp/raw sender: required; receiver: bind address)"},
	{"--src-port", O_SRC_PORT, ROLE_SENDER, "UDP source port (default 5000)"},
	{"--dst-port", O_DST_PORT, BOTH, "UDP destination port (default 5000)"},
	{"--size", O_SIZE, ROLE_SENDER, "frame size, 64..9000 bytes including the 4-byte FCS (default 64)"},
	{"--burst", O_BURST, BOTH, "packets per burst / vector length, 1..512 (sender 16, receiver 32)"},
	{"--rate", O_RATE, ROLE_SENDER, "offered packets per second; 0 = as fast as possible (required)"},
	{"--duration", O_DURATION, BOTH, "trial seconds, warm-up included (default 60)"},
	{"--warmup", O_WARMUP, BOTH, "seconds discarded at the start (default 20)"},
	{"--window", O_WINDOW, BOTH, "measured seconds after the warm-up (default min(20, duration - warmup))"},
	{"--sample-interval", O_SAMPLE, BOTH, "seconds per sample (default 1)"},
	{"--cpu-mode", O_CPU_MODE, BOTH, "dedicated (busy-poll one CPU, default) or shared (sleep when paced/idle)"},
	{"--cpus", O_CPUS, BOTH, "cpu list within the allowed set (default: the allowed set)"},
	{"--summary-file", O_SUMMARY, BOTH, "also write the JSON summary here (e.g. /dev/termination-log)"},
	{"--link-timeout", O_LINK_TIMEOUT, BOTH, "seconds to wait for the port, socket or link (default 30)"},
	{"--start-timeout", O_START_TIMEOUT, ROLE_RECEIVER, "seconds to wait for the first packet (default 60)"},
	{"--linger", O_LINGER, ROLE_RECEIVER, "seconds to keep receiving after the end marker (default 0.5)"},
	{"--grace", O_GRACE, ROLE_RECEIVER, "seconds past duration to wait for a lost end marker (default 5)"},
	{"--sock-buf", O_SOCK_BUF, BOTH, "udp/raw: socket buffer bytes (default 4194304)"},
	{"--max-pps", O_MAX_PPS, ROLE_RECEIVER, "take at most this many frames per second, like a slower network function"},
	{"--switch-counters", O_SWITCH_COUNTERS, BOTH,
	 "ask the switch for the counters of this program's port in this directory before and after the trial"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void usage(enum sb_role role)
{
	printf("usage: %s [--name value]... [-- EAL arguments (dpdk backend)]\n", sb_prog);
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].roles & role)
			printf("  %-18s %s\n", opts[i].name, opts[i].help);
	printf("  %-18s %s\n", "--check-args", "check the arguments as a run would, then exit (0: accepted, 2: refused)");
	printf("exit codes: 0 completed, 1 internal error, 2 bad arguments, 3 port/interface not up,\n"
	       "            4 interrupted, 5 no traffic (receiver)\n");
}

static unsigned long long uint_arg(const char *name, const char *v, unsigned long long lo,
				   unsigned long long hi, const char *what)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || n < lo || n > hi)
		sb_fail(SB_EXIT_USAGE, "%s %s: must be an integer from %llu to %llu%s", name, v, lo, hi, what);
	return n;
}

static double num_arg(const char *name, const char *v, double lo, double hi, bool lo_open, const char *what)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d) || d < lo || d > hi || (lo_open && d == lo))
		sb_fail(SB_EXIT_USAGE, "%s %s: must be a number %s %g and <= %g%s", name, v, lo_open ? ">" : ">=",
			lo, hi, what);
	return d;
}

static void mac_arg(const char *name, const char *v, uint8_t *mac)
{
	int n = -1;

	if (sscanf(v, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
		   &mac[5], &n) != 6 || n != (int)strlen(v))
		sb_fail(SB_EXIT_USAGE, "%s %s: not a MAC address (aa:bb:cc:dd:ee:ff)", name, v);
}

static uint32_t ip_arg(const char *name, const char *v)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1)
		sb_fail(SB_EXIT_USAGE, "%s %s: not an IPv4 address", name, v);
	return a.s_addr;
}

static void set(struct sb_config *c, const struct opt *o, const char *v, bool *batching_set, bool *window_set)
{
	const char *n = o->name;

	switch (o->id) {
	case O_BACKEND:
		if (!strcmp(v, "dpdk"))
			c->backend = BACKEND_DPDK;
		else if (!strcmp(v, "udp"))
			c->backend = BACKEND_UDP;
		else if (!strcmp(v, "raw"))
			c->backend = BACKEND_RAW;
		else
			sb_fail(SB_EXIT_USAGE, "%s %s: must be dpdk, udp or raw", n, v);
		break;
	case O_BATCHING:
		if (!strcmp(v, "single"))
			c->batching = BATCH_SINGLE;
		else if (!strcmp(v, "mmsg"))
			c->batching = BATCH_MMSG;
		else
			sb_fail(SB_EXIT_USAGE, "%s %s: must be single or mmsg", n, v);
		*batching_set = true;
		break;
	case O_IFACE:
		if (!*v || strlen(v) >= 16 || strchr(v, '/'))
			sb_fail(SB_EXIT_USAGE, "%s %s: not an interface name", n, v);
		c->iface = v;
		break;
	case O_PORT_ID: c->port_id = (unsigned)uint_arg(n, v, 0, 1023, ""); break;
	case O_PCI_ENV:
		if (!pci_env_name_valid(v))
			sb_fail(SB_EXIT_USAGE, "%s %s: not an environment variable name (A-Z, 0-9, _, -)", n, v);
		c->pci_env = v;
		break;
	case O_SRC_MAC: mac_arg(n, v, c->addr.src_mac); c->src_mac_set = true; break;
	case O_DST_MAC:
		if (!strcmp(v, "resolve"))
			c->dst_mac_resolve = true;
		else
			mac_arg(n, v, c->addr.dst_mac);
		break;
	case O_SRC_IP: c->addr.src_ip = ip_arg(n, v); c->src_ip_set = true; break;
	case O_DST_IP: c->addr.dst_ip = ip_arg(n, v); c->dst_ip_set = true; break;
	case O_SRC_PORT: c->addr.src_port = htons((uint16_t)uint_arg(n, v, 1, 65535, "")); break;
	case O_DST_PORT: c->addr.dst_port = htons((uint16_t)uint_arg(n, v, 1, 65535, "")); break;
	case O_SIZE:
		c->size = (unsigned)uint_arg(n, v, FRAME_MIN, FRAME_MAX, " (Ethernet frame bytes including the 4-byte FCS)");
		break;
	case O_BURST: c->burst = (unsigned)uint_arg(n, v, 1, SB_BURST_MAX, ""); break;
	case O_RATE: c->rate = num_arg(n, v, 0, 1e9, false, " packets per second (0 = unpaced)"); break;
	case O_DURATION: c->duration = num_arg(n, v, 0, 1e6, true, " seconds"); break;
	case O_WARMUP: c->warmup = num_arg(n, v, 0, 1e6, false, " seconds"); break;
	case O_WINDOW: c->window = num_arg(n, v, 0, 1e6, true, " seconds"); *window_set = true; break;
	case O_SAMPLE: c->sample_interval = num_arg(n, v, 0.01, 3600, false, " seconds"); break;
	case O_CPU_MODE:
		if (strcmp(v, "dedicated") && strcmp(v, "shared"))
			sb_fail(SB_EXIT_USAGE, "%s %s: must be dedicated or shared", n, v);
		c->shared = !strcmp(v, "shared");
		break;
	case O_CPUS: c->cpus = v; break;
	case O_SUMMARY:
		if (!*v)
			sb_fail(SB_EXIT_USAGE, "%s: empty path", n);
		c->summary_file = v;
		break;
	case O_LINK_TIMEOUT: c->link_timeout = num_arg(n, v, 0, 86400, false, " seconds"); break;
	case O_START_TIMEOUT: c->start_timeout = num_arg(n, v, 0, 86400, true, " seconds"); break;
	case O_LINGER: c->linger = num_arg(n, v, 0, 60, false, " seconds"); break;
	case O_GRACE: c->grace = num_arg(n, v, 0, 3600, false, " seconds"); break;
	case O_SOCK_BUF: c->sock_buf = (unsigned)uint_arg(n, v, 4096, 1u << 30, " bytes"); break;
	case O_MAX_PPS: c->max_pps = (double)uint_arg(n, v, 1, 1000000000, " frames per second"); break;
	case O_SWITCH_COUNTERS:
		if (v[0] != '/' || strlen(v) > 200)
			sb_fail(SB_EXIT_USAGE, "%s %s: not an absolute directory path of at most 200 bytes", n, v);
		c->switch_counters = v;
		break;
	}
}

static bool multiple_of(double x, double unit)
{
	double k = x / unit;

	return fabs(k - round(k)) < 1e-6;
}

static void check(struct sb_config *c, bool seen[], bool batching_set, bool window_set)
{
	bool sockets = c->backend != BACKEND_DPDK;

	if (sockets && !c->iface)
		sb_fail(SB_EXIT_USAGE, "--iface: required with --backend %s", backend_name(c->backend));
	if (!sockets && (c->iface || batching_set))
		sb_fail(SB_EXIT_USAGE, "%s: only with --backend udp or raw", c->iface ? "--iface" : "--batching");
	if (sockets && (seen[O_PORT_ID] || seen[O_PCI_ENV]))
		sb_fail(SB_EXIT_USAGE, "%s: only with --backend dpdk", seen[O_PORT_ID] ? "--port-id" : "--pci-from-env");
	if (sockets && c->eal_argc)
		sb_fail(SB_EXIT_USAGE, "EAL arguments after --: only with --backend dpdk");
	if (c->backend == BACKEND_UDP && (seen[O_SRC_MAC] || seen[O_DST_MAC]))
		sb_fail(SB_EXIT_USAGE, "%s: not used with --backend udp (the kernel resolves MACs)",
			seen[O_SRC_MAC] ? "--src-mac" : "--dst-mac");
	if (c->dst_mac_resolve && c->backend != BACKEND_RAW)
		sb_fail(SB_EXIT_USAGE, "--dst-mac resolve: only with --backend raw (it reads the kernel's neighbour table)");
	if (c->role == ROLE_SENDER && sockets && !c->dst_ip_set)
		sb_fail(SB_EXIT_USAGE, "--dst-ip: required with --backend %s", backend_name(c->backend));
	if (c->role == ROLE_SENDER && !seen[O_RATE])
		sb_fail(SB_EXIT_USAGE, "--rate: required (packets per second, 0 = unpaced)");
	if (!batching_set)
		c->batching = sockets ? BATCH_MMSG : BATCH_BURST;
	if (c->sample_interval > c->duration)
		sb_fail(SB_EXIT_USAGE, "--sample-interval %g: longer than --duration %g", c->sample_interval, c->duration);
	if (c->warmup >= c->duration)
		sb_fail(SB_EXIT_USAGE, "--warmup %g: must be shorter than --duration %g", c->warmup, c->duration);
	if (!window_set)
		c->window = floor(fmin(20.0, c->duration - c->warmup) / c->sample_interval + 1e-9) * c->sample_interval;
	if (!multiple_of(c->warmup, c->sample_interval))
		sb_fail(SB_EXIT_USAGE, "--warmup %g: must be a multiple of --sample-interval %g", c->warmup,
			c->sample_interval);
	if (c->window <= 0 || !multiple_of(c->window, c->sample_interval))
		sb_fail(SB_EXIT_USAGE, "--window %g: must be a positive multiple of --sample-interval %g", c->window,
			c->sample_interval);
	if (c->warmup + c->window > c->duration + 1e-9)
		sb_fail(SB_EXIT_USAGE, "--window %g: --warmup %g plus the window exceeds --duration %g", c->window,
			c->warmup, c->duration);
}

void args_parse(struct sb_config *c, enum sb_role role, int argc, char **argv)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	bool seen[O_PCI_ENV + 1] = {false}, batching_set = false, window_set = false, check_only = false;

	memset(c, 0, sizeof(*c));
	c->role = role;
	c->backend = BACKEND_DPDK;
	memcpy(c->addr.dst_mac, bcast, 6);
	c->addr.src_ip = htonl(0x0a000001);
	c->addr.dst_ip = htonl(0x0a000002);
	c->addr.src_port = c->addr.dst_port = htons(5000);
	c->size = FRAME_MIN;
	c->burst = role == ROLE_SENDER ? 16 : 32;
	c->duration = 60;
	c->warmup = 20;
	c->sample_interval = 1;
	c->link_timeout = 30;
	c->start_timeout = 60;
	c->linger = 0.5;
	c->grace = 5;
	c->sock_buf = 4u << 20;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(role);
			exit(SB_EXIT_OK);
		}
		if (!strcmp(a, "--version")) {
			printf("%s %s\n", sb_prog, SB_VERSION);
			exit(SB_EXIT_OK);
		}
		/* What the operator renders is checked by the program itself: a spec the API accepts must
		 * yield arguments the program accepts (the unit tier draws specs and asks). */
		if (!strcmp(a, "--check-args")) {
			check_only = true;
			continue;
		}
		if (!strcmp(a, "--")) {
			c->eal_argc = argc - i - 1;
			c->eal_argv = argv + i + 1;
			break;
		}
		const struct opt *o = NULL;
		for (size_t k = 0; k < NOPTS; k++)
			if (!strcmp(a, opts[k].name) && (opts[k].roles & role))
				o = &opts[k];
		if (!o)
			sb_fail(SB_EXIT_USAGE, "%s: unknown option (see --help)", a);
		if (i + 1 >= argc)
			sb_fail(SB_EXIT_USAGE, "%s: missing value", a);
		if (seen[o->id])
			sb_fail(SB_EXIT_USAGE, "%s: given twice", a);
		seen[o->id] = true;
		set(c, o, argv[++i], &batching_set, &window_set);
	}
	check(c, seen, batching_set, window_set);
	if (check_only) {
		printf("%s: arguments accepted\n", sb_prog);
		exit(SB_EXIT_OK);
	}
}

const char *backend_name(enum sb_backend b)
{
	return b == BACKEND_DPDK ? "dpdk" : b == BACKEND_UDP ? "udp" : "raw";
}

const char *batching_name(enum sb_batching b)
{
	return b == BATCH_BURST ? "burst" : b == BATCH_SINGLE ? "single" : "mmsg";
}
