/* json_scan — strict RFC 8259 pull scanner; see json_scan.h for the rules. */
#include "json_scan.h"

#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_simd.h"

static int fail(json_scanner *s, const unsigned char *at, const char *why)
{
  if (!s->err) {             /* keep the first, innermost reason */
    s->err = why;
    s->err_at = (size_t)(at - s->start);
  }
  return -1;
}

void json_scan_init(json_scanner *s, const char *buf, size_t len)
{
  s->start = s->p = (const unsigned char *)buf;
  s->end = s->start + len;
  s->depth = 0;
  s->err = NULL;
  s->err_at = 0;
}

static inline void skip_ws(json_scanner *s)
{
  const unsigned char *p = s->p, *e = s->end;
  if (p < e && *p > ' ') return;   /* compact JSON: nothing to skip */
  while (p < e && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  s->p = p;
}

static inline int is_digit(unsigned c) { return c - '0' < 10u; }

static int hex_value(unsigned c)
{
  if (c - '0' < 10u) return (int)(c - '0');
  c |= 0x20;                 /* fold to lower case */
  if (c - 'a' < 6u) return (int)(c - 'a' + 10);
  return -1;
}

/* Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80),
 * or 0 when it is not one: overlongs, surrogates and > U+10FFFF fail. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *e)
{
  unsigned c = p[0], lo = 0x80, hi = 0xBF;
  size_t n;
  if (c < 0xC2) return 0;
  if (c < 0xE0) n = 2;
  else if (c < 0xF0) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;
  } else if (c < 0xF5) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
  } else return 0;
  if ((size_t)(e - p) < n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < n; i++)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return n;
}

size_t json_utf8_valid_prefix(const char *str, size_t len)
{
  const unsigned char *p = (const unsigned char *)str, *e = p + len;
  while (p < e) {
    if (*p < 0x80) { p++; continue; }
    size_t n = utf8_seq(p, e);
    if (!n) break;
    p += n;
  }
  return (size_t)(p - (const unsigned char *)str);
}

/* s->p is at the opening quote.  Validates the string and hands out the
 * raw bytes between the quotes. */
static __attribute__((noinline)) int scan_string_full(json_scanner *s, json_token *t)
{
  const unsigned char *p = s->p + 1, *e = s->end, *begin = p;
  int escaped = 0;
  for (;;) {
    p = json_next_special(p, e);
    if (p >= e) return fail(s, p, "unterminated string");
    unsigned c = *p;
    if (c == '"') break;
    if (c == '\\') {
      escaped = 1;
      if (e - p < 2) return fail(s, e, "unterminated string");
      switch (p[1]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        p += 2;
        break;
      case 'u':
        for (int i = 2; i < 6; i++) {
          if (p + i >= e) return fail(s, e, "unterminated string");
          if (hex_value(p[i]) < 0) return fail(s, p + i, "invalid \\u escape (4 hex digits expected)");
        }
        p += 6;
        break;
      default:
        return fail(s, p, "invalid escape in string");
      }
    } else if (c < 0x20) {
      return fail(s, p, "control character in string (must be escaped)");
    } else if (c >= 0x80) {
      size_t n = utf8_seq(p, e);
      if (!n) return fail(s, p, "invalid UTF-8 in string");
      p += n;
    } else {
      p++;
    }
  }
  t->type = JSON_STRING;
  t->str = (const char *)begin;
  t->len = (size_t)(p - begin);
  t->escaped = escaped;
  s->p = p + 1;
  return 0;
}

/* scan_string_full's common case, inlined where tokens are read: a plain
 * ASCII string whose closing quote is in the next 16-byte blocks.  Anything
 * else (an escape, a byte to check, the end of the buffer near) goes to
 * the full scanner, from the opening quote. */
static inline int scan_string(json_scanner *s, json_token *t)
{
#if defined(__SSE2__)
  const unsigned char *p = s->p + 1, *e = s->end, *begin = p;
  while (e - p >= 16) {
    unsigned hit = special_bytes16(p);
    if (hit) {
      p += __builtin_ctz(hit);
      if (*p != '"') break;
      t->type = JSON_STRING;
      t->str = (const char *)begin;
      t->len = (size_t)(p - begin);
      t->escaped = 0;
      s->p = p + 1;
      return 0;
    }
    p += 16;
  }
#endif
  return scan_string_full(s, t);
}

/* Validates a number literal at s->p; leaves its text in t->str/len. */
static int scan_number(json_scanner *s, json_token *t)
{
  const unsigned char *p = s->p, *e = s->end, *begin = p;
  int is_int = 1;
  if (*p == '-') p++;
  if (p >= e) return fail(s, p, "unexpected end of input in number");
  if (*p == '0') {
    p++;
    if (p < e && is_digit(*p)) return fail(s, p, "leading zeros are not allowed");
  } else if (is_digit(*p)) {
    while (p < e && is_digit(*p)) p++;
  } else {
    return fail(s, p, "invalid number");
  }
  if (p < e && *p == '.') {
    is_int = 0;
    p++;
    if (p >= e || !is_digit(*p)) return fail(s, p, "expected a digit after '.'");
    while (p < e && is_digit(*p)) p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    is_int = 0;
    p++;
    if (p < e && (*p == '+' || *p == '-')) p++;
    if (p >= e || !is_digit(*p)) return fail(s, p, "expected a digit in exponent");
    while (p < e && is_digit(*p)) p++;
  }
  t->type = JSON_NUMBER;
  t->str = (const char *)begin;
  t->len = (size_t)(p - begin);
  t->is_int = is_int;
  s->p = p;
  return 0;
}

/* The C library formats and parses numbers with the locale's decimal
 * point; nl_langinfo is the thread-safe way to ask for it. */
static char decimal_point(void)
{
  const char *radix = nl_langinfo(RADIXCHAR);
  return radix && radix[0] ? radix[0] : '.';
}

/* strtod on a copy: the buffer has no terminator of its own, and the C
 * library wants the locale's decimal point, as Lua's own lua_str2number. */
static double parse_double(const char *lit, size_t len, int *ok)
{
  char small[128], *buf = small;
  *ok = 1;
  if (len >= sizeof small) {
    buf = malloc(len + 1);
    if (!buf) { *ok = 0; return 0.0; }
  }
  memcpy(buf, lit, len);
  buf[len] = '\0';
  char point = decimal_point();
  if (point != '.') {
    char *dot = memchr(buf, '.', len);
    if (dot) *dot = point;
  }
  double d = strtod(buf, NULL);
  if (buf != small) free(buf);
  return d;
}

/* Converts a validated number literal: sets t->is_int, t->i, t->d. */
static void number_value(const char *lit, size_t len, json_token *t)
{
  t->i = 0;
  t->d = 0.0;
  if (t->is_int) {
    int neg = lit[0] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    size_t k = (size_t)neg;
    for (; k < len; k++) {
      unsigned dgt = (unsigned char)lit[k] - '0';
      if (v > (limit - dgt) / 10) break;     /* would overflow int64 */
      v = v * 10 + dgt;
    }
    if (k == len && !(neg && v == 0)) {      /* "-0" stays a float: -0.0 */
      t->i = neg ? (int64_t)(0 - v) : (int64_t)v;
      return;
    }
    t->is_int = 0;
  }
  int ok;
  t->d = parse_double(lit, len, &ok);
  if (!ok) t->d = NAN;
}

size_t json_format_double(double d, char *buf)
{
  char point = decimal_point();
  int n = 0;
  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(buf, 32, "%.*g", prec, d);
    if (point != '.') {
      char *pt = memchr(buf, point, (size_t)n);
      if (pt) *pt = '.';
    }
    int ok;
    if (parse_double(buf, (size_t)n, &ok) == d) break;
  }
  if (!memchr(buf, '.', (size_t)n) && !memchr(buf, 'e', (size_t)n)) {
    buf[n++] = '.';
    buf[n++] = '0';
    buf[n] = '\0';
  }
  return (size_t)n;
}

