/* The port-counters protocol of the switches (docs/switches.md): the answers a switch may give, and
 * a request answered by another process as the switch's server would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime.h"
#include "switch_counters.h"
#include "unit.h"

/* The longest list a reader takes: one more character would leave no room for the terminator. */
#define CPUS_63 "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44"
_Static_assert(sizeof(CPUS_63) == sizeof(((struct switch_counters *)0)->cpus), "CPUS_63 fills cpus");

bool switch_counters_answers_parse(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *error_has;
		uint64_t in_rx, out_dropped;
		const char *cpus;
	} cases[] = {
		{"switchbench-counters/v1 testpmd 100 1 90 9\n", 0, NULL, 100, 9, ""},
		{"switchbench-counters/v1 ovs-dpdk 18446744073709551614 0 0 0", 0, NULL, UINT64_MAX - 1, 0, ""},
		{"switchbench-counters/v1 ovs-dpdk 18446744073709551616 0 0 0", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 ovs-dpdk - - 5 -\n", 0, NULL, SWITCH_COUNTER_UNKNOWN, SWITCH_COUNTER_UNKNOWN, ""},
		{"switchbench-counters/v1 ovs-dpdk -5 0 0 0\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 error ovs-ofctl: br0 is not a bridge\n", -1, "br0 is not a bridge", 0, 0, NULL},
		{"switchbench-counters/v2 testpmd 1 2 3 4\n", -1, "schema", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 5\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 -2 3 4\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 Test;pmd 1 2 3 4\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=2,4-5\n", 0, NULL, 1, 4, "2,4-5"},
		{"switchbench-counters/v1 vpp - 2 3 - cpus=1", 0, NULL, SWITCH_COUNTER_UNKNOWN, SWITCH_COUNTER_UNKNOWN,
		 "1"},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=a\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=1 extra\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=1\n\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=0-1 cpus=2\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpu=1\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4cpus=1\n", -1, "malformed", 0, 0, NULL},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=" CPUS_63 "\n", 0, NULL, 1, 4, CPUS_63},
		{"switchbench-counters/v1 testpmd 1 2 3 4 cpus=" CPUS_63 "1\n", -1, "malformed", 0, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct switch_counters c;
		char err[128] = "";
		int rc = switch_counters_parse(cases[i].line, &c, err, sizeof(err));
		CHECK(rc == cases[i].rc, "case %zu: rc %d (%s)", i, rc, err);
		if (rc)
			CHECK(strstr(err, cases[i].error_has), "case %zu: error '%s'", i, err);
		else
			CHECK(c.in_rx == cases[i].in_rx && c.out_dropped == cases[i].out_dropped &&
				      !strcmp(c.cpus, cases[i].cpus),
			      "case %zu: values (cpus '%s')", i, c.cpus);
	}
	return true;
}

bool switch_counters_request_is_answered(void)
{
	char dir[] = "/tmp/sb-unit-counters-XXXXXX", path[128], err[128] = "";
	struct switch_counters c;

	CHECK(mkdtemp(dir), "mkdtemp");
	pid_t server = fork();
	if (server == 0) {
		snprintf(path, sizeof(path), "%s/t1.request", dir);
		for (int i = 0; i < 5000 && access(path, F_OK); i++)
			usleep(1000);
		unlink(path);
		/* Written aside and renamed into place, as the switches' server does (sb-switch-lib.sh): the
		 * reader polls for the answer and must never open it half written. */
		char answer[128];
		snprintf(path, sizeof(path), "%s/t1.tmp", dir);
		snprintf(answer, sizeof(answer), "%s/t1.answer", dir);
		FILE *f = fopen(path, "w");
		fputs("switchbench-counters/v1 testpmd 7 0 6 1 cpus=2,4-5\n", f);
		fclose(f);
		rename(path, answer);
		_exit(0);
	}
	int rc = switch_counters_read(dir, "t1", 5.0, &c, err, sizeof(err));
	waitpid(server, NULL, 0);
	int unanswered = switch_counters_read(dir, "t2", 0.05, &c, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/t2.request", dir);
	bool request_left = !access(path, F_OK);
	rmdir(dir);
	CHECK(rc == 0 && c.in_rx == 7 && c.out_tx == 6 && c.out_dropped == 1 && !strcmp(c.source, "testpmd") &&
		      !strcmp(c.cpus, "2,4-5"),
	      "answered request: rc %d (cpus '%s')", rc, c.cpus);
	CHECK(unanswered == -1 && strstr(err, "did not answer"), "unanswered request: %s", err);
	CHECK(!request_left, "an unanswered request is withdrawn");
	CHECK(switch_counters_read("/nonexistent", "t3", 1.0, &c, err, sizeof(err)) == -1 &&
		      strstr(err, "no switch serves"),
	      "missing directory: %s", err);
	return true;
}
