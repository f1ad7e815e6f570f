/* The Lua side of tinkr-server: one worker = one lua_State (with its own
 * capped allocator) that runs lua/tinkr/server/init.lua's handle() for each
 * job.  This is the server's only C file that touches the Lua stack. */
#ifndef TINKR_SERVER_L_SERVER_H
#define TINKR_SERVER_L_SERVER_H

#include <stdatomic.h>
#include <stddef.h>
#include "job.h"

struct lua_worker;

/* Settings for every worker.  Zero / NULL means "Lua's default" for the
 * Lua-side limits (lua/tinkr/server/init.lua holds the defaults). */
struct lua_worker_options {
    const char *profile;            /* --profile */
    const char *config_file;        /* --config (else TINKR_CONFIG, else the default) */
    size_t memory_limit;            /* bytes a worker's state may hold */
    const atomic_int *stop_flag;    /* set at a hard shutdown: running scripts stop */
    double timeout_s;               /* backend request timeout (--timeout) */
    long long max_rows;
    long long max_response;
    long long script_instructions;
    double script_seconds;
    long long script_memory;
};

/* A ready worker (modules loaded, configuration checked), or NULL with the
 * reason in err and *config_error set when the configuration was at fault. */
struct lua_worker *lua_worker_open(const struct lua_worker_options *opt, int index, int *config_error,
                                   char *err, size_t errlen);

/* worker_pool's run function: answers one job in the worker's state. */
void lua_worker_run(void *worker, struct job *job);

void lua_worker_close(struct lua_worker *w);

#endif
