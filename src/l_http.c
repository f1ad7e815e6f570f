/* tinkr.core.http: the Lua side of http_client.c (see docs/core-api.md).
 *
 * Misuse (wrong types, unknown options, CR/LF in a header) raises here,
 * before any transfer starts; failures of the network come back from
 * http_client as result codes and become nil, err.  Request tables are
 * read with raw access only, so no Lua code runs while C holds pointers
 * into them. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "budget.h"
#include "http_client.h"
#include "modules.h"
#include "interrupt.h"
#include "sigv4.h"
#include "http_buffer.h"
#include "http_tap.h"
#include "huge_pages.h"

#define CLIENT_MT "tinkr.http.client"
#define CLIENT_KEY "tinkr.http.client.instance"
#define MULTI_MT "tinkr.http.multi"
#define ERROR_MT "tinkr.http.error"

#define DEFAULT_TIMEOUT_S 30.0
#define DEFAULT_CONNECT_TIMEOUT_S 5.0
#define DEFAULT_MAX_BODY ((lua_Integer)256 * 1024 * 1024)
#define DEFAULT_MAX_PARALLEL 16
#define MAX_TIMEOUT_S 2000000.0 /* keeps milliseconds inside a 32-bit long */
#define MAX_METHOD_LEN 32

typedef struct {
  http_client *client;
} client_box;

typedef struct {
  http_group *group; /* NULL once closed */
} group_box;

typedef struct {
  http_request req;
  char method[MAX_METHOD_LEN + 1];
} request_storage;

/* ---- errors for misuse ---- */

/* Raises "bad argument #arg to 'f' ([request #n: ]message)". */
static int raise_arg(lua_State *L, int arg, int element, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  if (element > 0) msg = lua_pushfstring(L, "request #%d: %s", element, msg);
  return luaL_argerror(L, arg, msg);
}

/* Pushes s as a quoted one-line string with control bytes escaped. */
static const char *push_quoted(lua_State *L, const char *s, size_t len) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '"');
  for (size_t i = 0; i < len && i < 64; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\r') luaL_addstring(&b, "\\r");
    else if (c == '\n') luaL_addstring(&b, "\\n");
    else if (c == '"' || c == '\\') {
      luaL_addchar(&b, '\\');
      luaL_addchar(&b, (char)c);
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\%u", c);
      luaL_addstring(&b, esc);
    } else luaL_addchar(&b, (char)c);
  }
  if (len > 64) luaL_addstring(&b, "...");
  luaL_addchar(&b, '"');
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

/* ---- reading a request table ---- */

static const char *const request_options[] = {
    "method", "url", "headers", "body", "timeout", "connect_timeout",
    "max_body", "insecure", "cafile", "client_cert", "client_key", "username",
    "password", "aws_sigv4", "response_body", "tap", NULL};

static void check_known_keys(lua_State *L, int t, const char *const *known, int arg,
                             int element) {
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      raise_arg(L, arg, element, "option names must be strings, got %s", luaL_typename(L, -1));
    const char *key = lua_tostring(L, -1);
    int found = 0;
    for (const char *const *k = known; *k && !found; k++) found = strcmp(*k, key) == 0;
    if (!found) raise_arg(L, arg, element, "unknown option '%s'", key);
  }
}

/* Pushes t[key] (raw) and returns its type. */
static int raw_field(lua_State *L, int t, const char *key) {
  lua_pushstring(L, key);
  return lua_rawget(L, t);
}

