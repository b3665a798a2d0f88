#include "summary.h"

#include <errno.h>
#include <string.h>

#include "fail.h"
#include "runtime.h"

static const char *status_name(enum sb_status s)
{
	return s == STATUS_COMPLETED ? "completed" : s == STATUS_INTERRUPTED ? "interrupted" : "no-traffic";
}

void summary_begin(struct jw *w, char *buf, const struct sb_config *c, const struct cpu_plan *cpu,
		   enum sb_status status, unsigned frame_size, double elapsed_s)
{
	char list[256];

	jw_init(w, buf, SUMMARY_MAX);
	jw_open(w, NULL, '{');
	jw_str(w, "schema", "switchbench.io/trial/v1");
	jw_str(w, "role", c->role == ROLE_SENDER ? "sender" : "receiver");
	jw_str(w, "version", SB_VERSION);
	jw_str(w, "status", status_name(status));
	jw_str(w, "backend", backend_name(c->backend));
	jw_str(w, "batching", batching_name(c->batching));
	jw_u64(w, "frame_size", frame_size);
	jw_u64(w, "burst", c->burst);
	jw_str(w, "cpu_mode", c->shared ? "shared" : "dedicated");
	cpu_list_format(&cpu->use, list, sizeof(list));
	jw_str(w, "cpus", list);
	cpu_list_format(&cpu->allowed, list, sizeof(list));
	jw_str(w, "allowed_cpus", list);
	jw_open(w, "trial", '{');
	jw_num(w, "duration_s", c->duration);
	jw_num(w, "warmup_s", c->warmup);
	jw_num(w, "window_s", c->window);
	jw_num(w, "sample_interval_s", c->sample_interval);
	jw_num(w, "elapsed_s", elapsed_s);
	jw_close(w, '}');
}

void summary_rates(struct jw *w, const struct trial *t)
{
	double v[] = {t->mean, trial_stddev(t), t->min, t->max};
	static const char *const keys[] = {"pps_mean", "pps_stddev", "pps_min", "pps_max"};

	for (int i = 0; i < 4; i++)
		t->n ? jw_num(w, keys[i], v[i]) : jw_null(w, keys[i]);
	jw_u64(w, "samples", t->n);
}

int summary_end(struct jw *w, const struct sb_config *c, enum sb_status status)
{
	jw_close(w, '}');
	if (w->overflow) {
		sb_log("summary exceeds %d bytes", SUMMARY_MAX);
		return SB_EXIT_INTERNAL;
	}
	runtime_emit(w->buf);
	if (c->summary_file && runtime_write_file(c->summary_file, w->buf)) {
		sb_log("--summary-file %s: %s", c->summary_file, strerror(errno));
		return SB_EXIT_INTERNAL;
	}
	return status == STATUS_COMPLETED ? SB_EXIT_OK : status == STATUS_INTERRUPTED ? SB_EXIT_INTERRUPTED
										    : SB_EXIT_NO_TRAFFIC;
}

void sample_begin(struct jw *w, char *buf, size_t cap, const struct sb_config *c, const struct sample *s)
{
	jw_init(w, buf, cap);
	jw_open(w, NULL, '{');
	jw_str(w, "schema", "switchbench.io/sample/v1");
	jw_str(w, "role", c->role == ROLE_SENDER ? "sender" : "receiver");
	jw_u64(w, "i", s->idx);
	jw_num(w, "t_s", s->t_s);
	jw_num(w, "pps", s->pps);
	jw_u64(w, "packets", s->packets);
	jw_bool(w, "window", s->in_window);
}

void sample_end(struct jw *w)
{
	jw_close(w, '}');
	runtime_emit(w->buf);
}
