/* AWS Signature Version 4 for one HTTP request: the canonical request,
 * the string to sign and the Authorization header value, built the way
 * AWS's own SDKs do for non-S3 services (es, aoss, aps):
 *
 *   - the path as sent, dot segments and empty segments removed, then
 *     URI-encoded once more (every byte but A-Z a-z 0-9 - _ . ~ and '/');
 *     a '*' or ',' sent as is is signed as %2A / %2C, a "%2A" as %252A;
 *   - query parameters decoded, URI-encoded again, sorted by name then
 *     value;
 *   - every header given signed (lower-case names, sorted; values trimmed,
 *     inner runs of blanks collapsed), except those AWS never signs
 *     (user-agent, expect, transfer-encoding, x-amzn-trace-id);
 *   - the payload as the hex SHA-256 of the body.
 *
 * The caller sends host, x-amz-date (and x-amz-security-token,
 * x-amz-content-sha256) among the headers.  No Lua, no curl here. */
#ifndef TINKR_SIGV4_H
#define TINKR_SIGV4_H

#include <stddef.h>

#include "sha256.h"

#define SIGV4_DATE_LEN 16 /* YYYYMMDDTHHMMSSZ */

typedef struct {
  const char *name;
  const char *value;
  size_t value_len;
} sigv4_header;

typedef struct {
  const char *method;
  const char *path;  /* as sent, percent-encoded; NULL or "" is "/" */
  const char *query; /* as sent, without '?'; NULL: none */
  const sigv4_header *headers;
  size_t nheaders;
  const char *body;
  size_t body_len;
  const char *region, *service; /* checked by sigv4_scope_ok */
  const char *key_id, *secret;
  const char *amz_date; /* SIGV4_DATE_LEN characters, UTC */
} sigv4_request;

typedef struct {
  char *authorization;  /* the Authorization header's value */
  char *canonical;      /* the canonical request (for tests) */
  char *string_to_sign; /* (for tests) */
} sigv4_result;

/* 1 when region and service are plain names (letters, digits, '-'). */
int sigv4_scope_ok(const char *region, const char *service);

/* Splits "aws:amz:REGION:SERVICE" (curl's option format) into buffers of
 * size bytes; 1 when it is well formed and sigv4_scope_ok. */
int sigv4_parse_scope(const char *option, char *region, char *service, size_t size);

/* The hex SHA-256 of body, for x-amz-content-sha256. */
void sigv4_payload_hash(const char *body, size_t len, char out[SHA256_HEX_LEN + 1]);

/* The query with each name and value decoded and encoded again the way
 * the canonical request does, in the order given: send this, so that a
 * verifier that takes the query as sent (botocore) and AWS (which decodes
 * it first) sign the same text.  malloc'd; NULL when out of memory. */
char *sigv4_normalize_query(const char *query);

/* now as YYYYMMDDTHHMMSSZ (UTC). */
void sigv4_date(char out[SIGV4_DATE_LEN + 1]);

/* Fills out (all malloc'd; free with sigv4_result_free).  0, or -1 when
 * out of memory (out then holds nothing). */
int sigv4_sign(const sigv4_request *r, sigv4_result *out);
void sigv4_result_free(sigv4_result *out);

#endif
