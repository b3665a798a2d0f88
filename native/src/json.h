/* Minimal JSON writer into a fixed buffer: the summary must stay under the 4 KiB termination
 * message, so overflowing is an error the caller checks, never a reallocation. */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf;
	size_t cap, len;
	bool overflow;
	bool comma; /* a value precedes in the current container */
};

void jw_init(struct jw *w, char *buf, size_t cap);
/* key is NULL inside arrays. */
void jw_open(struct jw *w, const char *key, char bracket);
void jw_close(struct jw *w, char bracket);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
/* Non-finite numbers become null: JSON has no NaN. */
void jw_num(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);

#endif
