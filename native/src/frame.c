#include "frame.h"

#include <arpa/inet.h>

static void put16(uint8_t *p, uint16_t host)
{
	uint16_t v = htons(host);

	memcpy(p, &v, 2);
}

static uint16_t ip_checksum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

unsigned frame_build(uint8_t *buf, const struct frame_addr *a, unsigned size, uint16_t tag)
{
	unsigned len = size - FRAME_FCS;
	uint8_t *ip = buf + 14, *udp = buf + 34, *pl = buf + FRAME_HDRS;

	memset(buf, 0, len);
	memcpy(buf, a->dst_mac, 6);
	memcpy(buf + 6, a->src_mac, 6);
	put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - 14));
	put16(ip + 6, 0x4000); /* DF: a frame that does not fit must fail, not fragment */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &a->src_ip, 4);
	memcpy(ip + 16, &a->dst_ip, 4);
	put16(ip + 10, ip_checksum(ip));
	memcpy(udp, &a->src_port, 2);
	memcpy(udp + 2, &a->dst_port, 2);
	put16(udp + 4, (uint16_t)(len - 34));
	/* UDP checksum 0 (none) is valid for IPv4 and keeps every data frame's headers constant. */
	pl[0] = (uint8_t)(tag & 0xff);
	pl[1] = (uint8_t)(tag >> 8);
	return len;
}

static void put64(uint8_t *p, uint64_t v)
{
	uint64_t le = htole64(v);

	memcpy(p, &le, 8);
}

void frame_end_encode(uint8_t *payload, const struct frame_end *e)
{
	put64(payload + 18, e->tx_packets);
	put64(payload + 26, e->scheduled);
	put64(payload + 34, e->failures);
	put64(payload + 42, e->offered_mpps);
	put64(payload + 50, e->window_mpps);
	put64(payload + 58, e->flags);
}
