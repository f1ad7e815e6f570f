/* RFC 3339 parsing and formatting; see iso_time.h. */
#include <stdio.h>
#include <string.h>

#include "iso_time.h"

#define NS_PER_S 1000000000LL

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil calendar arithmetic, public domain description). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at s[*i]; -1 if they are not all digits. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9') return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" at s (len >= 10) as days since the epoch; -1 when it is
 * not a date (or not one the calendar has). */
static int parse_date(const char *s, size_t len, int64_t *days)
{
    size_t i = 0;
    int y = digits(s, len, &i, 4);
    if (y < 0 || i >= len || s[i++] != '-') return -1;
    int mo = digits(s, len, &i, 2);
    if (mo < 1 || mo > 12 || i >= len || s[i++] != '-') return -1;
    int d = digits(s, len, &i, 2);
    if (d < 1 || d > days_in_month(y, mo)) return -1;
    *days = days_from_civil(y, mo, d);
    return 0;
}

static int parse_from_days(const char *s, size_t len, int64_t days, int64_t *ns);

int iso_time_parse(const char *s, size_t len, int64_t *ns)
{
    int64_t days;
    if (len < 10 || parse_date(s, len, &days) < 0) return -1;
    return parse_from_days(s, len, days, ns);
}

int iso_time_parse_cached(const char *s, size_t len, int64_t *ns, iso_date_cache *c)
{
    if (len < 10) return -1;
    if (!c->valid || memcmp(s, c->text, 10) != 0) {
        int64_t days;
        if (parse_date(s, len, &days) < 0) return -1;
        memcpy(c->text, s, 10);
        c->days = days;
        c->valid = 1;
    }
    return parse_from_days(s, len, c->days, ns);
}

/* The rest of a timestamp after its date (s[0..10) read as days). */
static int parse_from_days(const char *s, size_t len, int64_t days, int64_t *ns)
{
    size_t i = 10;
    if (i == len) {
        if (days < INT64_MIN / NS_PER_S / 86400 + 1 || days > INT64_MAX / NS_PER_S / 86400 - 1) return -1;
        *ns = days * 86400 * NS_PER_S;
        return 0;
    }
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return -1;
    i++;
    int h = digits(s, len, &i, 2);
    if (h < 0 || h > 23 || i >= len || s[i++] != ':') return -1;
    int mi = digits(s, len, &i, 2);
    if (mi < 0 || mi > 59 || i >= len || s[i++] != ':') return -1;
    int sec = digits(s, len, &i, 2);
    if (sec < 0 || sec > 60) return -1;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        int n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (n < 9) { frac = frac * 10 + (s[i] - '0'); n++; }
            i++;
        }
        if (n == 0) return -1;
        for (; n < 9; n++) frac *= 10;
    }
    int64_t offset = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        int oh = digits(s, len, &i, 2);
        if (oh < 0 || oh > 23 || i >= len || s[i++] != ':') return -1;
        int om = digits(s, len, &i, 2);
        if (om < 0 || om > 59) return -1;
        offset = sign * (oh * 3600 + om * 60);
    } else if (i != len) {
        return -1;
    }                                   /* no zone: UTC, as OpenSearch reads it */
    if (i != len) return -1;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset;
    /* int64 nanoseconds reach from 1677-09-21 to 2262-04-11: outside, no ns */
    if (secs < INT64_MIN / NS_PER_S + 1 || secs > INT64_MAX / NS_PER_S - 1) return -1;
    *ns = secs * NS_PER_S + frac;
    return 0;
}

/* Writes v as exactly n decimal digits (zero-padded) at p. */
static char *put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

size_t iso_time_format(int64_t ns, char *buf)
{
    int64_t secs = ns / NS_PER_S, frac = ns % NS_PER_S;
    if (frac < 0) { frac += NS_PER_S; secs -= 1; }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) { sod += 86400; days -= 1; }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {            /* outside RFC 3339's four digits */
        int n = snprintf(buf, 40, "%lld-%02d-%02dT%02d:%02d:%02d.%09lldZ", (long long)y, m, d,
                         (int)(sod / 3600), (int)(sod % 3600 / 60), (int)(sod % 60), (long long)frac);
        return n > 0 ? (size_t)n : 0;
    }
    /* formatted by hand: this runs once per row on the fast paths */
    char *p = buf;
    p = put_digits(p, y, 4); *p++ = '-';
    p = put_digits(p, m, 2); *p++ = '-';
    p = put_digits(p, d, 2); *p++ = 'T';
    p = put_digits(p, sod / 3600, 2); *p++ = ':';
    p = put_digits(p, sod % 3600 / 60, 2); *p++ = ':';
    p = put_digits(p, sod % 60, 2); *p++ = '.';
    if (frac % 1000000 == 0)
        p = put_digits(p, frac / 1000000, 3);
    else if (frac % 1000 == 0)
        p = put_digits(p, frac / 1000, 6);
    else
        p = put_digits(p, frac, 9);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}
