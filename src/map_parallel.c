/*
 * map.ndjson on several cores: the hit list of a large search response is
 * cut into chunks, which a few threads map (each taking the next chunk
 * when done) into lines of their own, and the lines are joined in order.
 *
 * Where to cut is a guess: OpenSearch writes every hit with the same first
 * key, so `},{"_index":` (the first hit's own opening) marks the start of a
 * hit.  In valid JSON that text cannot be inside a string (its quote would
 * end the string, and `_index":` cannot follow a string), but it can be a
 * deeper object with the same key.  So a guess is only used once proven:
 * the chunk before it, walked by the ordinary strict scanner from a proven
 * start, must end its last hit exactly there.  Then the chunk after it
 * starts in the very state the serial walk would have had, and its lines
 * are the serial walk's lines.  A guess not proven, a chunk that fails (bad
 * JSON, a hit that is not an object, no memory), and everything after it,
 * are left to the serial walk, which maps and reports them as it always
 * did: same lines, same errors, same byte offsets.
 *
 * Lua-free: the threads never touch the Lua state.  A chunk's lines are
 * moved in after the others (map_out_append), not copied.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map_mapper.h"

/* Below this many bytes per chunk a thread costs more than it saves. */
#define MIN_CHUNK_BYTES (256 * 1024)
/* Unasked, no more threads than this (a server runs several maps at once). */
#define MAX_AUTO_THREADS 4
/* Unasked, the hit list is cut into this many chunks per thread. */
#define CHUNKS_PER_THREAD 3

typedef struct {
  mapper m;                    /* the shared spec with this chunk's walk state */
  map_out out;                 /* lines of chunks after the first */
  json_scanner s;
  const unsigned char *limit;  /* stop before a hit starting at or past this; NULL: to ']' */
  int at_element;              /* s starts at a hit (all chunks but the first) */
  size_t n0;                   /* the first chunk: hits before it (it starts past one) */
  map_hits r;                  /* state 0: not run */
  void *scratch;               /* this chunk's best, slices and keybuf */
  int ready;                   /* set up, so run by a worker */
} hit_chunk;

void map_walk_hits(mapper *m, json_scanner *s, int at_element, size_t n,
                   const unsigned char *limit, map_hits *r)
{
  memset(r, 0, sizeof *r);
  r->state = MAP_HITS_ERROR;
  int at_hit = at_element;
  if (at_element && n == 0) n = 1;     /* > 0: a ',' must come before the next */
  json_scanner after = *s;
  for (;;) {
    if (!at_hit) {                     /* past '[' or a hit: the next, or the end */
      int rc = json_array_next(s, &n);
      if (rc < 0) return;
      if (rc == 0) {
        r->state = MAP_HITS_CLOSED;
        r->after = *s;
        return;
      }
      if (limit && r->count > 0 && s->p >= limit) {
        r->state = MAP_HITS_STOPPED;
        r->exact = s->p == limit;
        r->after = after;
        return;
      }
    }
    at_hit = 0;
    if (json_peek(s) != JSON_OBJECT) return;   /* the serial walk names it */
    if (map_raw_hit(m, s) < 0) return;
    map_emit_line(m);
    if (m->out->failed) return;
    r->count++;
    r->have_sort = m->have_sort;
    if (m->have_sort) r->last_sort = m->last_sort;
    after = *s;
  }
}

static void run_chunk(hit_chunk *c)
{
  map_walk_hits(&c->m, &c->s, c->at_element, c->n0, c->limit, &c->r);
}

/* The chunks and who takes the next: each worker (the calling thread and
 * the threads started) maps chunks until none is left, so a worker slowed
 * down (a core shared with the server that just answered) does fewer. */
typedef struct {
  hit_chunk *c;
  int nchunks;
  atomic_int next;
} chunk_queue;

static void *chunk_worker(void *arg)
{
  chunk_queue *q = arg;
  for (int k; (k = atomic_fetch_add(&q->next, 1)) < q->nchunks;) run_chunk(&q->c[k]);
  return NULL;
}

