/*
 * The mapper behind tinkr.core.map (l_map.c): a compiled spec and the state
 * of one walk over a search response.  Shared by l_map.c (compiling, the
 * walk, the Lua side), map_ndjson.c (JSON lines out) and map_parallel.c
 * (the hit list cut into chunks mapped by threads).
 *
 * The compiled spec (paths, trie, terms, names) is read-only once built;
 * the walk state (best, slices, keybuf, last_sort, out) is per walker, so a
 * copy of the struct with its own walk state can map hits on another thread
 * as long as it never touches Lua (map.ndjson's walk does not).
 */
#ifndef TINKR_MAP_MAPPER_H
#define TINKR_MAP_MAPPER_H

#include <stddef.h>

#include <lua.h>

#include "iso_time.h"
#include "json_scan.h"

struct map_stream;

/* At most this many chunks (so threads) for one hit list. */
#define MAP_MAX_CHUNKS 16

typedef struct {
  const char *text;
  size_t len;
  int field;        /* index of the field (and of its name on the stack) */
  int rank;         /* position in the field's list of paths: lower wins */
} map_path;

/* The spec's paths as a byte trie, one root for _source paths and one for
 * hit paths, so that matching a key costs one walk down the trie whatever
 * the number of paths: a key K leads from node N to the node N+K; that node
 * ends some paths (K was the rest of them: the value is found), and its '.'
 * child, if any, is where the paths that go on inside K's value continue.
 * The paths ending in a node's subtree are terms[term, sub_end), in
 * depth-first order; the node's own are the first nterm of them. */
typedef struct {
  int child, sibling;  /* first child and next sibling; 0 = none (0 is a root) */
  int dot;             /* the '.' child, or 0 */
  int term, nterm, sub_end;
  int run;             /* > 0: the next `run` bytes are forced (see follow_key) */
  unsigned char byte;
} trie_node;

typedef struct {
  int field, rank;
} map_term;

typedef struct map_slice {
  const unsigned char *p;
  size_t len;
} map_slice;

/* map.ndjson's output: plain malloc, so threads can grow it; failed is set
 * (and nothing more is written) when memory runs out. */
typedef struct {
  char *p;
  size_t len, cap;
  int failed;
  int window;       /* p is borrowed (a chunk's window of an arena): never grown or freed */
} map_out;

/* map.ndjson's lines as the pieces they were written in, in order: the
 * lines of a chunk mapped by a thread, or by the stream's worker, are moved
 * in rather than copied after the others (megabytes that are only going to
 * be written out).  cur is always the last piece, where the walk writes. */
#define MAP_LINES_MAX 40
typedef struct {
  map_out seg[MAP_LINES_MAX];
  int n;
  map_out cur;
} map_lines;

typedef struct {
  lua_State *L;
  json_scanner *s;
  int array_mt, rows, meta, names, row, out_slot;  /* stack slots */
  int nfields;
  map_path *paths;  /* [0, nsrc) resolve in _source, [nsrc, nsrc+nhit) in the hit */
  int nsrc, nhit;
  trie_node *nodes; /* [0] the _source root, [1] the hit root */
  int nnodes;
  unsigned char *node_bytes;  /* node_bytes[i] == nodes[i].byte, and 8 bytes of slack */
  int root_child[2][256];     /* the roots' children by byte (0: none): every key of
                                 _source and of a hit starts there */
  unsigned gen;               /* bumped whenever a field gets a better value */
  iso_date_cache dates;       /* the time field's last date (map.ndjson) */
  map_term *terms;
  int *path_next;   /* scratch while the trie is built */
  int *best;        /* per field: rank of the value already in the row */
  char *keybuf;     /* unescaped keys; longer ones cannot match anything */
  size_t keycap;
  json_scanner last_sort;  /* where the current hit's "sort" value starts */
  int have_sort, found_hits;
  char shape[96];   /* first reason this is not a search response */
  char top_keys[64];
  /* map.ndjson: raw value slices per field instead of Lua values */
  int raw;
  map_slice *slices;
  int *order;       /* field indices in output order */
  map_slice *name_json;  /* per field: '"name":', escaped */
  int time_field;   /* field whose text becomes UTC RFC 3339 + time_ns, or -1 */
  map_out *out;
  map_lines *lines; /* the pieces out belongs to (out == &lines->cur), or NULL */
  int threads;      /* map.ndjson: 0 = as many as pay off, else exactly this many chunks */
  struct map_stream *stream;  /* hits mapped while the response arrived, or NULL */
} mapper;

