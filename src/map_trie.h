/*
 * The spec's paths as a trie (map_mapper.h), as the walks use it: which
 * node a key leads to, whether a path below a node is still wanted, and
 * where a found value goes.  Shared by the walk of l_map.c and the fast
 * one of map_fast.c, so that both find exactly the same values.
 */
#ifndef TINKR_MAP_TRIE_H
#define TINKR_MAP_TRIE_H

#include <stdint.h>
#include <string.h>

#include "map_mapper.h"

/* The child of node reached by byte b, or 0. */
static inline int trie_child(const trie_node *nodes, int node, unsigned char b)
{
  for (int c = nodes[node].child; c; c = nodes[c].sibling)
    if (nodes[c].byte == b) return c;
  return 0;
}

static inline int key_is(const char *k, size_t klen, const char *lit)
{
  size_t n = strlen(lit);
  return klen == n && memcmp(k, lit, n) == 0;
}

/* map.ndjson's assign: remembers where the value's text is. */
static inline void assign_raw(mapper *m, const trie_node *node, const unsigned char *p, size_t len)
{
  for (int i = node->term; i < node->term + node->nterm; i++) {
    const map_term *t = &m->terms[i];
    if (m->best[t->field] <= t->rank) continue;
    m->best[t->field] = t->rank;
    m->gen++;
    m->slices[t->field].p = p;
    m->slices[t->field].len = len;
  }
}

/* Whether any path ending in terms[from, to) could still improve the row
 * (for a node's own paths: a deeper path of the same field may have been
 * found meanwhile; for its subtree: whether to look inside at all). */
static inline int wanted(const mapper *m, int from, int to)
{
  for (int i = from; i < to; i++)
    if (m->best[m->terms[i].field] > m->terms[i].rank) return 1;
  return 0;
}

/* memcmp(a, b, n) == 0 for the few bytes of a run, without a call: eight
 * at a time (node_bytes has 8 bytes of slack at its end). */
static inline int same_bytes(const char *a, const unsigned char *b, size_t n, const char *a_end)
{
  uint64_t x, y;
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return 0;
  }
  if (n == 0) return 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (a_end - a >= 8) {           /* the last 1..7 bytes as one masked word */
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return ((x ^ y) & (((uint64_t)1 << (8 * n)) - 1)) == 0;
  }
#else
  (void)a_end;
#endif
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)a[i] != b[i]) return 0;
  return 1;
}

/* The node a key leads to from node, or -1 when no path goes that way
 * (or the key ends inside a run, where no node is of any use). */
static inline int follow_key(const mapper *m, int node, const char *k, size_t klen, const char *k_end)
{
  if (klen == SIZE_MAX) return -1;
  const trie_node *nodes = m->nodes;
  size_t i = 0;
  if (node < 2 && klen > 0) {      /* a root: its children by byte */
    node = m->root_child[node][(unsigned char)k[0]];
    if (!node) return -1;
    i = 1;
  }
  while (i < klen) {
    size_t run = (size_t)nodes[node].run;
    if (run) {
      if (klen - i < run || !same_bytes(k + i, m->node_bytes + node + 1, run, k_end)) return -1;
      i += run;
      node += (int)run;
      continue;
    }
    node = trie_child(nodes, node, (unsigned char)k[i++]);
    if (!node) return -1;
  }
  return node;
}

#endif
