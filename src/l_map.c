/*
 * tinkr.core.map — rows(body, spec): an OpenSearch _search response to
 * tinkr rows in one pass, building Lua values only for the fields the spec
 * asks for.  Everything else is skipped by the scanner (still validated).
 *
 * Path rule: in an object with remaining path P, a key K matches when
 * K == P (the value is found) or P starts with K "." (descend with the
 * rest).  So "resource.service.name" finds nested objects, flat dotted keys
 * ({"resource":{"service.name":…}}, as the Collector's exporter writes) and
 * mixes.  Paths do not go into arrays.  Per field, the first path in the
 * spec's list that yields a non-null value wins.
 */
#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "l_json.h"
#include "http_buffer.h"
#include "http_tap.h"
#include "map_lines.h"
#include "map_mapper.h"
#include "map_trie.h"
#include "map_stream.h"

/* ---- compiling the spec ------------------------------------------------- */

typedef struct {
  int nfields, npaths, nsrc;
  size_t maxlen, bytes;
} spec_size;

static int spec_error(lua_State *L, const char *where, const char *name, const char *why)
{
  return luaL_argerror(L, 2, lua_pushfstring(L, "%s.%s: %s", where, name, why));
}

/* Calls fn for every path of a fields table at stack index t. */
typedef void (*path_fn)(lua_State *L, void *ud, const char *name, int rank, int vidx);

static void each_path(lua_State *L, int t, const char *where, path_fn fn, void *ud)
{
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_argerror(L, 2, lua_pushfstring(L, "%s: field names must be strings", where));
    const char *name = lua_tostring(L, -2);
    int v = lua_gettop(L);
    if (lua_type(L, v) == LUA_TSTRING) {
      if (lua_rawlen(L, v) == 0) spec_error(L, where, name, "empty path");
      fn(L, ud, name, 0, v);
    } else if (lua_type(L, v) == LUA_TTABLE) {
      lua_Integer n = (lua_Integer)lua_rawlen(L, v);
      if (n == 0) spec_error(L, where, name, "empty list of paths");
      for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, v, i) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
          spec_error(L, where, name, "paths must be non-empty strings");
        fn(L, ud, name, (int)(i - 1), lua_gettop(L));
        lua_pop(L, 1);
      }
    } else {
      spec_error(L, where, name, "a path or a list of paths expected");
    }
    lua_pop(L, 1);
  }
}

static void measure_path(lua_State *L, void *ud, const char *name, int rank, int vidx)
{
  spec_size *z = ud;
  size_t len;
  (void)lua_tolstring(L, vidx, &len);
  (void)name;
  if (rank == 0) z->nfields++;
  z->npaths++;
  if (len > z->maxlen) z->maxlen = len;
  z->bytes += len;
}

typedef struct {
  mapper *m;
  int anchor;       /* table keeping the path strings alive */
  int npaths;
} fill_state;

static void fill_path(lua_State *L, void *ud, const char *name, int rank, int vidx)
{
  fill_state *f = ud;
  mapper *m = f->m;
  if (rank == 0) {  /* a new field: its name goes on the stack */
    for (int i = 0; i < m->nfields; i++)
      if (strcmp(lua_tostring(L, m->names + i), name) == 0)
        luaL_argerror(L, 2, lua_pushfstring(L, "field '%s' is named twice", name));
    lua_pushstring(L, name);
    lua_replace(L, m->names + m->nfields);
    m->nfields++;
  }
  map_path *p = &m->paths[f->npaths++];
  p->text = lua_tolstring(L, vidx, &p->len);
  p->field = m->nfields - 1;
  p->rank = rank;
  lua_pushvalue(L, vidx);
  lua_rawseti(L, f->anchor, f->npaths);
}

/* Lays out terms[] in depth-first order (see trie_node); paths ending at
 * a node are chained through path_next from its nterm (a list head here). */
static int trie_layout(mapper *m, int node, int at)
{
  trie_node *n = &m->nodes[node];
  int own = n->nterm;       /* the head of the node's chain, plus one */
  n->term = at;
  n->nterm = 0;
  for (int p = own - 1; p >= 0; p = m->path_next[p]) {
    m->terms[at].field = m->paths[p].field;
    m->terms[at].rank = m->paths[p].rank;
    at++;
    n->nterm++;
  }
  for (int c = n->child; c; c = m->nodes[c].sibling) at = trie_layout(m, c, at);
  m->nodes[node].sub_end = at;
  return at;
}

