/*
 * map.ndjson's lines as a Lua value (l_map_lines.c): the pieces of a
 * map_lines (map_mapper.h) kept as they are until written or asked for.
 */
#ifndef TINKR_MAP_LINES_H
#define TINKR_MAP_LINES_H

#include <lua.h>

#include "map_mapper.h"

/* Pushes an empty lines userdata (freed with the userdata) and returns it. */
map_lines *map_lines_new(lua_State *L);

/* Pushes the lines as one string. */
void map_lines_push_text(lua_State *L, const map_lines *lines);

#endif
