/*
 * map.ndjson while the response arrives: a tap (http_tap.h) on the search
 * request hands each piece of the body to a worker thread, which maps the
 * hits whose bytes are all there, a few hundred KB at a time, while the
 * rest is still on the wire.  When the body is complete, map.ndjson takes
 * the worker's lines (map_stream_adopt) and maps only what is left.
 *
 * The worker walks the hit list with the ordinary strict walker from its
 * start, so whatever it maps is what the serial walk would have mapped.  It
 * waits for bytes by stopping at a hit boundary before the bytes run out:
 * the next `},{"_index":` (the first hit's own opening) past its position
 * tells it a hit is complete; a decoy of that text inside a hit only makes
 * it stop one hit later, and the bytes it was given always end past the
 * text it found.  Anything unexpected (bad JSON, a hit that is not an
 * object, no memory) ends the worker: map.ndjson then maps from the last
 * hit it completed, as if it had done nothing more.
 *
 * The body must not move or vanish while the worker reads it: the tap is
 * only called for a body stored once at its Content-Length, and whoever
 * frees the body first calls on_release, which stops and joins the worker.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_tap.h"
#include "map_mapper.h"
#include "map_stream.h"

/* Below this a response is mapped after it arrives (a thread costs more). */
#define STREAM_MIN_BYTES (1024 * 1024)
/* The worker starts only once the answer has been arriving this long... */
#define STREAM_WATCH_NS (2 * 1000000LL)
/* ...and the rest of it, at the pace seen so far, would take this long.
 * A faster wire leaves too little time to map in, and when the sender is
 * on this host (loopback) a worker takes a core from it: the transfer
 * slows by about what the worker maps.  Mapping after the last byte, on
 * every core, then ends sooner. */
#define STREAM_MIN_REST_NS (10 * 1000000LL)
/* The worker maps at least this much at a time. */
#define STREAM_STEP (192 * 1024)

struct map_stream {
  http_tap tap;                /* first: core.http sees an http_tap */
  mapper m;                    /* the compiled spec with the worker's walk state */
  void *scratch;
  map_out out;
  pthread_mutex_t lock;
  pthread_cond_t more;
  const unsigned char *body;   /* the buffer being filled, or NULL */
  size_t avail, total;         /* under lock */
  int running, stop, refused;
  long long first_ns;          /* when the hit list was first seen; 0 before */
  pthread_t thread;
  /* what the worker did: valid once it is joined */
  const unsigned char *start;  /* just past the hit list's '[' */
  map_hits done;               /* all hits mapped so far, as one walk */
  int have_walk, adopted;
};

/* Just past the '[' of "hits":[ within the first bytes, or NULL. */
static const unsigned char *hit_list(const unsigned char *body, size_t len)
{
  static const char key[] = "\"hits\":[";
  size_t n = len < 65536 ? len : 65536;
  const unsigned char *at = memmem(body, n, key, sizeof key - 1);
  return at ? at + sizeof key - 1 : NULL;
}

/* Waits until more than `seen` bytes are there (or stop); returns avail. */
static size_t wait_for(map_stream *st, size_t seen, int *stop)
{
  pthread_mutex_lock(&st->lock);
  while (!st->stop && st->avail <= seen) pthread_cond_wait(&st->more, &st->lock);
  size_t avail = st->avail;
  *stop = st->stop;
  pthread_mutex_unlock(&st->lock);
  return avail;
}

static void *worker(void *arg)
{
  map_stream *st = arg;
  const unsigned char *body = st->body;
  json_scanner s;
  json_scan_init(&s, (const char *)body, 0);
  s.p = st->start;
  s.depth = 3;                 /* inside {, "hits":{ and [ */
  st->m.s = &s;
  unsigned char pattern[MAP_HIT_PATTERN_MAX];
  size_t plen = 0, seen = 0;   /* seen: bytes there when the worker last had to wait */
  int stop = 0;
  for (;;) {
    size_t avail = wait_for(st, seen, &stop);
    if (stop) break;
    int complete = avail == st->total;
    s.end = body + avail;
    if (!plen) {
      plen = map_hit_pattern(s.p, s.end, pattern);
      if (!plen) {
        if (complete || avail - (size_t)(s.p - body) > 4096) break;
        seen = avail;
        continue;              /* the first hit has not come yet */
      }
    }
    /* a step ends before a hit that another follows, or at the list's end
     * once all bytes are there; steps stay short so that stop is heard */
    const unsigned char *limit = NULL, *from = s.p + STREAM_STEP;
    if (from + plen <= s.end) {
      const unsigned char *next = memmem(from, (size_t)(s.end - from), pattern, plen);
      if (next) limit = next + 2;
    }
    if (!limit && !complete) {
      seen = avail;
      continue;
    }
    size_t mark = st->out.len;
    map_hits r;
    map_walk_hits(&st->m, &s, 0, st->done.count, limit, &r);
    if (r.state == MAP_HITS_ERROR) {
      st->out.len = mark;      /* left to map.ndjson, from the last good hit */
      break;
    }
    st->done.count += r.count;
    st->done.state = r.state;
    st->done.after = r.after;
    if (r.count) {
      st->done.have_sort = r.have_sort;
      st->done.last_sort = r.last_sort;
    }
    st->have_walk = 1;
    if (r.state == MAP_HITS_CLOSED) break;
    s.p = r.after.p;
    s.depth = r.after.depth;
    seen = 0;                  /* progress: go on without waiting */
  }
  return NULL;
}

