/* AWS SigV4 signing: see sigv4.h.  Steps and names follow AWS's "Create a
 * signed AWS API request" (canonical request, string to sign, signing key
 * derived from the secret through the date, region and service). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

/* ---- a growing string; any allocation failure sticks in oom ---- */

typedef struct {
  char *p;
  size_t len, cap;
  int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *grown = realloc(b->p, cap);
    if (!grown) {
      b->oom = 1;
      return;
    }
    b->p = grown, b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_char(sbuf *b, char c) { sb_add(b, &c, 1); }

/* s (and nothing on failure) as a malloc'd C string. */
static char *sb_take(sbuf *b) {
  if (b->oom || !b->p) {
    free(b->p);
    return b->oom ? NULL : strdup("");
  }
  return b->p;
}

/* ---- URI encoding, AWS's rules ---- */

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

static void sb_encode(sbuf *b, const char *s, size_t n, int keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (unreserved(c) || (keep_slash && c == '/')) sb_char(b, (char)c);
    else {
      char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
      sb_add(b, esc, 3);
    }
  }
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A query name or value: decoded (%XX), then encoded the canonical way,
 * so "a%2a" and "a*" both sign as "a%2A". */
static void sb_query_part(sbuf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    }
    sb_encode(b, &c, 1, 0);
  }
}

/* ---- the canonical request's parts ---- */

/* The path without "." and empty segments, ".." removing the one before
 * (RFC 3986's dot-segment removal, plus the collapsing of "//" that AWS
 * services expect), then encoded. */
static void canonical_path(sbuf *b, const char *path) {
  if (!path || !*path) {
    sb_char(b, '/');
    return;
  }
  size_t len = strlen(path), nseg = 1;
  for (size_t i = 0; i < len; i++) nseg += path[i] == '/';
  struct seg { const char *p; size_t n; } *kept = malloc(nseg * sizeof *kept);
  if (!kept) {
    b->oom = 1;
    return;
  }
  size_t nkept = 0;
  for (const char *p = path, *end = path + len; p <= end;) {
    const char *slash = memchr(p, '/', (size_t)(end - p));
    size_t n = (size_t)((slash ? slash : end) - p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (nkept) nkept--;
    } else if (n > 0 && !(n == 1 && p[0] == '.')) {
      kept[nkept].p = p, kept[nkept].n = n, nkept++;
    }
    if (!slash) break;
    p = slash + 1;
  }
  if (path[0] == '/') sb_char(b, '/');
  for (size_t i = 0; i < nkept; i++) {
    if (i) sb_char(b, '/');
    sb_encode(b, kept[i].p, kept[i].n, 0);
  }
  if (nkept && path[len - 1] == '/') sb_char(b, '/');
  free(kept);
}

typedef struct {
  char *name, *value;
} query_pair;

static int pair_order(const void *a, const void *b) {
  const query_pair *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->value, y->value);
}

static void canonical_query(sbuf *b, const char *query) {
  if (!query || !*query) return;
  size_t len = strlen(query), cap = 1, n = 0;
  for (size_t i = 0; i < len; i++) cap += query[i] == '&';
  query_pair *pairs = calloc(cap, sizeof *pairs);
  if (!pairs) {
    b->oom = 1;
    return;
  }
  for (const char *p = query, *end = query + len; p < end && !b->oom;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *stop = amp ? amp : end;
    if (stop > p) { /* "a=1&&b=2": the empty one is no parameter */
      const char *eq = memchr(p, '=', (size_t)(stop - p));
      sbuf name = {0}, value = {0};
      sb_query_part(&name, p, (size_t)((eq ? eq : stop) - p));
      if (eq) sb_query_part(&value, eq + 1, (size_t)(stop - eq - 1));
      pairs[n].name = sb_take(&name);
      pairs[n].value = sb_take(&value);
      if (!pairs[n].name || !pairs[n].value) b->oom = 1;
      n++;
    }
    p = stop + 1;
  }
  if (!b->oom) {
    qsort(pairs, n, sizeof *pairs, pair_order);
    for (size_t i = 0; i < n; i++) {
      if (i) sb_char(b, '&');
      sb_str(b, pairs[i].name);
      sb_char(b, '=');
      sb_str(b, pairs[i].value);
    }
  }
  for (size_t i = 0; i < n; i++) free(pairs[i].name), free(pairs[i].value);
  free(pairs);
}

