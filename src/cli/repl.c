/* The REPL.  Follows lua.c's shape: try "return <line>" first, keep reading
 * while the chunk is incomplete (the error ends in <eof>), print results
 * through lua/tinkr/pretty.lua, report errors and go on.
 *
 * Ctrl-C at the prompt clears the line; during a call it interrupts (see
 * runtime.c).  History lives in $XDG_STATE_HOME/tinkr/history. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/readline.h>
#include <readline/history.h>
#include <lauxlib.h>
#include "repl.h"
#include "runtime.h"
#include "modules.h"
#include "private_file.h"

#define PROMPT "tinkr> "
#define PROMPT_MORE "  ...> "
#define HISTORY_LINES 1000

static volatile sig_atomic_t prompt_interrupted;

/* Tab completion asks tinkr.repl.complete (Lua).  readline's callbacks
 * take no user data, so the state and the candidates live here while the
 * REPL runs (one REPL per process). */
static lua_State *completion_state;
static char **candidates;
static size_t candidate_count, candidate_next;

static void free_candidates(void)
{
    for (size_t i = 0; i < candidate_count; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
    candidate_count = candidate_next = 0;
}

static char *next_candidate(const char *text, int state)
{
    (void)text;
    if (state == 0)
        candidate_next = 0;
    if (candidate_next >= candidate_count)
        return NULL;
    return strdup(candidates[candidate_next++]);
}

/* Calls tinkr.repl.complete(line, start, end) in protected mode; a failure
 * only means no completion. */
static char **complete(const char *text, int start, int end)
{
    lua_State *L = completion_state;
    rl_attempted_completion_over = 1;       /* never file names */
    free_candidates();
    if (!L)
        return NULL;
    int top = lua_gettop(L);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tinkr.repl");
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        lua_getfield(L, -1, "complete");
        lua_pushstring(L, rl_line_buffer);
        lua_pushinteger(L, start);
        lua_pushinteger(L, end);
        if (lua_pcall(L, 3, 1, 0) == LUA_OK && lua_istable(L, -1)) {
            lua_Integer n = luaL_len(L, -1);
            candidates = n > 0 ? calloc((size_t)n, sizeof *candidates) : NULL;
            for (lua_Integer i = 1; candidates && i <= n; i++) {
                lua_geti(L, -1, i);
                const char *s = lua_tostring(L, -1);
                if (s && (candidates[candidate_count] = strdup(s)) != NULL)
                    candidate_count++;
                lua_pop(L, 1);
            }
        }
    }
    lua_settop(L, top);
    rl_completion_append_character = '\0';
    return candidate_count ? rl_completion_matches(text, next_candidate) : NULL;
}

static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

/* SIGINT is blocked while readline runs and unblocked only inside ppoll(),
 * atomically: a Ctrl-C that arrives while readline is busy (echoing,
 * redrawing) stays pending until the next wait instead of slipping between a
 * flag check and a blocking read() and being lost. */
static sigset_t mask_outside_readline;

/* readline's input function.  Ctrl-C interrupts the wait; we then empty the
 * line and accept it, so readline returns and read_line reports it. */