/* A node a key may not end at to any purpose (no path ends there, none
 * goes on inside its value) and with one child, the next node made: the
 * walk through it is forced.  (Apart from the roots, a node's one child is
 * always the next node made: the path that made the node went on from it,
 * and no other path branched off.) */
static int forced(const mapper *m, int node)
{
  const trie_node *n = &m->nodes[node];
  return n->nterm == 0 && n->dot == 0 && n->child == node + 1 && m->nodes[n->child].sibling == 0;
}

/* Marks runs of forced nodes: from a forced node the key's next `run`
 * bytes must be node_bytes[node+1 .. node+run], which lead to node+run.
 * Most keys of a hit are then matched, or refused, by one memcmp rather
 * than a walk down the trie a byte at a time. */
static void find_runs(mapper *m)
{
  for (int i = m->nnodes - 1; i >= 0; i--) {
    m->node_bytes[i] = m->nodes[i].byte;
    if (!forced(m, i)) continue;
    m->nodes[i].run = 1 + (forced(m, i + 1) ? m->nodes[i + 1].run : 0);
  }
}

static void build_trie(mapper *m)
{
  m->nnodes = 2;
  for (int i = 0; i < m->nsrc + m->nhit; i++) {
    const map_path *p = &m->paths[i];
    int node = i < m->nsrc ? 0 : 1;
    for (size_t k = 0; k < p->len; k++) {
      unsigned char b = (unsigned char)p->text[k];
      int c = trie_child(m->nodes, node, b);
      if (!c) {
        c = m->nnodes++;
        m->nodes[c].byte = b;
        m->nodes[c].sibling = m->nodes[node].child;
        m->nodes[node].child = c;
        if (b == '.') m->nodes[node].dot = c;
      }
      node = c;
    }
    m->path_next[i] = m->nodes[node].nterm - 1;   /* push on the node's chain */
    m->nodes[node].nterm = i + 1;
  }
  trie_layout(m, 1, trie_layout(m, 0, 0));
  find_runs(m);
  for (int root = 0; root < 2; root++)
    for (int c = m->nodes[root].child; c; c = m->nodes[c].sibling) m->root_child[root][m->nodes[c].byte] = c;
}

/* Leaves on the stack: the mapper userdata, the anchor table, and nfields
 * name slots; m->names is the first of those. */
static mapper *compile_spec(lua_State *L, int spec)
{
  int fields = 0, hit_fields = 0;
  luaL_checktype(L, spec, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, spec)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    int *slot = strcmp(k, "fields") == 0 ? &fields : strcmp(k, "hit_fields") == 0 ? &hit_fields : NULL;
    int other = strcmp(k, "order") == 0 || strcmp(k, "time_field") == 0 || strcmp(k, "threads") == 0;
    if (!slot && !other) luaL_argerror(L, 2, lua_pushfstring(L, "unknown option '%s'", k));
    if (!other && !lua_istable(L, -1)) luaL_argerror(L, 2, lua_pushfstring(L, "'%s' must be a table", k));
    lua_pop(L, 1);
  }
  if (lua_getfield(L, spec, "fields") != LUA_TNIL) fields = lua_gettop(L);
  if (lua_getfield(L, spec, "hit_fields") != LUA_TNIL) hit_fields = lua_gettop(L);

  spec_size z = { 0, 0, 0, 0, 0 };
  if (fields) each_path(L, fields, "fields", measure_path, &z);
  z.nsrc = z.npaths;
  if (hit_fields) each_path(L, hit_fields, "hit_fields", measure_path, &z);
  if (z.bytes > INT_MAX / 4) luaL_argerror(L, 2, "paths too long");

  size_t keycap = z.maxlen > 32 ? z.maxlen : 32;
  size_t maxnodes = 2 + z.bytes;             /* two roots, at most a node a byte */
  size_t need = sizeof(mapper) + sizeof(map_path) * (size_t)z.npaths +
                sizeof(trie_node) * maxnodes + sizeof(map_term) * (size_t)z.npaths +
                sizeof(int) * (size_t)z.npaths +
                sizeof(int) * (size_t)z.nfields + keycap +
                2 * sizeof(map_slice) * (size_t)z.nfields + sizeof(int) * (size_t)z.nfields +
                maxnodes + 8;
  mapper *m = lua_newuserdatauv(L, need, 0);
  memset(m, 0, sizeof *m);
  char *at = (char *)(m + 1);
  m->paths = (map_path *)at;
  at += sizeof(map_path) * (size_t)z.npaths;
  m->slices = (map_slice *)at;             /* pointer-aligned: before the ints */
  at += sizeof(map_slice) * (size_t)z.nfields;
  m->name_json = (map_slice *)at;
  at += sizeof(map_slice) * (size_t)z.nfields;
  m->best = (int *)at;
  at += sizeof(int) * (size_t)z.nfields;
  m->order = (int *)at;
  at += sizeof(int) * (size_t)z.nfields;
  m->nodes = (trie_node *)at;
  memset(m->nodes, 0, sizeof(trie_node) * maxnodes);
  at += sizeof(trie_node) * maxnodes;
  m->terms = (map_term *)at;
  at += sizeof(map_term) * (size_t)z.npaths;
  m->path_next = (int *)at;
  at += sizeof(int) * (size_t)z.npaths;
  m->keybuf = at;
  m->keycap = keycap;
  at += keycap;
  m->node_bytes = (unsigned char *)at;
  m->time_field = -1;
  m->nsrc = z.nsrc;
  m->nhit = z.npaths - z.nsrc;

  lua_createtable(L, z.npaths, 0);
  fill_state f = { m, lua_gettop(L), 0 };
  luaL_checkstack(L, z.nfields + 8, "too many fields");
  m->names = lua_gettop(L) + 1;
  for (int i = 0; i < z.nfields; i++) lua_pushliteral(L, "");
  if (fields) each_path(L, fields, "fields", fill_path, &f);
  if (hit_fields) each_path(L, hit_fields, "hit_fields", fill_path, &f);
  build_trie(m);
  return m;
}

