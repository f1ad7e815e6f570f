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
  if (out->window) {                  /* a window cannot grow: its chunk is left to the serial walk */
    out->failed = 1;
    return -1;
  }
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
  if (!out->window) huge_pages_realloc(out->p, out->cap, 0);
  out->p = NULL;
  out->len = out->cap = 0;
}

int map_out_append(mapper *m, map_out *from)
{
  map_lines *lines = m->lines;
  if (from->len == 0) return 0;
  if (lines && m->out == &lines->cur && !lines->cur.failed && lines->n + 2 <= MAP_LINES_MAX) {
    if (lines->cur.len > 0) {          /* cur's lines come first: a piece of their own */
      lines->seg[lines->n++] = lines->cur;
      memset(&lines->cur, 0, sizeof lines->cur);
    }
    lines->seg[lines->n++] = *from;
    memset(from, 0, sizeof *from);
    return 0;
  }
  if (map_out_reserve(m->out, from->len) < 0) return -1;
  memcpy(m->out->p + m->out->len, from->p, from->len);
  m->out->len += from->len;
  from->len = 0;
  return 0;
}

int map_lines_hold(mapper *m, map_out *arena, int more)
{
  map_lines *lines = m->lines;
  if (!lines || m->out != &lines->cur || lines->n + 2 + more > MAP_LINES_MAX) return -1;
  if (lines->cur.len > 0) {
    lines->seg[lines->n++] = lines->cur;
    memset(&lines->cur, 0, sizeof lines->cur);
  }
  arena->len = 0;
  lines->seg[lines->n++] = *arena;
  memset(arena, 0, sizeof *arena);
  return 0;
}

size_t map_lines_len(const map_lines *lines)
{
  size_t n = lines->cur.len;
  for (int i = 0; i < lines->n; i++) n += lines->seg[i].len;
  return n;
}

void map_lines_free(map_lines *lines)
{
  for (int i = 0; i < lines->n; i++) map_out_free(&lines->seg[i]);
  lines->n = 0;
  map_out_free(&lines->cur);
}

/* A value's raw text on one line, written at w (at most n bytes); returns
 * the end.  A stored _source may be pretty-printed ({"body":[1,\n2]}), and
 * one hit must stay one line, so a value with a line break loses all
 * whitespace between its tokens.  Strings cannot hold raw line breaks (the
 * scanner refuses control characters in them). */
static char *put_value(char *w, const unsigned char *p, size_t n)
{
  /* A scalar has nothing between tokens, and a value on one line stays as
   * stored (memchr is the cheap test; line breaks can only be between tokens). */
  if (n == 0 || (p[0] != '{' && p[0] != '[') || (!memchr(p, '\n', n) && !memchr(p, '\r', n))) {
    memcpy(w, p, n);
    return w + n;
  }
  unsigned char *dst = (unsigned char *)w;
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
  return (char *)dst;
}

/* The time field's value: a string RFC 3339 timestamp (no escapes inside)
 * or epoch milliseconds. */
static int slice_time(mapper *m, const map_slice *v, int64_t *ns)
{
  if (v->len >= 2 && v->p[0] == '"') {
    const char *t = (const char *)v->p + 1;
    size_t n = v->len - 2;
    if (memchr(t, '\\', n)) return -1;
    return iso_time_parse_cached(t, n, ns, &m->dates);
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

/* Whether the quoted timestamp t (a slice that parsed as ns) is already
 * what iso_time_format writes for ns: "YYYY-MM-DDTHH:MM:SS.fffZ" with 3, 6
 * or 9 digits, as few as ns needs.  OpenSearch hands the text back as
 * stored, and the Collector stores exactly that, so most rows take this. */
static int canonical_time(const map_slice *t, int64_t ns)
{
  const unsigned char *s = t->p + 1;
  size_t n = t->len - 2;
  if (ns < 0 || n < 24 || n > 30) return 0;
  size_t digits = n - 21;
  size_t want = ns % 1000 ? 9 : ns % 1000000 ? 6 : 3;
  return digits == want && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
         s[16] == ':' && s[17] <= '5' && s[19] == '.' && s[n - 1] == 'Z';
}

/* Writes v in decimal ending just before end, two digits a division;
 * returns where the digits start. */
static char *put_decimal(char *end, uint64_t v)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  while (v >= 100) {
    unsigned d = (unsigned)(v % 100);
    v /= 100;
    end -= 2;
    memcpy(end, pairs + 2 * d, 2);
  }
  if (v >= 10) {
    end -= 2;
    memcpy(end, pairs + 2 * v, 2);
  } else {
    *--end = (char)('0' + v);
  }
  return end;
}

/* One hit as one line: {"field":<raw value>,...,"time_ns":N} */
void map_emit_line(mapper *m)
{
  map_out *out = m->out;
  /* room for the whole line, reserved once: names, values, separators, the
   * timestamp as written again (at most 40 bytes) and time_ns */
  size_t room = 96;
  for (int f = 0; f < m->nfields; f++)
    if (m->slices[f].p) room += m->name_json[f].len + m->slices[f].len + 1;
  if (map_out_reserve(out, room) < 0) return;
  char *w = out->p + out->len;
  int first = 1, have_ns = 0;
  int64_t ns = 0;
  *w++ = '{';
  for (int i = 0; i < m->nfields; i++) {
    int f = m->order[i];
    const map_slice *v = &m->slices[f];
    if (!v->p) continue;
    if (!first) *w++ = ',';
    first = 0;
    memcpy(w, m->name_json[f].p, m->name_json[f].len);
    w += m->name_json[f].len;
    if (f == m->time_field && slice_time(m, v, &ns) == 0) {
      have_ns = 1;
      if (v->p[0] == '"' && canonical_time(v, ns)) {
        memcpy(w, v->p, v->len);
        w += v->len;
      } else {
        *w++ = '"';
        w += iso_time_format(ns, w);
        *w++ = '"';
      }
    } else {
      w = put_value(w, v->p, v->len);
    }
  }
  if (have_ns) {
    char num[24], *p = num + sizeof num;
    uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    p = put_decimal(p, v);
    if (ns < 0) *--p = '-';
    size_t k = first ? 10 : 11;
    memcpy(w, first ? "\"time_ns\":" : ",\"time_ns\":", k);
    w += k;
    memcpy(w, p, (size_t)(num + sizeof num - p));
    w += num + sizeof num - p;
  }
  *w++ = '}';
  *w++ = '\n';
  out->len = (size_t)(w - out->p);
}
