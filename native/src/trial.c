#include "trial.h"

#include <math.h>

#include "tsc.h"

void trial_init(struct trial *t, uint64_t hz, double duration, double warmup, double window, double interval)
{
	t->hz = hz;
	t->interval = tsc_from_s(interval, hz);
	t->duration = tsc_from_s(duration, hz);
	t->first = (unsigned)llround(warmup / interval);
	t->end = t->first + (unsigned)llround(window / interval);
	t->n = 0;
	t->mean = t->m2 = 0;
	t->min = INFINITY;
	t->max = 0;
}

void trial_start(struct trial *t, uint64_t t0)
{
	t->t0 = t0;
	t->w0 = t0 + t->first * t->interval;
	t->w1 = t0 + t->end * t->interval;
	t->idx = 0;
	t->next_boundary = t0 + t->interval;
	t->last_close = t0;
	t->packets_at_close = 0;
}

void trial_close(struct trial *t, uint64_t now, uint64_t packets, struct sample *s)
{
	s->idx = t->idx;
	s->t_s = tsc_to_s(now - t->t0, t->hz);
	s->packets = packets - t->packets_at_close;
	s->pps = (double)s->packets / tsc_to_s(now - t->last_close, t->hz);
	s->in_window = t->idx >= t->first && t->idx < t->end;
	if (s->in_window) {
		double d = s->pps - t->mean;
		t->n++;
		t->mean += d / t->n;
		t->m2 += d * (s->pps - t->mean);
		t->min = fmin(t->min, s->pps);
		t->max = fmax(t->max, s->pps);
	}
	t->idx = (unsigned)((now - t->t0) / t->interval);
	t->next_boundary = t->t0 + (uint64_t)(t->idx + 1) * t->interval;
	t->last_close = now;
	t->packets_at_close = packets;
}

double trial_stddev(const struct trial *t)
{
	return t->n > 1 ? sqrt(t->m2 / (t->n - 1)) : 0.0;
}
