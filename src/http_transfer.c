/* One HTTP transfer: request copy, curl setup, response buffering with a
 * body cap, and turning curl's outcome into a code and a one-line message.
 * See http_transfer.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_transfer.h"
#include "http_tap.h"
#include "huge_pages.h"
#include "interrupt.h"

#define USER_AGENT "tinkr/0.1"
#define MIN_BODY_CAPACITY (16 * 1024)
/* curl reads the socket this much at a time.  libcurl's default, 16 KB,
 * takes ~470 recv() calls and write callbacks for a 10,000-hit search
 * (7.7 MB); 128 KB about 60 (the curl tool reads 100 KB).  Each easy handle
 * holds one such buffer, idle ones included. */
#define RECEIVE_BUFFER (128L * 1024)

/* ---- header checks (shared with the Lua boundary) ---- */

/* ASCII only: <ctype.h> would follow whatever locale Lua code has set. */
static int ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

int http_header_name_ok(const char *name, size_t len) {
  if (len == 0) return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!ascii_alnum(c) && (c == '\0' || !strchr("!#$%&'*+-.^_`|~", c))) return 0;
  }
  return 1;
}

int http_header_value_ok(const char *value, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0') return 0;
  return 1;
}

/* ---- building a transfer ---- */

static int has_header(const http_request *req, const char *name) {
  for (size_t i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return 1;
  return 0;
}

static int append_header(struct curl_slist **list, const char *line) {
  struct curl_slist *next = curl_slist_append(*list, line);
  if (!next) return 0;
  *list = next;
  return 1;
}

/* POST, PUT and PATCH always carry a body, if only an empty one. */
static int sends_body(const char *method, int has_body) {
  return has_body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
         strcmp(method, "PATCH") == 0;
}

/* 0, -1 when out of memory, 1 when the aws_sigv4 option is malformed. */
static int build_header_list(http_transfer *t, const http_request *req) {
  for (size_t i = 0; i < req->nheaders; i++) {
    const http_header_field *h = &req->headers[i];
    if (req->aws_sigv4 && http_sign_replaces(h->name)) continue;
    char *line = NULL;
    /* curl drops "Name:" headers; "Name;" is how it sends an empty value */
    int n = h->value_len == 0 ? asprintf(&line, "%s;", h->name)
                              : asprintf(&line, "%s: %s", h->name, h->value);
    if (n < 0) return -1;
    int ok = append_header(&t->header_list, line);
    free(line);
    if (!ok) return -1;
  }
  if (req->aws_sigv4) {
    int rc = http_sign_aws(t, req, &t->header_list);
    if (rc) return rc;
  }
  /* Without these curl adds a form Content-Type to every body and waits
   * up to a second for "100 Continue" on large bodies.  (Headers removed
   * this way are not sent, so a signature does not cover them.) */
  if (sends_body(t->method, req->has_body) && !has_header(req, "Content-Type") &&
      !append_header(&t->header_list, "Content-Type:"))
    return -1;
  if (!has_header(req, "Expect") && !append_header(&t->header_list, "Expect:")) return -1;
  return 0;
}

/* *dst = a copy of src (NULL stays NULL); 0 when out of memory. */
static int copy_optional(char **dst, const char *src) {
  *dst = src ? strdup(src) : NULL;
  return !src || *dst;
}

/* Frees a secret after overwriting it, so it does not linger in the heap. */
static void free_secret(char *s) {
  if (!s) return;
  volatile char *p = s;
  while (*p) *p++ = '\0';
  free(s);
}

http_transfer *http_transfer_new(const http_request *req) {
  http_transfer *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->content_length = -1;
  t->timeout_s = req->timeout_s;
  t->connect_timeout_s = req->connect_timeout_s;
  t->max_body = req->max_body;
  t->result.body_as_buffer = req->body_as_buffer;
  t->tap = req->tap;
  t->insecure = req->insecure;
  t->has_body = req->has_body;

  char *message = NULL, *display = NULL;
  http_url_status us = http_url_parse(req->url, req->url_len, &t->url, &message, &display);
  if (us == HTTP_URL_NOMEM) goto nomem;
  if (us == HTTP_URL_BAD) {
    t->display_url = display;
    http_transfer_set_error(t, "bad_url", message);
    return t;
  }
  t->display_url = strdup(t->url.safe_url);
  if (!t->display_url) goto nomem;

  const char *method = req->method ? req->method : (req->has_body ? "POST" : "GET");
  t->method = strdup(method);
  if (!t->method) goto nomem;
  if (req->has_body) {
    t->body = malloc(req->body_len ? req->body_len : 1);
    if (!t->body) goto nomem;
    memcpy(t->body, req->body, req->body_len);
    t->body_len = req->body_len;
  }
  if (!copy_optional(&t->cafile, req->cafile) || !copy_optional(&t->client_cert, req->client_cert) ||
      !copy_optional(&t->client_key, req->client_key) ||
      !copy_optional(&t->username, req->username) ||
      !copy_optional(&t->password, req->password) ||
      !copy_optional(&t->aws_sigv4, req->aws_sigv4))
    goto nomem;
  int rc = build_header_list(t, req);
  if (rc < 0) goto nomem;
  if (rc > 0) {
    char *text = NULL;
    if (asprintf(&text, "aws_sigv4 is not \"aws:amz:REGION:SERVICE\" (letters, digits and '-')") < 0)
      text = NULL;
    http_transfer_set_error(t, "bad_url", text);
  }
  return t;

nomem:
  http_transfer_free(t);
  return NULL;
}

/* ---- response buffering (curl callbacks) ---- */

static void clear_headers(http_transfer *t) {
  for (size_t i = 0; i < t->nheaders; i++) {
    free(t->headers[i].name);
    free(t->headers[i].value);
  }
  t->nheaders = 0;
}

static http_header *find_header(http_transfer *t, const char *name) {
  for (size_t i = 0; i < t->nheaders; i++)
    if (strcmp(t->headers[i].name, name) == 0) return &t->headers[i];
  return NULL;
}

static int append_to_value(http_header *h, const char *sep, const char *text, size_t len) {
  size_t old = strlen(h->value), seplen = strlen(sep);
  char *grown = realloc(h->value, old + seplen + len + 1);
  if (!grown) return 0;
  memcpy(grown + old, sep, seplen);
  memcpy(grown + old + seplen, text, len);
  grown[old + seplen + len] = '\0';
  h->value = grown;
  return 1;
}

static void trim(const char **s, size_t *len) {
  while (*len > 0 && (**s == ' ' || **s == '\t')) (*s)++, (*len)--;
  while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

static int add_header(http_transfer *t, const char *line, size_t len) {
  const char *colon = memchr(line, ':', len);
  if (!colon) return 1; /* not a header line; ignore */
  const char *name = line, *value = colon + 1;
  size_t name_len = (size_t)(colon - line), value_len = len - name_len - 1;
  trim(&name, &name_len);
  trim(&value, &value_len);
  char *lower = strndup(name, name_len);
  if (!lower) return 0;
  for (char *p = lower; *p; p++) *p = ascii_lower(*p);

  if (strcmp(lower, "content-encoding") == 0 &&
      !(value_len == 8 && strncasecmp(value, "identity", 8) == 0))
    t->content_encoded = 1;
  if (strcmp(lower, "content-length") == 0) {
    char digits[32];
    if (value_len > 0 && value_len < sizeof digits && strspn(value, "0123456789") >= value_len) {
      memcpy(digits, value, value_len);
      digits[value_len] = '\0';
      t->content_length = strtoll(digits, NULL, 10);
    }
  }

  http_header *same = find_header(t, lower);
  if (same) {
    free(lower);
    return append_to_value(same, ", ", value, value_len);
  }
  if (t->nheaders == t->headers_cap) {
    size_t cap = t->headers_cap ? t->headers_cap * 2 : 16;
    http_header *grown = realloc(t->headers, cap * sizeof *grown);
    if (!grown) { free(lower); return 0; }
    t->headers = grown;
    t->headers_cap = cap;
  }
  char *copy = strndup(value, value_len);
  if (!copy) { free(lower); return 0; }
  t->headers[t->nheaders].name = lower;
  t->headers[t->nheaders].value = copy;
  t->nheaders++;
  return 1;
}

/* A body announced bigger than the cap is refused before it is read. */
static int announced_too_large(http_transfer *t) {
  return t->status_line_code >= 200 && !t->content_encoded && t->content_length >= 0 &&
         strcmp(t->method, "HEAD") != 0 && (unsigned long long)t->content_length > t->max_body;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata) {
  http_transfer *t = userdata;
  size_t total = size * nitems, len = total;
  t->header_bytes += total;
  if (t->header_bytes > HTTP_MAX_HEADER_BYTES) {
    t->headers_too_large = 1;
    return 0;
  }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) len--;
  if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
    /* a new response begins (after 100 Continue): forget the last one */
    clear_headers(t);
    t->content_encoded = 0;
    t->content_length = -1;
    const char *space = memchr(buf, ' ', len);
    t->status_line_code = space ? strtol(space + 1, NULL, 10) : 0;
    return total;
  }
  if (len == 0) {
    if (announced_too_large(t)) {
      t->too_large = 1;
      return 0;
    }
    return total;
  }
  int ok;
  if ((buf[0] == ' ' || buf[0] == '\t') && t->nheaders > 0) {
    const char *text = buf;
    trim(&text, &len);
    ok = append_to_value(&t->headers[t->nheaders - 1], " ", text, len);
  } else {
    ok = add_header(t, buf, len);
  }
  if (!ok) {
    t->out_of_memory = 1;
    return 0;
  }
  return total;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
  http_transfer *t = userdata;
  size_t len = size * nmemb;
  if (len > t->max_body - t->response_len) {
    t->too_large = 1;
    return 0; /* curl aborts the transfer: nothing is buffered past the cap */
  }
  size_t need = t->response_len + len;
  if (need > t->response_cap) {
    size_t cap;
    if (t->response_cap == 0 && !t->content_encoded && t->content_length >= 0 &&
        (unsigned long long)t->content_length >= need)
      cap = (size_t)t->content_length; /* announced size: one allocation */
    else {
      cap = t->response_cap < MIN_BODY_CAPACITY ? MIN_BODY_CAPACITY : t->response_cap * 2;
      if (cap < need) cap = need;
      if (cap > t->max_body) cap = t->max_body;
    }
    char *grown = huge_pages_realloc(t->response_body, t->response_cap, cap);
    if (!grown) {
      t->out_of_memory = 1;
      return 0;
    }
    t->response_body = grown;
    t->response_cap = cap;
  }
  memcpy(t->response_body + t->response_len, data, len);
  t->response_len = need;
  /* a tap only sees a body that will not move: sized once by Content-Length */
  if (t->tap && !t->content_encoded && t->content_length >= 0 &&
      (unsigned long long)t->content_length == t->response_cap)
    t->tap->on_data(t->tap, t->response_body, t->response_len, t->response_cap);
  return len;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
  (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  http_transfer *t = userdata;
  if (tinkr_interrupt_pending()) {
    t->interrupted = 1;
    return 1;
  }
  return 0;
}

/* ---- curl setup ---- */

static long to_ms(double seconds) {
  double ms = ceil(seconds * 1000.0);
  return ms < 1 ? 1 : (long)ms;
}

static CURLcode set_method(http_transfer *t, CURL *e) {
  CURLcode rc = CURLE_OK;
  const char *m = t->method;
  if (strcmp(m, "HEAD") == 0) return curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (sends_body(m, t->has_body)) {
    /* our copy outlives the transfer, so curl need not copy it again */
    if (!rc) rc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    if (!rc) rc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body ? t->body : "");
    if (!rc && strcmp(m, "POST") != 0) rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    return rc;
  }
  if (strcmp(m, "GET") == 0) return curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  return curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
}

