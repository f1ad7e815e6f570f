/*
 * map.ndjson's walk of one hit, for the common case, in one pass over raw
 * pointers: no scanner state in memory, no token structs, no calls per
 * token.  It finds exactly the values the walk of l_map.c finds (the same
 * trie helpers, map_trie.h, in the same order) and validates every byte it
 * passes as strictly as json_scan.c does.
 *
 * It only has to be right about what it accepts.  Anything it does not
 * handle, or that is wrong, makes it give up on the hit (return NULL): a
 * key with an escape or a byte >= 0x80 where paths are matched, nesting
 * deeper than FAST_DEPTH, any syntax error.  The caller then walks the
 * hit again with l_map.c's walk, which reports errors with their reason and
 * byte offset as it always did.  Lua-free, so the threads of
 * map_parallel.c and map_stream.c use it too.
 */
#include <stdint.h>
#include <string.h>

#include "json_scan.h"
#include "json_simd.h"
#include "map_mapper.h"
#include "map_trie.h"

/* Containers a skipped value may nest, beyond which the hit is left to
 * the strict walk (which knows the document-wide limit). */
#define FAST_DEPTH 64

typedef const unsigned char *ptr;

static inline ptr skip_ws(ptr p, ptr e)
{
  if (p < e && *p > ' ') return p;   /* compact JSON: nothing to skip */
  while (p < e && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  return p;
}

static inline int hex_digit(unsigned c)
{
  return c - '0' < 10u || (c | 0x20) - 'a' < 6u;
}

/* p just past a string's opening quote: past its closing quote, or NULL.
 * *plain (when given) says whether the string had no escape and no byte
 * >= 0x80: such a key can be matched against paths as it stands. */
static ptr skip_string_full(ptr p, ptr e, int *plain)
{
  int simple = 1;
  for (;;) {
    p = json_next_special(p, e);
    if (p >= e) return NULL;
    unsigned c = *p;
    if (c == '"') break;
    simple = 0;
    if (c == '\\') {
      if (e - p < 2) return NULL;
      switch (p[1]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        p += 2;
        break;
      case 'u':
        if (e - p < 6 || !hex_digit(p[2]) || !hex_digit(p[3]) || !hex_digit(p[4]) || !hex_digit(p[5]))
          return NULL;
        p += 6;
        break;
      default:
        return NULL;
      }
    } else if (c < 0x20) {
      return NULL;
    } else {                      /* >= 0x80: one whole UTF-8 sequence */
      size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if ((size_t)(e - p) < n || json_utf8_valid_prefix((const char *)p, n) != n) return NULL;
      p += n;
    }
  }
  if (plain) *plain = simple;
  return p + 1;
}

/* skip_string_full's common case, inline: a plain string whose closing
 * quote is in the next 32 bytes (keys, ids, timestamps, short values). */
static inline ptr skip_string(ptr p, ptr e, int *plain)
{
#if defined(__SSE2__)
  if (e - p >= 32) {
    unsigned hit = special_bytes16(p) | special_bytes16(p + 16) << 16;
    if (hit) {
      ptr q = p + __builtin_ctz(hit);
      if (*q == '"') {
        if (plain) *plain = 1;
        return q + 1;
      }
    }
  }
#endif
  return skip_string_full(p, e, plain);
}

static inline int digit(unsigned c) { return c - '0' < 10u; }

/* A number's text, validated as RFC 8259 has it: past it, or NULL.  What
 * follows is the caller's to check (a digit after "0" then fails there). */
static ptr skip_number(ptr p, ptr e)
{
  if (p < e && *p == '-') p++;
  if (p >= e) return NULL;
  if (*p == '0') {
    p++;
  } else if (digit(*p) && *p != '0') {
    while (p < e && digit(*p)) p++;
  } else {
    return NULL;
  }
  if (p < e && *p == '.') {
    p++;
    if (p >= e || !digit(*p)) return NULL;
    while (p < e && digit(*p)) p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < e && (*p == '+' || *p == '-')) p++;
    if (p >= e || !digit(*p)) return NULL;
    while (p < e && digit(*p)) p++;
  }
  return p;
}

