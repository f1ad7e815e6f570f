/* One libFuzzer target that hands each input to a Lua driver.
 *
 * Built once per driver (make fuzz: -DFUZZ_DRIVER="fuzz/json.lua"), with
 * tinkr.core compiled in and lua/ on package.path.  The driver returns a
 * function(data); the input is a failure (libFuzzer records it) when that
 * function raises: tinkr's parsers answer bad input with nil, err and
 * never raise, so any raise is a bug.  A driver may also check properties
 * (a round trip, agreement with a reference) and raise when they fail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lauxlib.h>
#include <lualib.h>
#include "modules.h"
#include "../src/server/request_check.h"

#ifndef FUZZ_DRIVER
#error "build with -DFUZZ_DRIVER=\"fuzz/<target>.lua\""
#endif

static lua_State *state;
static int driver_ref = LUA_NOREF;

/* request_utf8_valid(s) for the request driver: the server's C check. */
static int l_request_utf8_valid(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushboolean(L, request_utf8_valid(s, len));
    return 1;
}

static int l_request_has_encoded_nul(lua_State *L)
{
    lua_pushboolean(L, request_has_encoded_nul(luaL_checkstring(L, 1)));
    return 1;
}

static void setup(void)
{
    state = luaL_newstate();
    luaL_openlibs(state);
    luaL_getsubtable(state, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(state, luaopen_tinkr_core);
    lua_setfield(state, -2, "tinkr.core");
    lua_pop(state, 1);
    lua_register(state, "request_utf8_valid", l_request_utf8_valid);
    lua_register(state, "request_has_encoded_nul", l_request_has_encoded_nul);
    if (luaL_dostring(state, "package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path") != LUA_OK ||
        luaL_loadfile(state, FUZZ_DRIVER) != LUA_OK || lua_pcall(state, 0, 1, 0) != LUA_OK ||
        !lua_isfunction(state, -1)) {
        fprintf(stderr, "fuzz: cannot load %s (run from the repository root): %s\n", FUZZ_DRIVER,
                lua_tostring(state, -1));
        exit(2);
    }
    driver_ref = luaL_ref(state, LUA_REGISTRYINDEX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!state)
        setup();
    lua_rawgeti(state, LUA_REGISTRYINDEX, driver_ref);
    lua_pushlstring(state, (const char *)data, size);
    if (lua_pcall(state, 1, 0, 0) != LUA_OK) {
        fprintf(stderr, "fuzz: %s raised: %s\n", FUZZ_DRIVER, lua_tostring(state, -1));
        abort();
    }
    lua_settop(state, 0);
    lua_gc(state, LUA_GCSTEP, 0);
    return 0;
}
