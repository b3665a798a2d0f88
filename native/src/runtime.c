#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "fail.h"

volatile sig_atomic_t sb_stop;
static FILE *ndjson;

static void on_signal(int sig)
{
	(void)sig;
	sb_stop = 1;
}

void runtime_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Shared mode paces by sleeping: the default 50 us timer slack would blur every deadline. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

void runtime_output(void)
{
	int fd = dup(STDOUT_FILENO);

	if (fd < 0 || !(ndjson = fdopen(fd, "w")) || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		sb_fail(SB_EXIT_INTERNAL, "stdout: %s", strerror(errno));
}

void runtime_emit(const char *line)
{
	fputs(line, ndjson);
	fputc('\n', ndjson);
	fflush(ndjson);
}

int runtime_write_file(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(line);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, line, len);
	int saved = errno;
	if (close(fd) || n != (ssize_t)len) {
		errno = n < 0 ? saved : EIO;
		return -1;
	}
	return 0;
}

void sleep_ns(uint64_t ns)
{
	struct timespec t = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};

	nanosleep(&t, NULL);
}

double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
