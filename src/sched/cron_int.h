/* sched/cron_int.h - proleptic Gregorian calendar arithmetic (UTC, days since
 * 1970-01-01) that sched/cron.c and sched/schedule.c share beyond
 * core/time.h's calendar. Not for other areas. */
#ifndef INLET_SCHED_CRON_INT_H
#define INLET_SCHED_CRON_INT_H
#include <stdint.h>

#include "core/time.h"

/* a / b and a mod b rounded toward negative infinity (b > 0), so that
 * instants before 1970 fall into the right minute, day and week. */
int64_t cron__floor_div(int64_t a, int64_t b);
int64_t cron__floor_mod(int64_t a, int64_t b);

/* Day of the week of `days` since 1970-01-01, 0 = Sunday (that day was a Thursday). */
int cron__weekday(int64_t days);

#endif
