/* Masking the variable parts of log messages (see log_mask.c). */
#ifndef TINKR_LOG_MASK_H
#define TINKR_LOG_MASK_H

#include <stddef.h>

enum {
    LOG_MASK_UUID = 1 << 0,
    LOG_MASK_EMAIL = 1 << 1,
    LOG_MASK_IP = 1 << 2,
    LOG_MASK_DURATION = 1 << 3,
    LOG_MASK_DIGITS = 1 << 4,     /* any token with a digit: numbers, ids */
    LOG_MASK_HEX = 1 << 5,        /* hex runs of 8+ without digits */
    LOG_MASK_QUOTED = 1 << 6,
    LOG_MASK_URL = 1 << 7,        /* path segments of URLs, one by one */
    LOG_MASK_KV = 1 << 8,         /* key=value: mask a value with a digit */
    LOG_MASK_KV_ALL = 1 << 9,     /* key=value: mask every value */
};

/* Writes the masked text of msg[0..len) to out (at most cap bytes; it is
 * cut there) and returns its length.  cap = 4 * len + 64 always suffices. */
size_t log_mask(const char *msg, size_t len, char *out, size_t cap, unsigned flags);

#endif
