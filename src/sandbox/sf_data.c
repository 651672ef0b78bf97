/* sandbox/sf_data.c - the Salesforce emulator's REST data API under
 * /services/data/: the versions list, global and per-object describe, query
 * and queryAll (parent-relationship fields nested, as Account.Name gives
 * "Account":{...}) with server-side cursors behind nextRecordsUrl, one sobject
 * row at a time (create, read, update, soft delete) and limits, answered in
 * Salesforce's shapes: error arrays, "attributes" on records, the
 * Sforce-Limit-Info header. Records come from sandbox/sfdata.h and SOQL from
 * sandbox/soql.h, both used with p->mu held; a field the control API hid
 * is left out of describe and is unknown to queries and writes. The query
 * cursors of every provider share one bounded table in this file, the
 * oldest evicted. */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "sandbox/sandbox_int.h"
#include "sandbox/soql.h"

#define SF_VERSION_MIN   31           /* Summer '14: the oldest version still served */
#define SF_VERSION_MAX   62           /* Winter '25 */
#define SF_API_LIMIT     15000        /* DailyApiRequests Max of a Developer Edition org */
#define SF_BATCH_MAX     2000         /* records per query page, and the default */
#define SF_BATCH_MIN     200          /* smallest batchSize Sforce-Query-Options may ask */
#define SF_CURSORS_MAX   64           /* open query cursors, all providers together */
#define SF_LOCATOR_LEN   18           /* characters of a query locator id */
#define SF_STRING_LEN    255          /* length describe gives text fields, and their cap */
#define SF_LOCATOR_FIRST 916132832ULL /* first locator sequence: five base-62 digits */

static const char not_found[] =
    "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested resource does not exist\"}]";

/* ---- replies ---- */

/* Start resp as a JSON answer with status, emptied. */
static struct buf *reply(struct http_resp *resp, int status)
{
    resp->status = status;
    resp->content_type = NULL;
    buf_reset(&resp->body);
    return &resp->body;
}

/* Salesforce's error array with one {message, errorCode[, fields]}; fields
 * is the JSON text of an array, or NULL to leave the key out. */
static void sf_fail(struct http_resp *resp, int status, const char *code, const char *message,
                    const char *fields)
{
    struct buf *b = reply(resp, status);
    buf_puts(b, "[{\"message\":");
    buf_put_json_str(b, message);
    buf_puts(b, ",\"errorCode\":");
    buf_put_json_str(b, code);
    if (fields) {
        buf_puts(b, ",\"fields\":");
        buf_puts(b, fields);
    }
    buf_puts(b, "}]");
}

static const char *jbool(bool v)
{
    return v ? "true" : "false";
}

/* ---- versions, authentication, the limit header ---- */

/* The release name of version v: three releases a year, Winter '25 = 62. */
static void version_label(char *out, size_t cap, int v)
{
    static const char *const season[3] = {"Winter", "Summer", "Spring"};
    int back = SF_VERSION_MAX - v;
    snprintf(out, cap, "%s '%02d", season[back % 3], 25 - (back + 2) / 3);
}

