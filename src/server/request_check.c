/* Request text checks (see request_check.h). */
#include <string.h>
#include "request_check.h"

int request_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t n;
        unsigned min, cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1; min = 0x80; cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2; min = 0x800; cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3; min = 0x10000; cp = c & 0x07;
        } else {
            return 0;                       /* a continuation byte, C0/C1 or F5..FF */
        }
        if ((size_t)(end - p) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

int request_has_encoded_nul(const char *raw)
{
    if (!raw)
        return 1;
    for (const char *p = strchr(raw, '%'); p; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

const char *request_text_problem(const char *path, size_t nargs, char *const *names, char *const *values)
{
    if (!request_utf8_valid(path, strlen(path)))
        return "the request path is not valid UTF-8 (percent-encode UTF-8 bytes only)";
    for (size_t i = 0; i < nargs; i++) {
        if (!request_utf8_valid(names[i], strlen(names[i])) ||
            (values[i] && !request_utf8_valid(values[i], strlen(values[i]))))
            return "a query parameter is not valid UTF-8 (percent-encode UTF-8 bytes only)";
    }
    return NULL;
}
