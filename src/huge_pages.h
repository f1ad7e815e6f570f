/* Transparent huge pages for big, short-lived buffers (see huge_pages.c). */
#ifndef TINKR_HUGE_PAGES_H
#define TINKR_HUGE_PAGES_H

#include <stddef.h>

/* Blocks at least this big are worth asking for. */
#define HUGE_PAGES_MIN_BLOCK ((size_t)4 << 20)

/* Asks the kernel to back [p, p + n) with huge pages where it offers them
 * on request; a hint, so failures are ignored. */
void huge_pages_advise(void *p, size_t n);

#endif
