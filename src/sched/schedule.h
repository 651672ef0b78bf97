/* sched/schedule.h - an integration's schedule as the API takes it
 * ({"kind":"daily","time":"09:30"}), its canonical text for the
 * integrations.schedule column, and its next run time. Where the user gave
 * no time, integrations on the same frequency are spread over the period by
 * a hash of their id, so ten thousand hourly integrations do not fire in the
 * same second. Pure functions of their arguments (the caller passes the
 * time); nothing allocates but parsing. Used by api/, store/ and the
 * scheduler loop. See docs/scheduling.md. */
#ifndef INLET_SCHED_SCHEDULE_H
#define INLET_SCHED_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "sched/cron.h"

enum schedule_kind {
    SCHEDULE_MANUAL = 0, /* runs only by hand; a zeroed struct schedule is manual */
    SCHEDULE_HOURLY,
    SCHEDULE_DAILY,
    SCHEDULE_WEEKLY,
    SCHEDULE_MONTHLY,
    SCHEDULE_CRON,
};

#define SCHEDULE_SPREAD   (-1)       /* a field the user left out: chosen from the integration id */
#define SCHEDULE_LAST_DAY (-2)       /* monthly "day":"last" */
#define SCHEDULE_NEVER    CRON_NEVER /* schedule_next: no run (manual, or past year 9999) */
#define SCHEDULE_TEXT_MAX 1024       /* bytes of schedule text schedule_parse accepts */

/* A parsed schedule. Plain data: copy it freely, nothing to free. */
struct schedule {
    enum schedule_kind kind;
    int at_s;         /* hourly: seconds past the hour (minute * 60); daily, weekly, monthly:
                         seconds past midnight UTC ("time"); or SCHEDULE_SPREAD */
    int weekday;      /* weekly: 0-6, 0 = Sunday; or SCHEDULE_SPREAD */
    int day;          /* monthly: 1-31 (29-31 run on the last day of shorter months),
                         SCHEDULE_LAST_DAY or SCHEDULE_SPREAD */
    struct cron cron; /* cron: the parsed expression */
    char expr[CRON_EXPR_MAX + 1]; /* cron: the expression, runs of blanks made one space */
};

/* Read the schedule v as the API takes it. `at` is v's JSON Pointer in its
 * document ("" when v is the whole body, "/schedule" inside an integration);
 * messages start with it. The forms (members other than those listed are
 * refused; a member that is null counts as left out):
 *
 *   {"kind":"manual"}                               JSON null reads as this too
 *   {"kind":"hourly"  [,"minute":0-59]}
 *   {"kind":"daily"   [,"time":"HH:MM"]}
 *   {"kind":"weekly"  [,"weekday":"mon"|...|"sun"|0-6] [,"time":"HH:MM"]}
 *   {"kind":"monthly" [,"day":1-31|"last"] [,"time":"HH:MM"]}
 *   {"kind":"cron", "expression":"0,30 9-17 * * MON-FRI"}   see cron_parse
 *
 * Times are UTC, "00:00" to "23:59". Weekday names are English, three
 * letters or whole, any case; 0 is Sunday. Omitted fields are spread (see
 * schedule_next). ERR_INVALID with messages such as
 *   /kind: missing
 *   /minute: 60 is out of range 0-59
 *   /schedule/time: expected "HH:MM" (00:00 to 23:59, UTC), got "25:00"
 *   /at: unknown member for kind daily; allowed: kind, time
 *   /expression: cron: field 2 (hour): 25 is out of range 0-23 at column 4
 * *out is written only on success. */
MUST_CHECK int schedule_parse_json(struct schedule *out, const struct json_object *v,
                                   const char *at, struct err *err);

/* Read a schedule from text: the integrations.schedule column or a request
 * body. NULL (a NULL column) is manual. A JSON document is read as by
 * schedule_parse_json at the root; any other text, as a bare cron
 * expression (the column's first documented form). ERR_TOOBIG past
 * SCHEDULE_TEXT_MAX bytes; ERR_INVALID as jsonx_parse, schedule_parse_json
 * or cron_parse say. *out is written only on success. */
MUST_CHECK int schedule_parse(struct schedule *out, const char *s, size_t n, struct err *err);

/* Append s's canonical text to b: compact JSON, members in a fixed order,
 * only those the user gave (so a spread schedule stays spread), weekday as a
 * lower-case three-letter name, e.g.
 *   {"kind":"weekly","weekday":"mon","time":"09:30"}
 * This is both what the API shows and what the column stores;
 * schedule_parse reads it back to the same struct. Check buf_failed(b). */
void schedule_format(struct buf *b, const struct schedule *s);

/* "manual", "hourly", "daily", "weekly", "monthly" or "cron". */
const char *schedule_kind_name(enum schedule_kind kind);

/* *out = s with every SCHEDULE_SPREAD field replaced by the value the
 * integration id gets: a fixed function of the id's bytes (FNV-1a and a
 * 64-bit mixer), the same on every machine and every release, since
 * changing it would move every integration's slot. Hourly: a second of the
 * hour; daily: a second of the day; weekly: a weekday and a second of it;
 * monthly: a day 1-28 (every month has it) and a second of it. Spread times
 * have seconds; explicit ones are whole minutes. */
void schedule_resolve(struct schedule *out, const struct schedule *s, const char *id);

/* The first run time (Unix seconds) strictly after `after` of integration
 * id (a NUL-terminated string; only spread schedules read it) on schedule
 * s, or SCHEDULE_NEVER for a manual schedule and past 9999-12-31. UTC
 * throughout: a day is 86400 seconds. No allocation, a few hundred
 * nanoseconds (cron expressions that skip many days take longer).
 *
 * Missed runs: the caller passes the later of the run it just started and
 * the current time, next = schedule_next(s, id, max(now, planned)), both
 * after a run and after the scheduler was down. Runs missed during a
 * downtime therefore collapse into the one started on return, instead of
 * one run per missed period. When a schedule is set or changed, next =
 * schedule_next(s, id, now). */
int64_t schedule_next(const struct schedule *s, const char *id, int64_t after);

#endif
