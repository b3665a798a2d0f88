/* Process plumbing: stop on SIGTERM/SIGINT, sleeping for shared-CPU mode, and an stdout that
 * carries only NDJSON (libraries that print, such as DPDK's EAL, are sent to stderr). */
#ifndef SB_RUNTIME_H
#define SB_RUNTIME_H

#include <signal.h>
#include <stdint.h>

extern volatile sig_atomic_t sb_stop;

/* Installs handlers without SA_RESTART so sleeps and blocking waits return on a signal. */
void runtime_signals(void);
/* Keeps the real stdout for NDJSON only and points fd 1 at stderr. */
void runtime_output(void);
/* Writes one line to the NDJSON stream and flushes it (stdout is a pipe in a container). */
void runtime_emit(const char *line);
/* Writes the summary to path (truncating); returns 0 or -1 with errno set. */
int runtime_write_file(const char *path, const char *line);
void sleep_ns(uint64_t ns);
/* CLOCK_MONOTONIC in seconds, for timeouts outside the hot loops. */
double mono_s(void);

#endif
