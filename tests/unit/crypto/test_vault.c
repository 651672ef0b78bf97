/* tests/unit/crypto/test_vault.c - the keyring and sealing: key sources
 * (cases in tests/data/vault/keys.txt), round trips, a blob made by an
 * independent AES-GCM implementation, nonce uniqueness, every bit flip and
 * every truncation, wrong associated data and keys, rotation, the key file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/encode.h"
#include "crypto/vault.h"
#include "test.h"

#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" /* bytes 0..31 */
#define KEY_B "//////////////////////////////////////////8=" /* 32 x 0xff */
#define KEY_C "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=" /* bytes 100..131 */
#define AAD   "credentials/t1/42/token"

static struct vault *ring(const char *text)
{
    struct secret s = {0};
    struct vault *v = NULL;
    struct err e;
    secret_set(&s, text, strlen(text));
    int rc = vault_parse_keys(&v, &s, "INLET_KEYS", &e);
    secret_dispose(&s);
    if (rc != 0)
        fail_msg("ring %s: %s", text, e.msg);
    return v;
}

static void seal(unsigned char **blob, size_t *n, const struct vault *v, const void *pt,
                 size_t ptlen, const char *aad)
{
    struct err e;
    if (vault_seal(blob, n, v, pt, ptlen, aad, aad ? strlen(aad) : 0, &e) != 0)
        fail_msg("seal: %s", e.msg);
}

/* Open, expecting ERR_CRYPTO and no output; returns the message. */
static const char *open_fails(const struct vault *v, const void *blob, size_t n, const char *aad)
{
    static struct err e;
    struct secret out = {0};
    int rc = vault_open(&out, v, blob, n, aad, aad ? strlen(aad) : 0, &e);
    if (rc != ERR_CRYPTO)
        fail_msg("open of %zu bytes: rc %d (%s), expected ERR_CRYPTO", n, rc, e.msg);
    assert_null(out.p);
    assert_int_equal(out.n, 0);
    return e.msg;
}

static void open_ok(const struct vault *v, const void *blob, size_t n, const char *aad,
                    const void *want, size_t wantlen)
{
    struct secret out = {0};
    struct err e;
    if (vault_open(&out, v, blob, n, aad, aad ? strlen(aad) : 0, &e) != 0)
        fail_msg("open: %s", e.msg);
    assert_int_equal(out.n, wantlen);
    if (wantlen)
        assert_memory_equal(out.p, want, wantlen);
    assert_int_equal(out.p[wantlen], '\0');
    secret_dispose(&out);
}

/* --- key sources, from the data file --- */

static size_t unescape(char *out, const char *in)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p != '\\' || !p[1]) {
            out[n++] = *p;
            continue;
        }
        switch (*++p) {
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case '0':
            out[n++] = '\0';
            break;
        case 'x': {
            char hex[3] = {p[1], p[1] ? p[2] : 0, 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            p += 2;
            break;
        }
        default:
            out[n++] = *p;
        }
    }
    return n;
}

/* True when msg holds any run of 33 or more bytes of input: longer than any
 * key id can be, so it would be key material. */
static bool quotes_input(const char *msg, const char *in, size_t n)
{
    size_t m = strlen(msg);
    for (size_t i = 0; i + 33 <= m; i++)
        for (size_t j = 0; j + 33 <= n; j++)
            if (memcmp(msg + i, in + j, 33) == 0)
                return true;
    return false;
}

