/* The sandbox's string library: find, match, gmatch and gsub on our own
 * step-counting matcher (pattern.c), rep and format that check the size of
 * what they would build before building it, and every other function
 * charged for the bytes it reads.  Outside a budget they behave exactly
 * like Lua's string functions; inside one they stop when it runs out. */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <lauxlib.h>
#include "budget.h"
#include "pattern.h"

#define MAX_STRING ((size_t)INT_MAX)   /* as Lua's string library */

static int charge_matcher(void *ud, long steps)
{
    return budget_spend(ud, steps);
}

static void matcher_setup(lua_State *L, struct pattern_matcher *m, const char *s, size_t ls,
                          const char *pattern_end)
{
    struct budget *b = budget_current(L);
    pattern_init(m, s, ls, pattern_end, b ? charge_matcher : NULL, b);
}

/* Raises what the matcher reported, if anything. */
static void matcher_check(lua_State *L, struct pattern_matcher *m)
{
    if (m->stopped)
        budget_raise(L);
    if (m->error)
        luaL_error(L, "%s", m->error);
}

static void matcher_finish(lua_State *L, struct pattern_matcher *m)
{
    pattern_flush(m);
    matcher_check(L, m);
}

/* Capture i of the match [s, e) (the whole match when there are none). */
static void push_capture(lua_State *L, const struct pattern_matcher *m, int i, const char *s, const char *e)
{
    if (i >= m->ncaptures) {
        if (i != 0)
            luaL_error(L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(L, s, (size_t)(e - s));
        return;
    }
    ptrdiff_t len = m->captures[i].len;
    if (len == PATTERN_CAP_OPEN)
        luaL_error(L, "unfinished capture");
    if (len == PATTERN_CAP_POSITION)
        lua_pushinteger(L, (lua_Integer)(m->captures[i].start - m->subject) + 1);
    else
        lua_pushlstring(L, m->captures[i].start, (size_t)len);
}

/* All captures; with s NULL and no captures, none (find's extra results). */
static int push_captures(lua_State *L, const struct pattern_matcher *m, const char *s, const char *e)
{
    int n = (m->ncaptures == 0 && s) ? 1 : m->ncaptures;
    luaL_checkstack(L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(L, m, i, s, e);
    return n;
}

/* A 1-based (possibly negative) start position as a 0-based offset; may
 * be past the end (the caller checks). */
static size_t start_offset(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos - 1;
    if (pos == 0 || (size_t)-(pos + 1) >= len)   /* -(pos+1) cannot overflow */
        return 0;
    return len - (size_t)-pos;
}

static int find_or_match(lua_State *L, int find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        luaL_pushfail(L);
        return 1;
    }
    struct pattern_matcher m;
    matcher_setup(L, &m, s, ls, p + lp);
    if (find && (lua_toboolean(L, 4) || pattern_is_plain(p, lp))) {
        const char *at = pattern_find_plain(&m, s + init, ls - init, p, lp);
        matcher_finish(L, &m);
        if (at) {
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(at - s + (ptrdiff_t)lp));
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    int anchored = lp > 0 && *p == '^';
    if (anchored)
        p++;
    const char *start = s + init;
    do {
        const char *e = pattern_match_at(&m, start, p);
        matcher_check(L, &m);
        if (e) {
            matcher_finish(L, &m);
            if (find) {
                lua_pushinteger(L, (lua_Integer)(start - s) + 1);
                lua_pushinteger(L, (lua_Integer)(e - s));
                return push_captures(L, &m, NULL, NULL) + 2;
            }
            return push_captures(L, &m, start, e);
        }
    } while (start++ < m.subject_end && !anchored);
    matcher_finish(L, &m);
    luaL_pushfail(L);
    return 1;
}

static int l_find(lua_State *L) { return find_or_match(L, 1); }
static int l_match(lua_State *L) { return find_or_match(L, 0); }

/* ---- gmatch ------------------------------------------------------------ */

struct gmatch_state {
    size_t next;          /* offset where the next search starts */
    ptrdiff_t last_end;   /* offset where the last match ended, or -1 */
};

static int gmatch_step(lua_State *L)
{
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    struct gmatch_state *st = lua_touserdata(L, lua_upvalueindex(3));
    struct pattern_matcher m;
    matcher_setup(L, &m, s, ls, p + lp);
    for (const char *src = s + st->next; src <= m.subject_end; src++) {
        const char *e = pattern_match_at(&m, src, p);
        matcher_check(L, &m);
        if (e && (st->last_end < 0 || e != s + st->last_end)) {
            st->next = (size_t)(e - s);
            st->last_end = e - s;
            matcher_finish(L, &m);
            return push_captures(L, &m, src, e);
        }
    }
    st->next = ls + 1;
    matcher_finish(L, &m);
    return 0;
}

static int l_gmatch(lua_State *L)
{
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls)
        init = ls + 1;
    lua_settop(L, 2);
    struct gmatch_state *st = lua_newuserdatauv(L, sizeof *st, 0);
    st->next = init;
    st->last_end = -1;
    lua_pushcclosure(L, gmatch_step, 3);
    return 1;
}

/* ---- gsub -------------------------------------------------------------- */

/* Appends the replacement string (argument 3) for the match [s, e). */
static void add_template(lua_State *L, struct pattern_matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
    size_t len;
    const char *t = lua_tolstring(L, 3, &len);
    const char *end = t + len;
    m->steps += (long)len;
    const char *pct;
    while ((pct = memchr(t, '%', (size_t)(end - t))) != NULL) {
        luaL_addlstring(b, t, (size_t)(pct - t));
        char c = pct + 1 < end ? pct[1] : '\0';
        if (c == '%') {
            luaL_addchar(b, '%');
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)c)) {
            push_capture(L, m, c - '1', s, e);
            luaL_tolstring(L, -1, NULL);
            lua_remove(L, -2);
            luaL_addvalue(b);
        } else {
            luaL_error(L, "invalid use of '%%' in replacement string");
        }
        t = pct + 2;
    }
    luaL_addlstring(b, t, (size_t)(end - t));
}

