/*
 * A response body handed to Lua without copying it into a string: a
 * request with response_body = "buffer" gets, for a 2xx answer, res.body as
 * this userdata (#res.body is its length, res.body:text() a string copy).
 * map.rows and map.ndjson read it in place (and map.ndjson's lines are
 * handed over the same way, l_map_lines.c): a 10,000-hit search is 7.7 MB,
 * and copying it costs more than a millisecond of a run that is otherwise
 * waiting for nothing but the map.
 */
#ifndef TINKR_HTTP_BUFFER_H
#define TINKR_HTTP_BUFFER_H

#include <stddef.h>

#include <lua.h>

#define HTTP_BUFFER_MT "tinkr.http.buffer"

/* A buffer's bytes are not the Lua allocator's, so they escape a memory
 * cap: a state whose memory is capped (tinkr-server's workers) sets this
 * registry field to true, and during a sandboxed call (budget.h) bodies
 * are strings too, as they are charged to the budget. */
#define HTTP_BUFFER_OFF "tinkr.http.no_buffers"

struct http_tap;

typedef struct {
  char *p;          /* freed with huge_pages_realloc(p, cap, 0) */
  size_t len, cap;
  struct http_tap *tap;  /* still reading p, or NULL: told before p is freed
                            (the userdata's user value keeps it alive) */
} http_buffer;

/* Whether bytes outside the Lua allocator may be handed to L now (not in a
 * capped state, not in a sandboxed call): else strings are. */
int http_buffers_allowed(lua_State *L);

/* Pushes a buffer that owns body (NULL: empty). */
void http_buffer_push(lua_State *L, char *body, size_t len, size_t cap);

/* The bytes of the string or buffer at idx; raises otherwise. */
const char *http_buffer_or_string(lua_State *L, int idx, size_t *len);

#endif
