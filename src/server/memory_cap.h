/* A lua_Alloc-compatible allocator that counts the bytes a Lua state holds
 * and refuses to grow past a limit.  Lua turns a refusal into a "not enough
 * memory" error (after an emergency collection), unwinds, and the state
 * stays usable.  One memory_cap per state; not thread-safe (a state is used
 * by one thread at a time).  No Lua here: the signature is plain C. */
#ifndef TINKR_SERVER_MEMORY_CAP_H
#define TINKR_SERVER_MEMORY_CAP_H

#include <stddef.h>

struct memory_cap {
    size_t used;           /* bytes currently allocated */
    size_t limit;          /* growth past this is refused */
    size_t refusals;       /* allocations refused since last reset */
    /* Called on each refusal (e.g. to arm a hook that stops a script). */
    void (*on_refuse)(void *ud);
    void *on_refuse_ud;
};

/* The allocator: pass memory_cap_alloc and a struct memory_cap * as ud to
 * lua_newstate. */
void *memory_cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
