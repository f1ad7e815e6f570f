/* Process-wide "the user pressed Ctrl-C" flag.
 *
 * The runtime's SIGINT handler calls tinkr_interrupt_set() (it only stores
 * to a volatile sig_atomic_t, so it is async-signal-safe).  Long-running
 * primitives (HTTP transfers) poll tinkr_interrupt_pending() and abort with
 * code "interrupted".  They never clear the flag: whoever handles the
 * interrupt (the REPL before its next prompt, the script runner before
 * exiting) calls tinkr_interrupt_clear(), so every layer on the way up sees
 * it.  This is the only C global tinkr allows: a signal is per process. */
#ifndef TINKR_INTERRUPT_H
#define TINKR_INTERRUPT_H

void tinkr_interrupt_set(void);
int tinkr_interrupt_pending(void);
void tinkr_interrupt_clear(void);

#endif
