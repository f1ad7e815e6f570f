/* RFC 3339 timestamps <-> integer nanoseconds since the Unix epoch, in C,
 * for the fast paths (map.ndjson, core.iso_ns).  No Lua here. */
#ifndef TINKR_ISO_TIME_H
#define TINKR_ISO_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses "2026-11-26T11:59:59.123456789Z" (T or t or space; Z, z or ±HH:MM;
 * 0-9 fraction digits; a date alone means midnight UTC) into *ns.
 * Returns 0, or -1 when the text is not such a timestamp. */
int iso_time_parse(const char *s, size_t len, int64_t *ns);

/* The last date iso_time_parse_cached read and its day number: the hits of
 * one search mostly share their date, and the calendar arithmetic is most
 * of a parse.  Zero it before the first use. */
typedef struct {
  char text[10];
  int valid;
  int64_t days;
} iso_date_cache;

/* iso_time_parse, reusing c's day number when s starts with c's date. */
int iso_time_parse_cached(const char *s, size_t len, int64_t *ns, iso_date_cache *c);

/* Writes ns as RFC 3339 UTC with 3, 6 or 9 fraction digits — as many as
 * the instant needs.  buf needs 40 bytes; returns the length. */
size_t iso_time_format(int64_t ns, char *buf);

#endif
