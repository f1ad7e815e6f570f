/* The libmicrohttpd front end (see http_frontend.h).
 *
 * Life of a request handed to Lua: the first access-handler call checks
 * route, token and Content-Length and creates the job; later calls collect
 * the body; the last one suspends the connection and queues the job.  The
 * worker that answers it calls job_done, which resumes the connection; MHD
 * then calls the handler once more and the answer is queued.  The
 * connection is suspended before the job is queued, so a fast worker cannot
 * resume it too early.
 *
 * A streamed answer (job_stream.h) resumes the connection when the worker
 * starts it; the body is then read from the stream by a content reader
 * that suspends the connection while the stream is empty.  The stream owns
 * the job from then on (the worker may still run after the client left). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "http_frontend.h"
#include "request_check.h"
#include "job_stream.h"

enum request_state { COLLECTING, QUEUED };

/* What the front end answers itself; ROUTE_JOB goes to a Lua worker. */
enum route_kind { ROUTE_JOB, ROUTE_HEALTHZ, ROUTE_METRICS, ROUTE_UNAUTHORIZED, ROUTE_TOO_LARGE,
                  ROUTE_NOT_ALLOWED, ROUTE_BAD_TEXT, ROUTE_NO_MEMORY };

struct request {
    struct frontend *fe;
    struct MHD_Connection *connection;
    struct job *job;            /* ROUTE_JOB only */
    enum route_kind kind;
    const char *label;          /* metrics route label of the front end's own routes */
    enum request_state state;
    int answered;               /* a response is queued: later calls only drain the body */
    int body_too_large;
    size_t dropped;             /* body bytes read and dropped (a refused request's) */
    int seen;                   /* the access handler has been called */
    int encoded_nul;            /* the raw request target has a %00 */
    const char *bad_text;       /* ROUTE_BAD_TEXT: why */
    double started;
};

struct frontend {
    struct MHD_Daemon *daemon;
    struct worker_pool *pool;
    struct server_metrics *metrics;
    size_t max_body;
    size_t drain_max;           /* most body bytes read and dropped before a refusal */
    char *token;
    size_t token_len;
    atomic_int draining;
    atomic_size_t in_flight;
    atomic_ullong next_id;
    MHD_socket quiesced_socket;
    /* Fixed answers, created once and shared by every connection. */
    struct MHD_Response *healthz, *healthz_closing;
    struct MHD_Response *unauthorized, *unauthorized_closing;
};

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char json_type[] = "application/json";

static struct MHD_Response *static_response(const char *body, int closing, const char *auth_challenge)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, json_type);
    if (closing)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (auth_challenge)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, auth_challenge);
    return r;
}

static void record(struct frontend *fe, struct request *rq, const char *route, int status)
{
    rq->answered = 1;
    server_metrics_request(fe->metrics, route, status, monotonic_now() - rq->started);
}

static enum MHD_Result queue_shared(struct request *rq, struct MHD_Connection *c, const char *route,
                                    int status, struct MHD_Response *normal, struct MHD_Response *closing)
{
    struct frontend *fe = rq->fe;
    record(fe, rq, route, status);
    return MHD_queue_response(c, (unsigned)status, atomic_load(&fe->draining) ? closing : normal);
}

