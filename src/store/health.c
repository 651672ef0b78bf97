/* store/health.c - see health.h. */
#include "store/health.h"

#include <stdio.h>
#include <string.h>

int health_test_record(struct db *db, const char *tenant_id, const char *id, bool ok,
                       int64_t latency_ms, const char *error, int64_t now, struct err *err)
{
    char cut[HEALTH_ERROR_MAX];
    int64_t changes = 0;

    snprintf(cut, sizeof(cut), "%s", error && !ok ? error : "");
    /* A cut in the middle of a UTF-8 sequence would not be valid text. */
    size_t n = strlen(cut);
    while (n > 0 && ((unsigned char)cut[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0 && ((unsigned char)cut[n - 1] & 0xC0) == 0xC0)
        n--;
    if (n < strlen(cut) && strlen(cut) == sizeof(cut) - 1)
        cut[n] = '\0';
    int rc = db_exec(db,
                     "UPDATE integrations SET last_test_at = $3, last_test_ok = ($4 = 1),"
                     " last_test_latency_ms = $5, last_test_error = $6"
                     " WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
                     DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id), DB_INT(now), DB_INT(ok ? 1 : 0),
                             DB_INT(latency_ms), ok ? DB_NULL : DB_TEXT(cut)),
                     &changes, err);
    if (rc == 0 && changes == 0)
        rc = err_set(err, ERR_NOTFOUND, "no integration %s", id);
    return rc;
}

int health_test_get(struct conn_test *out, struct db *db, const char *tenant_id, const char *id,
                    struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_query_row(&r, db,
                          "SELECT last_test_at, last_test_ok, last_test_latency_ms, last_test_error"
                          " FROM integrations WHERE tenant_id = $1 AND id = $2"
                          " AND deleted_at IS NULL",
                          DB_ARGS(DB_TEXT(tenant_id), DB_TEXT(id)), err);
    if (rc == ERR_NOTFOUND)
        return err_set(err, ERR_NOTFOUND, "no integration %s", id);
    if (rc < 0)
        return rc;
    out->at = db_rows_int(r, 0);
    out->ok = db_rows_int(r, 1) != 0;
    out->latency_ms = db_rows_int(r, 2);
    snprintf(out->error, sizeof(out->error), "%s", db_rows_text(r, 3) ? db_rows_text(r, 3) : "");
    db_rows_free(r);
    return 0;
}

int health_summary_get(struct health_summary *out, struct db *db, const char *tenant_id,
                       int64_t now, struct err *err)
{
    struct db_rows *r = NULL;
    memset(out, 0, sizeof(*out));
    /* One pass; last_test_ok is a boolean on PostgreSQL and 0/1 on SQLite,
     * which NOT and (x = 1) treat alike. */
    int rc = db_query_row(
        &r, db,
        "SELECT count(*),"
        " sum(CASE WHEN i.status = 'draft' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.status = 'active' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.status = 'paused' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.status = 'error' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.status = 'needs_reauth' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.status = 'disconnected' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN c.expires_at IS NOT NULL AND c.expires_at < $2 THEN 1 ELSE 0 END),"
        " sum(CASE WHEN c.refresh_failed_at IS NOT NULL THEN 1 ELSE 0 END),"
        " sum(CASE WHEN i.last_test_at IS NOT NULL AND NOT i.last_test_ok THEN 1 ELSE 0 END)"
        " FROM integrations i LEFT JOIN credentials c"
        " ON c.tenant_id = i.tenant_id AND c.integration_id = i.id"
        " WHERE i.tenant_id = $1 AND i.deleted_at IS NULL",
        DB_ARGS(DB_TEXT(tenant_id), DB_INT(now + 86400)), err);
    if (rc < 0)
        return rc;
    int64_t *cols[] = {&out->total,        &out->draft,         &out->active,
                       &out->paused,       &out->error,         &out->needs_reauth,
                       &out->disconnected, &out->expiring_soon, &out->refresh_failing,
                       &out->tests_failing};
    for (int i = 0; i < (int)(sizeof(cols) / sizeof(cols[0])); i++)
        *cols[i] = db_rows_int(r, i);
    db_rows_free(r);
    return 0;
}
