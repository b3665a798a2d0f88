/* One packet I/O interface behind the sender and receiver loops, called once per burst. */
#ifndef SB_IO_H
#define SB_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "args.h"
#include "cpu.h"
#include "frame.h"

struct io;

struct io_ops {
	/* Stamps frames seq..seq+n-1 with tsc and hands them to the port or kernel. Returns how many
	 * went: the caller reuses the others' sequence numbers, so sequence gaps are path loss only. */
	unsigned (*send)(struct io *io, uint64_t seq, unsigned n, uint64_t tsc);
	bool (*send_end)(struct io *io, const struct frame_end *e);
	/* Parses up to max received frames into items; an end marker's contents go to *end. */
	unsigned (*recv)(struct io *io, struct rx_item *items, unsigned max, struct frame_end *end);
	/* Shared-CPU mode, nothing received: give the CPU away for at most max_ns. */
	void (*idle)(struct io *io, uint64_t max_ns);
	/* Frames dropped at this program's own port or socket because it did not keep up. */
	uint64_t (*local_drops)(struct io *io);
	void (*close)(struct io *io);
};

struct io {
	const struct io_ops *ops;
	/* Probe frames a sender sent before its trial (TAG_PROBE): a virtio-user port's only. */
	uint64_t probes;
};

/* Each exits with SB_EXIT_PORT when the port, socket or link does not come up within
 * --link-timeout and SB_EXIT_USAGE when the arguments cannot work (e.g. frame above the MTU). */
struct io *io_dpdk_open(const struct sb_config *c, const struct cpu_plan *cpu);
struct io *io_sock_open(const struct sb_config *c);

static inline struct io *io_open(const struct sb_config *c, const struct cpu_plan *cpu)
{
	return c->backend == BACKEND_DPDK ? io_dpdk_open(c, cpu) : io_sock_open(c);
}

#endif
