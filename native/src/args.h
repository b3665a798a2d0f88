/* Command line of sb-sender and sb-receiver: plain "--name value" pairs (the operator passes argv
 * directly, never through a shell), then for the dpdk backend "--" and EAL arguments verbatim. */
#ifndef SB_ARGS_H
#define SB_ARGS_H

#include <stdbool.h>

#include "frame.h"

enum sb_role { ROLE_SENDER = 1, ROLE_RECEIVER = 2 };
enum sb_backend { BACKEND_DPDK, BACKEND_UDP, BACKEND_RAW };
enum sb_batching { BATCH_BURST, BATCH_SINGLE, BATCH_MMSG };

struct sb_config {
	enum sb_role role;
	enum sb_backend backend;
	enum sb_batching batching;
	const char *iface;
	unsigned port_id;
	const char *pci_env; /* dpdk: the variable holding the PCI devices to allow */
	struct frame_addr addr;
	bool src_mac_set, src_ip_set, dst_ip_set;
	bool dst_mac_resolve; /* raw sender: the next hop's MAC, from the kernel's tables (neigh.h) */
	unsigned size, burst;
	double rate; /* packets per second; 0 = unpaced */
	double duration, warmup, window, sample_interval;
	bool shared;
	const char *cpus;
	const char *summary_file;
	double link_timeout, start_timeout, linger, grace;
	unsigned sock_buf;
	double max_pps;		     /* receiver: 0 = take frames as fast as they come */
	const char *switch_counters; /* receiver: the switch's counters directory, or NULL */
	int eal_argc;
	char **eal_argv;
};

#define SB_VERSION "1.0.0"
#define SB_BURST_MAX 512u

/* Fills c or exits: 0 after --help/--version, SB_EXIT_USAGE with one line naming the argument. */
void args_parse(struct sb_config *c, enum sb_role role, int argc, char **argv);
const char *backend_name(enum sb_backend b);
const char *batching_name(enum sb_batching b);

#endif
