/*
 * json_scan — a strict RFC 8259 pull scanner over a byte buffer.
 *
 * It knows JSON syntax and nothing of Lua: callers (l_json.c, l_map.c) pull
 * one token at a time and decide what to build.  The buffer is addressed by
 * length; it need not be NUL-terminated and is never read past its end.
 *
 * Decisions (documented for users in docs/core-api.md):
 *  - nesting deeper than JSON_MAX_DEPTH is an error; skipping is iterative,
 *    so no input can exhaust the C stack;
 *  - strings must be valid UTF-8 (no overlongs, no encoded surrogates,
 *    nothing above U+10FFFF); raw control characters are rejected;
 *  - a \u escape naming a lone surrogate decodes to U+FFFD;
 *  - a leading byte order mark is rejected, as is anything but whitespace
 *    after the top-level value.
 * Error positions are 0-based offsets of the offending byte (the end of the
 * buffer for truncated input).
 */
#ifndef TINKR_JSON_SCAN_H
#define TINKR_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 1000

typedef enum {
  JSON_NONE = 0, /* an error; see json_scanner.err */
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,    /* '[' consumed; iterate with json_array_next */
  JSON_OBJECT    /* '{' consumed; iterate with json_object_next */
} json_type;

typedef struct {
  const unsigned char *start, *p, *end;
  int depth;          /* containers currently open */
  const char *err;    /* static reason; NULL while all is well */
  size_t err_at;      /* offset of the offending byte */
} json_scanner;

/* A string is handed out raw (between the quotes, already validated);
 * escaped != 0 means it must go through json_unescape.  A number carries
 * its value: an integer when it has no fraction/exponent and fits int64. */
typedef struct {
  json_type type;
  const char *str;
  size_t len;
  int escaped;
  int is_int;
  int64_t i;
  double d;
} json_token;

void json_scan_init(json_scanner *s, const char *buf, size_t len);

/* Reads the next value: scalars completely, containers just their opening
 * bracket.  Returns the type, or JSON_NONE with s->err set. */
json_type json_value(json_scanner *s, json_token *t);

/* Type of the next value without consuming it (JSON_NONE at end/garbage). */
json_type json_peek(json_scanner *s);

/* Object members: *count is how many were read so far (start at 0).
 * Returns 1 with the key in *key and the scanner at the member's value,
 * 0 after consuming the closing '}', -1 on error. */
int json_object_next(json_scanner *s, json_token *key, size_t *count);

/* Array elements, same protocol: 1 = an element follows, 0 = ']' consumed. */
int json_array_next(json_scanner *s, size_t *count);

/* Skips (and fully validates) the next value.  0 ok, -1 error. */
int json_skip(json_scanner *s);

/* Skips (validating) what remains of the innermost open container, after
 * a complete member or element, through its closing bracket `close`
 * ('}' or ']').  0 ok, -1 error. */
int json_skip_rest(json_scanner *s, unsigned char close);

/* Checks that only whitespace remains.  0 ok, -1 error. */
int json_finish(json_scanner *s);

/* Unescapes a validated raw string into dst (at most cap bytes written);
 * returns the full unescaped length, which never exceeds len. */
size_t json_unescape(const char *raw, size_t len, char *dst, size_t cap);

/* Writes the shortest text that reads back as exactly d (finite), with a
 * '.' decimal point whatever the locale, and ".0" added to integral values
 * so that they read back as floats.  buf needs 32 bytes; returns length. */
size_t json_format_double(double d, char *buf);

/* Length of the longest valid UTF-8 prefix of s (== len when all valid). */
size_t json_utf8_valid_prefix(const char *s, size_t len);

#endif
