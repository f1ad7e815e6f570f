/* The HTTP side of tinkr-server, on libmicrohttpd: accepts connections,
 * answers /healthz and /metrics itself, checks the bearer token and the
 * body size, and hands every other request to the worker pool as a job.
 * A connection whose job is queued or running is suspended, so MHD's
 * threads never wait on Lua or a backend.  No Lua here. */
#ifndef TINKR_SERVER_HTTP_FRONTEND_H
#define TINKR_SERVER_HTTP_FRONTEND_H

#include <stddef.h>
#include <sys/socket.h>
#include "server_metrics.h"
#include "worker_pool.h"

struct frontend;

struct frontend_options {
    struct sockaddr_storage addr;   /* where to listen */
    socklen_t addrlen;
    unsigned int threads;           /* MHD polling threads */
    unsigned int connection_limit;
    size_t max_body;                /* request bodies larger than this get 413 */
    const char *token;              /* NULL: no authentication */
};

struct frontend *frontend_start(const struct frontend_options *opt, struct worker_pool *pool,
                                struct server_metrics *metrics, char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
unsigned int frontend_port(struct frontend *fe);

/* Stops accepting connections; answers from now on carry Connection: close. */
void frontend_quiesce(struct frontend *fe);

/* Requests received and not yet fully answered. */
size_t frontend_in_flight(struct frontend *fe);

/* Stops MHD (call only once no job is queued or running) and frees. */
void frontend_stop(struct frontend *fe);

/* libmicrohttpd's version, for --version. */
const char *frontend_mhd_version(void);

#endif
