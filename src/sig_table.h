/* Signatures seen so far: masked text -> id, with a count and the first
 * message that gave it (see log_mask.h).  Plain C, no Lua. */
#ifndef TINKR_SIG_TABLE_H
#define TINKR_SIG_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *key;                /* the signature (masked text), NUL-terminated */
    size_t key_len;
    char *example;            /* the first message with this signature */
    size_t example_len;
    uint64_t hash;
    int64_t count;
} sig_entry;

typedef struct {
    unsigned flags;           /* log_mask flags */
    sig_entry *entries;       /* in order of first appearance; id = index + 1 */
    size_t n, cap;
    uint32_t *slots;          /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;
    char *scratch;            /* masked text of the current message */
    size_t scratch_cap;
} sig_table;

void sig_table_init(sig_table *t, unsigned flags);
void sig_table_free(sig_table *t);

/* Masks msg and counts it.  Returns the signature's id (1-based), sets
 * *is_new, or returns 0 when memory ran out. */
size_t sig_table_add(sig_table *t, const char *msg, size_t len, int *is_new);

/* Every line of text ("\n"-separated, a trailing "\r" dropped, empty lines
 * skipped).  Returns the number of lines, or -1 when memory ran out. */
int64_t sig_table_add_lines(sig_table *t, const char *text, size_t len);

#endif
