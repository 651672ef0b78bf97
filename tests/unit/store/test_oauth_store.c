/* tests/unit/store/test_oauth_store.c - what connecting an account stores,
 * on both engines: OAuth flows in progress (single use, expiring, bound
 * to one browser, the verifier sealed), tenants' OAuth apps (the secret
 * sealed, replaced in place, public clients), and consents. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/consent.h"
#include "store/integration.h"
#include "store/oauth_app.h"
#include "store/oauth_state.h"
#include "store/tenant.h"
#include "test.h"
#include "test_db.h"

#define NOW 1700000000

struct fx {
    struct test_db *t;
    struct vault *v;
    char tenant[ID_MAX];
};

static void fx_start(struct fx *f, void **state, const char *tenant_name)
{
    struct secret key = {0}, k = {0}, text = {0};
    struct err e;

    f->t = *state;
    assert_db_ok(tenant_create(f->tenant, &key, f->t->db, tenant_name, &e), &e);
    secret_dispose(&key);
    vault_key_generate(&k);
    secret_set(&text, k.p, k.n);
    assert_db_ok(vault_parse_keys(&f->v, &text, "INLET_KEYS", &e), &e);
    secret_dispose(&k);
    secret_dispose(&text);
}

static void fx_stop(struct fx *f)
{
    vault_free(f->v);
}

/* True when any sealed column of table holds needle in clear. */
static bool stored_in_clear(struct test_db *t, const char *sql, const char *needle)
{
    struct db_rows *r = NULL;
    struct err e;
    bool found = false;
    assert_db_ok(db_query(&r, t->db, sql, NULL, 0, &e), &e);
    while (db_rows_next(r, &e) == 1) {
        size_t n = 0;
        const char *p = db_rows_blob(r, 0, &n);
        for (size_t i = 0; p && i + strlen(needle) <= n; i++)
            found |= memcmp(p + i, needle, strlen(needle)) == 0;
    }
    db_rows_free(r);
    return found;
}

/* Start a flow of f's tenant bound to binding (NULL: unbound); its state
 * into state. */
static void start(struct fx *f, const char *binding, int64_t now, char state[OAUTH_STATE_MAX])
{
    struct secret verifier = {0};
    struct err e;
    secret_set(&verifier, "verifier-0123456789-0123456789-0123456789-abc", 45);
    oauth_state_new_id(state);
    struct oauth_state_new in = {
        .tenant_id = f->tenant,
        .connector = "salesforce",
        .integration_name = "Sales",
        .redirect_uri = "http://127.0.0.1:8080/api/oauth/callback",
        .scopes = "api refresh_token",
        .authorize_url = "https://login.salesforce.com/services/oauth2/authorize?x=1",
        .actor = "key_x",
        .binding_hash = binding,
        .verifier = &verifier,
    };
    assert_db_ok(db_begin(f->t->db, &e), &e);
    assert_db_ok(oauth_state_create(f->t->db, f->v, state, &in, now, &e), &e);
    assert_db_ok(db_commit(f->t->db, &e), &e);
    secret_dispose(&verifier);
}

/* Take state with binding at now: the error code (0 on success). */
static int take(struct fx *f, const char *state, const char *binding, int64_t now,
                struct oauth_state *out, struct secret *verifier, struct err *e)
{
    struct err be;
    assert_db_ok(db_begin(f->t->db, &be), &be);
    int rc = oauth_state_take(out, verifier, f->t->db, f->v, state, binding, now, e);
    assert_db_ok(db_commit(f->t->db, &be), &be);
    return rc;
}

