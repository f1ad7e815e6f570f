/* Masks the variable parts of a log message so that lines written by the
 * same statement become the same text (a signature).  One pass, no
 * allocation beyond the output buffer the caller gives.
 *
 * A message is cut into tokens at spaces and at , ; ( ) [ ] { } < > | and
 * quotes.  Quoted strings ("..." or '...' starting a token) become "<*>".
 * Within a token, `key=value` keeps the key and masks the value.  A token
 * (or a value, or a path segment of a URL) is masked when it is:
 *   a UUID                                         -> <uuid>
 *   an e-mail address                              -> <email>
 *   an IPv4 address, with or without :port         -> <ip>
 *   a number with a time unit (250ms, 1.5s, 3m)    -> <duration>
 *   anything else with a digit, or a hex run of 8+ -> <*>
 * In a URL (scheme://host/...), host and words stay, path segments with
 * digits are masked one by one.  Each class can be switched off (flags). */
#include <string.h>
#include "log_mask.h"

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
/* sentence marks that may follow a value: "failed for 42: ..." */
static int is_mark(unsigned char c) { return c == ':' || c == '.' || c == '!' || c == '?'; }

/* What each byte is, by table: this runs once per byte of every line. */
enum { C_BREAK = 1, C_QUOTE = 2, C_DIGIT = 4, C_HEX = 8, C_SPECIAL = 16 };
#define D C_DIGIT | C_HEX
#define H C_HEX
static const unsigned char CLASS[256] = {
    [' '] = C_BREAK, ['\t'] = C_BREAK, ['\n'] = C_BREAK, ['\r'] = C_BREAK, [','] = C_BREAK,
    [';'] = C_BREAK, ['('] = C_BREAK, [')'] = C_BREAK, ['['] = C_BREAK, [']'] = C_BREAK,
    ['{'] = C_BREAK, ['}'] = C_BREAK, ['<'] = C_BREAK, ['>'] = C_BREAK, ['|'] = C_BREAK,
    ['"'] = C_BREAK | C_QUOTE, ['\''] = C_BREAK | C_QUOTE,
    ['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D, ['6'] = D, ['7'] = D,
    ['8'] = D, ['9'] = D,
    ['a'] = H, ['b'] = H, ['c'] = H, ['d'] = H, ['e'] = H, ['f'] = H,
    ['A'] = H, ['B'] = H, ['C'] = H, ['D'] = H, ['E'] = H, ['F'] = H,
    ['@'] = C_SPECIAL, ['='] = C_SPECIAL, [':'] = C_SPECIAL,
};
#undef D
#undef H
static int is_break(unsigned char c) { return CLASS[c] & C_BREAK; }

typedef struct {
    char *out;
    size_t cap, len;
} sink;

static inline void put(sink *s, const char *p, size_t n)
{
    if (s->len + n > s->cap)
        n = s->len < s->cap ? s->cap - s->len : 0;
    memcpy(s->out + s->len, p, n);
    s->len += n;
}

static void puts_(sink *s, const char *z) { put(s, z, strlen(z)); }

static int has_digit(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_digit((unsigned char)p[i]))
            return 1;
    return 0;
}

/* 8-4-4-4-12 hex */
static int is_uuid(const char *p, size_t n)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };
    size_t i = 0;
    for (int g = 0; g < 5; g++) {
        for (int k = 0; k < groups[g]; k++, i++)
            if (i >= n || !is_hex((unsigned char)p[i]))
                return 0;
        if (g < 4) {
            if (i >= n || p[i] != '-')
                return 0;
            i++;
        }
    }
    return i == n;
}

static int is_email(const char *p, size_t n)
{
    const char *at = memchr(p, '@', n);
    if (!at || at == p)
        return 0;
    const char *dot = memchr(at, '.', n - (size_t)(at - p));
    return dot && dot > at + 1 && dot < p + n - 1;
}

/* a.b.c.d with 1-3 digits each, optionally :port */
static int is_ip(const char *p, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t d = 0;
        while (i < n && is_digit((unsigned char)p[i]) && d < 4)
            i++, d++;
        if (d == 0 || d > 3)
            return 0;
        if (part < 3) {
            if (i >= n || p[i] != '.')
                return 0;
            i++;
        }
    }
    if (i < n && p[i] == ':') {
        size_t d = 0;
        for (i++; i < n && is_digit((unsigned char)p[i]); i++)
            d++;
        if (d == 0)
            return 0;
    }
    return i == n;
}

/* digits (with one . or ,) then a unit: ns us µs ms s m h d */
static int is_duration(const char *p, size_t n)
{
    size_t i = 0, d = 0;
    while (i < n && (is_digit((unsigned char)p[i]) || (p[i] == '.' && d > 0)))
        i++, d++;
    if (d == 0 || i == n)
        return 0;
    const char *u = p + i;
    size_t un = n - i;
    static const char *const units[] = { "ns", "us", "\xc2\xb5s", "ms", "s", "m", "h", "d",
                                         "sec", "secs", "min", "mins", NULL };
    for (int k = 0; units[k]; k++)
        if (strlen(units[k]) == un && memcmp(units[k], u, un) == 0)
            return 1;
    return 0;
}

static int is_hex_run(const char *p, size_t n)
{
    if (n < 8)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_hex((unsigned char)p[i]))
            return 0;
    return 1;
}