static int scan_literal(json_scanner *s, json_token *t)
{
  static const char *const words[] = { "null", "false", "true" };
  static const json_type types[] = { JSON_NULL, JSON_FALSE, JSON_TRUE };
  int w = *s->p == 'n' ? 0 : *s->p == 'f' ? 1 : 2;
  size_t n = strlen(words[w]), have = (size_t)(s->end - s->p);
  if (have < n) {
    if (memcmp(s->p, words[w], have) == 0) return fail(s, s->end, "unexpected end of input");
    return fail(s, s->p, "invalid literal (true, false or null expected)");
  }
  if (memcmp(s->p, words[w], n) != 0) return fail(s, s->p, "invalid literal (true, false or null expected)");
  s->p += n;
  t->type = types[w];
  return 0;
}

static int unexpected(json_scanner *s)
{
  const unsigned char *p = s->p;
  if (p == s->start && s->end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
    return fail(s, p, "byte order mark is not allowed");
  return fail(s, p, "unexpected character");
}

static int open_container(json_scanner *s)
{
  if (s->depth >= JSON_MAX_DEPTH) return fail(s, s->p, "nesting deeper than 1000 levels");
  s->depth++;
  s->p++;
  return 0;
}

json_type json_value(json_scanner *s, json_token *t)
{
  int rc;
  skip_ws(s);
  if (s->p >= s->end) {
    fail(s, s->p, "unexpected end of input");
    return t->type = JSON_NONE;
  }
  switch (*s->p) {
  case '{':
    rc = open_container(s);
    t->type = JSON_OBJECT;
    break;
  case '[':
    rc = open_container(s);
    t->type = JSON_ARRAY;
    break;
  case '"':
    rc = scan_string(s, t);
    break;
  case '-': case '0': case '1': case '2': case '3': case '4':
  case '5': case '6': case '7': case '8': case '9':
    rc = scan_number(s, t);
    if (rc == 0) number_value(t->str, t->len, t);
    break;
  case 'n': case 'f': case 't':
    rc = scan_literal(s, t);
    break;
  default:
    rc = unexpected(s);
  }
  if (rc < 0) t->type = JSON_NONE;
  return t->type;
}

json_type json_peek(json_scanner *s)
{
  skip_ws(s);
  if (s->p >= s->end) return JSON_NONE;
  switch (*s->p) {
  case '{': return JSON_OBJECT;
  case '[': return JSON_ARRAY;
  case '"': return JSON_STRING;
  case 'n': return JSON_NULL;
  case 't': return JSON_TRUE;
  case 'f': return JSON_FALSE;
  case '-': return JSON_NUMBER;
  default: return is_digit(*s->p) ? JSON_NUMBER : JSON_NONE;
  }
}

/* After '{' or ',' in an object: the key and its ':'. */
static inline __attribute__((always_inline)) int member_key(json_scanner *s, json_token *key)
{
  skip_ws(s);
  if (s->p >= s->end) return fail(s, s->p, "unexpected end of input");
  if (*s->p != '"') return fail(s, s->p, "expected a string key");
  if (scan_string(s, key) < 0) return -1;
  skip_ws(s);
  if (s->p >= s->end) return fail(s, s->p, "unexpected end of input");
  if (*s->p != ':') return fail(s, s->p, "expected ':' after object key");
  s->p++;
  return 0;
}

/* The separator before the next member/element, or the closing bracket.
 * Returns 1 = another item follows, 0 = container closed, -1 = error. */
static inline __attribute__((always_inline)) int next_item(json_scanner *s, size_t *count, unsigned char close)
{
  skip_ws(s);
  if (s->p >= s->end) return fail(s, s->p, "unexpected end of input");
  if (*s->p == close) {
    s->p++;
    s->depth--;
    return 0;
  }
  if (*count > 0) {
    if (*s->p != ',')
      return fail(s, s->p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == close) return fail(s, s->p, "trailing comma");
  }
  (*count)++;
  return 1;
}

int json_object_next(json_scanner *s, json_token *key, size_t *count)
{
  int rc = next_item(s, count, '}');
  if (rc <= 0) return rc;
  return member_key(s, key) < 0 ? -1 : 1;
}

int json_array_next(json_scanner *s, size_t *count)
{
  return next_item(s, count, ']');
}

/* Iterative, so depth costs one byte per level of a local stack, never a
 * C stack frame.  With top > 0 it starts inside open containers, just
 * after a complete item. */
static int skip_from(json_scanner *s, unsigned char *open, int top, int base)
{
  json_token t;
  if (top > 0) goto item_done;
  for (;;) {
    /* a value is expected */
    skip_ws(s);
    if (s->p >= s->end) return fail(s, s->p, "unexpected end of input");
    unsigned char c = *s->p;
    switch (c) {
    case '{': case '[':
      if (base + top >= JSON_MAX_DEPTH) return fail(s, s->p, "nesting deeper than 1000 levels");
      s->p++;
      skip_ws(s);
      if (s->p < s->end && *s->p == (c == '{' ? '}' : ']')) {
        s->p++;
        break;
      }
      open[top++] = c == '{' ? '}' : ']';
      if (c == '{' && member_key(s, &t) < 0) return -1;
      continue;
    case '"':
      if (scan_string(s, &t) < 0) return -1;
      break;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      if (scan_number(s, &t) < 0) return -1;
      break;
    case 'n': case 'f': case 't':
      if (scan_literal(s, &t) < 0) return -1;
      break;
    default:
      return unexpected(s);
    }
    /* a value is complete: close containers or move to the next item */
  item_done:
    for (;;) {
      if (top == 0) return 0;
      unsigned char close = open[top - 1];
      skip_ws(s);
      if (s->p >= s->end) return fail(s, s->p, "unexpected end of input");
      if (*s->p == close) {
        s->p++;
        top--;
        continue;
      }
      if (*s->p != ',')
        return fail(s, s->p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
      s->p++;
      skip_ws(s);
      if (s->p < s->end && *s->p == close) return fail(s, s->p, "trailing comma");
      if (close == '}' && member_key(s, &t) < 0) return -1;
      break;
    }
  }
}

int json_skip(json_scanner *s)
{
  /* A scalar (most skipped values are) without skip_from's set-up: the
   * same scanners, so the same errors */
  json_token t;
  skip_ws(s);
  if (s->p < s->end) {
    switch (*s->p) {
    case '"':
      return scan_string(s, &t);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number(s, &t);
    case 'n': case 'f': case 't':
      return scan_literal(s, &t);
    default:
      break;
    }
  }
  unsigned char open[JSON_MAX_DEPTH];  /* '}' or ']' expected per level */
  return skip_from(s, open, 0, s->depth);
}

int json_skip_rest(json_scanner *s, unsigned char close)
{
  unsigned char open[JSON_MAX_DEPTH];
  open[0] = close;
  int rc = skip_from(s, open, 1, s->depth - 1);
  if (rc == 0) s->depth--;
  return rc;
}

int json_finish(json_scanner *s)
{
  skip_ws(s);
  if (s->p < s->end) return fail(s, s->p, "unexpected data after the top-level value");
  return 0;
}

static size_t put_utf8(char *dst, size_t n, size_t cap, uint32_t cp)
{
  unsigned char b[4];
  size_t k;
  if (cp < 0x80) { b[0] = (unsigned char)cp; k = 1; }
  else if (cp < 0x800) {
    b[0] = (unsigned char)(0xC0 | (cp >> 6));
    b[1] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 2;
  } else if (cp < 0x10000) {
    b[0] = (unsigned char)(0xE0 | (cp >> 12));
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 3;
  } else {
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 4;
  }
  for (size_t i = 0; i < k; i++, n++)
    if (n < cap) dst[n] = (char)b[i];
  return n;
}

static uint32_t hex4(const unsigned char *p)
{
  return (uint32_t)(hex_value(p[0]) << 12 | hex_value(p[1]) << 8 |
                    hex_value(p[2]) << 4 | hex_value(p[3]));
}

size_t json_unescape(const char *raw, size_t len, char *dst, size_t cap)
{
  const unsigned char *p = (const unsigned char *)raw, *e = p + len;
  size_t n = 0;
  while (p < e) {
    const unsigned char *bs = memchr(p, '\\', (size_t)(e - p));
    size_t run = (size_t)((bs ? bs : e) - p);
    if (n < cap) memcpy(dst + n, p, run < cap - n ? run : cap - n);
    n += run;
    if (!bs) break;
    p = bs + 1;                        /* validated: an escape char follows */
    unsigned char c = *p++;
    uint32_t cp;
    switch (c) {
    case 'b': cp = '\b'; break;
    case 'f': cp = '\f'; break;
    case 'n': cp = '\n'; break;
    case 'r': cp = '\r'; break;
    case 't': cp = '\t'; break;
    case 'u':
      cp = hex4(p);
      p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        uint32_t lo = hex4(p + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  /* lone surrogate */
      break;
    default: cp = c; break;            /* '"', '\\', '/' */
    }
    n = put_utf8(dst, n, cap, cp);
  }
  return n;
}
