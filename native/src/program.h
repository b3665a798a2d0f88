/* Start-up common to sb-sender and sb-receiver. */
#ifndef SB_PROGRAM_H
#define SB_PROGRAM_H

#include <stdint.h>

#include "args.h"
#include "cpu.h"
#include "io.h"
#include "trial.h"

/* Parses arguments, keeps stdout for NDJSON, installs signal handlers, calibrates the TSC, opens
 * the port or socket and pins the polling thread. Exits with the documented code on failure. */
struct io *program_start(struct sb_config *c, enum sb_role role, int argc, char **argv, struct cpu_plan *cpu,
			 struct trial *t, uint64_t *hz);

#endif
