/* tinkr-server's Lua boundary (see l_server.h).
 *
 * Besides running handle(), it gives Lua core.memory() (module
 * "tinkr.server.core"): the bytes the worker's state holds and its cap.
 * Script budgets are tinkr.core's (l_budget.c, core.sandbox.run); this
 * file hands them the worker's stop flag, so a draining server stops
 * scripts ("shutdown"), and reads why the last script was stopped, for
 * the metrics.  The state's allocator (memory_cap.c) caps the whole
 * worker; a budget caps one script below that.
 *
 * It also gives the two primitives of a streamed answer (job_stream.h),
 * for exports:
 *
 *   core.stream_begin(content_type)   headers go out now (status 200)
 *   core.stream_write(text) -> true | nil, "client gone"   waits while the
 *                                     client is slower than the backend */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "budget.h"
#include "http_buffer.h"
#include "job_stream.h"
#include "l_server.h"
#include "systemd.h"
#include "memory_cap.h"
#include "modules.h"
#include "runtime.h"

struct lua_worker {
    lua_State *L;
    struct memory_cap cap;
    int handle_ref;                /* registry ref of tinkr.server.handle */
    int index;
    struct job *job;               /* the job being answered */
    int config_error;              /* setup failed on the configuration */
};

/* Bytes a streamed answer may buffer ahead of a slow client. */
#define STREAM_BUFFER (4 * 1024 * 1024)

/* Every thread of a state (coroutines too) carries the worker pointer in its
 * extra space: lua_newthread copies it from the main thread. */
static struct lua_worker *worker_of(lua_State *L)
{
    return *(struct lua_worker **)lua_getextraspace(L);
}

/* core.memory() -> bytes held by this state, its limit */
static int l_memory(lua_State *L)
{
    struct lua_worker *w = worker_of(L);
    lua_pushinteger(L, (lua_Integer)w->cap.used);
    lua_pushinteger(L, (lua_Integer)w->cap.limit);
    return 2;
}

/* core.stream_begin(content_type) */
static int l_stream_begin(lua_State *L)
{
    struct lua_worker *w = worker_of(L);
    const char *type = luaL_checkstring(L, 1);
    struct job *job = w->job;
    if (!job || !job->on_stream_start)
        return luaL_error(L, "stream_begin outside a request");
    if (job->stream)
        return luaL_error(L, "stream_begin called twice");
    struct job_stream *s = job_stream_new(job, STREAM_BUFFER);
    if (!s)
        return luaL_error(L, "out of memory starting a streamed answer");
    snprintf(job->content_type, sizeof job->content_type, "%s", type);
    job->status = 200;
    job->stream = s;
    job->on_stream_start(job);
    return 0;
}

