/* One HTTP transfer: its copied request, its curl easy handle setup, the
 * response buffers, and the classification of how it ended.  Private to
 * http_client.c, which owns the lists and the multi handle. */
#ifndef TINKR_HTTP_TRANSFER_H
#define TINKR_HTTP_TRANSFER_H

#include <curl/curl.h>

#include "http_client.h"
#include "http_url.h"

/* curl 7.88 limits one header line but not their sum; we do. */
#define HTTP_MAX_HEADER_BYTES (1024 * 1024)

typedef struct http_transfer http_transfer;

struct http_transfer {
  /* http_client.c's bookkeeping */
  http_group *group;
  http_transfer *prev, *next;
  long long id;

  /* the request, copied */
  http_url url;
  char *display_url; /* what messages and err.url show */
  char *method;
  char *body;
  size_t body_len;
  int has_body;
  char *cafile;
  char *client_cert, *client_key;
  char *username, *password; /* request's own; else the URL's */
  char *aws_sigv4;
  int insecure;
  struct curl_slist *header_list;
  double timeout_s, connect_timeout_s;
  size_t max_body;
  struct http_tap *tap;

  /* while running */
  CURL *easy;
  char errbuf[CURL_ERROR_SIZE];
  int too_large, headers_too_large, out_of_memory, interrupted;
  long status_line_code;
  int content_encoded;
  long long content_length; /* -1: not announced */
  size_t header_bytes;

  /* the response */
  char *response_body;
  size_t response_len, response_cap;
  http_header *headers;
  size_t nheaders, headers_cap;

  /* how it ended */
  char *message;
  http_result result;
};

/* Copies req.  A bad URL gives a transfer that is already finished
 * (result.code set).  NULL when out of memory. */
http_transfer *http_transfer_new(const http_request *req);

/* Configures easy for t and stores it in t->easy.  Returns 0, or a curl
 * error (out of memory) after which t is finished. */
int http_transfer_setup(http_transfer *t, CURL *easy);

/* Fills t->result from curl's outcome; t->easy is still attached. */
void http_transfer_complete(http_transfer *t, CURLcode rc);

/* Finishes t as interrupted (it was aborted or never started). */
void http_transfer_interrupt(http_transfer *t);

void http_transfer_free(http_transfer *t);

/* http_sign.c: AWS SigV4.  http_sign_aws appends Host, X-Amz-Date,
 * X-Amz-Content-Sha256 and Authorization for req to *list: 0, -1 when out
 * of memory, 1 when req->aws_sigv4 is not "aws:amz:REGION:SERVICE".
 * http_sign_replaces: a header of the request that signing sets itself. */
int http_sign_aws(http_transfer *t, const http_request *req, struct curl_slist **list);
int http_sign_replaces(const char *name);

/* http_errors.c: sets t->result to a failure (message is malloc'd and owned
 * by t; NULL means out of memory and gets a fixed text). */
void http_transfer_set_error(http_transfer *t, const char *code, char *message);
/* Classifies curl's rc (and t's own flags: too large, interrupted). */
void http_transfer_classify_failure(http_transfer *t, CURLcode rc);

#endif
