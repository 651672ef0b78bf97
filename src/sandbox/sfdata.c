/* sandbox/sfdata.c - the Salesforce emulator's generated records. A record
 * stores only what changes after generation (timestamps, a touch counter,
 * flags, fields written through the REST API); everything else is drawn
 * again from a SplitMix64 stream seeded by (seed, object, index) whenever the
 * record is built. Field values come from sandbox/names.c. */
#include "sandbox/sfdata.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/time.h"
#include "sandbox/names.h"
#include "sandbox/rng.h"

#define DAY_MS  86400000LL
#define YEAR_MS (365 * DAY_MS)

/* Salts that keep the streams drawn from one seed apart. */
#define SALT_TIMES  0x74696d6573ULL /* timestamps at generation */
#define SALT_FIELDS 0x6669656c64ULL /* every other field */
#define SALT_MUTATE 0x6d75746174ULL /* which records touch/delete pick */
#define SALT_SEQ    0x7365717565ULL /* where each object's id sequence starts */
#define SALT_FORM   0x666f726dULL   /* an account's legal form */
#define SALT_TLD    0x746c64ULL     /* an account's top-level domain */

enum {
    OBJ_ACCOUNT,
    OBJ_CONTACT,
    OBJ_LEAD,
    OBJ_OPPORTUNITY,
    OBJ_CASE,
    OBJ_CAMPAIGN,
    OBJ_USER,
    OBJ_INVOICE
};

struct sfrec {
    int64_t created_ms;       /* CreatedDate */
    int64_t modified_ms;      /* LastModifiedDate */
    int64_t modstamp_ms;      /* SystemModstamp */
    struct json_object *over; /* fields written by insert/update; owned; NULL when none */
    uint32_t rev;             /* touches so far: picks the touched field's value */
    bool deleted;             /* IsDeleted */
    bool inserted;            /* from sfdata_insert: nothing generated but system fields */
};

struct sftable {
    struct sfrec *recs; /* from xmalloc; n used, cap allocated */
    size_t n, cap;
    uint64_t seq_base; /* id sequence of record 0 */
};

struct sfdata {
    uint64_t seed;
    size_t generated; /* records generated per object: the range of generated references */
    char pod[3];      /* two characters after the key prefix in every id */
    struct sftable t[SFDATA_OBJECTS];
    struct rng mutate; /* picks records for sfdata_touch and sfdata_delete */
    /* Per object, bit f set: field f is hidden (no table has 64 fields). */
    uint64_t hidden[SFDATA_OBJECTS];
};

/* ---- the sobjects ---- */

#define SYS_FIELDS                                                                                 \
    {"IsDeleted", "boolean", NULL}, {"CreatedDate", "datetime", NULL},                             \
        {"LastModifiedDate", "datetime", NULL},                                                    \
    {                                                                                              \
        "SystemModstamp", "datetime", NULL                                                         \
    }
#define OWNER_FIELD                                                                                \
    {                                                                                              \
        "OwnerId", "reference", "User"                                                             \
    }

static const struct sfdata_field account_fields[] = {{"Id", "id", NULL},
                                                     {"Name", "string", NULL},
                                                     {"Type", "picklist", NULL},
                                                     {"Industry", "picklist", NULL},
                                                     {"Website", "url", NULL},
                                                     {"Phone", "phone", NULL},
                                                     {"NumberOfEmployees", "int", NULL},
                                                     OWNER_FIELD,
                                                     SYS_FIELDS};
static const struct sfdata_field contact_fields[] = {{"Id", "id", NULL},
                                                     {"AccountId", "reference", "Account"},
                                                     {"FirstName", "string", NULL},
                                                     {"LastName", "string", NULL},
                                                     {"Name", "string", NULL},
                                                     {"Email", "email", NULL},
                                                     {"Phone", "phone", NULL},
                                                     {"Title", "string", NULL},
                                                     OWNER_FIELD,
                                                     SYS_FIELDS};
static const struct sfdata_field lead_fields[] = {{"Id", "id", NULL},
                                                  {"FirstName", "string", NULL},
                                                  {"LastName", "string", NULL},
                                                  {"Name", "string", NULL},
                                                  {"Company", "string", NULL},
                                                  {"Email", "email", NULL},
                                                  {"Phone", "phone", NULL},
                                                  {"Title", "string", NULL},
                                                  {"Status", "picklist", NULL},
                                                  {"LeadSource", "picklist", NULL},
                                                  OWNER_FIELD,
                                                  SYS_FIELDS};
static const struct sfdata_field opportunity_fields[] = {{"Id", "id", NULL},
                                                         {"AccountId", "reference", "Account"},
                                                         {"Name", "string", NULL},
                                                         {"StageName", "picklist", NULL},
                                                         {"Amount", "currency", NULL},
                                                         {"Probability", "percent", NULL},
                                                         {"CloseDate", "date", NULL},
                                                         {"Type", "picklist", NULL},
                                                         {"LeadSource", "picklist", NULL},
                                                         OWNER_FIELD,
                                                         SYS_FIELDS};
static const struct sfdata_field case_fields[] = {{"Id", "id", NULL},
                                                  {"CaseNumber", "string", NULL},
                                                  {"AccountId", "reference", "Account"},
                                                  {"Subject", "string", NULL},
                                                  {"Status", "picklist", NULL},
                                                  {"Priority", "picklist", NULL},
                                                  {"Origin", "picklist", NULL},
                                                  OWNER_FIELD,
                                                  SYS_FIELDS};