/* ---- walking the body --------------------------------------------------- */

/* The key's text: raw when it has no escapes, else unescaped into keybuf.
 * *len is SIZE_MAX when the key is too long to match any path. */
static const char *key_text(mapper *m, const json_token *k, size_t *len)
{
  if (!k->escaped) {
    *len = k->len;
    return k->str;
  }
  size_t n = json_unescape(k->str, k->len, m->keybuf, m->keycap);
  *len = n <= m->keycap ? n : SIZE_MAX;
  return m->keybuf;
}

/* Puts the value on top of the stack into the row for every path ending
 * at node that still beats what the row has. */
static void assign(mapper *m, const trie_node *node)
{
  lua_State *L = m->L;
  for (int i = node->term; i < node->term + node->nterm; i++) {
    const map_term *t = &m->terms[i];
    if (m->best[t->field] <= t->rank) continue;
    m->best[t->field] = t->rank;
    m->gen++;
    lua_pushvalue(L, m->names + t->field);
    lua_pushvalue(L, -2);
    lua_rawset(L, m->row);
  }
}

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Walks the members of an object whose '{' is consumed, from trie node
 * `node`.  At the hit level, "_source" starts the walk of the source paths
 * and "sort" is remembered for meta.last_sort. */
int map_walk(mapper *m, int node, int hit_level)
{
  json_scanner *s = m->s;
  const trie_node *nodes = m->nodes;
  json_token key, t;
  size_t count = 0;
  int rc, open = 1;
  unsigned gen = m->gen - 1;   /* open: whether any path under node is still wanted, as of m->gen */
  while ((rc = json_object_next(s, &key, &count)) == 1) {
    if (!hit_level && gen != m->gen) {   /* only a better value can change it */
      gen = m->gen;
      open = wanted(m, nodes[node].term, nodes[node].sub_end);
    }
    if (!hit_level && !open) {
      /* nothing left to find here: skip this value and the rest */
      if (json_skip(s) < 0) return -1;
      return json_skip_rest(s, '}');
    }
    size_t klen;
    const char *k = key_text(m, &key, &klen);
    /* a raw key lies in the body, which goes on past it (masked compares
     * may read there); an unescaped copy in keybuf ends with it */
    const char *k_end = !key.escaped ? (const char *)s->end : klen == SIZE_MAX ? k : k + klen;
    int to = follow_key(m, node, k, klen, k_end);
    int full = to >= 0 && wanted(m, nodes[to].term, nodes[to].term + nodes[to].nterm);
    int inner = to >= 0 ? nodes[to].dot : 0;
    if (inner && !wanted(m, nodes[inner].term, nodes[inner].sub_end)) inner = 0;
    int source = hit_level && m->nsrc > 0 && key_is(k, klen, "_source");
    if (hit_level && key_is(k, klen, "sort")) {
      m->last_sort = *s;
      m->have_sort = 1;
    }
    if (!full && !inner && !source) {
      if (json_skip(s) < 0) return -1;
      continue;
    }
    json_type type = json_peek(s);
    json_scanner at = *s;      /* the value may be read once per purpose */
    int done = 0;
    if (source && type == JSON_OBJECT) {
      if (json_value(s, &t) == JSON_NONE) return -1;
      if (map_walk(m, 0, 0) < 0) return -1;
      done = 1;
    }
    if (inner && type == JSON_OBJECT) {
      if (done) *s = at;
      if (json_value(s, &t) == JSON_NONE) return -1;
      if (map_walk(m, inner, 0) < 0) return -1;
      done = 1;
    }
    if (full && done) full = wanted(m, nodes[to].term, nodes[to].term + nodes[to].nterm);
    if (full && type != JSON_NULL) {
      if (m->raw) {
        /* after a walk inside the value (resource.service.name beside
         * resource), the scanner is at its end: its text is [at, s) */
        const unsigned char *b = done ? at.p : s->p;
        if (!done && json_skip(s) < 0) return -1;
        const unsigned char *e = s->p;
        while (b < e && is_space(*b)) b++;
        while (e > b && is_space(e[-1])) e--;
        assign_raw(m, &nodes[to], b, (size_t)(e - b));
      } else {
        if (done) *s = at;
        if (tinkr_json_push_value(m->L, s, m->array_mt) < 0) return -1;
        assign(m, &nodes[to]);
        lua_pop(m->L, 1);
      }
      done = 1;
    }
    if (!done && json_skip(s) < 0) return -1;
  }
  return rc;
}

