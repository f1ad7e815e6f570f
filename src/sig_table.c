/* Signature table: word-at-a-time hashes, open addressing with linear probing,
 * grown at half full.  Entries keep their own copies of key and example. */
#include <stdlib.h>
#include <string.h>
#include "log_mask.h"
#include "sig_table.h"

void sig_table_init(sig_table *t, unsigned flags)
{
    memset(t, 0, sizeof *t);
    t->flags = flags;
}

void sig_table_free(sig_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->entries[i].key);
        free(t->entries[i].example);
    }
    free(t->entries);
    free(t->slots);
    free(t->scratch);
    memset(t, 0, sizeof *t);
}

/* 8 bytes a step (signatures are tens of bytes; a byte-wise hash showed
 * up in profiles). */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static int grow_slots(sig_table *t)
{
    size_t nslots = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t s = (size_t)t->entries[i].hash & (nslots - 1);
        while (slots[s])
            s = (s + 1) & (nslots - 1);
        slots[s] = (uint32_t)(i + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

static char *copy(const char *p, size_t n)
{
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, p, n);
        c[n] = '\0';
    }
    return c;
}

size_t sig_table_add(sig_table *t, const char *msg, size_t len, int *is_new)
{
    *is_new = 0;
    if (len > (SIZE_MAX - 64) / 4 || len > UINT32_MAX)
        return 0;
    size_t need = 4 * len + 64;
    if (need > t->scratch_cap) {
        char *s = realloc(t->scratch, need);
        if (!s)
            return 0;
        t->scratch = s;
        t->scratch_cap = need;
    }
    size_t klen = log_mask(msg, len, t->scratch, t->scratch_cap, t->flags);
    uint64_t h = hash_bytes(t->scratch, klen);
    if (t->nslots == 0 && grow_slots(t) != 0)
        return 0;
    size_t s = (size_t)h & (t->nslots - 1);
    while (t->slots[s]) {
        sig_entry *e = &t->entries[t->slots[s] - 1];
        if (e->hash == h && e->key_len == klen && memcmp(e->key, t->scratch, klen) == 0) {
            e->count++;
            return t->slots[s];
        }
        s = (s + 1) & (t->nslots - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        sig_entry *e = realloc(t->entries, cap * sizeof *e);
        if (!e)
            return 0;
        t->entries = e;
        t->cap = cap;
    }
    if (t->n >= UINT32_MAX - 1)
        return 0;
    sig_entry *e = &t->entries[t->n];
    e->key = copy(t->scratch, klen);
    e->example = copy(msg, len);
    if (!e->key || !e->example) {
        free(e->key);
        free(e->example);
        return 0;
    }
    e->key_len = klen;
    e->example_len = len;
    e->hash = h;
    e->count = 1;
    t->slots[s] = (uint32_t)(t->n + 1);
    t->n++;
    *is_new = 1;
    if (2 * t->n > t->nslots && grow_slots(t) != 0)
        return 0;
    return t->n;
}

int64_t sig_table_add_lines(sig_table *t, const char *p, size_t len)
{
    const char *end = p + len;
    int64_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0) {
            int is_new;
            if (sig_table_add(t, p, n, &is_new) == 0)
                return -1;
            lines++;
        }
        p = nl ? nl + 1 : end;
    }
    return lines;
}