static double read_seconds(lua_State *L, int t, const char *key, double dflt, int arg,
                           int element) {
  int type = raw_field(L, t, key);
  double v = dflt;
  if (type == LUA_TNUMBER) {
    v = lua_tonumber(L, -1);
    if (!(v > 0 && v <= MAX_TIMEOUT_S))
      raise_arg(L, arg, element, "%s: expected seconds > 0, got %f", key, (lua_Number)v);
  } else if (type != LUA_TNIL) {
    raise_arg(L, arg, element, "%s: number expected, got %s", key, luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  return v;
}

/* Optional string field; returns NULL when nil. */
static const char *read_string(lua_State *L, int t, const char *key, size_t *len, int arg,
                               int element) {
  int type = raw_field(L, t, key);
  const char *s = NULL;
  if (type == LUA_TSTRING) s = lua_tolstring(L, -1, len); /* t keeps it alive */
  else if (type != LUA_TNIL)
    raise_arg(L, arg, element, "%s: string expected, got %s", key, luaL_typename(L, -1));
  lua_pop(L, 1);
  return s;
}

/* An optional string handed to curl as a C string: no NUL inside.  The
 * message names the option, never the value (it may be a password). */
static const char *read_c_string(lua_State *L, int t, const char *key, int arg, int element) {
  size_t len = 0;
  const char *s = read_string(L, t, key, &len, arg, element);
  if (s && strlen(s) != len) raise_arg(L, arg, element, "%s: contains a NUL byte", key);
  return s;
}

static void read_method(lua_State *L, int t, request_storage *rs, int arg, int element) {
  size_t len = 0;
  const char *m = read_string(L, t, "method", &len, arg, element);
  rs->req.method = NULL;
  if (!m) return;
  if (len > MAX_METHOD_LEN || !http_header_name_ok(m, len))
    raise_arg(L, arg, element, "method: not an HTTP method: %s", push_quoted(L, m, len));
  for (size_t i = 0; i < len; i++)
    rs->method[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 'a' + 'A' : m[i]);
  rs->method[len] = '\0';
  rs->req.method = rs->method;
}

/* Pushes the header array (a userdata Lua owns) or nil. */
static void read_headers(lua_State *L, int t, request_storage *rs, int arg, int element) {
  int type = raw_field(L, t, "headers");
  rs->req.headers = NULL;
  rs->req.nheaders = 0;
  if (type == LUA_TNIL) return; /* leaves nil pushed */
  if (type != LUA_TTABLE)
    raise_arg(L, arg, element, "headers: table expected, got %s", luaL_typename(L, -1));
  int h = lua_gettop(L);
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, h)) {
    lua_pop(L, 1);
    n++;
  }
  http_header_field *fields = lua_newuserdatauv(L, (n ? n : 1) * sizeof *fields, 0);
  size_t i = 0;
  lua_pushnil(L);
  while (lua_next(L, h)) {
    size_t nlen, vlen;
    if (lua_type(L, -2) != LUA_TSTRING)
      raise_arg(L, arg, element, "headers: names must be strings, got %s", luaL_typename(L, -2));
    const char *name = lua_tolstring(L, -2, &nlen);
    if (!http_header_name_ok(name, nlen)) {
      const char *shown = push_quoted(L, name, nlen);
      if (memchr(name, '\r', nlen) || memchr(name, '\n', nlen))
        raise_arg(L, arg, element, "header name %s contains CR or LF (header injection)", shown);
      raise_arg(L, arg, element, "header name %s is not a valid HTTP token", shown);
    }
    if (lua_type(L, -1) != LUA_TSTRING)
      raise_arg(L, arg, element, "header '%s': value must be a string, got %s", name,
                luaL_typename(L, -1));
    const char *value = lua_tolstring(L, -1, &vlen);
    if (!http_header_value_ok(value, vlen))
      raise_arg(L, arg, element,
                "header '%s': value contains CR, LF or NUL (header injection): %s", name,
                push_quoted(L, value, vlen));
    fields[i].name = name;
    fields[i].value = value;
    fields[i].value_len = vlen;
    i++;
    lua_pop(L, 1);
  }
  lua_remove(L, h); /* t keeps the headers table (and its strings) alive */
  rs->req.headers = fields;
  rs->req.nheaders = i;
}

int http_buffers_allowed(lua_State *L) {
  if (budget_current(L)) return 0;
  int off = lua_getfield(L, LUA_REGISTRYINDEX, HTTP_BUFFER_OFF) != LUA_TNIL && lua_toboolean(L, -1);
  lua_pop(L, 1);
  return !off;
}

/* Fills rs from the table at index t, raising on misuse.  Pushes one
 * value (scratch memory) that must stay on the stack while rs is used. */
