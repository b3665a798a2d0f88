/* Unit test of the receive fast path's parse (src/rxparse.h) against the per-frame reference,
 * frame_parse_l2; run by unit.c's main. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rxparse.h"
#include "unit.h"

#define FRAMES 64
#define ROUNDS 20000


static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* One burst as a port hands it over: the frames, their lengths and what is readable of them. */
struct burst {
	uint8_t f[FRAMES][FRAME_MAX];
	uint32_t len[FRAMES], cap[FRAMES];
	unsigned n;
};

/* Mostly sender bursts (consecutive sequence numbers, one stamp) cut at random places, and in
 * between what breaks a run: a gap, a repeat, a step back, a new stamp, a frame of another size,
 * end markers, probe frames, frames of other flows or types (another port: another trial's), a data
 * frame with one byte changed, short captures. */
static void make_burst(struct burst *b, uint64_t *x, uint64_t *seq, uint64_t *tsc)
{
	struct frame_addr a = {.src_mac = {2, 0, 0, 0, 0, 1}, .dst_mac = {2, 0, 0, 0, 0, 2}};
	struct frame_end e = {.tx_packets = rnd(x), .scheduled = 5, .failures = 6, .flags = 1};

	a.src_ip = htonl(0x0a000001);
	a.dst_ip = htonl(0x0a000002);
	a.src_port = a.dst_port = htons(5000);
	b->n = 1 + (unsigned)(rnd(x) % FRAMES);
	for (unsigned i = 0; i < b->n; i++) {
		uint64_t r = rnd(x), kind = r % 40, s = *seq;
		unsigned size = kind == 1 ? 64 + (unsigned)(r >> 8) % 1400 : 64;

		if (kind == 2)
			s += 1 + (r >> 8) % 100; /* gap */
		else if (kind == 3 && s > 0)
			s -= 1 + (r >> 8) % (s < 50 ? s : 50); /* repeat or step back */
		if (kind == 4 || r % 32 == 0)
			*tsc += 1 + (r >> 16) % 1000; /* the sender's next burst */
		b->len[i] = frame_build(b->f[i], &a, size, kind == 5 ? TAG_END : kind == 9 ? TAG_PROBE : TAG_DATA);
		if (kind == 5) {
			e.tx_packets++;
			frame_end_encode(b->f[i] + FRAME_HDRS, &e);
		}
		frame_stamp(b->f[i] + FRAME_HDRS, s, *tsc);
		b->cap[i] = b->len[i];
		if (kind == 6)
			b->f[i][(r >> 8) % 60] ^= (uint8_t)(1u << (r >> 16) % 8); /* often not ours any more */
		else if (kind == 7)
			b->cap[i] = (uint32_t)(r >> 8) % 61; /* a short capture: stale bytes follow */
		else if (kind == 8)
			memcpy(b->f[i] + 36, "\x13\x89", 2); /* another port */
		*seq = s + 1;
	}
}

/* The items, expanded frame by frame, must be what frame_parse_l2 says of each frame; a run's
 * stamp and size are its first frame's; and items split exactly where a frame does not continue
 * the run (not data, not the next sequence number, another stamp). */
bool rxparse_groups_as_the_parser_parses(void)
{
	static struct burst b;
	static struct rx_item items[FRAMES];
	struct rxmatch m;
	uint64_t x = 0x9e3779b97f4a7c15ull, seq = 1000, tsc = 1u << 30, runs = 0, joined = 0, other = 0;

	rxmatch_init(&m, htons(5000));
	for (int round = 0; round < ROUNDS; round++) {
		struct frame_end end_fast, end_ref;
		struct rxparse p;

		memset(&end_fast, 0, sizeof(end_fast));
		memset(&end_ref, 0, sizeof(end_ref));
		make_burst(&b, &x, &seq, &tsc);
		/* leftovers of earlier frames stay behind short captures, as in a reused buffer */
		rxparse_init(&p, items, &m, &end_fast);
		for (unsigned i = 0; i < b.n; i++)
			rxparse_frame(&p, b.f[i], b.cap[i], b.len[i]);
		unsigned k = rxparse_finish(&p), f = 0;
		const struct rx_item *prev = NULL;

		for (unsigned j = 0; j < k; j++) {
			const struct rx_item *it = &items[j];

			CHECK(it->n >= 1 && f + it->n <= b.n, "round %d item %u: %u frames at frame %u of %u", round, j, it->n, f,
			      b.n);
			CHECK(it->kind == RX_DATA || it->n == 1, "round %d item %u: a run of kind %u", round, j, it->kind);
			for (unsigned q = 0; q < it->n; q++, f++) {
				struct rx_item ref;

				frame_parse_l2(b.f[f], b.cap[f], b.len[f], htons(5000), &ref, &end_ref);
				CHECK(ref.kind == it->kind, "round %d frame %u: kind %u, parser %u", round, f, it->kind, ref.kind);
				if (ref.kind != RX_DATA)
					continue;
				CHECK(ref.seq == it->seq + q && ref.tsc == it->tsc, "round %d frame %u: seq/tsc %llu/%llu, parser %llu/%llu",
				      round, f, (unsigned long long)(it->seq + q), (unsigned long long)it->tsc,
				      (unsigned long long)ref.seq, (unsigned long long)ref.tsc);
				if (q == 0)
					CHECK(ref.wire == it->wire, "round %d frame %u: wire %u, parser %u", round, f, it->wire, ref.wire);
			}
			if (prev)
				CHECK(!(prev->kind == RX_DATA && it->kind == RX_DATA && it->seq == prev->seq + prev->n &&
					it->tsc == prev->tsc),
				      "round %d item %u: continues the run before it", round, j);
			runs += it->kind == RX_DATA;
			joined += it->kind == RX_DATA ? it->n - 1u : 0;
			other += it->kind != RX_DATA;
			prev = it;
		}
		CHECK(f == b.n, "round %d: items cover %u of %u frames", round, f, b.n);
		CHECK(!memcmp(&end_fast, &end_ref, sizeof(end_ref)), "round %d: end marker contents differ", round);
	}
	CHECK(runs > 0 && joined > runs && other > 0, "the bursts exercised runs and other frames");
	return true;
}
