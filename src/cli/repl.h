/* The interactive loop: line editing, history, multi-line chunks, pretty
 * printing of results. */
#ifndef TINKR_REPL_H
#define TINKR_REPL_H

#include <lua.h>

/* Runs until end of input (Ctrl-D).  Returns the process exit status. */
int repl_run(lua_State *L);

#endif
