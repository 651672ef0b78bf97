/* bench/load/gen.c - a realistic Singer stream for the loader's benchmark
 * and crash tests: N records (argv[1], default 1,000,000) of a 15-field CRM
 * contact, 5% of them repeating an earlier key (an update), a STATE every
 * 10,000 records, deterministic for a seed (argv[2], default 1). With a
 * third argument K it starts after record K, as a tap resumed from the STATE
 * {"bookmarks":{"contacts":{"seq":K}}} would. Written to stdout with one
 * write per block: the generator must not be what a benchmark measures. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_EVERY 10000

static const char *const first[] = {"Ada", "Grace",  "Alan",     "Edsger", "Barbara", "Donald",
                                    "Ken", "Dennis", "Margaret", "Linus",  "Radia",   "Frances"};
static const char *const last[] = {"Lovelace", "Hopper",   "Turing",   "Dijkstra",
                                   "Liskov",   "Knuth",    "Thompson", "Ritchie",
                                   "Hamilton", "Torvalds", "Perlman",  "Allen"};
static const char *const stage[] = {"lead", "qualified", "customer", "churned"};
static const char *const domain[] = {"acme.example", "globex.example", "initech.example",
                                     "umbrella.example", "hooli.example"};

static uint64_t rng(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static char out[1 << 20];
static size_t used;

static void flush_out(void)
{
    size_t off = 0;
    while (off < used) {
        ssize_t w = write(1, out + off, used - off);
        if (w <= 0)
            exit(1); /* the reader went away */
        off += (size_t)w;
    }
    used = 0;
}

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void put(const char *fmt, ...)
{
    va_list ap;
    if (used > sizeof(out) - 4096)
        flush_out();
    va_start(ap, fmt);
    used += (size_t)vsnprintf(out + used, sizeof(out) - used, fmt, ap);
    va_end(ap);
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? strtoll(argv[1], NULL, 10) : 1000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    int64_t from = argc > 3 ? strtoll(argv[3], NULL, 10) : 0;

    put("{\"type\":\"SCHEMA\",\"stream\":\"contacts\",\"key_properties\":[\"id\"],"
        "\"bookmark_properties\":[\"updated_at\"],\"schema\":{\"type\":\"object\","
        "\"properties\":{\"id\":{\"type\":\"integer\"},\"first_name\":{\"type\":[\"null\","
        "\"string\"]},\"last_name\":{\"type\":[\"null\",\"string\"]},\"email\":{\"type\":"
        "[\"null\",\"string\"]},\"phone\":{\"type\":[\"null\",\"string\"]},\"title\":{\"type\":"
        "[\"null\",\"string\"]},\"company\":{\"type\":[\"null\",\"string\"]},\"stage\":{\"type\":"
        "[\"null\",\"string\"]},\"score\":{\"type\":[\"null\",\"integer\"]},\"amount\":{\"type\":"
        "[\"null\",\"number\"]},\"active\":{\"type\":[\"null\",\"boolean\"]},\"created_at\":"
        "{\"type\":[\"null\",\"string\"],\"format\":\"date-time\"},\"updated_at\":{\"type\":"
        "[\"null\",\"string\"],\"format\":\"date-time\"},\"tags\":{\"type\":[\"null\","
        "\"array\"],\"items\":{\"type\":\"string\"}},\"address\":{\"type\":[\"null\","
        "\"object\"]}}}}\n");
    for (int64_t i = from; i < n; i++) {
        /* Record i's own stream of numbers: a resumed run emits the same. */
        uint64_t s = seed * 1000003u + (uint64_t)i, r = rng(&s);
        int64_t id = i + 1;
        if (i > 100 && r % 100 < 5) /* 5%: an update of an earlier contact */
            id = 1 + (int64_t)(rng(&s) % (uint64_t)i);
        uint64_t a = rng(&s), b = rng(&s);
        const char *f = first[a % 12], *l = last[(a >> 8) % 12];
        put("{\"type\":\"RECORD\",\"stream\":\"contacts\",\"record\":{\"id\":%" PRId64
            ",\"first_name\":\"%s\",\"last_name\":\"%s\",\"email\":\"%c%s.%" PRId64 "@%s\","
            "\"phone\":\"+1-555-%04u\",\"title\":\"Engineer %u\",\"company\":\"%s\","
            "\"stage\":\"%s\",\"score\":%u,\"amount\":%u.%02u,\"active\":%s,"
            "\"created_at\":\"2025-%02u-%02uT%02u:%02u:00Z\",\"updated_at\":\"2026-%02u-%02uT%02u:"
            "%02u:%02u.%03uZ\",\"tags\":[\"%s\",\"t%u\"],\"address\":{\"city\":\"City %u\","
            "\"zip\":\"%05u\"}}}\n",
            id, f, l, f[0] | 0x20, l, id, domain[b % 5], (unsigned)(b % 10000), (unsigned)(a % 7),
            domain[(b >> 4) % 5], stage[(b >> 8) % 4], (unsigned)(b % 101), (unsigned)(a % 100000),
            (unsigned)(b % 100), (b >> 20) & 1 ? "true" : "false", (unsigned)(1 + a % 12),
            (unsigned)(1 + b % 28), (unsigned)(a % 24), (unsigned)(b % 60), (unsigned)(1 + b % 12),
            (unsigned)(1 + a % 28), (unsigned)(b % 24), (unsigned)(a % 60), (unsigned)(b % 60),
            (unsigned)(a % 1000), stage[a % 4], (unsigned)(b % 50), (unsigned)(a % 997),
            (unsigned)(b % 99999));
        if ((i + 1) % STATE_EVERY == 0 || i + 1 == n)
            put("{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"contacts\":{\"seq\":%" PRId64
                "}}}}\n",
                i + 1);
    }
    flush_out();
    return 0;
}
