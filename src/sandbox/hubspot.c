/* sandbox/hubspot.c - the HubSpot emulator: its route table, its records
 * and the CRM v3 data API (objects list, read, create, update, search,
 * properties, owners) with HubSpot's rate-limit headers and error bodies
 * (shared/providers.md 2.2, 2.3). Generated records are not stored: a
 * record keeps its times, its archived flag and the values written through
 * the API, and everything else is derived from (seed, object, index) when
 * asked for. OAuth is in hs_oauth.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sandbox/hs_int.h"
#include "sandbox/names.h"
#include "sandbox/rng.h"

#define HS_YEAR_MS      (365LL * 24 * 3600 * 1000)
#define HS_VAL_MAX      256    /* bytes of a property value, NUL included */
#define HS_CREATED_MAX  100000 /* records the API may create per object */
#define HS_BODY_MAX     65536  /* bytes of a JSON request body */
#define HS_SEARCH_CAP   10000  /* results a search can page through */
#define HS_GROUPS_MAX   3      /* filter groups in a search (providers.md 2.2) */
#define HS_FILTERS_MAX  3      /* filters per group */
#define HS_OWNERS       5
#define HS_DAILY        250000 /* the emulated daily limit */
#define HS_TEN_SECONDLY 100    /* OAuth apps: 100 requests per 10 s */

enum hs_type { HS_CONTACTS, HS_COMPANIES, HS_DEALS, HS_TICKETS, HS_TYPES };

/* One property of an object's schema. */
struct hs_prop {
    const char *name, *label;
    const char *type;       /* "string", "number", "datetime", "enumeration" */
    const char *field_type; /* "text", "number", "date", "select", "phonenumber" */
    const char *group;
    const char *const *options; /* NULL-terminated, enumerations only */
    bool dflt;                  /* returned when no properties= is given */
    bool read_only;
};

struct hs_kind {
    const char *name;     /* "contacts" */
    const char *modified; /* its last-modified property */
    const struct hs_prop *props;
    size_t nprops;
    uint64_t id_base; /* ids are id_base + index */
};

/* A value written through the API over the generated one. */
struct hs_over {
    uint16_t prop; /* index into its kind's props */
    char *value;   /* from xstrdup */
};

struct hs_rec {
    int64_t created_ms, modified_ms;
    struct hs_over *over; /* from xrealloc; nover of them */
    uint16_t nover;
    bool generated; /* false: created through the API, nothing to derive */
    bool archived;
};

struct hs_store {
    struct hs_rec *r; /* from xrealloc */
    size_t n, cap, created;
};

struct hs_data {
    struct hs_store s[HS_TYPES];
    uint64_t seed;
    size_t records;   /* generated per object */
    uint64_t calls;   /* data calls, for the rate-limit headers */
    uint64_t corr;    /* correlation ids handed out */
    uint64_t mutated; /* /_sandbox/mutate calls, to vary its picks */
};

/* One record's values, indexed like its kind's props; "" is no value. */
struct hs_vals {
    char v[16][HS_VAL_MAX];
};

/* ---- schemas ---- */