static void start_worker(map_stream *st, const unsigned char *body, size_t total)
{
  st->body = body;
  st->total = total;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);   /* signals stay the main thread's */
  st->running = pthread_create(&st->thread, NULL, worker, st) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (!st->running) st->refused = 1;
}

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Whether the rest of the body will take long enough to be worth mapping
 * meanwhile, judged by the pace of its first STREAM_WATCH_NS. */
static int slow_enough(map_stream *st, size_t len, size_t total)
{
  long long now = now_ns();
  if (!st->first_ns) st->first_ns = now;
  long long seen = now - st->first_ns;
  if (seen < STREAM_WATCH_NS) return 0;
  double rest_ns = (double)(total - len) * (double)seen / (double)len;
  if (rest_ns < (double)STREAM_MIN_REST_NS) st->refused = 1;   /* decided: after the last byte */
  return !st->refused;
}

static void on_data(http_tap *tap, const char *data, size_t len, size_t total)
{
  map_stream *st = (map_stream *)tap;
  const unsigned char *body = (const unsigned char *)data;
  if (st->refused) return;
  if (!st->running) {
    if (st->body && body != st->body) return;   /* another transfer: not ours */
    if (total < STREAM_MIN_BYTES || map_cpus_available() < 2) {
      st->refused = 1;
      return;
    }
    if (len < 256) return;
    if (!st->start) {
      st->start = hit_list(body, len);
      if (!st->start) {
        if (len >= 65536) st->refused = 1;
        return;
      }
      st->body = body;
    }
    if (!slow_enough(st, len, total)) return;
    start_worker(st, body, total);
    if (st->refused) return;
  } else if (body != st->body) {          /* another transfer (a retry): not ours */
    return;
  }
  pthread_mutex_lock(&st->lock);
  st->avail = len;
  pthread_cond_signal(&st->more);
  pthread_mutex_unlock(&st->lock);
}

/* Stops the worker after the step it is in, and waits for it. */
static void stop_worker(map_stream *st)
{
  if (!st->running) return;
  pthread_mutex_lock(&st->lock);
  st->stop = 1;
  pthread_cond_signal(&st->more);
  pthread_mutex_unlock(&st->lock);
  pthread_join(st->thread, NULL);
  st->running = 0;
}

static void on_release(http_tap *tap, const char *body)
{
  map_stream *st = (map_stream *)tap;
  if ((const unsigned char *)body != st->body) return;
  stop_worker(st);
  st->refused = 1;
  st->body = NULL;             /* nothing of it may be adopted now */
  st->have_walk = 0;
}

size_t map_stream_size(void) { return sizeof(map_stream); }

size_t map_stream_hits(const map_stream *st, int *adopted)
{
  *adopted = st->adopted;
  return st->running ? 0 : st->done.count;
}

int map_stream_init(map_stream *st, const mapper *m)
{
  memset(st, 0, sizeof *st);
  st->tap.on_data = on_data;
  st->tap.on_release = on_release;
  st->scratch = map_walker_init(&st->m, m);
  if (!st->scratch) return -1;
  st->m.out = &st->out;
  st->m.stream = NULL;
  pthread_mutex_init(&st->lock, NULL);
  pthread_cond_init(&st->more, NULL);
  return 0;
}

void map_stream_free(map_stream *st)
{
  if (!st->scratch) return;    /* never initialised, or freed already */
  stop_worker(st);
  pthread_mutex_destroy(&st->lock);
  pthread_cond_destroy(&st->more);
  free(st->scratch);
  st->scratch = NULL;
  map_out_free(&st->out);
}

int map_stream_adopt(map_stream *st, mapper *m, json_scanner *s, size_t *count)
{
  stop_worker(st);
  const unsigned char *body = st->body;
  int usable = body && st->have_walk && *count == 0 && s->p == st->start &&
               s->start == body && st->done.count > 0 && !st->out.failed;
  st->refused = 1;
  st->body = NULL;
  st->have_walk = 0;
  if (!usable) return 1;
  if (m->out->len == 0 && !m->lines) {   /* its lines become the output, no copy */
    map_out mine = *m->out;
    *m->out = st->out;
    st->out = mine;
  } else if (map_out_append(m, &st->out) < 0) {
    return 1;
  }
  map_adopt_hits(m, s, count, &st->done);
  st->adopted = 1;
  return st->done.state == MAP_HITS_CLOSED ? 0 : 1;
}
