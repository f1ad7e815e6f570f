/* core.sandbox.run: a call under a budget (see budget.h).
 *
 *   run(fn, { instructions = n, seconds = s, memory = bytes }, ...)
 *     -> true, results... | false, message, reason
 *   reason: "instructions" | "time" | "memory" | "shutdown" | "error"
 *
 * Like Redis scripting: a count hook checks the budget every HOOK_STEP
 * instructions; once it ran out the hook re-arms itself to fire on every
 * instruction and raises each time, so a pcall cannot swallow the abort.
 * A single C call can run for as long as it likes between two hooks, so
 * the C functions a sandbox can reach charge their work (budget_charge)
 * and stop themselves.  Memory: for the call, the state's allocator is
 * wrapped by one that refuses to grow past the budget.
 *
 * While run is active the string metatable's __index is the bounded
 * string library, so ("a"):rep(9e9) and s:find(p) inside the sandbox are
 * the bounded functions too.  A run inside a run uses the outer budget. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lauxlib.h>
#include "budget.h"

#define HOOK_STEP 1000
#define CLOCK_EVERY 65536     /* steps of C work between clock reads */

struct budget {
    int active;
    lua_State *L;                 /* the thread that called run */
    lua_Integer instructions_left;
    double deadline;              /* monotonic seconds */
    long unclocked;               /* C steps since the last clock read */
    int clamped;                  /* a network timeout was cut to the deadline */
    const char *exceeded;         /* why it ran out, once it did */
    const char *last_abort;       /* of the last run, for the server */
    const atomic_int *stop;
    /* memory: the allocator the state had, wrapped while run is active */
    lua_Alloc inner_alloc;
    void *inner_ud;
    size_t used, limit;
    int refused;                  /* the last request was refused: */
    void *refused_ptr;            /* which one */
    size_t refused_size;
};

static const char budget_key = 'b';

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct budget *budget_record(lua_State *L, int create)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_key);
    struct budget *b = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!b && create) {
        b = lua_newuserdatauv(L, sizeof *b, 0);
        memset(b, 0, sizeof *b);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &budget_key);
    }
    return b;
}

struct budget *budget_current(lua_State *L)
{
    struct budget *b = budget_record(L, 0);
    return b && b->active ? b : NULL;
}

/* Checks what is not checked on every step: stop flag, clock. */
static void check_slow(struct budget *b)
{
    if (b->exceeded)
        return;
    if (b->instructions_left < 0)
        b->exceeded = "instructions";
    else if (b->stop && atomic_load(b->stop))
        b->exceeded = "shutdown";
    else if (monotonic_now() > b->deadline)
        b->exceeded = "time";
}

int budget_spend(struct budget *b, long steps)
{
    if (!b || !b->active)
        return 0;
    b->instructions_left -= steps;
    if (b->instructions_left < 0 && !b->exceeded)
        b->exceeded = "instructions";
    b->unclocked += steps;
    if (b->unclocked >= CLOCK_EVERY) {
        b->unclocked = 0;
        check_slow(b);
    }
    return b->exceeded != NULL;
}

static void budget_hook(lua_State *L, lua_Debug *ar);

int budget_raise(lua_State *L)
{
    struct budget *b = budget_record(L, 0);
    const char *why = b && b->exceeded ? b->exceeded : "time";
    if (b && b->active)
        lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);   /* fire again at once if caught */
    return luaL_error(L, "script stopped: %s budget exceeded", why);
}

void budget_charge(lua_State *L, long steps)
{
    struct budget *b = budget_current(L);
    if (b && budget_spend(b, steps))
        budget_raise(L);
}

void budget_reserve(lua_State *L, size_t bytes)
{
    struct budget *b = budget_current(L);
    if (!b)
        return;
    if (bytes > b->limit || b->used > b->limit - bytes) {
        if (!b->exceeded)
            b->exceeded = "memory";
        budget_raise(L);
    }
}

