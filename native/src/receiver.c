/* sb-receiver: counts per sample, accounts every sequence number (loss, reordering, duplicates)
 * and measures one-way latency from the sender's TSC stamps. */
#include <math.h>

#include "fail.h"
#include "hist.h"
#include "io.h"
#include "program.h"
#include "runtime.h"
#include "seqtrack.h"
#include "summary.h"
#include "switch_counters.h"
#include "tsc.h"

struct rx {
	uint64_t hz;
	struct trial trial;
	struct seqtrack seq;
	struct hist lat; /* window frames only: the warm-up is discarded for latency too */
	bool started, end_seen, win_open, win_closed;
	bool replan; /* start or end marker moved the timeline: recompute the next event */
	struct frame_end end;
	uint64_t packets, foreign, probes, end_markers;
	unsigned frame_size;
	/* Window loss: sequence numbers that became the highest seen during the window, [wa, wb), and
	 * how many of them ever arrived, late ones included. */
	uint64_t wa, wb, win_unique;
	uint64_t stop_at, t_last;
};

static void emit_sample(const struct sb_config *c, struct rx *r, uint64_t now)
{
	struct sample s;
	struct jw w;
	char buf[512];

	trial_close(&r->trial, now, r->packets, &s);
	sample_begin(&w, buf, sizeof(buf), c, &s);
	jw_u64(&w, "lost", r->seq.next > r->seq.unique ? r->seq.next - r->seq.unique : 0);
	sample_end(&w);
}

static void start(const struct sb_config *c, struct rx *r, uint64_t now)
{
	r->started = true;
	r->replan = true;
	trial_start(&r->trial, now);
	r->stop_at = now + tsc_from_s(c->duration + c->grace, r->hz);
}

/* The end marker (its first copy counts), a probe (the sender checking, before its trial, that the
 * switch takes its frames: neither ours to count nor foreign), or a frame that is not ours. Frames of
 * another trial or attempt carry another destination port and count as foreign, however they were
 * delayed (a switch forwarding what an earlier trial left in it). */
static void control_frame(const struct sb_config *c, struct rx *r, const struct rx_item *it,
			  const struct frame_end *end, uint64_t now)
{
	if (it->kind == RX_END) {
		r->end_markers++;
		if (!r->started)
			start(c, r, now);
		if (!r->end_seen) {
			uint64_t linger = now + tsc_from_s(c->linger, r->hz);
			r->end_seen = true;
			r->end = *end;
			if (linger < r->stop_at)
				r->stop_at = linger;
			r->replan = true;
		}
	} else if (it->kind == RX_PROBE) {
		r->probes++;
	} else {
		r->foreign++;
	}
}

/* The receiver's work per item (a frame, or a run of a sender burst's frames, see struct rx_item):
 * counters in registers, a few word operations for a run in order, and one histogram update per
 * run of frames sent with the same stamp. Nothing here is per frame unless frames come out of order. */
static void consume(const struct sb_config *c, struct rx *r, const struct rx_item *it, unsigned n,
		    const struct frame_end *end, uint64_t now)
{
	bool in_window = r->win_open && !r->win_closed;
	uint64_t win_unique = 0, run_tsc = 0, run = 0, data = 0;

	for (unsigned i = 0; i < n; i++) {
		if (it[i].kind != RX_DATA) {
			control_frame(c, r, &it[i], end, now);
			continue;
		}
		if (!r->started)
			start(c, r, now);
		data += it[i].n;
		if (!r->frame_size)
			r->frame_size = it[i].wire;
		win_unique += seqtrack_add_run(&r->seq, it[i].seq, it[i].n, r->wa, r->wb);
		if (!in_window)
			continue;
		if (it[i].tsc != run_tsc) {
			if (run)
				hist_add(&r->lat, now > run_tsc ? now - run_tsc : 0, run);
			run_tsc = it[i].tsc;
			run = 0;
		}
		run += it[i].n;
	}
	if (run)
		hist_add(&r->lat, now > run_tsc ? now - run_tsc : 0, run);
	r->packets += data;
	r->win_unique += win_unique;
}

