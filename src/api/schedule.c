/* api/schedule.c - PUT /api/integrations/{id}/schedule: an integration's
 * schedule (sched/schedule.h: manual, hourly, daily, weekly, monthly, or a
 * cron expression, UTC), stored in its canonical form with the next run
 * time; the answer is the integration, next_run_at included. */
#include <string.h>

#include "api/api_int.h"
#include "core/log.h"
#include "sched/schedule.h"
#include "sched/scheduler.h"
#include "store/integration.h"

void api_integration_schedule_put(struct api_ctx *c)
{
    static const char *const allowed[] = {"kind", "minute",     "time", "weekday",
                                          "day",  "expression", NULL};
    struct json_object *body = NULL;
    struct integration it = {0};
    struct schedule s;
    struct buf text;
    struct err e;
    const char *id = api_path_id(c, "int", "integration");

    if (!id || api_body_object(c, &body, allowed) < 0)
        return;
    int rc = schedule_parse_json(&s, body, "", &e);
    json_object_put(body);
    if (rc < 0) {
        api_invalid_msg(c, &e); /* 422 at the member the message starts with */
        return;
    }
    buf_init(&text, 0);
    if (s.kind != SCHEDULE_MANUAL)
        schedule_format(&text, &s);
    if ((rc = db_begin_tenant(c->db, c->tenant_id, &e)) == 0) {
        rc = sched_set(NULL, c->db, c->tenant_id, id, text.n ? buf_cstr(&text) : NULL, c->now, &e);
        if (rc == 0)
            rc = api_audit(c, "integration.schedule", "integration", id, NULL, &e);
        if (rc == 0)
            rc = integration_get(&it, c->db, c->tenant_id, id, &e);
        if (rc == 0)
            rc = db_commit(c->db, &e);
        else
            db_rollback(c->db);
    }
    buf_dispose(&text);
    if (rc < 0)
        api_fail(c, &e);
    else
        integration_format(&it, api_reply(c, 200));
    integration_dispose(&it);
}
