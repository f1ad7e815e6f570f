/*
 * tinkr.core.json — decode/encode between JSON text and Lua values.
 *
 * Syntax lives in json_scan.c; this file only builds and reads Lua values.
 * decode returns nil, err for bad data; encode raises for values JSON cannot
 * represent (that is a caller's mistake).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "l_json.h"

/* ---- decode ------------------------------------------------------------ */

void tinkr_json_push_array_mt(lua_State *L)
{
  /* a mark only: no metamethods, so arrays behave as plain tables */
  (void)luaL_newmetatable(L, TINKR_JSON_ARRAY_MT);
}

void tinkr_json_push_string(lua_State *L, const json_token *t)
{
  if (!t->escaped) {
    lua_pushlstring(L, t->str, t->len);
  } else if (t->len <= 256) {
    char tmp[256];
    lua_pushlstring(L, tmp, json_unescape(t->str, t->len, tmp, sizeof tmp));
  } else {
    luaL_Buffer b;   /* unescaping only ever shrinks, so len bytes suffice */
    char *dst = luaL_buffinitsize(L, &b, t->len);
    luaL_pushresultsize(&b, json_unescape(t->str, t->len, dst, t->len));
  }
}

/* Elements and members are first left on the stack, up to STAGE of them,
 * so that the table is created at its final size: one allocation for its
 * slots and no rehash while it fills.  A longer one is created then and
 * grows as it fills. */
#define STAGE 64

/* Creates the table below the `staged` values (pairs when `pairs`) that
 * sit above stack index base, moves them into it, and leaves it at base+1. */
static void unstage(lua_State *L, int base, int staged, int pairs)
{
  if (pairs) lua_createtable(L, 0, staged < STAGE ? staged : STAGE * 2);
  else lua_createtable(L, staged < STAGE ? staged : STAGE * 2, 0);
  lua_insert(L, base + 1);
  int t = base + 1;
  if (pairs) {
    for (int i = 0; i < staged; i++) {     /* in order: a repeated key's last value wins */
      lua_pushvalue(L, t + 1 + 2 * i);
      lua_pushvalue(L, t + 2 + 2 * i);
      lua_rawset(L, t);
    }
    lua_settop(L, t);
  } else {
    for (int i = staged; i >= 1; i--) lua_rawseti(L, t, i);
  }
}

static int push_array(lua_State *L, json_scanner *s, int array_mt)
{
  size_t n = 0;
  int rc, staged = 0, made = 0, base = lua_gettop(L);
  while ((rc = json_array_next(s, &n)) == 1) {
    if (!made && staged == STAGE) {
      unstage(L, base, staged, 0);
      made = 1;
    }
    luaL_checkstack(L, 4, "JSON array");
    if (tinkr_json_push_value(L, s, array_mt) < 0) break;
    if (made) lua_rawseti(L, base + 1, (lua_Integer)n);
    else staged++;
  }
  if (rc != 0) {
    lua_settop(L, base);
    return -1;
  }
  if (!made) unstage(L, base, staged, 0);
  lua_pushvalue(L, array_mt);
  lua_setmetatable(L, -2);
  return 0;
}

static int push_object(lua_State *L, json_scanner *s, int array_mt)
{
  size_t n = 0;
  int rc, staged = 0, made = 0, base = lua_gettop(L);
  json_token key;
  while ((rc = json_object_next(s, &key, &n)) == 1) {
    if (!made && staged == STAGE) {
      unstage(L, base, staged, 1);
      made = 1;
    }
    luaL_checkstack(L, 5, "JSON object");
    tinkr_json_push_string(L, &key);
    if (tinkr_json_push_value(L, s, array_mt) < 0) break;
    if (made) lua_rawset(L, base + 1);     /* a repeated key: the last one wins */
    else staged++;
  }
  if (rc != 0) {
    lua_settop(L, base);
    return -1;
  }
  if (!made) unstage(L, base, staged, 1);
  return 0;
}

