/* One HTTP request handed from the front end (http_frontend.c) to a Lua
 * worker (worker_pool.c, l_server.c), and the answer coming back.
 *
 * The front end owns a job from creation to job_free; a worker only fills
 * in the response fields and then calls on_done, after which it must not
 * touch the job again.  No Lua and no MHD here. */
#ifndef TINKR_SERVER_JOB_H
#define TINKR_SERVER_JOB_H

#include <stddef.h>

#define JOB_LABEL_MAX 48

struct job {
    /* The request (strings are NUL-terminated copies). */
    char *method;
    char *path;                 /* percent-decoded, without the query */
    size_t nargs;
    char **arg_names;
    char **arg_values;          /* an entry is NULL for "?flag" without '=' */
    char *body;                 /* NULL when there is none */
    size_t body_len;
    unsigned long long id;      /* for log lines and error messages */
    double queued_at;           /* monotonic seconds, set by the pool */

    /* The response, filled in by the worker. */
    int status;
    char *response;             /* malloc'd JSON text, owned by the job */
    size_t response_len;
    char route[JOB_LABEL_MAX];          /* metrics label, e.g. "/v1/logs" */
    char backend_error[JOB_LABEL_MAX];  /* "opensearch:connect" or "" */
    char script_abort[JOB_LABEL_MAX];   /* "instructions" | "time" | "memory" or "" */
    char allow[JOB_LABEL_MAX];          /* a 405's Allow header, e.g. "GET, HEAD", or "" */

    /* Called by the worker once the response is set. */
    void (*on_done)(struct job *job);
    void *owner;

    /* A streamed response (job_stream.h): the worker sets stream, status
     * and content_type, then calls on_stream_start, which has the front end
     * send headers and read the body from the stream.  From then on the
     * stream owns the job; on_done still comes when the worker is done. */
    struct job_stream *stream;
    char content_type[JOB_LABEL_MAX];
    void (*on_stream_start)(struct job *job);
};

/* A job for method + path, or NULL when out of memory. */
struct job *job_new(const char *method, const char *path);

/* Adds one query-string argument (value may be NULL); -1 when out of memory. */
int job_add_arg(struct job *job, const char *name, const char *value);

/* Appends request body bytes; -1 when out of memory. */
int job_append_body(struct job *job, const char *data, size_t len);

/* Sets the response to {"error":{"code":code,"message":message}}.  The
 * strings are escaped here.  Never fails: out of memory leaves status
 * 500 with a fixed body (or, at worst, none). */
void job_set_error(struct job *job, int status, const char *code, const char *message);

/* A malloc'd {"error":{"code":...,"message":...}} (escaped here), or NULL
 * when out of memory. */
char *json_error_body(const char *code, const char *message, size_t *len);

/* Takes the response body out of the job (the caller frees it with free()). */
char *job_take_response(struct job *job, size_t *len);

void job_free(struct job *job);

#endif
