/* The Ctrl-C flag; see interrupt.h for who sets and who clears it. */
#include <signal.h>

#include "interrupt.h"

static volatile sig_atomic_t interrupt_requested;

void tinkr_interrupt_set(void) { interrupt_requested = 1; }

int tinkr_interrupt_pending(void) { return interrupt_requested != 0; }

void tinkr_interrupt_clear(void) { interrupt_requested = 0; }
