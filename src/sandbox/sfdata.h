/* sandbox/sfdata.h - the Salesforce emulator's data: N records of each of
 * Account, Contact, Lead, Opportunity, Case, Campaign, User and Invoice__c,
 * generated deterministically from a seed, plus the mutations the control API
 * and the REST write endpoints need, and the fields the control API hides.
 * Used by the sandbox's query, sobject and /_sandbox/ handlers.
 *
 * Representation: a record is NOT kept as JSON. It is a 40-byte struct (its
 * three timestamps, a touch counter, flags and an optional json-c object of
 * fields written through insert/update); every other field is re-derived on
 * demand from (seed, object, index) by SplitMix64 (sandbox/rng.h). json-c
 * spends about 2 KB on a 15-field object, which is 1.6 GB for 100,000 records
 * of 8 objects; this way the same set is 32 MB and generates in milliseconds.
 * The price is that sfdata_record_load builds a fresh object each call (a few
 * microseconds), so filters on the system fields go through sfdata_meta_get.
 *
 * Ids are real-shaped 18-character Salesforce ids: key prefix, a two-character
 * pod, ten base-62 digits of a sequence, the case-safe checksum suffix.
 * Timestamps are whole seconds within the year before now_ms when generated.
 *
 * Not thread-safe: readers and writers of one struct sfdata must be
 * serialised by the caller (one mutex around it is enough). */
#ifndef INLET_SANDBOX_SFDATA_H
#define INLET_SANDBOX_SFDATA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "core/err.h"

#define SFDATA_OBJECTS     8
#define SFDATA_ID_LEN      18        /* characters of a full id, the NUL not counted */
#define SFDATA_MAX_RECORDS 10000000u /* per object, generated and inserted together */
/* Bytes for a formatted timestamp, "2024-03-05T12:30:00.000+0000" and a NUL. */
#define SFDATA_DATETIME_MAX 29

/* One field as describe reports it. */
struct sfdata_field {
    const char *name; /* API name, "AccountId" */
    const char *type; /* describe type: "id", "string", "reference", "picklist", "email",
                         "phone", "url", "currency", "percent", "int", "boolean", "date",
                         "datetime" */
    const char *ref;  /* the sobject a "reference" points to ("User"), else NULL */
};

/* One sobject. Static data, valid for the life of the program. */
struct sfdata_object {
    const char *name;                  /* "Account", "Invoice__c" */
    const char *label;                 /* "Account", "Invoice" */
    const char *label_plural;          /* "Accounts", "Invoices" */
    const char *key_prefix;            /* first three characters of its ids, "001" */
    bool custom;                       /* true for Invoice__c */
    bool deletable;                    /* false for User, which has no IsDeleted either */
    const struct sfdata_field *fields; /* in the order records carry them, Id first */
    size_t n_fields;
};

struct sfdata;

/* The system fields of record i, without building its JSON: what a filter or
 * a sort on SystemModstamp, or query vs queryAll, needs. */
struct sfdata_meta {
    char id[SFDATA_ID_LEN + 1]; /* NUL-terminated */
    bool deleted;               /* IsDeleted: seen by queryAll only */
    int64_t created_ms;         /* CreatedDate, Unix milliseconds */
    int64_t modified_ms;        /* LastModifiedDate, >= created_ms */
    int64_t modstamp_ms;        /* SystemModstamp, >= modified_ms */
};

/* ---- the sobjects ---- */

/* Object k (k < SFDATA_OBJECTS, asserted), in a fixed order starting with
 * Account. */
const struct sfdata_object *sfdata_object_at(size_t k);
/* The object named name, compared ASCII case-insensitively as Salesforce
 * does ("account" finds Account); NULL when there is none. */
const struct sfdata_object *sfdata_object_find(const char *name);
/* The object whose key prefix starts id (at least 3 characters); NULL when
 * none does. */
const struct sfdata_object *sfdata_object_for_id(const char *id);

/* ---- ids ---- */

/* Write the 18-character form of the 15-character id15 (case-sensitive
 * Salesforce id) into out: id15 followed by its case-safe suffix. For each
 * 5-character chunk, bit j is set when character j is an upper-case ASCII
 * letter, and the 5-bit value picks from "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
 * "001D000000IqhSL" gives "001D000000IqhSLIAZ". */
void sfdata_id_to18(char out[SFDATA_ID_LEN + 1], const char *id15);

/* ---- the data set ---- */

/* Generate records_per_object records of every object into *out (caller frees
 * with sfdata_free). The same seed, count and now_ms give byte-identical
 * records on every machine. Contacts, opportunities, cases and invoices point
 * at accounts, OwnerId at users, and a contact's e-mail uses its account's
 * Website domain. CreatedDate <= LastModifiedDate <= SystemModstamp, all in
 * [now_ms - 365 days, now_ms]. ERR_INVALID when records_per_object exceeds
 * SFDATA_MAX_RECORDS or now_ms is before 1971 or within 200 days of year
 * 10000 (dates derived from it must stay formattable). */
MUST_CHECK int sfdata_new(struct sfdata **out, /* OUT: owned */
                          uint64_t seed, size_t records_per_object, int64_t now_ms,
                          struct err *err);
void sfdata_free(struct sfdata *d); /* NULL is a no-op */

/* Records of object (generated, inserted and soft-deleted ones alike); 0 for
 * an unknown object name. Indexes are stable: nothing is ever removed. */
size_t sfdata_count(const struct sfdata *d, const char *object);

