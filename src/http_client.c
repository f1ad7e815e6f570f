/* The client (one curl multi handle, a pool of easy handles) and groups of
 * transfers waiting on it.  See http_client.h. */
#include <stdlib.h>
#include <time.h>

#include <curl/curl.h>

#include "http_client.h"
#include "http_transfer.h"
#include "interrupt.h"

#define MAX_IDLE_HANDLES 16
/* Idle connections kept open, bounded explicitly rather than by curl's
 * default (which scales with the handles in use): enough for a
 * request_many wave at the default max_parallel against two backends. */
#define MAX_CACHED_CONNECTIONS 32L
/* curl_multi_poll returns on EINTR, but a signal landing just before it
 * would wait out the whole poll: bound each poll so Ctrl-C is seen fast. */
#define POLL_SLICE_MS 100

struct http_client {
  CURLM *multi;
  CURL *idle[MAX_IDLE_HANDLES];
  size_t nidle;
  http_transfer *running; /* every transfer in the multi handle, any group */
  int refs;
};

typedef struct {
  http_transfer *head, *tail;
} fifo;

struct http_group {
  http_client *client;
  size_t max_active, active;
  size_t unreported;
  long long last_id;
  fifo queued; /* waiting for a free slot under max_active */
  fifo done;   /* finished, not yet dropped */
};

/* ---- lists ---- */

static void fifo_push(fifo *q, http_transfer *t) {
  t->next = NULL;
  t->prev = NULL;
  if (q->tail) q->tail->next = t;
  else q->head = t;
  q->tail = t;
}

static http_transfer *fifo_pop(fifo *q) {
  http_transfer *t = q->head;
  if (t) {
    q->head = t->next;
    if (!q->head) q->tail = NULL;
    t->next = NULL;
  }
  return t;
}

static void link_running(http_client *c, http_transfer *t) {
  t->prev = NULL;
  t->next = c->running;
  if (c->running) c->running->prev = t;
  c->running = t;
}

static void unlink_running(http_client *c, http_transfer *t) {
  if (t->prev) t->prev->next = t->next;
  else c->running = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = t->next = NULL;
}

/* ---- easy handle pool ---- */

static CURL *acquire_easy(http_client *c) {
  if (c->nidle > 0) return c->idle[--c->nidle];
  return curl_easy_init();
}

static void release_easy(http_client *c, CURL *e) {
  if (!e) return;
  if (c->nidle == MAX_IDLE_HANDLES) {
    curl_easy_cleanup(e);
    return;
  }
  curl_easy_reset(e); /* options only: the connection stays in the multi's cache */
  c->idle[c->nidle++] = e;
}

/* ---- client ---- */

http_client *http_client_new(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
  http_client *c = calloc(1, sizeof *c);
  if (c) c->multi = curl_multi_init();
  if (!c || !c->multi) {
    free(c);
    curl_global_cleanup();
    return NULL;
  }
  curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, MAX_CACHED_CONNECTIONS);
  c->refs = 1;
  return c;
}

void http_client_release(http_client *c) {
  if (!c || --c->refs > 0) return;
  /* every group holds a reference, so nothing is running any more */
  while (c->nidle > 0) curl_easy_cleanup(c->idle[--c->nidle]);
  curl_multi_cleanup(c->multi);
  free(c);
  curl_global_cleanup();
}

/* ---- starting and finishing transfers ---- */

static void start_queued(http_group *g);

static void start(http_group *g, http_transfer *t) {
  http_client *c = g->client;
  if (tinkr_interrupt_pending()) {
    http_transfer_interrupt(t);
    fifo_push(&g->done, t);
    return;
  }
  CURL *e = acquire_easy(c);
  if (!e) {
    http_transfer_complete(t, CURLE_OUT_OF_MEMORY);
    fifo_push(&g->done, t);
    return;
  }
  if (http_transfer_setup(t, e) != 0) {
    release_easy(c, e);
    t->easy = NULL;
    fifo_push(&g->done, t);
    return;
  }
  if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
    http_transfer_complete(t, CURLE_OUT_OF_MEMORY);
    release_easy(c, e);
    t->easy = NULL;
    fifo_push(&g->done, t);
    return;
  }
  link_running(c, t);
  g->active++;
}

