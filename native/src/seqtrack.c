#include "seqtrack.h"

#include <string.h>

void seqtrack_init(struct seqtrack *s)
{
	memset(s, 0, sizeof(*s));
}

/* Marks [from, to) as not received: their bits still hold sequence numbers one window older. */
void seqtrack_clear_range(struct seqtrack *s, uint64_t from, uint64_t to)
{
	if (to - from >= SEQ_WINDOW) {
		memset(s->bits, 0, sizeof(s->bits));
		return;
	}
	for (uint64_t q = from; q < to; q++) {
		if ((q & 63) == 0 && to - q >= 64) {
			s->bits[(q & (SEQ_WINDOW - 1)) >> 6] = 0;
			q += 63;
			continue;
		}
		s->bits[(q & (SEQ_WINDOW - 1)) >> 6] &= ~(1ull << (q & 63));
	}
}

/* Marks [from, to) as received, whole words at a time inside the range. */
void seqtrack_set_range(struct seqtrack *s, uint64_t from, uint64_t to)
{
	if (to - from >= SEQ_WINDOW) {
		memset(s->bits, 0xff, sizeof(s->bits));
		return;
	}
	for (uint64_t q = from; q < to;) {
		unsigned off = (unsigned)(q & 63);
		uint64_t k = to - q < 64 - off ? to - q : 64 - off;

		s->bits[(q & (SEQ_WINDOW - 1)) >> 6] |= (~0ull >> (64 - k)) << off;
		q += k;
	}
}
