/*
 * A tap on a response body as it arrives (core.http.request's `tap`
 * option): called after each piece is stored, so that work on the body can
 * start before its last byte (map_stream.c maps search hits meanwhile).
 *
 * Only for a body stored where it will stay: an identity-encoded response
 * whose Content-Length sized the buffer once, so the bytes [0, len) never
 * move.  The tap runs on the thread running the transfer and must return
 * quickly; it must not touch the Lua state.
 */
#ifndef TINKR_HTTP_TAP_H
#define TINKR_HTTP_TAP_H

#include <stddef.h>

/* A userdata with this metatable starts with an http_tap. */
#define HTTP_TAP_MT "tinkr.http.tap"

typedef struct http_tap {
  /* body: the whole buffer (total bytes when complete); len: bytes so far. */
  void (*on_data)(struct http_tap *tap, const char *body, size_t len, size_t total);
  /* body is about to be freed: stop reading it before returning (called
   * by the transfer, or by the buffer that took the body; maybe twice). */
  void (*on_release)(struct http_tap *tap, const char *body);
} http_tap;

#endif
