/* Sequence accounting. A bitmap over the last SEQ_WINDOW sequence numbers below the highest seen
 * tells a late first arrival (reordered) from a second one (duplicate) exactly; in order costs one
 * OR. Packets older than the window cannot be checked and are counted as reordered arrivals. */
#ifndef SB_SEQTRACK_H
#define SB_SEQTRACK_H

#include <stdbool.h>
#include <stdint.h>

#define SEQ_WINDOW_BITS 18
#define SEQ_WINDOW (1ull << SEQ_WINDOW_BITS)

struct seqtrack {
	uint64_t next; /* highest sequence seen + 1; 0 before the first */
	uint64_t unique;
	uint64_t reordered;
	uint64_t duplicates;
	uint64_t stale; /* reordered by more than SEQ_WINDOW: not checked for duplication */
	uint64_t bits[SEQ_WINDOW / 64];
};

void seqtrack_init(struct seqtrack *s);
void seqtrack_clear_range(struct seqtrack *s, uint64_t from, uint64_t to);
void seqtrack_set_range(struct seqtrack *s, uint64_t from, uint64_t to);

static inline void seq_bit_set(struct seqtrack *s, uint64_t seq)
{
	s->bits[(seq & (SEQ_WINDOW - 1)) >> 6] |= 1ull << (seq & 63);
}

/* Returns true when seq arrived for the first time. */
static inline bool seqtrack_add(struct seqtrack *s, uint64_t seq)
{
	if (seq >= s->next) {
		if (seq != s->next)
			seqtrack_clear_range(s, s->next, seq);
		seq_bit_set(s, seq);
		s->next = seq + 1;
		s->unique++;
		return true;
	}
	if (s->next - seq > SEQ_WINDOW) {
		s->stale++;
		s->reordered++;
		s->unique++;
		return true;
	}
	uint64_t *w = &s->bits[(seq & (SEQ_WINDOW - 1)) >> 6], bit = 1ull << (seq & 63);
	if (*w & bit) {
		s->duplicates++;
		return false;
	}
	*w |= bit;
	s->reordered++;
	s->unique++;
	return true;
}

/* Frames seq..seq+n-1 (n >= 1) arrived; returns how many of them arrived for the first time with
 * a sequence number in [wa, wb) (the measurement window's). The usual case, a run at or beyond the
 * highest seen, is a few word operations whatever n is; a run reaching back (reordering, duplicates)
 * is accounted frame by frame, as seqtrack_add does. */
static inline uint64_t seqtrack_add_run(struct seqtrack *s, uint64_t seq, uint64_t n, uint64_t wa, uint64_t wb)
{
	if (seq >= s->next) {
		uint64_t end = seq + n, lo = seq > wa ? seq : wa, hi = end < wb ? end : wb;
		unsigned off = (unsigned)(seq & 63);

		if (seq != s->next)
			seqtrack_clear_range(s, s->next, seq);
		if (off + n <= 64)
			s->bits[(seq & (SEQ_WINDOW - 1)) >> 6] |= (~0ull >> (64 - n)) << off;
		else
			seqtrack_set_range(s, seq, end);
		s->next = end;
		s->unique += n;
		return hi > lo ? hi - lo : 0;
	}
	uint64_t first = 0;
	for (uint64_t q = seq; q < seq + n; q++)
		first += seqtrack_add(s, q) && q >= wa && q < wb;
	return first;
}

/* Sequence numbers never seen below `expected` (itself the larger of next and what the sender says
 * it sent). */
static inline uint64_t seqtrack_lost(const struct seqtrack *s, uint64_t expected)
{
	return expected > s->unique ? expected - s->unique : 0;
}

#endif