static void run_case(const char *source, const char *input, const char *expect, int line)
{
    char *raw = xmalloc(strlen(input) + 1);
    size_t n = unescape(raw, input);
    struct secret text = {0};
    struct vault *v = NULL;
    struct err e = {0};
    char *dir = NULL, path[512], want[1024];
    int rc;

    secret_set(&text, raw, n);
    snprintf(want, sizeof(want), "%s", expect);
    if (strcmp(source, "keys") == 0) {
        rc = vault_parse_keys(&v, &text, "INLET_KEYS", &e);
    } else if (strcmp(source, "single") == 0) {
        rc = vault_parse_single_key(&v, &text, "INTEGRATION_ENCRYPTION_KEY", &e);
    } else if (strcmp(source, "file") == 0) {
        bool created = true;
        dir = test_tmpdir();
        snprintf(path, sizeof(path), "%s/vault.key", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, raw, n), (ssize_t)n);
        close(fd);
        rc = vault_load_or_create_file(&v, path, &created, &e);
        assert_false(created);
        char *at = strstr(expect, "{path}");
        if (at)
            snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - expect), expect, path, at + 6);
    } else {
        fail_msg("keys.txt:%d: unknown source '%s'", line, source);
    }

    if (strncmp(want, "ok: ", 4) == 0) {
        if (rc != 0)
            fail_msg("keys.txt:%d: expected %s, got '%s'", line, want, e.msg);
        char ids[1024] = "";
        for (size_t i = 0; i < vault_key_count(v); i++)
            snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", i ? " " : "",
                     vault_key_id(v, i));
        if (strcmp(ids, want + 4) != 0)
            fail_msg("keys.txt:%d: ids '%s', expected '%s'", line, ids, want + 4);
        assert_string_equal(vault_active_id(v), vault_key_id(v, 0));
    } else if (strncmp(want, "error: ", 7) == 0) {
        if (rc != ERR_INVALID || strcmp(e.msg, want + 7) != 0)
            fail_msg("keys.txt:%d: rc %d\n  got      '%s'\n  expected '%s'", line, rc, e.msg,
                     want + 7);
        if (quotes_input(e.msg, raw, n))
            fail_msg("keys.txt:%d: message quotes the input: %s", line, e.msg);
        assert_null(v);
    } else {
        fail_msg("keys.txt:%d: expected 'ok:' or 'error:'", line);
    }
    vault_free(v);
    secret_dispose(&text);
    xfree(raw);
    if (dir) {
        test_tmpdir_remove(dir);
        xfree(dir);
    }
}

static void key_sources_from_data(void **state)
{
    (void)state;
    char *data = test_read_file("tests/data/vault/keys.txt", NULL);
    assert_non_null(data);
    int line = 0, cases = 0, in_line = 0;
    char *source = NULL, *input = NULL;
    for (char *p = data, *next; *p; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        line++;
        if (*p == '#' || *p == '\0')
            continue;
        if (!source) {
            char *colon = strchr(p, ':');
            assert_non_null(colon);
            *colon = '\0';
            source = p;
            input = colon[1] == ' ' ? colon + 2 : colon + 1;
            in_line = line;
        } else {
            run_case(source, input, p, in_line);
            source = NULL;
            cases++;
        }
    }
    assert_null(source);
    assert_true(cases >= 50); /* the whole file was read */
    xfree(data);
}