/* ---- map.ndjson names -------------------------------------------------- */

/* Pushes '"name":' for the field name at stack index idx (names come from
 * the spec: escape them). */
static void push_name_json(lua_State *L, int idx)
{
  size_t len;
  const char *name = lua_tolstring(L, idx, &len);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c == '"' || c == '\\') {
      luaL_addchar(&b, '\\');
      luaL_addchar(&b, (char)c);
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      luaL_addstring(&b, esc);
    } else {
      luaL_addchar(&b, (char)c);
    }
  }
  luaL_addstring(&b, "\":");
  luaL_pushresult(&b);
}

int map_raw_hit(mapper *m, json_scanner *s)
{
  json_token t;
  map_hit_reset(m);
  if (map_fast_hit(m, s)) return 0;
  map_hit_reset(m);
  if (json_value(s, &t) == JSON_NONE) return -1;
  return map_walk(m, 1, 1);
}

void map_hit_reset(mapper *m)
{
  for (int i = 0; i < m->nfields; i++) {
    m->best[i] = INT_MAX;
    m->slices[i].p = NULL;
  }
  m->gen++;
  m->have_sort = 0;
}

static void shape_error(mapper *m, const char *what)
{
  if (!m->shape[0]) snprintf(m->shape, sizeof m->shape, "%s", what);
}

static int read_hit_list(mapper *m)
{
  lua_State *L = m->L;
  json_scanner *s = m->s;
  json_token t;
  size_t n = 0;
  int rc;
  lua_newtable(L);             /* rows: marked as a JSON array, even empty */
  lua_pushvalue(L, m->array_mt);
  lua_setmetatable(L, -2);
  lua_replace(L, m->rows);     /* a repeated hits.hits: the last one wins */
  m->found_hits = 1;
  /* map.ndjson: as many hits as pay off are mapped by threads; the serial
   * walk below does the rest (all of them when the parallel way cannot
   * vouch for its cut, and whatever fails, so errors read the same). */
  rc = 1;
  if (m->raw) rc = map_parallel_hits(m, s, &n);
  while (rc == 1 && (rc = json_array_next(s, &n)) == 1) {
    if (json_peek(s) != JSON_OBJECT) {
      char why[64];
      snprintf(why, sizeof why, "hits.hits[%zu] is not an object", n);
      shape_error(m, why);
      if (json_skip(s) < 0) return -1;
      continue;
    }
    if (m->raw) {
      if (map_raw_hit(m, s) < 0) return -1;
      map_emit_line(m);
      continue;
    }
    if (json_value(s, &t) == JSON_NONE) return -1;
    lua_createtable(L, 0, m->nfields);
    m->row = lua_gettop(L);
    map_hit_reset(m);
    if (map_walk(m, 1, 1) < 0) return -1;
    lua_rawseti(L, m->rows, (lua_Integer)n);
  }
  if (rc == 0) {
    lua_pushinteger(L, (lua_Integer)n);
    lua_setfield(L, m->meta, "hits");
  }
  return rc;
}