static void states_single_use_bound_expiring(void **state)
{
    struct fx f;
    struct oauth_state s;
    struct secret verifier;
    struct err e;
    char st[OAUTH_STATE_MAX], other[OAUTH_STATE_MAX];
    char bind[HASH_SHA256_HEX_LEN + 1], wrong[HASH_SHA256_HEX_LEN + 1];

    fx_start(&f, state, "oauth-states");
    hash_sha256_hex(bind, "nonce-a", 7);
    hash_sha256_hex(wrong, "nonce-b", 7);
    start(&f, bind, NOW, st);
    assert_int_equal(strlen(st), 43);
    assert_false(stored_in_clear(f.t, "SELECT verifier_sealed FROM oauth_states", "verifier-0123"));

    assert_int_equal(take(&f, st, bind, NOW + 5, &s, &verifier, &e), 0);
    assert_string_equal(s.tenant_id, f.tenant);
    assert_string_equal(s.connector, "salesforce");
    assert_null(s.integration_id);
    assert_string_equal(s.integration_name, "Sales");
    assert_string_equal(s.actor, "key_x");
    assert_string_equal(s.scopes, "api refresh_token");
    assert_int_equal(s.expires_at, NOW + OAUTH_STATE_TTL_S);
    assert_memory_equal(verifier.p, "verifier-0123456789", 19);
    oauth_state_dispose(&s);
    secret_dispose(&verifier);
    /* Once only. */
    assert_int_equal(take(&f, st, bind, NOW + 6, &s, &verifier, &e), ERR_NOTFOUND);

    /* Another browser: refused, and the state is spent. */
    start(&f, bind, NOW, st);
    assert_int_equal(take(&f, st, wrong, NOW + 5, &s, &verifier, &e), ERR_CONFLICT);
    assert_int_equal(take(&f, st, bind, NOW + 5, &s, &verifier, &e), ERR_NOTFOUND);
    start(&f, bind, NOW, st);
    assert_int_equal(take(&f, st, NULL, NOW + 5, &s, &verifier, &e), ERR_CONFLICT);

    /* Too late. */
    start(&f, bind, NOW, st);
    assert_int_equal(take(&f, st, bind, NOW + OAUTH_STATE_TTL_S, &s, &verifier, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "start again"));

    /* A flow started with an API key: the first browser binds it. */
    start(&f, NULL, NOW, st);
    assert_int_equal(take(&f, st, NULL, NOW + 1, &s, &verifier, &e), ERR_CONFLICT);
    start(&f, NULL, NOW, st);
    assert_db_ok(db_begin(f.t->db, &e), &e);
    assert_db_ok(oauth_state_bind(&s, f.t->db, st, bind, NOW + 1, &e), &e);
    assert_string_equal(s.authorize_url,
                        "https://login.salesforce.com/services/oauth2/authorize?x=1");
    oauth_state_dispose(&s);
    assert_int_equal(oauth_state_bind(&s, f.t->db, st, wrong, NOW + 2, &e), ERR_CONFLICT);
    oauth_state_new_id(other);
    assert_int_equal(oauth_state_bind(&s, f.t->db, other, wrong, NOW + 2, &e), ERR_NOTFOUND);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(take(&f, st, wrong, NOW + 3, &s, &verifier, &e), ERR_CONFLICT);

    /* Housekeeping removes the expired. */
    start(&f, bind, NOW, st);
    start(&f, bind, NOW + 1000, other);
    int64_t n = 0;
    assert_db_ok(oauth_state_purge(&n, f.t->db, NOW + OAUTH_STATE_TTL_S + 1, &e), &e);
    assert_true(n >= 1);
    assert_int_equal(take(&f, other, bind, NOW + 1001, &s, &verifier, &e), 0);
    oauth_state_dispose(&s);
    secret_dispose(&verifier);
    fx_stop(&f);
}

