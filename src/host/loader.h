/* Finds Lua modules and resource files: the user's directories first
 * (TINKR_PATH, then $XDG_CONFIG_HOME/tinkr), then the copies embedded in
 * bin/tinkr. */
#ifndef TINKR_LOADER_H
#define TINKR_LOADER_H

#include <lua.h>

/* Installs the searcher into package.searchers (right after preload) and
 * registers the "tinkr.embedded" module. */
void loader_install(lua_State *L);

#endif