/* Walks the members of a hit whose '{' is consumed (node 1 = the hit root),
 * or of an object inside it.  Lua-free when m->raw.  0 ok, -1 error. */
int map_walk(mapper *m, int node, int hit_level);

/* Clears the walk state before a hit. */
void map_hit_reset(mapper *m);

/* map_fast.c: walks the hit at s->p ('{') for map.ndjson in one pass, as
 * map_walk would, after map_hit_reset.  1: done, s past the hit; 0: left
 * to map_walk (something it does not handle, or an error to report), s
 * unchanged but the walk state to be reset. */
int map_fast_hit(mapper *m, json_scanner *s);

/* One hit for map.ndjson at s->p: the fast walk, else map_walk (which
 * reports errors).  0 ok, -1 error. */
int map_raw_hit(mapper *m, json_scanner *s);

/* Appends the current hit as one JSON line to m->out. */
void map_emit_line(mapper *m);

/* Makes sure out can take n more bytes; 0, or -1 (out->failed set). */
int map_out_reserve(map_out *out, size_t n);

/* Frees out's buffer. */
void map_out_free(map_out *out);

/* Puts the lines of from after m->out's and empties from: moved in as a
 * piece of m->lines where m has them, else copied.  0, or -1 when memory
 * ran out (m->out->failed is set). */
int map_out_append(mapper *m, map_out *from);

/* Makes the arena's block one of m->lines' pieces (an empty one, after
 * m->out's lines), so that it lives as long as the lines: the windows of
 * it appended after are views into it.  Empties arena.  0, or -1 when m has
 * no lines or no room for pieces (MAP_LINES_MAX, room for `more` after). */
int map_lines_hold(mapper *m, map_out *arena, int more);

/* All the pieces' bytes. */
size_t map_lines_len(const map_lines *lines);

/* Frees every piece. */
void map_lines_free(map_lines *lines);

/* CPUs this process may run on. */
int map_cpus_available(void);

/* A copy of m with walk state of its own (for another thread); returns
 * the block to free() after, or NULL when out of memory. */
void *map_walker_init(mapper *copy, const mapper *m);

/* The text that starts a hit like the one at p (after whitespace or a
 * ','): `},{"_index":` for OpenSearch.  0 when p does not start a hit with
 * a plain first key.  pattern needs MAP_HIT_PATTERN_MAX bytes. */
#define MAP_HIT_PATTERN_MAX 72
size_t map_hit_pattern(const unsigned char *p, const unsigned char *e, unsigned char *pattern);

/* Where a walk over hits ended (map_walk_hits). */
enum { MAP_HITS_ERROR = 1, MAP_HITS_CLOSED, MAP_HITS_STOPPED };

typedef struct {
  int state;
  int exact;             /* STOPPED with the next hit starting exactly at limit */
  size_t count;          /* hits mapped */
  json_scanner after;    /* past the last hit (STOPPED) or past ']' (CLOSED) */
  json_scanner last_sort;
  int have_sort;         /* of the last hit mapped */
} map_hits;

/* Maps hits into m->out from s (m->s == s), Lua-free.  at_element: s is
 * at a hit; else s is just past '[' (n == 0) or just past a hit (n > 0).
 * Stops at the first hit boundary at or past limit (NULL: the list's end).
 * On ERROR (bad JSON, a hit that is not an object, no memory, the bytes
 * ending) the serial walk is the one to report it. */
void map_walk_hits(mapper *m, json_scanner *s, int at_element, size_t n,
                   const unsigned char *limit, map_hits *r);

/* Takes the place of a finished walk in the serial walk: s (and its
 * sort) move past its hits, *count counts them. */
void map_adopt_hits(mapper *m, json_scanner *s, size_t *count, const map_hits *r);

/* Maps the elements of hits.hits (s just past its '[', *count 0) in
 * chunks on threads where that pays off, leaving s and *count as the serial
 * walk would after the chunks it could use.  Returns 0 when the array was
 * closed (all hits done), 1 when the caller must go on serially from s
 * (nothing, or only part, was done in parallel).  Lua-free; the outputs of
 * the chunks used are appended to m->out in order. */
int map_parallel_hits(mapper *m, json_scanner *s, size_t *count);

/* map_stream.c: hits mapped while the response arrived (a tap on the
 * transfer).  Stops the stream's worker; when it began where s is (just
 * past '[', same buffer), appends its lines to m->out, moves s and *count
 * past its hits and returns 0 (list closed) or 1 (go on from s); else
 * returns 1 and changes nothing. */
int map_stream_adopt(struct map_stream *st, mapper *m, json_scanner *s, size_t *count);

#endif
