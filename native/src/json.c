#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static void put(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct jw *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	w->len += (size_t)n;
}

static void key(struct jw *w, const char *k)
{
	if (w->comma)
		put(w, ",");
	if (k)
		put(w, "\"%s\":", k);
	w->comma = true;
}

void jw_init(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
	w->comma = false;
	buf[0] = '\0';
}

void jw_open(struct jw *w, const char *k, char bracket)
{
	key(w, k);
	put(w, "%c", bracket);
	w->comma = false;
}

void jw_close(struct jw *w, char bracket)
{
	put(w, "%c", bracket);
	w->comma = true;
}

void jw_str(struct jw *w, const char *k, const char *v)
{
	key(w, k);
	put(w, "\"");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(w, "\\%c", *p);
		else if (*p < 0x20)
			put(w, "\\u%04x", *p);
		else
			put(w, "%c", *p);
	}
	put(w, "\"");
}

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	put(w, "%llu", (unsigned long long)v);
}

void jw_num(struct jw *w, const char *k, double v)
{
	key(w, k);
	if (isfinite(v))
		put(w, "%.10g", v);
	else
		put(w, "null");
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false");
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	put(w, "null");
}
