/* SIGHUP / SIGTERM as counters a long-running command polls (tinkr watch:
 * reload on HUP, stop after the hooks in flight on TERM), and a sleep that
 * ends early when one arrives or Ctrl-C is pressed.  Like interrupt.c, a
 * signal is per process, so its counters are the process's. */
#ifndef TINKR_SIGNALS_H
#define TINKR_SIGNALS_H

/* Starts counting sig (SIGHUP or SIGTERM); 0, or -1 for another signal. */
int signals_watch(int sig);

/* How many times sig arrived since the last call (and resets it). */
int signals_take(int sig);

/* Sleeps up to seconds; returns 1 if woken early by a watched signal or
 * Ctrl-C, 0 after the full time. */
int signals_sleep(double seconds);

#endif
