/* Very large blocks on transparent huge pages; see huge_pages.h. */
#include "huge_pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* Whole 2 MB extents when that wastes at most an eighth (a partial extent
 * at the end gets 4 KB pages: 1.7 MB of them is ~430 faults), else pages. */
static size_t mapped_size(size_t n)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t huge = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  if (huge >= n && huge - n <= n / 8) return huge;
  return (n + page - 1) / page * page;
}

static void advise(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
  (void)madvise(p, n, MADV_HUGEPAGE);   /* refused (THP off): ordinary pages */
#else
  (void)p, (void)n;
#endif
}

/* A fresh mapping of n bytes starting on a 2 MB boundary. */
static void *map_big(size_t n)
{
  size_t size = mapped_size(n);
  if (size + HUGE_PAGE < size) return NULL;
  unsigned char *base = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  unsigned char *p = (unsigned char *)(((uintptr_t)base + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
  if (p > base) munmap(base, (size_t)(p - base));
  size_t tail = (size_t)(base + size + HUGE_PAGE - (p + size));
  if (tail) munmap(p + size, tail);
  advise(p, size);
  return p;
}

void *huge_pages_realloc(void *ptr, size_t old_size, size_t new_size)
{
  int was_big = ptr && old_size >= HUGE_PAGES_MIN;
  int big = new_size >= HUGE_PAGES_MIN;
  if (new_size == 0) {
    if (was_big) munmap(ptr, mapped_size(old_size));
    else free(ptr);
    return NULL;
  }
  if (!was_big && !big) return realloc(ptr, new_size);
  if (was_big && big) {
    size_t from = mapped_size(old_size), to = mapped_size(new_size);
    if (from == to) return ptr;
    void *p = mremap(ptr, from, to, 0);          /* in place keeps the alignment */
    if (p == MAP_FAILED) p = mremap(ptr, from, to, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) return NULL;
    if (to > from) advise((unsigned char *)p + from, to - from);
    return p;
  }
  void *p = big ? map_big(new_size) : malloc(new_size);
  if (!p) return NULL;
  if (ptr) {
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    if (was_big) munmap(ptr, mapped_size(old_size));
    else free(ptr);
  }
  return p;
}

void *huge_pages_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  (void)ud;
  /* without ptr, osize is the kind of object, not a size */
  return huge_pages_realloc(ptr, ptr ? osize : 0, nsize);
}