static int getc_or_interrupt(FILE *in)
{
    struct pollfd pfd = { .fd = fileno(in), .events = POLLIN };
    for (;;) {
        if (prompt_interrupted) {
            rl_replace_line("", 0);
            return '\n';
        }
        int ready = ppoll(&pfd, 1, NULL, &mask_outside_readline);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return EOF;
        unsigned char c;
        ssize_t n = read(pfd.fd, &c, 1);
        if (n == 1)
            return c;
        if (n == 0 || errno != EINTR)
            return EOF;
    }
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A HOME that does not exist (Debian's daemon users have /nonexistent)
 * means no history file: creating it would litter /, as root. */
static void history_path(char *buf, size_t size)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    if (state && *state)
        snprintf(dir, sizeof dir, "%s/tinkr", state);
    else if (home && *home && is_directory(home))
        snprintf(dir, sizeof dir, "%s/.local/state/tinkr", home);
    else {
        buf[0] = '\0';
        return;
    }
    private_mkdir_p(dir, 0700);   /* a failure only costs the history */
    snprintf(buf, size, "%s/history", dir);
}

/* Reads one line; NULL at end of input.  Returns "" after Ctrl-C. */
static char *read_line(const char *prompt)
{
    prompt_interrupted = 0;
    struct sigaction on_int = { .sa_handler = on_prompt_sigint }, previous;
    sigemptyset(&on_int.sa_mask);
    sigaction(SIGINT, &on_int, &previous);
    sigset_t only_int;
    sigemptyset(&only_int);
    sigaddset(&only_int, SIGINT);
    sigprocmask(SIG_BLOCK, &only_int, &mask_outside_readline);
    sigdelset(&mask_outside_readline, SIGINT);
    char *line = readline(prompt);
    sigprocmask(SIG_UNBLOCK, &only_int, NULL);
    sigaction(SIGINT, &previous, NULL);
    if (prompt_interrupted && line) {
        free(line);
        line = strdup("");
        fputc('\n', stdout);
    }
    return line;
}

static int is_incomplete(lua_State *L, int status)
{
    if (status != LUA_ERRSYNTAX)
        return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    const char eof_mark[] = "<eof>";
    return len >= sizeof eof_mark - 1 && strcmp(msg + len - (sizeof eof_mark - 1), eof_mark) == 0;
}

/* Compiles "return <code>" if that is an expression, else <code> itself.
 * Leaves the function (or the error) on the stack. */
static int compile(lua_State *L, const char *code)
{
    const char *with_return = lua_pushfstring(L, "return %s;", code);
    int status = luaL_loadbufferx(L, with_return, strlen(with_return), "=stdin", "t");
    lua_remove(L, -2);
    if (status == LUA_OK)
        return status;
    lua_pop(L, 1);
    return luaL_loadbufferx(L, code, strlen(code), "=stdin", "t");
}

/* Prints the values left by a call through tinkr.pretty. */
static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n == 0)
        return;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tinkr.pretty");
    if (runtime_report(L, runtime_call(L, 1, 1)) != LUA_OK) {
        lua_settop(L, base);
        return;
    }
    lua_getfield(L, -1, "print_values");
    lua_remove(L, -2);
    lua_insert(L, base + 1);
    runtime_report(L, runtime_call(L, n, 0));
    lua_settop(L, base);
}

static void add_history_line(const char *chunk, const char *hist_file)
{
    if (chunk[0] == '\0')
        return;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (last && strcmp(last->line, chunk) == 0)
        return;
    add_history(chunk);
    if (hist_file[0])
        append_history(1, hist_file);
}

int repl_run(lua_State *L)
{
    char hist_file[4200];
    history_path(hist_file, sizeof hist_file);
    if (hist_file[0]) {
        if (read_history(hist_file) != 0)
            write_history(hist_file);       /* create it: append_history needs a file */
        stifle_history(HISTORY_LINES);
    }
    rl_catch_signals = 0;
    rl_getc_function = getc_or_interrupt;
    completion_state = L;
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,+*/%^~#";
    /* help() and :help list the API (tinkr.repl.help) */
    if (luaL_dostring(L, "rawset(_G, 'help', function() return require('tinkr.repl').help() end)") != LUA_OK)
        lua_pop(L, 1);
    printf("tinkr %s (%s) — Ctrl-D exits, `tinkr` is loaded on first use\n", TINKR_VERSION, LUA_RELEASE);

    for (;;) {
        char *line = read_line(PROMPT);
        if (!line)
            break;
        if (strcmp(line, ":help") == 0) {
            free(line);
            if (luaL_dostring(L, "require('tinkr.repl').help()") != LUA_OK) {
                fprintf(stderr, "%s\n", lua_tostring(L, -1));
                lua_pop(L, 1);
            }
            continue;
        }
        lua_pushstring(L, line);            /* the chunk text so far */
        free(line);
        int status;
        for (;;) {
            status = compile(L, lua_tostring(L, -1));
            if (!is_incomplete(L, status))
                break;
            lua_pop(L, 1);                  /* the <eof> message */
            char *more = read_line(PROMPT_MORE);
            if (!more || prompt_interrupted) {
                free(more);
                status = -1;                /* abandoned */
                break;
            }
            lua_pushfstring(L, "%s\n%s", lua_tostring(L, -1), more);
            lua_remove(L, -2);
            free(more);
        }
        if (status == -1) {
            lua_pop(L, 1);
            continue;
        }
        add_history_line(lua_tostring(L, -2), hist_file);
        lua_remove(L, -2);                  /* drop the text, keep function/error */
        if (status != LUA_OK) {
            runtime_report(L, status);
            continue;
        }
        int base = lua_gettop(L) - 1;
        status = runtime_call(L, 0, LUA_MULTRET);
        if (status != LUA_OK) {
            runtime_report(L, status);
            lua_settop(L, base);
            continue;
        }
        print_results(L, base);
    }
    if (hist_file[0])
        history_truncate_file(hist_file, HISTORY_LINES);
    free_candidates();
    completion_state = NULL;
    fputc('\n', stdout);
    return 0;
}
