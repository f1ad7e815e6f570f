/*
 * The bytes of a JSON string that need a closer look ('"', '\\', control
 * characters, bytes >= 0x80), found many at a time: shared by the strict
 * scanner (json_scan.c) and map.ndjson's fast walk (map_fast.c).
 */
#ifndef TINKR_JSON_SIMD_H
#define TINKR_JSON_SIMD_H

#include <stdint.h>
#include <string.h>

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

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The same flags for 8 bytes, as the high bit of each (no SIMD needed).
 * Borrows only travel towards higher bytes, so the lowest flag is exact
 * (later ones may be spurious): with little-endian loads, the lowest set
 * bit names the first byte to look at. */
static inline uint64_t special_bytes8(uint64_t v)
{
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
  return (((q - ones) & ~q) | ((b - ones) & ~b) | (v - ones * 0x20) | v) & highs;
}
#endif

/* The first byte from p on (before e) that is '"', '\\', a control
 * character or >= 0x80 — where a string scanner has something to decide —
 * or e when there is none. */
static inline const unsigned char *json_next_special(const unsigned char *p, const unsigned char *e)
{
#if defined(__SSE2__)
  while (e - p >= 16) {
    unsigned hit = special_bytes16(p);
    if (hit) return p + __builtin_ctz(hit);
    p += 16;
  }
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (e - p >= 8) {
    uint64_t v, hit;
    memcpy(&v, p, 8);
    hit = special_bytes8(v);
    if (hit) return p + (__builtin_ctzll(hit) >> 3);
    p += 8;
  }
#endif
  while (p < e && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
  return p;
}

#endif