int http_transfer_setup(http_transfer *t, CURL *e) {
  t->easy = e;
  t->errbuf[0] = '\0';
  CURLcode rc = CURLE_OK;
#define SET(opt, val) \
  if (!rc) rc = curl_easy_setopt(e, opt, val)
  SET(CURLOPT_PRIVATE, (void *)t);
  SET(CURLOPT_URL, t->url.safe_url);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_FOLLOWLOCATION, 0L); /* a 3xx is the caller's to act on */
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_USERAGENT, USER_AGENT);
  SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can decode */
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  /* Best effort: libcurl 7.88 refuses to resize the buffer a reused
   * handle still holds (as it does after some failures); then the handle
   * reads with the buffer it has, which is only slower. */
  if (!rc) (void)curl_easy_setopt(e, CURLOPT_BUFFERSIZE, RECEIVE_BUFFER);
  SET(CURLOPT_TIMEOUT_MS, to_ms(t->timeout_s));
  SET(CURLOPT_CONNECTTIMEOUT_MS, to_ms(t->connect_timeout_s));
  SET(CURLOPT_ERRORBUFFER, t->errbuf);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, (void *)t);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_HEADERDATA, (void *)t);
  SET(CURLOPT_NOPROGRESS, 0L);
  SET(CURLOPT_XFERINFOFUNCTION, on_progress);
  SET(CURLOPT_XFERINFODATA, (void *)t);
  SET(CURLOPT_HTTPHEADER, t->header_list);
  if (t->insecure) {
    SET(CURLOPT_SSL_VERIFYPEER, 0L);
    SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (t->cafile) SET(CURLOPT_CAINFO, t->cafile);
  if (t->client_cert) SET(CURLOPT_SSLCERT, t->client_cert);
  if (t->client_key) SET(CURLOPT_SSLKEY, t->client_key);
  const char *user = t->username ? t->username : t->url.user;
  const char *password = t->username ? t->password : t->url.password;
  if (t->aws_sigv4) {
    /* signed in http_sign.c: the keys are never sent */
  } else if (user || password) {
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SET(CURLOPT_USERNAME, user ? user : "");
    SET(CURLOPT_PASSWORD, password ? password : "");
  }
#undef SET
  if (!rc) rc = set_method(t, e);
  if (rc) http_transfer_complete(t, rc);
  return (int)rc;
}

void http_transfer_complete(http_transfer *t, CURLcode rc) {
  if (rc != CURLE_OK || t->too_large || t->interrupted) {
    http_transfer_classify_failure(t, rc);
    return;
  }
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  t->result.code = NULL;
  t->result.status = status;
  t->result.body = t->response_body ? t->response_body : "";
  t->result.body_len = t->response_len;
  t->result.headers = t->headers;
  t->result.nheaders = t->nheaders;
}

void http_transfer_interrupt(http_transfer *t) {
  t->interrupted = 1;
  http_transfer_classify_failure(t, CURLE_ABORTED_BY_CALLBACK);
}

void http_transfer_free(http_transfer *t) {
  if (!t) return;
  http_url_free(&t->url);
  free(t->display_url);
  free(t->method);
  free(t->body);
  free(t->cafile);
  free(t->client_cert);
  free(t->client_key);
  free_secret(t->username);
  free_secret(t->password);
  free(t->aws_sigv4);
  curl_slist_free_all(t->header_list);
  if (t->tap && t->response_body) t->tap->on_release(t->tap, t->response_body);
  huge_pages_realloc(t->response_body, t->response_cap, 0);
  clear_headers(t);
  free(t->headers);
  free(t->message);
  free(t);
}