static void add_replacement(lua_State *L, struct pattern_matcher *m, luaL_Buffer *b, const char *s,
                            const char *e, int kind)
{
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = push_captures(L, m, s, e);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        push_capture(L, m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        add_template(L, m, b, s, e);
        return;
    }
    if (!lua_toboolean(L, -1)) {          /* nil or false: keep the match */
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int l_gsub(lua_State *L)
{
    size_t ls, lp;
    const char *src = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE,
                     3, "string/function/table");
    struct pattern_matcher m;
    matcher_setup(L, &m, src, ls, p + lp);
    int anchored = lp > 0 && *p == '^';
    if (anchored)
        p++;
    const char *last_end = NULL;
    lua_Integer n = 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    while (n < max_n) {
        const char *e = pattern_match_at(&m, src, p);
        matcher_check(L, &m);
        if (e && e != last_end) {
            n++;
            m.steps += (long)(e - src);
            add_replacement(L, &m, &b, src, e, kind);
            src = last_end = e;
        } else if (src < m.subject_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchored)
            break;
    }
    matcher_finish(L, &m);
    luaL_addlstring(&b, src, (size_t)(m.subject_end - src));
    luaL_pushresult(&b);
    lua_pushinteger(L, n);
    return 2;
}

/* ---- functions that build big strings from small arguments ------------- */

static int l_rep(lua_State *L)
{
    size_t len, seplen;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &seplen);
    if (n <= 0 || len + seplen == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (len + seplen < len || (size_t)n > MAX_STRING / (len + seplen))
        return luaL_error(L, "resulting string too large");
    size_t total = (size_t)n * len + (size_t)(n - 1) * seplen;
    budget_reserve(L, total);
    budget_charge(L, (long)(total / 16) + 1);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, total);
    for (lua_Integer i = 0; i < n; i++) {
        memcpy(out, s, len);
        out += len;
        if (seplen && i + 1 < n) {
            memcpy(out, sep, seplen);
            out += seplen;
        }
    }
    luaL_pushresultsize(&b, total);
    return 1;
}

/* The longest text one conversion can produce from a non-string: Lua's
 * own bound for '%99.99f' of the largest double, rounded up. */
#define MAX_CONVERSION 512

/* format and pack: the size of the result is bounded before Lua's own
 * function (upvalue 1) builds it. */
static int l_format(lua_State *L)
{
    size_t flen;
    luaL_checklstring(L, 1, &flen);
    size_t bound = flen;
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++) {
        size_t len = 0;
        if (lua_type(L, i) == LUA_TSTRING)
            lua_tolstring(L, i, &len);
        bound += 4 * len + MAX_CONVERSION;     /* %q writes a byte as \ddd at worst */
    }
    budget_reserve(L, bound);
    budget_charge(L, (long)(bound / 16) + 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, 1);
    return 1;
}

static int l_pack(lua_State *L)
{
    size_t flen;
    const char *fmt = luaL_checklstring(L, 1, &flen);
    size_t bound = 0, count = 0;
    for (size_t i = 0; i < flen; i++) {        /* sizes such as c9999 pad with zeros */
        if (isdigit((unsigned char)fmt[i])) {
            count = count > MAX_STRING / 10 ? MAX_STRING : count * 10 + (size_t)(fmt[i] - '0');
        } else {
            bound = bound + count < bound ? MAX_STRING : bound + count;
            count = 0;
            bound += 16;
        }
    }
    bound = bound + count < bound ? MAX_STRING : bound + count;
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++) {
        size_t len = 0;
        if (lua_type(L, i) == LUA_TSTRING)
            lua_tolstring(L, i, &len);
        bound = bound + len + 16 < bound ? MAX_STRING : bound + len + 16;
    }
    budget_reserve(L, bound);
    budget_charge(L, (long)(bound / 16 > 1L << 40 ? 1L << 40 : bound / 16) + 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- the table --------------------------------------------------------- */

void sandbox_push_string_lib(lua_State *L, int original)
{
    sandbox_push_linear_lib(L, original);   /* every function charged by size */
    static const luaL_Reg own[] = {
        { "find", l_find },
        { "match", l_match },
        { "gmatch", l_gmatch },
        { "gsub", l_gsub },
        { "rep", l_rep },
        { NULL, NULL },
    };
    luaL_setfuncs(L, own, 0);
    lua_getfield(L, original, "format");
    lua_pushcclosure(L, l_format, 1);
    lua_setfield(L, -2, "format");
    lua_getfield(L, original, "pack");
    lua_pushcclosure(L, l_pack, 1);
    lua_setfield(L, -2, "pack");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");            /* bytecode: a sandbox never loads it */
}