double budget_clamp_seconds(lua_State *L, double seconds)
{
    struct budget *b = budget_current(L);
    if (!b)
        return seconds;
    check_slow(b);
    double left = b->deadline - monotonic_now();
    if (b->exceeded || left <= 0) {
        if (!b->exceeded)
            b->exceeded = "time";
        budget_raise(L);
    }
    if (left < seconds) {
        b->clamped = 1;
        return left;
    }
    return seconds;
}

void budget_check_deadline(lua_State *L)
{
    struct budget *b = budget_current(L);
    if (!b)
        return;
    check_slow(b);
    /* A transfer whose timeout was cut to the deadline may end a hair
     * before it (curl's timers round): that is still the budget's stop. */
    if (!b->exceeded && b->clamped && monotonic_now() > b->deadline - 0.05)
        b->exceeded = "time";
    if (b->exceeded)
        budget_raise(L);
}

void budget_set_stop_flag(lua_State *L, const atomic_int *stop)
{
    budget_record(L, 1)->stop = stop;
}

const char *budget_take_abort(lua_State *L)
{
    struct budget *b = budget_record(L, 0);
    if (!b)
        return NULL;
    const char *why = b->last_abort;
    b->last_abort = NULL;
    return why;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct budget *b = budget_record(L, 0);
    if (!b || !b->active) {
        lua_sethook(L, NULL, 0, 0);   /* a coroutine that outlived its budget */
        return;
    }
    if (!b->exceeded) {
        b->instructions_left -= HOOK_STEP;
        check_slow(b);
    }
    if (b->exceeded)
        budget_raise(L);
}

/* The allocator while a budget runs: the state's own, refusing growth past
 * the budget.  Lua turns a refusal into a "not enough memory" error. */
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct budget *b = ud;
    size_t old = ptr ? osize : 0;   /* without ptr, osize encodes a type */
    if (nsize > old && (nsize - old > b->limit || b->used > b->limit - (nsize - old))) {
        /* Lua collects all garbage and asks again: only a second refusal
         * of the same request means the script itself holds too much. */
        if (b->refused_ptr == ptr && b->refused_size == nsize && b->refused) {
            if (!b->exceeded)
                b->exceeded = "memory";
        }
        b->refused = 1;
        b->refused_ptr = ptr;
        b->refused_size = nsize;
        return NULL;
    }
    void *p = b->inner_alloc(b->inner_ud, ptr, osize, nsize);
    if (p || nsize == 0) {
        b->used = b->used >= old ? b->used - old + nsize : nsize;
        b->refused = 0;
    }
    return p;
}

/* Message handler: a traceback for string errors; error values that are
 * tables (tinkr.errors) pass unchanged. */
static int traceback_handler(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING)
        return 1;
    luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

static lua_Integer positive_integer_field(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum || v <= 0)
        luaL_error(L, "bad argument #2 to 'run' (limits.%s must be a positive integer)", key);
    lua_pop(L, 1);
    return v;
}

static lua_Number positive_number_field(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    int isnum = 0;
    lua_Number v = lua_tonumberx(L, -1, &isnum);
    if (!isnum || !(v > 0))
        luaL_error(L, "bad argument #2 to 'run' (limits.%s must be a positive number)", key);
    lua_pop(L, 1);
    return v;
}

/* Swaps the string metatable's __index (strings' methods) for the table
 * at the stack top, which is popped; pushes nothing.  Returns 1 if done. */
static int swap_string_methods(lua_State *L)
{
    lua_pushliteral(L, "");
    if (!lua_getmetatable(L, -1)) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 3);
    return 1;
}