/* The number of a "vNN.0" path segment among the versions served, else 0. */
static int version_parse(const char *s)
{
    int v = 0;
    size_t i = 1;
    if (s[0] != 'v' || s[1] < '1' || s[1] > '9')
        return 0;
    for (; i < 4 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    if (strcmp(s + i, ".0") != 0 || v < SF_VERSION_MIN || v > SF_VERSION_MAX)
        return 0;
    return v;
}

/* The token of an "Authorization: Bearer <token>" (or "OAuth <token>")
 * header; NULL when there is none. */
static const char *bearer_token(const char *auth)
{
    if (!auth)
        return NULL;
    if (strncasecmp(auth, "Bearer ", 7) == 0)
        auth += 7;
    else if (strncasecmp(auth, "OAuth ", 6) == 0)
        auth += 6;
    else
        return NULL;
    while (*auth == ' ')
        auth++;
    return *auth && strlen(auth) < SB_TOKEN_MAX ? auth : NULL;
}

/* Whether token is a live access token of p. Called with p->mu held; the
 * grant store (tokens.c) decides. */
static bool access_ok(struct sb_provider *p, const char *token, int64_t now_ms)
{
    return token && sb_access_check(p, token, now_ms) == SB_OK;
}

/* The start of every data call: count it, add Sforce-Limit-Info, check the
 * bearer token and the version. False when resp already holds the refusal:
 * 401 INVALID_SESSION_ID or 404 NOT_FOUND. */
static bool data_begin(struct http_req *req, struct http_resp *resp, struct sb_provider **out)
{
    struct sb_provider *p = sb_of(req);
    const char *token = bearer_token(http_req_header(req, "Authorization"));
    char usage[64];

    pthread_mutex_lock(&p->mu);
    ++p->counters.data;
    /* A daily_limit fault sets the limit, and its count the usage. */
    unsigned long long used = sb_daily_used(p, p->counters.data);
    unsigned long long max = sb_daily_max(p, SF_API_LIMIT);
    bool ok = access_ok(p, token, sb_now_ms());
    pthread_mutex_unlock(&p->mu);
    snprintf(usage, sizeof(usage), "api-usage=%llu/%llu", used, max);
    http_resp_header(resp, "Sforce-Limit-Info", usage);
    if (!ok) {
        sb_json(
            resp, 401,
            "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
        return false;
    }
    if (!version_parse(http_req_param(req, "version"))) {
        sb_json(resp, 404, not_found);
        return false;
    }
    *out = p;
    return true;
}

void sf_versions(struct http_req *req, struct http_resp *resp)
{
    struct buf *b = reply(resp, 200);
    char label[32];
    (void)req;
    buf_putc(b, '[');
    for (int v = SF_VERSION_MIN; v <= SF_VERSION_MAX; v++) {
        version_label(label, sizeof(label), v);
        buf_printf(b, "%s{\"label\":", v > SF_VERSION_MIN ? "," : "");
        buf_put_json_str(b, label);
        buf_printf(b, ",\"url\":\"/services/data/v%d.0\",\"version\":\"%d.0\"}", v, v);
    }
    buf_putc(b, ']');
}

/* ---- the describe ---- */

static bool is_system_field(const char *name)
{
    return strcmp(name, "Id") == 0 || strcmp(name, "IsDeleted") == 0 ||
           strcmp(name, "CreatedDate") == 0 || strcmp(name, "LastModifiedDate") == 0 ||
           strcmp(name, "SystemModstamp") == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether the API may write field f of obj: not the system fields, not the
 * compound Name of people (FirstName and LastName make it), not the
 * auto-numbered CaseNumber. */
static bool field_writable(const struct sfdata_object *obj, const struct sfdata_field *f)
{
    if (is_system_field(f->name) || strcmp(f->name, "CaseNumber") == 0)
        return false;
    return !(strcmp(f->name, "Name") == 0 &&
             (strcmp(obj->name, "Contact") == 0 || strcmp(obj->name, "Lead") == 0 ||
              strcmp(obj->name, "User") == 0));
}

/* Fields a create must give, as Salesforce's validation requires them. */
static const struct {
    const char *object;
    const char *fields[4];
} required[] = {
    {"Account", {"Name"}},
    {"Contact", {"LastName"}},
    {"Lead", {"LastName", "Company"}},
    {"Opportunity", {"Name", "StageName", "CloseDate"}},
    {"Campaign", {"Name"}},
    {"User", {"Username", "LastName", "Email", "Alias"}},
};

static bool field_required(const struct sfdata_object *obj, const char *name)
{
    for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
        if (strcmp(required[k].object, obj->name) == 0)
            for (size_t j = 0; j < 4 && required[k].fields[j]; j++)
                if (strcmp(required[k].fields[j], name) == 0)
                    return true;
    return false;
}

static bool type_is_text(const char *type)
{
    return strcmp(type, "string") == 0 || strcmp(type, "picklist") == 0 ||
           strcmp(type, "email") == 0 || strcmp(type, "phone") == 0 || strcmp(type, "url") == 0 ||
           strcmp(type, "textarea") == 0;
}

static bool type_is_number(const char *type)
{
    return strcmp(type, "int") == 0 || strcmp(type, "currency") == 0 ||
           strcmp(type, "percent") == 0 || strcmp(type, "double") == 0;
}

/* A label from an API name: "LastModifiedDate" gives "Last Modified Date",
 * "AccountId" "Account ID", "DueDate__c" "Due Date", "Id" "Account ID". */
static void field_label(struct buf *b, const struct sfdata_object *obj, const char *name)
{
    char t[SOQL_MAX_NAME + 8];
    size_t n = 0, len = strlen(name);

    if (strcmp(name, "Id") == 0) {
        snprintf(t, sizeof(t), "%s ID", obj->label);
        buf_put_json_str(b, t);
        return;
    }
    if (strncmp(name, "Is", 2) == 0 && name[2] >= 'A' && name[2] <= 'Z')
        name += 2, len -= 2; /* IsDeleted: "Deleted" */
    if (ends_with(name, "__c"))
        len -= 3;
    for (size_t i = 0; i < len && n + 4 < sizeof(t); i++) {
        if (i > 0 && name[i] >= 'A' && name[i] <= 'Z' && name[i - 1] >= 'a' && name[i - 1] <= 'z')
            t[n++] = ' ';
        t[n++] = name[i];
    }
    if (n >= 3 && strncmp(t + n - 3, " Id", 3) == 0)
        t[n - 1] = 'D';
    t[n] = '\0';
    buf_put_json_str(b, t);
}

static void object_urls(struct buf *b, const char *version, const char *name)
{
    buf_printf(b,
               "\"urls\":{\"sobject\":\"/services/data/%s/sobjects/%s\","
               "\"describe\":\"/services/data/%s/sobjects/%s/describe\","
               "\"rowTemplate\":\"/services/data/%s/sobjects/%s/{ID}\"}",
               version, name, version, name, version, name);
}

/* The object-level keys both describes share, through "deletable". */
static void object_head(struct buf *b, const struct sfdata_object *obj)
{
    buf_puts(b, "{\"name\":");
    buf_put_json_str(b, obj->name);
    buf_puts(b, ",\"label\":");
    buf_put_json_str(b, obj->label);
    buf_puts(b, ",\"labelPlural\":");
    buf_put_json_str(b, obj->label_plural);
    buf_puts(b, ",\"keyPrefix\":");
    buf_put_json_str(b, obj->key_prefix);
    buf_printf(b,
               ",\"custom\":%s,\"queryable\":true,\"createable\":true,\"updateable\":true,"
               "\"deletable\":%s,\"retrieveable\":true,\"replicateable\":true,"
               "\"searchable\":true",
               jbool(obj->custom), jbool(obj->deletable));
}

void sf_global_describe(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    if (!data_begin(req, resp, &p))
        return;
    const char *version = http_req_param(req, "version");
    struct buf *b = reply(resp, 200);
    buf_puts(b, "{\"encoding\":\"UTF-8\",\"maxBatchSize\":200,\"sobjects\":[");
    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        const struct sfdata_object *obj = sfdata_object_at(k);
        if (k > 0)
            buf_putc(b, ',');
        object_head(b, obj);
        buf_putc(b, ',');
        object_urls(b, version, obj->name);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

/* The relationshipName describe gives field f, which SOQL's Parent.Field
 * paths use too: a custom lookup's name with __r for __c ("Account__c":
 * "Account__r"), a standard one's without its Id suffix ("OwnerId":
 * "Owner"). Writes it to out and returns its length; 0 (out empty) when f
 * has none. */
static size_t relationship_name(char out[SOQL_MAX_NAME + 1], const struct sfdata_field *f)
{
    size_t n = strlen(f->name);
    out[0] = '\0';
    if (!f->ref || n > SOQL_MAX_NAME)
        return 0;
    if (ends_with(f->name, "__c")) {
        memcpy(out, f->name, n - 1);
        out[n - 1] = 'r';
        out[n] = '\0';
        return n;
    }
    if (n > 2 && ends_with(f->name, "Id")) {
        memcpy(out, f->name, n - 2);
        out[n - 2] = '\0';
        return n - 2;
    }
    return 0;
}

static void field_describe(struct buf *b, const struct sfdata_object *obj,
                           const struct sfdata_field *f)
{
    char rel[SOQL_MAX_NAME + 1];
    bool ref = f->ref != NULL, id = strcmp(f->type, "id") == 0;
    bool boolean = strcmp(f->type, "boolean") == 0, writable = field_writable(obj, f);
    bool currency = strcmp(f->type, "currency") == 0, percent = strcmp(f->type, "percent") == 0;
    bool nillable = !id && !boolean && !is_system_field(f->name) && !field_required(obj, f->name);
    int length = type_is_text(f->type) ? SF_STRING_LEN : (id || ref) ? SFDATA_ID_LEN : 0;

    buf_puts(b, "{\"name\":");
    buf_put_json_str(b, f->name);
    buf_puts(b, ",\"label\":");
    field_label(b, obj, f->name);
    buf_puts(b, ",\"type\":");
    buf_put_json_str(b, f->type);
    buf_printf(b,
               ",\"length\":%d,\"precision\":%d,\"scale\":%d,\"digits\":%d,\"nillable\":%s,"
               "\"createable\":%s,\"updateable\":%s,\"custom\":%s,\"calculated\":false,"
               "\"autoNumber\":%s,\"idLookup\":%s,\"nameField\":%s,\"filterable\":true,"
               "\"sortable\":true,\"unique\":false,\"externalId\":false,\"referenceTo\":[",
               length,
               currency  ? 18
               : percent ? 3
                         : 0,
               currency ? 2 : 0, strcmp(f->type, "int") == 0 ? 9 : 0, jbool(nillable),
               jbool(writable), jbool(writable), jbool(ends_with(f->name, "__c")),
               jbool(strcmp(f->name, "CaseNumber") == 0), jbool(id),
               jbool(strcmp(f->name, "Name") == 0 ||
                     (strcmp(f->name, "CaseNumber") == 0 && strcmp(obj->name, "Case") == 0)));
    if (ref)
        buf_put_json_str(b, f->ref);
    buf_puts(b, "],\"relationshipName\":");
    if (relationship_name(rel, f))
        buf_put_json_str(b, rel);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"picklistValues\":[]}");
}

void sf_describe(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    if (!data_begin(req, resp, &p))
        return;
    const char *version = http_req_param(req, "version");
    const struct sfdata_object *obj = sfdata_object_find(http_req_param(req, "object"));
    if (!obj) {
        sb_json(resp, 404, not_found);
        return;
    }
    struct buf *b = reply(resp, 200);
    bool first = true;
    object_head(b, obj);
    buf_puts(b, ",\"fields\":[");
    pthread_mutex_lock(&p->mu);
    for (size_t f = 0; f < obj->n_fields; f++) {
        if (sfdata_field_hidden(p->sf, obj, f))
            continue;
        if (!first)
            buf_putc(b, ',');
        first = false;
        field_describe(b, obj, &obj->fields[f]);
    }
    pthread_mutex_unlock(&p->mu);
    buf_puts(b, "],\"childRelationships\":[],\"recordTypeInfos\":[],");
    object_urls(b, version, obj->name);
    buf_putc(b, '}');
}

/* ---- records ---- */

/* Index in obj->fields of the field named name, compared ASCII
 * case-insensitively as Salesforce does; -1 when there is none or d hides
 * it (d NULL: the fields as defined; else p->mu held). */
static int field_find(const struct sfdata *d, const struct sfdata_object *obj, const char *name)
{
    for (size_t f = 0; f < obj->n_fields; f++)
        if (strcasecmp(obj->fields[f].name, name) == 0)
            return d && sfdata_field_hidden(d, obj, f) ? -1 : (int)f;
    return -1;
}

/* Index in obj->fields of the reference field whose relationship name is
 * the n bytes at rel, compared ASCII case-insensitively; -1 when none, or
 * when d hides that field (as for field_find). */
static int relationship_find(const struct sfdata *d, const struct sfdata_object *obj,
                             const char *rel, size_t n)
{
    char r[SOQL_MAX_NAME + 1];
    for (size_t f = 0; f < obj->n_fields; f++)
        if (relationship_name(r, &obj->fields[f]) == n && strncasecmp(r, rel, n) == 0)
            return d && sfdata_field_hidden(d, obj, f) ? -1 : (int)f;
    return -1;
}

/* One field a query names: a field of the object, or a field of the parent
 * record that one of its reference fields points at (Account.Name). */
struct col {
    int f;                              /* index in obj->fields; the reference field for a parent */
    const struct sfdata_object *parent; /* NULL: the column is field f itself */
    int pf;                             /* index in parent->fields */
    bool lead;                          /* first SELECT column of its relationship */
};

/* Salesforce's message for a field name unknown to obj. */
static void no_column(char *msg, size_t cap, const char *name, const struct sfdata_object *obj)
{
    snprintf(msg, cap,
             "No such column '%s' on entity '%s'. If you are attempting to use a custom field, "
             "be sure to append the '__c' after the custom field name. Please reference your "
             "WSDL or the describe call for the appropriate names.",
             name, obj->name);
}

/* Resolve name, a field as a query writes it (any case, one dot at most),
 * against obj and the fields d does not hide (p->mu held) into *c (lead
 * left false). Otherwise writes Salesforce's INVALID_FIELD message to msg
 * and returns false. */
static bool col_resolve(struct col *c, char *msg, size_t cap, const struct sfdata *d,
                        const struct sfdata_object *obj, const char *name)
{
    const char *dot = strchr(name, '.');
    *c = (struct col){.f = -1, .parent = NULL, .pf = -1, .lead = false};
    if (!dot) {
        c->f = field_find(d, obj, name);
        if (c->f < 0)
            no_column(msg, cap, name, obj);
        return c->f >= 0;
    }
    c->f = relationship_find(d, obj, name, (size_t)(dot - name));
    if (c->f < 0) {
        snprintf(msg, cap,
                 "Didn't understand relationship '%.*s' in field path. If you are attempting to "
                 "use a custom relationship, be sure to append the '__r' after the custom "
                 "relationship name. Please reference your WSDL or the describe call for the "
                 "appropriate names.",
                 (int)(dot - name), name);
        return false;
    }
    c->parent = sfdata_object_find(obj->fields[c->f].ref);
    assert(c->parent); /* sfdata's tables only refer to their own objects */
    c->pf = field_find(d, c->parent, dot + 1);
    if (c->pf < 0)
        no_column(msg, cap, dot + 1, c->parent); /* Salesforce names the parent's entity */
    return c->pf >= 0;
}

/* The record of parent that the reference value ref names (owned; the
 * caller puts it), or NULL when ref is null or names no record of parent:
 * references written through the API are not checked. A soft-deleted parent
 * is still found, since the child's reference still names it. p->mu held. */
static struct json_object *parent_load(const struct sfdata *d, const struct sfdata_object *parent,
                                       struct json_object *ref)
{
    struct json_object *out = NULL;
    size_t i;
    if (!json_object_is_type(ref, json_type_string) ||
        !sfdata_find(&i, d, parent->name, json_object_get_string(ref)))
        return NULL;
    sfdata_record_load(&out, d, parent->name, i);
    return out;
}

/* Open a record as the API writes it: {"attributes":{type, url} (no
 * closing brace). */
static void record_open(struct buf *b, const char *version, const struct sfdata_object *obj,
                        struct json_object *rec)
{
    buf_printf(b, "{\"attributes\":{\"type\":\"%s\",\"url\":\"/services/data/%s/sobjects/%s/",
               obj->name, version, obj->name);
    buf_puts(b, json_object_get_string(json_object_object_get(rec, "Id")));
    buf_puts(b, "\"}");
}

/* Append ,"Account":{attributes, fields} for the relationship of cols[0]
 * with every column among cols (n) through the same reference field, in
 * their order; ,"Account":null when the reference leads nowhere. */
static void relation_write(struct buf *b, const char *version, const struct sfdata *d,
                           const struct sfdata_object *obj, struct json_object *rec,
                           const struct col *cols, size_t n)
{
    const struct sfdata_object *parent = cols[0].parent;
    char rel[SOQL_MAX_NAME + 1];
    relationship_name(rel, &obj->fields[cols[0].f]);
    buf_printf(b, ",\"%s\":", rel);
    struct json_object *prec =
        parent_load(d, parent, json_object_object_get(rec, obj->fields[cols[0].f].name));
    if (!prec) {
        buf_puts(b, "null");
        return;
    }
    record_open(b, version, parent, prec);
    for (size_t c = 0; c < n; c++) {
        if (cols[c].parent && cols[c].f == cols[0].f) {
            const char *name = parent->fields[cols[c].pf].name;
            buf_printf(b, ",\"%s\":", name);
            jsonx_format(b, json_object_object_get(prec, name));
        }
    }
    buf_putc(b, '}');
    json_object_put(prec);
}

/* Append rec as the API returns it: "attributes" first, then the columns
 * cols (ncols of them, in that order; a relationship's fields nested in
 * one object where its first column stands), or every member when cols is
 * NULL. Parents are read from d, which needs p->mu held; d may be NULL when
 * cols is. */
static void record_write(struct buf *b, const char *version, const struct sfdata *d,
                         const struct sfdata_object *obj, struct json_object *rec,
                         const struct col *cols, size_t ncols)
{
    record_open(b, version, obj, rec);
    if (cols) {
        for (size_t c = 0; c < ncols; c++) {
            if (cols[c].parent) {
                if (cols[c].lead)
                    relation_write(b, version, d, obj, rec, cols + c, ncols - c);
                continue;
            }
            const char *name = obj->fields[cols[c].f].name;
            buf_printf(b, ",\"%s\":", name);
            jsonx_format(b, json_object_object_get(rec, name));
        }
    } else {
        json_object_object_foreach(rec, key, v)
        {
            buf_putc(b, ',');
            buf_put_json_str(b, key);
            buf_putc(b, ':');
            jsonx_format(b, v);
        }
    }
    buf_putc(b, '}');
}

/* ---- query cursors ---- */

/* The rows of a query beyond its first page, for nextRecordsUrl. */
struct cursor {
    const struct sb_provider *p; /* NULL: a free slot */
    char locator[SF_LOCATOR_LEN + 1];
    uint64_t tick; /* last use, for eviction */
    const struct sfdata_object *obj;
    size_t *rows; /* record indexes in answer order; from xmalloc */
    size_t nrows;
    struct col *cols; /* the SELECT list; from xmalloc */
    size_t ncols;
    size_t batch; /* page size the query asked for */
};

static struct cursor cursors[SF_CURSORS_MAX];
static pthread_mutex_t cursors_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cursors_tick; /* guarded by cursors_mu, as is the table */

static void locator_format(char out[SF_LOCATOR_LEN + 1], uint64_t seq)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char id15[16] = "01gRO";
    for (int k = 14; k >= 5; k--) {
        id15[k] = b62[seq % 62];
        seq /= 62;
    }
    sfdata_id_to18(out, id15);
}

/* Keep rows and cols (both taken) under a new locator (OUT), evicting the
 * least recently used cursor when the table is full. */
static void cursor_put_take(char locator[SF_LOCATOR_LEN + 1], const struct sb_provider *p,
                            const struct sfdata_object *obj, size_t *rows, size_t nrows,
                            struct col *cols, size_t ncols, size_t batch)
{
    pthread_mutex_lock(&cursors_mu);
    struct cursor *c = &cursors[0];
    for (size_t k = 0; k < SF_CURSORS_MAX; k++) {
        if (!cursors[k].p) {
            c = &cursors[k];
            break;
        }
        if (cursors[k].tick < c->tick)
            c = &cursors[k];
    }
    xfree(c->rows);
    xfree(c->cols);
    uint64_t tick = ++cursors_tick;
    *c = (struct cursor){.p = p,
                         .tick = tick,
                         .obj = obj,
                         .rows = rows,
                         .nrows = nrows,
                         .cols = cols,
                         .ncols = ncols,
                         .batch = batch};
    locator_format(c->locator, SF_LOCATOR_FIRST + tick);
    memcpy(locator, c->locator, sizeof(c->locator));
    pthread_mutex_unlock(&cursors_mu);
}

void sf_data_forget(const struct sb_provider *p)
{
    pthread_mutex_lock(&cursors_mu);
    for (size_t k = 0; k < SF_CURSORS_MAX; k++) {
        if (cursors[k].p != p)
            continue;
        xfree(cursors[k].rows);
        xfree(cursors[k].cols);
        cursors[k] = (struct cursor){0};
    }
    pthread_mutex_unlock(&cursors_mu);
}

/* One page of a cursor, copied out so that the table's lock is not held
 * while the records are built. */
struct page {
    const struct sfdata_object *obj;
    size_t *rows;     /* from xmalloc: the page's record indexes */
    size_t n;         /* rows on this page */
    size_t total;     /* rows of the whole query (totalSize) */
    struct col *cols; /* from xmalloc */
    size_t ncols;
};

static void page_dispose(struct page *pg)
{
    xfree(pg->rows);
    xfree(pg->cols);
    memset(pg, 0, sizeof(*pg));
}

/* Copy rows [off, off + batch) of p's cursor locator into *pg (batch 0:
 * the size the query asked for). False when there is no such cursor (never
 * made, evicted, another provider's) or off lies past its end. */
static bool cursor_page(struct page *pg, const struct sb_provider *p, const char *locator,
                        size_t off, size_t batch)
{
    bool found = false;
    pthread_mutex_lock(&cursors_mu);
    for (size_t k = 0; k < SF_CURSORS_MAX; k++) {
        struct cursor *c = &cursors[k];
        if (c->p != p || strcmp(c->locator, locator) != 0 || off > c->nrows)
            continue;
        size_t n = batch ? batch : c->batch;
        if (n > c->nrows - off)
            n = c->nrows - off;
        pg->obj = c->obj;
        pg->rows = xmalloc((n ? n : 1) * sizeof(*pg->rows));
        memcpy(pg->rows, c->rows + off, n * sizeof(*pg->rows));
        pg->n = n;
        pg->total = c->nrows;
        pg->cols = xmalloc(c->ncols * sizeof(*pg->cols));
        memcpy(pg->cols, c->cols, c->ncols * sizeof(*pg->cols));
        pg->ncols = c->ncols;
        c->tick = ++cursors_tick;
        found = true;
        break;
    }
    pthread_mutex_unlock(&cursors_mu);
    return found;
}

/* ---- query ---- */

/* Records per page: Sforce-Query-Options: batchSize=N, held to 200..2000;
 * 0 when the header does not say. */
static size_t batch_size(const struct http_req *req)
{
    const char *h = http_req_header(req, "Sforce-Query-Options");
    const char *s = h ? strstr(h, "batchSize=") : NULL;
    size_t n = 0;
    if (!s)
        return 0;
    for (s += 10; *s >= '0' && *s <= '9' && n <= SF_BATCH_MAX; s++)
        n = n * 10 + (size_t)(*s - '0');
    return n < SF_BATCH_MIN ? SF_BATCH_MIN : n > SF_BATCH_MAX ? SF_BATCH_MAX : n;
}

/* Write the query answer for page pg starting at row off, with its
 * nextRecordsUrl when rows remain. Takes p->mu to build the records. */
static void page_write(struct http_resp *resp, struct sb_provider *p, const char *version,
                       const struct page *pg, size_t off, const char *locator)
{
    struct buf *b = reply(resp, 200);
    bool done = off + pg->n >= pg->total;
    buf_printf(b, "{\"totalSize\":%zu,\"done\":%s,", pg->total, jbool(done));
    if (!done)
        buf_printf(b, "\"nextRecordsUrl\":\"/services/data/%s/query/%s-%zu\",", version, locator,
                   off + pg->n);
    buf_puts(b, "\"records\":[");
    pthread_mutex_lock(&p->mu);
    size_t count = sfdata_count(p->sf, pg->obj->name);
    bool first = true;
    for (size_t r = 0; r < pg->n; r++) {
        struct json_object *rec = NULL;
        if (pg->rows[r] >= count)
            continue; /* records are never removed: only a stale cursor gets here */
        sfdata_record_load(&rec, p->sf, pg->obj->name, pg->rows[r]);
        if (!first)
            buf_putc(b, ',');
        first = false;
        record_write(b, version, p->sf, pg->obj, rec, pg->cols, pg->ncols);
        json_object_put(rec);
    }
    pthread_mutex_unlock(&p->mu);
    buf_puts(b, "]}");
}

/* A matching record: its index and, when WHERE or ORDER BY needs them, the
 * values they look at (owned). */
struct row {
    size_t i;
    struct json_object *key;
    int64_t ms; /* the sort's timestamp when ORDER BY is one system timestamp */
};

/* How rows_sort orders: by soql_compare on the keys, or by ms. */
struct row_order {
    const struct soql *q;
    int dir; /* 0: soql_compare; 1: ms ascending; -1: ms descending */
};

static int row_cmp(const struct row_order *o, const struct row *a, const struct row *b)
{
    if (o->dir == 0)
        return soql_compare(o->q, a->key, b->key);
    return o->dir * ((a->ms > b->ms) - (a->ms < b->ms));
}

/* Stable bottom-up merge sort, ties kept in index order. */
static void rows_sort(struct row *a, size_t n, const struct row_order *o)
{
    struct row *tmp = xmalloc((n ? n : 1) * sizeof(*tmp)), *src = a, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = row_cmp(o, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        struct row *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
    xfree(tmp);
}

/* The system timestamps, in the order struct sfdata_meta keeps them. */
static const char *const stamps[3] = {"CreatedDate", "LastModifiedDate", "SystemModstamp"};

/* When q orders by one system timestamp alone (tap-salesforce's ORDER BY
 * SystemModstamp ASC), which one (*stamp) and its direction, found by
 * asking soql_compare about two probe records; 0 when q orders otherwise.
 * Sorting on milliseconds then spares a date parse per comparison. */
static int order_by_stamp(int *stamp, const struct soql *q, const struct sfdata_object *obj)
{
    if (soql_norder(q) != 1)
        return 0;
    int f = field_find(NULL, obj, soql_order_field(q, 0)); /* system fields are never hidden */
    for (int k = 0; k < 3 && f >= 0; k++) {
        if (strcmp(obj->fields[f].name, stamps[k]) != 0)
            continue;
        struct json_object *a = json_object_new_object(), *b = json_object_new_object();
        json_object_object_add(a, stamps[k],
                               json_object_new_string("2000-01-01T00:00:00.000+0000"));
        json_object_object_add(b, stamps[k],
                               json_object_new_string("2001-01-01T00:00:00.000+0000"));
        int dir = soql_compare(q, a, b) < 0 ? 1 : -1;
        json_object_put(a);
        json_object_put(b);
        *stamp = k;
        return dir;
    }
    return 0;
}

/* The system fields as a record, from sfdata_meta_get: enough for WHERE
 * and ORDER BY clauses that look at nothing else. */
static struct json_object *meta_key(const struct sfdata_meta *m, const struct sfdata_object *obj)
{
    struct json_object *o = json_object_new_object();
    char t[SFDATA_DATETIME_MAX];
    json_object_object_add(o, "Id", json_object_new_string(m->id));
    if (obj->deletable)
        json_object_object_add(o, "IsDeleted", json_object_new_boolean(m->deleted));
    sfdata_datetime_format(t, m->created_ms);
    json_object_object_add(o, "CreatedDate", json_object_new_string(t));
    sfdata_datetime_format(t, m->modified_ms);
    json_object_object_add(o, "LastModifiedDate", json_object_new_string(t));
    sfdata_datetime_format(t, m->modstamp_ms);
    json_object_object_add(o, "SystemModstamp", json_object_new_string(t));
    return o;
}

/* What WHERE and ORDER BY read of each record. */
struct key_need {
    bool meta_only; /* system fields only: sfdata_meta_get is enough */
    struct col rels[SOQL_MAX_CONDS + SOQL_MAX_ORDER]; /* their parent fields, in order */
    size_t nrels;
};

/* Check that every field q names exists on obj, or on the parent of one of
 * its relationships, and is not hidden by d (p->mu held); sets *cols (from
 * xmalloc) to the SELECT list and *need to what the filter and the sort
 * read. Writes the 400 and returns false otherwise. */
static bool query_fields(struct col **cols, struct key_need *need, struct http_resp *resp,
                         const struct sfdata *d, const struct sfdata_object *obj,
                         const struct soql *q)
{
    size_t nf = soql_nfields(q), nw = soql_nwhere(q), no = soql_norder(q);
    char msg[SOQL_MAX_NAME + 400];
    *cols = xmalloc((nf ? nf : 1) * sizeof(**cols));
    need->meta_only = true;
    need->nrels = 0;
    for (size_t i = 0; i < nf + nw + no; i++) {
        const char *name = i < nf        ? soql_field(q, i)
                           : i < nf + nw ? soql_where_field(q, i - nf)
                                         : soql_order_field(q, i - nf - nw);
        struct col c;
        if (!col_resolve(&c, msg, sizeof(msg), d, obj, name)) {
            sf_fail(resp, 400, "INVALID_FIELD", msg, NULL);
            xfree(*cols);
            *cols = NULL;
            return false;
        }
        if (i < nf) {
            c.lead = true;
            for (size_t j = 0; j < i && c.parent; j++)
                if ((*cols)[j].parent && (*cols)[j].f == c.f)
                    c.lead = false;
            (*cols)[i] = c;
        } else if (c.parent) {
            need->meta_only = false;
            need->rels[need->nrels++] = c;
        } else if (!is_system_field(obj->fields[c.f].name)) {
            need->meta_only = false;
        }
    }
    return true;
}

/* Nest in key, under each relationship name need lists, the parent fields
 * WHERE and ORDER BY read, as soql_match and soql_compare look them up
 * ({"Account":{"Name":...}}), or null for a reference that leads nowhere.
 * Only those fields: sorted keys are kept until the sort is done. */
static void key_nest_parents(struct json_object *key, const struct sfdata *d,
                             const struct sfdata_object *obj, const struct key_need *need)
{
    char rel[SOQL_MAX_NAME + 1];
    for (size_t r = 0; r < need->nrels; r++) {
        const struct col *c = &need->rels[r];
        relationship_name(rel, &obj->fields[c->f]);
        if (json_object_object_get_ex(key, rel, NULL))
            continue; /* nested already, with every field of this relationship */
        struct json_object *prec =
            parent_load(d, c->parent, json_object_object_get(key, obj->fields[c->f].name));
        struct json_object *nested = prec ? json_object_new_object() : NULL;
        for (size_t j = r; j < need->nrels && prec; j++) {
            if (need->rels[j].f != c->f)
                continue;
            const char *name = c->parent->fields[need->rels[j].pf].name;
            json_object_object_add(nested, name,
                                   json_object_get(json_object_object_get(prec, name)));
        }
        json_object_put(prec);
        json_object_object_add(key, rel, nested);
    }
}

/* Every record of obj that q selects, in answer order, OFFSET and LIMIT
 * applied; *out from xmalloc. Takes p->mu. */
static size_t query_run(size_t **out, struct sb_provider *p, const struct sfdata_object *obj,
                        const struct soql *q, bool all, const struct key_need *need)
{
    bool filter = soql_nwhere(q) > 0, sort = soql_norder(q) > 0;
    int stamp = 0;
    struct row_order order = {q, order_by_stamp(&stamp, q, obj)};
    bool keys = filter || (sort && order.dir == 0);
    struct row *rows = NULL;
    size_t n = 0, cap = 0;

    pthread_mutex_lock(&p->mu);
    size_t count = sfdata_count(p->sf, obj->name);
    for (size_t i = 0; i < count; i++) {
        struct sfdata_meta m;
        struct json_object *key = NULL;
        sfdata_meta_get(&m, p->sf, obj->name, i);
        if (m.deleted && !all)
            continue;
        if (keys) {
            if (need->meta_only) {
                key = meta_key(&m, obj);
            } else {
                sfdata_record_load(&key, p->sf, obj->name, i);
                key_nest_parents(key, p->sf, obj, need);
            }
            if (filter && !soql_match(q, key)) {
                json_object_put(key);
                continue;
            }
            if (!sort || order.dir != 0) {
                json_object_put(key);
                key = NULL;
            }
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        int64_t ms = stamp == 0 ? m.created_ms : stamp == 1 ? m.modified_ms : m.modstamp_ms;
        rows[n++] = (struct row){i, key, ms};
    }
    pthread_mutex_unlock(&p->mu);

    if (sort)
        rows_sort(rows, n, &order);
    size_t off = soql_offset(q) > 0 ? (size_t)soql_offset(q) : 0;
    size_t lim = soql_limit(q) >= 0 ? (size_t)soql_limit(q) : SIZE_MAX;
    if (off > n)
        off = n;
    size_t keep = n - off < lim ? n - off : lim;
    size_t *idx = xmalloc((keep ? keep : 1) * sizeof(*idx));
    for (size_t r = 0; r < n; r++) {
        if (r >= off && r - off < keep)
            idx[r - off] = rows[r].i;
        json_object_put(rows[r].key);
    }
    xfree(rows);
    *out = idx;
    return keep;
}

void sf_query(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    if (!data_begin(req, resp, &p))
        return;
    const char *version = http_req_param(req, "version");
    bool all = strstr(req->route, "queryAll") != NULL;
    const char *text = http_req_query(req, "q");
    struct soql *q = NULL;
    struct err e;
    struct col *cols = NULL;
    struct key_need need;

    if (!text || !*text) {
        sf_fail(resp, 400, "MALFORMED_QUERY", "A query string has to be specified", NULL);
        return;
    }
    if (soql_parse(&q, text, strlen(text), &e) < 0) {
        sf_fail(resp, 400, "MALFORMED_QUERY", e.msg, NULL);
        return;
    }
    const struct sfdata_object *obj = sfdata_object_find(soql_object(q));
    if (!obj) {
        char msg[SOQL_MAX_NAME + 256];
        snprintf(msg, sizeof(msg),
                 "sObject type '%s' is not supported. If you are attempting to use a custom "
                 "object, be sure to append the '__c' after the entity name. Please reference "
                 "your WSDL or the describe call for the appropriate names.",
                 soql_object(q));
        sf_fail(resp, 400, "INVALID_TYPE", msg, NULL);
        soql_free(q);
        return;
    }
    pthread_mutex_lock(&p->mu);
    bool known = query_fields(&cols, &need, resp, p->sf, obj, q);
    pthread_mutex_unlock(&p->mu);
    if (!known) {
        soql_free(q);
        return;
    }

    size_t *rows = NULL, nrows = query_run(&rows, p, obj, q, all, &need);
    size_t batch = batch_size(req), ncols = soql_nfields(q);
    soql_free(q);
    if (!batch)
        batch = SF_BATCH_MAX;
    struct page pg = {.obj = obj,
                      .rows = rows,
                      .n = nrows < batch ? nrows : batch,
                      .total = nrows,
                      .cols = cols,
                      .ncols = ncols};
    char locator[SF_LOCATOR_LEN + 1] = "";
    if (nrows > batch) {
        /* The cursor keeps the whole answer; the first page reads it. */
        struct col *cc = xmalloc(ncols * sizeof(*cc));
        memcpy(cc, cols, ncols * sizeof(*cc));
        size_t *rc = xmalloc(pg.n * sizeof(*rc));
        memcpy(rc, rows, pg.n * sizeof(*rc));
        cursor_put_take(locator, p, obj, rows, nrows, cc, ncols, batch);
        pg.rows = rc;
    }
    page_write(resp, p, version, &pg, 0, locator);
    page_dispose(&pg);
}

void sf_query_more(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    if (!data_begin(req, resp, &p))
        return;
    const char *version = http_req_param(req, "version");
    const char *arg = http_req_param(req, "locator");
    const char *dash = strrchr(arg, '-');
    char locator[SF_LOCATOR_LEN + 1];
    struct page pg = {0};
    size_t off = 0;
    bool ok = dash && dash - arg == SF_LOCATOR_LEN && dash[1] != '\0';

    for (const char *s = ok ? dash + 1 : ""; ok && *s; s++) {
        if (*s < '0' || *s > '9' || off > SIZE_MAX / 10 - 10)
            ok = false;
        else
            off = off * 10 + (size_t)(*s - '0');
    }
    if (ok) {
        memcpy(locator, arg, SF_LOCATOR_LEN);
        locator[SF_LOCATOR_LEN] = '\0';
        ok = cursor_page(&pg, p, locator, off, batch_size(req));
    }
    if (!ok) {
        sf_fail(resp, 400, "INVALID_QUERY_LOCATOR", "invalid query locator", NULL);
        return;
    }
    page_write(resp, p, version, &pg, off, locator);
    page_dispose(&pg);
}

/* ---- one sobject row ---- */

/* Check body's members against obj's fields that d does not hide (p->mu
 * held) for a create (creating) or an update. On success *out (owned)
 * holds them under the describe's spelling of each name. Otherwise writes
 * Salesforce's 400 and returns false. */
static bool fields_check(struct json_object **out, struct http_resp *resp, const struct sfdata *d,
                         const struct sfdata_object *obj, struct json_object *body, bool creating)
{
    struct buf list, names;
    char msg[640];
    bool ok = false;

    *out = NULL;
    if (!json_object_is_type(body, json_type_object)) {
        sf_fail(resp, 400, "JSON_PARSER_ERROR",
                "Can not deserialize SObject out of a value that is not a JSON object", NULL);
        return false;
    }
    buf_init(&list, 0);
    buf_init(&names, 0);
    struct json_object *fields = json_object_new_object();
    json_object_object_foreach(body, key, v)
    {
        int f = field_find(d, obj, key);
        const char *type = f >= 0 ? obj->fields[f].type : "";
        if (strcasecmp(key, "Id") == 0) {
            sf_fail(resp, 400, "INVALID_FIELD",
                    "The Id field should not be specified in the sobject data.", NULL);
            goto done;
        }
        if (f < 0) {
            snprintf(msg, sizeof(msg), "No such column '%.200s' on sobject of type %s", key,
                     obj->name);
            buf_reset(&list);
            buf_putc(&list, '[');
            buf_put_json_str(&list, key);
            buf_putc(&list, ']');
            sf_fail(resp, 400, "INVALID_FIELD", msg, buf_cstr(&list));
            goto done;
        }
        const char *name = obj->fields[f].name;
        if (!field_writable(obj, &obj->fields[f])) {
            buf_puts(&list, list.n ? "," : "[");
            buf_put_json_str(&list, name);
            buf_printf(&names, "%s%s", names.n ? ", " : "", name);
            continue;
        }
        bool fits = !v || (strcmp(type, "boolean") == 0 ? json_object_is_type(v, json_type_boolean)
                           : type_is_number(type)       ? json_object_is_type(v, json_type_int) ||
                                                        json_object_is_type(v, json_type_double)
                                                  : json_object_is_type(v, json_type_string));
        if (fits && v && strcmp(type, "date") == 0)
            fits = json_object_get_string_len(v) == 10 && json_object_get_string(v)[4] == '-' &&
                   json_object_get_string(v)[7] == '-';
        if (!fits) {
            snprintf(msg, sizeof(msg),
                     "Cannot deserialize instance of %s from %s value for field %s", type,
                     jsonx_type_name(v), name);
            sf_fail(resp, 400, "JSON_PARSER_ERROR", msg, NULL);
            goto done;
        }
        if (v && json_object_is_type(v, json_type_string) &&
            json_object_get_string_len(v) > SF_STRING_LEN) {
            snprintf(msg, sizeof(msg), "%s: data value too large (max length=%d)", name,
                     SF_STRING_LEN);
            buf_reset(&list);
            buf_printf(&list, "[\"%s\"]", name);
            sf_fail(resp, 400, "STRING_TOO_LONG", msg, buf_cstr(&list));
            goto done;
        }
        json_object_object_add(fields, name, json_object_get(v));
    }
    if (list.n) {
        buf_putc(&list, ']');
        snprintf(msg, sizeof(msg),
                 "Unable to create/update fields: %.300s. Please check the security settings of "
                 "this field and verify that it is read/write for your profile or permission set.",
                 buf_cstr(&names));
        sf_fail(resp, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", msg, buf_cstr(&list));
        goto done;
    }
    for (size_t f = 0; f < obj->n_fields; f++) {
        const char *name = obj->fields[f].name;
        bool given = json_object_object_get_ex(fields, name, NULL);
        if (field_required(obj, name) && !sfdata_field_hidden(d, obj, f) && (creating || given) &&
            !jsonx_get(fields, name)) {
            buf_puts(&list, list.n ? "," : "[");
            buf_put_json_str(&list, name);
            buf_printf(&names, "%s%s", names.n ? ", " : "", name);
        }
    }
    if (list.n) {
        buf_putc(&list, ']');
        snprintf(msg, sizeof(msg), "Required fields are missing: [%s]", buf_cstr(&names));
        sf_fail(resp, 400, "REQUIRED_FIELD_MISSING", msg, buf_cstr(&list));
        goto done;
    }
    *out = fields;
    fields = NULL;
    ok = true;
done:
    json_object_put(fields);
    buf_dispose(&list);
    buf_dispose(&names);
    return ok;
}

/* The object of the request's {object}, and its body's checked fields
 * (*fields, owned) when fields is non-NULL; takes p->mu for the check.
 * False when resp holds the refusal. */
static bool sobject_begin(const struct sfdata_object **obj, struct json_object **fields,
                          struct sb_provider *p, struct http_req *req, struct http_resp *resp,
                          bool creating)
{
    struct json_object *body = NULL;
    struct err e;

    *obj = sfdata_object_find(http_req_param(req, "object"));
    if (!*obj) {
        sb_json(resp, 404, not_found);
        return false;
    }
    if (!fields)
        return true;
    if (jsonx_parse(&body, req->body, req->body_len, req->body_len + 1, &e) < 0) {
        sf_fail(resp, 400, "JSON_PARSER_ERROR", e.msg, NULL);
        return false;
    }
    pthread_mutex_lock(&p->mu);
    bool ok = fields_check(fields, resp, p->sf, *obj, body, creating);
    pthread_mutex_unlock(&p->mu);
    json_object_put(body);
    return ok;
}

void sf_sobject_create(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const struct sfdata_object *obj;
    struct json_object *fields = NULL;
    char id[SFDATA_ID_LEN + 1];
    struct err e;

    if (!data_begin(req, resp, &p) || !sobject_begin(&obj, &fields, p, req, resp, true))
        return;
    pthread_mutex_lock(&p->mu);
    int rc = sfdata_insert(p->sf, obj->name, fields, sb_now_ms(), id, &e);
    pthread_mutex_unlock(&p->mu);
    json_object_put(fields);
    if (rc < 0) {
        sf_fail(resp, 400, "STORAGE_LIMIT_EXCEEDED", e.msg, NULL);
        return;
    }
    struct buf *b = reply(resp, 201);
    buf_printf(b, "{\"id\":\"%s\",\"success\":true,\"errors\":[]}", id);
}

void sf_sobject_get(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const struct sfdata_object *obj;
    struct json_object *rec = NULL;
    struct sfdata_meta m;
    size_t i;

    if (!data_begin(req, resp, &p) || !sobject_begin(&obj, NULL, p, req, resp, false))
        return;
    pthread_mutex_lock(&p->mu);
    bool found = sfdata_find(&i, p->sf, obj->name, http_req_param(req, "id"));
    if (found) {
        sfdata_meta_get(&m, p->sf, obj->name, i);
        found = !m.deleted;
    }
    if (found)
        sfdata_record_load(&rec, p->sf, obj->name, i);
    pthread_mutex_unlock(&p->mu);
    if (!found) {
        sb_json(resp, 404, not_found);
        return;
    }
    record_write(reply(resp, 200), http_req_param(req, "version"), NULL, obj, rec, NULL, 0);
    json_object_put(rec);
}

void sf_sobject_update(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const struct sfdata_object *obj;
    struct json_object *fields = NULL;
    struct err e;

    if (!data_begin(req, resp, &p) || !sobject_begin(&obj, &fields, p, req, resp, false))
        return;
    pthread_mutex_lock(&p->mu);
    int rc = sfdata_update(p->sf, obj->name, http_req_param(req, "id"), fields, sb_now_ms(), &e);
    pthread_mutex_unlock(&p->mu);
    json_object_put(fields);
    if (rc < 0) {
        sb_json(resp, 404, not_found);
        return;
    }
    reply(resp, 204);
}

void sf_sobject_delete(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const struct sfdata_object *obj;
    struct err e;

    if (!data_begin(req, resp, &p) || !sobject_begin(&obj, NULL, p, req, resp, false))
        return;
    pthread_mutex_lock(&p->mu);
    int rc = sfdata_remove(p->sf, obj->name, http_req_param(req, "id"), sb_now_ms(), &e);
    pthread_mutex_unlock(&p->mu);
    if (rc == ERR_INVALID) {
        sf_fail(resp, 400, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted", NULL);
        return;
    }
    if (rc < 0) {
        sb_json(resp, 404, not_found);
        return;
    }
    reply(resp, 204);
}

void sf_limits(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    if (!data_begin(req, resp, &p))
        return;
    pthread_mutex_lock(&p->mu);
    uint64_t used = sb_daily_used(p, p->counters.data), max = sb_daily_max(p, SF_API_LIMIT);
    pthread_mutex_unlock(&p->mu);
    long long remaining = used >= max ? 0 : (long long)(max - used);
    struct buf *b = reply(resp, 200);
    buf_printf(b,
               "{\"ConcurrentAsyncGetReportInstances\":{\"Max\":200,\"Remaining\":200},"
               "\"DailyApiRequests\":{\"Max\":%llu,\"Remaining\":%lld},"
               "\"DailyAsyncApexExecutions\":{\"Max\":250000,\"Remaining\":250000},"
               "\"DailyBulkApiBatches\":{\"Max\":15000,\"Remaining\":15000},"
               "\"DataStorageMB\":{\"Max\":5,\"Remaining\":5},"
               "\"FileStorageMB\":{\"Max\":20,\"Remaining\":20}}",
               (unsigned long long)max, remaining);
}

void sf_blob(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const char *object = http_req_param(req, "object");
    if (!data_begin(req, resp, &p))
        return;
    if (strcmp(object, "Attachment") != 0 && strcmp(object, "Document") != 0) {
        sb_json(resp, 404,
                "[{\"message\":\"The requested resource does not exist\","
                "\"errorCode\":\"NOT_FOUND\"}]");
        return;
    }
    /* Every byte value, twice: a body no text handling leaves intact. */
    resp->status = 200;
    resp->content_type = "application/octet-stream";
    buf_reset(&resp->body);
    for (int i = 0; i < 512; i++)
        buf_putc(&resp->body, (char)(i & 255));
}

void sf_moved(struct http_req *req, struct http_resp *resp)
{
    struct sb_provider *p;
    const char *to = http_req_query(req, "to");
    if (!data_begin(req, resp, &p))
        return;
    /* A resource that moved elsewhere, as a provider behind a load
     * balancer or a changed instance answers: the client decides whether
     * to follow, and to where it sends its token. */
    resp->status = 302;
    buf_reset(&resp->body);
    http_resp_header(resp, "Location", to && *to ? to : "http://127.0.0.1:1/elsewhere");
}