static void read_request(lua_State *L, int t, request_storage *rs, int arg, int element) {
  t = lua_absindex(L, t);
  if (lua_type(L, t) != LUA_TTABLE)
    raise_arg(L, arg, element, "table expected, got %s", luaL_typename(L, t));
  memset(rs, 0, sizeof *rs);
  check_known_keys(L, t, request_options, arg, element);

  int type = raw_field(L, t, "url");
  if (type != LUA_TSTRING)
    raise_arg(L, arg, element, "url: string expected, got %s", luaL_typename(L, -1));
  rs->req.url = lua_tolstring(L, -1, &rs->req.url_len);
  lua_pop(L, 1);

  read_method(L, t, rs, arg, element);
  rs->req.body = read_string(L, t, "body", &rs->req.body_len, arg, element);
  rs->req.has_body = rs->req.body != NULL;
  if (rs->req.has_body && rs->req.method && strcmp(rs->req.method, "HEAD") == 0)
    raise_arg(L, arg, element, "body: not allowed with method HEAD");
  rs->req.timeout_s = read_seconds(L, t, "timeout", DEFAULT_TIMEOUT_S, arg, element);
  rs->req.connect_timeout_s =
      read_seconds(L, t, "connect_timeout", DEFAULT_CONNECT_TIMEOUT_S, arg, element);
  /* Inside a sandbox budget, no request outlives the budget's deadline. */
  rs->req.timeout_s = budget_clamp_seconds(L, rs->req.timeout_s);
  rs->req.connect_timeout_s = budget_clamp_seconds(L, rs->req.connect_timeout_s);

  type = raw_field(L, t, "max_body");
  lua_Integer max_body = DEFAULT_MAX_BODY;
  if (type != LUA_TNIL) {
    int is_int = 0;
    max_body = lua_tointegerx(L, -1, &is_int);
    if (type != LUA_TNUMBER || !is_int || max_body < 0)
      raise_arg(L, arg, element, "max_body: integer >= 0 expected, got %s",
                type == LUA_TNUMBER ? lua_pushfstring(L, "%f", lua_tonumber(L, -1))
                                    : luaL_typename(L, -1));
  }
  rs->req.max_body = (size_t)max_body;
  lua_pop(L, 1);

  type = raw_field(L, t, "insecure");
  if (type != LUA_TNIL && type != LUA_TBOOLEAN)
    raise_arg(L, arg, element, "insecure: boolean expected, got %s", luaL_typename(L, -1));
  rs->req.insecure = lua_toboolean(L, -1);
  lua_pop(L, 1);

  rs->req.cafile = read_c_string(L, t, "cafile", arg, element);
  rs->req.client_cert = read_c_string(L, t, "client_cert", arg, element);
  rs->req.client_key = read_c_string(L, t, "client_key", arg, element);
  rs->req.username = read_c_string(L, t, "username", arg, element);
  rs->req.password = read_c_string(L, t, "password", arg, element);
  rs->req.aws_sigv4 = read_c_string(L, t, "aws_sigv4", arg, element);
  type = raw_field(L, t, "response_body");
  if (type != LUA_TNIL) {
    const char *how = type == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (strcmp(how, "buffer") == 0) rs->req.body_as_buffer = 1;
    else if (strcmp(how, "string") != 0)
      raise_arg(L, arg, element, "response_body: \"string\" or \"buffer\" expected");
  }
  lua_pop(L, 1);
  /* tap: only where the request table (which keeps it alive) outlives the
   * transfer, i.e. request(); elsewhere it is refused */
  type = raw_field(L, t, "tap");
  if (type != LUA_TNIL) {
    http_tap *tap = luaL_testudata(L, -1, HTTP_TAP_MT);
    if (!tap) raise_arg(L, arg, element, "tap: a tap (tinkr.core.map.stream) expected");
    if (element || arg != 1) raise_arg(L, arg, element, "tap: only for request()");
    /* its work is only taken from a body handed over as a buffer */
    rs->req.tap = rs->req.body_as_buffer && http_buffers_allowed(L) ? tap : NULL;
  }
  lua_pop(L, 1);
  if (rs->req.password && !rs->req.username)
    raise_arg(L, arg, element, "password: given without username");
  char region[65], service[65];
  if (rs->req.aws_sigv4 && !sigv4_parse_scope(rs->req.aws_sigv4, region, service, sizeof region))
    raise_arg(L, arg, element, "aws_sigv4: \"aws:amz:REGION:SERVICE\" expected (letters, digits, '-')");
  /* the access key id goes into the Authorization header */
  if (rs->req.aws_sigv4 && rs->req.username && strpbrk(rs->req.username, "\r\n"))
    raise_arg(L, arg, element, "username: contains CR or LF");

  read_headers(L, t, rs, arg, element);
}

