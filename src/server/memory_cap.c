/* The capped allocator (see memory_cap.h). */
#include <stdlib.h>
#include "memory_cap.h"
#include "huge_pages.h"

void *memory_cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct memory_cap *cap = ud;
    size_t old = ptr ? osize : 0;   /* without ptr, osize encodes a type, not a size */
    if (nsize == 0) {
        huge_pages_realloc(ptr, old, 0);
        cap->used -= old;
        return NULL;
    }
    /* Shrinking is never refused: Lua does not expect it to fail. */
    if (nsize > old && (nsize - old > cap->limit || cap->used > cap->limit - (nsize - old))) {
        cap->refusals++;
        if (cap->on_refuse)
            cap->on_refuse(cap->on_refuse_ud);
        return NULL;
    }
    void *p = huge_pages_realloc(ptr, old, nsize);
    if (!p)
        return NULL;
    cap->used = cap->used - old + nsize;
    return p;
}