static void push_string_methods(lua_State *L)
{
    lua_pushliteral(L, "");
    if (!lua_getmetatable(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_getfield(L, -1, "__index");
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* After a call: true, results... or false, message, reason. */
static int run_results(lua_State *L, struct budget *b, int status, int base)
{
    if (b->exceeded) {
        const char *why = b->exceeded;
        lua_settop(L, base - 1);
        lua_pushboolean(L, 0);
        lua_pushfstring(L, "script stopped: %s budget exceeded", why);
        lua_pushstring(L, why);
        return 3;
    }
    if (status != LUA_OK) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        lua_pushstring(L, status == LUA_ERRMEM ? "memory" : "error");
        return 3;
    }
    lua_pushboolean(L, 1);
    lua_replace(L, base);          /* the handler's slot */
    return lua_gettop(L) - base + 1;
}

static int l_run(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer instructions = positive_integer_field(L, 2, "instructions");
    lua_Number seconds = positive_number_field(L, 2, "seconds");
    lua_Integer memory = positive_integer_field(L, 2, "memory");
    struct budget *b = budget_record(L, 1);

    lua_remove(L, 2);                          /* fn args... */
    int nargs = lua_gettop(L) - 1;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, 1);                          /* handler fn args... */

    if (b->active) {                           /* nested: the outer budget rules */
        int status = lua_pcall(L, nargs, LUA_MULTRET, 1);
        return run_results(L, b, status, 1);
    }

    lua_getfield(L, lua_upvalueindex(1), "string");
    push_string_methods(L);
    int saved_methods = luaL_ref(L, LUA_REGISTRYINDEX);
    int swapped = swap_string_methods(L);

    lua_Hook saved_hook = lua_gethook(L);
    int saved_mask = lua_gethookmask(L), saved_count = lua_gethookcount(L);

    b->active = 1;
    b->L = L;
    b->exceeded = NULL;
    b->instructions_left = instructions;
    b->deadline = monotonic_now() + seconds;
    b->unclocked = 0;
    b->clamped = 0;
    b->refused = 0;
    b->used = (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
    b->limit = (size_t)memory > (size_t)-1 - b->used ? (size_t)-1 : b->used + (size_t)memory;
    b->inner_alloc = lua_getallocf(L, &b->inner_ud);
    lua_setallocf(L, budget_alloc, b);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);

    int status = lua_pcall(L, nargs, LUA_MULTRET, 1);

    lua_sethook(L, saved_hook, saved_mask, saved_count);
    lua_setallocf(L, b->inner_alloc, b->inner_ud);
    b->active = 0;
    if (swapped) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, saved_methods);
        swap_string_methods(L);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, saved_methods);
    int n = run_results(L, b, status, 1);
    if (b->exceeded) {
        b->last_abort = b->exceeded;
        b->exceeded = NULL;
        lua_gc(L, LUA_GCCOLLECT, 0);           /* give back what the script grabbed */
    }
    return n;
}

/* sandbox.linear(fn) -> a function that charges the length of its string
 * arguments and results (C work linear in them) to the budget. */
static int l_linear(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_newtable(L);
    lua_pushliteral(L, "f");
    lua_pushvalue(L, 1);
    lua_settable(L, -3);
    sandbox_push_linear_lib(L, lua_gettop(L));
    lua_getfield(L, -1, "f");
    return 1;
}

int luaopen_tinkr_sandbox(lua_State *L)
{
    lua_createtable(L, 0, 6);
    int t = lua_gettop(L);

    /* The standard libraries as the state has them (package.loaded). */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    int loaded = lua_gettop(L);
    static const struct {
        const char *name;
        void (*push)(lua_State *, int);
    } libs[] = {
        { "string", sandbox_push_string_lib },
        { "table", sandbox_push_table_lib },
        { "utf8", sandbox_push_linear_lib },
    };
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        if (lua_getfield(L, loaded, libs[i].name) != LUA_TTABLE)
            return luaL_error(L, "tinkr.core.sandbox needs the standard '%s' library", libs[i].name);
        libs[i].push(L, lua_gettop(L));
        lua_setfield(L, t, libs[i].name);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);

    lua_pushvalue(L, t);
    lua_pushcclosure(L, l_run, 1);
    lua_setfield(L, t, "run");
    lua_pushcfunction(L, l_linear);
    lua_setfield(L, t, "linear");
    return 1;
}