/* ---- results ---- */

static void push_error(lua_State *L, const http_result *r) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, r->code);
  lua_setfield(L, -2, "code");
  lua_pushstring(L, r->message);
  lua_setfield(L, -2, "message");
  lua_pushstring(L, r->url);
  lua_setfield(L, -2, "url");
  lua_pushboolean(L, r->sent);
  lua_setfield(L, -2, "sent");
  luaL_setmetatable(L, ERROR_MT);
}

/* ---- response bodies as buffers (http_buffer.h) ---- */

static int buffer_gc(lua_State *L) {
  http_buffer *b = luaL_checkudata(L, 1, HTTP_BUFFER_MT);
  if (b->tap && b->p) b->tap->on_release(b->tap, b->p);
  b->tap = NULL;
  huge_pages_realloc(b->p, b->cap, 0);
  b->p = NULL;
  b->len = b->cap = 0;
  return 0;
}

static int buffer_len(lua_State *L) {
  http_buffer *b = luaL_checkudata(L, 1, HTTP_BUFFER_MT);
  lua_pushinteger(L, (lua_Integer)b->len);
  return 1;
}

static int buffer_text(lua_State *L) {
  http_buffer *b = luaL_checkudata(L, 1, HTTP_BUFFER_MT);
  lua_pushlstring(L, b->p ? b->p : "", b->len);
  return 1;
}

void http_buffer_push(lua_State *L, char *body, size_t len, size_t cap) {
  http_buffer *b = lua_newuserdatauv(L, sizeof *b, 1);
  b->tap = NULL;
  b->p = NULL;
  b->len = b->cap = 0;
  if (luaL_newmetatable(L, HTTP_BUFFER_MT)) {
    static const luaL_Reg methods[] = {{"text", buffer_text}, {NULL, NULL}};
    lua_pushcfunction(L, buffer_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, buffer_gc);       /* local body <close>: freed now, not when the GC comes */
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, buffer_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, buffer_text);
    lua_setfield(L, -2, "__tostring");
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  b->p = body;
  b->len = len;
  b->cap = cap;
}

const char *http_buffer_or_string(lua_State *L, int idx, size_t *len) {
  http_buffer *b = luaL_testudata(L, idx, HTTP_BUFFER_MT);
  if (b) {
    *len = b->len;
    return b->p ? b->p : "";
  }
  if (lua_type(L, idx) != LUA_TSTRING) luaL_typeerror(L, idx, "string or response body buffer");
  return lua_tolstring(L, idx, len);
}

/* The body of a 2xx answer to a request that asked for a buffer is taken
 * from the transfer; anything else is copied into a string. */

static void push_body(lua_State *L, const http_result *r, http_group *g) {
  if (r->body_as_buffer && r->status >= 200 && r->status < 300 && g && http_buffers_allowed(L)) {
    size_t len = r->body_len, cap = 0;
    /* the buffer userdata exists before the body leaves the transfer, so
     * a memory error here cannot lose it */
    http_buffer_push(L, NULL, 0, 0);
    char *body = http_group_take_body(g, &cap);
    http_buffer *b = lua_touserdata(L, -1);
    b->p = body;
    b->len = body ? len : 0;
    b->cap = cap;
    return;
  }
  lua_pushlstring(L, r->body, r->body_len);
}

static void push_response(lua_State *L, const http_result *r, http_group *g) {
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, r->status);
  lua_setfield(L, -2, "status");
  lua_createtable(L, 0, (int)r->nheaders);
  for (size_t i = 0; i < r->nheaders; i++) {
    lua_pushstring(L, r->headers[i].value);
    lua_setfield(L, -2, r->headers[i].name);
  }
  lua_setfield(L, -2, "headers");
  push_body(L, r, g);
  lua_setfield(L, -2, "body");
}

/* ---- groups as userdata (multi() objects, and the temporary group of
 * request / request_many so an error cannot leak it) ---- */

/* The client is made on the first request, not when the module loads: a
 * script that never makes a request never initialises libcurl (bin/tinkr
 * loads it only then, see src/cli/curl_lazy.c). */
