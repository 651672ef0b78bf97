/* tests/unit/sandbox/test_sfdata.c - the Salesforce emulator's data set:
 * determinism from the seed, real-shaped ids and checksums, references that
 * resolve, contact e-mails on their account's domain, timestamps in order and
 * format, the mutations (touch, delete, insert, update, remove), and hidden
 * fields. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "sandbox/rng.h"
#include "sandbox/sfdata.h"
#include "test.h"

#define NOW_MS  1717243200000LL /* 2024-06-01T12:00:00.000Z */
#define YEAR_MS (365 * 86400000LL)

static struct sfdata *make(uint64_t seed, size_t n)
{
    struct sfdata *d = NULL;
    struct err err;
    if (sfdata_new(&d, seed, n, NOW_MS, &err) < 0)
        fail_msg("sfdata_new: %s", err.msg);
    return d;
}

static const char *obj_name(size_t k)
{
    return sfdata_object_at(k)->name;
}

/* Record i of object as compact JSON text; caller frees with xfree. */
static char *record_text(const struct sfdata *d, const char *object, size_t i)
{
    struct json_object *o = NULL;
    struct buf b;
    buf_init(&b, 0);
    sfdata_record_load(&o, d, object, i);
    jsonx_format(&b, o);
    json_object_put(o);
    return buf_take(&b);
}

/* FNV-1a over the JSON of every record of every object. */
static uint64_t data_hash(const struct sfdata *d)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < SFDATA_OBJECTS; k++)
        for (size_t i = 0; i < sfdata_count(d, obj_name(k)); i++) {
            char *t = record_text(d, obj_name(k), i);
            for (const char *p = t; *p; p++)
                h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
            h = (h ^ '\n') * 0x100000001b3ULL;
            xfree(t);
        }
    return h;
}

static const char *field_str(struct json_object *o, const char *key)
{
    return json_object_get_string(json_object_object_get(o, key));
}

static void rng_is_splitmix64(void **state)
{
    (void)state;
    /* The reference outputs of splitmix64.c (Vigna) for seed 1234567. */
    struct rng r;
    rng_init(&r, 1234567);
    assert_true(rng_next(&r) == 6457827717110365317ULL);
    assert_true(rng_next(&r) == 3203168211198807973ULL);
    assert_true(rng_next(&r) == 9817491932198370423ULL);
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&r, 7) < 7);
    assert_true(rng_below(&r, 1) == 0);
}

static void checksum_matches_salesforce(void **state)
{
    (void)state;
    char out[SFDATA_ID_LEN + 1];
    sfdata_id_to18(out, "001D000000IqhSL"); /* Salesforce's create example */
    assert_string_equal(out, "001D000000IqhSLIAZ");
    sfdata_id_to18(out, "003RO0000035WQg"); /* Salesforce's query example */
    assert_string_equal(out, "003RO0000035WQgYAM");
    sfdata_id_to18(out, "000000000000000");
    assert_string_equal(out, "000000000000000AAA");
    sfdata_id_to18(out, "ZZZZZZZZZZZZZZZ");
    assert_string_equal(out, "ZZZZZZZZZZZZZZZ555");
}

static void objects_table(void **state)
{
    (void)state;
    assert_string_equal(sfdata_object_find("account")->name, "Account");
    assert_string_equal(sfdata_object_find("INVOICE__C")->key_prefix, "a0A");
    assert_null(sfdata_object_find("Accounts"));
    assert_string_equal(sfdata_object_for_id("00Q000000000000")->name, "Lead");
    assert_null(sfdata_object_for_id("zzz"));
    static const char *const prefixes[] = {"001", "003", "00Q", "006", "500", "701", "005", "a0A"};
    for (size_t k = 0; k < SFDATA_OBJECTS; k++)
        assert_string_equal(sfdata_object_at(k)->key_prefix, prefixes[k]);
}