/* Decodes the next value into meta[name]. */
static int meta_value(mapper *m, const char *name)
{
  if (tinkr_json_push_value(m->L, m->s, m->array_mt) < 0) return -1;
  lua_setfield(m->L, m->meta, name);
  return 0;
}

/* Calls fn(m, key, klen) for each member of the object that comes next;
 * fn must consume the member's value.  Non-objects are skipped. */
typedef int (*member_fn)(mapper *m, const char *k, size_t klen);

static int each_member(mapper *m, member_fn fn)
{
  json_token key, t;
  size_t count = 0, klen;
  int rc;
  if (json_peek(m->s) != JSON_OBJECT) return json_skip(m->s);
  if (json_value(m->s, &t) == JSON_NONE) return -1;
  while ((rc = json_object_next(m->s, &key, &count)) == 1) {
    const char *k = key_text(m, &key, &klen);
    if (fn(m, k, klen) < 0) return -1;
  }
  return rc;
}

static int total_member(mapper *m, const char *k, size_t klen)
{
  if (key_is(k, klen, "value")) return meta_value(m, "total");
  if (key_is(k, klen, "relation")) return meta_value(m, "relation");
  return json_skip(m->s);
}

static int hits_member(mapper *m, const char *k, size_t klen)
{
  json_token t;
  if (key_is(k, klen, "total")) {
    if (json_peek(m->s) != JSON_NUMBER) return each_member(m, total_member);
    lua_pushliteral(m->L, "eq");   /* the old form: an exact integer */
    lua_setfield(m->L, m->meta, "relation");
    return meta_value(m, "total");
  }
  if (key_is(k, klen, "hits")) {
    if (json_peek(m->s) == JSON_ARRAY) {
      if (json_value(m->s, &t) == JSON_NONE) return -1;
      return read_hit_list(m);
    }
    shape_error(m, "hits.hits is not an array");
  }
  return json_skip(m->s);
}

static int shards_member(mapper *m, const char *k, size_t klen)
{
  if (key_is(k, klen, "failed")) return meta_value(m, "shards_failed");
  if (key_is(k, klen, "total")) return meta_value(m, "shards_total");
  return json_skip(m->s);
}

static int top_member(mapper *m, const char *k, size_t klen)
{
  size_t used = strlen(m->top_keys);
  if (klen != SIZE_MAX && used + klen + 3 < sizeof m->top_keys) {
    snprintf(m->top_keys + used, sizeof m->top_keys - used, "%s%.*s",
             used ? ", " : "", (int)klen, k);
  }
  if (key_is(k, klen, "hits")) {
    if (json_peek(m->s) != JSON_OBJECT) shape_error(m, "hits is not an object");
    return each_member(m, hits_member);
  }
  if (key_is(k, klen, "took")) return meta_value(m, "took");
  if (key_is(k, klen, "timed_out")) return meta_value(m, "timed_out");
  if (key_is(k, klen, "_shards")) return each_member(m, shards_member);
  if (key_is(k, klen, "pit_id")) return meta_value(m, "pit_id");
  if (key_is(k, klen, "_scroll_id")) return meta_value(m, "scroll_id");
  return json_skip(m->s);
}

/* The index of the field called name, or -1. */
static int field_index(mapper *m, const char *name)
{
  for (int i = 0; i < m->nfields; i++)
    if (strcmp(lua_tostring(m->L, m->names + i), name) == 0) return i;
  return -1;
}

/* map.ndjson options: `order` (field names first, in this order; the
 * others follow) and `time_field` (its text is normalised to UTC and
 * time_ns is added). */
