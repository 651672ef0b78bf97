/* store/health.h - what the health answers read and the connection test
 * writes: an integration's last connection test (integrations.last_test_*)
 * and a tenant's summary (integrations by status, tokens about to expire,
 * refreshes and tests failing). Runs inside the caller's tenant
 * transaction. */
#ifndef INLET_STORE_HEALTH_H
#define INLET_STORE_HEALTH_H
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define HEALTH_ERROR_MAX 300 /* bytes of a test's error kept */

struct conn_test {
    int64_t at; /* unix seconds; 0: never tested */
    bool ok;
    int64_t latency_ms;
    char error[HEALTH_ERROR_MAX]; /* "" when ok */
};

/* Record a test of integration id at now (error NULL or "" when ok; cut to
 * HEALTH_ERROR_MAX - 1 bytes). ERR_NOTFOUND for no such live integration. */
MUST_CHECK int health_test_record(struct db *db, const char *tenant_id, const char *id, bool ok,
                                  int64_t latency_ms, const char *error, int64_t now,
                                  struct err *err);

/* Read integration id's last test into *out. ERR_NOTFOUND as above. */
MUST_CHECK int health_test_get(struct conn_test *out, struct db *db, const char *tenant_id,
                               const char *id, struct err *err);

struct health_summary {
    int64_t total;
    int64_t draft, active, paused, error, needs_reauth, disconnected;
    int64_t expiring_soon;   /* OAuth tokens expiring within a day */
    int64_t refresh_failing; /* a refresh failed since the last success */
    int64_t tests_failing;   /* the last connection test failed */
};

/* The tenant's live integrations summed up at now. */
MUST_CHECK int health_summary_get(struct health_summary *out, struct db *db, const char *tenant_id,
                                  int64_t now, struct err *err);

#endif
