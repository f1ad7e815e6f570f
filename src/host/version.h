/* --version for tinkr and tinkr-server. */
#ifndef TINKR_VERSION_INFO_H
#define TINKR_VERSION_INFO_H

#include <stdio.h>

/* Prints "PROGRAM VERSION (git REV)" and the Lua and libcurl versions in
 * use, then extra (e.g. "libmicrohttpd 0.9.75"; NULL for none). */
void version_print(FILE *out, const char *program, const char *extra);

/* The git revision built from ("unknown" outside a checkout); generated. */
extern const char tinkr_revision[];

#endif
