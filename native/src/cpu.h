/* CPU placement: the allowed set is what the kubelet's static CPU manager gave the container. */
#ifndef SB_CPU_H
#define SB_CPU_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

struct cpu_plan {
	cpu_set_t allowed; /* affinity at start: the container's cpuset */
	cpu_set_t use;     /* where the polling thread runs */
};

/* Parses a Linux cpu list ("0-3,8"); returns -1 on a syntax error. */
int cpu_list_parse(const char *s, cpu_set_t *set);
/* Formats a set as a cpu list; truncated with "..." when it does not fit. */
void cpu_list_format(const cpu_set_t *set, char *buf, size_t cap);

/* Dedicated mode narrows to one CPU (one busy poller per core, as in the paper); shared mode keeps
 * the whole set so the scheduler can spread sleeping programs. cpus_arg, when given, must lie
 * within the allowed set. Exits with a usage error otherwise. */
void cpu_plan_make(struct cpu_plan *p, const char *cpus_arg, bool dedicated);
void cpu_pin(const struct cpu_plan *p);

#endif
