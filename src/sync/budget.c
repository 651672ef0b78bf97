/* sync/budget.c - see budget.h. http/ratelimit.h fixes one rate and burst
 * per table, so each distinct budget (a handful: one per connector file
 * that sets one) gets a table, found in a short list under a mutex. */
#include "sync/budget.h"

#include <pthread.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "http/ratelimit.h"

struct table {
    struct budget b;
    struct ratelimit *rl; /* never freed: lives with the process */
    struct table *next;
};

static pthread_mutex_t tables_mu = PTHREAD_MUTEX_INITIALIZER;
static struct table *tables; /* guarded by tables_mu */

bool budget_of(struct budget *out, const struct connector *c)
{
    struct json_object *spec = jsonx_get(c->doc, "rate_limit");
    struct json_object *rate = jsonx_get(spec, "requests_per_second");
    struct json_object *burst = jsonx_get(spec, "burst");
    if (!rate)
        return false;
    out->rate = json_object_get_double(rate);
    out->burst = burst ? json_object_get_double(burst) : out->rate;
    if (out->burst < 1)
        out->burst = 1;
    return out->rate > 0;
}

static struct ratelimit *table_of(const struct budget *b)
{
    struct table *t;
    pthread_mutex_lock(&tables_mu);
    for (t = tables; t; t = t->next)
        if (t->b.rate == b->rate && t->b.burst == b->burst)
            break;
    if (!t) {
        t = xcalloc(1, sizeof(*t));
        t->b = *b;
        t->rl = ratelimit_new(b->rate, b->burst);
        t->next = tables;
        tables = t;
    }
    pthread_mutex_unlock(&tables_mu);
    return t->rl;
}

int64_t budget_take(const struct budget *b, const char *key, int64_t now_ms)
{
    int64_t wait = 0;
    if (ratelimit_take_ms(table_of(b), key, now_ms, &wait))
        return 0;
    return wait;
}