static void same_seed_same_bytes(void **state)
{
    (void)state;
    struct sfdata *a = make(42, 300), *b = make(42, 300), *c = make(43, 300);
    uint64_t ha = data_hash(a);
    assert_true(ha == data_hash(b));
    assert_true(ha != data_hash(c));
    /* Pinned text: a change here changes every sandbox data set. */
    char *t = record_text(a, "Contact", 0);
    assert_string_equal(
        t, "{\"Id\":\"0033k0001TTkteQAQR\",\"AccountId\":\"0013k0009bYd3iqAAB\","
           "\"FirstName\":\"Bianca\",\"LastName\":\"Vargas\",\"Name\":\"Bianca Vargas\","
           "\"Email\":\"bianca.vargas@zenithcapital.com\",\"Phone\":\"(206) 555-0181\","
           "\"Title\":\"VP Engineering\",\"OwnerId\":\"0053k000Y95YPB8AIO\","
           "\"IsDeleted\":false,\"CreatedDate\":\"2023-09-02T15:32:38.000+0000\","
           "\"LastModifiedDate\":\"2023-12-18T05:35:07.000+0000\","
           "\"SystemModstamp\":\"2023-12-18T05:35:07.000+0000\"}");
    xfree(t);
    sfdata_free(a);
    sfdata_free(b);
    sfdata_free(c);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every check on a data set of n records per object. */
static void check_set(size_t n)
{
    struct sfdata *d = make(7, n);
    size_t total = 0;
    char **ids = xcalloc(n * SFDATA_OBJECTS + 1, sizeof(*ids));

    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        const struct sfdata_object *def = sfdata_object_at(k);
        assert_int_equal(sfdata_count(d, def->name), n);
        for (size_t i = 0; i < n; i++) {
            struct sfdata_meta m;
            struct json_object *o = NULL;
            char id18[SFDATA_ID_LEN + 1];
            size_t at = SIZE_MAX;

            sfdata_meta_get(&m, d, def->name, i);
            sfdata_record_load(&o, d, def->name, i);
            /* Id: 18 characters, the object's prefix, the right suffix. */
            assert_int_equal(strlen(m.id), SFDATA_ID_LEN);
            assert_memory_equal(m.id, def->key_prefix, 3);
            sfdata_id_to18(id18, m.id);
            assert_string_equal(id18, m.id);
            assert_string_equal(field_str(o, "Id"), m.id);
            assert_true(sfdata_find(&at, d, def->name, m.id));
            assert_int_equal(at, i);
            id18[15] = '\0';
            assert_true(sfdata_find(&at, d, def->name, id18)); /* the 15-character form */
            ids[total++] = xstrdup(m.id);

            /* The fields of the table, in its order. */
            size_t f = 0;
            json_object_object_foreach(o, key, v)
            {
                (void)v;
                assert_true(f < def->n_fields);
                assert_string_equal(key, def->fields[f].name);
                f++;
            }
            assert_int_equal(f, def->n_fields);

            /* References resolve. */
            for (f = 0; f < def->n_fields; f++) {
                const char *ref = def->fields[f].ref;
                if (!ref)
                    continue;
                const char *rid = field_str(o, def->fields[f].name);
                assert_non_null(rid);
                assert_true(sfdata_find(&at, d, ref, rid));
            }

            /* Timestamps: exact format, in order, within the year. */
            static const char *const ts[] = {"CreatedDate", "LastModifiedDate", "SystemModstamp"};
            int64_t got[3];
            for (int t = 0; t < 3; t++) {
                const char *s = field_str(o, ts[t]);
                struct err err;
                assert_int_equal(strlen(s), 28);
                assert_string_equal(s + 19, ".000+0000");
                assert_true(s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
                            s[16] == ':');
                assert_int_equal(time_parse_rfc3339(&got[t], s, 28, &err), 0);
            }
            assert_true(got[0] == m.created_ms && got[1] == m.modified_ms &&
                        got[2] == m.modstamp_ms);
            assert_true(NOW_MS - YEAR_MS <= got[0]);
            assert_true(got[0] <= got[1] && got[1] <= got[2] && got[2] <= NOW_MS);
            if (def->deletable)
                assert_false(json_object_get_boolean(json_object_object_get(o, "IsDeleted")));
            assert_false(m.deleted);

            /* A contact's e-mail is on its account's website domain. */
            if (strcmp(def->name, "Contact") == 0) {
                struct json_object *acct = NULL;
                assert_true(sfdata_find(&at, d, "Account", field_str(o, "AccountId")));
                sfdata_record_load(&acct, d, "Account", at);
                const char *web = field_str(acct, "Website"), *email = field_str(o, "Email");
                assert_memory_equal(web, "www.", 4);
                assert_non_null(strchr(email, '@'));
                assert_string_equal(strchr(email, '@') + 1, web + 4);
                json_object_put(acct);
            }
            json_object_put(o);
        }
    }
    /* Every id is unique, across objects too. */
    qsort(ids, total, sizeof(*ids), cmp_str);
    for (size_t i = 1; i < total; i++)
        assert_true(strcmp(ids[i - 1], ids[i]) != 0);
    for (size_t i = 0; i < total; i++)
        xfree(ids[i]);
    xfree(ids);
    assert_false(sfdata_find(&total, d, "Account", "001000000000000AAA"));
    assert_false(sfdata_find(&total, d, "Nope", "001000000000000AAA"));
    assert_int_equal(sfdata_count(d, "Nope"), 0);
    sfdata_free(d);
}

