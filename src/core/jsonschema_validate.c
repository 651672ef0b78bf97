/* core/jsonschema_validate.c - validating an instance against a compiled
 * schema (jsonschema.c). One walk per call, all its state in a struct on
 * the caller's stack, nothing written to the schema or the instance: many
 * threads may validate with one schema at once. A walk runs in one of three
 * modes: collecting messages, only counting failures (to pick the closest
 * anyOf/oneOf branch), or stopping at the first failure (to probe a branch).
 * Every walk is bounded: JSONSCHEMA_STEPS_MAX node visits and comparisons,
 * JSONSCHEMA_DEPTH_MAX nested $refs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/jsonschema_int.h"
#include "core/jsonx.h"

#define ORD_MAX 80 /* levels of document position kept per failure, for sorting */

#define STR_(x)         #x
#define STR(x)          STR_(x)
#define MSG_TOO_COMPLEX "is too complex to check (over " STR(JSONSCHEMA_STEPS_MAX) " steps)"
#define MSG_TOO_DEEP    "is nested too deeply to check (over " STR(JSONSCHEMA_DEPTH_MAX) " $refs)"

enum mode {
    MODE_COLLECT, /* record each failure with its message */
    MODE_COUNT,   /* count failures, format nothing */
    MODE_PROBE,   /* stop at the first failure */
};

/* Where a failure sits in document order: per level, a member's position in
 * its object (from 1; 0 for a required member that is missing) or an item's
 * index. Compared level by level, a parent before its children. */
struct ord {
    uint32_t at[ORD_MAX];
    size_t n; /* levels; may pass ORD_MAX, only the first ORD_MAX are kept */
};

struct walk {
    struct jsonschema_result *res; /* NULL: probing only */
    enum mode mode;
    size_t found; /* failures seen by the current mode */
    long steps;   /* left before giving up */
    int refs;     /* $refs being followed */
    bool aborted; /* ran out of steps or depth: everything fails from here */
    struct jsonschema_error abort_error;
    struct ord abort_ord;
    struct jsonx_ptr ptr; /* the instance pointer */
    struct ord ord;       /* its document position */
    struct ord *kept;     /* [JSONSCHEMA_ERRORS_MAX]: positions of res->errors[] */
};

/* ---- failures ---- */

