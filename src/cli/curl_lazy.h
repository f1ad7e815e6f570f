/* bin/tinkr's libcurl, loaded on first use (curl_lazy.c). */
#ifndef TINKR_CURL_LAZY_H
#define TINKR_CURL_LAZY_H

/* For a run that will make a request: starts loading libcurl on a thread of
 * its own, so the load overlaps Lua's start-up; the first curl call waits
 * for it instead of loading.  Without a call, the first curl call loads. */
void curl_lazy_prewarm(void);

/* Waits for the prewarm thread, if one runs; before the program ends (it is
 * also registered with atexit). */
void curl_lazy_settle(void);

#endif
