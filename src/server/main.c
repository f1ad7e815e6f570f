/* tinkr-server: the HTTP JSON API.  main() parses the options, creates one
 * Lua worker per --workers, starts the pool and the HTTP front end, then
 * waits for SIGTERM/SIGINT and drains: stop accepting, let requests in
 * flight finish within --drain seconds, then stop what is left and exit 0.
 *
 * Threads: MHD's polling threads (http_frontend.c) never run Lua or wait on
 * a backend; the worker threads (worker_pool.c) each own one lua_State
 * (l_server.c).  Signals are blocked in every thread and taken here with
 * sigwait, so no handler runs at an awkward moment. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "http_frontend.h"
#include "interrupt.h"
#include "l_server.h"
#include "server_metrics.h"
#include "surface.h"
#include "systemd.h"
#include "version.h"
#include "worker_pool.h"

#define EXIT_USAGE 2
#define EXIT_FAILURE_START 1
#define EXIT_CONFIG 3           /* as tinkr: a bad config file, profile or setting */

struct server_options {
    const char *listen;
    unsigned int workers;
    unsigned int io_threads;
    size_t queue;
    double queue_timeout;
    size_t max_body;
    double drain;
    struct lua_worker_options lua;
};

/* A process-wide "stop scripts now" flag, set at a hard shutdown (like a
 * signal, there is one per process). */
static atomic_int hard_stop;

static int usage_error(const char *fmt, const char *what)
{
    fputs("tinkr-server: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\nRun 'tinkr-server --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

/* "1048576", "64k", "1m", "2g" -> bytes; 0 on error. */
static long long parse_bytes(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v <= 0)
        return 0;
    long long unit = 1;
    if (*end == 'k' || *end == 'K') unit = 1024LL, end++;
    else if (*end == 'm' || *end == 'M') unit = 1024LL * 1024, end++;
    else if (*end == 'g' || *end == 'G') unit = 1024LL * 1024 * 1024, end++;
    if (*end != '\0' || v > LLONG_MAX / unit)
        return 0;
    return v * unit;
}

static double parse_seconds(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v > 0) || v > 1e6)
        return 0;
    return v;
}

static long long parse_count(const char *s, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0' || v <= 0 || v > max)
        return 0;
    return v;
}