static void caps_on_key_text(void **state)
{
    (void)state;
    struct buf b;
    struct vault *v = NULL;
    struct err e;
    struct secret s = {0};

    buf_init(&b, 0);
    for (int i = 0; i < VAULT_MAX_KEYS + 1; i++) {
        unsigned char key[32] = {0};
        char b64[ENCODE_B64_LEN(32) + 1];
        key[0] = (unsigned char)i;
        encode_b64_format(b64, key, sizeof(key));
        buf_printf(&b, "%sk%d:%s", i ? "," : "", i, b64);
    }
    secret_set(&s, b.p, b.n);
    assert_int_equal(vault_parse_keys(&v, &s, "INLET_KEYS", &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "INLET_KEYS: more than 64 entries");
    secret_dispose(&s);

    /* 64 are fine. */
    char *cut = strstr(b.p, ",k64:");
    assert_non_null(cut);
    secret_set(&s, b.p, (size_t)(cut - b.p));
    assert_int_equal(vault_parse_keys(&v, &s, "INLET_KEYS", &e), 0);
    assert_int_equal(vault_key_count(v), 64);
    assert_string_equal(vault_active_id(v), "k0");
    assert_true(vault_has_key(v, "k63"));
    vault_free(v);
    secret_dispose(&s);

    buf_reset(&b);
    for (int i = 0; i < VAULT_KEYS_MAX_LEN + 1; i++)
        buf_putc(&b, ' ');
    secret_set(&s, b.p, b.n);
    assert_int_equal(vault_parse_keys(&v, &s, "INLET_KEYS", &e), ERR_TOOBIG);
    assert_string_equal(e.msg, "INLET_KEYS: 8193 bytes, at most 8192");
    assert_int_equal(vault_parse_single_key(&v, &s, "K", &e), ERR_TOOBIG);
    secret_dispose(&s);
    buf_dispose(&b);

    /* An empty secret (NULL pointer) is an empty value, not a crash. */
    struct secret none = {0};
    assert_int_equal(vault_parse_keys(&v, &none, "INLET_KEYS", &e), ERR_INVALID);
    assert_int_equal(vault_parse_single_key(&v, &none, "K", &e), ERR_INVALID);
    assert_string_equal(e.msg, "K: expected 64 hex characters or base64 of 32 bytes (it is empty)");
}

static void generated_keys_parse_and_differ(void **state)
{
    (void)state;
    struct secret a = {0}, b = {0};
    struct vault *va = NULL, *vb = NULL;
    struct err e;

    vault_key_generate(&a);
    vault_key_generate(&b);
    assert_int_equal(a.n, 9 + 1 + 44);
    assert_int_equal(a.p[0], 'k');
    assert_int_equal(a.p[9], ':');
    assert_string_not_equal((char *)a.p, (char *)b.p);
    assert_int_equal(vault_parse_keys(&va, &a, "INLET_KEYS", &e), 0);
    /* The generated id is the derived one: the same key alone gets it too. */
    struct secret key = {0};
    secret_set(&key, a.p + 10, 44);
    assert_int_equal(vault_parse_single_key(&vb, &key, "INTEGRATION_ENCRYPTION_KEY", &e), 0);
    assert_string_equal(vault_active_id(va), vault_active_id(vb));
    assert_memory_equal(vault_active_id(va), a.p, 9);

    unsigned char *blob;
    size_t n;
    seal(&blob, &n, va, "x", 1, AAD);
    open_ok(vb, blob, n, AAD, "x", 1);
    xfree(blob);
    vault_free(va);
    vault_free(vb);
    secret_dispose(&key);
    secret_dispose(&a);
    secret_dispose(&b);
}

/* --- sealing --- */

static void round_trips(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    unsigned char *blob;
    size_t n;

    seal(&blob, &n, v, NULL, 0, AAD);
    assert_int_equal(n, VAULT_OVERHEAD(2));
    open_ok(v, blob, n, AAD, "", 0);
    xfree(blob);

    seal(&blob, &n, v, "s", 1, AAD);
    assert_int_equal(n, 1 + VAULT_OVERHEAD(2));
    assert_int_equal(blob[0], VAULT_VERSION);
    assert_int_equal(blob[1], 2);
    assert_memory_equal(blob + 2, "k1", 2);
    open_ok(v, blob, n, AAD, "s", 1);
    xfree(blob);

    /* Without associated data (allowed, though callers should pass one). */
    seal(&blob, &n, v, "s", 1, NULL);
    open_ok(v, blob, n, NULL, "s", 1);
    open_fails(v, blob, n, AAD);
    xfree(blob);

    size_t big = 1 << 20;
    unsigned char *pt = xmalloc(big);
    for (size_t i = 0; i < big; i++)
        pt[i] = (unsigned char)(i * 31 + (i >> 8));
    seal(&blob, &n, v, pt, big, AAD);
    assert_int_equal(n, big + VAULT_OVERHEAD(2));
    assert_memory_not_equal(blob + VAULT_OVERHEAD(2) - VAULT_TAG_LEN, pt, 64);
    open_ok(v, blob, n, AAD, pt, big);
    blob[n / 2] ^= 1;
    open_fails(v, blob, n, AAD);
    xfree(blob);
    xfree(pt);
    vault_free(v);
}

/* A blob built by Python's `cryptography` AESGCM from the documented format:
 * key A, id "kat", nonce 00..0b, AAD = header || AAD, plaintext below. It
 * pins the format: a change that breaks it orphans every stored secret. */
static void opens_independent_blob(void **state)
{
    (void)state;
    const char *hex = "01036b6174000102030405060708090a0b2f67ba77aac9e26dec34fbff6ec1bbb7209887"
                      "234770b80c44c7e7d9";
    unsigned char blob[64];
    size_t n;
    char id[VAULT_ID_MAX + 1];
    struct err e;

    assert_int_equal(encode_hex_parse(blob, &n, hex, strlen(hex), NULL, &e), 0);
    struct vault *v = ring("other:" KEY_B ",kat:" KEY_A);
    assert_int_equal(vault_blob_key_id(id, blob, n, &e), 0);
    assert_string_equal(id, "kat");
    open_ok(v, blob, n, AAD, "hello, vault", 12);
    assert_string_equal(open_fails(v, blob, n, "credentials/t1/43/token"),
                        "sealed value failed to authenticate under key 'kat': it was changed, "
                        "or sealed with other associated data or another key of that id");
    vault_free(v);
}

static int cmp_nonce(const void *a, const void *b)
{
    return memcmp(a, b, VAULT_NONCE_LEN);
}

static void nonces_are_fresh(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    enum { SEALS = 4096 };
    unsigned char(*nonces)[VAULT_NONCE_LEN] = xmalloc(SEALS * VAULT_NONCE_LEN);
    unsigned char *first = NULL, *blob;
    size_t n;

    for (int i = 0; i < SEALS; i++) {
        seal(&blob, &n, v, "same plaintext", 14, AAD);
        memcpy(nonces[i], blob + 4, VAULT_NONCE_LEN);
        if (!first)
            first = blob;
        else {
            assert_memory_not_equal(first + 4, blob + 4, n - 4);
            xfree(blob);
        }
    }
    qsort(nonces, SEALS, VAULT_NONCE_LEN, cmp_nonce);
    for (int i = 1; i < SEALS; i++)
        assert_memory_not_equal(nonces[i - 1], nonces[i], VAULT_NONCE_LEN);
    xfree(first);
    xfree(nonces);
    vault_free(v);
}

static void every_bit_flip_fails(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A ",k3:" KEY_C);
    unsigned char *blob;
    size_t n;

    seal(&blob, &n, v, "refresh-token-5bd3", 18, AAD);
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            blob[i] ^= (unsigned char)(1u << bit);
            open_fails(v, blob, n, AAD);
            blob[i] ^= (unsigned char)(1u << bit);
        }
    }
    open_ok(v, blob, n, AAD, "refresh-token-5bd3", 18);
    /* The id bytes of the header are authenticated too: "k1" -> "k3" names
     * a key that is in the ring, and still fails. */
    blob[3] = '3';
    assert_string_equal(open_fails(v, blob, n, AAD),
                        "sealed value failed to authenticate under key 'k3': it was changed, "
                        "or sealed with other associated data or another key of that id");
    xfree(blob);
    vault_free(v);
}

