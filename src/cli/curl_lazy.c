/* libcurl, loaded on first use.
 *
 * Debian links libcurl and its ~30 dependencies with immediate binding, so
 * merely linking them costs every `tinkr` run about 3 ms of relocations
 * (measured: `tinkr -e ''` 4.0 ms linked, 1.x ms without) even when no
 * request is made.  bin/tinkr therefore links this file instead of -lcurl:
 * each curl function tinkr uses is defined here and forwards to the real one
 * from dlopen("libcurl.so.4") on the first call.  tinkr-server and the Lua
 * module (build/lib/tinkr/core.so) link libcurl directly. */
#define CURL_DISABLE_TYPECHECK   /* we define the functions the macros wrap */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

static struct {
    int tried, ok;
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

/* Loads libcurl once; returns whether it is usable. */
static int loaded(void)
{
    if (lib.tried)
        return lib.ok;
    lib.tried = 1;
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "tinkr: cannot load libcurl (%s); install libcurl4\n", dlerror());
        return 0;
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
    return 1;
missing:
    fprintf(stderr, "tinkr: libcurl.so.4 lacks a function tinkr needs (%s)\n", dlerror());
    return 0;
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
    if (!loaded()) return CURLE_FAILED_INIT;
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
    if (!loaded()) return CURLM_INTERNAL_ERROR;
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
    if (!loaded()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return lib.easy_getinfo(h, info, out);
}

CURLcode curl_global_init(long flags) { return loaded() ? lib.global_init(flags) : CURLE_FAILED_INIT; }
void curl_global_cleanup(void) { if (loaded()) lib.global_cleanup(); }
CURL *curl_easy_init(void) { return loaded() ? lib.easy_init() : NULL; }
void curl_easy_cleanup(CURL *h) { if (loaded()) lib.easy_cleanup(h); }
void curl_easy_reset(CURL *h) { if (loaded()) lib.easy_reset(h); }
const char *curl_easy_strerror(CURLcode c) { return loaded() ? lib.easy_strerror(c) : "libcurl not loaded"; }
CURLM *curl_multi_init(void) { return loaded() ? lib.multi_init() : NULL; }
CURLMcode curl_multi_cleanup(CURLM *m) { return loaded() ? lib.multi_cleanup(m) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_add_handle(CURLM *m, CURL *h) { return loaded() ? lib.multi_add_handle(m, h) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h) { return loaded() ? lib.multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_perform(CURLM *m, int *running) { return loaded() ? lib.multi_perform(m, running) : CURLM_INTERNAL_ERROR; }
CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int n, int timeout_ms, int *numfds)
{
    return loaded() ? lib.multi_poll(m, fds, n, timeout_ms, numfds) : CURLM_INTERNAL_ERROR;
}
CURLMsg *curl_multi_info_read(CURLM *m, int *left) { return loaded() ? lib.multi_info_read(m, left) : NULL; }
CURLU *curl_url(void) { return loaded() ? lib.url() : NULL; }
void curl_url_cleanup(CURLU *u) { if (loaded()) lib.url_cleanup(u); }
CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
    return loaded() ? lib.url_set(u, part, content, flags) : CURLUE_OUT_OF_MEMORY;
}
CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **out, unsigned int flags)
{
    return loaded() ? lib.url_get(u, part, out, flags) : CURLUE_OUT_OF_MEMORY;
}
const char *curl_url_strerror(CURLUcode c) { return loaded() ? lib.url_strerror(c) : "libcurl not loaded"; }
struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s) { return loaded() ? lib.slist_append(l, s) : NULL; }
void curl_slist_free_all(struct curl_slist *l) { if (loaded()) lib.slist_free_all(l); }
void curl_free(void *p) { if (loaded()) lib.free(p); }

curl_version_info_data *curl_version_info(CURLversion v)
{
    if (!loaded()) return NULL;
    return lib.version_info(v);
}
