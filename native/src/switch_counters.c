#include "switch_counters.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "runtime.h"

#define COUNTERS_SCHEMA "switchbench-counters/v1"

int switch_counters_parse(const char *line, struct switch_counters *out, char *err, size_t errlen)
{
	const char *rest;
	int used = -1;

	if (strncmp(line, COUNTERS_SCHEMA " ", sizeof(COUNTERS_SCHEMA))) {
		snprintf(err, errlen, "the answer is not of schema %s", COUNTERS_SCHEMA);
		return -1;
	}
	rest = line + sizeof(COUNTERS_SCHEMA);
	if (!strncmp(rest, "error ", 6)) {
		snprintf(err, errlen, "the switch could not read its counters: %.*s", (int)strcspn(rest + 6, "\n"),
			 rest + 6);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	int n = sscanf(rest, "%15[a-z0-9-]%n", out->source, &used);
	const char *p = rest + (n == 1 ? used : 0);
	uint64_t *fields[] = {&out->in_rx, &out->in_dropped, &out->out_tx, &out->out_dropped};
	for (unsigned i = 0; n == 1 && i < 4; i++) {
		/* Unsigned decimals or "-": scanf alone would take "-2" as 2^64 - 2. */
		size_t digits = p[0] == ' ' ? strspn(p + 1, "0123456789") : 0;
		if (p[0] == ' ' && p[1] == '-' && (p[2] == ' ' || p[2] == '\n' || !p[2])) {
			*fields[i] = SWITCH_COUNTER_UNKNOWN;
			p += 2;
		} else if (digits && digits <= 20 && (errno = 0, *fields[i] = strtoull(p + 1, NULL, 10), !errno)) {
			p += 1 + digits;
		} else {
			n = 0;
		}
	}
	/* Optional, so that the answers of a switch without the token still parse. */
	if (n == 1 && !strncmp(p, " cpus=", 6)) {
		size_t len = strspn(p + 6, "0123456789,-");
		if (len && len < sizeof(out->cpus)) {
			memcpy(out->cpus, p + 6, len);
			p += 6 + len;
		} else {
			n = 0;
		}
	}
	if (n == 1 && (!*p || !strcmp(p, "\n")))
		return 0;
	snprintf(err, errlen, "malformed answer: %.*s", (int)strcspn(rest, "\n"), rest);
	return -1;
}

/* The switch polls for requests every 10 ms and reads its counters through a CLI or telemetry call. */
int switch_counters_read(const char *dir, const char *tag, double timeout_s, struct switch_counters *out, char *err,
			 size_t errlen)
{
	char request[256], answer[256], line[256];
	int fd;

	snprintf(request, sizeof(request), "%s/%s.request", dir, tag);
	snprintf(answer, sizeof(answer), "%s/%s.answer", dir, tag);
	unlink(answer);
	fd = open(request, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s (no switch serves port counters there)", request, strerror(errno));
		return -1;
	}
	close(fd);
	for (double until = mono_s() + timeout_s; mono_s() < until && !sb_stop; sleep_ns(1000000)) {
		FILE *f = fopen(answer, "re");
		if (!f)
			continue;
		bool got = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		unlink(answer);
		if (!got) {
			snprintf(err, errlen, "%s: empty answer", answer);
			return -1;
		}
		return switch_counters_parse(line, out, err, errlen);
	}
	unlink(request);
	snprintf(err, errlen, "the switch did not answer %s within %g s", request, timeout_s);
	return -1;
}

/* The program's own port: for the sender, frames the switch took from it and dropped taking them;
 * for the receiver, frames the switch handed to it and those its ring refused. */
static void own(const struct sb_config *c, const struct switch_counters *x, uint64_t v[2])
{
	v[0] = c->role == ROLE_SENDER ? x->in_rx : x->out_tx;
	v[1] = c->role == ROLE_SENDER ? x->in_dropped : x->out_dropped;
}

static int read_own(const struct sb_config *c, const char *tag, struct switch_counters *x, struct switch_snapshots *s)
{
	uint64_t v[2];

	if (switch_counters_read(c->switch_counters, tag, 5.0, x, s->error, sizeof(s->error)))
		return -1;
	own(c, x, v);
	if (v[0] == SWITCH_COUNTER_UNKNOWN || v[1] == SWITCH_COUNTER_UNKNOWN) {
		snprintf(s->error, sizeof(s->error), "%s does not count frames on the %s's port", x->source,
			 c->role == ROLE_SENDER ? "sender" : "receiver");
		return -1;
	}
	return 0;
}

void switch_snapshot(const struct sb_config *c, struct switch_snapshots *s, bool at_end, uint64_t accepted)
{
	struct switch_counters now;
	uint64_t before[2], after[2];
	char tag[64];

	if (!c->switch_counters || s->error[0])
		return;
	s->asked = true;
	snprintf(tag, sizeof(tag), "%s%u-%d-%s", c->role == ROLE_SENDER ? "tx" : "rx", ntohs(c->addr.dst_port),
		 (int)getpid(), at_end ? "end" : "start");
	if (read_own(c, tag, at_end ? &now : &s->start, s) || !at_end)
		return;
	own(c, &s->start, before);
	/* The switch may still be taking the sender's last frames from its ring: the sender's end
	 * snapshot waits, up to a second, until the switch has accounted for all the ring accepted. */
	for (double until = mono_s() + 1.0;; sleep_ns(20000000)) {
		own(c, &now, after);
		if (after[0] < before[0] || after[1] < before[1]) {
			snprintf(s->error, sizeof(s->error), "%s's counters went backwards: it restarted during the trial",
				 now.source);
			return;
		}
		if (after[0] - before[0] + after[1] - before[1] >= accepted || mono_s() >= until)
			break;
		if (read_own(c, tag, &now, s))
			return;
	}
	memcpy(s->source, now.source, sizeof(s->source));
	/* A container's cpuset stays as it started, so the start answer's stands in for an end without. */
	memcpy(s->cpus, now.cpus[0] ? now.cpus : s->start.cpus, sizeof(s->cpus));
	s->passed = after[0] - before[0];
	s->dropped = after[1] - before[1];
}

void switch_write(struct jw *w, const struct sb_config *c, const struct switch_snapshots *s)
{
	if (!s->asked) {
		jw_null(w, "switch");
		return;
	}
	jw_open(w, "switch", '{');
	if (s->error[0]) {
		jw_str(w, "error", s->error);
	} else {
		bool sender = c->role == ROLE_SENDER;
		jw_str(w, "source", s->source);
		jw_u64(w, sender ? "in_rx" : "out_tx", s->passed);
		jw_u64(w, sender ? "in_dropped" : "out_dropped", s->dropped);
		if (s->cpus[0])
			jw_str(w, "cpus", s->cpus);
	}
	jw_close(w, '}');
}
