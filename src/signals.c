/* Counted SIGHUP / SIGTERM and an interruptible sleep (signals.h). */
#include <signal.h>
#include <string.h>
#include <time.h>
#include "interrupt.h"
#include "signals.h"

static volatile sig_atomic_t hup_count, term_count;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        hup_count++;
    else if (sig == SIGTERM)
        term_count++;
}

int signals_watch(int sig)
{
    if (sig != SIGHUP && sig != SIGTERM)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? 0 : -1;
}

int signals_take(int sig)
{
    volatile sig_atomic_t *c = sig == SIGHUP ? &hup_count : sig == SIGTERM ? &term_count : NULL;
    if (!c)
        return 0;
    int n = *c;
    *c = 0;
    return n;
}

static int woken(void)
{
    return hup_count > 0 || term_count > 0 || tinkr_interrupt_pending();
}

int signals_sleep(double seconds)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (woken())
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = seconds - ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9);
        if (left <= 0)
            return 0;
        double slice = left < 0.02 ? left : 0.02;   /* a signal also cuts nanosleep short */
        struct timespec ts = { (time_t)slice, (long)((slice - (double)(time_t)slice) * 1e9) };
        nanosleep(&ts, NULL);
    }
}
