/* Exit codes and one-line diagnostics shared by sb-sender and sb-receiver. */
#ifndef SB_FAIL_H
#define SB_FAIL_H

/* The operator maps these to trial outcomes, so they are part of the documented interface. */
enum sb_exit {
	SB_EXIT_OK = 0,          /* trial completed, summary written */
	SB_EXIT_INTERNAL = 1,    /* unexpected runtime failure */
	SB_EXIT_USAGE = 2,       /* bad arguments: fix the command line, retrying will not help */
	SB_EXIT_PORT = 3,        /* port, interface or socket did not come up: the environment is not ready */
	SB_EXIT_INTERRUPTED = 4, /* SIGTERM/SIGINT before the trial completed, partial summary written */
	SB_EXIT_NO_TRAFFIC = 5,  /* receiver: nothing arrived within --start-timeout, summary written */
};

extern const char *sb_prog;

/* Prints "prog: message" as one line on stderr and exits with code. */
_Noreturn void sb_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same format, without exiting: warnings and the receiver's readiness line. */
void sb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