/* System fields of record i of object (a known name, i < count: asserted). */
void sfdata_meta_get(struct sfdata_meta *out, const struct sfdata *d, const char *object, size_t i);

/* Build record i of object as the REST API returns it, without "attributes"
 * (its URL carries the API version, which the caller knows): every field of
 * the object's table in order, with values set by insert/update in place;
 * keys outside the table that update added come just before IsDeleted. *out
 * is owned by the caller (json_object_put). Object known and i < count:
 * asserted. */
void sfdata_record_load(struct json_object **out, /* OUT: owned */
                        const struct sfdata *d, const char *object, size_t i);

/* Find the record of object whose id is id (15 or 18 characters; the first
 * 15 compared case-sensitively, the suffix checked). Soft-deleted records
 * are found too (check sfdata_meta_get's deleted). Returns true and sets
 * *out_i on success. */
bool sfdata_find(size_t *out_i, const struct sfdata *d, const char *object, const char *id);

/* ---- mutations (the control API) ---- */

/* Modify k live generated records of object, chosen by the data set's own
 * seeded stream (so the same sequence of calls picks the same records): one
 * field changes to a value it did not have (Account and Contact Phone, Lead
 * Status, Opportunity Amount, Case Status, Campaign Status, User Title,
 * Invoice__c Status__c), and LastModifiedDate and SystemModstamp become
 * now_ms (never moved backwards). Records made by sfdata_insert are not
 * picked. Returns how many changed: min(k, candidates); 0 for an unknown
 * object. now_ms must lie within core/time.h's range (asserted). */
size_t sfdata_touch(struct sfdata *d, const char *object, size_t k, int64_t now_ms);

/* Soft-delete k live records of object, chosen as above: IsDeleted becomes
 * true and SystemModstamp now_ms. They stay in place, visible to queryAll.
 * Returns how many changed; 0 for an unknown object or for User. */
size_t sfdata_delete(struct sfdata *d, const char *object, size_t k, int64_t now_ms);

/* ---- single records (the REST write endpoints) ---- */

/* Append a record of object made of fields (a JSON object; copied, the caller
 * keeps it). The keys Id, IsDeleted, CreatedDate, LastModifiedDate and
 * SystemModstamp are ignored; other keys are taken as they are (validating
 * them against the describe is the caller's job). Fields of the object not
 * given read as null; OwnerId defaults to the first user; Name of Contact,
 * Lead and User is always FirstName and LastName joined. All three
 * timestamps become now_ms. The new id goes to id_out. ERR_NOTFOUND for an
 * unknown object, ERR_INVALID when fields is not an object, ERR_TOOBIG past
 * SFDATA_MAX_RECORDS. */
MUST_CHECK int sfdata_insert(struct sfdata *d, const char *object, struct json_object *fields,
                             int64_t now_ms, char id_out[SFDATA_ID_LEN + 1], /* OUT */
                             struct err *err);

/* Set fields (copied; the same keys ignored as for insert) on the live record
 * with id, and set LastModifiedDate and SystemModstamp to now_ms (never moved
 * backwards). A null value clears a field. ERR_NOTFOUND for an unknown object
 * or id, or a deleted record; ERR_INVALID when fields is not an object. */
MUST_CHECK int sfdata_update(struct sfdata *d, const char *object, const char *id,
                             struct json_object *fields, int64_t now_ms, struct err *err);

/* Soft-delete the live record with id, as sfdata_delete does. ERR_NOTFOUND
 * for an unknown object or id or a record already deleted; ERR_INVALID for
 * User, which Salesforce does not let anyone delete. */
MUST_CHECK int sfdata_remove(struct sfdata *d, const char *object, const char *id, int64_t now_ms,
                             struct err *err);

/* ---- the schema (the control API hides and shows fields) ---- */

/* The index in obj->fields of field (compared ASCII case-insensitively) into
 * *out, when it may be hidden. ERR_NOTFOUND when obj has no such field;
 * ERR_INVALID for a system field (Id, IsDeleted, CreatedDate,
 * LastModifiedDate, SystemModstamp), which no admin can delete and which
 * syncs need: the primary key, the incremental cursor and its fallbacks,
 * the mark of deleted records. Reads only static data. */
MUST_CHECK int sfdata_field_hideable(size_t *out, const struct sfdata_object *obj,
                                     const char *field, struct err *err);

/* Hide field f of obj (hidden true), as if an admin deleted it, or show it
 * again (false), as if it were re-created. sfdata_record_load leaves a
 * hidden field out of the records it builds; the REST handlers leave it
 * out of describe and take it for an unknown field. Values written to it
 * stay, and come back when it is shown. obj from sfdata_object_find or
 * sfdata_object_at and f from sfdata_field_hideable (asserted). */
void sfdata_field_set_hidden(struct sfdata *d, const struct sfdata_object *obj, size_t f,
                             bool hidden);

/* Whether field f of obj (f < obj->n_fields: asserted) is hidden. */
bool sfdata_field_hidden(const struct sfdata *d, const struct sfdata_object *obj, size_t f);

/* Show every hidden field of every object again. */
void sfdata_fields_show_all(struct sfdata *d);

/* Write ms as Salesforce writes timestamps, "2024-03-05T12:30:00.000+0000"
 * (28 characters) and return the length. ms within core/time.h's range. */
size_t sfdata_datetime_format(char out[SFDATA_DATETIME_MAX], int64_t ms);

#endif