static void every_truncation_fails(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    unsigned char *blob, *longer;
    size_t n;

    seal(&blob, &n, v, "abc", 3, AAD);
    for (size_t len = 0; len < n; len++) {
        unsigned char *copy = xmalloc(len + 1); /* exact size, so ASan sees overreads */
        memcpy(copy, blob, len);
        open_fails(v, copy, len, AAD);
        xfree(copy);
    }
    longer = xmalloc(n + 1);
    memcpy(longer, blob, n);
    longer[n] = 0;
    open_fails(v, longer, n + 1, AAD);
    xfree(longer);
    xfree(blob);
    vault_free(v);
}

static void header_messages(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    unsigned char *blob;
    size_t n;
    char id[VAULT_ID_MAX + 1];
    struct err e;

    seal(&blob, &n, v, "abc", 3, AAD);
    assert_string_equal(open_fails(v, blob, 0, AAD),
                        "sealed value is truncated: 0 bytes, a version 1 value is at least 31");
    assert_string_equal(open_fails(v, blob, 3, AAD),
                        "sealed value is truncated: 3 bytes, a version 1 value is at least 32");
    assert_string_equal(open_fails(v, blob, VAULT_OVERHEAD(2) - 1, AAD),
                        "sealed value is truncated: 31 bytes, a version 1 value is at least 32");
    assert_int_equal(vault_blob_key_id(id, blob, 4, &e), 0); /* the header is enough */
    assert_string_equal(id, "k1");
    assert_int_equal(vault_blob_key_id(id, blob, 3, &e), ERR_CRYPTO);

    blob[0] = 2;
    assert_string_equal(open_fails(v, blob, n, AAD),
                        "sealed value has unknown format version 2 (this build reads version 1)");
    assert_int_equal(vault_blob_key_id(id, blob, n, &e), ERR_CRYPTO);
    assert_string_equal(e.msg,
                        "sealed value has unknown format version 2 (this build reads version 1)");
    blob[0] = VAULT_VERSION;
    blob[1] = 0;
    assert_string_equal(open_fails(v, blob, n, AAD),
                        "sealed value is malformed: key id length 0 at byte 1 (expected 1..32)");
    blob[1] = 33;
    assert_string_equal(open_fails(v, blob, n, AAD),
                        "sealed value is malformed: key id length 33 at byte 1 (expected 1..32)");
    blob[1] = 2;
    blob[3] = '\n';
    assert_string_equal(open_fails(v, blob, n, AAD), "sealed value is malformed: key id has a "
                                                     "byte other than A-Z a-z 0-9 _ - at byte 3");
    blob[3] = '9';
    assert_string_equal(open_fails(v, blob, n, AAD),
                        "sealed with key 'k9', which is not in the keyring");
    assert_int_equal(vault_blob_key_id(id, blob, n, &e), 0);
    assert_string_equal(id, "k9");
    xfree(blob);
    vault_free(v);
}