static const struct sfdata_field campaign_fields[] = {{"Id", "id", NULL},
                                                      {"Name", "string", NULL},
                                                      {"Type", "picklist", NULL},
                                                      {"Status", "picklist", NULL},
                                                      {"StartDate", "date", NULL},
                                                      {"EndDate", "date", NULL},
                                                      {"IsActive", "boolean", NULL},
                                                      OWNER_FIELD,
                                                      SYS_FIELDS};
static const struct sfdata_field user_fields[] = {{"Id", "id", NULL},
                                                  {"Username", "string", NULL},
                                                  {"FirstName", "string", NULL},
                                                  {"LastName", "string", NULL},
                                                  {"Name", "string", NULL},
                                                  {"Alias", "string", NULL},
                                                  {"Email", "email", NULL},
                                                  {"Title", "string", NULL},
                                                  {"IsActive", "boolean", NULL},
                                                  {"CreatedDate", "datetime", NULL},
                                                  {"LastModifiedDate", "datetime", NULL},
                                                  {"SystemModstamp", "datetime", NULL}};
static const struct sfdata_field invoice_fields[] = {{"Id", "id", NULL},
                                                     {"Name", "string", NULL},
                                                     {"InvoiceNumber__c", "string", NULL},
                                                     {"Account__c", "reference", "Account"},
                                                     {"Amount__c", "currency", NULL},
                                                     {"Status__c", "picklist", NULL},
                                                     {"DueDate__c", "date", NULL},
                                                     OWNER_FIELD,
                                                     SYS_FIELDS};

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

static const struct sfdata_object objects[SFDATA_OBJECTS] = {
    [OBJ_ACCOUNT] = {"Account", "Account", "Accounts", "001", false, true, FIELDS(account_fields)},
    [OBJ_CONTACT] = {"Contact", "Contact", "Contacts", "003", false, true, FIELDS(contact_fields)},
    [OBJ_LEAD] = {"Lead", "Lead", "Leads", "00Q", false, true, FIELDS(lead_fields)},
    [OBJ_OPPORTUNITY] = {"Opportunity", "Opportunity", "Opportunities", "006", false, true,
                         FIELDS(opportunity_fields)},
    [OBJ_CASE] = {"Case", "Case", "Cases", "500", false, true, FIELDS(case_fields)},
    [OBJ_CAMPAIGN] = {"Campaign", "Campaign", "Campaigns", "701", false, true,
                      FIELDS(campaign_fields)},
    [OBJ_USER] = {"User", "User", "Users", "005", false, false, FIELDS(user_fields)},
    [OBJ_INVOICE] = {"Invoice__c", "Invoice", "Invoices", "a0A", true, true,
                     FIELDS(invoice_fields)},
};

