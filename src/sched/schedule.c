/* sched/schedule.c - schedules: reading the API's JSON form, the canonical
 * text, spreading by a hash of the integration id, and the next run time.
 * Hourly, daily and weekly runs are fixed phases of a fixed period in UTC,
 * so their next run is modular arithmetic; monthly runs need the calendar;
 * cron runs come from sched/cron.c. */
#include "sched/schedule.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/linkhash.h>

#include "core/jsonx.h"
#include "sched/cron_int.h"

#define HOUR_S 3600
#define DAY_S  86400
#define WEEK_S 604800 /* 7 days */

static const char *const kind_names[] = {"manual", "hourly", "daily", "weekly", "monthly", "cron"};

/* Members each kind takes, "kind" first; the list is also the message. */
static const char *const kind_members[][3] = {
    {"kind", NULL, NULL},        {"kind", "minute", NULL}, {"kind", "time", NULL},
    {"kind", "weekday", "time"}, {"kind", "day", "time"},  {"kind", "expression", NULL},
};

static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const wday_long[] = {"sunday",   "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday"};

const char *schedule_kind_name(enum schedule_kind kind)
{
    assert(kind >= SCHEDULE_MANUAL && kind <= SCHEDULE_CRON);
    return kind_names[kind];
}

/* ---- reading ---- */

/* Messages are "<pointer>: <what>", the pointer built from `at`. */
__attribute__((format(printf, 4, 5))) static int fail(struct err *err, const char *at,
                                                      const char *member, const char *fmt, ...)
{
    char what[ERR_MSG_MAX];
    struct jsonx_ptr p;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    jsonx_ptr_init(&p);
    (void)jsonx_ptr_push(&p, member);
    return err_set(err, ERR_INVALID, "%s%s: %s", at, jsonx_ptr_cstr(&p), what);
}

/* A string value as a message shows it: JSON-escaped and cut to 32 bytes
 * at a character boundary. */
static void quote(char out[160], const struct json_object *v)
{
    const char *s = jsonx_str(v);
    size_t n = jsonx_str_len(v), keep = n > 32 ? 32 : n;
    while (keep < n && keep > 0 && ((unsigned char)s[keep] & 0xc0) == 0x80)
        keep--;
    struct buf b;
    buf_init(&b, 150);
    buf_putc(&b, '"');
    buf_put_jsonesc(&b, s, keep);
    buf_puts(&b, keep < n ? "...\"" : "\"");
    snprintf(out, 160, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

static bool listed(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0)
            return true;
    return false;
}

static int read_kind(enum schedule_kind *out, const struct json_object *obj, const char *at,
                     struct err *err)
{
    const struct json_object *v = jsonx_get(obj, "kind");
    if (!v)
        return fail(err, at, "kind",
                    jsonx_has(obj, "kind") ? "expected a string, got null" : "missing");
    if (!jsonx_str(v))
        return fail(err, at, "kind", "expected a string, got %s", jsonx_type_name(v));
    for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
        if (strcmp(jsonx_str(v), kind_names[k]) == 0 && strlen(kind_names[k]) == jsonx_str_len(v)) {
            *out = (enum schedule_kind)k;
            return 0;
        }
    char q[160];
    quote(q, v);
    return fail(err, at, "kind",
                "expected one of manual, hourly, daily, weekly, monthly, cron, got %s", q);
}

/* Every member must be one the kind takes. */
static int check_members(const struct json_object *obj, enum schedule_kind kind, const char *at,
                         struct err *err)
{
    const char *const *allowed = kind_members[kind];
    /* json-c wants a mutable object to walk; nothing is changed. */
    struct lh_table *t = json_object_get_object((struct json_object *)obj);
    for (struct lh_entry *en = lh_table_head(t); en; en = lh_entry_next(en)) {
        const char *key = (const char *)lh_entry_k(en);
        if (listed(allowed, 3, key))
            continue;
        return fail(err, at, key, "unknown member for kind %s; allowed: %s%s%s%s%s",
                    kind_names[kind], allowed[0], allowed[1] ? ", " : "",
                    allowed[1] ? allowed[1] : "", allowed[2] ? ", " : "",
                    allowed[2] ? allowed[2] : "");
    }
    return 0;
}

/* An integer member within [lo, hi]. */
static int read_int(int *out, const struct json_object *v, const char *at, const char *member,
                    int lo, int hi, const char *note, struct err *err)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return fail(err, at, member, "expected an integer %d-%d%s, got %s", lo, hi, note,
                    jsonx_type_name(v));
    int64_t i;
    struct err why;
    if (jsonx_as_i64(&i, v, member, &why) < 0)
        return fail(err, at, member, "expected an integer %d-%d%s, got a fraction or a huge number",
                    lo, hi, note);
    if (i < lo || i > hi)
        return fail(err, at, member, "%lld is out of range %d-%d%s", (long long)i, lo, hi, note);
    *out = (int)i;
    return 0;
}

