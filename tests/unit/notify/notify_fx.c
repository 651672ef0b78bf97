/* tests/unit/notify/notify_fx.c - see notify_fx.h. */
#include "notify/notify_fx.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonx.h"
#include "notify/config.h"
#include "store/integration.h"
#include "store/notify_channel.h"
#include "store/tenant.h"

void notify_fx_start(struct notify_fx *f, void **state, const char *name)
{
    struct secret key = {0};
    struct integration it = {0};
    struct err e;
    char tn[128];

    memset(f, 0, sizeof(*f));
    f->t = *state;
    snprintf(tn, sizeof(tn), "notify-%s-%d", name, (int)getpid());
    assert_db_ok(tenant_create(f->tenant, &key, f->t->db, tn, &e), &e);
    secret_dispose(&key);
    vault_key_generate(&key);
    assert_db_ok(vault_parse_keys(&f->v, &key, "INLET_KEYS", &e), &e);
    secret_dispose(&key);
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(
        integration_create(&it, f->t->db, f->tenant, "salesforce", "Sales EU", NULL, FX_NOW, &e),
        &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    memcpy(f->integration, it.id, ID_MAX);
    integration_dispose(&it);
}

void notify_fx_stop(struct notify_fx *f)
{
    vault_free(f->v);
}

void notify_fx_channel(struct notify_fx *f, const char *kind, const char *events,
                       const char *config, bool enabled, char id[ID_MAX])
{
    struct json_object *cfg = NULL, *ev = NULL;
    struct notify_config c;
    struct secret sealed = {0};
    struct buf summary, evs;
    struct err e;

    assert_db_ok(jsonx_parse(&cfg, config, strlen(config), strlen(config) + 1, &e), &e);
    assert_db_ok(jsonx_parse(&ev, events, strlen(events), strlen(events) + 1, &e), &e);
    assert_db_ok(notify_config_parse(&c, notify_kind_parse(kind), cfg, NULL, &e), &e);
    buf_init(&summary, 0);
    buf_init(&evs, 0);
    assert_db_ok(notify_events_check(&evs, ev, &e), &e);
    notify_config_summary(&summary, &c);
    notify_config_seal_text(&sealed, &c);
    struct notify_channel_in in = {.kind = kind,
                                   .name = kind,
                                   .events = buf_cstr(&evs),
                                   .summary = buf_cstr(&summary),
                                   .config = &sealed,
                                   .enabled = enabled};
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(notify_channel_create(id, f->t->db, f->v, f->tenant, &in, FX_NOW, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    secret_dispose(&sealed);
    buf_dispose(&summary);
    buf_dispose(&evs);
    notify_config_dispose(&c);
    json_object_put(cfg);
    json_object_put(ev);
}

enum notify_event notify_fx_record(struct notify_fx *f, enum notify_outcome o, const char *detail,
                                   int64_t now)
{
    enum notify_event ev;
    struct err e;
    assert_db_ok(db_begin_tenant(f->t->db, f->tenant, &e), &e);
    assert_db_ok(notify_record(&ev, f->t->db, f->tenant, f->integration, o, detail, now, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    return ev;
}

int64_t notify_fx_int(struct notify_fx *f, const char *sql)
{
    int64_t n = 0;
    struct err e;
    assert_db_ok(db_query_int(&n, f->t->db, sql, DB_ARGS(DB_TEXT(f->tenant)), &e), &e);
    return n;
}
