/* What tinkr-server does for systemd, without linking libsystemd:
 *  - sd_notify: "READY=1" once it listens, "STOPPING=1" when it drains
 *    (Type=notify), one datagram to $NOTIFY_SOCKET;
 *  - the token from a credential (LoadCredential=tinkr-server-token:...),
 *    read from $CREDENTIALS_DIRECTORY;
 *  - log lines journald understands: when $JOURNAL_STREAM says stderr is the
 *    journal, each line starts with "<N>" (a syslog priority). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "systemd.h"

#define TOKEN_CREDENTIAL "tinkr-server-token"
#define TOKEN_MAX 4096

void systemd_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path)
        return;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';   /* abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
        server_log(LOG_LEVEL_WARNING, "cannot notify systemd (%s): %s", state, strerror(errno));
    close(fd);
}

char *systemd_credential_token(char *err, size_t errlen)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    err[0] = '\0';
    if (!dir || !*dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, TOKEN_CREDENTIAL);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno != ENOENT)
            snprintf(err, errlen, "cannot read the credential %s: %s", TOKEN_CREDENTIAL, strerror(errno));
        return NULL;
    }
    char *token = calloc(1, TOKEN_MAX + 1);
    size_t n = token ? fread(token, 1, TOKEN_MAX + 1, f) : 0;
    fclose(f);
    if (!token) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    while (n > 0 && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' '))
        n--;
    token[n] = '\0';
    if (n == 0 || n > TOKEN_MAX || strlen(token) != n) {
        snprintf(err, errlen, "the credential %s is empty, too long or not text", TOKEN_CREDENTIAL);
        free(token);
        return NULL;
    }
    return token;
}

void server_log(int level, const char *fmt, ...)
{
    char line[2048];
    int off = 0;
    if (getenv("JOURNAL_STREAM"))
        off = snprintf(line, sizeof line, "<%d>", level);
    off += snprintf(line + off, sizeof line - (size_t)off, "tinkr-server: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
    va_end(ap);
    /* One event, one line: a traceback's newlines become " | ". */
    char out[sizeof line * 3];
    size_t j = 0;
    for (size_t i = 0; line[i] && j + 4 < sizeof out; i++) {
        if (line[i] == '\n') {
            memcpy(out + j, " | ", 3);
            j += 3;
        } else {
            out[j++] = line[i] == '\t' || line[i] == '\r' ? ' ' : line[i];
        }
    }
    out[j++] = '\n';
    fwrite(out, 1, j, stderr);
    fflush(stderr);
}