/* Queues body (malloc'd; ownership passes to MHD, or it is freed here). */
static enum MHD_Result queue_owned(struct request *rq, struct MHD_Connection *c, const char *route,
                                   int status, char *body, size_t len, const char *content_type,
                                   const char *allow)
{
    struct frontend *fe = rq->fe;
    struct MHD_Response *r = body
        ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
        : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;   /* MHD closes the connection */
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (allow && *allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);   /* RFC 9110: every 405 has one */
    if (atomic_load(&fe->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    record(fe, rq, route, status);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result queue_error(struct request *rq, struct MHD_Connection *c, const char *route,
                                   int status, const char *code, const char *message)
{
    size_t len = 0;
    char *body = json_error_body(code, message, &len);
    return queue_owned(rq, c, route, body ? status : 500, body, len, json_type,
                       status == 405 ? "GET, HEAD" : NULL);
}

/* Compares the Authorization header with "Bearer <token>" in time that does
 * not depend on where they differ. */
static int authorized(const struct frontend *fe, struct MHD_Connection *c)
{
    if (!fe->token)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    const char *given = h + 7;
    while (*given == ' ')
        given++;
    size_t glen = strlen(given);
    unsigned char diff = glen != fe->token_len;
    for (size_t i = 0; i < fe->token_len; i++)
        diff |= (unsigned char)(fe->token[i] ^ given[i < glen ? i : glen]);
    return diff == 0;
}

struct arg_collector {
    struct job *job;
    int failed;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct arg_collector *ac = cls;
    if (job_add_arg(ac->job, key ? key : "", value) != 0) {
        ac->failed = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result serve_metrics(struct request *rq, struct MHD_Connection *c)
{
    struct frontend *fe = rq->fe;
    struct server_gauges g = {
        .in_flight = atomic_load(&fe->in_flight),
        .queued = worker_pool_queued(fe->pool),
        .workers = worker_pool_size(fe->pool),
        .workers_busy = worker_pool_busy(fe->pool),
    };
    size_t len = 0;
    char *text = server_metrics_render(fe->metrics, &g, &len);
    if (!text)
        return queue_error(rq, c, "/metrics", 500, "internal", "out of memory rendering metrics");
    return queue_owned(rq, c, "/metrics", 200, text, len, "text/plain; version=0.0.4; charset=utf-8", NULL);
}

/* Called by a worker thread once the job's response is set.  For a
 * streamed answer the connection was resumed at its start: the end of the
 * stream is the worker's last touch. */
static void job_done(struct job *job)
{
    struct job_stream *s = job->stream;
    if (s) {
        job_stream_close(s, job->status >= 400);
        job_stream_release(s);
        return;
    }
    struct request *rq = job->owner;
    MHD_resume_connection(rq->connection);   /* last touch: MHD owns rq again */
}

/* Called by a worker thread when it starts a streamed answer. */
static void job_stream_started(struct job *job)
{
    struct request *rq = job->owner;
    MHD_resume_connection(rq->connection);
}

static void resume_cb(void *ud) { MHD_resume_connection(ud); }
static void suspend_cb(void *ud) { MHD_suspend_connection(ud); }

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    ssize_t n = job_stream_read(cls, buf, max);
    if (n == -1)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n == -2)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

/* Headers of a streamed answer; the body comes through stream_reader.
 * Chunked (HTTP/1.1): the size is not known in advance. */
static enum MHD_Result answer_stream(struct request *rq, struct MHD_Connection *c)
{
    struct job *job = rq->job;
    struct job_stream *s = job->stream;
    job_stream_attach(s, resume_cb, suspend_cb, c);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_reader, s, NULL);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, job->content_type[0] ? job->content_type : json_type);
    if (atomic_load(&rq->fe->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    record(rq->fe, rq, job->route[0] ? job->route : "other", job->status ? job->status : 200);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)(job->status ? job->status : 200), r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer_job(struct request *rq, struct MHD_Connection *c)
{
    struct job *job = rq->job;
    struct frontend *fe = rq->fe;
    if (job->stream)
        return answer_stream(rq, c);
    server_metrics_backend_error(fe->metrics, job->backend_error);
    server_metrics_script_abort(fe->metrics, job->script_abort);
    size_t len;
    int status = job->status ? job->status : 500;
    char *body = job_take_response(job, &len);
    return queue_owned(rq, c, job->route[0] ? job->route : "other", status, body, len, json_type,
                       status == 405 ? job->allow : NULL);
}

static enum MHD_Result start_job(struct request *rq, struct MHD_Connection *c)
{
    struct frontend *fe = rq->fe;
    if (rq->body_too_large) {
        char msg[160];
        snprintf(msg, sizeof msg, "request body over the server's limit of %zu bytes", fe->max_body);
        return queue_error(rq, c, "other", 413, "too_large", msg);
    }
    rq->state = QUEUED;
    rq->job->owner = rq;
    rq->job->on_done = job_done;
    rq->job->on_stream_start = job_stream_started;
    MHD_suspend_connection(c);
    if (worker_pool_submit(fe->pool, rq->job) != 0) {
        job_set_error(rq->job, 503, "overloaded", "too many requests are waiting; retry later");
        snprintf(rq->job->route, sizeof rq->job->route, "other");
        MHD_resume_connection(c);
    }
    return MHD_YES;
}

static enum MHD_Result answer_itself(struct request *rq, struct MHD_Connection *c)
{
    struct frontend *fe = rq->fe;
    char msg[160];
    switch (rq->kind) {
    case ROUTE_HEALTHZ:
        return queue_shared(rq, c, "/healthz", 200, fe->healthz, fe->healthz_closing);
    case ROUTE_METRICS:
        return serve_metrics(rq, c);
    case ROUTE_UNAUTHORIZED:
        return queue_shared(rq, c, "other", 401, fe->unauthorized, fe->unauthorized_closing);
    case ROUTE_TOO_LARGE:
        snprintf(msg, sizeof msg, "request body over the server's limit of %zu bytes", fe->max_body);
        return queue_error(rq, c, "other", 413, "too_large", msg);
    case ROUTE_NOT_ALLOWED:
        return queue_error(rq, c, rq->label, 405, "method_not_allowed", "use GET");
    case ROUTE_BAD_TEXT:
        return queue_error(rq, c, "other", 400, "bad_request", rq->bad_text);
    case ROUTE_NO_MEMORY:
    case ROUTE_JOB:
        break;
    }
    return queue_error(rq, c, "other", 500, "internal", "out of memory");
}

/* Whether a request the front end refuses is answered before its body.
 * Answered early, MHD stops reading and closes the connection with the body
 * unread, and the kernel then resets it: a client still sending may see
 * the reset before it reads the answer (RFC 9112, 9.6).  So the body is
 * read and dropped (up to drain_max) and the answer follows it, on a
 * connection that stays open.  A client waiting for "100 Continue" sends
 * nothing yet, so it is answered at once, as is one that announces more
 * than the server is willing to drop. */
static int answer_before_body(const struct frontend *fe, struct MHD_Connection *c, const char *length)
{
    const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    if (expect && strcasecmp(expect, "100-continue") == 0)
        return 1;
    return length && strtoull(length, NULL, 10) > fe->drain_max;
}

/* Headers are in: decide who answers.  A refusal waits for the end of the
 * request (see answer_before_body), so the connection stays open for the
 * next one. */
static enum MHD_Result first_call(struct frontend *fe, struct request *rq, struct MHD_Connection *c,
                                  const char *url, const char *method)
{
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int has_body = (length && strcmp(length, "0") != 0) ||
                   MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    int answer_now = has_body && answer_before_body(fe, c, length);

    if (rq->encoded_nul) {
        /* Any NUL would cut a name or value short in C: refuse them all. */
        rq->kind = ROUTE_BAD_TEXT;
        rq->bad_text = "the request target contains %00 (a NUL byte), which no path or parameter may hold";
        return answer_now ? answer_itself(rq, c) : MHD_YES;
    }
    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0) {
        rq->label = url[1] == 'h' ? "/healthz" : "/metrics";
        rq->kind = url[1] == 'h' ? ROUTE_HEALTHZ : ROUTE_METRICS;
    }
    if (rq->kind != ROUTE_HEALTHZ && !authorized(fe, c))
        rq->kind = ROUTE_UNAUTHORIZED;
    else if (length && strtoull(length, NULL, 10) > fe->max_body)
        rq->kind = ROUTE_TOO_LARGE;
    else if (rq->kind != ROUTE_JOB && !is_get)
        rq->kind = ROUTE_NOT_ALLOWED;
    if (rq->kind != ROUTE_JOB)
        return answer_now ? answer_itself(rq, c) : MHD_YES;

    rq->job = job_new(method, url);
    if (!rq->job) {
        rq->kind = ROUTE_NO_MEMORY;
        return answer_itself(rq, c);
    }
    rq->job->id = atomic_fetch_add(&fe->next_id, 1) + 1;
    struct arg_collector ac = { rq->job, 0 };
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &ac);
    if (ac.failed) {
        rq->kind = ROUTE_NO_MEMORY;
        return answer_itself(rq, c);
    }
    rq->bad_text = request_text_problem(rq->job->path, rq->job->nargs, rq->job->arg_names, rq->job->arg_values);
    if (rq->bad_text) {
        rq->kind = ROUTE_BAD_TEXT;
        return answer_now ? answer_itself(rq, c) : MHD_YES;
    }
    return MHD_YES;   /* wait for the body (or its absence) */
}

static struct request *new_request(struct frontend *fe, struct MHD_Connection *c, const char *raw_target)
{
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->fe = fe;
    rq->connection = c;
    rq->started = monotonic_now();
    rq->kind = ROUTE_JOB;
    rq->encoded_nul = raw_target && request_has_encoded_nul(raw_target);
    return rq;
}

/* MHD's URI log callback: the request target before percent-decoding
 * (the only place a %00 can still be seen); its result is the request's
 * context. */
static void *on_request_target(void *cls, const char *uri, struct MHD_Connection *c)
{
    return new_request(cls, c, uri);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct frontend *fe = cls;
    struct request *rq = *con_cls;
    if (!rq) {
        rq = new_request(fe, c, NULL);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
    }
    if (!rq->seen) {
        rq->seen = 1;
        atomic_fetch_add(&fe->in_flight, 1);
        return first_call(fe, rq, c, url, method);
    }
    if (rq->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->state == QUEUED)
        return answer_job(rq, c);       /* resumed by job_done */
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->kind == ROUTE_JOB && !rq->body_too_large) {
            if (rq->job->body_len + n > fe->max_body) {
                rq->body_too_large = 1;   /* keep reading, drop the bytes, answer 413 */
                rq->dropped = rq->job->body_len;
                free(rq->job->body);
                rq->job->body = NULL;
                rq->job->body_len = 0;
            } else if (job_append_body(rq->job, upload_data, n) != 0) {
                return MHD_NO;
            }
        }
        if (rq->kind != ROUTE_JOB || rq->body_too_large) {
            /* A refusal's body: dropped, up to drain_max.  Past that MHD
             * can no longer queue an answer mid-body, so the connection
             * is closed. */
            rq->dropped += n;
            if (rq->dropped > fe->drain_max)
                return MHD_NO;
        }
        return MHD_YES;
    }
    if (rq->kind != ROUTE_JOB)
        return answer_itself(rq, c);
    return start_job(rq, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    struct frontend *fe = cls;
    struct request *rq = *con_cls;
    if (!rq)
        return;
    if (rq->job && rq->job->stream) {
        /* The worker may still be producing: it frees the job if last. */
        struct job_stream *st = rq->job->stream;
        job_stream_detach(st);
        job_stream_release(st);
    } else {
        job_free(rq->job);
    }
    if (rq->seen)
        atomic_fetch_sub(&fe->in_flight, 1);
    free(rq);
    *con_cls = NULL;
}

static void free_frontend(struct frontend *fe)
{
    if (fe->healthz) MHD_destroy_response(fe->healthz);
    if (fe->healthz_closing) MHD_destroy_response(fe->healthz_closing);
    if (fe->unauthorized) MHD_destroy_response(fe->unauthorized);
    if (fe->unauthorized_closing) MHD_destroy_response(fe->unauthorized_closing);
    free(fe->token);
    free(fe);
}

static const char healthz_body[] = "{\"status\":\"ok\"}";
static const char unauthorized_body[] =
    "{\"error\":{\"code\":\"unauthorized\",\"message\":"
    "\"missing or wrong token: send the header Authorization: Bearer <token> (TINKR_SERVER_TOKEN)\"}}";
static const char bearer_challenge[] = "Bearer realm=\"tinkr\"";

struct frontend *frontend_start(const struct frontend_options *opt, struct worker_pool *pool,
                                struct server_metrics *metrics, char *err, size_t errlen)
{
    struct frontend *fe = calloc(1, sizeof *fe);
    if (!fe) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    fe->pool = pool;
    fe->metrics = metrics;
    fe->max_body = opt->max_body;
    /* A client that overshoots the limit a few times over still gets its
     * answer; dropping costs reading, never memory. */
    fe->drain_max = opt->max_body > SIZE_MAX / 4 ? SIZE_MAX : opt->max_body * 4;
    fe->quiesced_socket = MHD_INVALID_SOCKET;
    atomic_init(&fe->draining, 0);
    atomic_init(&fe->in_flight, 0);
    atomic_init(&fe->next_id, 0);
    if (opt->token) {
        fe->token = strdup(opt->token);
        fe->token_len = strlen(opt->token);
    }
    fe->healthz = static_response(healthz_body, 0, NULL);
    fe->healthz_closing = static_response(healthz_body, 1, NULL);
    fe->unauthorized = static_response(unauthorized_body, 0, bearer_challenge);
    fe->unauthorized_closing = static_response(unauthorized_body, 1, bearer_challenge);
    if ((opt->token && !fe->token) || !fe->healthz || !fe->healthz_closing || !fe->unauthorized ||
        !fe->unauthorized_closing) {
        snprintf(err, errlen, "out of memory");
        free_frontend(fe);
        return NULL;
    }

    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (opt->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    fe->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, fe,
                                  MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&opt->addr,
                                  MHD_OPTION_THREAD_POOL_SIZE, opt->threads,
                                  MHD_OPTION_CONNECTION_LIMIT, opt->connection_limit,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
                                  MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, fe,
                                  MHD_OPTION_URI_LOG_CALLBACK, on_request_target, fe,
                                  MHD_OPTION_END);
    if (!fe->daemon) {
        snprintf(err, errlen, "cannot listen (address in use, or not a local address?)");
        free_frontend(fe);
        return NULL;
    }
    return fe;
}

unsigned int frontend_port(struct frontend *fe)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(fe->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void frontend_quiesce(struct frontend *fe)
{
    atomic_store(&fe->draining, 1);
    fe->quiesced_socket = MHD_quiesce_daemon(fe->daemon);
    /* MHD no longer accepts, but the socket still listens, so the kernel
     * would queue new connections that nobody answers.  Shutting it down
     * makes them fail at once (refused); it is closed after MHD stops. */
    if (fe->quiesced_socket != MHD_INVALID_SOCKET)
        shutdown(fe->quiesced_socket, SHUT_RDWR);
}

size_t frontend_in_flight(struct frontend *fe)
{
    return atomic_load(&fe->in_flight);
}

void frontend_stop(struct frontend *fe)
{
    if (!fe)
        return;
    MHD_stop_daemon(fe->daemon);
    if (fe->quiesced_socket != MHD_INVALID_SOCKET)
        close(fe->quiesced_socket);   /* only after the daemon's threads are gone */
    free_frontend(fe);
}

const char *frontend_mhd_version(void)
{
    return MHD_get_version();
}
