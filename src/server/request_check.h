/* Checks on the bytes of a request before any of them reach Lua: text
 * that is not UTF-8, and NULs, which would silently cut a C string short
 * ("/v1/scripts/echo%00.txt" running "echo").  No Lua, no MHD. */
#ifndef TINKR_SERVER_REQUEST_CHECK_H
#define TINKR_SERVER_REQUEST_CHECK_H

#include <stddef.h>

/* 1 if [s, s+len) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), else 0. */
int request_utf8_valid(const char *s, size_t len);

/* 1 if the raw (still percent-encoded) request target encodes a NUL
 * ("%00"), or s is NULL, else 0. */
int request_has_encoded_nul(const char *raw_target);

/* Why a decoded request is refused (a message for a 400), or NULL when it
 * is fine: the path and each query argument name and value must be UTF-8. */
const char *request_text_problem(const char *path, size_t nargs, char *const *names, char *const *values);

#endif
