#include "program.h"

#include "fail.h"
#include "runtime.h"
#include "tsc.h"

struct io *program_start(struct sb_config *c, enum sb_role role, int argc, char **argv, struct cpu_plan *cpu,
			 struct trial *t, uint64_t *hz)
{
	sb_prog = role == ROLE_SENDER ? "sb-sender" : "sb-receiver";
	args_parse(c, role, argc, argv);
	runtime_output();
	runtime_signals();
	cpu_plan_make(cpu, c->cpus, !c->shared);
	*hz = tsc_calibrate();
	trial_init(t, *hz, c->duration, c->warmup, c->window, c->sample_interval);
	struct io *io = io_open(c, cpu);
	cpu_pin(cpu);
	return io;
}
