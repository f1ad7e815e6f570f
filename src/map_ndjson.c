/*
 * map.ndjson's output: one hit as one JSON line made from the raw text of
 * its values.  Lua-free (plain malloc), so that the threads of
 * map_parallel.c write lines the same way the serial walk does.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "huge_pages.h"
#include "iso_time.h"
#include "map_mapper.h"

int map_out_reserve(map_out *out, size_t n)
{
  if (out->failed) return -1;
  if (out->cap - out->len >= n) return 0;
  size_t cap = out->cap * 2;
  if (cap - out->len < n) cap = out->len + n;
  if (cap < out->len) {               /* overflow: no such size */
    out->failed = 1;
    return -1;
  }
  /* realloc: large blocks are mremapped by glibc, not copied */
  char *grown = huge_pages_realloc(out->p, out->cap, cap);
  if (!grown) {
    out->failed = 1;
    return -1;
  }
  out->p = grown;
  out->cap = cap;
  return 0;
}

void map_out_free(map_out *out)
{
  huge_pages_realloc(out->p, out->cap, 0);
  out->p = NULL;
  out->len = out->cap = 0;
}

static inline void out_put(map_out *out, const void *p, size_t n)
{
  if (map_out_reserve(out, n) < 0) return;
  memcpy(out->p + out->len, p, n);
  out->len += n;
}

/* A value's raw text on one line: a stored _source may be pretty-printed
 * ({"body":[1,\n2]}), and one hit must stay one line, so a value with a
 * line break loses all whitespace between its tokens.  Strings cannot hold
 * raw line breaks (the scanner refuses control characters in them). */
static void out_value(map_out *out, const unsigned char *p, size_t n)
{
  /* A scalar has nothing between tokens, and a value on one line stays as
   * stored (memchr is the cheap test; line breaks can only be between tokens). */
  if (n == 0 || (p[0] != '{' && p[0] != '[') || (!memchr(p, '\n', n) && !memchr(p, '\r', n))) {
    out_put(out, p, n);
    return;
  }
  if (map_out_reserve(out, n) < 0) return;
  unsigned char *dst = (unsigned char *)out->p + out->len;
  size_t i = 0;
  while (i < n) {
    size_t j = i;                            /* copy up to whitespace or a string */
    while (j < n && p[j] != '"' && p[j] != ' ' && p[j] != '\n' && p[j] != '\r' && p[j] != '\t') j++;
    memcpy(dst, p + i, j - i);
    dst += j - i;
    if (j == n) break;
    if (p[j] != '"') {                       /* whitespace between tokens: dropped */
      i = j + 1;
      continue;
    }
    size_t k = j + 1;                        /* a string: through its closing quote */
    for (;;) {
      const unsigned char *q = memchr(p + k, '"', n - k);
      if (!q) { k = n; break; }
      k = (size_t)(q - p);
      size_t slashes = 0;
      while (p[k - 1 - slashes] == '\\') slashes++;
      k++;
      if (slashes % 2 == 0) break;           /* not an escaped quote */
    }
    memcpy(dst, p + j, k - j);
    dst += k - j;
    i = k;
  }
  out->len = (size_t)(dst - (unsigned char *)out->p);
}

/* The time field's value: a string RFC 3339 timestamp (no escapes inside)
 * or epoch milliseconds. */
static int slice_time(const map_slice *v, int64_t *ns)
{
  if (v->len >= 2 && v->p[0] == '"') {
    const char *t = (const char *)v->p + 1;
    size_t n = v->len - 2;
    if (memchr(t, '\\', n)) return -1;
    return iso_time_parse(t, n, ns);
  }
  int64_t ms = 0;
  size_t i = 0;
  int neg = v->len > 0 && v->p[0] == '-';
  for (i = (size_t)neg; i < v->len && v->p[i] >= '0' && v->p[i] <= '9' && ms < INT64_MAX / 10000000; i++)
    ms = ms * 10 + (v->p[i] - '0');
  if (i != v->len || i == (size_t)neg) return -1;
  *ns = (neg ? -ms : ms) * 1000000;
  return 0;
}

/* One hit as one line: {"field":<raw value>,...,"time_ns":N} */
void map_emit_line(mapper *m)
{
  map_out *out = m->out;
  int first = 1, have_ns = 0;
  int64_t ns = 0;
  out_put(out, "{", 1);
  for (int i = 0; i < m->nfields; i++) {
    int f = m->order[i];
    const map_slice *v = &m->slices[f];
    if (!v->p) continue;
    if (!first) out_put(out, ",", 1);
    first = 0;
    out_put(out, m->name_json[f].p, m->name_json[f].len);
    if (f == m->time_field && slice_time(v, &ns) == 0) {
      char text[40];
      out_put(out, "\"", 1);
      out_put(out, text, iso_time_format(ns, text));
      out_put(out, "\"", 1);
      have_ns = 1;
    } else {
      out_value(out, v->p, v->len);
    }
  }
  if (have_ns) {
    char num[24], *p = num + sizeof num;
    uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
    if (ns < 0) *--p = '-';
    out_put(out, first ? "\"time_ns\":" : ",\"time_ns\":", first ? 10 : 11);
    out_put(out, p, (size_t)(num + sizeof num - p));
  }
  out_put(out, "}\n", 2);
}
