/* SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for SigV4 signing
 * (sigv4.c).  Small and dependency-free: tinkr links libcurl but not a
 * crypto library of its own.  No Lua here. */
#ifndef TINKR_SHA256_H
#define TINKR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

typedef struct {
  uint32_t state[8];
  uint64_t total; /* bytes hashed so far */
  unsigned char block[64];
  size_t used; /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, unsigned char out[SHA256_LEN]);

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                 unsigned char out[SHA256_LEN]);

/* out gets 64 lower-case hex digits and a NUL. */
void sha256_hex(const unsigned char digest[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