static bool two_digits(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* "HH:MM" exactly, 00:00 to 23:59, into seconds past midnight. */
static int read_time(int *out, const struct json_object *v, const char *at, struct err *err)
{
    if (!jsonx_str(v))
        return fail(err, at, "time", "expected a string \"HH:MM\", got %s", jsonx_type_name(v));
    const char *s = jsonx_str(v);
    int h, m;
    if (jsonx_str_len(v) != 5 || !two_digits(s, &h) || s[2] != ':' || !two_digits(s + 3, &m) ||
        h > 23 || m > 59) {
        char q[160];
        quote(q, v);
        return fail(err, at, "time", "expected \"HH:MM\" (00:00 to 23:59, UTC), got %s", q);
    }
    *out = h * HOUR_S + m * 60;
    return 0;
}

static int read_weekday(int *out, const struct json_object *v, const char *at, struct err *err)
{
    if (!jsonx_str(v))
        return read_int(out, v, at, "weekday", 0, 6, " (0 is Sunday)", err);
    const char *s = jsonx_str(v);
    for (int k = 0; k < 7; k++)
        if (strlen(s) == jsonx_str_len(v) &&
            (strcasecmp(s, wday_names[k]) == 0 || strcasecmp(s, wday_long[k]) == 0)) {
            *out = k;
            return 0;
        }
    char q[160];
    quote(q, v);
    return fail(err, at, "weekday", "expected mon, tue, wed, thu, fri, sat, sun or 0-6, got %s", q);
}

static int read_day(int *out, const struct json_object *v, const char *at, struct err *err)
{
    if (!jsonx_str(v))
        return read_int(out, v, at, "day", 1, 31, " or \"last\"", err);
    if (strcasecmp(jsonx_str(v), "last") == 0 && jsonx_str_len(v) == 4) {
        *out = SCHEDULE_LAST_DAY;
        return 0;
    }
    char q[160];
    quote(q, v);
    return fail(err, at, "day", "expected 1-31 or \"last\", got %s", q);
}

/* Copy expr with white space trimmed and each run of blanks made one space,
 * so that equal expressions are stored alike. */
static void collapse(char out[CRON_EXPR_MAX + 1], const char *s, size_t n)
{
    size_t k = 0;
    bool blank = false;
    assert(n <= CRON_EXPR_MAX);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t') {
            blank = k > 0;
            continue;
        }
        if (blank)
            out[k++] = ' ';
        blank = false;
        out[k++] = s[i];
    }
    out[k] = '\0';
}

static int read_expression(struct schedule *s, const struct json_object *obj, const char *at,
                           struct err *err)
{
    const struct json_object *v = jsonx_get(obj, "expression");
    struct err why;
    if (!v)
        return fail(err, at, "expression", "missing");
    if (!jsonx_str(v))
        return fail(err, at, "expression", "expected a string, got %s", jsonx_type_name(v));
    if (cron_parse(&s->cron, jsonx_str(v), jsonx_str_len(v), &why) < 0)
        return fail(err, at, "expression", "%s", why.msg);
    collapse(s->expr, jsonx_str(v), jsonx_str_len(v));
    return 0;
}

int schedule_parse_json(struct schedule *out, const struct json_object *v, const char *at,
                        struct err *err)
{
    struct schedule s = {.kind = SCHEDULE_MANUAL,
                         .at_s = SCHEDULE_SPREAD,
                         .weekday = SCHEDULE_SPREAD,
                         .day = SCHEDULE_SPREAD};
    const struct json_object *m;
    int rc;