static void wrong_aad_fails(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    unsigned char *blob;
    size_t n;

    seal(&blob, &n, v, "tok", 3, AAD);
    open_ok(v, blob, n, AAD, "tok", 3);
    open_fails(v, blob, n, NULL);
    open_fails(v, blob, n, "");
    open_fails(v, blob, n, "credentials/t1/42/toke");
    open_fails(v, blob, n, "credentials/t1/42/tokenx");
    open_fails(v, blob, n, "credentials/t2/42/token");
    open_fails(v, blob, n, "oauth_states/t1/42/token");
    /* Moving bytes between the header and the AAD changes nothing: the
     * header carries its own length. */
    struct secret out = {0};
    struct err e;
    assert_int_equal(vault_open(&out, v, blob, n, "\x01\x02k1" AAD, strlen(AAD) + 4, &e),
                     ERR_CRYPTO);
    xfree(blob);
    vault_free(v);
}

static void wrong_key_fails(void **state)
{
    (void)state;
    struct vault *mine = ring("k1:" KEY_A);
    struct vault *same_id = ring("k1:" KEY_B);
    struct vault *other = ring("prod-2:" KEY_A ",prod-1:" KEY_C);
    unsigned char *blob;
    size_t n;

    seal(&blob, &n, mine, "tok", 3, AAD);
    assert_string_equal(open_fails(same_id, blob, n, AAD),
                        "sealed value failed to authenticate under key 'k1': it was changed, "
                        "or sealed with other associated data or another key of that id");
    /* Another ring holding the very same key under another id: the id is
     * authenticated, so it does not open there either. */
    assert_string_equal(open_fails(other, blob, n, AAD),
                        "sealed with key 'k1', which is not in the keyring");
    xfree(blob);
    vault_free(mine);
    vault_free(same_id);
    vault_free(other);
}

static void rotation(void **state)
{
    (void)state;
    struct vault *old = ring("2024:" KEY_A);
    struct vault *both = ring("2025:" KEY_C ",2024:" KEY_A);
    unsigned char *was, *now;
    size_t wasn, nown;
    char id[VAULT_ID_MAX + 1];
    struct err e;

    assert_string_equal(vault_active_id(both), "2025");
    assert_true(vault_has_key(both, "2024"));
    assert_true(vault_has_key(both, "2025"));
    assert_false(vault_has_key(both, "2023"));
    assert_false(vault_has_key(both, "202"));
    assert_false(vault_has_key(both, ""));

    seal(&was, &wasn, old, "client-secret", 13, AAD);
    assert_int_equal(vault_blob_key_id(id, was, wasn, &e), 0);
    assert_string_equal(id, "2024");
    open_ok(both, was, wasn, AAD, "client-secret", 13);

    /* Re-seal as the rotation will: open with any key, seal with the active. */
    struct secret pt = {0};
    assert_int_equal(vault_open(&pt, both, was, wasn, AAD, strlen(AAD), &e), 0);
    seal(&now, &nown, both, pt.p, pt.n, AAD);
    secret_dispose(&pt);
    assert_int_equal(vault_blob_key_id(id, now, nown, &e), 0);
    assert_string_equal(id, "2025");
    open_ok(both, now, nown, AAD, "client-secret", 13);
    assert_string_equal(open_fails(old, now, nown, AAD),
                        "sealed with key '2025', which is not in the keyring");
    xfree(was);
    xfree(now);
    vault_free(old);
    vault_free(both);
}

