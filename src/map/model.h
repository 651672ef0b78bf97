/* map/model.h - the four normalized models (accounts, contacts, tickets,
 * deals): their core fields, each with a type and, for a few, a rule
 * (ISO 4217 currency, deal status, percentage), and the typed value a field
 * holds once a record is mapped. Static tables: nothing to set up or free.
 * Used by map/transform.c (types and coercion), map/mapping.c and the store
 * that writes the normalized tables (docs/mappings.md). */
#ifndef INLET_MAP_MODEL_H
#define INLET_MAP_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_FIELDS_MAX 16 /* fields of the largest model, external_id and deleted included */

/* What a core field holds once mapped (see struct model_value). */
enum model_type {
    MODEL_TEXT,      /* any string */
    MODEL_EMAIL,     /* local@domain, lower-cased */
    MODEL_DOMAIN,    /* a host name, lower-cased, no scheme, "www." or port */
    MODEL_INTEGER,   /* int64 */
    MODEL_DECIMAL,   /* canonical decimal text ("-1234.50"), never a double: money */
    MODEL_DATE,      /* "YYYY-MM-DD" */
    MODEL_TIMESTAMP, /* Unix seconds */
    MODEL_BOOLEAN,
    MODEL_REF,  /* the source's external id of another model's record */
    MODEL_JSON, /* not a core type: a "properties.KEY" target, any JSON value */
};

/* Checks beyond the type, for the fields that have them. */
enum model_rule {
    MODEL_RULE_NONE,
    MODEL_RULE_CURRENCY,    /* three letters, upper-cased (ISO 4217's shape) */
    MODEL_RULE_DEAL_STATUS, /* open, won or lost, lower-cased */
    MODEL_RULE_PERCENT,     /* a decimal from 0 to 100 */
    MODEL_RULE_REQUIRED,    /* never null: external_id */
};

struct model_field {
    const char *name; /* "email"; also the column, except refs ("account" -> account_id) */
    enum model_type type;
    enum model_rule rule;
    const char *ref; /* MODEL_REF: the model referred to ("accounts"), else NULL */
};

/* Every model's fields start with external_id (text, required) and deleted
 * (boolean: a soft delete), at these indexes. */
#define MODEL_EXTERNAL_ID 0
#define MODEL_DELETED     1

struct model {
    const char *name; /* "contacts": the table */
    const struct model_field *fields;
    size_t n_fields; /* <= MODEL_FIELDS_MAX */
};

/* A mapped value. Which member counts depends on the field's type; when
 * set is false the value is null (a zeroed value is a null). s is owned by
 * whoever holds the value (a struct map_row) and released by
 * model_value_dispose. */
struct model_value {
    bool set;  /* false: null */
    int64_t i; /* MODEL_INTEGER; MODEL_TIMESTAMP: Unix seconds; MODEL_BOOLEAN: 0 or 1 */
    char *s;   /* xmalloc, NUL-terminated: text, email, domain, decimal, date and ref */
};

/* The model called name ("contacts"), or NULL. */
const struct model *model_find(const char *name);

/* Model i (i < model_count()), in the order accounts, contacts, tickets, deals. */
size_t model_count(void);
const struct model *model_at(size_t i);

/* The index of field name in m, or -1. */
int model_field_index(const struct model *m, const char *name);

/* "text", "email", ... as docs/mappings.md spells them. */
const char *model_type_name(enum model_type t);

/* Of the strings in names[0..n) (n may be 0), the one closest to s when it
 * is close enough to be a likely typo: one edit for names up to 5 bytes,
 * two for longer ones (a swap of neighbours is one edit), or one name the
 * start of the other; NULL otherwise, and for s under 3 bytes. For "did
 * you mean" in messages. */
const char *model_suggest(const char *s, const char *const *names, size_t n);

/* Free v->s and make v a null again. A zeroed value is fine. */
void model_value_dispose(struct model_value *v);

#endif