static int ord_cmp(const struct ord *a, const struct ord *b)
{
    size_t na = a->n < ORD_MAX ? a->n : ORD_MAX, nb = b->n < ORD_MAX ? b->n : ORD_MAX;
    for (size_t i = 0; i < na && i < nb; i++)
        if (a->at[i] != b->at[i])
            return a->at[i] < b->at[i] ? -1 : 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static void keep(struct walk *w, const char *pointer, const char *msg, const struct ord *ord)
{
    struct jsonschema_result *r = w->res;
    size_t slot = r->count;
    if (slot == JSONSCHEMA_ERRORS_MAX) {
        /* Full: keep the failures first in document order, not the first found. */
        r->truncated = true;
        slot = 0;
        for (size_t i = 1; i < JSONSCHEMA_ERRORS_MAX; i++)
            if (ord_cmp(&w->kept[i], &w->kept[slot]) >= 0)
                slot = i;
        if (ord_cmp(ord, &w->kept[slot]) >= 0)
            return;
    } else {
        r->count++;
    }
    snprintf(r->errors[slot].pointer, sizeof(r->errors[slot].pointer), "%s", pointer);
    snprintf(r->errors[slot].message, sizeof(r->errors[slot].message), "%s", msg);
    w->kept[slot] = *ord;
}

/* Note a failure at the current pointer. Returns true when the caller must
 * stop at once (probing); messages are formatted only when collecting. */
static bool report(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool report(struct walk *w, const char *fmt, ...)
{
    w->found++;
    if (w->mode == MODE_PROBE)
        return true;
    if (w->mode == MODE_COLLECT) {
        char msg[sizeof(w->res->errors[0].message)];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n >= (int)sizeof(msg)) {
            /* Cut visibly, and not inside a UTF-8 sequence. */
            size_t end = sizeof(msg) - 4;
            while (end > 0 && ((unsigned char)msg[end] & 0xC0) == 0x80)
                end--;
            memcpy(msg + end, "...", 4);
        }
        keep(w, jsonx_ptr_cstr(&w->ptr), msg, &w->ord);
    }
    return false;
}

/* Give up on the whole walk (steps or depth ran out); the failure is kept
 * whatever mode we are in, and reported once at the end. */
static void give_up(struct walk *w, const char *msg)
{
    if (w->aborted)
        return;
    w->aborted = true;
    snprintf(w->abort_error.pointer, sizeof(w->abort_error.pointer), "%s", jsonx_ptr_cstr(&w->ptr));
    snprintf(w->abort_error.message, sizeof(w->abort_error.message), "%s", msg);
    w->abort_ord = w->ord;
}

/* False once the step budget is spent (jsonschema__equal draws on it too)
 * or the walk gave up for another reason. */
static bool budget_left(struct walk *w)
{
    if (!w->aborted && w->steps < 0)
        give_up(w, MSG_TOO_COMPLEX);
    return !w->aborted;
}

/* One step of the budget. */
static bool spend(struct walk *w)
{
    w->steps--;
    return budget_left(w);
}

/* ---- position ---- */

static size_t enter(struct walk *w, const char *key, uint32_t ord)
{
    if (w->ord.n < ORD_MAX)
        w->ord.at[w->ord.n] = ord;
    w->ord.n++;
    return jsonx_ptr_push(&w->ptr, key);
}

static size_t enter_index(struct walk *w, size_t i)
{
    if (w->ord.n < ORD_MAX)
        w->ord.at[w->ord.n] = i > UINT32_MAX ? UINT32_MAX : (uint32_t)i;
    w->ord.n++;
    return jsonx_ptr_push_index(&w->ptr, i);
}

static void leave(struct walk *w, size_t mark)
{
    w->ord.n--;
    jsonx_ptr_pop(&w->ptr, mark);
}

/* ---- types ---- */

static unsigned type_of(const struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return JS_BOOLEAN;
    case json_type_int:
        return JS_INTEGER;
    case json_type_double:
        return JS_NUMBER;
    case json_type_string:
        return JS_STRING;
    case json_type_array:
        return JS_ARRAY;
    case json_type_object:
        return JS_OBJECT;
    default:
        return JS_NULL;
    }
}

/* A double with no fraction (1.0, 1e3), which counts as an integer. */
static bool whole(const struct json_object *v)
{
    return jsonschema__whole(json_object_get_double(v));
}

static bool type_ok(unsigned types, const struct json_object *v)
{
    unsigned t = type_of(v);
    if (types & t)
        return true;
    if (t == JS_INTEGER && (types & JS_NUMBER))
        return true;
    /* 1.0 is an integer (draft 2020-12). */
    return t == JS_NUMBER && (types & JS_INTEGER) && whole(v);
}

static void types_text(char *out, size_t size, unsigned types)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {JS_STRING, "a string"},   {JS_NUMBER, "a number"},  {JS_INTEGER, "an integer"},
        {JS_BOOLEAN, "a boolean"}, {JS_OBJECT, "an object"}, {JS_ARRAY, "an array"},
        {JS_NULL, "null"},
    };
    const char *list[7] = {NULL};
    size_t n = 0, used = 0;
    if (types & JS_NUMBER)
        types &= ~(unsigned)JS_INTEGER;
    for (size_t i = 0; i < 7; i++)
        if (types & names[i].bit)
            list[n++] = names[i].name;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int k = snprintf(out + used, size - used, "%s%s",
                         i == 0       ? ""
                         : i + 1 == n ? " or "
                                      : ", ",
                         list[i]);
        used += k > 0 ? (size_t)k : 0;
    }
}

static const char *got_text(const struct json_object *v)
{
    switch (type_of(v)) {
    case JS_BOOLEAN:
        return "a boolean";
    case JS_INTEGER:
        return "a number";
    case JS_NUMBER:
        return whole(v) ? "a number" : "a decimal number";
    case JS_STRING:
        return "a string";
    case JS_ARRAY:
        return "an array";
    case JS_OBJECT:
        return "an object";
    default:
        return "null";
    }
}

/* ---- the walk ---- */

static bool validate(struct walk *w, const struct jsonschema_node *n, const struct json_object *v);

/* Run n on v only to learn whether it passes. */
static bool probe(struct walk *w, const struct jsonschema_node *n, const struct json_object *v)
{
    enum mode mode = w->mode;
    size_t found = w->found;
    w->mode = MODE_PROBE;
    bool ok = validate(w, n, v);
    w->mode = mode;
    w->found = found;
    return ok && !w->aborted;
}