static inline ptr skip_word(ptr p, ptr e, const char *w, size_t n)
{
  return (size_t)(e - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* p at a key's opening quote (or not): past the ':' and the whitespace
 * after it, at the member's value, or NULL. */
static inline ptr skip_key(ptr p, ptr e)
{
  if (p >= e || *p != '"') return NULL;
  p = skip_string(p + 1, e, NULL);
  if (!p) return NULL;
  p = skip_ws(p, e);
  if (p >= e || *p != ':') return NULL;
  p = skip_ws(p + 1, e);
  return p < e ? p : NULL;
}

/* p at a value (not whitespace): past it, or NULL. */
static ptr skip_value(ptr p, ptr e)
{
  unsigned char close[FAST_DEPTH];
  int top = 0;
  for (;;) {
    switch (*p) {
    case '"':
      p = skip_string(p + 1, e, NULL);
      break;
    case '{': case '[':
      if (top == FAST_DEPTH) return NULL;
      close[top++] = *p == '{' ? '}' : ']';
      p = skip_ws(p + 1, e);
      if (p >= e) return NULL;
      if (*p == close[top - 1]) {
        p++;
        top--;
        break;
      }
      p = close[top - 1] == '}' ? skip_key(p, e) : p;
      if (!p) return NULL;
      continue;
    case 't':
      p = skip_word(p, e, "true", 4);
      break;
    case 'f':
      p = skip_word(p, e, "false", 5);
      break;
    case 'n':
      p = skip_word(p, e, "null", 4);
      break;
    default:
      p = skip_number(p, e);
      break;
    }
    if (!p) return NULL;
    for (;;) {                    /* a value is complete: close, or the next item */
      if (top == 0) return p;
      p = skip_ws(p, e);
      if (p >= e) return NULL;
      if (*p == close[top - 1]) {
        p++;
        top--;
        continue;
      }
      if (*p != ',') return NULL;
      p = skip_ws(p + 1, e);
      if (p >= e) return NULL;
      if (close[top - 1] == '}') {
        p = skip_key(p, e);
        if (!p) return NULL;
      }
      break;
    }
  }
}

/* The members of an object whose '{' is just before p, matched from trie
 * node `node`: past its '}', or NULL.  As map_walk in l_map.c. */
static ptr walk_object(mapper *m, ptr p, ptr e, int node, int hit_level, int depth)
{
  const trie_node *nodes = m->nodes;
  unsigned gen = m->gen - 1;
  int open = 1;
  if (depth > FAST_DEPTH) return NULL;
  p = skip_ws(p, e);
  if (p >= e) return NULL;
  if (*p == '}') return p + 1;
  for (;;) {
    if (*p != '"') return NULL;
    ptr k = p + 1;
    int plain;
    p = skip_string(k, e, &plain);
    if (!p || !plain) return NULL;    /* an escaped key: the strict walk unescapes it */
    size_t klen = (size_t)(p - 1 - k);
    if (p < e && *p == ':') p++;      /* compact: the ':' right after the key */
    else {
      p = skip_ws(p, e);
      if (p >= e || *p != ':') return NULL;
      p++;
    }
    p = skip_ws(p, e);
    if (p >= e) return NULL;
    ptr v = p;                        /* the value */

    if (!hit_level && gen != m->gen) {
      gen = m->gen;
      open = wanted(m, nodes[node].term, nodes[node].sub_end);
    }
    int to = hit_level || open ? follow_key(m, node, (const char *)k, klen, (const char *)e) : -1;
    int full = to >= 0 && wanted(m, nodes[to].term, nodes[to].term + nodes[to].nterm);
    int inner = to >= 0 ? nodes[to].dot : 0;
    if (inner && !wanted(m, nodes[inner].term, nodes[inner].sub_end)) inner = 0;
    int source = hit_level && m->nsrc > 0 && key_is((const char *)k, klen, "_source");
    if (hit_level && key_is((const char *)k, klen, "sort")) {
      m->last_sort.p = v;
      m->have_sort = 1;
    }
    ptr end = NULL;                   /* past the value, once known */
    if (source && *v == '{') {
      end = walk_object(m, v + 1, e, 0, 0, depth + 1);
      if (!end) return NULL;
    }
    if (inner && *v == '{') {
      end = walk_object(m, v + 1, e, inner, 0, depth + 1);
      if (!end) return NULL;
    }
    if (full && end) full = wanted(m, nodes[to].term, nodes[to].term + nodes[to].nterm);
    if (!end) {
      end = skip_value(v, e);
      if (!end) return NULL;
    }
    if (full && *v != 'n') assign_raw(m, &nodes[to], v, (size_t)(end - v));

    p = skip_ws(end, e);
    if (p >= e) return NULL;
    if (*p == '}') return p + 1;
    if (*p != ',') return NULL;
    p++;
    if (p < e && *p == '"') continue; /* compact: the next key right after ',' */
    p = skip_ws(p, e);
    if (p >= e) return NULL;
  }
}

int map_fast_hit(mapper *m, json_scanner *s)
{
  ptr p = s->p, e = s->end;
  if (p >= e || *p != '{') return 0;
  json_scanner sort = *s;             /* where "sort" is, for meta.last_sort */
  sort.depth = s->depth + 1;          /* inside the hit, as the strict walk has it */
  m->last_sort = sort;
  ptr end = walk_object(m, p + 1, e, 1, 1, 0);
  if (!end) return 0;
  s->p = end;
  return 1;
}
