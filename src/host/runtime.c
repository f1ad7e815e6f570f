/* The embedding runtime: state creation and the one protected-call path.
 *
 * Ctrl-C follows lua.c: the signal handler only arms a count hook (and the
 * flag that aborts HTTP transfers); the hook raises the error inside Lua, so
 * nothing unsafe happens in the handler itself. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include <lua-cjson.h>
#include "runtime.h"
#include "loader.h"
#include "modules.h"
#include "interrupt.h"
#include "huge_pages.h"

/* lua-cjson.h from Debian declares only luaopen_cjson; the library has both. */
int luaopen_cjson_safe(lua_State *L);

/* The state a SIGINT should interrupt.  A signal handler has no other way
 * to reach it; it is only read there. */
static lua_State *volatile interrupt_target;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted");
}

static void on_sigint(int sig)
{
    (void)sig;
    tinkr_interrupt_set();
    lua_State *L = interrupt_target;
    if (L)
        lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void runtime_clear_interrupt(lua_State *L)
{
    lua_sethook(L, NULL, 0, 0);
    tinkr_interrupt_clear();
}

/* A tinkr.errors value: a table with string code and message fields. */
static int is_error_value(lua_State *L, int idx)
{
    if (!lua_istable(L, idx))
        return 0;
    idx = lua_absindex(L, idx);
    int code = lua_getfield(L, idx, "code") == LUA_TSTRING;
    int msg = lua_getfield(L, idx, "message") == LUA_TSTRING;
    lua_pop(L, 2);
    return code && msg;
}

/* Message handler: adds a traceback to string errors.  A tinkr.errors
 * value (misuse of the API, or a failure a script re-raised) is passed on
 * untouched: it already says what to do in one line, and its code gives
 * the exit status. */
static int message_handler(lua_State *L)
{
    if (is_error_value(L, 1))
        return 1;
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int runtime_pcall(lua_State *L, int narg, int nresults)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, narg, nresults, base);
    lua_remove(L, base);
    return status;
}

int runtime_call(lua_State *L, int narg, int nresults)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    runtime_clear_interrupt(L);
    interrupt_target = L;
    void (*previous)(int) = signal(SIGINT, on_sigint);
    int status = lua_pcall(L, narg, nresults, base);
    signal(SIGINT, previous);
    interrupt_target = NULL;
    lua_remove(L, base);
    return status;
}

int runtime_report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        if (!msg && is_error_value(L, -1)) {
            lua_getfield(L, -1, "message");
            fprintf(stderr, "tinkr: %s\n", lua_tostring(L, -1));
            lua_pop(L, 1);
        } else {
            fprintf(stderr, "tinkr: %s\n", msg ? msg : "(error object is not a string)");
        }
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}

int runtime_exit_status(lua_State *L, int idx, int fallback)
{
    if (!is_error_value(L, idx))
        return fallback;
    idx = lua_absindex(L, idx);
    int top = lua_gettop(L);
    int status = fallback;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tinkr.errors");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_getfield(L, -1, "exit_status") == LUA_TFUNCTION) {
        lua_pushvalue(L, idx);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_isinteger(L, -1))
            status = (int)lua_tointeger(L, -1);
    }
    lua_settop(L, top);
    return status;
}

/* Makes the global `tinkr` appear on first use, so scripts and the REPL
 * have it without paying for loading it when they don't. */
static const char lazy_global[] =
    "local G = _G\n"
    "setmetatable(G, { __index = function(t, k)\n"
    "  if k == 'tinkr' then local m = require 'tinkr'; rawset(t, k, m); return m end\n"
    "end })\n";

static int open_all(lua_State *L)
{
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_tinkr_core);
    lua_setfield(L, -2, "tinkr.core");
    lua_pushcfunction(L, luaopen_cjson);
    lua_setfield(L, -2, "cjson");
    lua_pushcfunction(L, luaopen_cjson_safe);
    lua_setfield(L, -2, "cjson.safe");
    lua_pop(L, 1);
    loader_install(L);
    if (luaL_loadbufferx(L, lazy_global, sizeof lazy_global - 1, "=tinkr", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 0);
    return 0;
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "tinkr: unprotected error in Lua: %s\n", msg ? msg : "(not a string)");
    fflush(stderr);
    return 0;   /* Lua aborts the process */
}

lua_State *runtime_open_with(lua_Alloc alloc, void *ud)
{
    /* the standard allocator, asking huge pages for very large blocks */
    lua_State *L = lua_newstate(alloc ? alloc : huge_pages_lua_alloc, ud);
    if (!L)
        return NULL;
    lua_atpanic(L, panic);
    lua_pushcfunction(L, open_all);
    if (runtime_report(L, runtime_pcall(L, 0, 0)) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    return L;
}

lua_State *runtime_open(void)
{
    return runtime_open_with(NULL, NULL);
}
