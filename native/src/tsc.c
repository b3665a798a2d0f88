#include "tsc.h"

#include <time.h>

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

/* Reads the clock between two TSC reads and keeps the tightest bracket, so a preemption
 * in the middle (this machine is noisy) cannot skew the pairing. */
static void pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	*tsc = *ns = 0;
	for (int i = 0; i < 16; i++) {
		struct timespec t;
		uint64_t a = tsc_now();

		clock_gettime(CLOCK_MONOTONIC_RAW, &t);
		uint64_t b = tsc_now();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = ns_of(&t);
		}
	}
}

uint64_t tsc_calibrate(void)
{
	uint64_t t0, n0, t1, n1;
	struct timespec nap = {.tv_sec = 0, .tv_nsec = 100000000};

	pair(&t0, &n0);
	nanosleep(&nap, NULL);
	pair(&t1, &n1);
	return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000u / (n1 - n0));
}