static const char *const lifecycle[] = {
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer",   NULL};
static const char *const stages[] = {"appointmentscheduled",
                                     "qualifiedtobuy",
                                     "presentationscheduled",
                                     "decisionmakerboughtin",
                                     "contractsent",
                                     "closedwon",
                                     "closedlost",
                                     NULL};
static const char *const ticket_stages[] = {"1", "2", "3", "4", NULL};
static const char *const priorities[] = {"LOW", "MEDIUM", "HIGH", NULL};
static const char *const pipelines[] = {"default", NULL};
static const char *const ticket_pipelines[] = {"0", NULL};

#define P(n, l, t, f, g, o, d, r)                                                                  \
    {                                                                                              \
        n, l, t, f, g, o, d, r                                                                     \
    }
static const struct hs_prop contact_props[] = {
    P("createdate", "Create Date", "datetime", "date", "contactinformation", NULL, true, true),
    P("email", "Email", "string", "text", "contactinformation", NULL, true, false),
    P("firstname", "First Name", "string", "text", "contactinformation", NULL, true, false),
    P("hs_object_id", "Record ID", "number", "number", "contactinformation", NULL, true, true),
    P("lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation", NULL,
      true, true),
    P("lastname", "Last Name", "string", "text", "contactinformation", NULL, true, false),
    P("phone", "Phone Number", "string", "phonenumber", "contactinformation", NULL, false, false),
    P("company", "Company Name", "string", "text", "contactinformation", NULL, false, false),
    P("jobtitle", "Job Title", "string", "text", "contactinformation", NULL, false, false),
    P("associatedcompanyid", "Primary Associated Company ID", "number", "number",
      "contactinformation", NULL, false, false),
    P("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", lifecycle,
      false, false),
    P("hubspot_owner_id", "Contact owner", "enumeration", "select", "sales_properties", NULL, false,
      false),
};
static const struct hs_prop company_props[] = {
    P("createdate", "Create Date", "datetime", "date", "companyinformation", NULL, true, true),
    P("domain", "Company Domain Name", "string", "text", "companyinformation", NULL, true, false),
    P("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "companyinformation", NULL,
      true, true),
    P("hs_object_id", "Record ID", "number", "number", "companyinformation", NULL, true, true),
    P("name", "Name", "string", "text", "companyinformation", NULL, true, false),
    P("industry", "Industry", "string", "text", "companyinformation", NULL, false, false),
    P("phone", "Phone Number", "string", "phonenumber", "companyinformation", NULL, false, false),
    P("numberofemployees", "Number of Employees", "number", "number", "companyinformation", NULL,
      false, false),
    P("hubspot_owner_id", "Company owner", "enumeration", "select", "companyinformation", NULL,
      false, false),
};
static const struct hs_prop deal_props[] = {
    P("amount", "Amount", "number", "number", "dealinformation", NULL, true, false),
    P("closedate", "Close Date", "datetime", "date", "dealinformation", NULL, true, false),
    P("createdate", "Create Date", "datetime", "date", "dealinformation", NULL, true, true),
    P("dealname", "Deal Name", "string", "text", "dealinformation", NULL, true, false),
    P("dealstage", "Deal Stage", "enumeration", "radio", "dealinformation", stages, true, false),
    P("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "dealinformation", NULL,
      true, true),
    P("hs_object_id", "Record ID", "number", "number", "dealinformation", NULL, true, true),
    P("pipeline", "Pipeline", "enumeration", "select", "dealinformation", pipelines, true, false),
    P("hubspot_owner_id", "Deal owner", "enumeration", "select", "dealinformation", NULL, false,
      false),
};
static const struct hs_prop ticket_props[] = {
    P("content", "Ticket description", "string", "textarea", "ticketinformation", NULL, true,
      false),
    P("createdate", "Create date", "datetime", "date", "ticketinformation", NULL, true, true),
    P("hs_lastmodifieddate", "Last modified date", "datetime", "date", "ticketinformation", NULL,
      true, true),
    P("hs_object_id", "Record ID", "number", "number", "ticketinformation", NULL, true, true),
    P("hs_pipeline", "Pipeline", "enumeration", "select", "ticketinformation", ticket_pipelines,
      true, false),
    P("hs_pipeline_stage", "Ticket status", "enumeration", "select", "ticketinformation",
      ticket_stages, true, false),
    P("subject", "Ticket name", "string", "text", "ticketinformation", NULL, true, false),
    P("hs_ticket_priority", "Priority", "enumeration", "select", "ticketinformation", priorities,
      false, false),
    P("hubspot_owner_id", "Ticket owner", "enumeration", "select", "ticketinformation", NULL, false,
      false),
};
#undef P

#define KIND(n, m, t, b)                                                                           \
    {                                                                                              \
        n, m, t, sizeof(t) / sizeof((t)[0]), b                                                     \
    }
static const struct hs_kind kinds[HS_TYPES] = {
    KIND("contacts", "lastmodifieddate", contact_props, 1000000000ULL),
    KIND("companies", "hs_lastmodifieddate", company_props, 2000000000ULL),
    KIND("deals", "hs_lastmodifieddate", deal_props, 3000000000ULL),
    KIND("tickets", "hs_lastmodifieddate", ticket_props, 4000000000ULL),
};
#undef KIND

_Static_assert(sizeof(contact_props) / sizeof(contact_props[0]) <= 16 &&
                   sizeof(company_props) / sizeof(company_props[0]) <= 16 &&
                   sizeof(deal_props) / sizeof(deal_props[0]) <= 16 &&
                   sizeof(ticket_props) / sizeof(ticket_props[0]) <= 16,
               "struct hs_vals and hs_mask hold 16 properties");

static const struct hs_kind *kind_find(const char *name, enum hs_type *t)
{
    for (int i = 0; i < HS_TYPES; i++)
        if (strcmp(kinds[i].name, name) == 0) {
            *t = (enum hs_type)i;
            return &kinds[i];
        }
    return NULL;
}

static int prop_find(const struct hs_kind *k, const char *name)
{
    for (size_t i = 0; i < k->nprops; i++)
        if (strcmp(k->props[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- generation ---- */

static const char *pick(struct rng *r, const struct names_list *l)
{
    return l->v[rng_below(r, l->n)];
}

static void lower_into(char *out, size_t n, const char *s)
{
    size_t j = 0;

    for (; *s && j + 1 < n; s++)
        if (isalnum((unsigned char)*s))
            out[j++] = (char)tolower((unsigned char)*s);
    out[j] = '\0';
}

static void vset(struct hs_vals *v, const struct hs_kind *k, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void vset(struct hs_vals *v, const struct hs_kind *k, const char *name, const char *fmt, ...)
{
    int i = prop_find(k, name);
    va_list ap;

    if (i < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(v->v[i], HS_VAL_MAX, fmt, ap);
    va_end(ap);
}

static void iso(char out[TIME_RFC3339_MAX], int64_t ms)
{
    time_format_rfc3339(out, ms);
}

/* A company's name and domain, which its contacts' e-mails share. */
static void company_of(const struct hs_data *d, size_t i, char name[128], char domain[96])
{
    struct rng r;
    char head[48], tail[48];

    rng_init(&r, rng_mix(rng_mix(d->seed, HS_COMPANIES + 101), i));
    const char *h = pick(&r, &names_company_head), *t = pick(&r, &names_company_tail);
    const char *f = pick(&r, &names_company_form), *tld = pick(&r, &names_tld);
    snprintf(name, 128, "%s %s%s%s", h, t, f[0] ? " " : "", f);
    lower_into(head, sizeof(head), h);
    lower_into(tail, sizeof(tail), t);
    snprintf(domain, 96, "%s%s%s", head, tail, tld);
}

static const char *owner_id(size_t i)
{
    static const char *const ids[HS_OWNERS] = {"101010101", "101010102", "101010103", "101010104",
                                               "101010105"};
    return ids[i % HS_OWNERS];
}

/* Fill v with record i's values: generated ones, then the API's writes. */
static void vals_get(const struct hs_data *d, enum hs_type t, size_t i, struct hs_vals *v)
{
    const struct hs_kind *k = &kinds[t];
    const struct hs_rec *rec = &d->s[t].r[i];
    char cname[128], domain[96], ts[TIME_RFC3339_MAX];
    struct rng r;

    memset(v, 0, sizeof(*v));
    rng_init(&r, rng_mix(rng_mix(d->seed, (uint64_t)t + 101), i));
    if (rec->generated) {
        switch (t) {
        case HS_CONTACTS: {
            const char *first = pick(&r, &names_first), *last = pick(&r, &names_last);
            char lf[48], ll[48];
            size_t c = d->records ? (size_t)rng_below(&r, d->records) : 0;
            company_of(d, c, cname, domain);
            lower_into(lf, sizeof(lf), first);
            lower_into(ll, sizeof(ll), last);
            vset(v, k, "firstname", "%s", first);
            vset(v, k, "lastname", "%s", last);
            vset(v, k, "email", "%s.%s%zu@%s", lf, ll, i, domain);
            vset(v, k, "company", "%s", cname);
            vset(v, k, "associatedcompanyid", "%llu",
                 (unsigned long long)kinds[HS_COMPANIES].id_base + c);
            vset(v, k, "phone", "+1 %s-555-%04u", pick(&r, &names_area_code),
                 (unsigned)rng_below(&r, 10000));
            vset(v, k, "jobtitle", "%s", pick(&r, &names_title));
            vset(v, k, "lifecyclestage", "%s", lifecycle[rng_below(&r, 6)]);
            break;
        }
        case HS_COMPANIES:
            company_of(d, i, cname, domain);
            (void)rng_next(&r);
            vset(v, k, "name", "%s", cname);
            vset(v, k, "domain", "%s", domain);
            vset(v, k, "industry", "%s", pick(&r, &names_industry));
            vset(v, k, "phone", "+1 %s-555-%04u", pick(&r, &names_area_code),
                 (unsigned)rng_below(&r, 10000));
            vset(v, k, "numberofemployees", "%u", 5 + (unsigned)rng_below(&r, 5000));
            break;
        case HS_DEALS: {
            size_t c = d->records ? (size_t)rng_below(&r, d->records) : 0;
            company_of(d, c, cname, domain);
            vset(v, k, "dealname", "%s - %s", cname, pick(&r, &names_deal_kind));
            vset(v, k, "amount", "%u", 50 * (1 + (unsigned)rng_below(&r, 2000)));
            vset(v, k, "dealstage", "%s", stages[rng_below(&r, 7)]);
            vset(v, k, "pipeline", "default");
            iso(ts, rec->created_ms + (int64_t)rng_below(&r, (uint64_t)HS_YEAR_MS / 2));
            vset(v, k, "closedate", "%s", ts);
            break;
        }
        case HS_TICKETS:
        default:
            vset(v, k, "subject", "%s", pick(&r, &names_case_subject));
            vset(v, k, "content", "Reported by the customer on ticket %zu.", i + 1);
            vset(v, k, "hs_pipeline", "0");
            vset(v, k, "hs_pipeline_stage", "%u", 1 + (unsigned)rng_below(&r, 4));
            vset(v, k, "hs_ticket_priority", "%s", priorities[rng_below(&r, 3)]);
            break;
        }
        vset(v, k, "hubspot_owner_id", "%s", owner_id((size_t)rng_below(&r, HS_OWNERS)));
    }
    iso(ts, rec->created_ms);
    vset(v, k, "createdate", "%s", ts);
    iso(ts, rec->modified_ms);
    vset(v, k, k->modified, "%s", ts);
    vset(v, k, "hs_object_id", "%llu", (unsigned long long)k->id_base + i);
    for (size_t j = 0; j < rec->nover; j++)
        snprintf(v->v[rec->over[j].prop], HS_VAL_MAX, "%s", rec->over[j].value);
}

static void rec_set(struct hs_rec *rec, int prop, const char *value)
{
    for (size_t j = 0; j < rec->nover; j++)
        if (rec->over[j].prop == prop) {
            xfree(rec->over[j].value);
            rec->over[j].value = xstrdup(value);
            return;
        }
    rec->over = xrealloc(rec->over, (rec->nover + 1u) * sizeof(*rec->over));
    rec->over[rec->nover].prop = (uint16_t)prop;
    rec->over[rec->nover].value = xstrdup(value);
    rec->nover++;
}

static struct hs_rec *rec_add(struct hs_store *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->r = xrealloc(s->r, s->cap * sizeof(*s->r));
    }
    memset(&s->r[s->n], 0, sizeof(s->r[0]));
    return &s->r[s->n++];
}

static void data_free(void *state)
{
    struct hs_data *d = state;

    if (!d)
        return;
    for (int t = 0; t < HS_TYPES; t++) {
        for (size_t i = 0; i < d->s[t].n; i++) {
            for (size_t j = 0; j < d->s[t].r[i].nover; j++)
                xfree(d->s[t].r[i].over[j].value);
            xfree(d->s[t].r[i].over);
        }
        xfree(d->s[t].r);
    }
    xfree(d);
}

/* ---- replies ---- */

static void correlation_id(struct hs_data *d, char out[40])
{
    uint64_t a = rng_mix(d->seed ^ 0x68756273ULL, ++d->corr), b = rng_mix(a, d->corr);

    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
             0x8000u | ((unsigned)(b >> 48) & 0x3fffu),
             (unsigned long long)(b & 0xffffffffffffULL));
}

/* HubSpot's error body; p->mu held (for the correlation id). */
static void hs_error(struct http_resp *resp, struct hs_data *d, int status, const char *category,
                     const char *msg)
{
    struct buf b;
    char corr[40];

    correlation_id(d, corr);
    buf_init(&b, 8192);
    buf_puts(&b, "{\"status\":\"error\",\"message\":");
    buf_put_json_str(&b, msg);
    buf_puts(&b, ",\"correlationId\":");
    buf_put_json_str(&b, corr);
    buf_puts(&b, ",\"category\":");
    buf_put_json_str(&b, category);
    buf_puts(&b, "}");
    sb_json(resp, status, buf_cstr(&b));
    buf_dispose(&b);
}

/* The rate-limit headers every data answer carries; p->mu held. The
 * daily limit is the faults' when one is set. */
static void rate_headers(struct http_resp *resp, struct sb_provider *p, const struct hs_data *d)
{
    uint64_t daily = sb_daily_max(p, HS_DAILY), used = sb_daily_used(p, d->calls);
    char n[32];

    snprintf(n, sizeof(n), "%llu", (unsigned long long)daily);
    http_resp_header(resp, "X-HubSpot-RateLimit-Daily", n);
    snprintf(n, sizeof(n), "%llu", (unsigned long long)(used >= daily ? 0 : daily - used));
    http_resp_header(resp, "X-HubSpot-RateLimit-Daily-Remaining", n);
    http_resp_header(resp, "X-HubSpot-RateLimit-Secondly", "10");
    snprintf(n, sizeof(n), "%u", 9 - (unsigned)((d->calls - 1) % 10));
    http_resp_header(resp, "X-HubSpot-RateLimit-Secondly-Remaining", n);
    http_resp_header(resp, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    snprintf(n, sizeof(n), "%d", HS_TEN_SECONDLY);
    http_resp_header(resp, "X-HubSpot-RateLimit-Max", n);
    snprintf(n, sizeof(n), "%u",
             HS_TEN_SECONDLY - 1 - (unsigned)((d->calls - 1) % HS_TEN_SECONDLY));
    http_resp_header(resp, "X-HubSpot-RateLimit-Remaining", n);
}

/* Start a data call: lock p, count it, add the rate-limit headers and
 * check the bearer token. True with p->mu held; false with resp filled and
 * p->mu released. */
static bool data_begin(struct http_req *req, struct http_resp *resp, struct hs_data **out)
{
    struct sb_provider *p = sb_of(req);
    struct hs_data *d = p->state;
    const char *auth = http_req_header(req, "Authorization");
    enum sb_check c = SB_UNKNOWN;

    pthread_mutex_lock(&p->mu);
    p->counters.data++;
    d->calls++;
    rate_headers(resp, p, d);
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
        c = sb_access_check(p, auth + 7, sb_now_ms());
    if (c == SB_EXPIRED) {
        hs_error(resp, d, 401, "EXPIRED_AUTHENTICATION",
                 "The OAuth token used to make this call expired.");
    } else if (c != SB_OK) {
        hs_error(resp, d, 401, "INVALID_AUTHENTICATION",
                 "Authentication credentials not found. This API supports OAuth 2.0 "
                 "authentication and you can find more details at "
                 "https://developers.hubspot.com/docs/methods/auth/oauth-overview");
    } else {
        *out = d;
        return true;
    }
    pthread_mutex_unlock(&p->mu);
    return false;
}

static void data_end(struct http_req *req)
{
    pthread_mutex_unlock(&sb_of(req)->mu);
}

/* Which properties to render: a bit per property of the kind. */
typedef uint32_t hs_mask;

static hs_mask bit(const struct hs_kind *k, const char *name)
{
    int i = prop_find(k, name);

    return i < 0 ? 0 : (hs_mask)1 << i;
}

/* properties=a,b (or a JSON array's names): those the kind has, plus the
 * three HubSpot always returns; absent, the defaults. Unknown names are
 * ignored, as HubSpot does. */
static hs_mask mask_of_list(const struct hs_kind *k, const char *list)
{
    hs_mask m = 0;
    char name[128];

    if (!list) {
        for (size_t i = 0; i < k->nprops; i++)
            m |= k->props[i].dflt ? (hs_mask)1 << i : 0;
        return m;
    }
    while (*list) {
        size_t n = strcspn(list, ",");
        if (n < sizeof(name)) {
            memcpy(name, list, n);
            name[n] = '\0';
            m |= bit(k, name);
        }
        list += n + (list[n] == ',');
    }
    return m | bit(k, "createdate") | bit(k, "hs_object_id") | bit(k, k->modified);
}

/* Append record i as HubSpot's object JSON. */
static void object_put(struct buf *b, const struct hs_data *d, enum hs_type t, size_t i, hs_mask m)
{
    const struct hs_kind *k = &kinds[t];
    const struct hs_rec *rec = &d->s[t].r[i];
    struct hs_vals v;
    char ts[TIME_RFC3339_MAX];
    bool first = true;

    vals_get(d, t, i, &v);
    buf_printf(b, "{\"id\":\"%llu\",\"properties\":{", (unsigned long long)k->id_base + i);
    for (size_t j = 0; j < k->nprops; j++) {
        if (!(m & ((hs_mask)1 << j)))
            continue;
        buf_puts(b, first ? "" : ",");
        first = false;
        buf_put_json_str(b, k->props[j].name);
        buf_putc(b, ':');
        if (v.v[j][0])
            buf_put_json_str(b, v.v[j]);
        else
            buf_puts(b, "null");
    }
    iso(ts, rec->created_ms);
    buf_printf(b, "},\"createdAt\":\"%s\"", ts);
    iso(ts, rec->modified_ms);
    buf_printf(b, ",\"updatedAt\":\"%s\",\"archived\":%s", ts, rec->archived ? "true" : "false");
    if (rec->archived)
        buf_printf(b, ",\"archivedAt\":\"%s\"", ts);
    buf_putc(b, '}');
}

/* The index of an id of kind t, or false. */
static bool index_of(const struct hs_data *d, enum hs_type t, const char *id, size_t *out)
{
    char *end;
    unsigned long long v;

    if (!id || !isdigit((unsigned char)id[0]))
        return false;
    v = strtoull(id, &end, 10);
    if (*end || v < kinds[t].id_base || v - kinds[t].id_base >= d->s[t].n)
        return false;
    *out = (size_t)(v - kinds[t].id_base);
    return true;
}

static bool parse_uint(const char *s, unsigned long long *out)
{
    char *end;

    if (!s || !isdigit((unsigned char)s[0]))
        return false;
    *out = strtoull(s, &end, 10);
    return *end == '\0';
}

/* ---- objects: list, read ---- */

static const struct hs_kind *type_of(struct http_req *req, struct http_resp *resp,
                                     struct hs_data *d, enum hs_type *t)
{
    const char *name = http_req_param(req, "type");
    const struct hs_kind *k = kind_find(name, t);
    char msg[200];

    if (!k) {
        snprintf(msg, sizeof(msg), "Unable to infer object type from: %.120s", name);
        hs_error(resp, d, 400, "VALIDATION_ERROR", msg);
    }
    return k;
}

static void hs_list(struct http_req *req, struct http_resp *resp)
{
    struct hs_data *d;
    enum hs_type t;
    const struct hs_kind *k;
    unsigned long long limit = 10, after = 0;
    const char *q_limit = http_req_query(req, "limit"), *q_after = http_req_query(req, "after");
    const char *q_arch = http_req_query(req, "archived");
    bool archived = q_arch && strcmp(q_arch, "true") == 0;
    struct buf b;
    size_t i, shown = 0;

    if (!data_begin(req, resp, &d))
        return;
    if (!(k = type_of(req, resp, d, &t)))
        goto done;
    if (q_limit && (!parse_uint(q_limit, &limit) || limit < 1 || limit > 100)) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", "limit must be an integer from 1 to 100");
        goto done;
    }
    if (q_after && !parse_uint(q_after, &after)) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", "after must be a record id");
        goto done;
    }
    hs_mask m = mask_of_list(k, http_req_query(req, "properties"));
    const struct hs_store *s = &d->s[t];
    i = after > k->id_base ? (size_t)(after - k->id_base) : 0;
    buf_init(&b, HTTP_RESP_MAX);
    buf_puts(&b, "{\"results\":[");
    for (; i < s->n; i++) {
        if (s->r[i].archived != archived)
            continue;
        if (shown == limit)
            break;
        buf_puts(&b, shown ? "," : "");
        object_put(&b, d, t, i, m);
        shown++;
    }
    buf_putc(&b, ']');
    if (i < s->n) {
        unsigned long long next = k->id_base + i;
        buf_printf(&b,
                   ",\"paging\":{\"next\":{\"after\":\"%llu\",\"link\":\"%s/crm/v3/objects/%s?"
                   "after=%llu\"}}",
                   next, sb_of(req)->origin, k->name, next);
    }
    buf_putc(&b, '}');
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    data_end(req);
}

static void not_found(struct http_resp *resp, struct hs_data *d)
{
    hs_error(resp, d, 404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");
}

static void hs_read(struct http_req *req, struct http_resp *resp)
{
    struct hs_data *d;
    enum hs_type t;
    const struct hs_kind *k;
    const char *q_arch = http_req_query(req, "archived");
    size_t i;
    struct buf b;

    if (!data_begin(req, resp, &d))
        return;
    if (!(k = type_of(req, resp, d, &t)))
        goto done;
    if (!index_of(d, t, http_req_param(req, "id"), &i) ||
        d->s[t].r[i].archived != (q_arch && strcmp(q_arch, "true") == 0)) {
        not_found(resp, d);
        goto done;
    }
    buf_init(&b, 1 << 20);
    object_put(&b, d, t, i, mask_of_list(k, http_req_query(req, "properties")));
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    data_end(req);
}

/* ---- objects: create, update ---- */

/* Check body's {"properties":{...}} against k; on a problem fill resp and
 * return false. Values may be strings, numbers or booleans (sent as text). */
static bool props_check(struct http_resp *resp, struct hs_data *d, const struct hs_kind *k,
                        const struct json_object *props)
{
    char msg[512];

    if (!props || !json_object_is_type(props, json_type_object)) {
        hs_error(resp, d, 400, "VALIDATION_ERROR",
                 "Invalid input JSON: expected an object named properties");
        return false;
    }
    json_object_object_foreach(props, key, v)
    {
        int i = prop_find(k, key);
        enum json_type jt = json_object_get_type(v);
        const char *s = json_object_get_string(v);
        if (i < 0 || k->props[i].read_only) {
            snprintf(msg, sizeof(msg),
                     "Property values were not valid: [{\"isValid\":false,\"message\":\"Property "
                     "\\\"%.100s\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\","
                     "\"name\":\"%.100s\"}]",
                     key, key);
            hs_error(resp, d, 400, "VALIDATION_ERROR", msg);
            return false;
        }
        if ((jt != json_type_string && jt != json_type_int && jt != json_type_double &&
             jt != json_type_boolean) ||
            strlen(s) >= HS_VAL_MAX) {
            snprintf(msg, sizeof(msg),
                     "Property values were not valid: [{\"isValid\":false,\"message\":\"%.100s "
                     "must be a string of at most %d characters\",\"error\":\"INVALID_VALUE\","
                     "\"name\":\"%.100s\"}]",
                     key, HS_VAL_MAX - 1, key);
            hs_error(resp, d, 400, "VALIDATION_ERROR", msg);
            return false;
        }
    }
    return true;
}

static void props_apply(struct hs_rec *rec, const struct hs_kind *k, struct json_object *props,
                        hs_mask *m)
{
    json_object_object_foreach(props, key, v)
    {
        int i = prop_find(k, key);
        rec_set(rec, i, json_object_get_string(v));
        *m |= (hs_mask)1 << i;
    }
}

static void write_object(struct http_req *req, struct http_resp *resp, bool create)
{
    struct hs_data *d;
    enum hs_type t;
    const struct hs_kind *k;
    struct json_object *body = NULL, *props;
    struct err e;
    size_t i;
    struct buf b;

    if (!data_begin(req, resp, &d))
        return;
    if (!(k = type_of(req, resp, d, &t)))
        goto done;
    if (!create && (!index_of(d, t, http_req_param(req, "id"), &i) || d->s[t].r[i].archived)) {
        not_found(resp, d);
        goto done;
    }
    if (jsonx_parse(&body, req->body, req->body_len, HS_BODY_MAX, &e) < 0) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", e.msg);
        goto done;
    }
    props = jsonx_get(body, "properties");
    if (!props_check(resp, d, k, props))
        goto done;
    if (create && d->s[t].created >= HS_CREATED_MAX) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", "the sandbox's record cap was reached");
        goto done;
    }
    int64_t now = sb_now_ms();
    struct hs_rec *rec;
    if (create) {
        rec = rec_add(&d->s[t]);
        rec->created_ms = now;
        d->s[t].created++;
        i = d->s[t].n - 1;
    } else {
        rec = &d->s[t].r[i];
    }
    rec->modified_ms = now;
    hs_mask m = mask_of_list(k, NULL);
    props_apply(rec, k, props, &m);
    buf_init(&b, 1 << 20);
    object_put(&b, d, t, i, m);
    sb_json(resp, create ? 201 : 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    json_object_put(body);
    data_end(req);
}

static void hs_create(struct http_req *req, struct http_resp *resp)
{
    write_object(req, resp, true);
}

static void hs_update(struct http_req *req, struct http_resp *resp)
{
    write_object(req, resp, false);
}

/* ---- search ---- */

enum hs_op { OP_EQ, OP_NEQ, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_HAS, OP_NOT_HAS };

struct hs_filter {
    int prop;
    enum hs_op op;
    bool numeric;     /* compare num */
    double num;       /* the value as a number (dates: ms) */
    const char *text; /* the value, borrowed from the body */
};

struct hs_search {
    struct hs_filter f[HS_GROUPS_MAX][HS_FILTERS_MAX];
    size_t nf[HS_GROUPS_MAX], ng;
    int sort; /* -1: by id */
    bool desc;
};

static bool is_date(const struct hs_prop *p)
{
    return strcmp(p->type, "datetime") == 0;
}

static bool is_number(const struct hs_prop *p)
{
    return strcmp(p->type, "number") == 0;
}

/* A property value as a number: dates as epoch ms, numbers as written. */
static bool num_of(const struct hs_prop *p, const char *s, double *out)
{
    char *end;

    if (!s[0])
        return false;
    if (is_date(p) && !(isdigit((unsigned char)s[0]) && !strchr(s, '-'))) {
        int64_t ms;
        if (time_parse_rfc3339(&ms, s, strlen(s), NULL) < 0)
            return false;
        *out = (double)ms;
        return true;
    }
    *out = strtod(s, &end);
    return *end == '\0';
}

static const char *const op_names[] = {"EQ", "NEQ", "GT",           "GTE",
                                       "LT", "LTE", "HAS_PROPERTY", "NOT_HAS_PROPERTY"};

/* Read body's filterGroups and sorts into s; a message on a problem. */
static const char *search_parse(struct hs_search *s, const struct hs_kind *k,
                                const struct json_object *body)
{
    const struct json_object *groups = jsonx_get(body, "filterGroups");
    const struct json_object *sorts = jsonx_get(body, "sorts");

    memset(s, 0, sizeof(*s));
    s->sort = -1;
    if (jsonx_len(groups) > HS_GROUPS_MAX)
        return "too many filterGroups: at most 3";
    s->ng = jsonx_len(groups);
    for (size_t g = 0; g < s->ng; g++) {
        const struct json_object *fs = jsonx_get(jsonx_at(groups, g), "filters");
        if (jsonx_len(fs) > HS_FILTERS_MAX)
            return "too many filters in a filterGroup: at most 3";
        s->nf[g] = jsonx_len(fs);
        for (size_t j = 0; j < s->nf[g]; j++) {
            const struct json_object *f = jsonx_at(fs, j);
            struct hs_filter *h = &s->f[g][j];
            const char *name = jsonx_str(jsonx_get(f, "propertyName"));
            const char *op = jsonx_str(jsonx_get(f, "operator"));
            size_t o = 0;
            if (!name || (h->prop = prop_find(k, name)) < 0)
                return "a filter names a property that does not exist";
            while (op && o < sizeof(op_names) / sizeof(op_names[0]) && strcmp(op, op_names[o]) != 0)
                o++;
            if (!op || o == sizeof(op_names) / sizeof(op_names[0]))
                return "a filter has an unsupported operator";
            h->op = (enum hs_op)o;
            if (h->op >= OP_HAS)
                continue;
            h->text = json_object_get_string(jsonx_get(f, "value"));
            if (!jsonx_get(f, "value") || !h->text)
                return "a filter has no value";
            const struct hs_prop *p = &k->props[h->prop];
            h->numeric = (is_date(p) || is_number(p)) && num_of(p, h->text, &h->num);
            if (is_date(p) && !h->numeric)
                return "a date filter value must be epoch milliseconds or ISO-8601";
        }
    }
    if (jsonx_len(sorts) > 1)
        return "at most one sort is supported";
    if (jsonx_len(sorts) == 1) {
        const struct json_object *so = jsonx_at(sorts, 0);
        const char *name = jsonx_str(so) ? jsonx_str(so) : jsonx_str(jsonx_get(so, "propertyName"));
        const char *dir = jsonx_str(jsonx_get(so, "direction"));
        if (!name || (s->sort = prop_find(k, name)) < 0)
            return "the sort names a property that does not exist";
        s->desc = dir && strcmp(dir, "DESCENDING") == 0;
        if (dir && !s->desc && strcmp(dir, "ASCENDING") != 0)
            return "sort direction must be ASCENDING or DESCENDING";
    }
    return NULL;
}

static bool filter_ok(const struct hs_kind *k, const struct hs_filter *f, const struct hs_vals *v)
{
    const char *s = v->v[f->prop];
    double x;
    int c;

    if (f->op == OP_HAS)
        return s[0] != '\0';
    if (f->op == OP_NOT_HAS)
        return s[0] == '\0';
    if (f->numeric && num_of(&k->props[f->prop], s, &x))
        c = x < f->num ? -1 : x > f->num;
    else if (f->op == OP_EQ || f->op == OP_NEQ)
        c = strcasecmp(s, f->text);
    else if (!s[0])
        return false;
    else
        c = strcmp(s, f->text);
    switch (f->op) {
    case OP_EQ:
        return c == 0;
    case OP_NEQ:
        return c != 0;
    case OP_GT:
        return c > 0;
    case OP_GTE:
        return c >= 0;
    case OP_LT:
        return c < 0;
    default:
        return c <= 0;
    }
}

static bool search_match(const struct hs_kind *k, const struct hs_search *s,
                         const struct hs_vals *v)
{
    if (s->ng == 0)
        return true;
    for (size_t g = 0; g < s->ng; g++) {
        bool all = true;
        for (size_t j = 0; j < s->nf[g] && all; j++)
            all = filter_ok(k, &s->f[g][j], v);
        if (all)
            return true;
    }
    return false;
}

/* A match and its sort key. */
struct hs_hit {
    size_t i;
    double num;
    char text[48];
    bool has; /* the sort property has a value */
    bool desc;
    bool numeric;
};

static int hit_cmp(const void *a, const void *b)
{
    const struct hs_hit *x = a, *y = b;
    int c = 0;

    if (x->has != y->has)
        c = x->has ? -1 : 1; /* no value sorts last either way */
    else if (x->has && x->numeric)
        c = x->num < y->num ? -1 : x->num > y->num;
    else if (x->has)
        c = strcasecmp(x->text, y->text);
    if (c && x->has == y->has)
        return x->desc ? -c : c;
    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void hs_search(struct http_req *req, struct http_resp *resp)
{
    struct hs_data *d;
    enum hs_type t;
    const struct hs_kind *k;
    struct json_object *body = NULL;
    struct hs_search s;
    struct hs_hit *hits = NULL;
    struct hs_vals v;
    struct err e;
    int64_t limit = 10, after = 0;
    const char *msg;
    size_t n = 0;
    struct buf b;

    if (!data_begin(req, resp, &d))
        return;
    if (!(k = type_of(req, resp, d, &t)))
        goto done;
    if (jsonx_parse(&body, req->body, req->body_len, HS_BODY_MAX, &e) < 0) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", e.msg);
        goto done;
    }
    if (jsonx_has(body, "limit") &&
        (jsonx_as_i64(&limit, jsonx_get(body, "limit"), "limit", &e) < 0 || limit < 1 ||
         limit > 200)) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", "limit must be an integer from 1 to 200");
        goto done;
    }
    if (jsonx_has(body, "after")) {
        unsigned long long a;
        const char *as = json_object_get_string(jsonx_get(body, "after"));
        if (!as || !parse_uint(as, &a) || a > HS_SEARCH_CAP) {
            hs_error(resp, d, 400, "VALIDATION_ERROR", "after must be an offset of at most 10000");
            goto done;
        }
        after = (int64_t)a;
    }
    if ((msg = search_parse(&s, k, body))) {
        hs_error(resp, d, 400, "VALIDATION_ERROR", msg);
        goto done;
    }
    hs_mask m = mask_of_list(k, NULL);
    const struct json_object *props = jsonx_get(body, "properties");
    if (jsonx_len(props) > 0) {
        struct buf list;
        buf_init(&list, 1 << 16);
        for (size_t j = 0; j < jsonx_len(props); j++) {
            const char *pn = jsonx_str(jsonx_at(props, j));
            if (pn) {
                buf_puts(&list, j ? "," : "");
                buf_puts(&list, pn);
            }
        }
        m = mask_of_list(k, buf_cstr(&list));
        buf_dispose(&list);
    }
    const struct hs_store *st = &d->s[t];
    hits = xmalloc((st->n ? st->n : 1) * sizeof(*hits));
    for (size_t i = 0; i < st->n; i++) {
        if (st->r[i].archived)
            continue;
        vals_get(d, t, i, &v);
        if (!search_match(k, &s, &v))
            continue;
        struct hs_hit *h = &hits[n++];
        memset(h, 0, sizeof(*h));
        h->i = i;
        h->desc = s.desc;
        if (s.sort >= 0) {
            const struct hs_prop *p = &k->props[s.sort];
            h->has = v.v[s.sort][0] != '\0';
            h->numeric = (is_date(p) || is_number(p)) && num_of(p, v.v[s.sort], &h->num);
            snprintf(h->text, sizeof(h->text), "%s", v.v[s.sort]);
        }
    }
    if (s.sort >= 0)
        qsort(hits, n, sizeof(*hits), hit_cmp);
    buf_init(&b, HTTP_RESP_MAX);
    buf_printf(&b, "{\"total\":%zu,\"results\":[", n);
    size_t end = (size_t)after + (size_t)limit;
    for (size_t j = (size_t)after; j < n && j < end; j++) {
        buf_puts(&b, j > (size_t)after ? "," : "");
        object_put(&b, d, t, hits[j].i, m);
    }
    buf_putc(&b, ']');
    if (end < n && end < HS_SEARCH_CAP)
        buf_printf(&b, ",\"paging\":{\"next\":{\"after\":\"%zu\"}}", end);
    buf_putc(&b, '}');
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    xfree(hits);
    json_object_put(body);
    data_end(req);
}

/* ---- properties and owners ---- */

static void hs_properties(struct http_req *req, struct http_resp *resp)
{
    struct hs_data *d;
    enum hs_type t;
    const struct hs_kind *k;
    struct buf b;

    if (!data_begin(req, resp, &d))
        return;
    if (!(k = type_of(req, resp, d, &t)))
        goto done;
    buf_init(&b, 1 << 20);
    buf_puts(&b, "{\"results\":[");
    for (size_t i = 0; i < k->nprops; i++) {
        const struct hs_prop *p = &k->props[i];
        buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        buf_put_json_str(&b, p->name);
        buf_puts(&b, ",\"label\":");
        buf_put_json_str(&b, p->label);
        buf_printf(&b,
                   ",\"type\":\"%s\",\"fieldType\":\"%s\",\"description\":\"\","
                   "\"groupName\":\"%s\",\"options\":[",
                   p->type, p->field_type, p->group);
        for (size_t o = 0; p->options && p->options[o]; o++)
            buf_printf(&b,
                       "%s{\"label\":\"%s\",\"value\":\"%s\",\"displayOrder\":%zu,"
                       "\"hidden\":false}",
                       o ? "," : "", p->options[o], p->options[o], o);
        buf_printf(&b,
                   "],\"displayOrder\":%zu,\"calculated\":false,\"externalOptions\":false,"
                   "\"hasUniqueValue\":%s,\"hidden\":false,\"hubspotDefined\":true,"
                   "\"modificationMetadata\":{\"archivable\":true,\"readOnlyDefinition\":true,"
                   "\"readOnlyValue\":%s},\"formField\":%s}",
                   i, strcmp(p->name, "hs_object_id") == 0 ? "true" : "false",
                   p->read_only ? "true" : "false", p->read_only ? "false" : "true");
    }
    buf_puts(&b, "]}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
done:
    data_end(req);
}

static void hs_owners(struct http_req *req, struct http_resp *resp)
{
    struct hs_data *d;
    struct buf b;
    char c[TIME_RFC3339_MAX], u[TIME_RFC3339_MAX];
    struct rng r;

    if (!data_begin(req, resp, &d))
        return;
    buf_init(&b, 1 << 16);
    buf_puts(&b, "{\"results\":[");
    for (size_t i = 0; i < HS_OWNERS; i++) {
        char lf[48], ll[48];
        rng_init(&r, rng_mix(d->seed, 9000 + i));
        const char *first = pick(&r, &names_first), *last = pick(&r, &names_last);
        lower_into(lf, sizeof(lf), first);
        lower_into(ll, sizeof(ll), last);
        int64_t created =
            sb_of(req)->sb->now_ms - 2 * HS_YEAR_MS + (int64_t)rng_below(&r, (uint64_t)HS_YEAR_MS);
        iso(c, created);
        iso(u, created + (int64_t)rng_below(&r, (uint64_t)HS_YEAR_MS));
        buf_printf(&b,
                   "%s{\"id\":\"%s\",\"email\":\"%s.%s@" HS_HUB_DOMAIN "\",\"type\":\"PERSON\","
                   "\"firstName\":\"%s\",\"lastName\":\"%s\",\"userId\":%zu,"
                   "\"createdAt\":\"%s\",\"updatedAt\":\"%s\",\"archived\":false}",
                   i ? "," : "", owner_id(i), lf, ll, first, last, 7654321 + i, c, u);
    }
    buf_puts(&b, "]}");
    sb_json(resp, 200, buf_cstr(&b));
    buf_dispose(&b);
    data_end(req);
}

/* ---- /_sandbox/mutate ---- */

/* {"object":"contacts","touch":K,"delete":K}: K live records get a new
 * last-modified time (now) and K are archived; the records are picked by a
 * stream seeded from the seed and the number of mutate calls. */
static void hs_mutate(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p = sb_of(req);
    struct hs_data *d = p->state;
    struct json_object *body = NULL;
    struct err e;
    int64_t touch = 0, del = 0;
    const char *object;
    enum hs_type t;
    size_t done[2] = {0, 0};
    char text[128];
    struct rng r;

    if (jsonx_parse(&body, req->body, req->body_len, HS_BODY_MAX, &e) < 0 ||
        !(object = jsonx_str(jsonx_get(body, "object"))) ||
        (jsonx_has(body, "touch") &&
         jsonx_as_i64(&touch, jsonx_get(body, "touch"), "touch", &e) < 0) ||
        (jsonx_has(body, "delete") &&
         jsonx_as_i64(&del, jsonx_get(body, "delete"), "delete", &e) < 0) ||
        touch < 0 || del < 0) {
        http_resp_error(resp, 400, "invalid_request",
                        "expected {\"object\":NAME,\"touch\":K,\"delete\":K} with K >= 0", NULL);
        goto out;
    }
    if (!kind_find(object, &t)) {
        http_resp_error(resp, 404, "not_found", "no such object", NULL);
        goto out;
    }
    int64_t now = sb_now_ms();
    pthread_mutex_lock(&p->mu);
    struct hs_store *s = &d->s[t];
    rng_init(&r, rng_mix(d->seed ^ 0x6d75746174ULL, ++d->mutated));
    for (int pass = 0; pass < 2; pass++) {
        size_t want = (size_t)(pass ? del : touch), live = 0;
        for (size_t i = 0; i < s->n; i++)
            live += !s->r[i].archived;
        /* Walk from a random start so repeated calls pick different rows. */
        size_t start = s->n ? (size_t)rng_below(&r, s->n) : 0;
        for (size_t j = 0; j < s->n && done[pass] < want && done[pass] < live; j++) {
            struct hs_rec *rec = &s->r[(start + j) % s->n];
            if (rec->archived || rec->modified_ms == now)
                continue;
            rec->modified_ms = now;
            rec->archived = pass == 1;
            done[pass]++;
        }
    }
    pthread_mutex_unlock(&p->mu);
    snprintf(text, sizeof(text), "{\"touched\":%zu,\"deleted\":%zu}", done[0], done[1]);
    sb_json(resp, 200, text);
out:
    json_object_put(body);
}

/* ---- the route table and set-up ---- */

const struct http_route sb_hubspot_routes[] = {
    {"GET", "/oauth/authorize", hs_authorize_page, NULL},
    {"POST", "/oauth/authorize", hs_authorize_submit, NULL},
    {"POST", "/oauth/v1/token", hs_token, NULL},
    {"POST", "/oauth/v3/token", hs_token, NULL},
    {"POST", "/oauth/2026-03/token", hs_token, NULL},
    {"GET", "/oauth/v1/access-tokens/{token}", hs_access_info, NULL},
    {"GET", "/oauth/v1/refresh-tokens/{token}", hs_refresh_info, NULL},
    {"DELETE", "/oauth/v1/refresh-tokens/{token}", hs_refresh_delete, NULL},

    {"GET", "/crm/v3/objects/{type}", hs_list, NULL},
    {"POST", "/crm/v3/objects/{type}", hs_create, NULL},
    {"POST", "/crm/v3/objects/{type}/search", hs_search, NULL},
    {"GET", "/crm/v3/objects/{type}/{id}", hs_read, NULL},
    {"PATCH", "/crm/v3/objects/{type}/{id}", hs_update, NULL},
    {"GET", "/crm/v3/properties/{type}", hs_properties, NULL},
    {"GET", "/crm/v3/owners", hs_owners, NULL},

    {"GET", "/_sandbox/counters", sb_control_counters, NULL},
    {"POST", "/_sandbox/mutate", hs_mutate, NULL},
    {"POST", "/_sandbox/hubspot/webhooks", hs_webhooks_deliver, NULL},
};
const size_t sb_hubspot_nroutes = sizeof(sb_hubspot_routes) / sizeof(sb_hubspot_routes[0]);

int sb_hubspot_init(struct sb_provider *p, struct err *err)
{
    struct hs_data *d = xcalloc(1, sizeof(*d));
    int64_t now = p->sb->now_ms;
    struct rng r;

    (void)err;
    p->rotate_refresh = false; /* HubSpot hands back the same refresh token */
    d->seed = p->sb->seed;
    d->records = p->sb->records;
    for (int t = 0; t < HS_TYPES; t++) {
        rng_init(&r, rng_mix(d->seed, 500 + (uint64_t)t));
        for (size_t i = 0; i < d->records; i++) {
            struct hs_rec *rec = rec_add(&d->s[t]);
            rec->generated = true;
            rec->created_ms = now - 1 - (int64_t)rng_below(&r, (uint64_t)HS_YEAR_MS);
            rec->modified_ms =
                rec->created_ms + (int64_t)rng_below(&r, (uint64_t)(now - rec->created_ms));
        }
    }
    p->state = d;
    p->state_free = data_free;
    return 0;
}