static void finish(http_client *c, http_transfer *t, CURLcode rc, int interrupted) {
  http_group *g = t->group;
  curl_multi_remove_handle(c->multi, t->easy);
  unlink_running(c, t);
  g->active--;
  if (interrupted) http_transfer_interrupt(t);
  else http_transfer_complete(t, rc);
  release_easy(c, t->easy);
  t->easy = NULL;
  fifo_push(&g->done, t);
  start_queued(g);
}

static void start_queued(http_group *g) {
  while (g->queued.head && (g->max_active == 0 || g->active < g->max_active))
    start(g, fifo_pop(&g->queued));
}

static void collect_finished(http_client *c) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURLcode rc = msg->data.result;
    char *priv = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    finish(c, (http_transfer *)priv, rc, 0);
  }
}

/* Ctrl-C: every running transfer of every group ends now.  Queued ones
 * that finish() starts end at once too, since the flag is still set. */
static void interrupt_all(http_client *c) {
  while (c->running) finish(c, c->running, CURLE_ABORTED_BY_CALLBACK, 1);
}

static void fail_all(http_client *c, CURLMcode mc) {
  CURLcode rc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
  while (c->running) finish(c, c->running, rc, 0);
}

/* ---- groups ---- */

http_group *http_group_new(http_client *c, size_t max_active) {
  http_group *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->client = c;
  g->max_active = max_active;
  c->refs++;
  return g;
}

void http_group_free(http_group *g) {
  if (!g) return;
  http_client *c = g->client;
  http_transfer *t;
  while ((t = fifo_pop(&g->queued)) != NULL) http_transfer_free(t);
  while ((t = fifo_pop(&g->done)) != NULL) http_transfer_free(t);
  for (t = c->running; t;) {
    http_transfer *next = t->next;
    if (t->group == g) {
      curl_multi_remove_handle(c->multi, t->easy);
      unlink_running(c, t);
      release_easy(c, t->easy);
      t->easy = NULL;
      http_transfer_free(t);
    }
    t = next;
  }
  free(g);
  http_client_release(c);
}

long long http_group_add(http_group *g, const http_request *req) {
  http_transfer *t = http_transfer_new(req);
  if (!t) return 0;
  t->group = g;
  t->id = ++g->last_id;
  g->unreported++;
  if (t->result.code) fifo_push(&g->done, t); /* bad URL: reported by the next wait */
  else if (g->max_active && g->active >= g->max_active) fifo_push(&g->queued, t);
  else start(g, t);
  return t->id;
}

size_t http_group_unreported(const http_group *g) { return g->unreported; }

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void http_group_wait(http_group *g, long timeout_ms) {
  http_client *c = g->client;
  long start_ms = now_ms();
  for (;;) {
    if (g->done.head || g->active == 0) return;
    if (tinkr_interrupt_pending()) {
      interrupt_all(c);
      continue;
    }
    int still_running = 0;
    CURLMcode mc = curl_multi_perform(c->multi, &still_running);
    if (mc != CURLM_OK) {
      fail_all(c, mc);
      continue;
    }
    collect_finished(c);
    if (g->done.head) return;
    long slice = POLL_SLICE_MS;
    if (timeout_ms >= 0) {
      long left = timeout_ms - (now_ms() - start_ms);
      if (left <= 0) return;
      if (left < slice) slice = left;
    }
    curl_multi_poll(c->multi, NULL, 0, (int)slice, NULL);
  }
}

const http_result *http_group_peek_done(http_group *g, long long *id) {
  http_transfer *t = g->done.head;
  if (!t) return NULL;
  if (id) *id = t->id;
  return &t->result;
}

char *http_group_take_body(http_group *g, size_t *cap) {
  http_transfer *t = g->done.head;
  if (!t || !t->response_body) return NULL;
  char *body = t->response_body;
  *cap = t->response_cap;
  t->response_body = NULL;
  t->response_len = t->response_cap = 0;
  t->result.body = "";
  t->result.body_len = 0;
  return body;
}

void http_group_drop_done(http_group *g) {
  http_transfer *t = fifo_pop(&g->done);
  if (!t) return;
  g->unreported--;
  http_transfer_free(t);
}
