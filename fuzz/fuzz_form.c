/* fuzz/fuzz_form.c - arbitrary bytes into form_parse. Besides memory errors
 * it checks properties: a refusal has a one-line "form: " message and
 * leaves no pairs; an accepted form has at most FORM_MAX_PAIRS pairs with
 * distinct names, NUL-free valid UTF-8 no longer than the input, each found
 * by form_get; and parsing is stable across two calls. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t size)
{
    size_t n = strlen(s);
    if (n > size || !str_utf8_valid(s, n, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct form f, again;
    struct err err, err2;
    int rc = form_parse(&f, (const char *)data, size, &err);
    int rc2 = form_parse(&again, (const char *)data, size, &err2);

    if (rc != rc2 || f.n != again.n)
        abort();
    if (rc < 0) {
        if (f.n != 0 || strncmp(err.msg, "form: ", 6) != 0 || strchr(err.msg, '\n') ||
            strcmp(err.msg, err2.msg) != 0)
            abort();
    } else {
        if (f.n > FORM_MAX_PAIRS)
            abort();
        for (size_t i = 0; i < f.n; i++) {
            check_text(f.pairs[i].name, size);
            check_text(f.pairs[i].value, size);
            if (form_get(&f, f.pairs[i].name) != f.pairs[i].value)
                abort();
            if (strcmp(f.pairs[i].value, again.pairs[i].value) != 0)
                abort();
        }
    }
    form_dispose(&f);
    form_dispose(&again);
    return 0;
}
