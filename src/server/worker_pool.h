/* A fixed set of worker threads, each with its own context (a Lua state,
 * but the pool does not know that), fed from one bounded queue of jobs.
 *
 * The front end never blocks on the pool: submit either queues or refuses
 * at once.  A job that waited longer than the queue timeout, or that is
 * still queued when the pool is aborted, is answered with 503 without
 * running.  No Lua here. */
#ifndef TINKR_SERVER_WORKER_POOL_H
#define TINKR_SERVER_WORKER_POOL_H

#include <stddef.h>
#include "job.h"

struct worker_pool;

/* Runs one job in one worker's context; fills in the job's response. */
typedef void (*worker_run_fn)(void *context, struct job *job);

/* Starts one thread per context.  NULL (with a message in err) on failure. */
struct worker_pool *worker_pool_start(void **contexts, size_t ncontexts, worker_run_fn run,
                                      size_t queue_capacity, double queue_timeout_s,
                                      char *err, size_t errlen);

/* Queues a job; 0 on success, -1 when the queue is full or the pool is
 * stopping (the caller answers the request itself). */
int worker_pool_submit(struct worker_pool *pool, struct job *job);

/* From now on, queued jobs are answered with 503 instead of being run. */
void worker_pool_abort(struct worker_pool *pool);

/* Lets the workers finish the queue, joins them and frees the pool.  The
 * contexts are the caller's to free afterwards. */
void worker_pool_stop(struct worker_pool *pool);

size_t worker_pool_queued(struct worker_pool *pool);
size_t worker_pool_busy(struct worker_pool *pool);
size_t worker_pool_size(struct worker_pool *pool);

#endif