    assert(at);
    if (!v) {
        *out = s;
        return 0;
    }
    if (!json_object_is_type(v, json_type_object))
        return *at ? err_set(err, ERR_INVALID, "%s: expected an object, got %s", at,
                             jsonx_type_name(v))
                   : err_set(err, ERR_INVALID, "expected a JSON object, got %s",
                             jsonx_type_name(v));
    if ((rc = read_kind(&s.kind, v, at, err)) < 0 || (rc = check_members(v, s.kind, at, err)) < 0)
        return rc;
    switch (s.kind) {
    case SCHEDULE_MANUAL:
        break;
    case SCHEDULE_HOURLY:
        if ((m = jsonx_get(v, "minute")) &&
            (rc = read_int(&s.at_s, m, at, "minute", 0, 59, "", err)) < 0)
            return rc;
        if (m)
            s.at_s *= 60;
        break;
    case SCHEDULE_DAILY:
    case SCHEDULE_WEEKLY:
    case SCHEDULE_MONTHLY:
        if ((m = jsonx_get(v, "time")) && (rc = read_time(&s.at_s, m, at, err)) < 0)
            return rc;
        if (s.kind == SCHEDULE_WEEKLY && (m = jsonx_get(v, "weekday")) &&
            (rc = read_weekday(&s.weekday, m, at, err)) < 0)
            return rc;
        if (s.kind == SCHEDULE_MONTHLY && (m = jsonx_get(v, "day")) &&
            (rc = read_day(&s.day, m, at, err)) < 0)
            return rc;
        break;
    case SCHEDULE_CRON:
        if ((rc = read_expression(&s, v, at, err)) < 0)
            return rc;
        break;
    }
    *out = s;
    return 0;
}

int schedule_parse(struct schedule *out, const char *s, size_t n, struct err *err)
{
    struct json_object *doc = NULL;
    size_t i = 0;
    int rc;

    if (!s)
        return schedule_parse_json(out, NULL, "", err);
    if (n > SCHEDULE_TEXT_MAX)
        return err_set(err, ERR_TOOBIG, "schedule: longer than %d bytes", SCHEDULE_TEXT_MAX);
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    /* JSON is an object (or, wrongly, another structure); "null" is a NULL
     * column written as text. Anything else is a bare cron expression,
     * which never starts with these. */
    bool json = i < n && (s[i] == '{' || s[i] == '[' || s[i] == '"');
    if (!json && n - i >= 4 && strncmp(s + i, "null", 4) == 0)
        json = true;
    if (!json) {
        struct schedule c = {.kind = SCHEDULE_CRON,
                             .at_s = SCHEDULE_SPREAD,
                             .weekday = SCHEDULE_SPREAD,
                             .day = SCHEDULE_SPREAD};
        if ((rc = cron_parse(&c.cron, s, n, err)) < 0)
            return rc;
        collapse(c.expr, s, n);
        *out = c;
        return 0;
    }
    rc = jsonx_parse(&doc, s, n, SCHEDULE_TEXT_MAX, err);
    if (rc == 0)
        rc = schedule_parse_json(out, doc, "", err);
    json_object_put(doc);
    return rc;
}

/* ---- writing ---- */

static void put_time(struct buf *b, int at_s)
{
    if (at_s != SCHEDULE_SPREAD)
        buf_printf(b, ",\"time\":\"%02d:%02d\"", at_s / HOUR_S, at_s / 60 % 60);
}

void schedule_format(struct buf *b, const struct schedule *s)
{
    buf_printf(b, "{\"kind\":\"%s\"", schedule_kind_name(s->kind));
    switch (s->kind) {
    case SCHEDULE_MANUAL:
        break;
    case SCHEDULE_HOURLY:
        if (s->at_s != SCHEDULE_SPREAD)
            buf_printf(b, ",\"minute\":%d", s->at_s / 60);
        break;
    case SCHEDULE_DAILY:
        put_time(b, s->at_s);
        break;
    case SCHEDULE_WEEKLY:
        if (s->weekday != SCHEDULE_SPREAD)
            buf_printf(b, ",\"weekday\":\"%s\"", wday_names[s->weekday]);
        put_time(b, s->at_s);
        break;
    case SCHEDULE_MONTHLY:
        if (s->day == SCHEDULE_LAST_DAY)
            buf_puts(b, ",\"day\":\"last\"");
        else if (s->day != SCHEDULE_SPREAD)
            buf_printf(b, ",\"day\":%d", s->day);
        put_time(b, s->at_s);
        break;
    case SCHEDULE_CRON:
        buf_puts(b, ",\"expression\":");
        buf_put_json_str(b, s->expr);
        break;
    }
    buf_putc(b, '}');
}