static void compile_output(lua_State *L, mapper *m, int spec)
{
  int n = 0;
  char *used = lua_newuserdatauv(L, (size_t)m->nfields + 1, 0);
  memset(used, 0, (size_t)m->nfields + 1);
  if (lua_getfield(L, spec, "order") == LUA_TTABLE) {
    lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= len; i++) {
      if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
        luaL_argerror(L, 2, "order: field names expected");
      int f = field_index(m, lua_tostring(L, -1));
      if (f < 0) luaL_argerror(L, 2, lua_pushfstring(L, "order: no field '%s'", lua_tostring(L, -1)));
      if (!used[f]) { used[f] = 1; m->order[n++] = f; }
      lua_pop(L, 1);
    }
  } else if (!lua_isnil(L, -1)) {
    luaL_argerror(L, 2, "'order' must be a list of field names");
  }
  lua_pop(L, 1);
  /* the others: the _source fields, then the hit fields, each by name (the
   * spec's table order changes from run to run, as Lua seeds its string
   * hashes, and lines must not) */
  int first_other = n;
  int first_hit_field = m->nsrc > 0 ? m->paths[m->nsrc - 1].field + 1 : 0;
  for (int f = 0; f < m->nfields; f++) {
    if (used[f]) continue;
    int at = n++;
    while (at > first_other) {
      int g = m->order[at - 1];
      int later = (g >= first_hit_field) != (f >= first_hit_field)
        ? g >= first_hit_field
        : strcmp(lua_tostring(L, m->names + g), lua_tostring(L, m->names + f)) > 0;
      if (!later) break;
      m->order[at] = g;
      at--;
    }
    m->order[at] = f;
  }
  lua_createtable(L, m->nfields, 0);   /* keeps the escaped names alive */
  for (int f = 0; f < m->nfields; f++) {
    push_name_json(L, m->names + f);
    m->name_json[f].p = (const unsigned char *)lua_tolstring(L, -1, &m->name_json[f].len);
    lua_rawseti(L, -2, f + 1);
  }
  lua_insert(L, -2);          /* keep the table below the `used` scratch */
  /* threads: how many chunks to cut the hits into (specs set it; unset,
   * map_parallel.c decides from the size of the response and the CPUs) */
  if (lua_getfield(L, spec, "threads") != LUA_TNIL) {
    int ok;
    lua_Integer t = lua_tointegerx(L, -1, &ok);
    if (!ok || t < 1 || t > MAP_MAX_CHUNKS)
      luaL_argerror(L, 2, lua_pushfstring(L, "'threads' must be an integer from 1 to %d", MAP_MAX_CHUNKS));
    m->threads = (int)t;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, spec, "time_field") == LUA_TSTRING) {
    m->time_field = field_index(m, lua_tostring(L, -1));
    if (m->time_field < 0)
      luaL_argerror(L, 2, lua_pushfstring(L, "time_field: no field '%s'", lua_tostring(L, -1)));
  } else if (!lua_isnil(L, -1)) {
    luaL_argerror(L, 2, "'time_field' must be a field name");
  }
  lua_pop(L, 2);            /* time_field value and the `used` scratch */
}

/* map.ndjson's output buffer, freed by __gc whether or not the call
 * raises (it is plain malloc so that threads can grow theirs alike). */
/* rows(body, spec) and ndjson(body, spec) share everything but what they
 * make of each hit. */
