/* Files from lua/ and queries/ compiled into bin/tinkr (see tools/embed.lua). */
#ifndef TINKR_EMBEDDED_H
#define TINKR_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *path;   /* repository path, e.g. "lua/tinkr/init.lua" */
    size_t size;
    const char *data;
    size_t bytecode_size;   /* lua/ modules: the same chunk precompiled */
    const char *bytecode;   /* (NULL for resources read as text) */
};

/* Terminated by an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

#endif