/* Picklist values, in the order Salesforce's describe lists them. */
#define LIST(id, ...)                                                                              \
    static const char *const id##_v[] = {__VA_ARGS__};                                             \
    static const struct names_list id = {id##_v, sizeof(id##_v) / sizeof(id##_v[0])}
LIST(account_type, "Prospect", "Customer - Direct", "Customer - Channel",
     "Channel Partner / Reseller", "Installation Partner", "Technology Partner", "Other");
LIST(lead_status, "Open - Not Contacted", "Working - Contacted", "Closed - Converted",
     "Closed - Not Converted");
LIST(lead_source, "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other");
LIST(opp_stage, "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
     "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
     "Closed Won", "Closed Lost");
LIST(opp_type, "New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement",
     "Existing Customer - Downgrade");
LIST(case_status, "New", "Working", "Escalated", "Closed");
LIST(case_priority, "High", "Medium", "Low");
LIST(case_origin, "Phone", "Email", "Web");
LIST(campaign_type, "Conference", "Webinar", "Trade Show", "Public Relations", "Partners",
     "Referral Program", "Advertisement", "Banner Ads", "Direct Mail", "Email", "Telemarketing",
     "Other");
LIST(campaign_status, "Planned", "In Progress", "Completed", "Aborted");
LIST(campaign_region, "NA", "EMEA", "APAC", "LATAM");
LIST(invoice_status, "Draft", "Sent", "Paid", "Overdue", "Void");
LIST(pods, "5g", "8d", "4x", "RO", "D0", "3k", "6F", "Hb");
/* Default probability (percent) of each opp_stage value. */
static const int opp_probability[] = {10, 10, 20, 50, 60, 70, 75, 90, 100, 0};

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

static int object_index(const char *name)
{
    for (int k = 0; k < SFDATA_OBJECTS; k++)
        if (ascii_casecmp(objects[k].name, name) == 0)
            return k;
    return -1;
}

const struct sfdata_object *sfdata_object_at(size_t k)
{
    assert(k < SFDATA_OBJECTS);
    return &objects[k];
}

const struct sfdata_object *sfdata_object_find(const char *name)
{
    int k = object_index(name);
    return k < 0 ? NULL : &objects[k];
}

const struct sfdata_object *sfdata_object_for_id(const char *id)
{
    for (size_t k = 0; k < SFDATA_OBJECTS; k++)
        if (strncmp(id, objects[k].key_prefix, 3) == 0)
            return &objects[k];
    return NULL;
}

/* ---- ids ---- */

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void sfdata_id_to18(char out[SFDATA_ID_LEN + 1], const char *id15)
{
    static const char suffix[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    memcpy(out, id15, 15);
    for (int c = 0; c < 3; c++) {
        unsigned v = 0;
        for (int j = 0; j < 5; j++)
            if (id15[c * 5 + j] >= 'A' && id15[c * 5 + j] <= 'Z')
                v |= 1u << j;
        out[15 + c] = suffix[v];
    }
    out[SFDATA_ID_LEN] = '\0';
}

/* Id of record i of object k: prefix, pod, ten base-62 digits, suffix. */
static void id_format(char out[SFDATA_ID_LEN + 1], const struct sfdata *d, int k, size_t i)
{
    char id15[15];
    uint64_t seq = d->t[k].seq_base + i;
    memcpy(id15, objects[k].key_prefix, 3);
    memcpy(id15 + 3, d->pod, 2);
    for (int p = 14; p >= 5; p--) {
        id15[p] = base62[seq % 62];
        seq /= 62;
    }
    sfdata_id_to18(out, id15);
}

static int base62_value(char c)
{
    const char *p = c ? strchr(base62, c) : NULL;
    return p ? (int)(p - base62) : -1;
}

static bool id_parse(size_t *out_i, const struct sfdata *d, int k, const char *id)
{
    size_t n = strnlen(id, SFDATA_ID_LEN + 1);
    if ((n != 15 && n != SFDATA_ID_LEN) || memcmp(id, objects[k].key_prefix, 3) != 0 ||
        memcmp(id + 3, d->pod, 2) != 0)
        return false;
    uint64_t seq = 0;
    for (int p = 5; p < 15; p++) {
        int v = base62_value(id[p]);
        if (v < 0)
            return false;
        seq = seq * 62 + (uint64_t)v;
    }
    if (seq < d->t[k].seq_base || seq - d->t[k].seq_base >= d->t[k].n)
        return false;
    char full[SFDATA_ID_LEN + 1];
    sfdata_id_to18(full, id);
    if (n == SFDATA_ID_LEN && memcmp(full + 15, id + 15, 3) != 0)
        return false;
    *out_i = (size_t)(seq - d->t[k].seq_base);
    return true;
}

/* ---- text ---- */

size_t sfdata_datetime_format(char out[SFDATA_DATETIME_MAX], int64_t ms)
{
    char t[TIME_RFC3339_MAX];
    time_format_rfc3339(t, ms); /* "YYYY-MM-DDThh:mm:ss.sssZ" */
    memcpy(out, t, 23);
    memcpy(out + 23, "+0000", 6);
    return 28;
}

static void lower_into(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        if (*s != ' ')
            out[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + ('a' - 'A') : *s);
    out[n] = '\0';
}

static const char *pick(struct rng *r, const struct names_list *l)
{
    return l->v[rng_below(r, l->n)];
}

/* The value after rev touches of a picklist field whose generated index is
 * base: consecutive revisions always differ. */
static const char *pick_rev(const struct names_list *l, uint64_t base, uint32_t rev)
{
    return l->v[(base + rev) % l->n];
}

/* Keys are string literals from the tables above, so json-c need not copy
 * them; a generated record never has a key twice. */
static void put(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add_ex(o, key, v,
                              JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT);
}

static void put_str(struct json_object *o, const char *key, const char *s)
{
    put(o, key, json_object_new_string(s));
}

static void put_datetime(struct json_object *o, const char *key, int64_t ms)
{
    char t[SFDATA_DATETIME_MAX];
    sfdata_datetime_format(t, ms);
    put_str(o, key, t);
}

static void put_date(struct json_object *o, const char *key, int64_t ms)
{
    char t[TIME_RFC3339_MAX];
    time_format_rfc3339(t, ms);
    t[10] = '\0';
    put_str(o, key, t);
}

/* A currency amount in cents, written as Salesforce's JSON writes a double:
 * 50000.0, 1234.5, 1234.56. Integer arithmetic only, so no locale or libm
 * can change the text; json-c keeps the text as given. */
static void put_cents(struct json_object *o, const char *key, int64_t cents)
{
    char t[32];
    if (cents % 10 != 0)
        snprintf(t, sizeof(t), "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
    else
        snprintf(t, sizeof(t), "%lld.%lld", (long long)(cents / 100),
                 (long long)(cents % 100 / 10));
    put(o, key, json_object_new_double_s((double)cents / 100, t));
}

static void put_ref(struct json_object *o, const char *key, const struct sfdata *d, int k, size_t i)
{
    char id[SFDATA_ID_LEN + 1];
    id_format(id, d, k, i);
    put_str(o, key, id);
}

/* OwnerId: one of the generated users (none when there are none). */
static void put_owner(struct json_object *o, const struct sfdata *d, struct rng *r)
{
    if (d->generated == 0) {
        put(o, "OwnerId", NULL);
        return;
    }
    put_ref(o, "OwnerId", d, OBJ_USER, (size_t)rng_below(r, d->generated));
}

/* An account among the generated ones, or SIZE_MAX when there are none. */
static size_t draw_account(const struct sfdata *d, struct rng *r)
{
    return d->generated ? (size_t)rng_below(r, d->generated) : SIZE_MAX;
}

static void put_phone(struct json_object *o, const char *key, struct rng *r, uint32_t rev)
{
    char t[24];
    const char *area = pick(r, &names_area_code);
    uint64_t line = rng_below(r, 100);
    /* 555-0100 to 555-0199 are the numbers reserved for fiction. */
    snprintf(t, sizeof(t), "(%s) 555-01%02u", area, (unsigned)((line + rev) % 100));
    put_str(o, key, t);
}

/* Account j's name and domain. The (head, tail) pair walks a permutation of
 * all pairs, and each further round adds a number, so domains are unique. */
static void account_company(const struct sfdata *d, size_t j, char *name, size_t name_cap,
                            char *domain, size_t domain_cap)
{
    size_t nt = names_company_tail.n, combos = names_company_head.n * nt;
    size_t perm = (size_t)((j % combos) * 7919u + d->seed % combos) % combos; /* 7919 is prime */
    size_t round = j / combos;
    const char *head = names_company_head.v[perm / nt], *tail = names_company_tail.v[perm % nt];
    const char *form = names_company_form.v[rng_mix(d->seed ^ SALT_FORM, j) % names_company_form.n];
    const char *tld = names_tld.v[rng_mix(d->seed ^ SALT_TLD, j) % names_tld.n];
    char num[24] = "", slug[64];

    if (round > 0)
        snprintf(num, sizeof(num), "%zu", round + 1);
    if (name)
        snprintf(name, name_cap, "%s %s%s%s%s%s", head, tail, round ? " " : "", num,
                 form[0] ? " " : "", form);
    lower_into(slug, sizeof(slug), head);
    lower_into(slug + strlen(slug), sizeof(slug) - strlen(slug), tail);
    snprintf(domain, domain_cap, "%s%s%s", slug, num, tld);
}

/* ---- generation, one function per object; the draw order is the format ---- */

struct gen {
    const struct sfdata *d;
    size_t i; /* record index */
    const struct sfrec *rec;
    struct rng r;          /* this record's field stream */
    struct json_object *o; /* being filled */
};

static void gen_person(struct gen *g, char *first_last_slug, size_t cap)
{
    const char *first = pick(&g->r, &names_first), *last = pick(&g->r, &names_last);
    char full[96], a[32], b[32];
    snprintf(full, sizeof(full), "%s %s", first, last);
    put_str(g->o, "FirstName", first);
    put_str(g->o, "LastName", last);
    put_str(g->o, "Name", full);
    lower_into(a, sizeof(a), first);
    lower_into(b, sizeof(b), last);
    snprintf(first_last_slug, cap, "%s.%s", a, b);
}

static void gen_account(struct gen *g)
{
    char name[128], domain[96], t[112];
    account_company(g->d, g->i, name, sizeof(name), domain, sizeof(domain));
    put_str(g->o, "Name", name);
    put_str(g->o, "Type", pick(&g->r, &account_type));
    put_str(g->o, "Industry", pick(&g->r, &names_industry));
    snprintf(t, sizeof(t), "www.%s", domain);
    put_str(g->o, "Website", t);
    put_phone(g->o, "Phone", &g->r, g->rec->rev);
    static const int sizes[] = {10, 25, 50, 120, 250, 800, 2500, 12000};
    put(g->o, "NumberOfEmployees",
        json_object_new_int(sizes[rng_below(&g->r, 8)] + (int)rng_below(&g->r, 10)));
    put_owner(g->o, g->d, &g->r);
}

static void gen_contact(struct gen *g)
{
    size_t acct = draw_account(g->d, &g->r);
    char slug[72], domain[96], email[176];
    if (acct == SIZE_MAX)
        put(g->o, "AccountId", NULL);
    else
        put_ref(g->o, "AccountId", g->d, OBJ_ACCOUNT, acct);
    gen_person(g, slug, sizeof(slug));
    if (acct == SIZE_MAX) {
        put(g->o, "Email", NULL);
    } else {
        account_company(g->d, acct, NULL, 0, domain, sizeof(domain));
        snprintf(email, sizeof(email), "%s@%s", slug, domain);
        put_str(g->o, "Email", email);
    }
    put_phone(g->o, "Phone", &g->r, g->rec->rev);
    put_str(g->o, "Title", pick(&g->r, &names_title));
    put_owner(g->o, g->d, &g->r);
}

static void gen_lead(struct gen *g)
{
    char slug[72], company[128], domain[64], email[176];
    gen_person(g, slug, sizeof(slug));
    const char *head = pick(&g->r, &names_company_head), *tail = pick(&g->r, &names_company_tail);
    const char *form = pick(&g->r, &names_company_form), *tld = pick(&g->r, &names_tld);
    snprintf(company, sizeof(company), "%s %s%s%s", head, tail, form[0] ? " " : "", form);
    put_str(g->o, "Company", company);
    lower_into(domain, sizeof(domain), head);
    lower_into(domain + strlen(domain), sizeof(domain) - strlen(domain), tail);
    snprintf(email, sizeof(email), "%s@%s%s", slug, domain, tld);
    put_str(g->o, "Email", email);
    put_phone(g->o, "Phone", &g->r, 0);
    put_str(g->o, "Title", pick(&g->r, &names_title));
    put_str(g->o, "Status", pick_rev(&lead_status, rng_next(&g->r), g->rec->rev));
    put_str(g->o, "LeadSource", pick(&g->r, &lead_source));
    put_owner(g->o, g->d, &g->r);
}

static void gen_opportunity(struct gen *g)
{
    size_t acct = draw_account(g->d, &g->r);
    char name[160], account[128];
    if (acct == SIZE_MAX) {
        put(g->o, "AccountId", NULL);
        snprintf(account, sizeof(account), "Opportunity %zu", g->i + 1);
    } else {
        put_ref(g->o, "AccountId", g->d, OBJ_ACCOUNT, acct);
        char domain[96];
        account_company(g->d, acct, account, sizeof(account), domain, sizeof(domain));
    }
    snprintf(name, sizeof(name), "%s - %s", account, pick(&g->r, &names_deal_kind));
    put_str(g->o, "Name", name);
    size_t stage = (size_t)rng_below(&g->r, opp_stage.n);
    put_str(g->o, "StageName", opp_stage.v[stage]);
    int64_t dollars = (1 + (int64_t)rng_below(&g->r, 200)) * 500 + (int64_t)g->rec->rev * 250;
    put_cents(g->o, "Amount", dollars * 100);
    put_cents(g->o, "Probability", (int64_t)opp_probability[stage] * 100);
    put_date(g->o, "CloseDate", g->rec->created_ms + (int64_t)rng_below(&g->r, 180) * DAY_MS);
    put_str(g->o, "Type", pick(&g->r, &opp_type));
    put_str(g->o, "LeadSource", pick(&g->r, &lead_source));
    put_owner(g->o, g->d, &g->r);
}

static void gen_case(struct gen *g)
{
    char num[24];
    snprintf(num, sizeof(num), "%08zu", g->i + 1001);
    put_str(g->o, "CaseNumber", num);
    size_t acct = draw_account(g->d, &g->r);
    if (acct == SIZE_MAX)
        put(g->o, "AccountId", NULL);
    else
        put_ref(g->o, "AccountId", g->d, OBJ_ACCOUNT, acct);
    put_str(g->o, "Subject", pick(&g->r, &names_case_subject));
    put_str(g->o, "Status", pick_rev(&case_status, rng_next(&g->r), g->rec->rev));
    put_str(g->o, "Priority", pick(&g->r, &case_priority));
    put_str(g->o, "Origin", pick(&g->r, &case_origin));
    put_owner(g->o, g->d, &g->r);
}

static void gen_campaign(struct gen *g)
{
    char name[96], year[TIME_RFC3339_MAX];
    time_format_rfc3339(year, g->rec->created_ms);
    year[4] = '\0';
    const char *kind = pick(&g->r, &names_campaign_kind);
    snprintf(name, sizeof(name), "%s %s %s", kind, year, pick(&g->r, &campaign_region));
    put_str(g->o, "Name", name);
    put_str(g->o, "Type", pick(&g->r, &campaign_type));
    put_str(g->o, "Status", pick_rev(&campaign_status, rng_next(&g->r), g->rec->rev));
    int64_t start = g->rec->created_ms + (int64_t)rng_below(&g->r, 60) * DAY_MS;
    put_date(g->o, "StartDate", start);
    put_date(g->o, "EndDate", start + (1 + (int64_t)rng_below(&g->r, 30)) * DAY_MS);
    put(g->o, "IsActive", json_object_new_boolean(rng_below(&g->r, 4) != 0));
    put_owner(g->o, g->d, &g->r);
}

static void gen_user(struct gen *g)
{
    const char *first = pick(&g->r, &names_first), *last = pick(&g->r, &names_last);
    char full[96], a[32], b[32], t[112];
    lower_into(a, sizeof(a), first);
    lower_into(b, sizeof(b), last);
    /* Usernames are unique across Salesforce, hence the index. */
    snprintf(t, sizeof(t), "%s.%s.%zu@example.com", a, b, g->i + 1);
    put_str(g->o, "Username", t);
    snprintf(full, sizeof(full), "%s %s", first, last);
    put_str(g->o, "FirstName", first);
    put_str(g->o, "LastName", last);
    put_str(g->o, "Name", full);
    snprintf(t, sizeof(t), "%c%.4s", a[0], b);
    put_str(g->o, "Alias", t);
    snprintf(t, sizeof(t), "%s.%s@example.com", a, b);
    put_str(g->o, "Email", t);
    put_str(g->o, "Title", pick_rev(&names_title, rng_next(&g->r), g->rec->rev));
    put(g->o, "IsActive", json_object_new_boolean(rng_below(&g->r, 10) != 0));
}

static void gen_invoice(struct gen *g)
{
    char num[24];
    snprintf(num, sizeof(num), "INV-%06zu", g->i + 1);
    put_str(g->o, "Name", num);
    put_str(g->o, "InvoiceNumber__c", num);
    size_t acct = draw_account(g->d, &g->r);
    if (acct == SIZE_MAX)
        put(g->o, "Account__c", NULL);
    else
        put_ref(g->o, "Account__c", g->d, OBJ_ACCOUNT, acct);
    put_cents(g->o, "Amount__c", 1000 + (int64_t)rng_below(&g->r, 5000000));
    put_str(g->o, "Status__c", pick_rev(&invoice_status, rng_next(&g->r), g->rec->rev));
    put_date(g->o, "DueDate__c", g->rec->created_ms + 30 * DAY_MS);
    put_owner(g->o, g->d, &g->r);
}

static void (*const generators[SFDATA_OBJECTS])(struct gen *) = {
    gen_account, gen_contact,  gen_lead, gen_opportunity,
    gen_case,    gen_campaign, gen_user, gen_invoice,
};

/* Fields that insert and update never take from the caller. */
static bool is_system_field(const char *key)
{
    return strcmp(key, "Id") == 0 || strcmp(key, "IsDeleted") == 0 ||
           strcmp(key, "CreatedDate") == 0 || strcmp(key, "LastModifiedDate") == 0 ||
           strcmp(key, "SystemModstamp") == 0;
}

/* Contact, Lead and User: Name is FirstName and LastName joined. */
static void compound_name(struct json_object *o)
{
    const char *first = json_object_get_string(json_object_object_get(o, "FirstName"));
    const char *last = json_object_get_string(json_object_object_get(o, "LastName"));
    char full[512];
    snprintf(full, sizeof(full), "%s%s%s", first ? first : "", first && last ? " " : "",
             last ? last : "");
    json_object_object_add(o, "Name", first || last ? json_object_new_string(full) : NULL);
}

void sfdata_record_load(struct json_object **out, const struct sfdata *d, const char *object,
                        size_t i)
{
    int k = object_index(object);
    assert(k >= 0 && i < d->t[k].n);
    const struct sfdata_object *def = &objects[k];
    const struct sfrec *rec = &d->t[k].recs[i];
    struct gen g = {.d = d, .i = i, .rec = rec, .o = json_object_new_object()};
    size_t n_sys = def->deletable ? 4 : 3;

    put_ref(g.o, "Id", d, k, i);
    if (rec->inserted) {
        for (size_t f = 1; f + n_sys < def->n_fields; f++)
            put(g.o, def->fields[f].name, NULL);
    } else {
        rng_init(&g.r, rng_mix(rng_mix(d->seed ^ SALT_FIELDS, (uint64_t)k), i));
        generators[k](&g);
    }
    if (rec->over) {
        json_object_object_foreach(rec->over, key, v)
        {
            struct json_object *copy = NULL;
            if (v && json_object_deep_copy(v, &copy, NULL) != 0)
                abort(); /* json-c fails only on out of memory */
            json_object_object_add(g.o, key, copy);
        }
    }
    if (k == OBJ_CONTACT || k == OBJ_LEAD || k == OBJ_USER)
        compound_name(g.o);
    if (def->deletable)
        put(g.o, "IsDeleted", json_object_new_boolean(rec->deleted));
    put_datetime(g.o, "CreatedDate", rec->created_ms);
    put_datetime(g.o, "LastModifiedDate", rec->modified_ms);
    put_datetime(g.o, "SystemModstamp", rec->modstamp_ms);
    /* Built whole, then cut: the generators draw every field in turn, so
     * skipping one would change the values of those after it. */
    for (size_t f = 0; d->hidden[k] && f < def->n_fields; f++)
        if (d->hidden[k] & (UINT64_C(1) << f))
            json_object_object_del(g.o, def->fields[f].name);
    *out = g.o;
}

/* ---- the data set ---- */

static struct sfrec *table_push(struct sftable *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->recs = xrealloc(t->recs, t->cap * sizeof(*t->recs));
    }
    struct sfrec *rec = &t->recs[t->n++];
    memset(rec, 0, sizeof(*rec));
    return rec;
}

int sfdata_new(struct sfdata **out, uint64_t seed, size_t records_per_object, int64_t now_ms,
               struct err *err)
{
    if (records_per_object > SFDATA_MAX_RECORDS)
        return err_set(err, ERR_INVALID, "sandbox: %zu records per object, over the limit of %u",
                       records_per_object, SFDATA_MAX_RECORDS);
    if (now_ms < YEAR_MS || now_ms > TIME_MAX_MS - 200 * DAY_MS)
        return err_set(err, ERR_INVALID, "sandbox: now %lld ms out of range", (long long)now_ms);

    struct sfdata *d = xcalloc(1, sizeof(*d));
    struct rng r;
    d->seed = seed;
    d->generated = records_per_object;
    rng_init(&d->mutate, rng_mix(seed, SALT_MUTATE));
    rng_init(&r, rng_mix(seed, SALT_SEQ));
    memcpy(d->pod, pick(&r, &pods), 2);

    /* Generated timestamps are whole seconds in [now - 365 days, now]. */
    int64_t lo_s = (now_ms - YEAR_MS + 999) / 1000, hi_s = now_ms / 1000;
    for (int k = 0; k < SFDATA_OBJECTS; k++) {
        struct sftable *t = &d->t[k];
        /* Sequences with five to seven significant base-62 digits, so that
         * ids carry upper-case letters and their checksums vary. */
        t->seq_base = 916132832ULL + rng_below(&r, 56800235584ULL * 40);
        t->cap = records_per_object ? records_per_object : 16;
        t->recs = xcalloc(t->cap, sizeof(*t->recs));
        t->n = records_per_object;
        for (size_t i = 0; i < records_per_object; i++) {
            struct sfrec *rec = &t->recs[i];
            struct rng tr;
            rng_init(&tr, rng_mix(rng_mix(seed ^ SALT_TIMES, (uint64_t)k), i));
            int64_t created = lo_s + (int64_t)rng_below(&tr, (uint64_t)(hi_s - lo_s + 1));
            int64_t modified = created + (int64_t)rng_below(&tr, (uint64_t)(hi_s - created + 1));
            int64_t modstamp = modified;
            /* SystemModstamp also moves on system changes: now and then
             * it is a little later than LastModifiedDate. */
            if (rng_below(&tr, 4) == 0) {
                int64_t room = hi_s - modified < 300 ? hi_s - modified : 300;
                modstamp += (int64_t)rng_below(&tr, (uint64_t)room + 1);
            }
            rec->created_ms = created * 1000;
            rec->modified_ms = modified * 1000;
            rec->modstamp_ms = modstamp * 1000;
        }
    }
    *out = d;
    return 0;
}

void sfdata_free(struct sfdata *d)
{
    if (!d)
        return;
    for (int k = 0; k < SFDATA_OBJECTS; k++) {
        for (size_t i = 0; i < d->t[k].n; i++)
            json_object_put(d->t[k].recs[i].over);
        xfree(d->t[k].recs);
    }
    xfree(d);
}

size_t sfdata_count(const struct sfdata *d, const char *object)
{
    int k = object_index(object);
    return k < 0 ? 0 : d->t[k].n;
}

void sfdata_meta_get(struct sfdata_meta *out, const struct sfdata *d, const char *object, size_t i)
{
    int k = object_index(object);
    assert(k >= 0 && i < d->t[k].n);
    const struct sfrec *rec = &d->t[k].recs[i];
    id_format(out->id, d, k, i);
    out->deleted = rec->deleted;
    out->created_ms = rec->created_ms;
    out->modified_ms = rec->modified_ms;
    out->modstamp_ms = rec->modstamp_ms;
}

bool sfdata_find(size_t *out_i, const struct sfdata *d, const char *object, const char *id)
{
    int k = object_index(object);
    return k >= 0 && id_parse(out_i, d, k, id);
}

/* ---- mutations ---- */

static int64_t later(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Pick up to k live generated records of table t, distinct, in the order the
 * mutation stream draws them (a partial Fisher-Yates shuffle). Returns how
 * many; *picked is from xmalloc. */
static size_t pick_live(size_t **picked, struct sfdata *d, struct sftable *t, size_t k)
{
    size_t *idx = xmalloc((t->n ? t->n : 1) * sizeof(*idx)), live = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!t->recs[i].deleted && !t->recs[i].inserted)
            idx[live++] = i;
    if (k > live)
        k = live;
    for (size_t j = 0; j < k; j++) {
        size_t s = j + (size_t)rng_below(&d->mutate, live - j);
        size_t tmp = idx[j];
        idx[j] = idx[s];
        idx[s] = tmp;
    }
    *picked = idx;
    return k;
}

size_t sfdata_touch(struct sfdata *d, const char *object, size_t k, int64_t now_ms)
{
    static const char *const touched[SFDATA_OBJECTS] = {
        "Phone", "Phone", "Status", "Amount", "Status", "Status", "Title", "Status__c",
    };
    int o = object_index(object);
    if (o < 0 || k == 0)
        return 0;
    assert(now_ms >= TIME_MIN_MS && now_ms <= TIME_MAX_MS);
    size_t *idx, n = pick_live(&idx, d, &d->t[o], k);
    for (size_t j = 0; j < n; j++) {
        struct sfrec *rec = &d->t[o].recs[idx[j]];
        rec->rev++;
        if (rec->over)
            json_object_object_del(rec->over, touched[o]); /* else it would hide the change */
        rec->modified_ms = rec->modstamp_ms = later(now_ms, rec->modstamp_ms);
    }
    xfree(idx);
    return n;
}

size_t sfdata_delete(struct sfdata *d, const char *object, size_t k, int64_t now_ms)
{
    int o = object_index(object);
    if (o < 0 || k == 0 || !objects[o].deletable)
        return 0;
    assert(now_ms >= TIME_MIN_MS && now_ms <= TIME_MAX_MS);
    size_t *idx, n = pick_live(&idx, d, &d->t[o], k);
    for (size_t j = 0; j < n; j++) {
        struct sfrec *rec = &d->t[o].recs[idx[j]];
        rec->deleted = true;
        rec->modstamp_ms = later(now_ms, rec->modstamp_ms);
    }
    xfree(idx);
    return n;
}

/* ---- single records ---- */

/* Copy the non-system members of fields into *over (created when NULL). */
static void over_merge(struct json_object **over, struct json_object *fields)
{
    if (!*over)
        *over = json_object_new_object();
    json_object_object_foreach(fields, key, v)
    {
        if (is_system_field(key))
            continue;
        struct json_object *copy = NULL;
        if (v && json_object_deep_copy(v, &copy, NULL) != 0)
            abort(); /* json-c fails only on out of memory */
        json_object_object_add(*over, key, copy);
    }
}

static int lookup(int *out_k, size_t *out_i, const struct sfdata *d, const char *object,
                  const char *id, struct err *err)
{
    int k = object_index(object);
    if (k < 0)
        return err_set(err, ERR_NOTFOUND, "sandbox: no sobject %s", object);
    if (!id_parse(out_i, d, k, id))
        return err_set(err, ERR_NOTFOUND, "sandbox: no %s with id %.20s", objects[k].name, id);
    if (d->t[k].recs[*out_i].deleted)
        return err_set(err, ERR_NOTFOUND, "sandbox: %s %.20s is deleted", objects[k].name, id);
    *out_k = k;
    return 0;
}

int sfdata_insert(struct sfdata *d, const char *object, struct json_object *fields, int64_t now_ms,
                  char id_out[SFDATA_ID_LEN + 1], struct err *err)
{
    int k = object_index(object);
    if (k < 0)
        return err_set(err, ERR_NOTFOUND, "sandbox: no sobject %s", object);
    if (!json_object_is_type(fields, json_type_object))
        return err_set(err, ERR_INVALID, "sandbox: %s fields must be an object", objects[k].name);
    if (d->t[k].n >= SFDATA_MAX_RECORDS)
        return err_set(err, ERR_TOOBIG, "sandbox: %s is full (%u records)", objects[k].name,
                       SFDATA_MAX_RECORDS);
    assert(now_ms >= TIME_MIN_MS && now_ms <= TIME_MAX_MS);
    struct sfrec *rec = table_push(&d->t[k]);
    rec->inserted = true;
    rec->created_ms = rec->modified_ms = rec->modstamp_ms = now_ms;
    over_merge(&rec->over, fields);
    if (k != OBJ_USER && d->t[OBJ_USER].n > 0 &&
        !json_object_object_get_ex(rec->over, "OwnerId", NULL)) {
        char owner[SFDATA_ID_LEN + 1];
        id_format(owner, d, OBJ_USER, 0);
        json_object_object_add(rec->over, "OwnerId", json_object_new_string(owner));
    }
    id_format(id_out, d, k, d->t[k].n - 1);
    return 0;
}

int sfdata_update(struct sfdata *d, const char *object, const char *id, struct json_object *fields,
                  int64_t now_ms, struct err *err)
{
    int k = 0, rc;
    size_t i = 0;
    if ((rc = lookup(&k, &i, d, object, id, err)) < 0)
        return rc;
    if (!json_object_is_type(fields, json_type_object))
        return err_set(err, ERR_INVALID, "sandbox: %s fields must be an object", objects[k].name);
    assert(now_ms >= TIME_MIN_MS && now_ms <= TIME_MAX_MS);
    struct sfrec *rec = &d->t[k].recs[i];
    over_merge(&rec->over, fields);
    rec->modified_ms = rec->modstamp_ms = later(now_ms, rec->modstamp_ms);
    return 0;
}

int sfdata_remove(struct sfdata *d, const char *object, const char *id, int64_t now_ms,
                  struct err *err)
{
    int k = 0, rc;
    size_t i = 0;
    if ((rc = lookup(&k, &i, d, object, id, err)) < 0)
        return rc;
    if (!objects[k].deletable)
        return err_set(err, ERR_INVALID, "sandbox: %s records cannot be deleted", objects[k].name);
    assert(now_ms >= TIME_MIN_MS && now_ms <= TIME_MAX_MS);
    struct sfrec *rec = &d->t[k].recs[i];
    rec->deleted = true;
    rec->modstamp_ms = later(now_ms, rec->modstamp_ms);
    return 0;
}

/* ---- the schema ---- */

/* The index of obj, which must be one of the table's (asserted). */
static int object_of(const struct sfdata_object *obj)
{
    int k = 0;
    while (k < SFDATA_OBJECTS && obj != &objects[k])
        k++;
    assert(k < SFDATA_OBJECTS);
    return k;
}

int sfdata_field_hideable(size_t *out, const struct sfdata_object *obj, const char *field,
                          struct err *err)
{
    /* Why each system field must stay, for the message. */
    static const struct {
        const char *name, *why;
    } keys[] = {
        {"Id", "the primary key"},
        {"SystemModstamp", "the incremental sync's cursor"},
        {"LastModifiedDate", "a fallback cursor of the incremental sync"},
        {"CreatedDate", "a fallback cursor of the incremental sync"},
        {"IsDeleted", "the mark of deleted records"},
    };
    for (size_t f = 0; f < obj->n_fields; f++) {
        if (ascii_casecmp(obj->fields[f].name, field) != 0)
            continue;
        for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
            if (strcmp(keys[j].name, obj->fields[f].name) == 0)
                return err_set(err, ERR_INVALID,
                               "%s.%s cannot be hidden: a system field, which no admin can "
                               "delete (%s)",
                               obj->name, obj->fields[f].name, keys[j].why);
        *out = f;
        return 0;
    }
    return err_set(err, ERR_NOTFOUND, "%s has no field \"%.64s\"", obj->name, field);
}

void sfdata_field_set_hidden(struct sfdata *d, const struct sfdata_object *obj, size_t f,
                             bool hidden)
{
    int k = object_of(obj);
    assert(f < obj->n_fields && f < 64 && !is_system_field(obj->fields[f].name));
    if (hidden)
        d->hidden[k] |= UINT64_C(1) << f;
    else
        d->hidden[k] &= ~(UINT64_C(1) << f);
}

bool sfdata_field_hidden(const struct sfdata *d, const struct sfdata_object *obj, size_t f)
{
    int k = object_of(obj);
    assert(f < obj->n_fields);
    return f < 64 && (d->hidden[k] & (UINT64_C(1) << f)) != 0;
}

void sfdata_fields_show_all(struct sfdata *d)
{
    memset(d->hidden, 0, sizeof(d->hidden));
}
