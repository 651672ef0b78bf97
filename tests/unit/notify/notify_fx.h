/* tests/unit/notify/notify_fx.h - what the notify suites share: a tenant
 * with an integration in the group's database (tests/unit/test_db.h), a
 * vault, channels made as the API makes them, outcomes recorded in a
 * transaction of their own, and counts of the tenant's rows. */
#ifndef INLET_TESTS_NOTIFY_FX_H
#define INLET_TESTS_NOTIFY_FX_H
#include <stdbool.h>
#include <stdint.h>

#include "core/id.h"
#include "crypto/vault.h"
#include "notify/notify.h"
#include "test_db.h"

#define FX_NOW 1700000000 /* 2023-11-14T22:13:20Z */

struct notify_fx {
    struct test_db *t;
    struct vault *v;
    char tenant[ID_MAX];
    char integration[ID_MAX]; /* named "Sales EU", connector salesforce */
};

/* Set up f for a test; name makes the tenant's name unique in the group. */
void notify_fx_start(struct notify_fx *f, void **state, const char *name);
void notify_fx_stop(struct notify_fx *f);

/* Make a channel of kind with events (JSON array text) and config (JSON
 * object text, checked by notify_config_parse); its id into id. */
void notify_fx_channel(struct notify_fx *f, const char *kind, const char *events,
                       const char *config, bool enabled, char id[ID_MAX]);

/* notify_record in a transaction of its own, committed; the event. */
enum notify_event notify_fx_record(struct notify_fx *f, enum notify_outcome o, const char *detail,
                                   int64_t now);

/* The integer a query with one parameter, $1 the tenant id, returns. */
int64_t notify_fx_int(struct notify_fx *f, const char *sql);

#endif
