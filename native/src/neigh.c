/* Next-hop MAC resolution for raw senders (neigh.h). The tables are read as text so that the unit
 * tests can hand in their own; the kernel fills the neighbour entry because the probe needs it. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fail.h"
#include "neigh.h"
#include "runtime.h"

#define RTF_UP_FLAG 0x1u
#define ATF_COMPLETE 0x2u
#define DISCARD_PORT 9

bool neigh_next_hop(const char *route_table, const char *iface, uint32_t dst_be, uint32_t *hop_be)
{
	char dev[IFNAMSIZ + 1];
	unsigned dest, gateway, flags, mask, best_mask = 0;
	bool found = false;
	const char *line = strchr(route_table, '\n'); /* past the header */

	while (line && *++line) {
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses as the host's u32. */
		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", dev, &dest, &gateway, &flags, &mask) == 5 &&
		    !strcmp(dev, iface) && (flags & RTF_UP_FLAG) && (dst_be & mask) == dest &&
		    (!found || ntohl(mask) > ntohl(best_mask))) {
			*hop_be = gateway ? gateway : dst_be;
			best_mask = mask;
			found = true;
		}
		line = strchr(line, '\n');
	}
	return found;
}

bool neigh_lookup(const char *arp_table, const char *iface, uint32_t ip_be, uint8_t mac[6])
{
	char ip[INET_ADDRSTRLEN], dev[IFNAMSIZ + 1];
	unsigned flags;
	uint8_t m[6];
	struct in_addr a;
	const char *line = strchr(arp_table, '\n');

	while (line && *++line) {
		/* IP address, HW type, Flags, HW address, Mask, Device */
		if (sscanf(line, "%15s %*x %x %2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx %*s %16s", ip, &flags, &m[0], &m[1],
			   &m[2], &m[3], &m[4], &m[5], dev) == 9 &&
		    (flags & ATF_COMPLETE) && !strcmp(dev, iface) && inet_pton(AF_INET, ip, &a) == 1 &&
		    a.s_addr == ip_be) {
			memcpy(mac, m, 6);
			return true;
		}
		line = strchr(line, '\n');
	}
	return false;
}

/* The whole of a /proc table into buf, NUL-terminated; false when it cannot be read. */
static bool read_table(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return true;
}

void neigh_resolve(const char *iface, uint32_t dst_be, double timeout_s, uint8_t mac[6])
{
	static char table[1 << 16];
	char hop_text[INET_ADDRSTRLEN];
	uint32_t hop_be;
	double until = mono_s() + timeout_s;
	struct sockaddr_in probe = {.sin_family = AF_INET, .sin_port = htons(DISCARD_PORT)};
	int fd;

	if (!read_table("/proc/net/route", table, sizeof(table)) || !neigh_next_hop(table, iface, dst_be, &hop_be))
		sb_fail(SB_EXIT_PORT, "--dst-mac resolve: no route to --dst-ip through --iface %s", iface);
	inet_ntop(AF_INET, &hop_be, hop_text, sizeof(hop_text));
	probe.sin_addr.s_addr = hop_be;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)))
		sb_fail(SB_EXIT_PORT, "--dst-mac resolve: probe socket on %s: %s", iface, strerror(errno));
	for (;;) {
		if (read_table("/proc/net/arp", table, sizeof(table)) && neigh_lookup(table, iface, hop_be, mac))
			break;
		if (sb_stop || mono_s() >= until)
			sb_fail(sb_stop ? SB_EXIT_INTERRUPTED : SB_EXIT_PORT,
				"--dst-mac resolve: next hop %s on %s did not answer ARP within %gs", hop_text, iface,
				timeout_s);
		/* A failed send (no answer yet, EHOSTUNREACH) is the next probe's business. */
		(void)sendto(fd, "", 0, MSG_DONTWAIT, (struct sockaddr *)&probe, sizeof(probe));
		sleep_ns(100000000);
	}
	close(fd);
}