int tinkr_json_push_value(lua_State *L, json_scanner *s, int array_mt)
{
  json_token t;
  switch (json_value(s, &t)) {
  case JSON_NULL:
    lua_pushlightuserdata(L, NULL);
    return 0;
  case JSON_FALSE:
    lua_pushboolean(L, 0);
    return 0;
  case JSON_TRUE:
    lua_pushboolean(L, 1);
    return 0;
  case JSON_NUMBER:
    if (t.is_int) lua_pushinteger(L, (lua_Integer)t.i);
    else lua_pushnumber(L, (lua_Number)t.d);
    return 0;
  case JSON_STRING:
    tinkr_json_push_string(L, &t);
    return 0;
  case JSON_ARRAY:
    luaL_checkstack(L, 4, "JSON nesting");
    return push_array(L, s, array_mt);
  case JSON_OBJECT:
    luaL_checkstack(L, 4, "JSON nesting");
    return push_object(L, s, array_mt);
  default:
    return -1;
  }
}

int tinkr_json_push_error(lua_State *L, const json_scanner *s)
{
  size_t at = s->err_at, len = (size_t)(s->end - s->start);
  lua_pushnil(L);
  if (strcmp(s->err, "unexpected character") == 0 && at < len) {
    unsigned c = s->start[at];
    char shown[8];
    if (c > ' ' && c < 0x7F) snprintf(shown, sizeof shown, "'%c'", (int)c);
    else snprintf(shown, sizeof shown, "0x%02x", c);
    lua_pushfstring(L, "invalid JSON at byte %I: unexpected character %s",
                    (lua_Integer)at + 1, shown);
  } else {
    lua_pushfstring(L, "invalid JSON at byte %I: %s", (lua_Integer)at + 1, s->err);
  }
  return 2;
}

static int json_decode(lua_State *L)
{
  size_t len;
  luaL_checktype(L, 1, LUA_TSTRING);
  const char *text = lua_tolstring(L, 1, &len);
  lua_settop(L, 1);
  tinkr_json_push_array_mt(L);         /* index 2 */
  json_scanner s;
  json_scan_init(&s, text, len);
  if (tinkr_json_push_value(L, &s, 2) < 0 || json_finish(&s) < 0)
    return tinkr_json_push_error(L, &s);
  return 1;
}

/* ---- encode ------------------------------------------------------------ */

/* Output goes into a userdata that lives in a fixed stack slot: Lua owns the
 * memory (an error cannot leak it), and unlike luaL_Buffer it does not care
 * what sits above it on the stack while tables are walked with lua_next. */
typedef struct {
  lua_State *L;
  int box;                 /* stack slot of the userdata holding the bytes */
  int array_mt;            /* stack slot of the array metatable */
  char *data;
  size_t len, cap;
  int depth;
  int path_slot;           /* stack slot anchoring a grown path array */
  int path_cap;
  struct path_entry {      /* the tables being encoded, for cycles and paths */
    const void *table;
    int key_slot;          /* stack slot of the current string key, or 0 */
    lua_Integer index;     /* current array index when key_slot == 0 */
  } *path, inline_path[16];  /* most documents are shallow: no allocation */
} encoder;

static void reserve(encoder *e, size_t need)
{
  if (e->cap - e->len >= need) return;
  size_t cap = e->cap * 2;
  if (cap - e->len < need) cap = e->len + need;
  char *data = lua_newuserdatauv(e->L, cap, 0);
  memcpy(data, e->data, e->len);
  lua_replace(e->L, e->box);
  e->data = data;
  e->cap = cap;
}

static void put(encoder *e, const char *s, size_t n)
{
  reserve(e, n);
  memcpy(e->data + e->len, s, n);
  e->len += n;
}

static inline void put_char(encoder *e, char c)
{
  reserve(e, 1);
  e->data[e->len++] = c;
}

/* Raises "bad argument #1 to 'encode' (<why> at $.a[2].b)". */
static int encode_error(encoder *e, const char *why)
{
  lua_State *L = e->L;
  luaL_checkstack(L, e->depth + 4, "JSON encode error path");
  lua_pushstring(L, "$");
  for (int i = 0; i < e->depth; i++) {
    if (e->path[i].key_slot) lua_pushfstring(L, ".%s", lua_tostring(L, e->path[i].key_slot));
    else if (e->path[i].index) lua_pushfstring(L, "[%I]", e->path[i].index);
    else lua_pushliteral(L, "");
  }
  lua_concat(L, e->depth + 1);
  return luaL_argerror(L, 1, lua_pushfstring(L, "%s at %s", why, lua_tostring(L, -1)));
}