char *sigv4_normalize_query(const char *query) {
  sbuf b = {0};
  size_t len = strlen(query);
  for (const char *p = query, *end = query + len; p < end;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *stop = amp ? amp : end;
    if (stop > p) {
      const char *eq = memchr(p, '=', (size_t)(stop - p));
      if (b.len) sb_char(&b, '&');
      sb_query_part(&b, p, (size_t)((eq ? eq : stop) - p));
      if (eq) {
        sb_char(&b, '=');
        sb_query_part(&b, eq + 1, (size_t)(stop - eq - 1));
      }
    }
    p = stop + 1;
  }
  return sb_take(&b);
}

/* Headers AWS's signers leave out: proxies add or change them. */
static int never_signed(const char *lname) {
  static const char *const names[] = {"user-agent", "expect", "transfer-encoding",
                                      "x-amzn-trace-id", "authorization", NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(lname, names[i]) == 0) return 1;
  return 0;
}

typedef struct {
  char *lname;
  const char *value;
  size_t value_len;
  size_t order; /* keeps repeated headers in the order given */
} signed_header;

static int header_order(const void *a, const void *b) {
  const signed_header *x = a, *y = b;
  int c = strcmp(x->lname, y->lname);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

/* The value trimmed, inner runs of blanks as one space. */
static void sb_header_value(sbuf *b, const char *v, size_t n) {
  int pending_space = 0, any = 0;
  for (size_t i = 0; i < n; i++) {
    if (blank(v[i])) {
      pending_space = any;
      continue;
    }
    if (pending_space) sb_char(b, ' ');
    pending_space = 0, any = 1;
    sb_char(b, v[i]);
  }
}

/* Appends "name:value\n" per signed header to canon, "a;b;c" to names. */
static void canonical_headers(const sigv4_request *r, sbuf *canon, sbuf *names) {
  signed_header *hs = calloc(r->nheaders ? r->nheaders : 1, sizeof *hs);
  if (!hs) {
    canon->oom = 1;
    return;
  }
  size_t n = 0;
  for (size_t i = 0; i < r->nheaders; i++) {
    char *lname = strdup(r->headers[i].name);
    if (!lname) {
      canon->oom = 1;
      break;
    }
    for (char *p = lname; *p; p++)
      if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (never_signed(lname)) {
      free(lname);
      continue;
    }
    hs[n].lname = lname, hs[n].value = r->headers[i].value;
    hs[n].value_len = r->headers[i].value_len, hs[n].order = i;
    n++;
  }
  if (!canon->oom) {
    qsort(hs, n, sizeof *hs, header_order);
    for (size_t i = 0; i < n; i++) {
      int same = i > 0 && strcmp(hs[i].lname, hs[i - 1].lname) == 0;
      if (same) sb_char(canon, ',');
      else {
        if (i > 0) sb_char(canon, '\n');
        sb_str(canon, hs[i].lname);
        sb_char(canon, ':');
        if (names->len) sb_char(names, ';');
        sb_str(names, hs[i].lname);
      }
      sb_header_value(canon, hs[i].value, hs[i].value_len);
    }
    if (n) sb_char(canon, '\n');
  }
  for (size_t i = 0; i < n; i++) free(hs[i].lname);
  free(hs);
}

/* ---- signing ---- */

int sigv4_scope_ok(const char *region, const char *service) {
  const char *parts[2] = {region, service};
  for (int k = 0; k < 2; k++) {
    const char *s = parts[k];
    if (!s || !*s || strlen(s) > 64) return 0;
    for (; *s; s++)
      if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-'))
        return 0;
  }
  return 1;
}

int sigv4_parse_scope(const char *option, char *region, char *service, size_t size) {
  static const char prefix[] = "aws:amz:";
  if (!option || strncmp(option, prefix, sizeof prefix - 1) != 0) return 0;
  const char *r = option + sizeof prefix - 1, *colon = strchr(r, ':');
  if (!colon || (size_t)(colon - r) >= size || strlen(colon + 1) >= size) return 0;
  memcpy(region, r, (size_t)(colon - r));
  region[colon - r] = '\0';
  strcpy(service, colon + 1);
  return sigv4_scope_ok(region, service);
}

void sigv4_payload_hash(const char *body, size_t len, char out[SHA256_HEX_LEN + 1]) {
  unsigned char digest[SHA256_LEN];
  sha256(body ? body : "", body ? len : 0, digest);
  sha256_hex(digest, out);
}

void sigv4_date(char out[SIGV4_DATE_LEN + 1]) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm);
}