static http_client *upvalue_client(lua_State *L) {
  client_box *box = lua_touserdata(L, lua_upvalueindex(1));
  if (!box->client) {
    box->client = http_client_new();
    if (!box->client) luaL_error(L, "tinkr.http: could not initialise libcurl");
  }
  return box->client;
}

static group_box *push_group(lua_State *L, size_t max_active) {
  http_client *c = upvalue_client(L);
  group_box *box = lua_newuserdatauv(L, sizeof *box, 0);
  box->group = NULL;
  luaL_setmetatable(L, MULTI_MT);
  box->group = http_group_new(c, max_active);
  if (!box->group) luaL_error(L, "out of memory");
  return box;
}

static void close_group(group_box *box) {
  http_group_free(box->group);
  box->group = NULL;
}

static void add_or_raise(lua_State *L, http_group *g, const http_request *req) {
  if (http_group_add(g, req) == 0) luaL_error(L, "out of memory starting an HTTP request");
}

/* A tapped body taken as a buffer: the tap is told before the buffer frees
 * it, and stays alive until then (the buffer's user value). */
static void tie_tap(lua_State *L, int res, int request, http_tap *tap) {
  if (lua_getfield(L, res, "body") == LUA_TUSERDATA) {
    http_buffer *b = luaL_checkudata(L, -1, HTTP_BUFFER_MT);
    raw_field(L, request, "tap");
    lua_setiuservalue(L, -2, 1);
    b->tap = tap;
  }
  lua_pop(L, 1);
}

/* ---- http.request ---- */

static int l_request(lua_State *L) {
  request_storage rs;
  read_request(L, 1, &rs, 1, 0);
  group_box *box = push_group(L, 0);
  add_or_raise(L, box->group, &rs.req);
  const http_result *r;
  while ((r = http_group_peek_done(box->group, NULL)) == NULL) http_group_wait(box->group, -1);
  int nret;
  if (r->code) {
    lua_pushnil(L);
    push_error(L, r);
    nret = 2;
  } else {
    push_response(L, r, box->group);
    if (rs.req.tap) tie_tap(L, lua_gettop(L), 1, rs.req.tap);
    nret = 1;
  }
  close_group(box);
  budget_check_deadline(L);   /* a request cut short by a budget stops the script */
  return nret;
}

/* ---- http.request_many ---- */

static const char *const many_options[] = {"max_parallel", NULL};

static int l_request_many(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer max_parallel = DEFAULT_MAX_PARALLEL;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    check_known_keys(L, 2, many_options, 2, 0);
    int type = raw_field(L, 2, "max_parallel");
    if (type != LUA_TNIL) {
      int is_int = 0;
      max_parallel = lua_tointegerx(L, -1, &is_int);
      if (type != LUA_TNUMBER || !is_int || max_parallel < 1)
        raise_arg(L, 2, 0, "max_parallel: integer >= 1 expected, got %s",
                  type == LUA_TNUMBER ? luaL_tolstring(L, -1, NULL) : luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  lua_Unsigned n = lua_rawlen(L, 1);
  if (n > (lua_Unsigned)INT32_MAX) return luaL_argerror(L, 1, "too many requests");

  request_storage rs;
  /* check every request before starting any */
  for (lua_Unsigned i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i);
    read_request(L, -1, &rs, 1, (int)i);
    lua_pop(L, 2);
  }
  group_box *box = push_group(L, (size_t)max_parallel);
  for (lua_Unsigned i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i);
    read_request(L, -1, &rs, 1, (int)i);
    add_or_raise(L, box->group, &rs.req); /* ids are 1..n in order */
    lua_pop(L, 2);
  }

  lua_createtable(L, (int)n, 1);
  int results = lua_gettop(L);
  for (lua_Unsigned left = n; left > 0;) {
    long long id;
    const http_result *r = http_group_peek_done(box->group, &id);
    if (!r) {
      http_group_wait(box->group, -1);
      continue;
    }
    if (r->code) {
      lua_createtable(L, 0, 1);
      push_error(L, r);
      lua_setfield(L, -2, "err");
    } else {
      push_response(L, r, box->group);
    }
    lua_rawseti(L, results, (lua_Integer)id);
    http_group_drop_done(box->group);
    left--;
  }
  lua_pushinteger(L, (lua_Integer)n);
  lua_setfield(L, results, "n");
  close_group(box);
  budget_check_deadline(L);
  return 1;
}

