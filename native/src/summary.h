/* JSON lines on stdout: per-sample lines (schema switchbench.io/sample/v1) and one closing summary
 * (switchbench.io/trial/v1), also written to --summary-file. docs/traffic-programs.md is the contract. */
#ifndef SB_SUMMARY_H
#define SB_SUMMARY_H

#include "args.h"
#include "cpu.h"
#include "json.h"
#include "trial.h"

#define SUMMARY_MAX 4096 /* Kubernetes keeps at most 4 KiB of a termination message */

enum sb_status { STATUS_COMPLETED, STATUS_INTERRUPTED, STATUS_NO_TRAFFIC };

void summary_begin(struct jw *w, char *buf, const struct sb_config *c, const struct cpu_plan *cpu,
		   enum sb_status status, unsigned frame_size, double elapsed_s);
/* Writes the window's per-sample rate statistics into the open object: pps_mean, pps_stddev,
 * pps_min, pps_max (null without samples) and samples. */
void summary_rates(struct jw *w, const struct trial *t);
/* Closes the summary, prints it and writes --summary-file. Returns the exit code for status, or
 * SB_EXIT_INTERNAL when the summary could not be delivered. */
int summary_end(struct jw *w, const struct sb_config *c, enum sb_status status);

void sample_begin(struct jw *w, char *buf, size_t cap, const struct sb_config *c, const struct sample *s);
void sample_end(struct jw *w);

#endif
