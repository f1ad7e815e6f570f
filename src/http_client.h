/* HTTP over libcurl for tinkr.core.http (the Lua side is l_http.c).
 *
 * A client is one curl multi handle plus a pool of idle easy handles; it
 * belongs to one lua_State, so connections (and DNS answers) are reused
 * between requests of that state.  Transfers are added to groups: a group
 * collects the finished transfers of one request, one request_many call or
 * one multi() object.  Waiting on a group drives every transfer of the
 * client, and each finished one is filed with its own group.
 *
 * No Lua here; nothing is thread-safe (one client per thread). */
#ifndef TINKR_HTTP_CLIENT_H
#define TINKR_HTTP_CLIENT_H

#include <stddef.h>

typedef struct http_client http_client;
typedef struct http_group http_group;

typedef struct {
  const char *name;  /* checked with http_header_name_ok */
  const char *value; /* checked with http_header_value_ok */
  size_t value_len;
} http_header_field;

typedef struct {
  const char *url;
  size_t url_len;
  const char *method; /* upper case; NULL: GET, or POST when has_body */
  const http_header_field *headers;
  size_t nheaders;
  const char *body;
  size_t body_len;
  int has_body;
  double timeout_s;         /* > 0, whole transfer */
  double connect_timeout_s; /* > 0 */
  size_t max_body;          /* decoded bytes */
  int insecure;
  const char *cafile; /* NULL: the system CA store */
  /* Client certificate and key files (PEM) for mutual TLS; NULL: none. */
  const char *client_cert;
  const char *client_key;
  /* Basic auth, or with aws_sigv4 the access key id and secret key;
   * they win over user:password in the URL.  NULL: none. */
  const char *username;
  const char *password;
  /* "aws:amz:REGION:SERVICE": sign with AWS SigV4 (http_sign.c). */
  const char *aws_sigv4;
  /* A 2xx body is to be taken (http_group_take_body), not copied. */
  int body_as_buffer;
  /* Told of the body as it arrives (http_tap.h); must outlive the
   * transfer.  NULL: none. */
  struct http_tap *tap;
} http_request;

typedef struct {
  char *name; /* lower case */
  char *value; /* repeated headers joined with ", " */
} http_header;

typedef struct {
  const char *code; /* NULL on success, else "connect", "dns", "timeout", ... */
  /* success */
  long status;
  const char *body;
  size_t body_len;
  const http_header *headers;
  size_t nheaders;
  int body_as_buffer;   /* as asked in the request */
  /* failure */
  const char *message; /* one line, credentials removed */
  const char *url;     /* credentials removed */
  int sent;            /* the connection was made: the server may have acted */
} http_result;

/* A header name is an RFC 9110 token; a value has no CR, LF or NUL. */
int http_header_name_ok(const char *name, size_t len);
int http_header_value_ok(const char *value, size_t len);

http_client *http_client_new(void); /* NULL when out of memory */
void http_client_release(http_client *c);

/* max_active bounds the group's transfers running at once (0: no bound). */
http_group *http_group_new(http_client *c, size_t max_active);
/* Aborts the group's unfinished transfers and frees everything. */
void http_group_free(http_group *g);

/* Queues a transfer; copies all it needs from req.  Returns its id (1, 2,
 * ... per group) or 0 when out of memory.  Setup failures such as a bad
 * URL become finished transfers that the next wait reports. */
long long http_group_add(http_group *g, const http_request *req);

/* Transfers added and not yet dropped after being reported. */
size_t http_group_unreported(const http_group *g);

/* Runs transfers until one of g's has finished, none of g's is running, or
 * timeout_ms passes (timeout_ms < 0: no limit).  Ctrl-C (interrupt.h)
 * finishes every running transfer of the client with code "interrupted". */
void http_group_wait(http_group *g, long timeout_ms);

/* The oldest finished transfer of g, or NULL; valid until dropped. */
const http_result *http_group_peek_done(http_group *g, long long *id);
void http_group_drop_done(http_group *g);

/* Hands the body of the oldest finished transfer of g to the caller, who
 * frees it with huge_pages_realloc(body, *cap, 0); its result's body is
 * then empty.  NULL when it has none. */
char *http_group_take_body(http_group *g, size_t *cap);

#endif
