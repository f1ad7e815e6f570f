/*
 * map.stream(spec): a tap (http_tap.h) that maps a search response's hits
 * while it arrives; map.ndjson(body, spec, stream) then takes what it did
 * (map_stream_adopt in map_mapper.h).  See map_stream.c.
 */
#ifndef TINKR_MAP_STREAM_H
#define TINKR_MAP_STREAM_H

#include <stddef.h>

#include "map_mapper.h"

typedef struct map_stream map_stream;

/* Bytes a map_stream takes (it lives in a Lua userdata). */
size_t map_stream_size(void);

/* Sets st up to map with a copy of compiled spec m (whose tables the
 * caller keeps alive); -1 when out of memory. */
int map_stream_init(map_stream *st, const mapper *m);

/* Hits the worker mapped while the body arrived (0 before it is stopped
 * or when it never started), and whether map.ndjson took them. */
size_t map_stream_hits(const map_stream *st, int *adopted);

/* Stops the worker and frees what st holds; safe to call twice. */
void map_stream_free(map_stream *st);

#endif
