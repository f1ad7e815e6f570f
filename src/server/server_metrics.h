/* The server's own Prometheus metrics (GET /metrics): requests by route
 * and status, a latency histogram per route, backend errors and script
 * aborts.  Counters are atomics, so any thread records without a lock.
 * Labels come from fixed lists; anything else is counted as "other". */
#ifndef TINKR_SERVER_METRICS_H
#define TINKR_SERVER_METRICS_H

#include <stddef.h>

struct server_metrics;

/* Gauges read when /metrics is rendered (may be NULL). */
struct server_gauges {
    size_t in_flight, queued, workers, workers_busy;
};

struct server_metrics *server_metrics_new(void);
void server_metrics_free(struct server_metrics *m);

/* One answered request.  route is a label such as "/v1/logs". */
void server_metrics_request(struct server_metrics *m, const char *route, int status, double seconds);

/* backend_error is "opensearch:connect" style (backend:code); "" is ignored. */
void server_metrics_backend_error(struct server_metrics *m, const char *backend_error);

/* reason: "instructions", "time" or "memory"; "" is ignored. */
void server_metrics_script_abort(struct server_metrics *m, const char *reason);

/* The text exposition format; malloc'd, *len set.  NULL when out of memory. */
char *server_metrics_render(struct server_metrics *m, const struct server_gauges *g, size_t *len);

#endif
