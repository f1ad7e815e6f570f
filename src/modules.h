/* The Lua-facing areas of tinkr.core; each lives in its own l_*.c file. */
#ifndef TINKR_MODULES_H
#define TINKR_MODULES_H

#include <lua.h>

int luaopen_tinkr_http(lua_State *L);
int luaopen_tinkr_json(lua_State *L);
int luaopen_tinkr_map(lua_State *L);
int luaopen_tinkr_sandbox(lua_State *L);
int luaopen_tinkr_text(lua_State *L);
int luaopen_tinkr_core(lua_State *L);

#define TINKR_VERSION "0.1.0"

#endif
