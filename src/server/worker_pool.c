/* Worker threads and their bounded job queue (see worker_pool.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "worker_pool.h"

struct worker {
    struct worker_pool *pool;
    void *context;
    pthread_t thread;
    int started;
};

struct worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job **ring;          /* circular queue of capacity jobs */
    size_t capacity, head, count;
    int stopping;               /* no more submits; exit when the queue is empty */
    atomic_int aborting;        /* answer queued jobs with 503 */
    atomic_size_t busy;
    double queue_timeout_s;
    worker_run_fn run;
    size_t nworkers;
    struct worker *workers;
};

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Takes the next job, or NULL once the pool stops and the queue is empty. */
static struct job *next_job(struct worker_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->count == 0 && !pool->stopping)
        pthread_cond_wait(&pool->wake, &pool->lock);
    struct job *job = NULL;
    if (pool->count > 0) {
        job = pool->ring[pool->head];
        pool->head = (pool->head + 1) % pool->capacity;
        pool->count--;
    }
    pthread_mutex_unlock(&pool->lock);
    return job;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct worker_pool *pool = w->pool;
    struct job *job;
    while ((job = next_job(pool)) != NULL) {
        atomic_fetch_add(&pool->busy, 1);
        if (atomic_load(&pool->aborting))
            job_set_error(job, 503, "unavailable", "the server is shutting down; retry elsewhere");
        else if (monotonic_now() - job->queued_at > pool->queue_timeout_s)
            job_set_error(job, 503, "overloaded",
                          "the request waited too long for a free worker; the server is overloaded, retry later");
        else
            pool->run(w->context, job);
        atomic_fetch_sub(&pool->busy, 1);
        job->on_done(job);   /* the job belongs to the front end again */
    }
    return NULL;
}

struct worker_pool *worker_pool_start(void **contexts, size_t ncontexts, worker_run_fn run,
                                      size_t queue_capacity, double queue_timeout_s,
                                      char *err, size_t errlen)
{
    struct worker_pool *pool = calloc(1, sizeof *pool);
    if (!pool || queue_capacity == 0) {
        snprintf(err, errlen, "cannot create the worker pool (out of memory)");
        free(pool);
        return NULL;
    }
    pool->ring = calloc(queue_capacity, sizeof *pool->ring);
    pool->workers = calloc(ncontexts, sizeof *pool->workers);
    if (!pool->ring || !pool->workers) {
        snprintf(err, errlen, "cannot create the worker pool (out of memory)");
        free(pool->ring);
        free(pool->workers);
        free(pool);
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->capacity = queue_capacity;
    pool->queue_timeout_s = queue_timeout_s;
    pool->run = run;
    pool->nworkers = ncontexts;
    atomic_init(&pool->aborting, 0);
    atomic_init(&pool->busy, 0);
    for (size_t i = 0; i < ncontexts; i++) {
        struct worker *w = &pool->workers[i];
        w->pool = pool;
        w->context = contexts[i];
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start worker thread %zu: %s", i + 1, strerror(rc));
            worker_pool_stop(pool);
            return NULL;
        }
        w->started = 1;
    }
    return pool;
}

int worker_pool_submit(struct worker_pool *pool, struct job *job)
{
    int rc = -1;
    job->queued_at = monotonic_now();
    pthread_mutex_lock(&pool->lock);
    if (!pool->stopping && pool->count < pool->capacity) {
        pool->ring[(pool->head + pool->count) % pool->capacity] = job;
        pool->count++;
        pthread_cond_signal(&pool->wake);
        rc = 0;
    }
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

void worker_pool_abort(struct worker_pool *pool)
{
    atomic_store(&pool->aborting, 1);
}

void worker_pool_stop(struct worker_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < pool->nworkers; i++)
        if (pool->workers[i].started)
            pthread_join(pool->workers[i].thread, NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool->ring);
    free(pool->workers);
    free(pool);
}

size_t worker_pool_queued(struct worker_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    size_t n = pool->count;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

size_t worker_pool_busy(struct worker_pool *pool)
{
    return atomic_load(&pool->busy);
}

size_t worker_pool_size(struct worker_pool *pool)
{
    return pool->nworkers;
}
