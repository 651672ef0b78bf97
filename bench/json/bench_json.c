/* bench/json/bench_json.c - measures the JSON libraries Debian offers on the
 * workload that decides inlet's choice: a stream of ~530-byte CRM records, one
 * per line, parsed, two fields read, and freed. Reports records/s for each and
 * the ratio to a plain line scan (memchr) over the same bytes, measured in the
 * same run. Also checks exactness: int64 and decimals written back as they
 * came. Built and run by `make bench`; see docs/decisions.md. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_json.h"

static char *make_records(size_t n, size_t *len_out)
{
    size_t cap = n * 700, len = 0;
    char *s = malloc(cap);
    if (!s)
        abort();
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(
            s + len, cap - len,
            "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v59.0/sobjects/"
            "Contact/003%015zu\"},\"Id\":\"003%015zu\",\"AccountId\":\"001%015zu\","
            "\"FirstName\":\"Ada%zu\",\"LastName\":\"Lovelace\",\"Email\":\"ada%zu@example.com\","
            "\"Phone\":\"+1 415 555 %04zu\",\"Title\":\"VP Engineering\",\"LeadSource\":\"Web\","
            "\"HasOptedOutOfEmail\":false,\"DoNotCall\":true,\"Amount__c\":%zu.99,"
            "\"NumberOfEmployees\":%zu,\"Score__c\":9007199254740993,\"MailingCity\":\"San "
            "Francisco\",\"MailingCountry\":\"United States\",\"Description\":null,"
            "\"CreatedDate\":\"2024-01-15T10:%02zu:00.000+0000\","
            "\"SystemModstamp\":\"2024-06-01T08:30:%02zu.000+0000\"}\n",
            i, i, i % 5000, i, i, i % 10000, i % 100000, i % 3000, i % 60, i % 60);
    }
    *len_out = len;
    return s;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn over every line, best of three passes, and returns records/s. */
static double measure(const char *buf, size_t len, size_t n, bench_parse_fn fn, uint64_t *sink)
{
    double best = 1e30;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = now();
        const char *p = buf, *end = buf + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = (size_t)(nl - p);
            if (fn(p, l, sink) != 0) {
                fprintf(stderr, "parse failed\n");
                exit(1);
            }
            p = nl + 1;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return (double)n / best;
}

static int scan_only(const char *line, size_t len, uint64_t *sink)
{
    *sink += len + (unsigned char)line[len / 2];
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000;
    size_t len;
    char *buf = make_records(n, &len);
    uint64_t sink = 0;
    static const struct {
        const char *name;
        bench_parse_fn fn;
        bench_roundtrip_fn rt;
    } libs[] = {
        {"jansson", bench_jansson_parse, bench_jansson_roundtrip},
        {"cjson", bench_cjson_parse, bench_cjson_roundtrip},
        {"json-c", bench_jsonc_parse, bench_jsonc_roundtrip},
        {"jsonx", bench_jsonx_parse, bench_jsonx_roundtrip}, /* ours, over json-c */
    };
    static const char *exact_in = "{\"i\":9007199254740993,\"m\":-9223372036854775808,"
                                  "\"d\":19.99,\"z\":1.50,\"e\":1e-7}";

    double ref = measure(buf, len, n, scan_only, &sink);
    printf("json: %zu records, %.0f bytes/record\n", n, (double)len / (double)n);
    printf("json: %-8s %12.0f records/s  (reference: line scan)\n", "memchr", ref);
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        if (libs[i].fn == bench_jsonx_parse && !bench_jsonx_available()) {
            printf("json: %-8s not built (its compile line needs -Isrc)\n", libs[i].name);
            continue;
        }
        double r = measure(buf, len, n, libs[i].fn, &sink);
        char out[512];
        libs[i].rt(exact_in, out, sizeof(out));
        printf("json: %-8s %12.0f records/s  ratio to line scan %.4f  exact=%s  %s\n", libs[i].name,
               r, r / ref, strcmp(out, exact_in) == 0 ? "yes" : "no", out);
    }
    if (bench_jsonx_available()) {
        /* jsonx against the json-c it wraps on a quarter of the records,
         * passes interleaved so that a busy machine slows both alike. */
        size_t sub = n / 4 ? n / 4 : n;
        const char *end = buf;
        for (size_t k = 0; k < sub; k++)
            end = (const char *)memchr(end, '\n', (size_t)(buf + len - end)) + 1;
        size_t sublen = (size_t)(end - buf);
        double best_c = 0, best_x = 0;
        for (int round = 0; round < 5; round++) {
            double c = measure(buf, sublen, sub, bench_jsonc_parse, &sink);
            double x = measure(buf, sublen, sub, bench_jsonx_parse, &sink);
            best_c = c > best_c ? c : best_c;
            best_x = x > best_x ? x : best_x;
        }
        printf("json: jsonx %.0f records/s vs json-c %.0f (interleaved): the strictness and "
               "exactness pass costs %.1f%%\n",
               best_x, best_c, 100.0 * (1.0 - best_x / best_c));
    }
    free(buf);
    return sink == 42; /* keeps the work observable */
}