static int run_map(lua_State *L, int raw)
{
  size_t len;
  const char *body = http_buffer_or_string(L, 1, &len);  /* stays on the stack */
  map_stream *stream = NULL;
  if (raw && !lua_isnoneornil(L, 3)) {       /* the tap of the request, if any */
    stream = luaL_checkudata(L, 3, HTTP_TAP_MT);
    lua_getiuservalue(L, 3, 2);
    if (!lua_rawequal(L, -1, 2)) luaL_argerror(L, 3, "a stream made for another spec");
    lua_pop(L, 1);
  }
  /* ndjson(..., "buffer"): the lines as a userdata (l_map_lines.c), where
   * memory outside the Lua allocator may be handed out (http_buffer.h) */
  int as_buffer = raw && !lua_isnoneornil(L, 4) &&
                  luaL_checkoption(L, 4, NULL, (const char *const[]){ "buffer", NULL }) == 0 &&
                  http_buffers_allowed(L);
  lua_settop(L, 3);            /* 1 body, 2 spec, 3 stream or nil */
  tinkr_json_push_array_mt(L);
  int array_mt = lua_gettop(L);
  mapper *m = compile_spec(L, 2);
  luaL_checkstack(L, 16, "map.rows");
  json_scanner s;
  json_scan_init(&s, body, len);
  m->L = L;
  m->s = &s;
  m->array_mt = array_mt;
  m->raw = raw;
  m->stream = stream;
  if (raw) {
    compile_output(L, m, 2);
    /* room for lines as long as the response: untouched room costs no
     * memory, and growing would move the lines */
    m->lines = map_lines_new(L);
    m->out_slot = lua_gettop(L);
    m->out = &m->lines->cur;
    if (map_out_reserve(m->out, len + 256) < 0) return luaL_error(L, "not enough memory");
  }
  lua_newtable(L);
  lua_pushvalue(L, array_mt);
  lua_setmetatable(L, -2);
  m->rows = lua_gettop(L);
  lua_newtable(L);
  m->meta = lua_gettop(L);

  int rc;
  if (json_peek(&s) != JSON_OBJECT) {
    shape_error(m, "the top level is not an object");
    rc = json_skip(&s);
  } else {
    rc = each_member(m, top_member);
  }
  if (rc < 0 || json_finish(&s) < 0) return tinkr_json_push_error(L, &s);
  if (!m->shape[0] && !m->found_hits) {
    snprintf(m->shape, sizeof m->shape, "no hits.hits (top-level keys: %s)",
             m->top_keys[0] ? m->top_keys : "none");
  }
  if (m->shape[0]) {
    lua_pushnil(L);
    lua_pushfstring(L, "not a search response: %s", m->shape);
    return 2;
  }
  if (m->have_sort) {
    json_scanner at = m->last_sort;
    if (tinkr_json_push_value(L, &at, array_mt) < 0) return tinkr_json_push_error(L, &at);
    lua_setfield(L, m->meta, "last_sort");
  }
  if (raw && m->out->failed) return luaL_error(L, "not enough memory");
  if (raw && as_buffer)
    lua_pushvalue(L, m->out_slot);
  else if (raw)
    map_lines_push_text(L, m->lines);
  else
    lua_pushvalue(L, m->rows);
  lua_pushvalue(L, m->meta);
  return 2;
}

static int map_rows(lua_State *L) { return run_map(L, 0); }

static int stream_gc(lua_State *L)
{
  map_stream_free(luaL_checkudata(L, 1, HTTP_TAP_MT));
  return 0;
}

/* stream:hits() -> how many hits were mapped while the body arrived, and
 * whether map.ndjson used them (for specs and --verbose). */
static int stream_hits(lua_State *L)
{
  int adopted = 0;
  lua_pushinteger(L, (lua_Integer)map_stream_hits(luaL_checkudata(L, 1, HTTP_TAP_MT), &adopted));
  lua_pushboolean(L, adopted);
  return 2;
}

/* stream(spec) -> a tap for core.http.request that maps the response's
 * hits while it arrives; map.ndjson(body, spec, stream) takes that work. */
static int map_stream_new(lua_State *L)
{
  lua_settop(L, 1);
  tinkr_json_push_array_mt(L);
  mapper *m = compile_spec(L, 1);
  m->L = L;                    /* for compiling only: the worker never calls Lua */
  m->raw = 1;
  compile_output(L, m, 1);
  int top = lua_gettop(L);
  lua_createtable(L, top - 1, 0);            /* keeps the compiled spec alive */
  for (int i = 2; i <= top; i++) {
    lua_pushvalue(L, i);
    lua_rawseti(L, -2, i - 1);
  }
  map_stream *st = lua_newuserdatauv(L, map_stream_size(), 2);
  memset(st, 0, map_stream_size());
  if (luaL_newmetatable(L, HTTP_TAP_MT)) {
    lua_pushcfunction(L, stream_gc);
    lua_setfield(L, -2, "__gc");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, stream_hits);
    lua_setfield(L, -2, "hits");
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -2);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 2);
  if (map_stream_init(st, m) < 0) return luaL_error(L, "not enough memory");
  return 1;
}

/* ndjson(body, spec [, stream [, "buffer"]]) -> text, meta: each hit as one
 * line of JSON made from the raw text of its values — no Lua value is built
 * for any of them.  With "buffer", text is a lines userdata instead of a
 * string (#, :text(), :find(), :write(file)). */
static int map_ndjson(lua_State *L) { return run_map(L, 1); }

int luaopen_tinkr_map(lua_State *L)
{
  static const luaL_Reg funcs[] = {
    { "rows", map_rows },
    { "ndjson", map_ndjson },
    { "stream", map_stream_new },
    { NULL, NULL },
  };
  luaL_newlib(L, funcs);
  return 1;
}
