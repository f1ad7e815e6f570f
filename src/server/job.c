/* Requests and responses passed between the front end and the workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "job.h"

static char *copy_string(const char *s)
{
    return s ? strdup(s) : NULL;
}

struct job *job_new(const char *method, const char *path)
{
    struct job *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->method = copy_string(method);
    job->path = copy_string(path);
    if (!job->method || !job->path) {
        job_free(job);
        return NULL;
    }
    return job;
}

int job_add_arg(struct job *job, const char *name, const char *value)
{
    size_t n = job->nargs + 1;
    char **names = realloc(job->arg_names, n * sizeof *names);
    if (!names)
        return -1;
    job->arg_names = names;
    char **values = realloc(job->arg_values, n * sizeof *values);
    if (!values)
        return -1;
    job->arg_values = values;
    char *name_copy = copy_string(name);
    char *value_copy = copy_string(value);
    if (!name_copy || (value && !value_copy)) {
        free(name_copy);
        free(value_copy);
        return -1;
    }
    names[job->nargs] = name_copy;
    values[job->nargs] = value_copy;
    job->nargs = n;
    return 0;
}

int job_append_body(struct job *job, const char *data, size_t len)
{
    char *grown = realloc(job->body, job->body_len + len + 1);
    if (!grown)
        return -1;
    memcpy(grown + job->body_len, data, len);
    job->body_len += len;
    grown[job->body_len] = '\0';
    job->body = grown;
    return 0;
}

/* JSON-escapes s into dst (at most cap bytes including the NUL; longer
 * text is cut); returns the length written. */
static size_t json_escape(char *dst, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[7];
        size_t elen = 1;
        esc[0] = (char)c;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (n + elen >= cap)
            break;
        memcpy(dst + n, esc, elen);
        n += elen;
    }
    dst[n] = '\0';
    return n;
}

static const char out_of_memory_body[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"the server is out of memory\"}}";

char *json_error_body(const char *code, const char *message, size_t *len)
{
    char ecode[64], emsg[512];
    json_escape(ecode, sizeof ecode, code);
    json_escape(emsg, sizeof emsg, message);
    size_t cap = strlen(ecode) + strlen(emsg) + 48;
    char *body = malloc(cap);
    if (!body)
        return NULL;
    int n = snprintf(body, cap, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", ecode, emsg);
    *len = n > 0 ? (size_t)n : 0;
    return body;
}

void job_set_error(struct job *job, int status, const char *code, const char *message)
{
    free(job->response);
    job->status = status;
    job->response = json_error_body(code, message, &job->response_len);
    if (!job->response) {
        job->status = 500;
        job->response = strdup(out_of_memory_body);
        job->response_len = job->response ? strlen(job->response) : 0;
    }
}

char *job_take_response(struct job *job, size_t *len)
{
    char *r = job->response;
    *len = job->response_len;
    job->response = NULL;
    job->response_len = 0;
    return r;
}

void job_free(struct job *job)
{
    if (!job)
        return;
    for (size_t i = 0; i < job->nargs; i++) {
        free(job->arg_names[i]);
        free(job->arg_values[i]);
    }
    free(job->arg_names);
    free(job->arg_values);
    free(job->method);
    free(job->path);
    free(job->body);
    free(job->response);
    free(job);
}
