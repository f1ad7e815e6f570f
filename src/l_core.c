/* tinkr.core: one table holding the C primitives (http, json, map, sandbox, text).
 * The same object file goes into bin/tinkr and build/lib/tinkr/core.so. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <lauxlib.h>
#include "modules.h"
#include "iso_time.h"
#include "signals.h"
#include <signal.h>
#include "interrupt.h"
#include "private_file.h"

/* core.monotonic() -> seconds (float) from a clock that never jumps; for
 * measuring how long a request took. */
static int core_monotonic(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
    return 1;
}

/* core.now_ns() -> wall-clock time as integer nanoseconds since the epoch
 * (os.time() has only whole seconds). */
static int core_now_ns(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushinteger(L, (lua_Integer)ts.tv_sec * 1000000000 + ts.tv_nsec);
    return 1;
}

static void add_area(lua_State *L, const char *field, lua_CFunction open)
{
    lua_pushcfunction(L, open);
    lua_call(L, 0, 1);
    lua_setfield(L, -2, field);
}

/* core.iso_ns(text) -> integer ns | nil: RFC 3339 in C (the Lua parser in
 * tinkr.time is the reference; this one is for rows in bulk). */
static int core_iso_ns(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int64_t ns;
    if (iso_time_parse(s, len, &ns) != 0)
        return 0;
    lua_pushinteger(L, (lua_Integer)ns);
    return 1;
}

/* core.iso_format(ns) -> RFC 3339 UTC with 3, 6 or 9 fraction digits. */
static int core_iso_format(lua_State *L)
{
    char buf[40];
    size_t n = iso_time_format((int64_t)luaL_checkinteger(L, 1), buf);
    lua_pushlstring(L, buf, n);
    return 1;
}

/* core.isatty(fd) -> boolean: colour and tables only on a terminal. */
static int core_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_optinteger(L, 1, 1)));
    return 1;
}

/* core.terminal_width([fd]) -> columns | nil when fd is not a terminal. */
static int core_terminal_width(lua_State *L)
{
    struct winsize ws;
    if (ioctl((int)luaL_optinteger(L, 1, 1), TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
        return 0;
    lua_pushinteger(L, ws.ws_col);
    return 1;
}

/* core.file_mode(path) -> permission bits (integer) | nil, message: lets
 * Lua warn about a private key that others can read. */
static int core_file_mode(lua_State *L)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    struct stat st;
    if (strlen(path) != len)
        return luaL_argerror(L, 1, "path contains a NUL byte");
    if (stat(path, &st) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, strerror(errno));
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)(st.st_mode & 07777));
    return 1;
}

static const char *checked_path(lua_State *L, int arg)
{
    size_t len;
    const char *path = luaL_checklstring(L, arg, &len);
    if (strlen(path) != len)
        luaL_argerror(L, arg, "path contains a NUL byte");
    return path;
}

static int fail_with_errno(lua_State *L, const char *what, const char *path)
{
    lua_pushnil(L);
    lua_pushfstring(L, "%s %s: %s", what, path, strerror(errno));
    return 2;
}

/* core.mkdir_p(path [, mode = 0700]) -> true | nil, message: `mkdir -p`
 * without a shell; directories it creates get mode. */
static int core_mkdir_p(lua_State *L)
{
    const char *path = checked_path(L, 1);
    lua_Integer mode = luaL_optinteger(L, 2, 0700);
    luaL_argcheck(L, mode >= 0 && mode <= 07777, 2, "permission bits expected");
    if (private_mkdir_p(path, (unsigned)mode) != 0)
        return fail_with_errno(L, "cannot create directory", path);
    lua_pushboolean(L, 1);
    return 1;
}

/* core.write_private(path, text) -> true | nil, message: replaces the file
 * atomically with a new one only its owner can read (mode 0600). */
static int core_write_private(lua_State *L)
{
    const char *path = checked_path(L, 1);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    if (private_write(path, text, len) != 0)
        return fail_with_errno(L, "cannot write", path);
    lua_pushboolean(L, 1);
    return 1;
}

static int signal_number(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    if (strcmp(name, "HUP") == 0)
        return SIGHUP;
    if (strcmp(name, "TERM") == 0)
        return SIGTERM;
    return luaL_argerror(L, arg, "\"HUP\" or \"TERM\" expected");
}

/* core.signal_watch("HUP"|"TERM"): count that signal instead of dying of it. */
static int core_signal_watch(lua_State *L)
{
    if (signals_watch(signal_number(L, 1)) != 0)
        return luaL_error(L, "cannot install a handler for SIG%s", lua_tostring(L, 1));
    return 0;
}

/* core.signal_take("HUP"|"TERM") -> times it arrived since the last call */
static int core_signal_take(lua_State *L)
{
    lua_pushinteger(L, signals_take(signal_number(L, 1)));
    return 1;
}

/* core.sleep(seconds) -> true if cut short by a watched signal or Ctrl-C */
static int core_sleep(lua_State *L)
{
    lua_Number s = luaL_checknumber(L, 1);
    luaL_argcheck(L, s >= 0 && s <= 86400, 1, "seconds from 0 to 86400 expected");
    lua_pushboolean(L, signals_sleep((double)s));
    return 1;
}

int luaopen_tinkr_core(lua_State *L)
{
    static const luaL_Reg functions[] = {
        { "monotonic", core_monotonic },
        { "now_ns", core_now_ns },
        { "iso_ns", core_iso_ns },
        { "iso_format", core_iso_format },
        { "isatty", core_isatty },
        { "terminal_width", core_terminal_width },
        { "signal_watch", core_signal_watch },
        { "signal_take", core_signal_take },
        { "file_mode", core_file_mode },
        { "sleep", core_sleep },
        { "mkdir_p", core_mkdir_p },
        { "write_private", core_write_private },
        { NULL, NULL },
    };
    lua_createtable(L, 0, 12);
    add_area(L, "http", luaopen_tinkr_http);
    add_area(L, "json", luaopen_tinkr_json);
    add_area(L, "map", luaopen_tinkr_map);
    add_area(L, "sandbox", luaopen_tinkr_sandbox);
    add_area(L, "text", luaopen_tinkr_text);
    luaL_setfuncs(L, functions, 0);
    lua_pushliteral(L, TINKR_VERSION);
    lua_setfield(L, -2, "version");
    return 1;
}
