/* map/model.c - the normalized models' field tables (they follow the
 * columns of src/db/migrations: accounts, contacts, tickets, deals) and a
 * small edit distance for "did you mean" in mapping messages. */
#include "map/model.h"

#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

#define F(n, t)                                                                                    \
    {                                                                                              \
        n, MODEL_##t, MODEL_RULE_NONE, NULL                                                        \
    }
#define R(n, t, rule)                                                                              \
    {                                                                                              \
        n, MODEL_##t, MODEL_RULE_##rule, NULL                                                      \
    }
#define REF(n, target)                                                                             \
    {                                                                                              \
        n, MODEL_REF, MODEL_RULE_NONE, target                                                      \
    }
#define COMMON R("external_id", TEXT, REQUIRED), F("deleted", BOOLEAN)

static const struct model_field account_fields[] = {
    COMMON,
    F("name", TEXT),
    F("domain", DOMAIN),
    F("website", TEXT),
    F("industry", TEXT),
    F("phone", TEXT),
    F("employees", INTEGER),
    F("annual_revenue", DECIMAL),
    F("remote_created_at", TIMESTAMP),
    F("remote_updated_at", TIMESTAMP),
};

static const struct model_field contact_fields[] = {
    COMMON,
    F("first_name", TEXT),
    F("last_name", TEXT),
    F("email", EMAIL),
    F("phone", TEXT),
    F("title", TEXT),
    F("company", TEXT),
    REF("account", "accounts"),
    F("lead_source", TEXT),
    F("lead_status", TEXT),
    F("remote_created_at", TIMESTAMP),
    F("remote_updated_at", TIMESTAMP),
};

static const struct model_field ticket_fields[] = {
    COMMON,
    F("subject", TEXT),
    F("description", TEXT),
    F("status", TEXT),
    F("priority", TEXT),
    F("requester_email", EMAIL),
    F("assignee", TEXT),
    REF("contact", "contacts"),
    REF("account", "accounts"),
    F("remote_created_at", TIMESTAMP),
    F("remote_updated_at", TIMESTAMP),
    F("remote_closed_at", TIMESTAMP),
};

static const struct model_field deal_fields[] = {
    COMMON,
    F("name", TEXT),
    F("amount", DECIMAL),
    R("currency", TEXT, CURRENCY),
    F("stage", TEXT),
    R("status", TEXT, DEAL_STATUS),
    R("probability", DECIMAL, PERCENT),
    F("close_date", DATE),
    F("owner", TEXT),
    REF("account", "accounts"),
    REF("contact", "contacts"),
    F("remote_created_at", TIMESTAMP),
    F("remote_updated_at", TIMESTAMP),
};

#define MODEL(n, f)                                                                                \
    {                                                                                              \
        n, f, sizeof(f) / sizeof((f)[0])                                                           \
    }
static const struct model models[] = {
    MODEL("accounts", account_fields),
    MODEL("contacts", contact_fields),
    MODEL("tickets", ticket_fields),
    MODEL("deals", deal_fields),
};

_Static_assert(sizeof(deal_fields) / sizeof(deal_fields[0]) <= MODEL_FIELDS_MAX,
               "MODEL_FIELDS_MAX is too small");

const struct model *model_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(models) / sizeof(models[0]); i++)
        if (strcmp(models[i].name, name) == 0)
            return &models[i];
    return NULL;
}

size_t model_count(void)
{
    return sizeof(models) / sizeof(models[0]);
}

const struct model *model_at(size_t i)
{
    return i < model_count() ? &models[i] : NULL;
}

int model_field_index(const struct model *m, const char *name)
{
    for (size_t i = 0; i < m->n_fields; i++)
        if (strcmp(m->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *model_type_name(enum model_type t)
{
    static const char *const names[] = {"text", "email",     "domain",  "integer", "decimal",
                                        "date", "timestamp", "boolean", "ref",     "json"};
    return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* Edit distance of a and b counting a swap of two neighbours as one edit
 * (optimal string alignment), the typos people make; names are short, so
 * three rows on the stack do. */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), r0[65] = {0}, r1[65], r2[65];
    size_t *two = r0, *one = r1, *cur = r2;
    if (na > 64 || nb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        one[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = one[j - 1] + cost;
            if (one[j] + 1 < v)
                v = one[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                two[j - 2] + 1 < v)
                v = two[j - 2] + 1;
            cur[j] = v;
        }
        size_t *t = two;
        two = one;
        one = cur;
        cur = t;
    }
    return one[nb];
}

const char *model_suggest(const char *s, const char *const *names, size_t n)
{
    size_t len = strlen(s), limit = len <= 5 ? 1 : 2, best_d = SIZE_MAX;
    const char *best = NULL;
    if (len < 3)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(names[i]), d = distance(s, names[i]);
        /* One name the start of the other ("lowercase", "lower") counts too. */
        if (d > limit && k >= 4 && len >= 4 && strncmp(s, names[i], k < len ? k : len) == 0)
            d = limit;
        if (d <= limit && d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

void model_value_dispose(struct model_value *v)
{
    xfree(v->s);
    v->s = NULL;
    v->set = false;
    v->i = 0;
}