static void sets_of_0_1_2001(void **state)
{
    (void)state;
    check_set(0);
    check_set(1);
    check_set(2001);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct sfdata *d = NULL;
    struct err err;
    assert_int_equal(sfdata_new(&d, 1, SFDATA_MAX_RECORDS + 1, NOW_MS, &err), ERR_INVALID);
    assert_int_equal(sfdata_new(&d, 1, 10, 1000, &err), ERR_INVALID);
    assert_null(d);
    sfdata_free(NULL);
}

/* How many records of object differ between before[] and now; each that
 * differs must have moved LastModifiedDate (when touch) and SystemModstamp
 * to stamp. */
static size_t count_changed(const struct sfdata *d, const char *object, char **before,
                            int64_t stamp, bool touch)
{
    size_t changed = 0;
    for (size_t i = 0; i < sfdata_count(d, object); i++) {
        char *t = record_text(d, object, i);
        if (strcmp(t, before[i]) != 0) {
            struct sfdata_meta m;
            sfdata_meta_get(&m, d, object, i);
            assert_true(m.modstamp_ms == stamp);
            assert_true(!touch || m.modified_ms == stamp);
            assert_true(touch || m.deleted);
            changed++;
        }
        xfree(t);
    }
    return changed;
}

static char **snapshot(const struct sfdata *d, const char *object)
{
    size_t n = sfdata_count(d, object);
    char **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = record_text(d, object, i);
    return v;
}

static void snapshot_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(v[i]);
    xfree(v);
}

static void touch_and_delete_change_k(void **state)
{
    (void)state;
    struct sfdata *d = make(3, 500);
    int64_t t1 = NOW_MS + 60000, t2 = NOW_MS + 120000, t3 = NOW_MS + 180000;

    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        char **before = snapshot(d, obj_name(k));
        assert_int_equal(sfdata_touch(d, obj_name(k), 7, t1), 7);
        assert_int_equal(count_changed(d, obj_name(k), before, t1, true), 7);
        snapshot_free(before, 500);
    }
    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        const char *name = obj_name(k);
        char **before = snapshot(d, name);
        size_t want = sfdata_object_at(k)->deletable ? 5 : 0;
        assert_int_equal(sfdata_delete(d, name, 5, t2), want);
        assert_int_equal(count_changed(d, name, before, t2, false), want);
        assert_int_equal(sfdata_count(d, name), 500); /* still there for queryAll */
        snapshot_free(before, 500);
    }
    /* Deleted records are never touched again; k past the rest is cut. */
    assert_int_equal(sfdata_touch(d, "Case", 10000, t3), 495);
    assert_int_equal(sfdata_delete(d, "Case", 10000, t3), 495);
    assert_int_equal(sfdata_touch(d, "Case", 1, t3), 0);
    assert_int_equal(sfdata_touch(d, "Nope", 1, t3), 0);
    assert_int_equal(sfdata_touch(d, "Lead", 0, t3), 0);
    sfdata_free(d);

    /* The same calls pick the same records. */
    struct sfdata *a = make(9, 200), *b = make(9, 200);
    sfdata_touch(a, "Account", 13, t1);
    sfdata_touch(b, "Account", 13, t1);
    sfdata_delete(a, "Opportunity", 4, t2);
    sfdata_delete(b, "Opportunity", 4, t2);
    assert_true(data_hash(a) == data_hash(b));
    sfdata_free(a);
    sfdata_free(b);
}