static void size_caps(void **state)
{
    (void)state;
    struct vault *v = ring("k1:" KEY_A);
    unsigned char *blob = NULL, small[8] = {0};
    size_t n = 0;
    struct err e;
    char aad[VAULT_AAD_MAX + 1];
    memset(aad, 'a', sizeof(aad));

    /* The caps are checked before anything is read. */
    assert_int_equal(vault_seal(&blob, &n, v, small, VAULT_PLAINTEXT_MAX + 1, NULL, 0, &e),
                     ERR_TOOBIG);
    assert_string_equal(e.msg, "value to seal is 16777217 bytes, at most 16777216");
    assert_int_equal(vault_seal(&blob, &n, v, small, 1, aad, sizeof(aad), &e), ERR_TOOBIG);
    assert_null(blob);
    seal(&blob, &n, v, small, 1, NULL);
    struct secret out = {0};
    assert_int_equal(vault_open(&out, v, blob, n, aad, sizeof(aad), &e), ERR_TOOBIG);
    assert_int_equal(
        vault_open(&out, v, blob, VAULT_PLAINTEXT_MAX + VAULT_OVERHEAD(32) + 1, NULL, 0, &e),
        ERR_TOOBIG);
    assert_null(out.p);
    xfree(blob);
    vault_free(v);
}

/* --- the key file --- */

static void key_file_created_then_reloaded(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char path[512];
    struct vault *v1 = NULL, *v2 = NULL;
    bool created = false;
    struct err e;
    struct stat st;

    snprintf(path, sizeof(path), "%s/vault.key", dir);
    mode_t was = umask(0); /* the file must be 0600 whatever the umask */
    int rc = vault_load_or_create_file(&v1, path, &created, &e);
    umask(was);
    if (rc != 0)
        fail_msg("%s", e.msg);
    assert_true(created);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    size_t len;
    char *text = test_read_file(path, &len);
    assert_int_equal(len, 9 + 1 + 44 + 1);
    assert_int_equal(text[len - 1], '\n');
    assert_memory_equal(text, vault_active_id(v1), 9);
    xfree(text);

    /* Nothing but the key file is left in the directory. */
    char other[512];
    snprintf(other, sizeof(other), "ls -A '%s' | grep -vqx vault.key", dir);
    assert_int_not_equal(system(other), 0);

    assert_int_equal(vault_load_or_create_file(&v2, path, &created, &e), 0);
    assert_false(created);
    assert_string_equal(vault_active_id(v1), vault_active_id(v2));
    unsigned char *blob;
    size_t n;
    seal(&blob, &n, v1, "kept across restarts", 20, AAD);
    open_ok(v2, blob, n, AAD, "kept across restarts", 20);
    xfree(blob);
    vault_free(v1);
    vault_free(v2);

    /* Stricter than 0600 is fine. */
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(vault_load_or_create_file(&v2, path, &created, &e), 0);
    vault_free(v2);

    test_tmpdir_remove(dir);
    xfree(dir);
}

