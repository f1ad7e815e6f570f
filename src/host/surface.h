/* The command line as C sees it, generated at build time from the one
 * description in lua/tinkr/cli/surface/ (tools/gen_cli.lua), so neither
 * binary can drift from --help, the man pages or the completions. */
#ifndef TINKR_SURFACE_H
#define TINKR_SURFACE_H

/* `tinkr NAME` runs a command (tinkr.cli) for these; NULL-terminated. */
extern const char *const tinkr_commands[];

/* Those of them that ask a backend (`requests = true`); NULL-terminated. */
extern const char *const tinkr_request_commands[];

/* tinkr-server --help. */
extern const char tinkr_server_usage[];

#endif
