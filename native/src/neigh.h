/* The MAC address a raw sender's frames must carry for the next hop toward an IPv4 destination to
 * take them: the destination itself on its own link, else the router the kernel's routing table
 * names (a pod network's gateway when sender and receiver run on different nodes). */
#ifndef SB_NEIGH_H
#define SB_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

/* The next hop toward dst_be out of iface by the main routing table (/proc/net/route): the gateway
 * of the longest matching route, or dst_be itself for an on-link one. False when no route leaves
 * through iface. Addresses in network byte order. */
bool neigh_next_hop(const char *route_table, const char *iface, uint32_t dst_be, uint32_t *hop_be);

/* The complete entry for ip_be on iface in an ARP table (/proc/net/arp's format) into mac. */
bool neigh_lookup(const char *arp_table, const char *iface, uint32_t ip_be, uint8_t mac[6]);

/* The next hop's MAC toward dst_be, resolved by the kernel: probes it with empty UDP datagrams to
 * the discard port until its neighbour entry completes; exits naming what failed after timeout_s. */
void neigh_resolve(const char *iface, uint32_t dst_be, double timeout_s, uint8_t mac[6]);

#endif
