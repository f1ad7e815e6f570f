/* Checking and cleaning request URLs before they reach curl: only
 * http/https, a clear message for a missing scheme, and user:password
 * taken out of the URL so it never shows up in a message.  No Lua here. */
#ifndef TINKR_HTTP_URL_H
#define TINKR_HTTP_URL_H

#include <stddef.h>

typedef struct {
  char *safe_url; /* normalised by curl, credentials removed */
  char *host;
  char *port;     /* as written in the URL; NULL when it has none */
  char *path;     /* as sent (percent-encoded) */
  char *query;    /* as sent, without '?'; NULL when there is none */
  char *user;     /* URL-decoded; NULL when the URL has none */
  char *password; /* URL-decoded; NULL when the URL has none */
} http_url;

typedef enum { HTTP_URL_OK, HTTP_URL_BAD, HTTP_URL_NOMEM } http_url_status;

/* Parses url[0..len).  On HTTP_URL_BAD, *message is a malloc'd one-line
 * explanation and *display the URL with credentials removed (both may be
 * NULL if memory ran out).  On HTTP_URL_OK, out is filled; free it with
 * http_url_free. */
http_url_status http_url_parse(const char *url, size_t len, http_url *out,
                               char **message, char **display);

void http_url_free(http_url *u);

/* Textual best effort for URLs curl could not parse: drops everything up
 * to the last '@' of the authority.  Returns malloc'd text or NULL. */
char *http_url_redact_text(const char *url, size_t len);

#endif
