/* tinkr.core.text: text primitives for log signatures.
 *   text.mask(s [, flags]) -> s with its variable parts masked (log_mask.c)
 *   text.grouper([flags]) -> g, a table of signatures (sig_table.c):
 *     g:add(msg) -> id, is_new     g:add_lines(text) -> number of lines
 *     g:add_file(path) -> number of lines | nil, message
 *     g:size()   g:signature(id)   g:count(id)   g:example(id)
 *   text.FLAGS = { uuid = 1, email = 2, ... } (bits for flags)
 *   text.DEFAULT = the flags tinkr errors uses unless queries/masks.lua says */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lauxlib.h>
#include "log_mask.h"
#include "sig_table.h"
#include "modules.h"

#define DEFAULT_FLAGS (LOG_MASK_UUID | LOG_MASK_EMAIL | LOG_MASK_IP | LOG_MASK_DURATION | \
                       LOG_MASK_DIGITS | LOG_MASK_HEX | LOG_MASK_QUOTED | LOG_MASK_URL | LOG_MASK_KV)

#define GROUPER "tinkr.text.grouper"

static lua_Integer check_flags(lua_State *L, int arg)
{
    lua_Integer flags = luaL_optinteger(L, arg, DEFAULT_FLAGS);
    luaL_argcheck(L, flags >= 0 && flags < (1 << 10), arg, "flags out of range");
    return flags;
}

static sig_table *check_grouper(lua_State *L)
{
    sig_table *t = luaL_checkudata(L, 1, GROUPER);
    return t;
}

static int grouper_new(lua_State *L)
{
    lua_Integer flags = check_flags(L, 1);
    sig_table *t = lua_newuserdatauv(L, sizeof *t, 0);
    sig_table_init(t, (unsigned)flags);
    luaL_setmetatable(L, GROUPER);
    return 1;
}

static int grouper_gc(lua_State *L)
{
    sig_table_free(check_grouper(L));
    return 0;
}

static int grouper_add(lua_State *L)
{
    sig_table *t = check_grouper(L);
    size_t len;
    const char *msg = luaL_checklstring(L, 2, &len);
    int is_new;
    size_t id = sig_table_add(t, msg, len, &is_new);
    if (id == 0)
        return luaL_error(L, "grouper: out of memory");
    lua_pushinteger(L, (lua_Integer)id);
    lua_pushboolean(L, is_new);
    return 2;
}

/* Every line of a text: the whole loop in C. */
static int grouper_add_lines(lua_State *L)
{
    sig_table *t = check_grouper(L);
    size_t len;
    const char *p = luaL_checklstring(L, 2, &len);
    int64_t lines = sig_table_add_lines(t, p, len);
    if (lines < 0)
        return luaL_error(L, "grouper: out of memory");
    lua_pushinteger(L, (lua_Integer)lines);
    return 1;
}

/* Every line of a file, read straight into C memory (no Lua string of
 * the whole file).  -> lines | nil, message */
#define MAX_FILE ((size_t)1 << 30)
static int grouper_add_file(lua_State *L)
{
    sig_table *t = check_grouper(L);
    const char *path = luaL_checkstring(L, 2);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: %s", path, strerror(e));
        return 2;
    }
    if ((size_t)st.st_size > MAX_FILE) {
        close(fd);
        luaL_pushfail(L);
        lua_pushfstring(L, "%s: larger than 1 GiB", path);
        return 2;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return luaL_error(L, "grouper: out of memory");
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    int64_t lines = sig_table_add_lines(t, buf, got);
    free(buf);
    if (lines < 0)
        return luaL_error(L, "grouper: out of memory");
    lua_pushinteger(L, (lua_Integer)lines);
    return 1;
}

static sig_entry *check_id(lua_State *L, sig_table *t)
{
    lua_Integer id = luaL_checkinteger(L, 2);
    luaL_argcheck(L, id >= 1 && (size_t)id <= t->n, 2, "no such signature id");
    return &t->entries[id - 1];
}

static int grouper_size(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_grouper(L)->n);
    return 1;
}

static int grouper_signature(lua_State *L)
{
    sig_entry *e = check_id(L, check_grouper(L));
    lua_pushlstring(L, e->key, e->key_len);
    return 1;
}

static int grouper_count(lua_State *L)
{
    sig_entry *e = check_id(L, check_grouper(L));
    lua_pushinteger(L, (lua_Integer)e->count);
    return 1;
}

static int grouper_example(lua_State *L)
{
    sig_entry *e = check_id(L, check_grouper(L));
    lua_pushlstring(L, e->example, e->example_len);
    return 1;
}

static int text_mask(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer flags = check_flags(L, 2);
    if (len > ((size_t)1 << 24))
        return luaL_argerror(L, 1, "message longer than 16 MiB");
    luaL_Buffer b;
    size_t cap = 4 * len + 64;
    char *out = luaL_buffinitsize(L, &b, cap);
    size_t n = log_mask(s, len, out, cap, (unsigned)flags);
    luaL_pushresultsize(&b, n);
    return 1;
}

int luaopen_tinkr_text(lua_State *L)
{
    static const luaL_Reg functions[] = {
        { "mask", text_mask },
        { "grouper", grouper_new },
        { NULL, NULL },
    };
    static const luaL_Reg methods[] = {
        { "add", grouper_add },
        { "add_lines", grouper_add_lines },
        { "add_file", grouper_add_file },
        { "size", grouper_size },
        { "signature", grouper_signature },
        { "count", grouper_count },
        { "example", grouper_example },
        { NULL, NULL },
    };
    if (luaL_newmetatable(L, GROUPER)) {
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, grouper_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, grouper_gc);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
    static const struct { const char *name; int bit; } flags[] = {
        { "uuid", LOG_MASK_UUID }, { "email", LOG_MASK_EMAIL }, { "ip", LOG_MASK_IP },
        { "duration", LOG_MASK_DURATION }, { "digits", LOG_MASK_DIGITS }, { "hex", LOG_MASK_HEX },
        { "quoted", LOG_MASK_QUOTED }, { "url", LOG_MASK_URL }, { "kv", LOG_MASK_KV },
        { "kv_all", LOG_MASK_KV_ALL },
    };
    luaL_newlib(L, functions);
    lua_createtable(L, 0, (int)(sizeof flags / sizeof flags[0]));
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        lua_pushinteger(L, flags[i].bit);
        lua_setfield(L, -2, flags[i].name);
    }
    lua_setfield(L, -2, "FLAGS");
    lua_pushinteger(L, DEFAULT_FLAGS);
    lua_setfield(L, -2, "DEFAULT");
    return 1;
}