/* How many failures n finds on v. */
static size_t count(struct walk *w, const struct jsonschema_node *n, const struct json_object *v)
{
    enum mode mode = w->mode;
    size_t found = w->found;
    w->mode = MODE_COUNT;
    w->found = 0;
    validate(w, n, v);
    size_t c = w->found;
    w->mode = mode;
    w->found = found;
    return c;
}

/* Whether a branch takes v's type at all, looking at its "type" and those
 * of the $refs it follows (a few hops). Adds the types it names to *types. */
static bool branch_takes(const struct jsonschema_node *n, const struct json_object *v,
                         unsigned *types)
{
    for (int hops = 0; n && hops < 8; hops++, n = n->ref) {
        if (n->is_bool)
            return n->bool_value;
        if (n->types) {
            *types |= n->types;
            if (!type_ok(n->types, v))
                return false;
        }
    }
    return true;
}

/* Every branch of an anyOf/oneOf failed: report one failure that helps.
 * When no branch takes the value's type, say which types would do;
 * otherwise report the failures of the branch that came closest. */
static bool no_branch(struct walk *w, struct jsonschema_node *const *branches, size_t nb,
                      const struct json_object *v)
{
    if (w->mode != MODE_COLLECT)
        return report(w, "does not match any of the allowed forms");
    unsigned all = 0;
    const struct jsonschema_node *best = NULL;
    size_t best_count = SIZE_MAX;
    for (size_t i = 0; i < nb; i++) {
        if (!branch_takes(branches[i], v, &all))
            continue;
        size_t c = count(w, branches[i], v);
        if (w->aborted)
            return false;
        if (c < best_count) {
            best = branches[i];
            best_count = c;
        }
    }
    if (!best && all) {
        char want[96];
        types_text(want, sizeof(want), all);
        return report(w, "expected %s, got %s", want, got_text(v));
    }
    size_t before = w->found;
    if (best)
        validate(w, best, v);
    if (w->found == before && !w->aborted)
        return report(w, "does not match any of the allowed forms");
    return false;
}

static bool check_string(struct walk *w, const struct jsonschema_node *n,
                         const struct json_object *v)
{
    const char *s = jsonx_str(v);
    size_t len = jsonx_str_len(v);
    bool ok = true;
    if (n->min_length >= 0 || n->max_length >= 0) {
        size_t chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)s[i] & 0xC0) != 0x80;
        if (n->min_length >= 0 && chars < (uint64_t)n->min_length) {
            ok = false;
            if (n->min_length == 1
                    ? report(w, "must not be empty")
                    : report(w, "must be at least %lld characters long", (long long)n->min_length))
                return false;
        }
        if (n->max_length >= 0 && chars > (uint64_t)n->max_length) {
            ok = false;
            if (report(w, "must be at most %lld character%s long", (long long)n->max_length,
                       n->max_length == 1 ? "" : "s"))
                return false;
        }
    }
    if (n->has_pattern) {
        /* REG_STARTEND: the string may hold "\u0000", and need not be read twice. */
        regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)len};
        if (len > (size_t)INT32_MAX || regexec(&n->pattern, s, 1, &m, REG_STARTEND) != 0) {
            ok = false;
            if (report(w, "%s", n->pattern_msg))
                return false;
        }
    }
    if (n->format != JS_FORMAT_NONE && !jsonschema__format_check(n->format, s, len)) {
        ok = false;
        if (report(w, "%s", jsonschema__format_msg(n->format)))
            return false;
    }
    return ok;
}

