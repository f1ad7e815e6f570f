/* Lua-style string patterns (the language of string.find / match / gmatch /
 * gsub), matched by a backtracking matcher that counts its steps.
 *
 * Lua's own matcher runs to completion inside one C call, so a pattern such
 * as ".-.-.-.-.-b" against a long string can run for hours with no chance
 * for an instruction hook to stop it.  This one reports its work to a
 * caller-supplied charge function every PATTERN_CHARGE_EVERY steps; when
 * that returns nonzero the match gives up with m->stopped set.
 *
 * No Lua here: malformed patterns are reported through m->error, and the
 * Lua boundary (l_sandbox.c) turns them into errors. */
#ifndef TINKR_PATTERN_H
#define TINKR_PATTERN_H

#include <stddef.h>

#define PATTERN_MAX_CAPTURES 32
#define PATTERN_MAX_DEPTH 200          /* nested backtracking frames */
#define PATTERN_CHARGE_EVERY 4096      /* steps between calls of charge */

enum { PATTERN_CAP_OPEN = -1, PATTERN_CAP_POSITION = -2 };

struct pattern_capture {
    const char *start;
    ptrdiff_t len;                     /* or PATTERN_CAP_OPEN / _POSITION */
};

struct pattern_matcher {
    const char *subject, *subject_end;
    const char *pattern_end;
    int ncaptures;
    struct pattern_capture captures[PATTERN_MAX_CAPTURES];
    int depth;
    long steps;                        /* not yet charged */
    int stopped;                       /* charge asked to stop */
    const char *error;                 /* malformed pattern, or NULL */
    char error_buf[64];
    int (*charge)(void *ud, long steps);
    void *charge_ud;
};

/* Prepares m for matching pattern [pattern, pattern_end) against the
 * subject [subject, subject + subject_len).  charge may be NULL. */
void pattern_init(struct pattern_matcher *m, const char *subject, size_t subject_len,
                  const char *pattern_end, int (*charge)(void *, long), void *charge_ud);

/* Tries to match the pattern starting at p against the subject at s (no
 * scanning: the caller moves s).  Returns the end of the match, or NULL
 * when there is none, the pattern is malformed (m->error) or charge said
 * stop (m->stopped).  Captures are left in m. */
const char *pattern_match_at(struct pattern_matcher *m, const char *s, const char *p);

/* Charges the steps not yet reported (call after the last match). */
void pattern_flush(struct pattern_matcher *m);

/* 1 if the pattern has no special characters (a plain substring search). */
int pattern_is_plain(const char *p, size_t len);

/* First occurrence of needle in haystack, or NULL; charges its comparisons
 * through m (which only needs charge set up). */
const char *pattern_find_plain(struct pattern_matcher *m, const char *haystack, size_t hlen,
                               const char *needle, size_t nlen);

#endif
