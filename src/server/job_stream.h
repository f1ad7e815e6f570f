/* A response body produced while it is sent: the worker appends bytes,
 * the front end's content reader takes them.  The buffer is bounded, so a
 * slow client slows the worker down instead of growing the server's memory
 * (backpressure); a client that goes away makes the next append fail.
 *
 * The stream owns its job once the response has started: the worker and
 * the front end each hold a reference, and the last release frees both.
 * No Lua and no MHD here: the front end passes callbacks for "suspend
 * the connection" and "resume it". */
#ifndef TINKR_SERVER_JOB_STREAM_H
#define TINKR_SERVER_JOB_STREAM_H

#include <stddef.h>
#include <sys/types.h>

struct job;
struct job_stream;

/* A stream owning job, with room for about cap buffered bytes; two
 * references (worker, front end).  NULL when out of memory. */
struct job_stream *job_stream_new(struct job *job, size_t cap);

/* Appends len bytes, waiting while the buffer is full.  0, or -1 when the
 * client is gone (or out of memory): the worker should stop producing. */
int job_stream_write(struct job_stream *s, const char *data, size_t len);

/* No more bytes will come; failed ends the body with an error (the client
 * sees a truncated transfer instead of a clean end). */
void job_stream_close(struct job_stream *s, int failed);

/* The front end's side.  wake(ud) resumes a suspended reader; it is called
 * with the stream's lock held, as is suspend(ud). */
void job_stream_attach(struct job_stream *s, void (*wake)(void *), void (*suspend)(void *), void *ud);

/* Copies up to max bytes into buf: n > 0, 0 (nothing yet: the reader was
 * suspended and will be woken), -1 (clean end), -2 (ended with an error). */
ssize_t job_stream_read(struct job_stream *s, char *buf, size_t max);

/* The client is gone: wake a waiting writer, forget the callbacks. */
void job_stream_detach(struct job_stream *s);

/* Drops one reference; the last one frees the stream and its job. */
void job_stream_release(struct job_stream *s);

#endif