static bool check_number(struct walk *w, const struct jsonschema_node *n,
                         const struct json_object *v)
{
    struct js_num x;
    bool ok = true;
    jsonschema__num(&x, v);
    /* num_cmp gives 2 for NaN (only possible in values built in code), which
     * fails every bound. */
    int c = n->minimum.set ? jsonschema__num_cmp(&x, &n->minimum.n) : 0;
    if (c == -1 || c == 2) {
        ok = false;
        if (report(w, "must be at least %s", n->minimum.text))
            return false;
    }
    c = n->maximum.set ? jsonschema__num_cmp(&x, &n->maximum.n) : 0;
    if (c == 1 || c == 2) {
        ok = false;
        if (report(w, "must be at most %s", n->maximum.text))
            return false;
    }
    if (n->exclusive_minimum.set && jsonschema__num_cmp(&x, &n->exclusive_minimum.n) != 1) {
        ok = false;
        if (report(w, "must be greater than %s", n->exclusive_minimum.text))
            return false;
    }
    if (n->exclusive_maximum.set && jsonschema__num_cmp(&x, &n->exclusive_maximum.n) != -1) {
        ok = false;
        if (report(w, "must be less than %s", n->exclusive_maximum.text))
            return false;
    }
    if (n->multiple_of.set && !jsonschema__num_multiple(&x, &n->multiple_of.n)) {
        ok = false;
        if (report(w, "must be a multiple of %s", n->multiple_of.text))
            return false;
    }
    return ok;
}

/* Whether a member name passes propertyNames (t), probing only. When it
 * does not, *why names the rule it broke when t states it directly
 * (pattern, enum, not), else NULL. */
static bool name_ok(struct walk *w, const struct jsonschema_node *t, const char *key,
                    const char **why)
{
    struct json_object *name = json_object_new_string(key);
    if (!name)
        abort(); /* json-c's out of memory; ours aborts too (core/alloc.h) */
    bool ok = probe(w, t, name);
    *why = NULL;
    if (!ok && !w->aborted) {
        regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)strlen(key)};
        long steps = 1000;
        bool listed = false;
        for (size_t i = 0; t->enum_values && i < jsonx_len(t->enum_values) && !listed; i++)
            listed = jsonschema__equal(name, jsonx_at(t->enum_values, i), &steps);
        if (t->has_pattern && regexec(&t->pattern, key, 1, &m, REG_STARTEND) != 0)
            *why = t->pattern_msg;
        else if (t->enum_values && !listed)
            *why = t->enum_msg;
        else if (t->not_ && probe(w, t->not_, name))
            *why = t->not_msg;
    }
    json_object_put(name);
    return ok;
}

static const struct jsonschema_node *find_prop(const struct jsonschema_node *n, const char *name)
{
    size_t lo = 0, hi = n->nprops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, n->props[mid].name);
        if (c == 0)
            return n->props[mid].node;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static bool check_object(struct walk *w, const struct jsonschema_node *n,
                         const struct json_object *v)
{
    size_t members = (size_t)json_object_object_length(v);
    bool ok = true;
    if (n->min_props >= 0 && members < (uint64_t)n->min_props) {
        ok = false;
        if (n->min_props == 1
                ? report(w, "must not be empty")
                : report(w, "must have at least %lld fields", (long long)n->min_props))
            return false;
    }
    if (n->max_props >= 0 && members > (uint64_t)n->max_props) {
        ok = false;
        if (report(w, "must have at most %lld field%s", (long long)n->max_props,
                   n->max_props == 1 ? "" : "s"))
            return false;
    }
    for (size_t i = 0; i < n->nrequired; i++) {
        if (jsonx_has(v, n->required[i]))
            continue;
        ok = false;
        size_t mark = enter(w, n->required[i], 0);
        bool stop = report(w, "is required");
        leave(w, mark);
        if (stop)
            return false;
    }
    bool per_member = n->nprops || n->npattern_props || n->additional || n->property_names;
    uint32_t pos = 0;
    for (struct lh_entry *e = per_member ? lh_table_head(json_object_get_object(v)) : NULL; e;
         e = lh_entry_next(e)) {
        const char *key = (const char *)lh_entry_k(e);
        const struct json_object *mv = (const struct json_object *)lh_entry_v(e);
        const struct jsonschema_node *pn = find_prop(n, key);
        bool matched = pn != NULL, good = true;
        size_t mark = enter(w, key, pos < UINT32_MAX ? ++pos : pos);
        if (pn)
            good = validate(w, pn, mv);
        for (size_t k = 0; k < n->npattern_props && (good || w->mode != MODE_PROBE); k++) {
            if (regexec(&n->pattern_props[k].re, key, 0, NULL, 0) != 0)
                continue;
            matched = true;
            good = validate(w, n->pattern_props[k].node, mv) && good;
        }
        if (!matched && n->additional && (good || w->mode != MODE_PROBE)) {
            if (n->unknown_msg) {
                good = false;
                report(w, "%s", n->unknown_msg); /* probing stops just below */
            } else {
                good = validate(w, n->additional, mv) && good;
            }
        }
        const char *why;
        if (n->property_names && (good || w->mode != MODE_PROBE) &&
            !name_ok(w, n->property_names, key, &why)) {
            good = false;
            if (!w->aborted && why)
                report(w, "is not an allowed field name (it %s)", why);
            else if (!w->aborted)
                report(w, "is not an allowed field name");
        }
        leave(w, mark);
        if (!good) {
            ok = false;
            if (w->mode == MODE_PROBE || w->aborted)
                return false;
        }
    }
    return ok;
}