static void apps_sealed_replaced_public(void **state)
{
    struct fx f;
    struct oauth_app a;
    struct secret sec = {0};
    struct err e;

    fx_start(&f, state, "oauth-apps");
    secret_set(&sec, "very-secret-client-secret", 25);
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_int_equal(oauth_app_get(&a, f.t->db, f.v, f.tenant, "salesforce", true, &e),
                     ERR_NOTFOUND);
    assert_int_equal(oauth_app_put(f.t->db, f.v, f.tenant, "salesforce", "", &sec, "", NOW, &e),
                     ERR_INVALID);
    assert_int_equal(oauth_app_put(f.t->db, f.v, f.tenant, "salesforce", "a b", &sec, "", NOW, &e),
                     ERR_INVALID);
    assert_db_ok(oauth_app_put(f.t->db, f.v, f.tenant, "salesforce", "cid-1", &sec, "api", NOW, &e),
                 &e);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_false(
        stored_in_clear(f.t, "SELECT client_secret_sealed FROM oauth_apps", "very-secret"));
    int64_t id_before = test_db_int(f.t->db, "SELECT count(*) FROM oauth_apps");

    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(oauth_app_get(&a, f.t->db, f.v, f.tenant, "salesforce", true, &e), &e);
    assert_string_equal(a.client_id, "cid-1");
    assert_string_equal(a.scopes, "api");
    assert_true(a.has_secret);
    assert_int_equal(a.secret.n, 25);
    assert_memory_equal(a.secret.p, "very-secret-client-secret", 25);
    oauth_app_dispose(&a);
    /* Without asking, the secret stays sealed. */
    assert_db_ok(oauth_app_get(&a, f.t->db, f.v, f.tenant, "salesforce", false, &e), &e);
    assert_true(a.has_secret);
    assert_int_equal(a.secret.n, 0);
    oauth_app_dispose(&a);
    /* Replaced by a public client: same row, no secret. */
    assert_db_ok(
        oauth_app_put(f.t->db, f.v, f.tenant, "salesforce", "cid-2", NULL, "", NOW + 1, &e), &e);
    assert_db_ok(oauth_app_get(&a, f.t->db, f.v, f.tenant, "salesforce", true, &e), &e);
    assert_string_equal(a.client_id, "cid-2");
    assert_false(a.has_secret);
    assert_int_equal(a.created_at, NOW);
    assert_int_equal(a.updated_at, NOW + 1);
    oauth_app_dispose(&a);
    assert_db_ok(oauth_app_delete(f.t->db, f.tenant, "salesforce", &e), &e);
    assert_int_equal(oauth_app_delete(f.t->db, f.tenant, "salesforce", &e), ERR_NOTFOUND);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(test_db_int(f.t->db, "SELECT count(*) FROM oauth_apps"), id_before - 1);
    secret_dispose(&sec);
    fx_stop(&f);
}

static void consents_added_and_revoked(void **state)
{
    struct fx f;
    struct integration it = {0};
    struct err e;
    int64_t n = 0;

    fx_start(&f, state, "oauth-consents");
    assert_db_ok(db_begin_tenant(f.t->db, f.tenant, &e), &e);
    assert_db_ok(integration_create(&it, f.t->db, f.tenant, "salesforce", "c", NULL, NOW, &e), &e);
    assert_db_ok(consent_add(f.t->db, f.tenant, it.id, "salesforce", "key_x", "user@org",
                             "api refresh_token", NOW, &e),
                 &e);
    assert_db_ok(consent_revoke(&n, f.t->db, f.tenant, it.id, NOW + 5, &e), &e);
    assert_int_equal(n, 1);
    assert_db_ok(consent_revoke(&n, f.t->db, f.tenant, it.id, NOW + 6, &e), &e);
    assert_int_equal(n, 0);
    assert_db_ok(db_commit(f.t->db, &e), &e);
    assert_int_equal(test_db_int(f.t->db, "SELECT count(*) FROM consents WHERE revoked_at = "
                                          "1700000005"),
                     1);
    integration_dispose(&it);
    fx_stop(&f);
}

int test_oauth_store(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(states_single_use_bound_expiring),
        cmocka_unit_test(apps_sealed_replaced_public),
        cmocka_unit_test(consents_added_and_revoked),
    };
    return test_group_db("oauth_store", tests);
}
