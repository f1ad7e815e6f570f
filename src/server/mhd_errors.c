/* JSON for the errors libmicrohttpd answers by itself.
 *
 * Some requests never reach a handler: a request line or headers too big
 * for the connection's memory pool (414, 431), a malformed request or
 * Content-Length or chunked body (400, 413), an HTTP version it does not
 * speak (505).  libmicrohttpd answers those with fixed HTML pages, but the
 * server promises {"error":{"code","message"}} for every error
 * (docs/SERVER.md).  It has no option for its own bodies, so this file
 * defines MHD_queue_response: the library calls it through its PLT, and
 * the executable's definition comes first in symbol lookup, so its own
 * error answers pass through here.  An error response without a
 * Content-Type, or with text/html, can only be the library's (every answer
 * of ours sets application/json or text/plain); it is swapped for the JSON
 * error of the same status.  Everything else goes to the real function.
 * No Lua here. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "job.h"

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);

/* The library's MHD_queue_response: a process-wide constant, found once. */
static queue_fn real_queue;
static pthread_once_t real_queue_once = PTHREAD_ONCE_INIT;

static void find_real_queue(void)
{
    real_queue = (queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
}

static void describe(unsigned int status, const char **code, const char **message)
{
    switch (status) {
    case 413:
        *code = "too_large";
        *message = "the request's Content-Length or chunk size is too large";
        break;
    case 414:
        *code = "uri_too_long";
        *message = "the request line (path and query) is too long";
        break;
    case 431:
        *code = "headers_too_large";
        *message = "the request headers are too large";
        break;
    case 505:
        *code = "http_version";
        *message = "HTTP version not supported: use HTTP/1.0 or HTTP/1.1";
        break;
    default:
        if (status < 500) {
            *code = "bad_request";
            *message = "malformed HTTP request (request line, Host header, Content-Length or chunked body)";
        } else {
            *code = "internal";
            *message = "the HTTP layer failed to answer this request";
        }
        break;
    }
}

static int is_library_page(struct MHD_Response *response)
{
    const char *type = MHD_get_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE);
    return type == NULL || strncmp(type, "text/html", 9) == 0;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    pthread_once(&real_queue_once, find_real_queue);
    if (!real_queue)
        return MHD_NO;
    if (status_code < 400 || !response || !is_library_page(response))
        return real_queue(connection, status_code, response);
    const char *code, *message;
    describe(status_code, &code, &message);
    size_t len = 0;
    char *body = json_error_body(code, message, &len);
    struct MHD_Response *json = body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!json) {
        free(body);
        return real_queue(connection, status_code, response);
    }
    MHD_add_response_header(json, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(json, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = real_queue(connection, status_code, json);
    MHD_destroy_response(json);
    return ok;
}
