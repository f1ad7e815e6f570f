/*
 * Lua-side JSON pieces shared by the boundary files l_json.c and l_map.c,
 * so that map.rows builds values exactly as json.decode does.
 */
#ifndef TINKR_L_JSON_H
#define TINKR_L_JSON_H

#include <lua.h>

#include "json_scan.h"

/* Registry name of the metatable that marks arrays (json.array_mt). */
#define TINKR_JSON_ARRAY_MT "tinkr.json.array"

/* Pushes the array metatable, creating it on first use in this state. */
void tinkr_json_push_array_mt(lua_State *L);

/* Decodes the next value from s and pushes it.  array_mt is the absolute
 * stack index of the array metatable.  Returns 0, or -1 with nothing
 * pushed and the reason in s->err. */
int tinkr_json_push_value(lua_State *L, json_scanner *s, int array_mt);

/* Pushes a JSON_STRING token's text, unescaped. */
void tinkr_json_push_string(lua_State *L, const json_token *t);

/* Pushes nil and "invalid JSON at byte N: <reason>"; returns 2. */
int tinkr_json_push_error(lua_State *L, const json_scanner *s);

#endif