int map_cpus_available(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

/* How many threads map the hit list, the calling one included. */
static int workers_wanted(const mapper *m, size_t bytes)
{
  if (m->threads) return m->threads;
  size_t by_size = bytes / MIN_CHUNK_BYTES;
  int want = map_cpus_available();
  if (want > MAX_AUTO_THREADS) want = MAX_AUTO_THREADS;
  if ((size_t)want > by_size) want = (int)by_size;
  return want;
}

/* Into how many chunks: one per thread when the spec asks for threads (as
 * specs do, to place the cuts), else CHUNKS_PER_THREAD per thread, for the
 * share of a slowed-down thread to be taken by the others. */
static int chunks_wanted(const mapper *m, int workers)
{
  int n = m->threads ? workers : workers * CHUNKS_PER_THREAD;
  return n > MAP_MAX_CHUNKS ? MAP_MAX_CHUNKS : n;
}

size_t map_hit_pattern(const unsigned char *p, const unsigned char *e, unsigned char *pattern)
{
  while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')) p++;
  if (e - p < 4 || p[0] != '{' || p[1] != '"') return 0;
  const unsigned char *q = p + 2;      /* the hit's first key, plain */
  while (q < e && q - p < 64 && *q != '"' && *q != '\\') q++;
  if (e - q < 2 || q[0] != '"' || q[1] != ':') return 0;
  size_t plen = 2 + (size_t)(q + 2 - p);
  pattern[0] = '}';
  pattern[1] = ',';
  memcpy(pattern + 2, p, plen - 2);
  return plen;
}

/* Guesses where hits start, near equal shares of the rest of the body:
 * fills cuts[] (each at a hit's '{') and returns how many. */
static int guess_cuts(const json_scanner *s, int want, const unsigned char **cuts)
{
  const unsigned char *p = s->p, *e = s->end;
  unsigned char pattern[MAP_HIT_PATTERN_MAX];
  size_t plen = map_hit_pattern(p, e, pattern);
  if (!plen) return 0;
  size_t share = (size_t)(e - p) / (size_t)want;
  const unsigned char *from = p + 1;
  int n = 0;
  for (int k = 1; k < want; k++) {
    const unsigned char *target = p + share * (size_t)k;
    if (target < from) target = from;
    if (target >= e) break;
    const unsigned char *hit = memmem(target, (size_t)(e - target), pattern, plen);
    if (!hit) break;
    cuts[n++] = hit + 2;
    from = hit + 3;
  }
  return n;
}

void *map_walker_init(mapper *copy, const mapper *m)
{
  *copy = *m;
  size_t nf = (size_t)m->nfields;
  void *scratch = malloc(nf * sizeof(int) + nf * sizeof(map_slice) + m->keycap + 1);
  if (!scratch) return NULL;
  copy->slices = scratch;
  copy->best = (int *)(copy->slices + nf);
  copy->keybuf = (char *)(copy->best + nf);
  return scratch;
}

/* A chunk's own walk state, and its lines: a window of the arena as long
 * as its share of the body.  Lines are shorter than the hits they come
 * from in practice; a chunk whose lines do not fit fails, and is left to
 * the serial walk. */
static int setup_chunk(hit_chunk *c, const mapper *m, const json_scanner *s, char *window, size_t room)
{
  c->scratch = map_walker_init(&c->m, m);
  if (!c->scratch) return -1;
  c->m.s = &c->s;
  c->m.lines = NULL;
  c->s = *s;
  c->m.out = &c->out;
  c->out.p = window;
  c->out.cap = room;
  c->out.window = 1;
  return 0;
}

/* Takes a finished chunk's place in the serial walk. */
void map_adopt_hits(mapper *m, json_scanner *s, size_t *count, const map_hits *r)
{
  *count += r->count;
  s->p = r->after.p;       /* the walker's own scanner may end sooner */
  s->depth = r->after.depth;
  if (r->count > 0) {
    m->have_sort = r->have_sort;
    if (r->have_sort) {
      m->last_sort = r->last_sort;
      m->last_sort.end = s->end;
    }
  }
}

int map_parallel_hits(mapper *m, json_scanner *s, size_t *count)
{
  if (m->stream && map_stream_adopt(m->stream, m, s, count) == 0) return 0;
  int workers = workers_wanted(m, (size_t)(s->end - s->p));
  if (workers < 2) return 1;
  const unsigned char *cuts[MAP_MAX_CHUNKS];
  int ncuts = guess_cuts(s, chunks_wanted(m, workers), cuts);
  if (ncuts == 0) return 1;
  int nchunks = ncuts + 1;
  if (workers > nchunks) workers = nchunks;
  /* One arena for the lines of every chunk, each writing in its own
   * window: one block on huge pages, where a block per chunk would be
   * faulted in 4 KB at a time (a fifth of the CPU of a 10,000-hit map,
   * perf), and the lines stay where they were written (the windows become
   * pieces of m->lines: no copy). */
  map_out arena = { 0 };
  hit_chunk *c = calloc((size_t)nchunks, sizeof *c);
  pthread_t *threads = calloc((size_t)workers, sizeof *threads);
  if (!c || !threads || !m->lines || m->lines->n + 2 + nchunks > MAP_LINES_MAX ||
      map_out_reserve(&arena, (size_t)(s->end - s->p) + 256) < 0) {
    free(c);
    free(threads);
    map_out_free(&arena);
    return 1;
  }

  /* A chunk that could not be set up (no memory) and those after it are
   * left to the serial walk. */
  int ready = 0;
  while (ready < nchunks) {
    int k = ready;
    const unsigned char *begin = k == 0 ? s->p : cuts[k - 1];
    const unsigned char *end = k < ncuts ? cuts[k] : s->end;
    size_t room = (size_t)(end - begin) + (k == ncuts ? 256 : 0);
    if (setup_chunk(&c[k], m, s, arena.p + (begin - s->p), room) < 0) break;
    c[k].s.p = begin;
    c[k].at_element = k > 0;
    c[k].n0 = k == 0 ? *count : 0;
    c[k].limit = k < ncuts ? cuts[k] : NULL;
    c[k].ready = 1;
    ready++;
  }
  /* This thread is one worker; the others start with every signal blocked
   * (signals are this thread's). */
  chunk_queue q = { c, ready, 0 };
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int started = 0;
  for (int w = 1; w < workers; w++)
    if (pthread_create(&threads[started], NULL, chunk_worker, &q) == 0) started++;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  chunk_worker(&q);
  for (int w = 0; w < started; w++) pthread_join(threads[w], NULL);
  free(threads);

  /* The chain of proven chunks: each after the first counts only if the
   * one before ended exactly at its start. */
  int rc = 1;
  if ((c[0].r.state == MAP_HITS_CLOSED || c[0].r.state == MAP_HITS_STOPPED) &&
      map_lines_hold(m, &arena, nchunks) == 0 && map_out_append(m, &c[0].out) == 0) {
    map_adopt_hits(m, s, count, &c[0].r);
    int k = 0;
    for (;;) {
      if (c[k].r.state == MAP_HITS_CLOSED) {
        rc = 0;
        break;
      }
      if (!c[k].r.exact || k + 1 >= nchunks) break;
      hit_chunk *next = &c[k + 1];
      if (!next->ready || (next->r.state != MAP_HITS_CLOSED && next->r.state != MAP_HITS_STOPPED)) break;
      if (map_out_append(m, &next->out) < 0) break;
      map_adopt_hits(m, s, count, &next->r);
      k++;
    }
  }
  for (int k = 0; k < nchunks; k++) free(c[k].scratch);
  map_out_free(&arena);      /* not held: nothing of it was used */
  free(c);
  return rc;
}
