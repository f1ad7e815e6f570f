/*
 * The bytes of a JSON string that need a closer look, 16 at a time: shared
 * by the strict scanner (json_scan.c) and map.ndjson's fast walk
 * (map_fast.c).
 */
#ifndef TINKR_JSON_SIMD_H
#define TINKR_JSON_SIMD_H

#if defined(__SSE2__)
#include <emmintrin.h>

/* One bit per byte of the 16 at p that is '"', '\\', a control character or
 * >= 0x80 (SSE2 is part of every x86-64).  A signed compare with 0x20
 * catches control characters and bytes >= 0x80 together. */
static inline unsigned special_bytes16(const unsigned char *p)
{
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  __m128i c = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, b), c));
}
#endif

#endif
