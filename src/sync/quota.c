/* sync/quota.c - see quota.h. Header values are read strictly: digits
 * only, no sign, at most 18 of them, so that no answer can make a count
 * overflow or go negative. */
#include "sync/quota.h"

#include <string.h>

/* The decimal number at s (digits up to a character in stops, or the end)
 * into *out; the end of it, or NULL. */
static const char *number(int64_t *out, const char *s, const char *stops)
{
    int64_t v = 0;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 18)
        v = v * 10 + (s[n++] - '0');
    if (n == 0 || (s[n] && !strchr(stops, s[n])))
        return NULL;
    *out = v;
    return s + n;
}

bool quota_parse(int64_t *limit, int64_t *remaining, const struct fetch_resp *r)
{
    char v[256], w[64];
    int64_t used, max, left;
    /* "api-usage=25/15000", maybe with "; per-app-api-usage=..." after. */
    if (fetch_header(r, "Sforce-Limit-Info", v, sizeof(v))) {
        const char *p = strstr(v, "api-usage=");
        if (p && (p == v || p[-1] == ' ' || p[-1] == ';') && (p = number(&used, p + 10, "/")) &&
            *p == '/' && number(&max, p + 1, " ;,")) {
            *limit = max;
            *remaining = used < max ? max - used : 0; /* an org can go past its limit */
            return true;
        }
        return false;
    }
    if (fetch_header(r, "X-HubSpot-RateLimit-Daily", v, sizeof(v)) &&
        fetch_header(r, "X-HubSpot-RateLimit-Daily-Remaining", w, sizeof(w)) &&
        number(&max, v, "") && number(&left, w, "") && left <= max) {
        *limit = max;
        *remaining = left;
        return true;
    }
    return false;
}