static uint64_t cycles_to_ns(uint64_t hz, uint64_t cycles)
{
	return (uint64_t)((double)cycles * 1e9 / (double)hz);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* One TSC read per poll, right after it: the receive time of what it returned (rdtsc costs ~13 ns
 * in this VM, a tenth of a packet's budget at 10 Mpps when bursts are short) and the clock for
 * samples, the window and the end. Everything time-driven (sample boundary, window edges, stop,
 * start timeout) happens at next_event, so a poll with nothing due costs one compare besides the
 * receive: at saturation polls are as frequent as bursts, and a partial burst pays this in full. */
__attribute__((noinline, noclone)) static enum sb_status rx_loop(const struct sb_config *c, struct io *io, struct rx *r)
{
	static struct rx_item items[SB_BURST_MAX];
	struct frame_end end;
	uint64_t start_by = tsc_now() + tsc_from_s(c->start_timeout, r->hz), next_event = start_by;

	/* --max-pps: after taking n frames, the next receive waits n frames' worth of cycles, so the
	 * ring backs up as it would in front of a slower network function. */
	uint64_t per_frame = c->max_pps > 0 ? (uint64_t)((double)r->hz / c->max_pps) : 0, rx_from = 0, last = 0;

	r->wa = r->wb = UINT64_MAX;
	for (;;) {
		unsigned n = !per_frame || last >= rx_from ? io->ops->recv(io, items, c->burst, &end) : 0;
		uint64_t now = tsc_now();

		last = now;
		if (n) {
			uint64_t before = r->packets + r->probes + r->foreign + r->end_markers;
			consume(c, r, items, n, &end, now);
			rx_from = now + (r->packets + r->probes + r->foreign + r->end_markers - before) * per_frame;
		}
		if (__builtin_expect(now >= next_event || r->replan || sb_stop, 0)) {
			r->t_last = now;
			r->replan = false;
			if (sb_stop)
				return STATUS_INTERRUPTED;
			if (!r->started) {
				if (now >= start_by)
					return STATUS_NO_TRAFFIC;
			} else {
				if (now >= r->trial.next_boundary)
					emit_sample(c, r, now);
				if (!r->win_open && now >= r->trial.w0) {
					r->win_open = true;
					r->wa = r->seq.next;
				}
				if (r->win_open && !r->win_closed && now >= r->trial.w1) {
					r->win_closed = true;
					r->wb = r->seq.next;
				}
				if (now >= r->stop_at)
					return STATUS_COMPLETED;
				next_event = min_u64(r->trial.next_boundary, r->stop_at);
				if (!r->win_closed)
					next_event = min_u64(next_event, r->win_open ? r->trial.w1 : r->trial.w0);
			}
		}
		if (!n && c->shared)
			io->ops->idle(io, next_event > now ? cycles_to_ns(r->hz, next_event - now) : 0);
	}
}

static void write_latency(struct jw *w, const struct rx *r)
{
	static const struct {
		const char *key;
		double q;
	} qs[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
	double ns = 1e9 / (double)r->hz;

	jw_open(w, "latency_ns", '{');
	jw_u64(w, "count", r->lat.count);
	if (!r->lat.count) {
		jw_null(w, "min");
		jw_null(w, "mean");
		for (unsigned i = 0; i < 4; i++)
			jw_null(w, qs[i].key);
		jw_null(w, "max");
	} else {
		jw_num(w, "min", round((double)r->lat.min * ns));
		jw_num(w, "mean", round((double)r->lat.sum / (double)r->lat.count * ns));
		for (unsigned i = 0; i < 4; i++)
			jw_num(w, qs[i].key, round((double)hist_quantile(&r->lat, qs[i].q) * ns));
		jw_num(w, "max", round((double)r->lat.max * ns));
	}
	jw_close(w, '}');
}

static void write_tx(struct jw *w, const struct rx *r)
{
	if (!r->end_seen) {
		jw_null(w, "tx");
		return;
	}
	jw_open(w, "tx", '{');
	jw_num(w, "offered_pps", (double)r->end.offered_mpps / 1000.0);
	jw_num(w, "pps", (double)r->end.window_mpps / 1000.0);
	jw_u64(w, "packets", r->end.tx_packets);
	jw_u64(w, "scheduled", r->end.scheduled);
	jw_u64(w, "failures", r->end.failures);
	jw_bool(w, "generator_limited", r->end.flags & END_GENERATOR_LIMITED);
	jw_close(w, '}');
}

static double ratio(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : NAN;
}

int main(int argc, char **argv)
{
	static struct rx r;
	struct sb_config c;
	struct cpu_plan cpu;
	struct jw w;
	char buf[SUMMARY_MAX];

	seqtrack_init(&r.seq);
	hist_init(&r.lat);
	static struct switch_snapshots sw;
	struct io *io = program_start(&c, ROLE_RECEIVER, argc, argv, &cpu, &r.trial, &r.hz);
	/* Before the ready line, so the switch's counters exclude nothing of this trial. */
	switch_snapshot(&c, &sw, false, 0);
	/* The sender must not start before this line: what it sends earlier is counted as lost. */
	sb_log("ready: %s port up, waiting for traffic", backend_name(c.backend));

	enum sb_status status = rx_loop(&c, io, &r);
	/* The linger after the end marker has let the switch forward what it still held. */
	switch_snapshot(&c, &sw, true, 0);

	if (r.win_open && !r.win_closed)
		r.wb = r.seq.next;
	uint64_t expected = r.seq.next, win_expected = r.win_open ? r.wb - r.wa : 0;
	if (r.end_seen && r.end.tx_packets > expected)
		expected = r.end.tx_packets;
	uint64_t lost = seqtrack_lost(&r.seq, expected);
	uint64_t win_lost = win_expected > r.win_unique ? win_expected - r.win_unique : 0;

	summary_begin(&w, buf, &c, &cpu, status, r.frame_size,
		      r.started ? tsc_to_s(r.t_last - r.trial.t0, r.hz) : 0);
	write_tx(&w, &r);
	jw_open(&w, "rx", '{');
	summary_rates(&w, &r.trial);
	jw_u64(&w, "packets", r.packets);
	jw_u64(&w, "probes", r.probes);
	jw_u64(&w, "end_markers", r.end_markers);
	jw_close(&w, '}');
	jw_open(&w, "loss", '{');
	jw_u64(&w, "expected", expected);
	jw_u64(&w, "received", r.seq.unique);
	jw_u64(&w, "lost", lost);
	jw_num(&w, "ratio", ratio(lost, expected));
	jw_u64(&w, "reordered", r.seq.reordered);
	jw_u64(&w, "duplicates", r.seq.duplicates);
	jw_u64(&w, "stale", r.seq.stale);
	jw_u64(&w, "local_drops", io->ops->local_drops(io));
	jw_u64(&w, "foreign", r.foreign);
	jw_bool(&w, "end_marker", r.end_seen);
	jw_open(&w, "window", '{');
	jw_u64(&w, "expected", win_expected);
	jw_u64(&w, "lost", win_lost);
	jw_num(&w, "ratio", ratio(win_lost, win_expected));
	jw_close(&w, '}');
	jw_close(&w, '}');
	write_latency(&w, &r);
	switch_write(&w, &c, &sw);
	int code = summary_end(&w, &c, status);
	io->ops->close(io);
	return code;
}
