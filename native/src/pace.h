/* Burst pacing on a fixed grid: slot k starts at t0 + k * burst / rate seconds, computed exactly
 * in 128-bit integer arithmetic so the schedule never drifts. At most one burst goes out per slot:
 * slots missed entirely (descheduled, or a tx call longer than a slot) are skipped and counted,
 * never made up with back-to-back bursts, so the offered load never micro-bursts beyond the burst
 * size and a shortfall shows up as such. */
#ifndef SB_PACE_H
#define SB_PACE_H

#include <stdint.h>

struct pace {
	uint64_t t0;
	uint64_t num; /* burst * hz * 1000 */
	uint64_t den; /* rate in milli-packets per second */
	uint64_t slot;
	uint64_t missed;
};

void pace_init(struct pace *p, uint64_t t0, uint64_t hz, unsigned burst, uint64_t rate_mpps);

static inline uint64_t pace_deadline(const struct pace *p, uint64_t slot)
{
	return p->t0 + (uint64_t)((unsigned __int128)slot * p->num / p->den);
}

/* Number of slots that start before t: slot k starts before t iff k * num / den < t - t0. */
static inline uint64_t pace_slots_before(const struct pace *p, uint64_t t)
{
	if (t <= p->t0)
		return 0;
	return (uint64_t)(((unsigned __int128)(t - p->t0) * p->den + p->num - 1) / p->num);
}

/* Called when now >= the current slot's deadline: moves to the slot containing now when whole
 * slots were missed. Returns the deadline of the slot about to be sent. */
static inline uint64_t pace_catch_up(struct pace *p, uint64_t now)
{
	uint64_t cur = pace_slots_before(p, now + 1) - 1;

	if (cur > p->slot) {
		p->missed += cur - p->slot;
		p->slot = cur;
	}
	return pace_deadline(p, p->slot);
}

#endif
