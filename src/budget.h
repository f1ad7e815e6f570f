/* The budget of a sandboxed call (l_budget.c): instructions, wall-clock
 * time and memory, enforced by a count hook between Lua instructions and,
 * inside long C calls, by the C functions themselves charging their work
 * here.  One budget per Lua state at most (kept in its registry), so no C
 * globals: every server worker's state has its own. */
#ifndef TINKR_BUDGET_H
#define TINKR_BUDGET_H

#include <stdatomic.h>
#include <stddef.h>
#include <lua.h>

struct budget;

/* The running budget of L's state, or NULL when no sandboxed call runs. */
struct budget *budget_current(lua_State *L);

/* Charges steps of C work (roughly one per byte or comparison) to b (may
 * be NULL: no budget); 1 when a budget ran out (the caller then stops and
 * calls budget_raise), else 0.  Never raises. */
int budget_spend(struct budget *b, long steps);

/* Raises "script stopped: <reason> budget exceeded" and makes the next Lua
 * instruction raise it again, so a pcall cannot swallow it. */
int budget_raise(lua_State *L);

/* budget_spend + budget_raise. */
void budget_charge(lua_State *L, long steps);

/* Raises the memory budget error when `bytes` more would not fit. */
void budget_reserve(lua_State *L, size_t bytes);

/* A network timeout cut to the time the budget has left (unchanged
 * without a budget); raises the time budget error when none is left. */
double budget_clamp_seconds(lua_State *L, double seconds);

/* Raises the budget error if the budget ran out (clock included): for C
 * functions that waited, e.g. on the network. */
void budget_check_deadline(lua_State *L);

/* tinkr-server: a flag that, once set, stops every budgeted call of L's
 * state ("shutdown").  Creates the budget record if needed. */
void budget_set_stop_flag(lua_State *L, const atomic_int *stop);

/* Why the last budgeted call of L's state was stopped ("time", ...), or
 * NULL; clears it. */
const char *budget_take_abort(lua_State *L);

/* luaopen-style: the table core.sandbox (run, string, table, utf8, linear). */
int luaopen_tinkr_sandbox(lua_State *L);

/* Building blocks of that table (l_sandbox_string.c, l_sandbox_table.c):
 * each pushes a bounded copy of the library table found on the stack top. */
void sandbox_push_string_lib(lua_State *L, int original);
void sandbox_push_table_lib(lua_State *L, int original);
void sandbox_push_linear_lib(lua_State *L, int original);

#endif
