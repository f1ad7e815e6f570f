/* tinkr-server under systemd: readiness, the token credential, log levels. */
#ifndef TINKR_SERVER_SYSTEMD_H
#define TINKR_SERVER_SYSTEMD_H

#include <stddef.h>

/* syslog priorities, as journald reads them from a "<N>" line prefix. */
#define LOG_LEVEL_ERR 3
#define LOG_LEVEL_WARNING 4
#define LOG_LEVEL_INFO 6

/* Sends state ("READY=1", "STOPPING=1") to $NOTIFY_SOCKET, if set. */
void systemd_notify(const char *state);

/* The token from $CREDENTIALS_DIRECTORY/tinkr-server-token (malloc'd,
 * trailing newline removed), or NULL: none (err empty) or unusable (err
 * says why). */
char *systemd_credential_token(char *err, size_t errlen);

/* One log line on stderr, "tinkr-server: ..." with newlines flattened, and
 * prefixed "<level>" when stderr is the journal. */
void server_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