/* ---- http.multi ---- */

static group_box *check_multi(lua_State *L) {
  group_box *box = luaL_checkudata(L, 1, MULTI_MT);
  if (!box->group) luaL_error(L, "attempt to use a closed http multi");
  return box;
}

static int l_multi(lua_State *L) {
  push_group(L, 0);
  return 1;
}

static int multi_add(lua_State *L) {
  group_box *box = check_multi(L);
  request_storage rs;
  read_request(L, 2, &rs, 2, 0);
  long long id = http_group_add(box->group, &rs.req);
  if (id == 0) return luaL_error(L, "out of memory starting an HTTP request");
  lua_pushinteger(L, (lua_Integer)id);
  return 1;
}

static int multi_wait(lua_State *L) {
  group_box *box = check_multi(L);
  long timeout_ms = -1;
  if (!lua_isnoneornil(L, 2)) {
    lua_Number s = luaL_checknumber(L, 2);
    if (!(s >= 0 && s <= MAX_TIMEOUT_S))
      return luaL_argerror(L, 2, "timeout: expected seconds >= 0");
    timeout_ms = (long)ceil(s * 1000.0);
  }
  http_group_wait(box->group, timeout_ms);
  budget_check_deadline(L);
  lua_newtable(L);
  lua_Integer n = 0;
  long long id;
  const http_result *r;
  while ((r = http_group_peek_done(box->group, &id)) != NULL) {
    lua_createtable(L, 0, 2);
    lua_pushinteger(L, (lua_Integer)id);
    lua_setfield(L, -2, "id");
    if (r->code) {
      push_error(L, r);
      lua_setfield(L, -2, "err");
    } else {
      push_response(L, r, box->group);
      lua_setfield(L, -2, "res");
    }
    lua_rawseti(L, -2, ++n);
    http_group_drop_done(box->group);
  }
  return 1;
}

static int multi_pending(lua_State *L) {
  group_box *box = check_multi(L);
  lua_pushinteger(L, (lua_Integer)http_group_unreported(box->group));
  return 1;
}

static int multi_gc(lua_State *L) {
  group_box *box = luaL_checkudata(L, 1, MULTI_MT);
  close_group(box);
  return 0;
}

/* ---- the rest of the module ---- */

static int error_tostring(lua_State *L) {
  lua_getfield(L, 1, "message");
  if (!lua_isstring(L, -1)) lua_pushliteral(L, "HTTP error");
  return 1;
}

static int client_gc(lua_State *L) {
  client_box *box = luaL_checkudata(L, 1, CLIENT_MT);
  http_client_release(box->client);
  box->client = NULL;
  return 0;
}

/* Test hooks: set or clear the Ctrl-C flag as the SIGINT handler would. */
static int l_simulate_interrupt(lua_State *L) {
  (void)L;
  tinkr_interrupt_set();
  return 0;
}

static int l_clear_interrupt(lua_State *L) {
  (void)L;
  tinkr_interrupt_clear();
  return 0;
}

static void create_metatables(lua_State *L) {
  static const luaL_Reg multi_methods[] = {
      {"add", multi_add}, {"wait", multi_wait}, {"pending", multi_pending}, {NULL, NULL}};
  if (luaL_newmetatable(L, MULTI_MT)) {
    lua_pushcfunction(L, multi_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, multi_gc);
    lua_setfield(L, -2, "__close");
    luaL_newlib(L, multi_methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, ERROR_MT)) {
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, CLIENT_MT)) {
    lua_pushcfunction(L, client_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
}

/* Pushes this state's client, creating it on first use. */
static void push_client(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, CLIENT_KEY) == LUA_TUSERDATA) return;
  lua_pop(L, 1);
  client_box *box = lua_newuserdatauv(L, sizeof *box, 0);
  box->client = NULL;          /* created by upvalue_client on first use */
  luaL_setmetatable(L, CLIENT_MT);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, CLIENT_KEY);
}

/* ---- sigv4_sign: the signer behind aws_sigv4, for specs and tools ---- */