static void insert_update_remove(void **state)
{
    (void)state;
    struct sfdata *d = make(5, 20);
    struct err err;
    char id[SFDATA_ID_LEN + 1], id18[SFDATA_ID_LEN + 1];
    struct json_object *o = NULL;
    struct sfdata_meta m;
    size_t i;
    int64_t t1 = NOW_MS + 1000, t2 = NOW_MS + 2000, t3 = NOW_MS + 3000;

    struct json_object *f = NULL;
    const char *body = "{\"Name\":\"Acme renewal\",\"StageName\":\"Prospecting\","
                       "\"CloseDate\":\"2024-12-31\",\"Amount\":50000,"
                       "\"AccountId\":\"0015g00000Xyz34AAC\",\"Id\":\"ignored\"}";
    assert_int_equal(jsonx_parse(&f, body, strlen(body), 4096, &err), 0);
    assert_int_equal(sfdata_insert(d, "Opportunity", f, t1, id, &err), 0);
    json_object_put(f);
    assert_int_equal(sfdata_count(d, "Opportunity"), 21);
    assert_memory_equal(id, "006", 3);
    sfdata_id_to18(id18, id);
    assert_string_equal(id18, id);
    assert_true(sfdata_find(&i, d, "Opportunity", id));
    assert_int_equal(i, 20);
    sfdata_record_load(&o, d, "Opportunity", i);
    assert_string_equal(field_str(o, "Id"), id);
    assert_string_equal(field_str(o, "Name"), "Acme renewal");
    assert_int_equal(json_object_get_int(json_object_object_get(o, "Amount")), 50000);
    assert_true(jsonx_has(o, "Probability") && !jsonx_get(o, "Probability"));
    assert_memory_equal(field_str(o, "OwnerId"), "005", 3);
    sfdata_meta_get(&m, d, "Opportunity", i);
    assert_true(m.created_ms == t1 && m.modified_ms == t1 && m.modstamp_ms == t1);
    assert_string_equal(field_str(o, "SystemModstamp"), "2024-06-01T12:00:01.000+0000");
    json_object_put(o);

    /* A decimal keeps the text it was written with through the copies. */
    body = "{\"Amount\":1234.50}";
    assert_int_equal(jsonx_parse(&f, body, strlen(body), 4096, &err), 0);
    assert_int_equal(sfdata_update(d, "Opportunity", id, f, t1, &err), 0);
    json_object_put(f);
    char *text = record_text(d, "Opportunity", i);
    assert_non_null(strstr(text, "\"Amount\":1234.50,"));
    xfree(text);

    /* Update: new values, compound Name, timestamps move. */
    struct sfdata_meta c;
    sfdata_meta_get(&c, d, "Contact", 3);
    body = "{\"FirstName\":\"Grace\",\"Title\":null,\"Department\":\"R&D\"}";
    assert_int_equal(jsonx_parse(&f, body, strlen(body), 4096, &err), 0);
    assert_int_equal(sfdata_update(d, "Contact", c.id, f, t2, &err), 0);
    sfdata_record_load(&o, d, "Contact", 3);
    assert_string_equal(field_str(o, "FirstName"), "Grace");
    assert_memory_equal(field_str(o, "Name"), "Grace ", 6);
    assert_null(jsonx_get(o, "Title"));
    assert_string_equal(field_str(o, "Department"), "R&D");
    assert_string_equal(field_str(o, "LastModifiedDate"), "2024-06-01T12:00:02.000+0000");
    json_object_put(o);
    assert_int_equal(sfdata_update(d, "Contact", "003000000000000AAA", f, t2, &err), ERR_NOTFOUND);
    assert_int_equal(sfdata_update(d, "Nope", c.id, f, t2, &err), ERR_NOTFOUND);
    assert_int_equal(sfdata_update(d, "Contact", c.id, NULL, t2, &err), ERR_INVALID);
    assert_int_equal(sfdata_insert(d, "Nope", f, t2, id, &err), ERR_NOTFOUND);
    json_object_put(f);

    /* Remove: soft, once; then gone for update too. */
    assert_int_equal(sfdata_remove(d, "Contact", c.id, t3, &err), 0);
    sfdata_meta_get(&m, d, "Contact", 3);
    assert_true(m.deleted && m.modstamp_ms == t3 && m.modified_ms == t2);
    sfdata_record_load(&o, d, "Contact", 3);
    assert_true(json_object_get_boolean(json_object_object_get(o, "IsDeleted")));
    json_object_put(o);
    assert_int_equal(sfdata_remove(d, "Contact", c.id, t3, &err), ERR_NOTFOUND);
    f = json_object_new_object();
    assert_int_equal(sfdata_update(d, "Contact", c.id, f, t3, &err), ERR_NOTFOUND);
    assert_int_equal(sfdata_count(d, "Contact"), 20);
    sfdata_meta_get(&m, d, "User", 0);
    assert_int_equal(sfdata_remove(d, "User", m.id, t3, &err), ERR_INVALID);

    /* An inserted contact: Name from its parts, other fields null. */
    json_object_object_add(f, "LastName", json_object_new_string("Hopper"));
    assert_int_equal(sfdata_insert(d, "Contact", f, t3, id, &err), 0);
    json_object_put(f);
    assert_true(sfdata_find(&i, d, "Contact", id));
    sfdata_record_load(&o, d, "Contact", i);
    assert_string_equal(field_str(o, "Name"), "Hopper");
    assert_true(jsonx_has(o, "Email") && !jsonx_get(o, "Email"));
    json_object_put(o);
    sfdata_free(d);
}