static bool check_array(struct walk *w, const struct jsonschema_node *n,
                        const struct json_object *v)
{
    size_t len = jsonx_len(v);
    bool ok = true;
    if (n->min_items >= 0 && len < (uint64_t)n->min_items) {
        ok = false;
        if (n->min_items == 1 ? report(w, "must not be empty")
                              : report(w, "must have at least %lld items", (long long)n->min_items))
            return false;
    }
    if (n->max_items >= 0 && len > (uint64_t)n->max_items) {
        ok = false;
        if (report(w, "must have at most %lld item%s", (long long)n->max_items,
                   n->max_items == 1 ? "" : "s"))
            return false;
    }
    for (size_t i = 0; i < len; i++) {
        const struct jsonschema_node *in = i < n->nprefix_items ? n->prefix_items[i] : n->items;
        if (!in)
            continue;
        size_t mark = enter_index(w, i);
        bool good = validate(w, in, jsonx_at(v, i));
        leave(w, mark);
        if (!good) {
            ok = false;
            if (w->mode == MODE_PROBE || w->aborted)
                return false;
        }
    }
    if (n->unique_items) {
        for (size_t i = 1; i < len; i++)
            for (size_t j = 0; j < i; j++) {
                if (!jsonschema__equal(jsonx_at(v, i), jsonx_at(v, j), &w->steps)) {
                    if (!budget_left(w))
                        return false;
                    continue;
                }
                ok = false;
                if (report(w, "must not contain duplicates (items %zu and %zu are equal)", j, i))
                    return false;
                i = len; /* one duplicate is enough to say */
                break;
            }
    }
    return ok;
}

static bool validate(struct walk *w, const struct jsonschema_node *n, const struct json_object *v)
{
    if (!spend(w))
        return false;
    if (n->is_bool) {
        if (n->bool_value)
            return true;
        report(w, "is not allowed here");
        return false;
    }
    bool ok = true;

    if (n->types && !type_ok(n->types, v)) {
        /* The other keywords would only repeat the point. */
        char want[96];
        types_text(want, sizeof(want), n->types);
        report(w, "expected %s, got %s", want, got_text(v));
        return false;
    }
    if (n->ref) {
        if (w->refs >= JSONSCHEMA_DEPTH_MAX) {
            give_up(w, MSG_TOO_DEEP);
            return false;
        }
        w->refs++;
        ok = validate(w, n->ref, v);
        w->refs--;
        if ((!ok && w->mode == MODE_PROBE) || w->aborted)
            return false;
    }
    if (n->enum_values) {
        bool hit = false;
        for (size_t i = 0; i < jsonx_len(n->enum_values) && !hit; i++)
            hit = jsonschema__equal(v, jsonx_at(n->enum_values, i), &w->steps);
        if (!hit) {
            ok = false;
            if (report(w, "%s", n->enum_msg))
                return false;
        }
    }
    if (n->has_const && !jsonschema__equal(v, n->const_value, &w->steps)) {
        ok = false;
        if (report(w, "%s", n->const_msg))
            return false;
    }
    if (!budget_left(w))
        return false;

    bool typed;
    switch (type_of(v)) {
    case JS_STRING:
        typed = check_string(w, n, v);
        break;
    case JS_INTEGER:
    case JS_NUMBER:
        typed = check_number(w, n, v);
        break;
    case JS_OBJECT:
        typed = check_object(w, n, v);
        break;
    case JS_ARRAY:
        typed = check_array(w, n, v);
        break;
    default:
        typed = true;
    }
    if (!typed) {
        ok = false;
        if (w->mode == MODE_PROBE || w->aborted)
            return false;
    }

    for (size_t i = 0; i < n->nall_of; i++)
        if (!validate(w, n->all_of[i], v)) {
            ok = false;
            if (w->mode == MODE_PROBE || w->aborted)
                return false;
        }
    if (n->nany_of) {
        bool any = false;
        for (size_t i = 0; i < n->nany_of && !any; i++)
            any = probe(w, n->any_of[i], v);
        if (w->aborted)
            return false;
        if (!any) {
            ok = false;
            if (no_branch(w, n->any_of, n->nany_of, v) || w->aborted)
                return false;
        }
    }
    if (n->none_of) {
        size_t hits = 0, first = 0, second = 0;
        for (size_t i = 0; i < n->none_of && hits < 2; i++)
            if (probe(w, n->one_of[i], v)) {
                if (hits++ == 0)
                    first = i;
                else
                    second = i;
            }
        if (w->aborted)
            return false;
        if (hits == 0) {
            ok = false;
            if (no_branch(w, n->one_of, n->none_of, v) || w->aborted)
                return false;
        } else if (hits > 1) {
            ok = false;
            if (report(w,
                       "matches more than one of the allowed forms (%zu and %zu); exactly one "
                       "must match",
                       first + 1, second + 1))
                return false;
        }
    }
    if (n->not_ && probe(w, n->not_, v)) {
        ok = false;
        if (report(w, "%s", n->not_msg))
            return false;
    }
    if (w->aborted)
        return false;
    if (n->if_) {
        const struct jsonschema_node *branch = probe(w, n->if_, v) ? n->then_ : n->else_;
        if (w->aborted)
            return false;
        if (branch && !validate(w, branch, v))
            ok = false;
    }
    return ok && !w->aborted;
}