static const char *sign_field(lua_State *L, const char *key, size_t *len, int required) {
  int type = lua_getfield(L, 1, key);
  if (type == LUA_TNIL && !required) {
    lua_pop(L, 1);
    return NULL;
  }
  if (type != LUA_TSTRING)
    luaL_error(L, "bad argument #1 to 'sigv4_sign' (field '%s': string expected, got %s)", key,
               luaL_typename(L, -1));
  const char *s = lua_tolstring(L, -1, len);
  lua_pop(L, 1); /* the table still holds it */
  return s;
}

/* core.http.sigv4_sign{ method =, path =, query =, headers = { {name, value}, ... },
 *   body =, region =, service =, key_id =, secret =, date = "YYYYMMDDTHHMMSSZ" }
 * -> { authorization =, canonical_request =, string_to_sign =, payload_hash = }
 * Signs exactly what is given: no header is added. */
static int l_sigv4_sign(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  size_t len = 0, body_len = 0;
  sigv4_request r = {0};
  r.method = sign_field(L, "method", &len, 1);
  r.path = sign_field(L, "path", &len, 0);
  r.query = sign_field(L, "query", &len, 0);
  r.body = sign_field(L, "body", &body_len, 0);
  r.body_len = body_len;
  r.region = sign_field(L, "region", &len, 1);
  r.service = sign_field(L, "service", &len, 1);
  r.key_id = sign_field(L, "key_id", &len, 1);
  r.secret = sign_field(L, "secret", &len, 1);
  r.amz_date = sign_field(L, "date", &len, 1);
  if (len != SIGV4_DATE_LEN) luaL_error(L, "bad argument #1 to 'sigv4_sign' (field 'date': YYYYMMDDTHHMMSSZ expected)");
  if (!sigv4_scope_ok(r.region, r.service))
    luaL_error(L, "bad argument #1 to 'sigv4_sign' (region and service: letters, digits and '-')");
  if (lua_getfield(L, 1, "headers") != LUA_TTABLE)
    luaL_error(L, "bad argument #1 to 'sigv4_sign' (field 'headers': table of {name, value} expected)");
  int headers = lua_gettop(L);
  r.nheaders = (size_t)lua_rawlen(L, headers);
  sigv4_header *hs = lua_newuserdatauv(L, (r.nheaders ? r.nheaders : 1) * sizeof *hs, 0);
  r.headers = hs;
  for (size_t i = 0; i < r.nheaders; i++) {
    lua_rawgeti(L, headers, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TTABLE || lua_rawgeti(L, -1, 1) != LUA_TSTRING ||
        lua_rawgeti(L, -2, 2) != LUA_TSTRING)
      luaL_error(L, "bad argument #1 to 'sigv4_sign' (headers[%d]: {name, value} strings expected)",
                 (int)i + 1);
    hs[i].name = lua_tostring(L, -2);
    hs[i].value = lua_tolstring(L, -1, &hs[i].value_len);
    lua_pop(L, 3); /* the headers table keeps the strings alive */
  }
  sigv4_result out;
  if (sigv4_sign(&r, &out) != 0) return luaL_error(L, "not enough memory");
  char payload[SHA256_HEX_LEN + 1];
  sigv4_payload_hash(r.body, r.body_len, payload);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, out.authorization);
  lua_setfield(L, -2, "authorization");
  lua_pushstring(L, out.canonical);
  lua_setfield(L, -2, "canonical_request");
  lua_pushstring(L, out.string_to_sign);
  lua_setfield(L, -2, "string_to_sign");
  sigv4_result_free(&out);
  lua_pushstring(L, payload);
  lua_setfield(L, -2, "payload_hash");
  return 1;
}

int luaopen_tinkr_http(lua_State *L) {
  static const luaL_Reg functions[] = {
      {"request", l_request},
      {"request_many", l_request_many},
      {"multi", l_multi},
      {"sigv4_sign", l_sigv4_sign},
      {"_simulate_interrupt", l_simulate_interrupt},
      {"_clear_interrupt", l_clear_interrupt},
      {NULL, NULL}};
  create_metatables(L);
  lua_createtable(L, 0, 5);
  push_client(L);
  luaL_setfuncs(L, functions, 1);
  return 1;
}
