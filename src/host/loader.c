/* Module and resource lookup for bin/tinkr.
 *
 * Order: each directory of TINKR_PATH (colon-separated), then the user's
 * config directory ($XDG_CONFIG_HOME/tinkr or ~/.config/tinkr), then the
 * files embedded at build time.  A user overrides one module or template by
 * dropping a file with the same relative path into one of those
 * directories: tinkr/otel.lua shadows lua/tinkr/otel.lua, queries/x.lua
 * shadows queries/x.lua. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "loader.h"
#include "embedded.h"

static const struct embedded_file *embedded_find(const char *path)
{
    for (const struct embedded_file *f = embedded_files; f->path; f++)
        if (strcmp(f->path, path) == 0)
            return f;
    return NULL;
}

/* Pushes the list of user directories (a table) built from the environment. */
static void push_user_dirs(lua_State *L)
{
    lua_newtable(L);
    int n = 0;
    const char *tp = getenv("TINKR_PATH");
    if (tp) {
        const char *p = tp;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            if (len > 0) {
                lua_pushlstring(L, p, len);
                lua_rawseti(L, -2, ++n);
            }
            p += len + (colon ? 1 : 0);
        }
    }
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        lua_pushfstring(L, "%s/tinkr", xdg);
    else if (home && *home)
        lua_pushfstring(L, "%s/.config/tinkr", home);
    else
        return;
    lua_rawseti(L, -2, ++n);
}

/* Looks for relpath in the user directories (upvalue 1).  On success pushes
 * the file name and returns 1. */
static int find_user_file(lua_State *L, const char *relpath)
{
    int n = (int)luaL_len(L, lua_upvalueindex(1));
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, lua_upvalueindex(1), i);
        const char *candidate = lua_pushfstring(L, "%s/%s", lua_tostring(L, -1), relpath);
        lua_remove(L, -2);
        if (access(candidate, R_OK) == 0)
            return 1;
        lua_pop(L, 1);
    }
    return 0;
}

/* Loads relpath as a chunk, from a user directory or the embedded copy.
 * Pushes the function and its chunk name; returns 0 if not found anywhere. */
static int load_relpath(lua_State *L, const char *relpath, const char *embedded_path)
{
    if (find_user_file(L, relpath)) {
        const char *file = lua_tostring(L, -1);
        if (luaL_loadfilex(L, file, "t") != LUA_OK)
            return luaL_error(L, "error loading '%s':\n\t%s", file, lua_tostring(L, -1));
        lua_insert(L, -2);
        return 1;
    }
    const struct embedded_file *f = embedded_find(embedded_path);
    if (!f)
        return 0;
    lua_pushfstring(L, "@%s", f->path);
    /* precompiled at build time (tools/embed.lua); the source if the
     * bytecode does not load (a Lua 5.4 build with another format) */
    if (!f->bytecode || luaL_loadbufferx(L, f->bytecode, f->bytecode_size, lua_tostring(L, -1), "b") != LUA_OK) {
        if (f->bytecode)
            lua_pop(L, 1);
        if (luaL_loadbufferx(L, f->data, f->size, lua_tostring(L, -1), "t") != LUA_OK)
            return luaL_error(L, "error loading embedded '%s':\n\t%s", f->path, lua_tostring(L, -1));
    }
    lua_insert(L, -2);
    lua_pushstring(L, f->path);
    lua_replace(L, -2);
    return 1;
}

/* package.searchers entry: module a.b -> a/b.lua or a/b/init.lua. */
static int searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *modpath = luaL_gsub(L, name, ".", "/");
    const char *suffixes[] = { ".lua", "/init.lua" };
    for (int i = 0; i < 2; i++) {
        const char *rel = lua_pushfstring(L, "%s%s", modpath, suffixes[i]);
        const char *emb = lua_pushfstring(L, "lua/%s", rel);
        if (load_relpath(L, rel, emb))
            return 2;
        lua_pop(L, 2);
    }
    lua_pushfstring(L, "no file '%s.lua' in TINKR_PATH, the config directory or bin/tinkr", modpath);
    return 1;
}

/* tinkr.embedded.find(relpath) -> source, chunkname | nil
 * For resources such as files under queries/ that are loaded by the Lua layer
 * (into a sandbox), not required as modules. */
static int embedded_find_source(lua_State *L)
{
    const char *rel = luaL_checkstring(L, 1);
    if (find_user_file(L, rel)) {
        const char *file = lua_tostring(L, -1);
        FILE *fp = fopen(file, "rb");
        if (!fp)
            return 0;
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        size_t got;
        do {
            char *dst = luaL_prepbuffer(&b);
            got = fread(dst, 1, LUAL_BUFFERSIZE, fp);
            luaL_addsize(&b, got);
        } while (got == LUAL_BUFFERSIZE);
        fclose(fp);
        luaL_pushresult(&b);
        lua_pushfstring(L, "@%s", file);
        return 2;
    }
    const struct embedded_file *f = embedded_find(rel);
    if (!f)
        return 0;
    lua_pushlstring(L, f->data, f->size);
    lua_pushfstring(L, "@%s", f->path);
    return 2;
}

/* tinkr.embedded.list() -> { "lua/tinkr/init.lua", ... } */
static int embedded_list(lua_State *L)
{
    lua_newtable(L);
    int n = 0;
    for (const struct embedded_file *f = embedded_files; f->path; f++) {
        lua_pushstring(L, f->path);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

static int open_embedded(lua_State *L)
{
    lua_newtable(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, embedded_find_source, 1);
    lua_setfield(L, -2, "find");
    lua_pushcfunction(L, embedded_list);
    lua_setfield(L, -2, "list");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "user_dirs");
    return 1;
}

void loader_install(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    push_user_dirs(L);                       /* package searchers dirs */

    /* Shift searchers[2..n] up by one and put ours at 2. */
    int n = (int)luaL_len(L, -2);
    for (int i = n; i >= 2; i--) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -3, i + 1);
    }
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, searcher, 1);
    lua_rawseti(L, -3, 2);

    lua_getfield(L, -3, "preload");
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, open_embedded, 1);
    lua_setfield(L, -2, "tinkr.embedded");
    lua_pop(L, 4);
}
