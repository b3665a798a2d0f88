/* Trial timeline shared by sender and receiver: samples of sample_interval from t0 (the sender's
 * first slot, the receiver's first packet); the measurement window is samples [first, end), i.e.
 * the warm-up is discarded as in the paper; rates over the window's samples give mean and stddev. */
#ifndef SB_TRIAL_H
#define SB_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

struct trial {
	uint64_t hz;
	uint64_t interval; /* cycles per sample */
	uint64_t duration; /* cycles */
	unsigned first, end; /* window sample indices */
	uint64_t t0, w0, w1; /* absolute cycles: start, window start, window end */
	unsigned idx;        /* sample being accumulated */
	uint64_t next_boundary;
	uint64_t last_close;
	uint64_t packets_at_close;
	/* Welford accumulators over the window's sample rates */
	unsigned n;
	double mean, m2, min, max;
};

struct sample {
	unsigned idx;
	double t_s;    /* end of the sample, seconds since t0 */
	double pps;
	uint64_t packets;
	bool in_window;
};

void trial_init(struct trial *t, uint64_t hz, double duration, double warmup, double window, double interval);
void trial_start(struct trial *t, uint64_t t0);
/* Closes the current sample at now (now >= next_boundary) given the running packet count. A stall
 * longer than a sample closes one longer sample: its rate is still exact over its real length. */
void trial_close(struct trial *t, uint64_t now, uint64_t packets, struct sample *s);
double trial_stddev(const struct trial *t);

static inline bool trial_in_window(const struct trial *t, uint64_t ts)
{
	return ts >= t->w0 && ts < t->w1;
}

#endif
