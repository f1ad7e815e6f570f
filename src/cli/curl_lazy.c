/* libcurl, loaded on first use.
 *
 * Debian links libcurl and its ~30 dependencies with immediate binding, so
 * merely linking them costs every `tinkr` run about 3 ms of relocations
 * (measured: `tinkr -e ''` 4.0 ms linked, 1.x ms without) even when no
 * request is made.  bin/tinkr therefore links this file instead of -lcurl:
 * each curl function tinkr uses is defined here and forwards to the real one
 * from dlopen("libcurl.so.4") on the first call.  tinkr-server and the Lua
 * module (build/lib/tinkr/core.so) link libcurl directly.
 *
 * A command that will make a request does not wait for that load: main()
 * calls curl_lazy_prewarm(), which loads libcurl (and runs its global init)
 * on a thread of its own while Lua starts; the first curl call waits for it
 * there.  See curl_lazy.h. */
#define CURL_DISABLE_TYPECHECK   /* we define the functions the macros wrap */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "curl_lazy.h"

/* What bin/tinkr exits with when libcurl cannot be used: a script that
 * raised (surface.EXIT). */
#define EXIT_NO_LIBCURL 1

static struct {
    int ok;
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
    const char *(*url_strerror)(CURLUcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    void (*free)(void *);
    curl_version_info_data *(*version_info)(CURLversion);
} lib;

#define LOAD(field, name) \
    if (!(*(void **)&lib.field = dlsym(h, name))) goto missing

/* Loading runs once, on the prewarm thread or on the first curl call,
 * whichever comes first; a caller arriving while it runs waits for it. */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];    /* why it failed: the line use_libcurl() prints */
static int prewarm_started;     /* set before the thread starts, never cleared */
static int prewarm_joined;
static pthread_t prewarm_thread;

static void load(void)
{
    /* dlopen is mostly symbol lookup.  Lazy, the calls of dependencies
     * that are never made (Kerberos, GMP, RTMP ...) are never bound; those
     * built with BIND_NOW bind at once all the same.  (callgrind: 17.2M
     * instructions with RTLD_NOW, 14.3M lazy.) */
    void *h = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error, "tinkr: cannot load libcurl (%s); install libcurl4\n", dlerror());
        return;
    }
    LOAD(global_init, "curl_global_init");
    LOAD(global_cleanup, "curl_global_cleanup");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(easy_reset, "curl_easy_reset");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(multi_init, "curl_multi_init");
    LOAD(multi_cleanup, "curl_multi_cleanup");
    LOAD(multi_add_handle, "curl_multi_add_handle");
    LOAD(multi_remove_handle, "curl_multi_remove_handle");
    LOAD(multi_perform, "curl_multi_perform");
    LOAD(multi_poll, "curl_multi_poll");
    LOAD(multi_info_read, "curl_multi_info_read");
    LOAD(multi_setopt, "curl_multi_setopt");
    LOAD(url, "curl_url");
    LOAD(url_cleanup, "curl_url_cleanup");
    LOAD(url_set, "curl_url_set");
    LOAD(url_get, "curl_url_get");
    LOAD(url_strerror, "curl_url_strerror");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
    LOAD(free, "curl_free");
    LOAD(version_info, "curl_version_info");
    lib.ok = 1;
    /* The global init (OpenSSL reads its configuration) is the other half
     * of the cost.  On the prewarm thread it runs beside Lua's start-up,
     * which libcurl allows only where it says its init is thread-safe
     * (7.84+, CURL_VERSION_THREADSAFE); elsewhere the first client does
     * it, as without a prewarm.  This reference is never released: libcurl
     * stays initialised until the process ends. */
    if (prewarm_started) {
        const curl_version_info_data *v = lib.version_info(CURLVERSION_NOW);
        if (v && (v->features & CURL_VERSION_THREADSAFE))
            (void)lib.global_init(CURL_GLOBAL_DEFAULT);
    }
    return;
missing:
    snprintf(load_error, sizeof load_error, "tinkr: libcurl.so.4 lacks a function tinkr needs (%s)\n", dlerror());
}

/* Loads libcurl once.  Without it bin/tinkr can make no request at all, as
 * if the dynamic linker had refused to start it: one line, and the exit
 * status of a failed script, instead of an error every caller would have to
 * tell apart from its own (and a traceback). */
static void use_libcurl(void)
{
    pthread_once(&load_once, load);
    if (!lib.ok) {
        fputs(load_error, stderr);
        exit(EXIT_NO_LIBCURL);
    }
}

static void *prewarm(void *unused)
{
    (void)unused;
    pthread_once(&load_once, load);
    return NULL;
}

