/* The step-counting pattern matcher (see pattern.h).
 *
 * The language is Lua 5.4's (reference manual §6.4.1): single-character
 * classes with *, +, - and ? repetition, %b balanced pairs, %f frontiers,
 * captures (including position captures) and %1-%9 back-references, ^ and
 * $ anchors.  The search is the usual backtracking one; what is ours is
 * that every step is counted and charged, so a caller can stop it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "pattern.h"

#define ESC '%'

static const char SPECIALS[] = "^$*+?.([%-";

void pattern_init(struct pattern_matcher *m, const char *subject, size_t subject_len,
                  const char *pattern_end, int (*charge)(void *, long), void *charge_ud)
{
    m->subject = subject;
    m->subject_end = subject + subject_len;
    m->pattern_end = pattern_end;
    m->ncaptures = 0;
    m->depth = 0;
    m->steps = 0;
    m->stopped = 0;
    m->error = NULL;
    m->charge = charge;
    m->charge_ud = charge_ud;
}

void pattern_flush(struct pattern_matcher *m)
{
    if (m->charge && m->steps > 0 && !m->stopped && m->charge(m->charge_ud, m->steps))
        m->stopped = 1;
    m->steps = 0;
}

/* Counts one step; 0 when the matcher must give up (stopped or error). */
static int step(struct pattern_matcher *m, long n)
{
    m->steps += n;
    if (m->steps >= PATTERN_CHARGE_EVERY)
        pattern_flush(m);
    return !m->stopped && !m->error;
}

static void fail(struct pattern_matcher *m, const char *what)
{
    if (!m->error)
        m->error = what;
}

int pattern_is_plain(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (strchr(SPECIALS, p[i]) && p[i] != '\0')
            return 0;
    return 1;
}

const char *pattern_find_plain(struct pattern_matcher *m, const char *haystack, size_t hlen,
                               const char *needle, size_t nlen)
{
    if (nlen == 0)
        return haystack;
    if (nlen > hlen)
        return NULL;
    const char *last = haystack + (hlen - nlen);
    for (const char *at = haystack; at <= last; at++) {
        at = memchr(at, needle[0], (size_t)(last - at) + 1);
        if (!at)
            return NULL;
        if (!step(m, (long)nlen))
            return NULL;
        if (memcmp(at, needle, nlen) == 0)
            return at;
    }
    return NULL;
}

/* ---- single-character classes ------------------------------------------ */

/* Whether c is in the class named by letter (a, d, s, ..., or their
 * upper-case complements); any other letter stands for itself. */
static int in_named_class(int c, int letter)
{
    int yes;
    switch (tolower(letter)) {
    case 'a': yes = isalpha(c); break;
    case 'c': yes = iscntrl(c); break;
    case 'd': yes = isdigit(c); break;
    case 'g': yes = isgraph(c); break;
    case 'l': yes = islower(c); break;
    case 'p': yes = ispunct(c); break;
    case 's': yes = isspace(c); break;
    case 'u': yes = isupper(c); break;
    case 'w': yes = isalnum(c); break;
    case 'x': yes = isxdigit(c); break;
    case 'z': yes = c == 0; break;      /* Lua 5.1's NUL class, still accepted */
    default: return letter == c;
    }
    yes = yes != 0;
    return isupper(letter) ? !yes : yes;
}

/* Whether c is in the set [open, close] (open at '[', close at its ']'). */
static int in_set(int c, const char *open, const char *close)
{
    const char *p = open + 1;
    int negated = 0;
    if (*p == '^') {
        negated = 1;
        p++;
    }
    while (p < close) {
        if (*p == ESC && p + 1 < close) {
            if (in_named_class(c, (unsigned char)p[1]))
                return !negated;
            p += 2;
        } else if (p + 2 < close && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
                return !negated;
            p += 3;
        } else {
            if ((unsigned char)*p == c)
                return !negated;
            p++;
        }
    }
    return negated;
}

/* The end of the single-character class starting at p, or NULL (m->error). */
static const char *class_end(struct pattern_matcher *m, const char *p)
{
    const char *end = m->pattern_end;
    if (*p == ESC) {
        if (p + 1 >= end) {
            fail(m, "malformed pattern (ends with '%')");
            return NULL;
        }
        return p + 2;
    }
    if (*p != '[')
        return p + 1;
    p++;
    if (p < end && *p == '^')
        p++;
    /* The first character of a set is literal, even ']'. */
    do {
        if (p >= end) {
            fail(m, "malformed pattern (missing ']')");
            return NULL;
        }
        if (*p == ESC) {
            p++;
            if (p >= end) {
                fail(m, "malformed pattern (missing ']')");
                return NULL;
            }
        }
        p++;
    } while (p >= end || *p != ']');
    return p + 1;
}