static void hundred_thousand(void **state)
{
    (void)state;
    struct sfdata *d = make(11, 100000);
    struct sfdata_meta m;
    struct json_object *o = NULL;
    size_t i;
    for (size_t k = 0; k < SFDATA_OBJECTS; k++) {
        assert_int_equal(sfdata_count(d, obj_name(k)), 100000);
        sfdata_meta_get(&m, d, obj_name(k), 99999);
        assert_true(sfdata_find(&i, d, obj_name(k), m.id));
        assert_int_equal(i, 99999);
        sfdata_record_load(&o, d, obj_name(k), 99999);
        assert_string_equal(field_str(o, "Id"), m.id);
        json_object_put(o);
    }
    assert_int_equal(sfdata_touch(d, "Account", 1000, NOW_MS), 1000);
    sfdata_free(d);
}

/* A hidden field is cut from the record and nothing else changes: every
 * other value is the one the full record has. System fields stay. */
static void hidden_fields(void **state)
{
    (void)state;
    struct sfdata *d = make(7, 20);
    const struct sfdata_object *contact = sfdata_object_find("Contact");
    struct err err;
    size_t title, phone, f;

    assert_int_equal(sfdata_field_hideable(&title, contact, "title", &err), 0);
    assert_string_equal(contact->fields[title].name, "Title");
    assert_int_equal(sfdata_field_hideable(&phone, contact, "Phone", &err), 0);
    assert_int_equal(sfdata_field_hideable(&f, contact, "Bogus", &err), ERR_NOTFOUND);
    static const char *const keys[] = {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate",
                                       "SystemModstamp"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        assert_int_equal(sfdata_field_hideable(&f, contact, keys[i], &err), ERR_INVALID);
        assert_non_null(strstr(err.msg, "cannot be hidden"));
    }

    for (size_t i = 0; i < 20; i++) {
        struct json_object *full = NULL, *cut = NULL;
        sfdata_record_load(&full, d, "Contact", i);
        sfdata_field_set_hidden(d, contact, title, true);
        sfdata_field_set_hidden(d, contact, phone, true);
        assert_true(sfdata_field_hidden(d, contact, title));
        sfdata_record_load(&cut, d, "Contact", i);
        assert_false(jsonx_has(cut, "Title") || jsonx_has(cut, "Phone"));
        json_object_object_del(full, "Title");
        json_object_object_del(full, "Phone");
        assert_true(json_object_equal(full, cut));
        json_object_put(cut);
        /* Other objects keep their fields of the same name. */
        sfdata_record_load(&cut, d, "Lead", i);
        assert_true(jsonx_has(cut, "Title") && jsonx_has(cut, "Phone"));
        json_object_put(cut);
        if (i % 2)
            sfdata_fields_show_all(d);
        else
            sfdata_field_set_hidden(d, contact, title, false);
        assert_false(sfdata_field_hidden(d, contact, title));
        sfdata_record_load(&cut, d, "Contact", i);
        assert_true(jsonx_has(cut, "Title"));
        json_object_put(cut);
        sfdata_fields_show_all(d);
        json_object_put(full);
    }
    sfdata_free(d);
}

int test_sfdata(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_is_splitmix64),
        cmocka_unit_test(checksum_matches_salesforce),
        cmocka_unit_test(objects_table),
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(sets_of_0_1_2001),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(touch_and_delete_change_k),
        cmocka_unit_test(insert_update_remove),
        cmocka_unit_test(hundred_thousand),
        cmocka_unit_test(hidden_fields),
    };
    return test_group("sfdata", tests, NULL, NULL);
}