/* core.stream_write(text) -> true | nil, message */
static int l_stream_write(lua_State *L)
{
    struct lua_worker *w = worker_of(L);
    size_t len = 0;
    const char *text = luaL_checklstring(L, 1, &len);
    if (!w->job || !w->job->stream)
        return luaL_error(L, "stream_write before stream_begin");
    if (job_stream_write(w->job->stream, text, len) != 0) {
        luaL_pushfail(L);
        lua_pushliteral(L, "the client closed the connection");
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int open_server_core(lua_State *L)
{
    static const luaL_Reg functions[] = {
        { "memory", l_memory },
        { "stream_begin", l_stream_begin },
        { "stream_write", l_stream_write },
        { NULL, NULL },
    };
    luaL_newlib(L, functions);
    return 1;
}

/* ---- setup ------------------------------------------------------------- */

static void set_number(lua_State *L, const char *key, double v)
{
    if (v > 0) {
        lua_pushnumber(L, v);
        lua_setfield(L, -2, key);
    }
}

static void set_integer(lua_State *L, const char *key, long long v)
{
    if (v > 0) {
        lua_pushinteger(L, (lua_Integer)v);
        lua_setfield(L, -2, key);
    }
}

/* Runs in protected mode: registers tinkr.server.core, loads tinkr.server,
 * configures it and keeps a reference to its handle function. */
/* Marks the worker when the error value on top is one of tinkr.errors'
 * config errors, so the server can exit with the CLI's config status. */
static void note_config_error(lua_State *L)
{
    if (lua_type(L, -1) != LUA_TTABLE)
        return;
    lua_getfield(L, -1, "code");
    const char *code = lua_tostring(L, -1);
    if (code && strcmp(code, "config") == 0)
        worker_of(L)->config_error = 1;
    lua_pop(L, 1);
}

static int setup(lua_State *L)
{
    const struct lua_worker_options *opt = lua_touserdata(L, 1);
    struct lua_worker *w = worker_of(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_server_core);
    lua_setfield(L, -2, "tinkr.server.core");
    lua_pop(L, 1);

    lua_getglobal(L, "require");
    lua_pushliteral(L, "tinkr.server");
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        note_config_error(L);
        return lua_error(L);
    }
    lua_getfield(L, -1, "configure");
    lua_createtable(L, 0, 8);
    if (opt->profile) {
        lua_pushstring(L, opt->profile);
        lua_setfield(L, -2, "profile");
    }
    if (opt->config_file) {
        lua_pushstring(L, opt->config_file);
        lua_setfield(L, -2, "config_file");
    }
    set_number(L, "timeout", opt->timeout_s);
    set_integer(L, "max_rows", opt->max_rows);
    set_integer(L, "max_response", opt->max_response);
    set_integer(L, "script_instructions", opt->script_instructions);
    set_number(L, "script_seconds", opt->script_seconds);
    set_integer(L, "script_memory", opt->script_memory);
    lua_pushinteger(L, w->index);
    lua_setfield(L, -2, "worker");
    lua_call(L, 1, 2);
    if (!lua_toboolean(L, -2)) {
        /* configure returned nil, err: an error value from tinkr.errors */
        note_config_error(L);
        const char *msg = luaL_tolstring(L, -1, NULL);
        return luaL_error(L, "%s", msg);
    }
    lua_pop(L, 2);
    lua_getfield(L, -1, "handle");
    luaL_checktype(L, -1, LUA_TFUNCTION);
    w->handle_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

struct lua_worker *lua_worker_open(const struct lua_worker_options *opt, int index, int *config_error,
                                   char *err, size_t errlen)
{
    *config_error = 0;
    struct lua_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->index = index;
    w->cap.limit = opt->memory_limit ? opt->memory_limit : (size_t)-1;
    w->handle_ref = LUA_NOREF;
    w->L = runtime_open_with(memory_cap_alloc, &w->cap);
    if (!w->L) {
        snprintf(err, errlen, "cannot create a Lua state (see the message above)");
        free(w);
        return NULL;
    }
    *(struct lua_worker **)lua_getextraspace(w->L) = w;
    lua_pushboolean(w->L, 1);     /* response bodies stay inside the memory cap */
    lua_setfield(w->L, LUA_REGISTRYINDEX, HTTP_BUFFER_OFF);
    budget_set_stop_flag(w->L, opt->stop_flag);
    lua_pushcfunction(w->L, setup);
    lua_pushlightuserdata(w->L, (void *)opt);
    if (runtime_pcall(w->L, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(w->L, -1);
        const char *tb = msg ? strstr(msg, "\nstack traceback:") : NULL;
        int len = tb ? (int)(tb - msg) : (int)strlen(msg ? msg : "");
        snprintf(err, errlen, "%.*s", len, msg ? msg : "");   /* a setup error needs no traceback */
        *config_error = w->config_error;
        lua_close(w->L);
        free(w);
        return NULL;
    }
    return w;
}

void lua_worker_close(struct lua_worker *w)
{
    if (!w)
        return;
    lua_close(w->L);
    free(w);
}

/* ---- requests ---------------------------------------------------------- */

static void push_request(lua_State *L, const struct job *job)
{
    lua_createtable(L, 0, 6);
    lua_pushstring(L, job->method);
    lua_setfield(L, -2, "method");
    lua_pushstring(L, job->path);
    lua_setfield(L, -2, "path");
    lua_createtable(L, (int)job->nargs, 0);
    for (size_t i = 0; i < job->nargs; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, job->arg_names[i]);
        lua_rawseti(L, -2, 1);
        if (job->arg_values[i]) {
            lua_pushstring(L, job->arg_values[i]);
            lua_rawseti(L, -2, 2);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "args");
    if (job->body) {
        lua_pushlstring(L, job->body, job->body_len);
        lua_setfield(L, -2, "body");
    }
    lua_pushinteger(L, (lua_Integer)job->id);
    lua_setfield(L, -2, "id");
}

static void copy_label(char *dst, lua_State *L, int idx)
{
    size_t len = 0;
    const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &len) : "";
    if (len >= JOB_LABEL_MAX)
        len = JOB_LABEL_MAX - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* Protected: calls handle(request) and copies its answer into the job.
 * handle returns status, body, route, backend_error, allow. */
static int answer(lua_State *L)
{
    struct job *job = lua_touserdata(L, 1);
    struct lua_worker *w = worker_of(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, w->handle_ref);
    push_request(L, job);
    lua_call(L, 1, 5);
    int isnum = 0;
    lua_Integer status = lua_tointegerx(L, -5, &isnum);
    size_t len = 0;
    const char *body = lua_type(L, -4) == LUA_TSTRING ? lua_tolstring(L, -4, &len) : NULL;
    if (!isnum || status < 100 || status > 599 || !body)
        return luaL_error(L, "handle returned %s, %s instead of a status and a body",
                          luaL_typename(L, -5), luaL_typename(L, -4));
    copy_label(job->route, L, -3);
    copy_label(job->backend_error, L, -2);
    copy_label(job->allow, L, -1);
    /* Last step, nothing below raises: the copy cannot leak. */
    char *copy = malloc(len + 1);
    if (!copy)
        return luaL_error(L, "out of memory copying a %d-byte response", (int)len);
    memcpy(copy, body, len);
    copy[len] = '\0';
    free(job->response);
    job->response = copy;
    job->response_len = len;
    job->status = (int)status;
    return 0;
}

void lua_worker_run(void *context, struct job *job)
{
    struct lua_worker *w = context;
    lua_State *L = w->L;
    budget_take_abort(L);
    w->job = job;
    lua_pushcfunction(L, answer);
    lua_pushlightuserdata(L, job);
    int status = runtime_pcall(L, 1, 0);
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        server_log(LOG_LEVEL_ERR, "request %llu (%s %s) failed in worker %d: %s",
                   job->id, job->method, job->path, w->index, msg ? msg : "(no message)");
        lua_pop(L, 1);
        char text[160];
        snprintf(text, sizeof text, "internal error answering request %llu (details are in the server log)", job->id);
        job_set_error(job, 500, "internal", text);
        if (job->route[0] == '\0')
            snprintf(job->route, sizeof job->route, "other");
        if (status == LUA_ERRMEM)
            lua_gc(L, LUA_GCCOLLECT, 0);
    }
    const char *abort = budget_take_abort(L);
    if (abort)
        snprintf(job->script_abort, sizeof job->script_abort, "%s", abort);
    w->job = NULL;
    lua_settop(L, 0);
}
