/* bench/sandbox/walk.c - walk a Salesforce query as a sync does: GET
 * /services/data/v62.0/query?q=SOQL, then every nextRecordsUrl until done,
 * on one kept-alive connection, and print pages, records, bytes and the
 * rate. The bearer token is read from a file (never a command-line
 * argument). Usage: walk ORIGIN TOKEN_FILE SOQL. Used by run.sh. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct body {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct body *b = ud;
    size_t k = size * n;
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    char auth[512], url[4096], path[2048];
    struct body b = {0};
    long pages = 0, records = 0, status = 0;
    size_t bytes = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: walk ORIGIN TOKEN_FILE SOQL\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f || !fgets(auth + 22, (int)sizeof(auth) - 22, f)) {
        fprintf(stderr, "walk: cannot read %s\n", argv[2]);
        return 1;
    }
    fclose(f);
    memcpy(auth, "Authorization: Bearer ", 22);
    auth[strcspn(auth, "\r\n")] = '\0';
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    char *q = curl_easy_escape(h, argv[3], 0);
    snprintf(url, sizeof(url), "%s/services/data/v62.0/query?q=%s", argv[1], q);
    curl_free(q);
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    double t0 = now_s();
    for (;;) {
        b.n = 0;
        curl_easy_setopt(h, CURLOPT_URL, url);
        if (curl_easy_perform(h) != CURLE_OK) {
            fprintf(stderr, "walk: request failed\n");
            return 1;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
            fprintf(stderr, "walk: status %ld: %.200s\n", status, b.p ? b.p : "");
            return 1;
        }
        pages++;
        bytes += b.n;
        for (const char *p = b.p; (p = strstr(p, "\"attributes\":")) != NULL; p++)
            records++;
        const char *next = strstr(b.p, "\"nextRecordsUrl\":\"");
        if (!next)
            break;
        next += 18;
        snprintf(path, sizeof(path), "%.*s", (int)strcspn(next, "\""), next);
        snprintf(url, sizeof(url), "%s%s", argv[1], path);
    }
    double s = now_s() - t0;
    printf("pages %ld records %ld bytes %zu seconds %.3f pages_per_s %.1f records_per_s %.0f\n",
           pages, records, bytes, s, (double)pages / s, (double)records / s);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    free(b.p);
    curl_global_cleanup();
    return 0;
}
