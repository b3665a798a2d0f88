/* The switch's port counters, asked for through files in the run directory (docs/switches.md, "Port
 * counters"): the receiver snapshots them before and after its trial, and the difference says where
 * the trial's frames were lost. */
#ifndef SB_SWITCH_COUNTERS_H
#define SB_SWITCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "json.h"

/* A counter the switch could not read ("-" in the answer), e.g. on a port whose peer is gone. */
#define SWITCH_COUNTER_UNKNOWN UINT64_MAX

struct switch_counters {
	char source[16];
	uint64_t in_rx, in_dropped, out_tx, out_dropped;
	/* The CPUs the switch may run on, a Linux cpu list ("2,4-5"), so that a trial records them beside
	 * its programs' own; empty when the answer did not say (a switch older than the cpus token). */
	char cpus[64];
};

/* Each program reads the counters of its own port, while it is connected: the sender the frames the
 * switch took from it (or dropped taking them), the receiver the frames the switch handed to it (or
 * that its ring refused). */
struct switch_snapshots {
	bool asked;
	char error[128];
	struct switch_counters start;
	/* Over the trial, on the program's own port: frames that passed it and frames dropped there. */
	char source[16];
	char cpus[64];
	uint64_t passed, dropped;
};

/* Snapshots the counters of the program's port at the start or the end of its trial; at the end, the
 * difference goes to s->delta, or the reason there is none to s->error. accepted: at the sender's
 * end, the frames its ring accepted, which the switch must have taken before the snapshot counts. */
void switch_snapshot(const struct sb_config *c, struct switch_snapshots *s, bool at_end, uint64_t accepted);
/* Writes "switch": null when the program was given no counters directory. */
void switch_write(struct jw *w, const struct sb_config *c, const struct switch_snapshots *s);

/* Parses one answer line; 0, or -1 with the reason in err. */
int switch_counters_parse(const char *line, struct switch_counters *out, char *err, size_t errlen);
/* Requests a snapshot tagged tag from the switch serving dir and waits up to timeout_s for its answer;
 * 0, or -1 with the reason in err. */
int switch_counters_read(const char *dir, const char *tag, double timeout_s, struct switch_counters *out, char *err,
			 size_t errlen);

#endif
