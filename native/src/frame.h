/* Frame layout. A frame size is an Ethernet frame length as RFC 2544 counts it: destination MAC to
 * FCS inclusive, without preamble, SFD or inter-frame gap. Software ports never see the 4-byte FCS,
 * so the bytes handed to a port or raw socket are size - 4 and a UDP socket's payload is size - 46. */
#ifndef SB_FRAME_H
#define SB_FRAME_H

#include <endian.h>
#include <stdbool.h>
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

#define FRAME_FCS 4u
#define FRAME_HDRS 42u /* Ethernet 14 + IPv4 20 + UDP 8 */
#define FRAME_MIN 64u
#define FRAME_MAX 9000u
#define FRAME_END_SIZE 128u

/* Payload: u16 tag, u64 sequence number, u64 TSC, all little-endian; exactly fills a 64-byte frame. */
#define PAYLOAD_MIN 18u
#define PAYLOAD_END 66u /* + six u64 fields of struct frame_end */
#define TAG_DATA 0x4253u /* "SB" */
#define TAG_END 0x4553u  /* "SE" */
/* Sent by a sender on a virtio-user port before its trial, until the switch has taken frames from
 * its ring; the receiver counts them apart and they never start its trial. */
#define TAG_PROBE 0x5053u /* "SP" */

enum rx_kind { RX_DATA, RX_END, RX_FOREIGN, RX_PROBE };

/* One received frame, or (n > 1) a run of data frames with consecutive sequence numbers from seq,
 * one TSC stamp and one size: what one sender burst is. Grouping while parsing lets the receiver
 * account a burst with a handful of operations instead of per frame. */
struct rx_item {
	uint64_t seq;
	uint64_t tsc;
	uint32_t wire; /* frame size including FCS (of the first frame of a run) */
	uint16_t kind;
	uint16_t n; /* frames in the item, 1 unless a data run; at most SB_BURST_MAX */
};

/* What the sender tells the receiver at the end, so the receiver's summary alone carries the
 * trial: the exact count sent (loss is then exact, not inferred from the highest sequence seen). */
struct frame_end {
	uint64_t tx_packets;
	uint64_t scheduled;
	uint64_t failures;
	uint64_t offered_mpps; /* milli-packets per second; 0 = unpaced */
	uint64_t window_mpps;  /* achieved tx rate over the sender's measurement window */
	uint64_t flags;
};
#define END_GENERATOR_LIMITED 1u

struct frame_addr {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip; /* addresses and ports in network byte order */
	uint16_t src_port, dst_port;
};

/* Writes the size - FCS bytes of a frame whose payload starts with tag. Returns that length. */
unsigned frame_build(uint8_t *buf, const struct frame_addr *a, unsigned size, uint16_t tag);
void frame_end_encode(uint8_t *payload, const struct frame_end *e);

static inline void frame_stamp(uint8_t *payload, uint64_t seq, uint64_t tsc)
{
	uint64_t s = htole64(seq), t = htole64(tsc);

	memcpy(payload + 2, &s, 8);
	memcpy(payload + 10, &t, 8);
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/* caplen: bytes available at p; the wire size was set by the caller. */
static inline void frame_parse_payload(const uint8_t *p, uint32_t caplen, struct rx_item *it,
				       struct frame_end *end)
{
	uint16_t tag = caplen >= PAYLOAD_MIN ? (uint16_t)(p[0] | p[1] << 8) : 0;

	it->kind = RX_FOREIGN;
	it->n = 1;
	if (tag == TAG_DATA) {
		it->kind = RX_DATA;
		it->seq = get64(p + 2);
		it->tsc = get64(p + 10);
	} else if (tag == TAG_PROBE) {
		it->kind = RX_PROBE;
	} else if (tag == TAG_END && caplen >= PAYLOAD_END) {
		it->kind = RX_END;
		end->tx_packets = get64(p + 18);
		end->scheduled = get64(p + 26);
		end->failures = get64(p + 34);
		end->offered_mpps = get64(p + 42);
		end->window_mpps = get64(p + 50);
		end->flags = get64(p + 58);
	}
}

/* p is an Ethernet frame without FCS of len bytes, caplen of them readable at p. Only IPv4/UDP
 * to dst_port_be can be ours; anything else (ARP, IPv6 ND, other flows, and frames of another trial
 * or attempt, which the operator sends to another port) is foreign. */
static inline void frame_parse_l2(const uint8_t *p, uint32_t caplen, uint32_t len, uint16_t dst_port_be,
				  struct rx_item *it, struct frame_end *end)
{
	static const uint8_t ipv4_udp[3] = {0x08, 0x00, 0x45};
	uint16_t port;

	it->wire = len + FRAME_FCS;
	it->kind = RX_FOREIGN;
	it->n = 1;
	if (caplen < FRAME_HDRS + PAYLOAD_MIN || memcmp(p + 12, ipv4_udp, 3) || p[23] != 17)
		return;
	memcpy(&port, p + 36, 2);
	if (port != dst_port_be)
		return;
	frame_parse_payload(p + FRAME_HDRS, caplen - FRAME_HDRS, it, end);
}

/* The receive fast path's test, true exactly when frame_parse_l2 would find RX_DATA: EtherType
 * IPv4 and a 20-byte header (bytes 12-14), protocol UDP (23), destination port (36-37) and the data
 * tag (42-43). Bytes 12-43 are compared under a mask as two 16-byte vectors (SSE2, every x86-64):
 * ten instructions and one branch instead of six byte compares and their branches. The vectors are
 * shared with the run test of rxparse.h. */
static inline __m128i frame_data_m1(void)
{
	return _mm_setr_epi8(-1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0);
}

static inline __m128i frame_data_e1(void)
{
	return _mm_setr_epi8(0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0);
}

static inline __m128i frame_data_m2(void)
{
	return _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1);
}

static inline __m128i frame_data_e2(uint16_t dst_port_be)
{
	const uint8_t *port = (const uint8_t *)&dst_port_be;

	return _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, (char)port[0], (char)port[1], 0, 0, 0, 0,
			     (char)(TAG_DATA & 0xff), (char)(TAG_DATA >> 8));
}

/* Byte-wise equality of bytes 12-27 and 28-43 of p with the data test's, e2 standing for its second half. */
static inline __m128i frame_data_eq(const uint8_t *p, __m128i e2)
{
	__m128i a = _mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + 12)), frame_data_m1());
	__m128i b = _mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + 28)), frame_data_m2());

	return _mm_and_si128(_mm_cmpeq_epi8(a, frame_data_e1()), _mm_cmpeq_epi8(b, e2));
}

static inline bool frame_is_data(const uint8_t *p, uint32_t caplen, uint16_t dst_port_be)
{
	if (caplen < FRAME_HDRS + PAYLOAD_MIN)
		return false;
	return _mm_movemask_epi8(frame_data_eq(p, frame_data_e2(dst_port_be))) == 0xffff;
}

/* Sequence number and TSC stamp of a frame frame_is_data accepted. */
static inline uint64_t frame_seq(const uint8_t *p)
{
	return get64(p + FRAME_HDRS + 2);
}

static inline uint64_t frame_tsc(const uint8_t *p)
{
	return get64(p + FRAME_HDRS + 10);
}

#endif
