/* What the unit test files of test/native share: the failure message and the check that sets it. */
#ifndef SB_TEST_UNIT_H
#define SB_TEST_UNIT_H

#include <stdbool.h>
#include <stdio.h>

extern char why[256];

#define CHECK(cond, ...)                                         \
	do {                                                     \
		if (!(cond)) {                                   \
			snprintf(why, sizeof(why), __VA_ARGS__); \
			return false;                            \
		}                                                \
	} while (0)

bool rxparse_groups_as_the_parser_parses(void);
bool another_trials_frames_are_foreign(void);
bool virtio_queue_from_the_vdev(void);
bool the_reservation_holds_the_pools(void);
bool hugetlb_limits_of_cgroup_v1_and_v2(void);
bool switch_counters_answers_parse(void);
bool switch_counters_request_is_answered(void);
bool next_hop_by_longest_prefix(void);
bool neighbour_entries_complete_on_the_interface(void);

#endif
