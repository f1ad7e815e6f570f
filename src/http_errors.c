/* How a transfer ended, in words: an error code and a one-line message
 * that says what happened, to which URL (credentials removed), and what
 * to try.  See http_transfer.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_transfer.h"
#include "interrupt.h"

void http_transfer_set_error(http_transfer *t, const char *code, char *message) {
  t->message = message;
  t->result.code = code;
  t->result.message = message ? message : "out of memory while reporting an HTTP error";
  t->result.url = t->display_url ? t->display_url : "";
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...) {
  char *text = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&text, fmt, ap) < 0) text = NULL;
  va_end(ap);
  return text;
}

static void seconds_text(double s, char *buf, size_t size) {
  if (s == floor(s)) snprintf(buf, size, "%.1f", s);
  else snprintf(buf, size, "%g", s);
}

/* Masks every occurrence of secret in buf (in place) with '*'. */
static void redact(char *buf, const char *secret) {
  size_t slen = secret ? strlen(secret) : 0;
  if (slen == 0) return;
  for (char *hit = strstr(buf, secret); hit; hit = strstr(hit + slen, secret))
    memset(hit, '*', slen);
}

/* curl's own explanation, with anything secret removed. */
static const char *detail(http_transfer *t, CURLcode rc) {
  if (t->errbuf[0] == '\0') return curl_easy_strerror(rc);
  redact(t->errbuf, t->url.password);
  redact(t->errbuf, t->url.user);
  redact(t->errbuf, t->password);
  redact(t->errbuf, t->username);
  return t->errbuf;
}

static int is_tls_error(CURLcode rc) {
  switch (rc) {
  case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR: case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS: case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED: case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_SHUTDOWN_FAILED: case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CLIENTCERT:
    return 1;
  default:
    return 0;
  }
}

static int got_connected(CURL *e) {
  curl_off_t connect = 0, pretransfer = 0;
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  return connect > 0 || pretransfer > 0;
}

void http_transfer_classify_failure(http_transfer *t, CURLcode rc) {
  const char *url = t->display_url;
  t->result.sent = t->easy && got_connected(t->easy);
  char secs[32];
  if (t->interrupted || (rc == CURLE_ABORTED_BY_CALLBACK && tinkr_interrupt_pending())) {
    http_transfer_set_error(t, "interrupted", format("interrupted by Ctrl-C: %s", url));
  } else if (t->too_large) {
    http_transfer_set_error(t, "too_large",
              format("response body larger than %zu bytes from %s (ask for less)",
                     t->max_body, url));
  } else if (t->headers_too_large) {
    http_transfer_set_error(t, "too_large",
              format("response headers larger than %d bytes from %s (is this the right server?)",
                     HTTP_MAX_HEADER_BYTES, url));
  } else if (t->out_of_memory || rc == CURLE_OUT_OF_MEMORY) {
    http_transfer_set_error(t, "too_large", format("out of memory while reading the response from %s", url));
  } else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
    http_transfer_set_error(t, "dns", format("could not resolve host '%s': %s (check the host name)",
                               t->url.host, url));
  } else if (rc == CURLE_COULDNT_CONNECT) {
    long err = 0;
    curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &err);
    if (err == ECONNREFUSED)
      http_transfer_set_error(t, "connect", format("connection refused: %s", url));
    else {
      char ebuf[128];
      const char *why = err ? strerror_r((int)err, ebuf, sizeof ebuf) : detail(t, rc);
      http_transfer_set_error(t, "connect", format("could not connect (%s): %s (is the host reachable?)", why, url));
    }
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    if (!got_connected(t->easy)) {
      int by_connect = t->connect_timeout_s <= t->timeout_s;
      seconds_text(by_connect ? t->connect_timeout_s : t->timeout_s, secs, sizeof secs);
      http_transfer_set_error(t, "timeout",
                format("could not connect within %s s: %s (is the host reachable?)", secs, url));
    } else {
      seconds_text(t->timeout_s, secs, sizeof secs);
      http_transfer_set_error(t, "timeout",
                format("timed out after %s s: %s (the server is slow or hung)", secs, url));
    }
  } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
    http_transfer_set_error(t, "tls", format("TLS certificate of '%s' not trusted (%s): %s (pass cafile= "
                               "with its CA, or insecure=true for a test server)",
                               t->url.host, detail(t, rc), url));
  } else if (rc == CURLE_SSL_CACERT_BADFILE) {
    http_transfer_set_error(t, "tls", format("could not use CA file '%s' (%s): %s (check the cafile= path)",
                               t->cafile ? t->cafile : "(system)", detail(t, rc), url));
  } else if (rc == CURLE_SSL_CERTPROBLEM) {
    http_transfer_set_error(t, "tls", format("could not use client certificate '%s' / key '%s' (%s): %s "
                               "(check client_cert= and client_key=: PEM files, key matching the certificate)",
                               t->client_cert ? t->client_cert : "(none)",
                               t->client_key ? t->client_key : "(none)", detail(t, rc), url));
  } else if (is_tls_error(rc)) {
    http_transfer_set_error(t, "tls", format("TLS handshake failed (%s): %s (is this an https port? "
                               "check cafile= and the server certificate)", detail(t, rc), url));
  } else if (rc == CURLE_RECV_ERROR || rc == CURLE_PARTIAL_FILE) {
    http_transfer_set_error(t, "reset", format("connection lost mid-response after %zu body bytes (%s): %s "
                                 "(retry, or check the server's logs)",
                                 t->response_len, detail(t, rc), url));
  } else if (rc == CURLE_SEND_ERROR) {
    http_transfer_set_error(t, "reset", format("connection lost while sending the request (%s): %s "
                                 "(retry, or check the server's logs)", detail(t, rc), url));
  } else if (rc == CURLE_GOT_NOTHING) {
    http_transfer_set_error(t, "reset", format("server closed the connection without answering: %s "
                                 "(check the server's logs)", url));
  } else if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL ||
             rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM || rc == CURLE_HTTP3) {
    http_transfer_set_error(t, "protocol", format("not a valid HTTP response (%s): %s (is this an HTTP port?)",
                                    detail(t, rc), url));
  } else if (rc == CURLE_BAD_CONTENT_ENCODING) {
    http_transfer_set_error(t, "protocol", format("could not decode the response body (%s): %s",
                                    detail(t, rc), url));
  } else if (rc == CURLE_URL_MALFORMAT) {
    http_transfer_set_error(t, "bad_url", format("invalid URL (%s): %s", detail(t, rc), url));
  } else {
    http_transfer_set_error(t, "protocol", format("HTTP request failed (%s): %s", detail(t, rc), url));
  }
}
