/* Files only their owner may read: directories made like `mkdir -p` (no
 * shell) and whole files replaced atomically (temporary + rename), for the
 * caches under $XDG_CACHE_HOME/tinkr and the REPL history directory. */
#ifndef TINKR_PRIVATE_FILE_H
#define TINKR_PRIVATE_FILE_H

#include <stddef.h>

/* Creates path and any missing parents with mode (e.g. 0700).  Existing
 * directories are left as they are.  0, or -1 with errno set (ENOTDIR when
 * a component is not a directory, ENAMETOOLONG past PATH_MAX). */
int private_mkdir_p(const char *path, unsigned mode);

/* Replaces path with data: written to a new temporary file (mode 0600) in
 * the same directory, then renamed over path, so a reader sees
 * the old file or the new one, never half of one.  0, or -1 with errno
 * set (the temporary is removed). */
int private_write(const char *path, const char *data, size_t len);

#endif
