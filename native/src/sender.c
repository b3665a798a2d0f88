/* sb-sender: offers fixed-size UDP frames in bursts at a TSC-paced rate, each frame carrying a
 * sequence number and a TSC timestamp, and reports what it actually offered. */
#include <math.h>

#include "io.h"
#include "program.h"
#include "pace.h"
#include "runtime.h"
#include "summary.h"
#include "switch_counters.h"
#include "tsc.h"

struct tx {
	uint64_t hz, t0, t_end, t_stop;
	bool paced;
	struct pace pace;
	struct trial trial;
	/* failures: frames the port refused (ring full), the path's loss; missed slots are the sender's. */
	uint64_t sent, failures, bursts, win_sent, win_failures;
	uint64_t failures_at_sample;
};

static void emit_sample(const struct sb_config *c, struct tx *x, uint64_t now)
{
	struct sample s;
	struct jw w;
	char buf[512];

	trial_close(&x->trial, now, x->sent, &s);
	sample_begin(&w, buf, sizeof(buf), c, &s);
	jw_u64(&w, "failures", x->failures - x->failures_at_sample);
	sample_end(&w);
	x->failures_at_sample = x->failures;
}

/* Waits for the current slot: spinning keeps a dedicated core's deadlines to tens of cycles;
 * shared mode sleeps, bounded by the next sample boundary and the end of the trial. */
static void wait_until(const struct sb_config *c, const struct tx *x, uint64_t now, uint64_t deadline)
{
	if (!c->shared) {
		_mm_pause();
		return;
	}
	uint64_t until = deadline;
	if (x->trial.next_boundary < until)
		until = x->trial.next_boundary;
	if (x->t_end < until)
		until = x->t_end;
	if (until > now)
		sleep_ns((uint64_t)((double)(until - now) * 1e9 / (double)x->hz));
}

static enum sb_status run(const struct sb_config *c, struct io *io, struct tx *x)
{
	uint64_t now = tsc_now(), deadline;

	x->t0 = now;
	x->t_end = now + tsc_from_s(c->duration, x->hz);
	x->paced = c->rate > 0;
	trial_start(&x->trial, now);
	pace_init(&x->pace, now, x->hz, c->burst, (uint64_t)llround(c->rate * 1000.0));
	deadline = now;
	for (;;) {
		now = tsc_now();
		x->t_stop = now;
		if (sb_stop)
			return STATUS_INTERRUPTED;
		if (now >= x->t_end)
			return STATUS_COMPLETED;
		if (now >= x->trial.next_boundary)
			emit_sample(c, x, now);
		uint64_t ts = now;
		if (x->paced) {
			if (now < deadline) {
				wait_until(c, x, now, deadline);
				continue;
			}
			ts = pace_catch_up(&x->pace, now);
		}
		unsigned sent = io->ops->send(io, x->sent, c->burst, now);
		x->sent += sent;
		x->failures += c->burst - sent;
		x->bursts++;
		if (trial_in_window(&x->trial, ts)) {
			x->win_sent += sent;
			x->win_failures += c->burst - sent;
		}
		if (x->paced)
			deadline = pace_deadline(&x->pace, ++x->pace.slot);
	}
}

/* The end marker is repeated so that one loss does not cost the receiver its exact count; each
 * copy retries while the ring is full, for at most a second. Returns the copies the ring accepted. */
static unsigned send_end(struct io *io, const struct frame_end *e)
{
	unsigned accepted = 0;

	for (int copy = 0; copy < 3; copy++) {
		for (double until = mono_s() + 1.0; mono_s() < until;) {
			if (io->ops->send_end(io, e)) {
				accepted++;
				break;
			}
			sleep_ns(100000);
		}
		sleep_ns(1000000);
	}
	return accepted;
}

int main(int argc, char **argv)
{
	static struct tx x;
	struct sb_config c;
	struct cpu_plan cpu;
	struct frame_end e = {0};
	struct jw w;
	char buf[SUMMARY_MAX];

	static struct switch_snapshots sw;
	struct io *io = program_start(&c, ROLE_SENDER, argc, argv, &cpu, &x.trial, &x.hz);

	/* After the probes (program_start): the switch's count of this port is the trial's frames. */
	switch_snapshot(&c, &sw, false, 0);
	enum sb_status status = run(&c, io, &x);

	/* Accounting covers the slots that started before the trial ended (or was interrupted). */
	uint64_t end = x.t_stop < x.t_end ? x.t_stop : x.t_end;
	uint64_t w0 = x.trial.w0, w1 = x.trial.w1 < end ? x.trial.w1 : end;
	uint64_t slots = x.paced ? pace_slots_before(&x.pace, end) : x.bursts;
	uint64_t scheduled = slots * c.burst, win_scheduled = 0;
	double win_s = w1 > w0 ? tsc_to_s(w1 - w0, x.hz) : 0, total_s = tsc_to_s(end - x.t0, x.hz);
	if (x.paced && w1 > w0)
		win_scheduled = (pace_slots_before(&x.pace, w1) - pace_slots_before(&x.pace, w0)) * c.burst;
	/* Frames of slots the sender's own core never got to; refused frames were attempted. Tolerance of
	 * 0.1 %: a generator that attempts less than that is not the one the trial asked for. */
	uint64_t attempted = x.sent + x.failures, win_attempted = x.win_sent + x.win_failures;
	uint64_t missed = scheduled > attempted ? scheduled - attempted : 0;
	uint64_t win_missed = win_scheduled > win_attempted ? win_scheduled - win_attempted : 0;
	bool limited = x.paced && (win_scheduled ? (double)win_attempted < 0.999 * (double)win_scheduled
						 : (double)attempted < 0.999 * (double)scheduled);
	double win_pps = win_s > 0 ? (double)x.win_sent / win_s : NAN;

	e.tx_packets = x.sent;
	e.scheduled = scheduled;
	e.failures = x.failures;
	e.offered_mpps = (uint64_t)llround(c.rate * 1000.0);
	e.window_mpps = isfinite(win_pps) ? (uint64_t)llround(win_pps * 1000.0) : 0;
	e.flags = limited ? END_GENERATOR_LIMITED : 0;
	unsigned end_copies = send_end(io, &e);
	switch_snapshot(&c, &sw, true, x.sent + end_copies);

	summary_begin(&w, buf, &c, &cpu, status, c.size, total_s);
	jw_open(&w, "tx", '{');
	jw_num(&w, "offered_pps", c.rate);
	jw_num(&w, "pps", win_pps);
	jw_num(&w, "pps_total", total_s > 0 ? (double)x.sent / total_s : NAN);
	jw_u64(&w, "packets", x.sent);
	jw_u64(&w, "window_packets", x.win_sent);
	jw_u64(&w, "scheduled", scheduled);
	jw_u64(&w, "failures", x.failures);
	jw_u64(&w, "window_failures", x.win_failures);
	jw_u64(&w, "missed_slots", x.paced ? slots - x.bursts : 0);
	jw_u64(&w, "missed", missed);
	jw_u64(&w, "window_missed", win_missed);
	jw_bool(&w, "generator_limited", limited);
	jw_bool(&w, "end_marker_sent", end_copies > 0);
	jw_u64(&w, "end_markers", end_copies);
	jw_u64(&w, "probes", io->probes);
	summary_rates(&w, &x.trial);
	jw_close(&w, '}');
	switch_write(&w, &c, &sw);
	int code = summary_end(&w, &c, status);
	io->ops->close(io);
	return code;
}
