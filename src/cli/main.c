/* tinkr: the command line.  main() only creates the state and runs
 * protected_main(); everything that can raise happens under runtime_call. */
#include <malloc.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "runtime.h"
#include "curl_lazy.h"
#include "huge_pages.h"
#include "repl.h"
#include "modules.h"
#include "surface.h"
#include "version.h"
#include "huge_pages.h"

#define EXIT_SCRIPT_ERROR 1
#define EXIT_USAGE 2
#define EXIT_OUTPUT 12   /* tinkr.errors.CODES.output */

static int listed(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

static int is_command(const char *s) { return listed(s, tinkr_commands); }

/* `tinkr logs ...` will make a request, unless it only prints its help. */
static int will_request(int argc, char **argv)
{
    if (argc < 2 || !listed(argv[1], tinkr_request_commands))
        return 0;
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 0;
    return 1;
}

/* arg[0] = script name, arg[1..] = its arguments, arg[-1] = "tinkr". */
static void set_arg_table(lua_State *L, char **argv, int argc, int script_index)
{
    lua_createtable(L, argc - script_index, script_index + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script_index);
    }
    lua_setglobal(L, "arg");
}

/* Pushes arg[1..] as call arguments, so a chunk also sees them as `...`. */
static int push_script_args(lua_State *L, char **argv, int argc, int first)
{
    luaL_checkstack(L, argc - first + 1, "too many arguments");
    for (int i = first; i < argc; i++)
        lua_pushstring(L, argv[i]);
    return argc - first;
}

/* Runs the chunk that load_status says was loaded (or reports why it was
 * not); returns the exit status. */
static int run_loaded(lua_State *L, int load_status, char **argv, int argc, int first_arg)
{
    if (load_status != LUA_OK) {
        runtime_report(L, load_status);
        return EXIT_SCRIPT_ERROR;
    }
    int n = push_script_args(L, argv, argc, first_arg);
    int status = runtime_call(L, n, 0);
    if (status == LUA_OK)
        return 0;
    /* a raised tinkr error (misuse: usage, 2; ...) exits with its code */
    int code = runtime_exit_status(L, -1, EXIT_SCRIPT_ERROR);
    runtime_report(L, status);
    return code;
}

/* tinkr COMMAND ...: the commands are Lua (lua/tinkr/cli.lua) and return
 * their exit status. */
static int run_command(lua_State *L, char **argv, int argc)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tinkr.cli");
    if (runtime_report(L, runtime_call(L, 1, 1)) != LUA_OK)
        return EXIT_SCRIPT_ERROR;
    lua_getfield(L, -1, "main");
    lua_createtable(L, argc - 1, 0);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    if (runtime_report(L, runtime_call(L, 1, 1)) != LUA_OK)
        return EXIT_SCRIPT_ERROR;
    int isnum = 0;
    lua_Integer status = lua_tointegerx(L, -1, &isnum);
    return isnum ? (int)status : 0;
}

static int usage_error(const char *fmt, const char *what)
{
    fputs("tinkr: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\nRun 'tinkr --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

static int dispatch(lua_State *L, int argc, char **argv)
{
    if (argc < 2) {
        if (isatty(0))
            return repl_run(L);
        set_arg_table(L, argv, argc, 0);
        return run_loaded(L, luaL_loadfilex(L, NULL, "t"), argv, argc, 1);
    }
    const char *first = argv[1];
    /* The usage is rendered from the command-line surface, in Lua. */
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
        return run_command(L, argv, argc);
    if (strcmp(first, "--version") == 0 || strcmp(first, "-v") == 0) {
        version_print(stdout, "tinkr", NULL);
        return 0;
    }
    if (strcmp(first, "-e") == 0) {
        if (argc < 3)
            return usage_error("%s needs an argument: tinkr -e 'print(1)'", "-e");
        set_arg_table(L, argv, argc, 2);   /* arg[0] = CODE, arg[1] = first arg */
        int status = luaL_loadbufferx(L, argv[2], strlen(argv[2]), "=(command line)", "t");
        return run_loaded(L, status, argv, argc, 3);
    }
    if (strcmp(first, "-") == 0) {
        set_arg_table(L, argv, argc, 1);
        return run_loaded(L, luaL_loadfilex(L, NULL, "t"), argv, argc, 2);
    }
    if (first[0] == '-')
        return usage_error("unknown option '%s'", first);
    if (is_command(first))
        return run_command(L, argv, argc);
    if (access(first, R_OK) != 0)
        return usage_error("cannot open script '%s' (no such file, or not readable)", first);
    set_arg_table(L, argv, argc, 1);
    return run_loaded(L, luaL_loadfilex(L, first, "t"), argv, argc, 2);
}

/* Runs under lua_pcall so that even errors while dispatching are reported. */
static int protected_main(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    lua_settop(L, 0);
    lua_pushinteger(L, dispatch(L, argc, argv));
    return 1;
}

/* The C library's allocator, except while lua_close ends the program:
 * finalizers still run, but the frees are left to the process exit, which
 * returns all memory at once (freeing a big result's rows one by one costs
 * milliseconds, a fifth of a whole `map` run). */
static int exiting;

static void *cli_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    if (nsize == 0 && exiting)
        return NULL;
    /* very large blocks on huge pages: see src/huge_pages.h */
    return huge_pages_lua_alloc(ud, ptr, osize, nsize);
}

/* stdout could not take everything written to it (a full disk, an I/O
 * error, a pipe whose reader left while SIGPIPE is ignored): say so in one
 * line, rather than end with a status that claims results.  An unsuccessful
 * status (no results, a script that raised, an error) stands.  (With
 * SIGPIPE at its default, a closed pipe ends tinkr at once, as any filter.) */
static int check_stdout(int code)
{
    errno = 0;
    int flush_failed = fflush(stdout) != 0;
    int err = errno;
    if (!flush_failed && !ferror(stdout))
        return code;
    if (code == EXIT_OUTPUT)             /* the command has said so already */
        return code;
    if (flush_failed && err)
        fprintf(stderr, "tinkr: could not write the output: %s\n", strerror(err));
    else
        fputs("tinkr: could not write all of the output\n", stderr);
    return code != 0 ? code : EXIT_OUTPUT;
}

int main(int argc, char **argv)
{
    /* Search responses are megabytes: keep big buffers in the heap instead
     * of fresh mmaps each time, so they are not page-faulted in again and
     * again as Lua strings and buffers come and go. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    /* Messages are written in pieces (io.stderr:write("tinkr: ", msg, "\n"));
     * unbuffered, each piece is a write of its own, and another writer on
     * the same stderr (libcurl loading on the prewarm thread, a hook, a
     * process beside tinkr) can land in the middle of the line.  Line
     * buffered, a line goes out whole. */
    setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
    /* Loading libcurl is most of the time before a command's first
     * connect(): done beside Lua's start-up, it is off that path. */
    if (will_request(argc, argv))
        curl_lazy_prewarm();
    lua_State *L = runtime_open_with(cli_alloc, NULL);
    if (!L) {
        fputs("tinkr: cannot create the Lua state (out of memory?)\n", stderr);
        return EXIT_SCRIPT_ERROR;
    }
    lua_pushcfunction(L, protected_main);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int code = EXIT_SCRIPT_ERROR;
    if (status == LUA_OK)
        code = (int)lua_tointeger(L, -1);
    else
        runtime_report(L, status);
    exiting = 1;
    lua_close(L);            /* finalizers may still write */
    code = check_stdout(code);
    curl_lazy_settle();
    return code;
}
