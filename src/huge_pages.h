/*
 * Very large blocks (a search response, its copy as a Lua string, the JSON
 * lines made from it) on transparent huge pages.
 *
 * Touching fresh memory costs a page fault per 4 KB: ~1,900 for a 7.7 MB
 * response, and a 10,000-hit `tinkr logs` run touched ~3,000 such pages
 * (perf: page faults were about a fifth of its CPU).  malloc hands large
 * blocks out of its heap or unaligned mappings, where asking for huge pages
 * mostly misses, so blocks of HUGE_PAGES_MIN or more are mapped here, 2 MB
 * aligned, with MADV_HUGEPAGE: a fault per 2 MB where the kernel's THP mode
 * is "madvise" (Debian's default) or "always".  Where THP is off they are
 * ordinary pages.
 *
 * The size is the key: a block is one of these exactly when the size it
 * was allocated with is at least HUGE_PAGES_MIN, so callers must pass the
 * block's allocated size back (Lua's allocator protocol does).
 */
#ifndef TINKR_HUGE_PAGES_H
#define TINKR_HUGE_PAGES_H

#include <stddef.h>

#define HUGE_PAGES_MIN ((size_t)2 << 20)

/* realloc for blocks whose allocated size the caller keeps: old_size is
 * ptr's (0 with ptr NULL).  new_size 0 frees and returns NULL.  NULL on
 * failure, ptr untouched. */
void *huge_pages_realloc(void *ptr, size_t old_size, size_t new_size);

/* A lua_Alloc (ud unused) over huge_pages_realloc. */
void *huge_pages_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
