#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *sb_prog = "sb";

static void vline(const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One line per diagnostic: the operator shows stderr's last line as the failure reason. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(stderr, "%s: %s\n", sb_prog, msg);
	fflush(stderr);
}

void sb_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	exit(code);
}

void sb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}
