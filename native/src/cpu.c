#include "cpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

static int parse_num(const char **s, long *out)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	*out = strtol(*s, &end, 10);
	if (errno || *out >= CPU_SETSIZE)
		return -1;
	*s = end;
	return 0;
}

int cpu_list_parse(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	if (*s == '\0')
		return -1;
	for (;;) {
		long a, b;

		if (parse_num(&s, &a))
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (parse_num(&s, &b) || b < a)
				return -1;
		}
		for (long c = a; c <= b; c++)
			CPU_SET((int)c, set);
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return -1;
	}
}

void cpu_list_format(const cpu_set_t *set, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		char item[32];
		int n = e > c ? snprintf(item, sizeof(item), "%s%d-%d", len ? "," : "", c, e)
			      : snprintf(item, sizeof(item), "%s%d", len ? "," : "", c);
		if (len + (size_t)n + 4 > cap) {
			snprintf(buf + len, cap - len, "...");
			return;
		}
		memcpy(buf + len, item, (size_t)n + 1);
		len += (size_t)n;
		c = e;
	}
}

void cpu_plan_make(struct cpu_plan *p, const char *cpus_arg, bool dedicated)
{
	char list[256];

	if (sched_getaffinity(0, sizeof(p->allowed), &p->allowed))
		sb_fail(SB_EXIT_INTERNAL, "sched_getaffinity: %s", strerror(errno));
	p->use = p->allowed;
	if (cpus_arg) {
		cpu_set_t want, outside;

		if (cpu_list_parse(cpus_arg, &want))
			sb_fail(SB_EXIT_USAGE, "--cpus %s: not a cpu list (e.g. 2 or 2-3,6)", cpus_arg);
		CPU_XOR(&outside, &want, &p->allowed);
		CPU_AND(&outside, &outside, &want);
		if (CPU_COUNT(&outside)) {
			cpu_list_format(&p->allowed, list, sizeof(list));
			sb_fail(SB_EXIT_USAGE, "--cpus %s: not within the allowed CPU set %s", cpus_arg, list);
		}
		p->use = want;
	}
	if (dedicated) {
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (CPU_ISSET(c, &p->use)) {
				CPU_ZERO(&p->use);
				CPU_SET(c, &p->use);
				break;
			}
		}
	}
}

void cpu_pin(const struct cpu_plan *p)
{
	if (sched_setaffinity(0, sizeof(p->use), &p->use))
		sb_fail(SB_EXIT_INTERNAL, "sched_setaffinity: %s", strerror(errno));
}