/* Whether the subject character at s matches the class [p, ep). */
static int class_matches(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
    if (s >= m->subject_end)
        return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case ESC: return in_named_class(c, (unsigned char)p[1]);
    case '[': return in_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* ---- the backtracking search ------------------------------------------- */

static const char *match_here(struct pattern_matcher *m, const char *s, const char *p);

/* Greedy repetition: as many as possible, then give back one at a time. */
static const char *match_greedy(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
    ptrdiff_t n = 0;
    while (class_matches(m, s + n, p, ep)) {
        n++;
        if (!step(m, 1))
            return NULL;
    }
    for (; n >= 0; n--) {
        const char *r = match_here(m, s + n, ep + 1);
        if (r || m->error || m->stopped)
            return r;
    }
    return NULL;
}

/* Lazy repetition: as few as possible, one more at a time. */
static const char *match_lazy(struct pattern_matcher *m, const char *s, const char *p, const char *ep)
{
    for (;;) {
        const char *r = match_here(m, s, ep + 1);
        if (r || m->error || m->stopped)
            return r;
        if (!class_matches(m, s, p, ep))
            return NULL;
        s++;
    }
}

static const char *open_capture(struct pattern_matcher *m, const char *s, const char *p, ptrdiff_t kind)
{
    if (m->ncaptures >= PATTERN_MAX_CAPTURES) {
        fail(m, "too many captures");
        return NULL;
    }
    m->captures[m->ncaptures].start = s;
    m->captures[m->ncaptures].len = kind;
    m->ncaptures++;
    const char *r = match_here(m, s, p);
    if (!r)
        m->ncaptures--;
    return r;
}

static const char *close_capture(struct pattern_matcher *m, const char *s, const char *p)
{
    int open = m->ncaptures - 1;
    while (open >= 0 && m->captures[open].len != PATTERN_CAP_OPEN)
        open--;
    if (open < 0) {
        fail(m, "invalid pattern capture");
        return NULL;
    }
    m->captures[open].len = s - m->captures[open].start;
    const char *r = match_here(m, s, p);
    if (!r)
        m->captures[open].len = PATTERN_CAP_OPEN;
    return r;
}

/* %bxy at p (p at 'b'): the end of a balanced x...y run at s, or NULL. */
static const char *match_balanced(struct pattern_matcher *m, const char *s, const char *p)
{
    if (p + 2 >= m->pattern_end) {
        fail(m, "malformed pattern (missing arguments to '%b')");
        return NULL;
    }
    char open = p[1], close = p[2];
    if (s >= m->subject_end || *s != open)
        return NULL;
    int level = 1;
    while (++s < m->subject_end) {
        if (!step(m, 1))
            return NULL;
        if (*s == close) {
            if (--level == 0)
                return s + 1;
        } else if (*s == open) {
            level++;
        }
    }
    return NULL;
}

/* %1-%9 at p (p at the digit): the end of a repeat of that capture at s. */
static const char *match_backref(struct pattern_matcher *m, const char *s, const char *p)
{
    int i = *p - '1';
    if (i < 0 || i >= m->ncaptures || m->captures[i].len == PATTERN_CAP_OPEN) {
        snprintf(m->error_buf, sizeof m->error_buf, "invalid capture index %%%d", i + 1);
        fail(m, m->error_buf);
        return NULL;
    }
    ptrdiff_t len = m->captures[i].len;
    if (len < 0 || m->subject_end - s < len)
        return NULL;
    if (!step(m, (long)len))
        return NULL;
    return memcmp(m->captures[i].start, s, (size_t)len) == 0 ? s + len : NULL;
}

static const char *match_here(struct pattern_matcher *m, const char *s, const char *p)
{
    if (++m->depth > PATTERN_MAX_DEPTH) {
        fail(m, "pattern too complex");
        m->depth--;
        return NULL;
    }
    const char *end = m->pattern_end;
    const char *result = NULL;
    while (p < end) {
        if (!step(m, 1))
            goto done;
        if (*p == '(') {
            if (p + 1 < end && p[1] == ')')
                result = open_capture(m, s, p + 2, PATTERN_CAP_POSITION);
            else
                result = open_capture(m, s, p + 1, PATTERN_CAP_OPEN);
            goto done;
        }
        if (*p == ')') {
            result = close_capture(m, s, p + 1);
            goto done;
        }
        if (*p == '$' && p + 1 == end) {
            result = s == m->subject_end ? s : NULL;
            goto done;
        }
        if (*p == ESC && p + 1 < end) {
            char what = p[1];
            if (what == 'b') {
                s = match_balanced(m, s, p + 1);
                if (!s)
                    goto done;
                p += 4;
                continue;
            }
            if (what == 'f') {
                p += 2;
                if (p >= end || *p != '[') {
                    fail(m, "missing '[' after '%f' in pattern");
                    goto done;
                }
                const char *ep = class_end(m, p);
                if (!ep)
                    goto done;
                int before = s == m->subject ? 0 : (unsigned char)s[-1];
                int here = s < m->subject_end ? (unsigned char)*s : 0;
                if (in_set(before, p, ep - 1) || !in_set(here, p, ep - 1))
                    goto done;
                p = ep;
                continue;
            }
            if (isdigit((unsigned char)what)) {
                s = match_backref(m, s, p + 1);
                if (!s)
                    goto done;
                p += 2;
                continue;
            }
        }
        /* A single-character class, maybe with a repetition suffix. */
        const char *ep = class_end(m, p);
        if (!ep)
            goto done;
        char suffix = ep < end ? *ep : '\0';
        if (!class_matches(m, s, p, ep)) {
            if (suffix == '*' || suffix == '?' || suffix == '-') {
                p = ep + 1;          /* zero repetitions */
                continue;
            }
            goto done;
        }
        switch (suffix) {
        case '?': {
            const char *r = match_here(m, s + 1, ep + 1);
            if (r || m->error || m->stopped) {
                result = r;
                goto done;
            }
            p = ep + 1;
            continue;
        }
        case '+':
            result = match_greedy(m, s + 1, p, ep);
            goto done;
        case '*':
            result = match_greedy(m, s, p, ep);
            goto done;
        case '-':
            result = match_lazy(m, s, p, ep);
            goto done;
        default:
            s++;
            p = ep;
            continue;
        }
    }
    result = s;
done:
    m->depth--;
    if (m->error || m->stopped)
        return NULL;
    return result;
}

const char *pattern_match_at(struct pattern_matcher *m, const char *s, const char *p)
{
    m->ncaptures = 0;
    m->depth = 0;
    return match_here(m, s, p);
}