/* HOST:PORT or [V6HOST]:PORT -> a socket address. */
static int parse_listen(const char *spec, struct frontend_options *fo, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec) {
        snprintf(err, errlen, "--listen wants HOST:PORT, e.g. 127.0.0.1:8080 (got '%s')", spec);
        return -1;
    }
    size_t hlen = (size_t)(colon - spec);
    const char *h = spec;
    if (spec[0] == '[' && colon[-1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        snprintf(err, errlen, "--listen: host name too long");
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    long long port = -1;
    char *end;
    errno = 0;
    port = strtoll(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end != '\0' || port < 0 || port > 65535) {
        snprintf(err, errlen, "--listen: bad port '%s' (0-65535)", colon + 1);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, errlen, "--listen: cannot resolve '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(&fo->addr, res->ai_addr, res->ai_addrlen);
    fo->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    if (fo->addr.ss_family == AF_INET)
        ((struct sockaddr_in *)&fo->addr)->sin_port = htons((unsigned short)port);
    else if (fo->addr.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&fo->addr)->sin6_port = htons((unsigned short)port);
    else {
        snprintf(err, errlen, "--listen: '%s' is neither IPv4 nor IPv6", host);
        return -1;
    }
    return 0;
}

static int is_loopback(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0;
    return 0;
}

/* Parses argv into opt; returns -1 to continue, else an exit status. */
static int parse_args(int argc, char **argv, struct server_options *opt)
{
    for (int i = 1; i < argc; i++) {
        /* --name value or --name=value: a names the option either way. */
        char name[64];
        const char *a = argv[i];
        const char *inline_value = NULL;
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq) {
            size_t n = (size_t)(eq - a);
            if (n >= sizeof name)
                return usage_error("unknown option '%s'", a);
            memcpy(name, a, n);
            name[n] = '\0';
            a = name;
            inline_value = eq + 1;
        }
        if (inline_value && (strcmp(name, "--help") == 0 || strcmp(name, "--version") == 0))
            return usage_error("%s takes no value", name);
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(tinkr_server_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            char mhd[64];
            snprintf(mhd, sizeof mhd, "libmicrohttpd %s", frontend_mhd_version());
            version_print(stdout, "tinkr-server", mhd);
            return 0;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", a);
        if (!inline_value && i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *v = inline_value ? inline_value : argv[++i];
        long long n;
        double d;
        if (strcmp(a, "--listen") == 0) opt->listen = v;
        else if (strcmp(a, "--profile") == 0) opt->lua.profile = v;
        else if (strcmp(a, "--config") == 0) opt->lua.config_file = v;
        else if (strcmp(a, "--workers") == 0) {
            if (!(n = parse_count(v, 1024))) return usage_error("--workers wants a number from 1 to 1024, got '%s'", v);
            opt->workers = (unsigned)n;
        } else if (strcmp(a, "--io-threads") == 0) {
            if (!(n = parse_count(v, 64))) return usage_error("--io-threads wants a number from 1 to 64, got '%s'", v);
            opt->io_threads = (unsigned)n;
        } else if (strcmp(a, "--queue") == 0) {
            if (!(n = parse_count(v, 1000000))) return usage_error("--queue wants a positive number, got '%s'", v);
            opt->queue = (size_t)n;
        } else if (strcmp(a, "--queue-timeout") == 0) {
            if (!(d = parse_seconds(v))) return usage_error("--queue-timeout wants seconds > 0, got '%s'", v);
            opt->queue_timeout = d;
        } else if (strcmp(a, "--max-body") == 0) {
            if (!(n = parse_bytes(v))) return usage_error("--max-body wants a size such as 65536 or 1m, got '%s'", v);
            opt->max_body = (size_t)n;
        } else if (strcmp(a, "--drain") == 0) {
            if (!(d = parse_seconds(v))) return usage_error("--drain wants seconds > 0, got '%s'", v);
            opt->drain = d;
        } else if (strcmp(a, "--timeout") == 0) {
            if (!(d = parse_seconds(v))) return usage_error("--timeout wants seconds > 0, got '%s'", v);
            opt->lua.timeout_s = d;
        } else if (strcmp(a, "--max-rows") == 0) {
            if (!(n = parse_count(v, 1000000000))) return usage_error("--max-rows wants a positive number, got '%s'", v);
            opt->lua.max_rows = n;
        } else if (strcmp(a, "--max-response") == 0) {
            if (!(n = parse_bytes(v))) return usage_error("--max-response wants a size such as 64m, got '%s'", v);
            opt->lua.max_response = n;
        } else if (strcmp(a, "--memory") == 0) {
            if (!(n = parse_bytes(v))) return usage_error("--memory wants a size such as 512m, got '%s'", v);
            opt->lua.memory_limit = (size_t)n;
        } else if (strcmp(a, "--script-instructions") == 0) {
            if (!(n = parse_count(v, LLONG_MAX))) return usage_error("--script-instructions wants a positive number, got '%s'", v);
            opt->lua.script_instructions = n;
        } else if (strcmp(a, "--script-seconds") == 0) {
            if (!(d = parse_seconds(v))) return usage_error("--script-seconds wants seconds > 0, got '%s'", v);
            opt->lua.script_seconds = d;
        } else if (strcmp(a, "--script-memory") == 0) {
            if (!(n = parse_bytes(v))) return usage_error("--script-memory wants a size such as 64m, got '%s'", v);
            opt->lua.script_memory = n;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    return -1;
}

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to `seconds` for the front end to have nothing in flight; a
 * further signal cuts the wait short.  Returns 1 if it emptied. */
static int wait_idle(struct frontend *fe, const sigset_t *signals, double seconds)
{
    double deadline = monotonic_now() + seconds;
    while (frontend_in_flight(fe) > 0) {
        double left = deadline - monotonic_now();
        if (left <= 0)
            return 0;
        double step = left < 0.02 ? left : 0.02;
        struct timespec ts = { 0, (long)(step * 1e9) };
        if (sigtimedwait(signals, NULL, &ts) > 0)
            return frontend_in_flight(fe) == 0;
    }
    return 1;
}

static void close_workers(struct lua_worker **workers, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        lua_worker_close(workers[i]);
    free(workers);
}

int main(int argc, char **argv)
{
    struct server_options opt = {
        .listen = "127.0.0.1:8080",
        .workers = 8,
        .queue = 1024,
        .queue_timeout = 30,
        .max_body = 1024 * 1024,
        .drain = 10,
        .lua = { .memory_limit = (size_t)512 * 1024 * 1024 },
    };
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    opt.io_threads = cpus < 1 ? 1 : cpus > 4 ? 4 : (unsigned)cpus;
    int status = parse_args(argc, argv, &opt);
    if (status >= 0)
        return status;

    char err[1024];
    struct frontend_options fo = {
        .threads = opt.io_threads, .connection_limit = 4096, .max_body = opt.max_body,
    };
    if (parse_listen(opt.listen, &fo, err, sizeof err) != 0)
        return usage_error("%s", err);

    /* The token lives in C only: taken out of the environment before any
     * Lua state exists, so no script or error message can ever show it. */
    const char *env_token = getenv("TINKR_SERVER_TOKEN");
    char *token = NULL;
    if (env_token) {
        if (!*env_token) {
            server_log(LOG_LEVEL_ERR, "TINKR_SERVER_TOKEN is set but empty; unset it or give a token");
            return EXIT_USAGE;
        }
        token = strdup(env_token);
        unsetenv("TINKR_SERVER_TOKEN");
        fo.token = token;
    } else {
        /* Under systemd: LoadCredential=tinkr-server-token:/etc/tinkr/token */
        token = systemd_credential_token(err, sizeof err);
        if (!token && err[0]) {
            server_log(LOG_LEVEL_ERR, "%s", err);
            return EXIT_USAGE;
        }
        fo.token = token;
    }
    if (!token && !is_loopback(&fo.addr))
        server_log(LOG_LEVEL_WARNING, "warning: listening on %s without TINKR_SERVER_TOKEN: anyone who "
                        "can reach it can query the backends", opt.listen);

    /* Before any thread: signals go to sigwait below; curl's global init is
     * not thread-safe on every build. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        server_log(LOG_LEVEL_ERR, "cannot initialise libcurl");
        return EXIT_FAILURE_START;
    }

    atomic_init(&hard_stop, 0);
    opt.lua.stop_flag = &hard_stop;
    struct lua_worker **workers = calloc(opt.workers, sizeof *workers);
    if (!workers) {
        server_log(LOG_LEVEL_ERR, "out of memory");
        return EXIT_FAILURE_START;
    }
    for (unsigned int i = 0; i < opt.workers; i++) {
        int config_error;
        workers[i] = lua_worker_open(&opt.lua, (int)i + 1, &config_error, err, sizeof err);
        if (!workers[i]) {
            server_log(LOG_LEVEL_ERR, "cannot start worker %u: %s", i + 1, err);
            close_workers(workers, i);
            return config_error ? EXIT_CONFIG : EXIT_FAILURE_START;
        }
    }
    struct server_metrics *metrics = server_metrics_new();
    struct worker_pool *pool = metrics ? worker_pool_start((void **)workers, opt.workers, lua_worker_run,
                                                           opt.queue, opt.queue_timeout, err, sizeof err)
                                       : NULL;
    if (!pool) {
        server_log(LOG_LEVEL_ERR, "%s", metrics ? err : "out of memory");
        server_metrics_free(metrics);
        close_workers(workers, opt.workers);
        return EXIT_FAILURE_START;
    }
    struct frontend *fe = frontend_start(&fo, pool, metrics, err, sizeof err);
    if (!fe) {
        server_log(LOG_LEVEL_ERR, "%s: %s", opt.listen, err);
        worker_pool_stop(pool);
        server_metrics_free(metrics);
        close_workers(workers, opt.workers);
        return EXIT_FAILURE_START;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (fo.addr.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&fo.addr)->sin_addr, host, sizeof host);
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&fo.addr)->sin6_addr, host, sizeof host);
    printf("tinkr-server: listening on http://%s%s%s:%u (%u workers, %u io threads%s)\n",
           fo.addr.ss_family == AF_INET6 ? "[" : "", host, fo.addr.ss_family == AF_INET6 ? "]" : "",
           frontend_port(fe), opt.workers, opt.io_threads, token ? ", token required" : "");
    fflush(stdout);
    systemd_notify("READY=1");

    int sig = 0;
    while (sigwait(&signals, &sig) != 0)
        ;
    systemd_notify("STOPPING=1");
    server_log(LOG_LEVEL_INFO, "%s: no new connections; waiting up to %g s for %zu request(s) in flight",
            sig == SIGINT ? "SIGINT" : "SIGTERM", opt.drain, frontend_in_flight(fe));
    frontend_quiesce(fe);
    if (!wait_idle(fe, &signals, opt.drain)) {
        /* Out of time: running scripts stop, backend transfers abort, queued
         * requests get 503 — each client still gets an answer. */
        server_log(LOG_LEVEL_WARNING, "drain deadline: stopping %zu request(s) still in flight",
                frontend_in_flight(fe));
        atomic_store(&hard_stop, 1);
        worker_pool_abort(pool);
        tinkr_interrupt_set();
        if (!wait_idle(fe, &signals, 3.0)) {
            server_log(LOG_LEVEL_WARNING, "%zu request(s) did not stop; exiting anyway", frontend_in_flight(fe));
            fflush(stderr);
            _exit(0);
        }
    }
    frontend_stop(fe);
    worker_pool_stop(pool);
    close_workers(workers, opt.workers);
    server_metrics_free(metrics);
    free(token);
    curl_global_cleanup();
    server_log(LOG_LEVEL_INFO, "stopped");
    return 0;
}