void curl_lazy_prewarm(void)
{
    if (prewarm_started)
        return;
    /* exit() from anywhere waits for the thread rather than unloading
     * libraries under it */
    if (atexit(curl_lazy_settle) != 0)
        return;
    /* Signals (SIGINT, SIGPIPE) stay the main thread's to take. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    prewarm_started = 1;
    if (pthread_create(&prewarm_thread, NULL, prewarm, NULL) != 0)
        prewarm_joined = 1;     /* none runs: the first curl call loads it */
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void curl_lazy_settle(void)
{
    if (!prewarm_started || prewarm_joined)
        return;
    prewarm_joined = 1;
    pthread_join(prewarm_thread, NULL);
}

/* The one argument after the option, by the option's type range (the
 * CURLOPTTYPE_* bases are shared by easy and multi options). */
typedef struct {
    int kind;               /* 0 long, 1 pointer, 2 function, 3 off_t */
    long l;
    void *p;
    void (*f)(void);
    curl_off_t o;
} option_arg;

static option_arg take_arg(int option, va_list ap)
{
    option_arg a = { 0, 0, NULL, NULL, 0 };
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        a.l = va_arg(ap, long);
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        a.kind = 1;
        a.p = va_arg(ap, void *);
    } else if (option < CURLOPTTYPE_OFF_T) {
        a.kind = 2;
        a.f = va_arg(ap, void (*)(void));
    } else if (option < CURLOPTTYPE_BLOB) {
        a.kind = 3;
        a.o = va_arg(ap, curl_off_t);
    } else {
        a.kind = 1;
        a.p = va_arg(ap, void *);
    }
    return a;
}

CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
    use_libcurl();
    va_list ap;
    va_start(ap, option);
    option_arg a = take_arg((int)option, ap);
    va_end(ap);
    switch (a.kind) {
    case 0: return lib.easy_setopt(h, option, a.l);
    case 1: return lib.easy_setopt(h, option, a.p);
    case 2: return lib.easy_setopt(h, option, a.f);
    default: return lib.easy_setopt(h, option, a.o);
    }
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption option, ...)
{
    use_libcurl();
    va_list ap;
    va_start(ap, option);
    option_arg a = take_arg((int)option, ap);
    va_end(ap);
    switch (a.kind) {
    case 0: return lib.multi_setopt(m, option, a.l);
    case 1: return lib.multi_setopt(m, option, a.p);
    case 2: return lib.multi_setopt(m, option, a.f);
    default: return lib.multi_setopt(m, option, a.o);
    }
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    use_libcurl();
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return lib.easy_getinfo(h, info, out);
}

CURLcode curl_global_init(long flags) { use_libcurl(); return lib.global_init(flags); }
void curl_global_cleanup(void) { use_libcurl(); lib.global_cleanup(); }
CURL *curl_easy_init(void) { use_libcurl(); return lib.easy_init(); }
void curl_easy_cleanup(CURL *h) { use_libcurl(); lib.easy_cleanup(h); }
void curl_easy_reset(CURL *h) { use_libcurl(); lib.easy_reset(h); }
const char *curl_easy_strerror(CURLcode c) { use_libcurl(); return lib.easy_strerror(c); }
CURLM *curl_multi_init(void) { use_libcurl(); return lib.multi_init(); }
CURLMcode curl_multi_cleanup(CURLM *m) { use_libcurl(); return lib.multi_cleanup(m); }
CURLMcode curl_multi_add_handle(CURLM *m, CURL *h) { use_libcurl(); return lib.multi_add_handle(m, h); }
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h) { use_libcurl(); return lib.multi_remove_handle(m, h); }
CURLMcode curl_multi_perform(CURLM *m, int *running) { use_libcurl(); return lib.multi_perform(m, running); }
CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int n, int timeout_ms, int *numfds)
{
    use_libcurl();
    return lib.multi_poll(m, fds, n, timeout_ms, numfds);
}
CURLMsg *curl_multi_info_read(CURLM *m, int *left) { use_libcurl(); return lib.multi_info_read(m, left); }
CURLU *curl_url(void) { use_libcurl(); return lib.url(); }
void curl_url_cleanup(CURLU *u) { use_libcurl(); lib.url_cleanup(u); }
CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
    use_libcurl();
    return lib.url_set(u, part, content, flags);
}
CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **out, unsigned int flags)
{
    use_libcurl();
    return lib.url_get(u, part, out, flags);
}
const char *curl_url_strerror(CURLUcode c) { use_libcurl(); return lib.url_strerror(c); }
struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s) { use_libcurl(); return lib.slist_append(l, s); }
void curl_slist_free_all(struct curl_slist *l) { use_libcurl(); lib.slist_free_all(l); }
void curl_free(void *p) { use_libcurl(); lib.free(p); }
/* --version says when libcurl is missing instead of failing. */
curl_version_info_data *curl_version_info(CURLversion v)
{
    pthread_once(&load_once, load);
    return lib.ok ? lib.version_info(v) : NULL;
}