static void encode_string(encoder *e, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  if (json_utf8_valid_prefix(s, len) != len) encode_error(e, "invalid UTF-8 in string");
  put_char(e, '"');
  size_t run = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    put(e, s + run, i - run);
    run = i + 1;
    char esc[6] = { '\\', 0 };
    size_t n = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
      esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
      n = 6;
    }
    put(e, esc, n);
  }
  put(e, s + run, len - run);
  put_char(e, '"');
}

static void encode_value(encoder *e, int idx);

static void encode_array(encoder *e, int idx, lua_Integer n)
{
  put_char(e, '[');
  for (lua_Integer i = 1; i <= n; i++) {
    if (i > 1) put_char(e, ',');
    e->path[e->depth - 1].index = i;
    lua_rawgeti(e->L, idx, i);
    encode_value(e, lua_gettop(e->L));
    lua_pop(e->L, 1);
  }
  put_char(e, ']');
}

typedef struct {
  const char *text;
  size_t len;
  int slot;                /* stack slot of the key */
} object_key;

static int key_order(const void *a, const void *b)
{
  const object_key *x = a, *y = b;
  int c = memcmp(x->text, y->text, x->len < y->len ? x->len : y->len);
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* Members in key order (bytewise), as `jq -S` or Python's sort_keys: a Lua
 * table's own order changes from run to run (Lua seeds its string
 * hashes), and the same data must give the same text. */
static void encode_object(encoder *e, int idx, lua_Integer count)
{
  lua_State *L = e->L;
  int base = lua_gettop(L);
  object_key few[32], *keys = few;
  if (count > (lua_Integer)(sizeof few / sizeof few[0])) {
    if ((size_t)count > SIZE_MAX / sizeof *keys) encode_error(e, "object too large");
    keys = lua_newuserdatauv(L, sizeof *keys * (size_t)count, 0);
    base++;
  }
  luaL_checkstack(L, (int)(count < INT_MAX - 8 ? count + 8 : INT_MAX), "JSON object keys");
  lua_Integer n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) && n < count) {   /* the keys stay on the stack */
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    keys[n].slot = lua_gettop(L) - 1;
    keys[n].text = lua_tolstring(L, keys[n].slot, &keys[n].len);  /* checked: strings */
    n++;
  }
  lua_settop(L, base + (int)n);
  qsort(keys, (size_t)n, sizeof *keys, key_order);
  put_char(e, '{');
  for (lua_Integer i = 0; i < n; i++) {
    if (i > 0) put_char(e, ',');
    e->path[e->depth - 1].key_slot = keys[i].slot;
    encode_string(e, keys[i].text, keys[i].len);
    put_char(e, ':');
    lua_pushvalue(L, keys[i].slot);
    lua_rawget(L, idx);
    encode_value(e, lua_gettop(L));
    lua_pop(L, 1);
  }
  e->path[e->depth - 1].key_slot = 0;
  put_char(e, '}');
  lua_settop(L, base - (keys != few));
}

/* An unmarked table is an array when its keys are exactly 1..n (n > 0) and
 * an object when they are all strings; {} is an object. */
static void encode_table(encoder *e, int idx)
{
  lua_State *L = e->L;
  const void *self = lua_topointer(L, idx);
  for (int i = 0; i < e->depth; i++)
    if (e->path[i].table == self) encode_error(e, "cycle (a table contains itself)");
  if (e->depth >= JSON_MAX_DEPTH) encode_error(e, "nesting deeper than 1000 levels");
  if (e->depth == e->path_cap) {       /* grow the path into a userdata */
    int cap = e->path_cap * 2 > JSON_MAX_DEPTH ? JSON_MAX_DEPTH : e->path_cap * 2;
    struct path_entry *grown = lua_newuserdatauv(e->L, sizeof *grown * (size_t)cap, 0);
    memcpy(grown, e->path, sizeof *grown * (size_t)e->depth);
    lua_replace(e->L, e->path_slot);
    e->path = grown;
    e->path_cap = cap;
  }
  luaL_checkstack(L, 6, "JSON nesting");
  e->path[e->depth].table = self;
  e->path[e->depth].key_slot = 0;
  e->path[e->depth].index = 0;
  e->depth++;

  int marked = 0;
  if (lua_getmetatable(L, idx)) {
    marked = lua_rawequal(L, -1, e->array_mt);
    lua_pop(L, 1);
  }
  if (marked) {
    encode_array(e, idx, (lua_Integer)lua_rawlen(L, idx));
  } else {
    lua_Integer count = 0, max = 0, strings = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) {
        strings++;
      } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0) {
        count++;
        if (lua_tointeger(L, -1) > max) max = lua_tointeger(L, -1);
      } else {
        encode_error(e, lua_pushfstring(L, "table key is not a string or array index (%s)",
                                        luaL_typename(L, -1)));
      }
    }
    if (count && strings) encode_error(e, "table mixes array indices and string keys");
    if (count && count != max) encode_error(e, "sparse array (keys are not exactly 1..n)");
    if (count) encode_array(e, idx, count);
    else encode_object(e, idx, strings);
  }
  e->depth--;
}