static void hmac_step(unsigned char key[SHA256_LEN], const char *msg) {
  unsigned char next[SHA256_LEN];
  hmac_sha256(key, SHA256_LEN, msg, strlen(msg), next);
  memcpy(key, next, SHA256_LEN);
}

void sigv4_result_free(sigv4_result *out) {
  free(out->authorization);
  free(out->canonical);
  free(out->string_to_sign);
  memset(out, 0, sizeof *out);
}

int sigv4_sign(const sigv4_request *r, sigv4_result *out) {
  memset(out, 0, sizeof *out);
  char day[9];
  memcpy(day, r->amz_date, 8);
  day[8] = '\0';

  sbuf canon = {0}, names = {0}, sts = {0}, auth = {0}, scope = {0};
  char hex[SHA256_HEX_LEN + 1];
  unsigned char digest[SHA256_LEN];

  sb_str(&canon, r->method);
  sb_char(&canon, '\n');
  canonical_path(&canon, r->path);
  sb_char(&canon, '\n');
  canonical_query(&canon, r->query);
  sb_char(&canon, '\n');
  canonical_headers(r, &canon, &names);
  sb_char(&canon, '\n');
  sb_add(&canon, names.p ? names.p : "", names.len);
  sb_char(&canon, '\n');
  sigv4_payload_hash(r->body, r->body_len, hex);
  sb_str(&canon, hex);

  sb_str(&scope, day);
  sb_char(&scope, '/');
  sb_str(&scope, r->region);
  sb_char(&scope, '/');
  sb_str(&scope, r->service);
  sb_str(&scope, "/aws4_request");

  sb_str(&sts, ALGORITHM "\n");
  sb_str(&sts, r->amz_date);
  sb_char(&sts, '\n');
  sb_add(&sts, scope.p ? scope.p : "", scope.len);
  sb_char(&sts, '\n');
  sha256(canon.p ? canon.p : "", canon.len, digest);
  sha256_hex(digest, hex);
  sb_str(&sts, hex);

  /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request") */
  sbuf secret = {0};
  sb_str(&secret, "AWS4");
  sb_str(&secret, r->secret);
  unsigned char key[SHA256_LEN];
  hmac_sha256(secret.p ? secret.p : "", secret.len, day, strlen(day), key);
  if (secret.p) {
    volatile char *v = secret.p;
    for (size_t i = 0; i < secret.len; i++) v[i] = '\0';
  }
  hmac_step(key, r->region);
  hmac_step(key, r->service);
  hmac_step(key, "aws4_request");
  hmac_sha256(key, SHA256_LEN, sts.p ? sts.p : "", sts.len, digest);
  volatile unsigned char *vk = key;
  for (int i = 0; i < SHA256_LEN; i++) vk[i] = 0;
  sha256_hex(digest, hex);

  sb_str(&auth, ALGORITHM " Credential=");
  sb_str(&auth, r->key_id);
  sb_char(&auth, '/');
  sb_add(&auth, scope.p ? scope.p : "", scope.len);
  sb_str(&auth, ", SignedHeaders=");
  sb_add(&auth, names.p ? names.p : "", names.len);
  sb_str(&auth, ", Signature=");
  sb_str(&auth, hex);

  int oom = canon.oom || names.oom || sts.oom || auth.oom || scope.oom || secret.oom;
  free(secret.p);
  free(names.p);
  free(scope.p);
  out->canonical = sb_take(&canon);
  out->string_to_sign = sb_take(&sts);
  out->authorization = sb_take(&auth);
  if (oom || !out->canonical || !out->string_to_sign || !out->authorization) {
    sigv4_result_free(out);
    return -1;
  }
  return 0;
}
