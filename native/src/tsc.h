/* Time-stamp counter: the sender stamps frames with it and the receiver measures latency against it,
 * which is valid because both run on the same node and read the same invariant TSC. */
#ifndef SB_TSC_H
#define SB_TSC_H

#include <stdint.h>
#include <x86intrin.h>

static inline uint64_t tsc_now(void)
{
	return __rdtsc();
}

/* TSC ticks per second, measured against CLOCK_MONOTONIC_RAW. */
uint64_t tsc_calibrate(void);

static inline uint64_t tsc_from_s(double s, uint64_t hz)
{
	return (uint64_t)(s * (double)hz + 0.5);
}

static inline double tsc_to_s(uint64_t cycles, uint64_t hz)
{
	return (double)cycles / (double)hz;
}

#endif
