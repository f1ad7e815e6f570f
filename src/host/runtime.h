/* The embedding runtime: one lua_State set up with tinkr's modules, and the
 * single protected-call path every C->Lua call in the CLI goes through. */
#ifndef TINKR_RUNTIME_H
#define TINKR_RUNTIME_H

#include <lua.h>

/* A state with the standard libraries, tinkr.core, cjson, the embedded
 * lua/ + queries/ files and the user's override directories. NULL if out of
 * memory. */
lua_State *runtime_open(void);

/* The same, with a caller's allocator (e.g. one that enforces a memory cap)
 * and no signal handling at all: for states owned by server worker threads.
 * alloc NULL means the standard allocator.  Reports to stderr and returns
 * NULL if the state cannot be set up. */
lua_State *runtime_open_with(lua_Alloc alloc, void *ud);

/* Calls the function below the narg arguments on the stack with a traceback
 * handler; Ctrl-C during the call raises "interrupted". Returns a lua status. */
int runtime_call(lua_State *L, int narg, int nresults);

/* Like runtime_call (traceback handler) but touches no signal handler and
 * no process-wide state, so any thread may use it on its own state. */
int runtime_pcall(lua_State *L, int narg, int nresults);

/* Prints the error on top of the stack (if status is not LUA_OK) to stderr
 * and pops it.  Returns status. */
int runtime_report(lua_State *L, int status);

/* The exit status for the error value at idx: its tinkr.errors code's
 * (usage 2, config 3, ...), or fallback for any other error. */
int runtime_exit_status(lua_State *L, int idx, int fallback);

/* Clears a pending Ctrl-C (hook and flag), e.g. after the REPL prompt. */
void runtime_clear_interrupt(lua_State *L);

#endif
