/* Bounded producer/consumer buffer for streamed responses (job_stream.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "job.h"
#include "job_stream.h"

struct chunk {
    struct chunk *next;
    size_t len, off;
    char data[];
};

struct job_stream {
    pthread_mutex_t mu;
    pthread_cond_t room;
    struct chunk *head, *tail;
    size_t bytes, cap;
    int closed, failed, gone, suspended, refs;
    void (*wake)(void *);
    void (*suspend)(void *);
    void *ud;
    struct job *job;
};

/* Appends are cut into pieces so one large write cannot overshoot the cap
 * by more than a piece. */
#define PIECE (256 * 1024)

struct job_stream *job_stream_new(struct job *job, size_t cap)
{
    struct job_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->room, NULL);
    s->cap = cap;
    s->refs = 2;
    s->job = job;
    return s;
}

/* With the lock held: a suspended reader has something to do. */
static void wake_reader(struct job_stream *s)
{
    if (s->suspended && s->wake) {
        s->suspended = 0;
        s->wake(s->ud);
    }
}

int job_stream_write(struct job_stream *s, const char *data, size_t len)
{
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    while (len > 0 && rc == 0) {
        while (s->bytes >= s->cap && !s->gone)
            pthread_cond_wait(&s->room, &s->mu);
        if (s->gone) {
            rc = -1;
            break;
        }
        size_t n = len < PIECE ? len : PIECE;
        struct chunk *c = malloc(sizeof *c + n);
        if (!c) {
            rc = -1;
            break;
        }
        c->next = NULL;
        c->len = n;
        c->off = 0;
        memcpy(c->data, data, n);
        if (s->tail)
            s->tail->next = c;
        else
            s->head = c;
        s->tail = c;
        s->bytes += n;
        data += n;
        len -= n;
        wake_reader(s);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void job_stream_close(struct job_stream *s, int failed)
{
    pthread_mutex_lock(&s->mu);
    s->closed = 1;
    s->failed = s->failed || failed;
    wake_reader(s);
    pthread_mutex_unlock(&s->mu);
}

void job_stream_attach(struct job_stream *s, void (*wake)(void *), void (*suspend)(void *), void *ud)
{
    pthread_mutex_lock(&s->mu);
    s->wake = wake;
    s->suspend = suspend;
    s->ud = ud;
    pthread_mutex_unlock(&s->mu);
}

ssize_t job_stream_read(struct job_stream *s, char *buf, size_t max)
{
    ssize_t n = 0;
    pthread_mutex_lock(&s->mu);
    while (s->head && (size_t)n < max) {
        struct chunk *c = s->head;
        size_t take = c->len - c->off;
        if (take > max - (size_t)n)
            take = max - (size_t)n;
        memcpy(buf + n, c->data + c->off, take);
        c->off += take;
        n += (ssize_t)take;
        s->bytes -= take;
        if (c->off == c->len) {
            s->head = c->next;
            if (!s->head)
                s->tail = NULL;
            free(c);
        }
    }
    if (n > 0) {
        pthread_cond_signal(&s->room);
    } else if (s->closed) {
        n = s->failed ? -2 : -1;
    } else if (s->suspend) {
        s->suspended = 1;
        s->suspend(s->ud);
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

void job_stream_detach(struct job_stream *s)
{
    pthread_mutex_lock(&s->mu);
    s->gone = 1;
    s->wake = NULL;
    s->suspend = NULL;
    s->ud = NULL;
    pthread_cond_broadcast(&s->room);
    pthread_mutex_unlock(&s->mu);
}

void job_stream_release(struct job_stream *s)
{
    pthread_mutex_lock(&s->mu);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (!last)
        return;
    while (s->head) {
        struct chunk *c = s->head;
        s->head = c->next;
        free(c);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->room);
    struct job *job = s->job;
    free(s);
    if (job) {
        job->stream = NULL;
        job_free(job);
    }
}