static void encode_value(encoder *e, int idx)
{
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    put(e, "null", 4);
    break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, idx)) put(e, "true", 4);
    else put(e, "false", 5);
    break;
  case LUA_TNUMBER: {
    char buf[32];
    if (lua_isinteger(L, idx)) {
      put(e, buf, (size_t)snprintf(buf, sizeof buf, LUA_INTEGER_FMT,
                                   (LUAI_UACINT)lua_tointeger(L, idx)));
    } else {
      double d = (double)lua_tonumber(L, idx);
      if (!isfinite(d)) encode_error(e, "NaN or infinity cannot be encoded");
      put(e, buf, json_format_double(d, buf));
    }
    break;
  }
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    encode_string(e, s, len);
    break;
  }
  case LUA_TTABLE:
    encode_table(e, idx);
    break;
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, idx) == NULL) {
      put(e, "null", 4);
      break;
    }
    /* fall through */
  default:
    encode_error(e, lua_pushfstring(L, "cannot encode a %s", luaL_typename(L, idx)));
  }
}

/* Pushes the array metatable, the encoder, its byte buffer and a slot for a
 * grown path (4 stack slots) and returns the encoder. */
static encoder *encoder_start(lua_State *L)
{
  tinkr_json_push_array_mt(L);
  int mt = lua_gettop(L);
  encoder *e = lua_newuserdatauv(L, sizeof *e, 0);
  e->L = L;
  e->array_mt = mt;
  e->box = mt + 2;
  e->cap = 256;
  e->len = 0;
  e->depth = 0;
  e->data = lua_newuserdatauv(L, e->cap, 0);    /* mt + 2 */
  lua_pushnil(L);                                /* mt + 3: a grown path, if any */
  e->path_slot = mt + 3;
  e->path = e->inline_path;
  e->path_cap = (int)(sizeof e->inline_path / sizeof e->inline_path[0]);
  return e;
}

static int json_encode(lua_State *L)
{
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  encoder *e = encoder_start(L);
  encode_value(e, 1);
  lua_pushlstring(L, e->data, e->len);
  return 1;
}

/* encode_object(t, keys) -> '{"k1":v1,"k2":v2}' with the keys in the order
 * given (absent ones left out): row formats want a stable field order, which
 * a Lua table cannot give. */
static int json_encode_object(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_Integer n = luaL_len(L, 2);
  encoder *e = encoder_start(L);
  int first = 1;
  put(e, "{", 1);
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
      luaL_error(L, "bad argument #2 to 'encode_object' (key %d is not a string)", (int)i);
    lua_pushvalue(L, -1);
    if (lua_gettable(L, 1) != LUA_TNIL) {
      size_t klen;
      const char *k = lua_tolstring(L, -2, &klen);
      if (!first) put(e, ",", 1);
      first = 0;
      encode_string(e, k, klen);
      put(e, ":", 1);
      encode_value(e, lua_gettop(L));
    }
    lua_pop(L, 2);
  }
  put(e, "}", 1);
  lua_pushlstring(L, e->data, e->len);
  return 1;
}

/* ---- the rest of the module --------------------------------------------- */

static int json_array(lua_State *L)
{
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
  }
  tinkr_json_push_array_mt(L);
  lua_setmetatable(L, 1);
  return 1;
}

int luaopen_tinkr_json(lua_State *L)
{
  static const luaL_Reg funcs[] = {
    { "decode", json_decode },
    { "encode", json_encode },
    { "encode_object", json_encode_object },
    { "array", json_array },
    { NULL, NULL },
  };
  luaL_newlib(L, funcs);
  lua_pushlightuserdata(L, NULL);      /* the same sentinel as cjson.null */
  lua_setfield(L, -2, "null");
  tinkr_json_push_array_mt(L);
  lua_setfield(L, -2, "array_mt");
  return 1;
}
