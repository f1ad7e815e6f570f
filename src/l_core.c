/* tinkr.core: one table holding the C primitives (http, json, map).
 * The same object file goes into bin/tinkr and build/lib/tinkr/core.so. */
#include <lauxlib.h>
#include "modules.h"

static void add_area(lua_State *L, const char *field, lua_CFunction open)
{
    lua_pushcfunction(L, open);
    lua_call(L, 0, 1);
    lua_setfield(L, -2, field);
}

int luaopen_tinkr_core(lua_State *L)
{
    lua_createtable(L, 0, 4);
    add_area(L, "http", luaopen_tinkr_http);
    add_area(L, "json", luaopen_tinkr_json);
    add_area(L, "map", luaopen_tinkr_map);
    lua_pushliteral(L, TINKR_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
