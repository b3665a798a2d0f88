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

bool switch_counters_answers_parse(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *error_has;
		uint64_t in_rx, out_dropped;
	} cases[] = {
		{"switchbench-counters/v1 testpmd 100 1 90 9\n", 0, NULL, 100, 9},
		{"switchbench-counters/v1 ovs-dpdk 18446744073709551614 0 0 0", 0, NULL, UINT64_MAX - 1, 0},
		{"switchbench-counters/v1 ovs-dpdk 18446744073709551616 0 0 0", -1, "malformed", 0, 0},
		{"switchbench-counters/v1 ovs-dpdk - - 5 -\n", 0, NULL, SWITCH_COUNTER_UNKNOWN, SWITCH_COUNTER_UNKNOWN},
		{"switchbench-counters/v1 ovs-dpdk -5 0 0 0\n", -1, "malformed", 0, 0},
		{"switchbench-counters/v1 error ovs-ofctl: br0 is not a bridge\n", -1, "br0 is not a bridge", 0, 0},
		{"switchbench-counters/v2 testpmd 1 2 3 4\n", -1, "schema", 0, 0},
		{"switchbench-counters/v1 testpmd 1 2 3\n", -1, "malformed", 0, 0},
		{"switchbench-counters/v1 testpmd 1 2 3 4 5\n", -1, "malformed", 0, 0},
		{"switchbench-counters/v1 testpmd 1 -2 3 4\n", -1, "malformed", 0, 0},
		{"switchbench-counters/v1 Test;pmd 1 2 3 4\n", -1, "malformed", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct switch_counters c;
		char err[128] = "";
		int rc = switch_counters_parse(cases[i].line, &c, err, sizeof(err));
		CHECK(rc == cases[i].rc, "case %zu: rc %d (%s)", i, rc, err);
		if (rc)
			CHECK(strstr(err, cases[i].error_has), "case %zu: error '%s'", i, err);
		else
			CHECK(c.in_rx == cases[i].in_rx && c.out_dropped == cases[i].out_dropped, "case %zu: values", i);
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
		snprintf(path, sizeof(path), "%s/t1.answer", dir);
		FILE *f = fopen(path, "w");
		fputs("switchbench-counters/v1 testpmd 7 0 6 1\n", f);
		fclose(f);
		_exit(0);
	}
	int rc = switch_counters_read(dir, "t1", 5.0, &c, err, sizeof(err));
	waitpid(server, NULL, 0);
	int unanswered = switch_counters_read(dir, "t2", 0.05, &c, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/t2.request", dir);
	bool request_left = !access(path, F_OK);
	rmdir(dir);
	CHECK(rc == 0 && c.in_rx == 7 && c.out_tx == 6 && c.out_dropped == 1 && !strcmp(c.source, "testpmd"),
	      "answered request: rc %d", rc);
	CHECK(unanswered == -1 && strstr(err, "did not answer"), "unanswered request: %s", err);
	CHECK(!request_left, "an unanswered request is withdrawn");
	CHECK(switch_counters_read("/nonexistent", "t3", 1.0, &c, err, sizeof(err)) == -1 &&
		      strstr(err, "no switch serves"),
	      "missing directory: %s", err);
	return true;
}