/* One piece (a token, a value, a path segment): masked or copied. */
static void piece(sink *s, const char *p, size_t n, unsigned flags)
{
    if (n == 0)
        return;
    int lead_digit = is_digit((unsigned char)p[0]);
    if ((flags & LOG_MASK_UUID) && n == 36 && is_uuid(p, n)) { puts_(s, "<uuid>"); return; }
    if ((flags & LOG_MASK_EMAIL) && is_email(p, n)) { puts_(s, "<email>"); return; }
    if ((flags & LOG_MASK_IP) && lead_digit && n >= 7 && is_ip(p, n)) { puts_(s, "<ip>"); return; }
    if ((flags & LOG_MASK_DURATION) && lead_digit && is_alpha((unsigned char)p[n - 1]) &&
        is_duration(p, n)) { puts_(s, "<duration>"); return; }
    if (((flags & LOG_MASK_DIGITS) && has_digit(p, n)) || ((flags & LOG_MASK_HEX) && is_hex_run(p, n))) {
        puts_(s, "<*>");
        return;
    }
    put(s, p, n);
}

/* A trailing sentence mark (":" "." "!" "?") is not part of the value. */
static size_t trailing_marks(const char *p, size_t n)
{
    size_t k = 0;
    while (k < n && is_mark((unsigned char)p[n - 1 - k]))
        k++;
    return k == n ? 0 : k;
}

/* A path: each segment masked on its own ("/v1/charges/ch_9f" keeps "charges"). */
static void path(sink *s, const char *p, size_t n, unsigned flags)
{
    size_t i = 0;
    while (i < n) {
        put(s, p + i, 1);                  /* '/' or '?' or '&' or '=' */
        size_t j = ++i;
        while (j < n && p[j] != '/' && p[j] != '?' && p[j] != '&' && p[j] != '=')
            j++;
        piece(s, p + i, j - i, flags);
        i = j;
    }
}

static void url(sink *s, const char *p, size_t n, unsigned flags)
{
    const char *scheme_end = strstr(p, "://");
    size_t head = (size_t)(scheme_end - p) + 3;
    size_t i = head;
    while (i < n && p[i] != '/' && p[i] != '?')
        i++;
    put(s, p, i);                          /* scheme://host[:port] */
    path(s, p + i, n - i, flags);
}

static void token(sink *s, const char *p, size_t n, unsigned flags, unsigned any)
{
    size_t marks = trailing_marks(p, n);
    size_t body = n - marks;
    const char *sep = (any & C_SPECIAL) && (flags & LOG_MASK_URL) ? memmem(p, body, "://", 3) : NULL;
    if (sep && sep > p) {
        url(s, p, body, flags);
    } else if (p[0] == '/' && (flags & LOG_MASK_URL)) {
        path(s, p, body, flags);          /* /api/products/1234 -> /api/products/<*> */
    } else {
        const char *eq = (any & C_SPECIAL) && (flags & LOG_MASK_KV) ? memchr(p, '=', body) : NULL;
        if (eq && eq > p && eq < p + body - 1 && is_alpha((unsigned char)p[0])) {
            put(s, p, (size_t)(eq - p) + 1);
            size_t rest = body - (size_t)(eq - p) - 1;
            if (has_digit(eq + 1, rest) || (flags & LOG_MASK_KV_ALL))
                puts_(s, "<*>");
            else
                put(s, eq + 1, rest);
        } else {
            piece(s, p, body, flags);
        }
    }
    put(s, p + body, marks);
}

size_t log_mask(const char *msg, size_t len, char *out, size_t cap, unsigned flags)
{
    sink s = { out, cap, 0 };
    size_t i = 0, kept = 0;           /* msg[kept, i) is copied as it is, later, at once */
    while (i < len) {
        unsigned char c = (unsigned char)msg[i];
        unsigned k = CLASS[c];
        if (k & C_QUOTE) {
            if ((flags & LOG_MASK_QUOTED) &&
                (i == 0 || is_break((unsigned char)msg[i - 1]) || msg[i - 1] == '=' || msg[i - 1] == ':')) {
                const char *close = i + 1 < len ? memchr(msg + i + 1, c, len - i - 1) : NULL;
                size_t after = close ? (size_t)(close - msg) + 1 : 0;
                if (close && (after >= len || is_break((unsigned char)msg[after]) ||
                              is_mark((unsigned char)msg[after]))) {
                    put(&s, msg + kept, i + 1 - kept);      /* up to the opening quote */
                    puts_(&s, "<*>");
                    kept = after - 1;                        /* from the closing quote */
                    i = after;
                    continue;
                }
            }
            i++;
            continue;
        }
        if (k & C_BREAK) {
            i++;
            continue;
        }
        /* one pass over the token: the common case, a word with no digit,
         * '@', '=' or ':' that is not a long hex run, stays as it is */
        size_t j = i;
        unsigned any = 0, kk;
        while (j < len && !((kk = CLASS[(unsigned char)msg[j]]) & C_BREAK)) {
            any |= kk;
            j++;
        }
        if ((any & (C_DIGIT | C_SPECIAL)) ||
            (j - i >= 8 && (flags & LOG_MASK_HEX) && is_hex_run(msg + i, j - i))) {
            put(&s, msg + kept, i - kept);
            token(&s, msg + i, j - i, flags, any);
            kept = j;
        }
        i = j;
    }
    put(&s, msg + kept, len - kept);
    return s.len;
}
