/* bench/sandbox/walk.c - walk a Salesforce query as a sync does: GET
 * ORIGIN/services/data/v60.0/query?q=SOQL, then every nextRecordsUrl until
 * the answer says done, on one kept-alive connection (libcurl), and print
 * one "WALK key=value ..." line: pages, records, totalSize, bytes, seconds,
 * the first page's time (it runs the query) and the median and slowest of
 * the others. The Authorization header is read from a file, never taken on
 * the command line. Usage: walk ORIGIN HEADER_FILE SOQL. Used by
 * bench/sandbox/run.sh; a failed or inconsistent walk exits 1. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WALK_URL_MAX   8192
#define WALK_BODY_MAX  (64L << 20) /* one page; Salesforce's are far smaller */
#define WALK_PAGES_MAX 100000

struct body {
    char *p; /* from malloc, NUL-terminated */
    size_t n, cap;
    int toobig;
};

static size_t walk_on_data(char *p, size_t size, size_t n, void *ud)
{
    struct body *b = ud;
    size_t k = size * n;
    if (b->n + k + 1 > (size_t)WALK_BODY_MAX) {
        b->toobig = 1;
        return 0; /* libcurl stops the transfer */
    }
    if (b->n + k + 1 > b->cap) {
        b->cap = (b->n + k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, p, k);
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

static double walk_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int walk_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The header line of path into out ("Name: value", no line end). */
static int walk_header_read(char *out, size_t cap, const char *path)
{
    FILE *f = fopen(path, "r");
    int ok = f && fgets(out, (int)cap, f) && strchr(out, ':');
    if (f)
        fclose(f);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int main(int argc, char **argv)
{
    char header[1024], url[WALK_URL_MAX];
    struct body b = {0};
    double *ms = NULL, t0, first_ms = 0, p50 = 0, max = 0;
    long pages = 0, records = 0, total = -1, status = 0;
    size_t bytes = 0;
    int rc = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: walk ORIGIN HEADER_FILE SOQL\n");
        return 2;
    }
    if (walk_header_read(header, sizeof(header), argv[2]) < 0) {
        fprintf(stderr, "walk: %s: no header line\n", argv[2]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, header);
    char *q = curl_easy_escape(h, argv[3], 0);
    snprintf(url, sizeof(url), "%s/services/data/v60.0/query?q=%s", argv[1], q);
    curl_free(q);
    ms = malloc(WALK_PAGES_MAX * sizeof(*ms));
    if (!ms || !h || !hl)
        abort();
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, walk_on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    t0 = walk_now_ms();
    for (;;) {
        double t = walk_now_ms();
        b.n = 0;
        curl_easy_setopt(h, CURLOPT_URL, url);
        CURLcode cc = curl_easy_perform(h);
        if (cc != CURLE_OK) {
            fprintf(stderr, "walk: page %ld: %s%s\n", pages + 1, curl_easy_strerror(cc),
                    b.toobig ? " (page over the size cap)" : "");
            goto done;
        }
        ms[pages] = walk_now_ms() - t;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
            fprintf(stderr, "walk: page %ld: HTTP %ld: %.200s\n", pages + 1, status,
                    b.p ? b.p : "");
            goto done;
        }
        if (++pages == WALK_PAGES_MAX) {
            fprintf(stderr, "walk: more than %d pages\n", WALK_PAGES_MAX);
            goto done;
        }
        bytes += b.n;
        if (total < 0 && strncmp(b.p, "{\"totalSize\":", 13) == 0)
            total = strtol(b.p + 13, NULL, 10);
        /* Account has no relationship fields here: one "attributes" each. */
        for (const char *p = b.p; (p = strstr(p, "{\"attributes\":")) != NULL; p++)
            records++;
        const char *next = strstr(b.p, "\"nextRecordsUrl\":\"");
        if (!next)
            break;
        next += 18;
        size_t n = strcspn(next, "\"");
        if ((size_t)snprintf(url, sizeof(url), "%s%.*s", argv[1], (int)n, next) >= sizeof(url)) {
            fprintf(stderr, "walk: page %ld: nextRecordsUrl too long\n", pages);
            goto done;
        }
    }
    double secs = (walk_now_ms() - t0) / 1e3;
    if (records != total) {
        fprintf(stderr, "walk: %ld records in the pages, totalSize %ld\n", records, total);
        goto done;
    }
    first_ms = ms[0];
    if (pages > 1) {
        qsort(ms + 1, (size_t)pages - 1, sizeof(*ms), walk_cmp_double);
        p50 = ms[1 + (pages - 1) / 2];
        max = ms[pages - 1];
    }
    printf("WALK pages=%ld records=%ld total=%ld bytes=%zu seconds=%.4f first_ms=%.2f "
           "next_p50_ms=%.2f next_max_ms=%.2f\n",
           pages, records, total, bytes, secs, first_ms, p50, max);
    rc = 0;
done:
    free(ms);
    free(b.p);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return rc;
}
