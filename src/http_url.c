/* URL checks for http_client: see http_url.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http_url.h"

/* Cuts up to the last '@' before any query or fragment: a password holding
 * an unescaped '/' or '@' must not survive into a message (a path holding
 * '@' loses its host instead: safe, if not pretty). */
char *http_url_redact_text(const char *url, size_t len) {
  const char *end = url + len;
  const char *sep = memmem(url, len, "://", 3);
  const char *authority = sep ? sep + 3 : url;
  const char *auth_end = authority;
  while (auth_end < end && *auth_end != '?' && *auth_end != '#')
    auth_end++;
  const char *at = NULL;
  for (const char *p = authority; p < auth_end; p++)
    if (*p == '@') at = p;
  size_t head = (size_t)(authority - url);
  const char *tail = at ? at + 1 : authority;
  size_t tail_len = (size_t)(end - tail);
  char *out = malloc(head + tail_len + 1);
  if (!out) return NULL;
  memcpy(out, url, head);
  memcpy(out + head, tail, tail_len);
  out[head + tail_len] = '\0';
  return out;
}

static int ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Length of a "scheme://" prefix's scheme, or 0 when there is none. */
static size_t scheme_length(const char *url, size_t len) {
  const char *sep = memmem(url, len, "://", 3);
  if (!sep || sep == url || !ascii_alpha(url[0])) return 0;
  for (const char *p = url; p < sep; p++)
    if (!ascii_alpha(*p) && !(*p >= '0' && *p <= '9') && *p != '+' && *p != '-' && *p != '.')
      return 0;
  return (size_t)(sep - url);
}

static http_url_status bad(char **message, char **display, char *text, char *shown) {
  *message = text;
  *display = shown;
  return HTTP_URL_BAD;
}

/* Copies a curl-allocated string into malloc'd memory (NULL stays NULL). */
static int take_part(CURLU *u, CURLUPart part, unsigned flags, char **out) {
  char *value = NULL;
  *out = NULL;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK) return 1; /* absent */
  *out = strdup(value);
  curl_free(value);
  return *out != NULL;
}

http_url_status http_url_parse(const char *url, size_t len, http_url *out,
                               char **message, char **display) {
  memset(out, 0, sizeof *out);
  *message = NULL;
  *display = NULL;
  char *shown = http_url_redact_text(url, len);
  if (!shown) return HTTP_URL_NOMEM;

  if (len == 0) return bad(message, display, strdup("URL is empty"), shown);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)url[i];
    if (c < 0x20 || c == 0x7f) {
      char *text = NULL;
      if (asprintf(&text, "URL contains a control character at byte %zu: %s", i + 1, shown) < 0)
        text = NULL;
      return bad(message, display, text, shown);
    }
  }
  size_t scheme_len = scheme_length(url, len);
  if (scheme_len == 0) {
    char *text = NULL;
    if (asprintf(&text, "URL has no scheme: %s (did you mean http://%s?)", shown, shown) < 0)
      text = NULL;
    return bad(message, display, text, shown);
  }
  if (!((scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
        (scheme_len == 5 && strncasecmp(url, "https", 5) == 0))) {
    char *text = NULL;
    if (asprintf(&text, "unsupported scheme '%.*s' in URL: %s (only http and https are allowed)",
                 (int)scheme_len, url, shown) < 0)
      text = NULL;
    return bad(message, display, text, shown);
  }

  CURLU *u = curl_url();
  if (!u) { free(shown); return HTTP_URL_NOMEM; }
  /* url has no NUL bytes (checked above), so it is a C string of len bytes
   * only if the caller's buffer is terminated there: copy to be sure. */
  char *copy = strndup(url, len);
  if (!copy) { curl_url_cleanup(u); free(shown); return HTTP_URL_NOMEM; }
  CURLUcode uc = curl_url_set(u, CURLUPART_URL, copy, 0);
  free(copy);
  if (uc != CURLUE_OK) {
    curl_url_cleanup(u);
    if (uc == CURLUE_OUT_OF_MEMORY) { free(shown); return HTTP_URL_NOMEM; }
    char *text = NULL;
    if (asprintf(&text, "invalid URL (%s): %s", curl_url_strerror(uc), shown) < 0) text = NULL;
    return bad(message, display, text, shown);
  }

  int ok = take_part(u, CURLUPART_USER, CURLU_URLDECODE, &out->user) &&
           take_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE, &out->password) &&
           take_part(u, CURLUPART_HOST, 0, &out->host);
  curl_url_set(u, CURLUPART_USER, NULL, 0);
  curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
  curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
  ok = ok && take_part(u, CURLUPART_URL, 0, &out->safe_url) && out->safe_url && out->host &&
       take_part(u, CURLUPART_PORT, 0, &out->port) && take_part(u, CURLUPART_PATH, 0, &out->path) &&
       take_part(u, CURLUPART_QUERY, 0, &out->query);
  curl_url_cleanup(u);
  free(shown);
  if (!ok) { http_url_free(out); return HTTP_URL_NOMEM; }
  return HTTP_URL_OK;
}

void http_url_free(http_url *u) {
  free(u->safe_url);
  free(u->host);
  free(u->port);
  free(u->path);
  free(u->query);
  free(u->user);
  if (u->password) {
    /* do not leave the secret lying around in freed memory */
    volatile char *p = u->password;
    while (*p) *p++ = '\0';
  }
  free(u->password);
  memset(u, 0, sizeof *u);
}
