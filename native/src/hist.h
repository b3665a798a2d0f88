/* Log-linear latency histogram in TSC cycles: exact below 64, then 32 buckets per power of two
 * (relative bucket width <= 1/32), 1920 buckets cover the whole uint64 range in 15 KiB. */
#ifndef SB_HIST_H
#define SB_HIST_H

#include <stdint.h>

#define HIST_SUB 32u
#define HIST_BUCKETS (60u * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	unsigned __int128 sum;
	uint64_t b[HIST_BUCKETS];
};

void hist_init(struct hist *h);

static inline unsigned hist_index(uint64_t v)
{
	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v), shift = msb - 5u;
	return (shift + 1u) * HIST_SUB + (unsigned)(v >> shift) - HIST_SUB;
}

/* Records n samples of value v: a burst's frames share one send and one receive timestamp, so a
 * receiver records a run of equal latencies at once. */
static inline void hist_add(struct hist *h, uint64_t v, uint64_t n)
{
	h->b[hist_index(v)] += n;
	h->count += n;
	h->sum += (unsigned __int128)v * n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Highest value of bucket i. */
uint64_t hist_bucket_top(unsigned i);
/* Value at quantile q (0 < q <= 1): the top of the bucket holding the ceil(q * count)-th smallest
 * sample, clamped to [min, max], so it never understates the latency. */
uint64_t hist_quantile(const struct hist *h, double q);

#endif
