/* A search response is megabytes, written once into fresh memory (curl's
 * body buffer, then the Lua string): on 4 KB pages that is a page fault
 * every 4 KB, much of the time of reading it.  Asked for transparent huge
 * pages, a block this big takes a fault per 2 MB where the kernel offers
 * them on request (THP "madvise" mode, as Debian ships it). */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "huge_pages.h"

void huge_pages_advise(void *p, size_t n)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return;
    uintptr_t from = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t to = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
}
