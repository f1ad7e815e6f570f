/*
 * map.ndjson's lines handed to Lua without joining them (its "buffer"
 * form): a userdata over the pieces they were written in (map_lines), with
 * #lines, lines:text() (or tostring), lines:find(text) and lines:write(file).
 * The Lua collector does not see the megabytes behind the small userdata,
 * so callers that make many (an export's pages) free each with a <close>
 * variable; a freed one reads as empty.
 *
 * `tinkr logs --format ndjson` writes a 10,000-hit page straight to stdout
 * from here: joining the pieces and copying them into a Lua string would
 * touch 12 MB of fresh memory to write 6 MB.
 */
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "map_lines.h"

#define LINES_MT "tinkr.map.lines"

static map_lines *check_lines(lua_State *L)
{
  return luaL_checkudata(L, 1, LINES_MT);
}

static int lines_gc(lua_State *L)
{
  map_lines_free(check_lines(L));
  return 0;
}

static int lines_len(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)map_lines_len(check_lines(L)));
  return 1;
}

static const map_out *piece(const map_lines *lines, int i)
{
  return i < lines->n ? &lines->seg[i] : &lines->cur;
}

void map_lines_push_text(lua_State *L, const map_lines *lines)
{
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, map_lines_len(lines));
  for (int i = 0; i <= lines->n; i++) {
    const map_out *o = piece(lines, i);
    if (o->len) memcpy(p, o->p, o->len);   /* an empty piece may have no block */
    p += o->len;
  }
  luaL_pushresultsize(&b, map_lines_len(lines));
}

/* lines:text() -> the lines as one string (a copy) */
static int lines_text(lua_State *L)
{
  map_lines_push_text(L, check_lines(L));
  return 1;
}

/* lines:find(text) -> the 1-based position of text's first occurrence, or
 * nil.  Plain text within a line: pieces end at line ends, so text without
 * a line break is never split between two. */
static int lines_find(lua_State *L)
{
  const map_lines *lines = check_lines(L);
  size_t n;
  const char *needle = luaL_checklstring(L, 2, &n);
  luaL_argcheck(L, n > 0 && !memchr(needle, '\n', n), 2, "non-empty text without a line break expected");
  size_t before = 0;
  for (int i = 0; i <= lines->n; i++) {
    const map_out *o = piece(lines, i);
    const char *at = o->len ? memmem(o->p, o->len, needle, n) : NULL;
    if (at) {
      lua_pushinteger(L, (lua_Integer)(before + (size_t)(at - o->p) + 1));
      return 1;
    }
    before += o->len;
  }
  lua_pushnil(L);
  return 1;
}

/* lines:write(file) -> true | nil, message, errno: as file:write(lines:text())
 * without the copy. */
static int lines_write(lua_State *L)
{
  const map_lines *lines = check_lines(L);
  luaL_Stream *f = luaL_checkudata(L, 2, LUA_FILEHANDLE);
  if (!f->closef) return luaL_error(L, "attempt to use a closed file");
  for (int i = 0; i <= lines->n; i++) {
    const map_out *o = piece(lines, i);
    if (o->len && fwrite(o->p, 1, o->len, f->f) != o->len) return luaL_fileresult(L, 0, NULL);
  }
  return luaL_fileresult(L, 1, NULL);
}

map_lines *map_lines_new(lua_State *L)
{
  map_lines *lines = lua_newuserdatauv(L, sizeof *lines, 0);
  memset(lines, 0, sizeof *lines);
  if (luaL_newmetatable(L, LINES_MT)) {
    static const luaL_Reg methods[] = {
      { "text", lines_text }, { "find", lines_find }, { "write", lines_write }, { NULL, NULL } };
    lua_pushcfunction(L, lines_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, lines_gc);        /* local lines <close>: freed now, not when the GC comes */
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, lines_text);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, lines_len);
    lua_setfield(L, -2, "__len");
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  return lines;
}
