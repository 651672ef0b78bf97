/* bench/json/bench_json.h - one parse and one round-trip function per JSON
 * library; each lives in its own file because jansson and json-c headers
 * declare clashing names. */
#ifndef INLET_BENCH_JSON_H
#define INLET_BENCH_JSON_H
#include <stddef.h>
#include <stdint.h>

/* Parse one record, read Id and Amount__c, free; add something to *sink. */
typedef int (*bench_parse_fn)(const char *line, size_t len, uint64_t *sink);
/* Parse `in` and print it compactly into out (empty string on failure). */
typedef void (*bench_roundtrip_fn)(const char *in, char *out, size_t cap);

int bench_jansson_parse(const char *line, size_t len, uint64_t *sink);
void bench_jansson_roundtrip(const char *in, char *out, size_t cap);
int bench_cjson_parse(const char *line, size_t len, uint64_t *sink);
void bench_cjson_roundtrip(const char *in, char *out, size_t cap);
int bench_jsonc_parse(const char *line, size_t len, uint64_t *sink);
void bench_jsonc_roundtrip(const char *in, char *out, size_t cap);
/* inlet's core/jsonx (json-c plus its strictness pass); 0 when not built. */
int bench_jsonx_available(void);
int bench_jsonx_parse(const char *line, size_t len, uint64_t *sink);
void bench_jsonx_roundtrip(const char *in, char *out, size_t cap);
#endif
