/* AWS SigV4 for a transfer (req->aws_sigv4 = "aws:amz:REGION:SERVICE"):
 * the headers AWS needs, signed by sigv4.c over exactly what curl sends --
 * the path and query of the parsed URL, our own Host header, every header
 * of the request and the body.  curl's own CURLOPT_AWS_SIGV4 (7.88) signs
 * the path as sent, so a '*' or ',' in it gave a signature AWS refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_transfer.h"
#include "sigv4.h"

int http_sign_replaces(const char *name) {
  return strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "X-Amz-Date") == 0 ||
         strcasecmp(name, "X-Amz-Content-Sha256") == 0;
}

static int is_default_port(const http_url *u) {
  if (!u->port) return 1;
  int https = strncasecmp(u->safe_url, "https:", 6) == 0;
  return strcmp(u->port, https ? "443" : "80") == 0;
}

static int append_line(struct curl_slist **list, const char *name, const char *value) {
  char *line = NULL;
  if (asprintf(&line, "%s: %s", name, value) < 0) return 0;
  struct curl_slist *next = curl_slist_append(*list, line);
  free(line);
  if (!next) return 0;
  *list = next;
  return 1;
}

/* Sends the query in its canonical encoding (see sigv4_normalize_query):
 * t->url.query and the URL curl is given are replaced.  (Spliced as text:
 * curl_url_set(CURLUPART_QUERY) would lower-case the %XX escapes.)  0 when
 * out of memory. */
static int normalize_query(http_transfer *t) {
  if (!t->url.query) return 1;
  char *query = sigv4_normalize_query(t->url.query);
  if (!query) return 0;
  char *url = t->url.safe_url, *q = strchr(url, '?');
  if (strcmp(query, t->url.query) == 0 || !q) {
    free(query);
    return 1;
  }
  const char *rest = q + 1 + strcspn(q + 1, "#");
  char *spliced = NULL;
  if (asprintf(&spliced, "%.*s?%s%s", (int)(q - url), url, query, rest) < 0) {
    free(query);
    return 0;
  }
  free(t->url.safe_url);
  free(t->url.query);
  t->url.safe_url = spliced;
  t->url.query = query;
  return 1;
}

int http_sign_aws(http_transfer *t, const http_request *req, struct curl_slist **list) {
  char region[65], service[65];
  if (!sigv4_parse_scope(req->aws_sigv4, region, service, sizeof region)) return 1;
  if (!normalize_query(t)) return -1;
  const char *key_id = req->username ? req->username : t->url.user;
  const char *secret = req->username ? req->password : t->url.password;

  char date[SIGV4_DATE_LEN + 1], payload[SHA256_HEX_LEN + 1];
  sigv4_date(date);
  sigv4_payload_hash(t->body, t->body_len, payload);
  char *host = NULL;
  int own_host = 0;
  for (size_t i = 0; i < req->nheaders; i++) own_host |= strcasecmp(req->headers[i].name, "Host") == 0;
  if (!own_host &&
      asprintf(&host, "%s%s%s", t->url.host, is_default_port(&t->url) ? "" : ":",
               is_default_port(&t->url) ? "" : t->url.port) < 0)
    return -1;

  /* what is signed: the request's headers (less ours) + ours */
  sigv4_header *hs = calloc(req->nheaders + 4, sizeof *hs);
  if (!hs) {
    free(host);
    return -1;
  }
  size_t n = 0;
  for (size_t i = 0; i < req->nheaders; i++) {
    if (http_sign_replaces(req->headers[i].name)) continue;
    hs[n].name = req->headers[i].name;
    hs[n].value = req->headers[i].value;
    hs[n].value_len = req->headers[i].value_len;
    n++;
  }
  if (host) hs[n++] = (sigv4_header){"Host", host, strlen(host)};
  hs[n++] = (sigv4_header){"X-Amz-Date", date, SIGV4_DATE_LEN};
  hs[n++] = (sigv4_header){"X-Amz-Content-Sha256", payload, SHA256_HEX_LEN};

  sigv4_request r = {
      .method = t->method, .path = t->url.path, .query = t->url.query,
      .headers = hs, .nheaders = n, .body = t->body, .body_len = t->body_len,
      .region = region, .service = service,
      .key_id = key_id ? key_id : "", .secret = secret ? secret : "", .amz_date = date};
  sigv4_result out;
  int signed_ok = sigv4_sign(&r, &out) == 0;
  int ok = signed_ok && (!host || append_line(list, "Host", host)) &&
           append_line(list, "X-Amz-Date", date) &&
           append_line(list, "X-Amz-Content-Sha256", payload) &&
           append_line(list, "Authorization", out.authorization);
  if (signed_ok) sigv4_result_free(&out);
  free(hs);
  free(host);
  return ok ? 0 : -1;
}