static void key_file_refused(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char path[512], want[1024];
    struct vault *v = NULL;
    bool created = true;
    struct err e;

    snprintf(path, sizeof(path), "%s/vault.key", dir);
    assert_int_equal(vault_load_or_create_file(&v, path, &created, &e), 0);
    vault_free(v);
    v = NULL;

    const mode_t modes[] = {0640, 0604, 0610, 0660, 0644, 0700};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        assert_int_equal(chmod(path, modes[i]), 0);
        assert_int_equal(vault_load_or_create_file(&v, path, &created, &e),
                         modes[i] & 077 ? ERR_INVALID : 0);
        if (!(modes[i] & 077)) {
            vault_free(v);
            v = NULL;
            continue;
        }
        assert_null(v);
        assert_false(created);
        snprintf(want, sizeof(want),
                 "key file %s: mode %04o lets group or others at the key; it must be 0600 or "
                 "stricter (chmod 600)",
                 path, (unsigned)modes[i]);
        assert_string_equal(e.msg, want);
    }

    /* A directory in its place is not replaced. */
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(vault_load_or_create_file(&v, sub, &created, &e), ERR_INVALID);
    snprintf(want, sizeof(want), "key file %s: not a regular file", sub);
    assert_string_equal(e.msg, want);

    /* A missing directory is the caller's to make. */
    snprintf(sub, sizeof(sub), "%s/missing/vault.key", dir);
    assert_int_equal(vault_load_or_create_file(&v, sub, &created, &e), ERR_IO);
    assert_false(created);
    assert_non_null(strstr(e.msg, "No such file or directory"));

    /* An empty file (say, from a crash of some other writer) is an error,
     * never silently replaced by a new key. */
    snprintf(sub, sizeof(sub), "%s/empty.key", dir);
    int fd = open(sub, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(vault_load_or_create_file(&v, sub, &created, &e), ERR_INVALID);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_size, 0);

    test_tmpdir_remove(dir);
    xfree(dir);
}

/* Processes starting together on a fresh data dir must end up with one key:
 * the file is linked into place only if absent, and a loser loads the
 * winner's. Each child reports the id it got through a pipe. */
static void key_file_racing_creators_agree(void **state)
{
    (void)state;
    enum { ROUNDS = 20, PROCS = 6 };
    char *dir = test_tmpdir();
    char path[512];

    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        snprintf(path, sizeof(path), "%s/race-%d.key", dir, round);
        assert_int_equal(pipe(fds), 0);
        for (int i = 0; i < PROCS; i++) {
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                struct vault *v = NULL;
                bool created;
                char line[VAULT_ID_MAX + 2] = "!";
                if (vault_load_or_create_file(&v, path, &created, NULL) == 0)
                    snprintf(line, sizeof(line), "%-*s\n", VAULT_ID_MAX, vault_active_id(v));
                if (write(fds[1], line, strlen(line)) < 0)
                    _exit(2);
                vault_free(v);
                _exit(0);
            }
        }
        close(fds[1]);
        char got[PROCS][VAULT_ID_MAX + 2];
        for (int i = 0; i < PROCS; i++) {
            size_t n = 0;
            while (n < VAULT_ID_MAX + 1) {
                ssize_t r = read(fds[0], got[i] + n, VAULT_ID_MAX + 1 - n);
                if (r <= 0)
                    break;
                n += (size_t)r;
            }
            got[i][n] = '\0';
            assert_int_equal(n, VAULT_ID_MAX + 1);
            assert_string_equal(got[i], got[0]);
        }
        close(fds[0]);
        for (int i = 0; i < PROCS; i++) {
            int status;
            assert_true(wait(&status) > 0);
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
    /* No temporary file survived any round. */
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q tmp", dir);
    assert_int_not_equal(system(cmd), 0);
    test_tmpdir_remove(dir);
    xfree(dir);
}

int test_vault(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_sources_from_data),
        cmocka_unit_test(caps_on_key_text),
        cmocka_unit_test(generated_keys_parse_and_differ),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(opens_independent_blob),
        cmocka_unit_test(nonces_are_fresh),
        cmocka_unit_test(every_bit_flip_fails),
        cmocka_unit_test(every_truncation_fails),
        cmocka_unit_test(header_messages),
        cmocka_unit_test(wrong_aad_fails),
        cmocka_unit_test(wrong_key_fails),
        cmocka_unit_test(rotation),
        cmocka_unit_test(size_caps),
        cmocka_unit_test(key_file_created_then_reloaded),
        cmocka_unit_test(key_file_refused),
        cmocka_unit_test(key_file_racing_creators_agree),
    };
    return test_group("vault", tests, NULL, NULL);
}