/* ---- when ---- */

/* 64 well-mixed bits of the id: FNV-1a, then the finalizer of splitmix64
 * (FNV alone leaves ids that differ in their last byte close together in
 * the low bits, which are the ones a modulus keeps). Frozen: see
 * schedule_resolve. */
static uint64_t spread_hash(const char *id)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    h ^= h >> 30;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    return h;
}

/* The fields schedule_next works from, spread ones filled in. */
struct slot {
    int at_s, weekday, day;
};

static struct slot slot_of(const struct schedule *s, const char *id)
{
    struct slot t = {s->at_s, s->weekday, s->day};
    bool spread = (s->kind >= SCHEDULE_HOURLY && s->kind <= SCHEDULE_MONTHLY) &&
                  (t.at_s == SCHEDULE_SPREAD ||
                   (s->kind == SCHEDULE_WEEKLY && t.weekday == SCHEDULE_SPREAD) ||
                   (s->kind == SCHEDULE_MONTHLY && t.day == SCHEDULE_SPREAD));
    if (!spread)
        return t;
    assert(id);
    /* The low part picks the second, the next part the day, so that a
     * weekly schedule without either lands on h % WEEK_S. */
    uint64_t h = spread_hash(id);
    if (t.at_s == SCHEDULE_SPREAD)
        t.at_s = (int)(h % (s->kind == SCHEDULE_HOURLY ? HOUR_S : DAY_S));
    if (s->kind == SCHEDULE_WEEKLY && t.weekday == SCHEDULE_SPREAD)
        t.weekday = (int)(h / DAY_S % 7);
    if (s->kind == SCHEDULE_MONTHLY && t.day == SCHEDULE_SPREAD)
        t.day = 1 + (int)(h / DAY_S % 28);
    return t;
}

void schedule_resolve(struct schedule *out, const struct schedule *s, const char *id)
{
    struct slot t = slot_of(s, id);
    *out = *s;
    out->at_s = t.at_s;
    out->weekday = t.weekday;
    out->day = t.day;
}

/* The first instant after `after` that lies `phase` past a multiple of period. */
static int64_t next_in_period(int64_t after, int64_t period, int64_t phase)
{
    return after - cron__floor_mod(after - phase, period) + period;
}

/* Day `day` of the month, or its last day when the month is shorter or day
 * is SCHEDULE_LAST_DAY: one run every month, never a skipped one. */
static int64_t monthly_at(int y, int m, int day, int at_s)
{
    int last = time_days_in_month(y, m);
    int d = (day == SCHEDULE_LAST_DAY || day > last) ? last : day;
    return time_days_from_civil(y, m, d) * DAY_S + at_s;
}

int64_t schedule_next(const struct schedule *s, const char *id, int64_t after)
{
    if (s->kind == SCHEDULE_MANUAL || after >= CRON_MAX_S)
        return SCHEDULE_NEVER;
    if (after < CRON_MIN_S)
        after = CRON_MIN_S - 1;
    if (s->kind == SCHEDULE_CRON)
        return cron_next(&s->cron, after);

    struct slot t = slot_of(s, id);
    int64_t next;
    switch (s->kind) {
    case SCHEDULE_HOURLY:
        next = next_in_period(after, HOUR_S, t.at_s);
        break;
    case SCHEDULE_DAILY:
        next = next_in_period(after, DAY_S, t.at_s);
        break;
    case SCHEDULE_WEEKLY: /* day 0, 1970-01-01, was a Thursday (4) */
        next = next_in_period(after, WEEK_S, cron__floor_mod(t.weekday - 4, 7) * DAY_S + t.at_s);
        break;
    default: {
        int y, m, d;
        time_civil_from_days(cron__floor_div(after, DAY_S), &y, &m, &d);
        next = monthly_at(y, m, t.day, t.at_s);
        if (next <= after) /* this month's run is past: next month's is not */
            next =
                m == 12 ? monthly_at(y + 1, 1, t.day, t.at_s) : monthly_at(y, m + 1, t.day, t.at_s);
        break;
    }
    }
    return next > CRON_MAX_S ? SCHEDULE_NEVER : next;
}
