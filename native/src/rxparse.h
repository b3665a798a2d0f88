/* The receive fast path's parse: frames in, items out, a sender burst's frames (consecutive sequence
 * numbers, one TSC stamp) growing one item (struct rx_item). Free of DPDK so that the unit tests can
 * hold it against frame_parse_l2 frame by frame.
 * A frame that continues the open run costs one test: bytes 12-43 under frame_is_data's mask and
 * bytes 44-59 (sequence number, stamp) against the next wanted pair, three 16-byte compares and
 * one branch; the run then only advances its wanted sequence number. With no run open the expected
 * header carries a byte the mask always clears, so the same test fails and the frame takes the
 * full parse. */
#ifndef SB_RXPARSE_H
#define SB_RXPARSE_H

#include "frame.h"

/* What the receiver looks for, prepared once: frame_data_e2 of its port, and the same with a byte
 * frame_data_m2 always clears set to 1, which no frame matches. */
struct rxmatch {
	__m128i hdr2_data, hdr2_none;
	uint16_t dst_port_be;
};

struct rxparse {
	struct rx_item *items, *run; /* run: the open data run, NULL when none */
	unsigned k;
	__m128i hdr2; /* hdr2_data while a run is open, else hdr2_none */
	__m128i want; /* little-endian (next sequence number, stamp): bytes 44-59 of the run's next frame */
	const struct rxmatch *match;
	struct frame_end *end;
};

static inline void rxmatch_init(struct rxmatch *m, uint16_t dst_port_be)
{
	m->hdr2_data = frame_data_e2(dst_port_be);
	m->hdr2_none = _mm_or_si128(m->hdr2_data, _mm_cvtsi32_si128(1));
	m->dst_port_be = dst_port_be;
}

static inline void rxparse_init(struct rxparse *x, struct rx_item *items, const struct rxmatch *m, struct frame_end *end)
{
	x->items = items;
	x->run = NULL;
	x->k = 0;
	x->hdr2 = m->hdr2_none;
	x->want = _mm_setzero_si128();
	x->match = m;
	x->end = end;
}

static inline void rxparse_close(struct rxparse *x)
{
	if (x->run)
		x->run->n = (uint16_t)((uint64_t)_mm_cvtsi128_si64(x->want) - x->run->seq);
}

/* Any frame that does not continue the open run: closes it and opens an item. The empty asm hides
 * that q is p, so the compiler recomputes the data test here rather than keep the fast test's
 * intermediate vectors alive for it (two register copies per frame). */
static inline void rxparse_item(struct rxparse *x, const uint8_t *p, uint32_t caplen, uint32_t len)
{
	struct rx_item *it = &x->items[x->k++];
	const uint8_t *q = p;

	__asm__("" : "+r"(q));
	rxparse_close(x);
	if (frame_is_data(q, caplen, x->match->dst_port_be)) {
		uint64_t seq = frame_seq(q), tsc = frame_tsc(q);

		*it = (struct rx_item){.seq = seq, .tsc = tsc, .wire = len + FRAME_FCS, .kind = RX_DATA};
		x->run = it;
		x->want = _mm_set_epi64x((long long)tsc, (long long)(seq + 1));
		x->hdr2 = x->match->hdr2_data;
		return;
	}
	frame_parse_l2(q, caplen, len, x->match->dst_port_be, it, x->end);
	x->run = NULL;
	x->hdr2 = x->match->hdr2_none;
}

/* p: an Ethernet frame without FCS of len bytes, caplen of them readable at p. */
static inline void rxparse_frame(struct rxparse *x, const uint8_t *p, uint32_t caplen, uint32_t len)
{
	if (__builtin_expect(caplen >= FRAME_HDRS + PAYLOAD_MIN, 1)) {
		__m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + FRAME_HDRS + 2)), x->want);

		if (__builtin_expect(_mm_movemask_epi8(_mm_and_si128(frame_data_eq(p, x->hdr2), c)) == 0xffff, 1)) {
			x->want = _mm_add_epi64(x->want, _mm_cvtsi32_si128(1));
			return;
		}
	}
	rxparse_item(x, p, caplen, len);
}

/* Closes the open run; returns the number of items. */
static inline unsigned rxparse_finish(struct rxparse *x)
{
	rxparse_close(x);
	return x->k;
}

#endif