/* ---- entry points ---- */

bool jsonschema__validate_node(const struct jsonschema_node *node,
                               const struct json_object *instance, struct jsonschema_result *res)
{
    /* kept[] (10 KB) is not zero-filled: entries are read only once written,
     * and a sync validates every record. */
    struct ord kept[JSONSCHEMA_ERRORS_MAX];
    struct walk w = {.res = res, .mode = res ? MODE_COLLECT : MODE_PROBE, .kept = kept};
    w.steps = JSONSCHEMA_STEPS_MAX;
    jsonx_ptr_init(&w.ptr);
    if (res) {
        res->count = 0;
        res->truncated = false;
    }
    bool ok = validate(&w, node, instance);
    if (!res)
        return ok && !w.aborted;
    if (!ok && !w.aborted && res->count == 0) /* cannot happen; never invalid without a reason */
        keep(&w, "", "is not valid", &w.ord);
    {
        /* Insertion sort into document order; stable for equal positions. */
        for (size_t i = 1; i < res->count; i++) {
            struct jsonschema_error e = res->errors[i];
            struct ord o = w.kept[i];
            size_t j = i;
            for (; j > 0 && ord_cmp(&w.kept[j - 1], &o) > 0; j--) {
                res->errors[j] = res->errors[j - 1];
                w.kept[j] = w.kept[j - 1];
            }
            res->errors[j] = e;
            w.kept[j] = o;
        }
    }
    if (w.aborted) {
        /* Why the walk stopped comes first: what it found before is partial. */
        if (res->count == JSONSCHEMA_ERRORS_MAX) {
            res->truncated = true;
            res->count--;
        }
        memmove(&res->errors[1], &res->errors[0], res->count * sizeof(res->errors[0]));
        res->errors[0] = w.abort_error;
        res->count++;
        ok = false;
    }
    return ok;
}

bool jsonschema_validate(const struct jsonschema *s, const struct json_object *instance,
                         struct jsonschema_result *res)
{
    return jsonschema__validate_node(s->root, instance, res);
}

void jsonschema_result_format(const struct jsonschema_result *res, struct buf *b)
{
    buf_putc(b, '[');
    for (size_t i = 0; res && i < res->count; i++) {
        const struct jsonschema_error *e = &res->errors[i];
        buf_puts(b, i ? ",{\"pointer\":\"" : "{\"pointer\":\"");
        buf_put_jsonesc(b, e->pointer, strlen(e->pointer));
        buf_puts(b, "\",\"message\":\"");
        buf_put_jsonesc(b, e->message, strlen(e->message));
        buf_puts(b, "\"}");
    }
    buf_putc(b, ']');
}
