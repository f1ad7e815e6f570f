/* --version: the library versions are the ones loaded at run time (what a
 * bug report needs), not the headers built against. */
#include <curl/curl.h>
#include <string.h>
#include <lua.h>
#include "modules.h"
#include "version.h"

/* lua_ident is "$LuaVersion: Lua 5.4.6  Copyright (C) ..." in the library
 * actually loaded; print the "Lua 5.4.6" part. */
static void print_lua(FILE *out)
{
    const char *s = lua_ident;
    const char *tag = "$LuaVersion: ";
    if (strncmp(s, tag, strlen(tag)) == 0)
        s += strlen(tag);
    const char *end = strstr(s, "  ");
    int len = end ? (int)(end - s) : (int)strlen(s);
    fprintf(out, "%.*s\n", len, s);
}

void version_print(FILE *out, const char *program, const char *extra)
{
    fprintf(out, "%s %s (git %s)\n", program, TINKR_VERSION, tinkr_revision);
    print_lua(out);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    if (curl)
        fprintf(out, "libcurl %s (%s)\n", curl->version, curl->ssl_version ? curl->ssl_version : "no TLS");
    else
        fputs("libcurl: not loaded (install libcurl4)\n", out);
    if (extra)
        fprintf(out, "%s\n", extra);
}
