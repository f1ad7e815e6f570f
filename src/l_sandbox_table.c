/* The sandbox's table library (concat and sort of our own, move, insert
 * and remove charged per element) and the "linear" wrapper that charges
 * any other library function for the bytes it is given and returns. */
#include <limits.h>
#include <string.h>
#include <lauxlib.h>
#include "budget.h"

#define MAX_STRING ((size_t)INT_MAX)   /* as Lua's string library */

/* ---- linear: charge by size, then call the real function --------------- */

static long string_bytes(lua_State *L, int from, int to)
{
    size_t total = 0;
    for (int i = from; i <= to; i++) {
        if (lua_type(L, i) == LUA_TSTRING)
            total += lua_rawlen(L, i);
        else if (lua_type(L, i) == LUA_TTABLE)
            total += lua_rawlen(L, i);
    }
    return (long)(total / 8) + 1;
}

static int linear_call(lua_State *L)
{
    int n = lua_gettop(L);
    budget_charge(L, string_bytes(L, 1, n));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    int results = lua_gettop(L);
    budget_charge(L, string_bytes(L, 1, results));
    return results;
}

void sandbox_push_linear_lib(lua_State *L, int original)
{
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, original)) {
        if (lua_type(L, -1) == LUA_TFUNCTION)
            lua_pushcclosure(L, linear_call, 1);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -4);
    }
}

/* ---- concat ------------------------------------------------------------ */

static int l_concat(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t seplen;
    const char *sep = luaL_optlstring(L, 2, "", &seplen);
    lua_Integer first = luaL_optinteger(L, 3, 1);
    lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    if (first > last) {
        lua_pushliteral(L, "");
        return 1;
    }
    /* First pass: check every item and add up the size, before building. */
    size_t total = 0;
    for (lua_Integer i = first;; i++) {
        budget_charge(L, 1);
        if (lua_geti(L, 1, i) != LUA_TSTRING && !lua_isnumber(L, -1))
            return luaL_error(L, "invalid value (at index %I) in table for 'concat'", (LUAI_UACINT)i);
        size_t len;
        lua_tolstring(L, -1, &len);
        lua_pop(L, 1);
        size_t add = len + (i == last ? 0 : seplen);
        if (add < len || total + add < total || total + add > MAX_STRING)
            return luaL_error(L, "resulting string too large");
        total += add;
        if (i == last)
            break;
    }
    budget_reserve(L, total);
    budget_charge(L, (long)(total / 16));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (lua_Integer i = first;; i++) {
        lua_geti(L, 1, i);
        if (!lua_isstring(L, -1))
            return luaL_error(L, "invalid value (at index %I) in table for 'concat'", (LUAI_UACINT)i);
        luaL_addvalue(&b);
        if (i == last)
            break;
        luaL_addlstring(&b, sep, seplen);
    }
    luaL_pushresult(&b);
    return 1;
}

/* ---- sort: heapsort, every comparison charged ------------------------- */

struct sorter {
    lua_State *L;
    int has_less;         /* a comparison function is argument 2 */
};

/* t[i] < t[j] */
static int sort_less(struct sorter *so, lua_Integer i, lua_Integer j)
{
    lua_State *L = so->L;
    budget_charge(L, 1);
    if (so->has_less) {
        lua_pushvalue(L, 2);
        lua_geti(L, 1, i);
        lua_geti(L, 1, j);
        lua_call(L, 2, 1);
    } else {
        lua_geti(L, 1, i);
        lua_geti(L, 1, j);
        int lt = lua_compare(L, -2, -1, LUA_OPLT);
        lua_pop(L, 2);
        return lt;
    }
    int lt = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return lt;
}

static void sort_swap(lua_State *L, lua_Integer i, lua_Integer j)
{
    lua_geti(L, 1, i);
    lua_geti(L, 1, j);
    lua_seti(L, 1, i);
    lua_seti(L, 1, j);
}

/* Restores the heap property below root, within 1..end. */
static void sift_down(struct sorter *so, lua_Integer root, lua_Integer end)
{
    while (root <= end / 2) {
        lua_Integer child = 2 * root;
        if (child + 1 <= end && sort_less(so, child, child + 1))
            child++;
        if (!sort_less(so, root, child))
            return;
        sort_swap(so->L, root, child);
        root = child;
    }
}

static int l_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    if (n > 1) {
        luaL_argcheck(L, n < INT32_MAX, 1, "array too big");
        struct sorter so = { L, !lua_isnoneornil(L, 2) };
        if (so.has_less)
            luaL_checktype(L, 2, LUA_TFUNCTION);
        lua_settop(L, 2);
        luaL_checkstack(L, 8, "sort");
        for (lua_Integer i = n / 2; i >= 1; i--)
            sift_down(&so, i, n);
        for (lua_Integer end = n; end > 1; end--) {
            sort_swap(L, 1, end);
            sift_down(&so, 1, end - 1);
        }
    }
    return 0;
}

/* ---- move, insert, remove: charged per element they may shift ---------- */

static int charged_call(lua_State *L, lua_Integer elements)
{
    budget_charge(L, elements > (1L << 40) ? (1L << 40) : (long)elements + 1);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int l_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    lua_Integer count = e >= f ? (lua_Integer)((lua_Unsigned)e - (lua_Unsigned)f) : 0;
    return charged_call(L, count < 0 ? LUA_MAXINTEGER : count);
}

static int l_shift(lua_State *L)
{
    return charged_call(L, lua_type(L, 1) == LUA_TTABLE ? (lua_Integer)lua_rawlen(L, 1) : 0);
}

void sandbox_push_table_lib(lua_State *L, int original)
{
    sandbox_push_linear_lib(L, original);
    lua_pushcfunction(L, l_concat);
    lua_setfield(L, -2, "concat");
    lua_pushcfunction(L, l_sort);
    lua_setfield(L, -2, "sort");
    static const struct { const char *name; lua_CFunction f; } charged[] = {
        { "move", l_move }, { "insert", l_shift }, { "remove", l_shift },
    };
    for (size_t i = 0; i < sizeof charged / sizeof charged[0]; i++) {
        lua_getfield(L, original, charged[i].name);
        lua_pushcclosure(L, charged[i].f, 1);
        lua_setfield(L, -2, charged[i].name);
    }
}
