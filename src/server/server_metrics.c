/* Counters and their Prometheus text rendering (see server_metrics.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server_metrics.h"

static const char *const routes[] = {
    "/healthz", "/readyz", "/metrics", "/v1/logs", "/v1/traces", "/v1/traces/{id}",
    "/v1/metrics/query", "/v1/metrics/range", "/v1/recipes/{name}", "/v1/scripts/{name}", "/mcp",
    "other",
};
#define NROUTES (sizeof routes / sizeof routes[0])

static const int statuses[] = { 200, 202, 400, 401, 404, 405, 413, 500, 502, 503, 504, 0 };
#define NSTATUSES (sizeof statuses / sizeof statuses[0])   /* 0 = any other */

static const double buckets[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static const char *const backends[] = { "opensearch", "prometheus", "other" };
#define NBACKENDS (sizeof backends / sizeof backends[0])
static const char *const backend_codes[] = { "connect", "timeout", "auth", "tls", "backend", "other" };
#define NCODES (sizeof backend_codes / sizeof backend_codes[0])

static const char *const abort_reasons[] = { "instructions", "time", "memory" };
#define NREASONS (sizeof abort_reasons / sizeof abort_reasons[0])

struct server_metrics {
    atomic_ullong requests[NROUTES][NSTATUSES];
    atomic_ullong latency_buckets[NROUTES][NBUCKETS];   /* not cumulative; summed when rendered */
    atomic_ullong latency_count[NROUTES];
    atomic_ullong latency_sum_us[NROUTES];
    atomic_ullong backend_errors[NBACKENDS][NCODES];
    atomic_ullong script_aborts[NREASONS];
};

struct server_metrics *server_metrics_new(void)
{
    /* calloc'd atomics of integer type start at zero on every platform we build for */
    return calloc(1, sizeof(struct server_metrics));
}

void server_metrics_free(struct server_metrics *m)
{
    free(m);
}

/* Index of s in list (n entries), else the last one ("other"). */
static size_t index_of(const char *const *list, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
            return i;
    return n - 1;
}

void server_metrics_request(struct server_metrics *m, const char *route, int status, double seconds)
{
    size_t r = index_of(routes, NROUTES, route, strlen(route));
    size_t s = NSTATUSES - 1;
    for (size_t i = 0; i + 1 < NSTATUSES; i++)
        if (statuses[i] == status)
            s = i;
    atomic_fetch_add_explicit(&m->requests[r][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    if (b < NBUCKETS)
        atomic_fetch_add_explicit(&m->latency_buckets[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_count[r], 1, memory_order_relaxed);
    unsigned long long us = seconds > 0 ? (unsigned long long)(seconds * 1e6) : 0;
    atomic_fetch_add_explicit(&m->latency_sum_us[r], us, memory_order_relaxed);
}

void server_metrics_backend_error(struct server_metrics *m, const char *label)
{
    if (!label || !*label)
        return;
    const char *colon = strchr(label, ':');
    size_t blen = colon ? (size_t)(colon - label) : strlen(label);
    const char *code = colon ? colon + 1 : "other";
    size_t b = index_of(backends, NBACKENDS, label, blen);
    size_t c = index_of(backend_codes, NCODES, code, strlen(code));
    atomic_fetch_add_explicit(&m->backend_errors[b][c], 1, memory_order_relaxed);
}

void server_metrics_script_abort(struct server_metrics *m, const char *reason)
{
    if (!reason || !*reason)
        return;
    for (size_t i = 0; i < NREASONS; i++)
        if (strcmp(reason, abort_reasons[i]) == 0)
            atomic_fetch_add_explicit(&m->script_aborts[i], 1, memory_order_relaxed);
}

/* A growing text buffer; on allocation failure it stops growing and
 * render returns NULL. */
struct text {
    char *data;
    size_t len, cap;
    int failed;
};

static void add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *grown = realloc(t->data, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->data = grown;
        t->cap = cap;
    }
}

static unsigned long long load(atomic_ullong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

char *server_metrics_render(struct server_metrics *m, const struct server_gauges *g, size_t *len)
{
    struct text t = { malloc(8192), 0, 8192, 0 };
    if (!t.data)
        return NULL;
    t.data[0] = '\0';

    add(&t, "# HELP tinkr_server_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE tinkr_server_requests_total counter\n");
    for (size_t r = 0; r < NROUTES; r++)
        for (size_t s = 0; s < NSTATUSES; s++) {
            unsigned long long n = load(&m->requests[r][s]);
            if (n == 0)
                continue;
            if (statuses[s])
                add(&t, "tinkr_server_requests_total{route=\"%s\",status=\"%d\"} %llu\n", routes[r], statuses[s], n);
            else
                add(&t, "tinkr_server_requests_total{route=\"%s\",status=\"other\"} %llu\n", routes[r], n);
        }

    add(&t, "# HELP tinkr_server_request_duration_seconds Time from request to response, by route.\n"
            "# TYPE tinkr_server_request_duration_seconds histogram\n");
    for (size_t r = 0; r < NROUTES; r++) {
        unsigned long long count = load(&m->latency_count[r]);
        if (count == 0)
            continue;
        unsigned long long cumulative = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cumulative += load(&m->latency_buckets[r][b]);
            add(&t, "tinkr_server_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                routes[r], buckets[b], cumulative);
        }
        add(&t, "tinkr_server_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", routes[r], count);
        add(&t, "tinkr_server_request_duration_seconds_sum{route=\"%s\"} %.6f\n", routes[r],
            (double)load(&m->latency_sum_us[r]) / 1e6);
        add(&t, "tinkr_server_request_duration_seconds_count{route=\"%s\"} %llu\n", routes[r], count);
    }

    add(&t, "# HELP tinkr_server_backend_errors_total Failed backend requests, by backend and error code.\n"
            "# TYPE tinkr_server_backend_errors_total counter\n");
    for (size_t b = 0; b < NBACKENDS; b++)
        for (size_t c = 0; c < NCODES; c++)
            add(&t, "tinkr_server_backend_errors_total{backend=\"%s\",code=\"%s\"} %llu\n",
                backends[b], backend_codes[c], load(&m->backend_errors[b][c]));

    add(&t, "# HELP tinkr_server_script_aborts_total Scripts stopped for exceeding a budget.\n"
            "# TYPE tinkr_server_script_aborts_total counter\n");
    for (size_t i = 0; i < NREASONS; i++)
        add(&t, "tinkr_server_script_aborts_total{reason=\"%s\"} %llu\n", abort_reasons[i], load(&m->script_aborts[i]));

    if (g) {
        add(&t, "# HELP tinkr_server_requests_in_flight Requests received and not yet answered.\n"
                "# TYPE tinkr_server_requests_in_flight gauge\n"
                "tinkr_server_requests_in_flight %zu\n", g->in_flight);
        add(&t, "# HELP tinkr_server_queue_depth Requests waiting for a Lua worker.\n"
                "# TYPE tinkr_server_queue_depth gauge\n"
                "tinkr_server_queue_depth %zu\n", g->queued);
        add(&t, "# HELP tinkr_server_workers Lua workers (states).\n"
                "# TYPE tinkr_server_workers gauge\n"
                "tinkr_server_workers %zu\n", g->workers);
        add(&t, "# HELP tinkr_server_workers_busy Lua workers running a request.\n"
                "# TYPE tinkr_server_workers_busy gauge\n"
                "tinkr_server_workers_busy %zu\n", g->workers_busy);
    }
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    *len = t.len;
    return t.data;
}
