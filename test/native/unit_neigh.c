/* Next-hop resolution (neigh.h) against routing and ARP tables in the kernel's text formats: the
 * tables a pod on a routed pod network has, and the entries a busy neighbour table holds. */
#include <arpa/inet.h>
#include <string.h>

#include "neigh.h"
#include "unit.h"

/* A pod's main table: its own subnet on eth0, routes to Services, the node and the other node's
 * pods through the gateway 10.217.0.1, and a more specific route on another interface. */
static const char ROUTES[] =
	"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	"eth0\t0000D90A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	"eth0\t0040D90A\t0100D90A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	"eth0\t01FFD90A\t0100D90A\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n"
	"eth0\t0001D90A\t0100D90A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	"net1\t0700D90A\t00000000\t0001\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n"
	"eth0\t0000D80A\t0100D90A\t0002\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

static uint32_t ip(const char *text)
{
	struct in_addr a;

	inet_pton(AF_INET, text, &a);
	return a.s_addr;
}

bool next_hop_by_longest_prefix(void)
{
	static const struct {
		const char *iface, *dst, *hop; /* hop NULL: no route */
	} cases[] = {
		{"eth0", "10.217.0.9", "10.217.0.9"},	 /* on-link: the destination itself */
		{"eth0", "10.217.1.5", "10.217.0.1"},	 /* the other node's pods: the gateway */
		{"eth0", "10.217.255.1", "10.217.0.1"},	 /* the /32 host route */
		{"eth0", "10.217.0.7", "10.217.0.7"},	 /* a longer route on another interface is not eth0's */
		{"net1", "10.217.0.7", "10.217.0.7"},	 /* ... and is net1's */
		{"net1", "10.217.1.5", NULL},		 /* net1 has no route there */
		{"eth0", "10.216.3.3", NULL},		 /* a route that is not up */
		{"eth0", "192.168.1.1", NULL},		 /* no default route */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t hop = 0;
		bool found = neigh_next_hop(ROUTES, cases[i].iface, ip(cases[i].dst), &hop);

		CHECK(found == (cases[i].hop != NULL), "%s via %s: found %d", cases[i].dst, cases[i].iface, found);
		CHECK(!found || hop == ip(cases[i].hop), "%s via %s: hop %08x, want %s", cases[i].dst, cases[i].iface,
		      hop, cases[i].hop);
	}
	return true;
}

bool neighbour_entries_complete_on_the_interface(void)
{
	static const char arp[] = "IP address       HW type     Flags       HW address            Mask     Device\n"
				  "10.217.0.1       0x1         0x0         00:00:00:00:00:00     *        eth0\n"
				  "10.217.0.1       0x1         0x2         02:aa:bb:cc:dd:01     *        net1\n"
				  "10.217.0.1       0x1         0x2         02:aa:bb:cc:dd:02     *        eth0\n"
				  "10.217.0.12      0x1         0x6         02:aa:bb:cc:dd:0c     *        eth0\n";
	static const uint8_t gateway[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x02};
	static const uint8_t twelve[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x0c};
	uint8_t mac[6] = {0};

	CHECK(neigh_lookup(arp, "eth0", ip("10.217.0.1"), mac), "the gateway's complete entry on eth0");
	CHECK(!memcmp(mac, gateway, 6), "the eth0 entry's MAC, not the incomplete one's or net1's");
	CHECK(neigh_lookup(arp, "eth0", ip("10.217.0.12"), mac) && !memcmp(mac, twelve, 6),
	      "a permanent entry (flags 0x6) is complete");
	CHECK(!neigh_lookup(arp, "eth0", ip("10.217.0.13"), mac), "no entry, no MAC");
	CHECK(!neigh_lookup(arp, "net2", ip("10.217.0.1"), mac), "no entry on that interface");
	return true;
}
