/* crypto/vault_keys.c - where keyrings come from: INLET_KEYS text, a single
 * INTEGRATION_ENCRYPTION_KEY, or the key file of the embedded default, which
 * is created on first start. Every message names the source and the entry
 * and never the key; every copy of key bytes made here is wiped. */
#include "crypto/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "core/str.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/vault_int.h"

/* The label in front of the key when its id is derived, so that the id says
 * nothing about SHA-256(key) used anywhere else. Changing it changes every
 * derived id, which orphans every blob sealed under one: never do. */
static const char id_label[] = "inlet vault key id v1";

static const char single_expected[] = "expected 64 hex characters or base64 of 32 bytes";

static void derive_id(char id[VAULT_ID_MAX + 1], const unsigned char key[VAULT_KEY_LEN])
{
    unsigned char msg[sizeof(id_label) + VAULT_KEY_LEN]; /* the label's NUL separates */
    unsigned char md[HASH_SHA256_LEN];

    memcpy(msg, id_label, sizeof(id_label));
    memcpy(msg + sizeof(id_label), key, VAULT_KEY_LEN);
    hash_sha256(md, msg, sizeof(msg));
    OPENSSL_cleanse(msg, sizeof(msg));
    id[0] = 'k';
    encode_hex_format(id + 1, md, 4);
}

/* Decode base64 key text into key; the message says which entry. */
static int parse_key_b64(unsigned char key[VAULT_KEY_LEN], struct str text, const char *what,
                         struct err *err)
{
    size_t cap = ENCODE_B64_DECODED_MAX(text.n), len = 0;
    unsigned char *raw = xmalloc(cap + 1);
    int rc = encode_b64_parse(raw, &len, text.p, text.n, what, err);
    if (rc == 0 && len != VAULT_KEY_LEN)
        rc = err_set(err, ERR_INVALID, "%s is %zu bytes, expected %d (base64 of %d random bytes)",
                     what, len, VAULT_KEY_LEN, VAULT_KEY_LEN);
    if (rc == 0)
        memcpy(key, raw, VAULT_KEY_LEN);
    OPENSSL_cleanse(raw, cap + 1);
    xfree(raw);
    return rc;
}

static int parse_entry(struct vault_key *k, struct str e, size_t i, const char *var,
                       struct err *err)
{
    struct str id, key;
    char what[ERR_MSG_MAX];

    if (e.n == 0)
        return err_set(err, ERR_INVALID, "%s: entry %zu is empty", var, i);
    if (!str_split(e, ':', &id, &key))
        return err_set(err, ERR_INVALID, "%s: entry %zu: expected id:base64key, found no ':'", var,
                       i);
    /* The id is printed only once it is known to be a well-formed id: text
     * in the wrong place (key:id, or a bare key) must not reach a message. */
    if (id.n == 0)
        return err_set(err, ERR_INVALID, "%s: entry %zu: key id is empty", var, i);
    if (id.n > VAULT_ID_MAX)
        return err_set(err, ERR_INVALID, "%s: entry %zu: key id is %zu characters, at most %d", var,
                       i, id.n, VAULT_ID_MAX);
    size_t bad = vault__id_bad(id.p, id.n);
    if (bad < id.n)
        return err_set(err, ERR_INVALID,
                       "%s: entry %zu: key id may only have A-Z a-z 0-9 _ -, "
                       "found another character at byte %zu",
                       var, i, bad);
    memcpy(k->id, id.p, id.n);
    k->id[id.n] = '\0';
    if (key.n == 0)
        return err_set(err, ERR_INVALID, "%s: entry %zu (\"%s\"): key is empty", var, i, k->id);
    snprintf(what, sizeof(what), "%s: entry %zu (\"%s\"): key", var, i, k->id);
    return parse_key_b64(k->key, key, what, err);
}

static int parse_keys(struct vault **out, const char *p, size_t n, const char *var, struct err *err)
{
    struct vault_key *keys = NULL;
    size_t count = 0;
    int rc = 0;

    if (n > VAULT_KEYS_MAX_LEN)
        return err_set(err, ERR_TOOBIG, "%s: %zu bytes, at most %d", var, n, VAULT_KEYS_MAX_LEN);
    struct str rest = str_trim((struct str){p, n});
    if (rest.n == 0)
        return err_set(err, ERR_INVALID, "%s: empty; expected id:base64key[,id:base64key...]", var);
    keys = xcalloc(VAULT_MAX_KEYS, sizeof(*keys));
    for (bool more = true; more; count++) {
        struct str entry;
        more = str_split(rest, ',', &entry, &rest);
        if (count == VAULT_MAX_KEYS) {
            rc = err_set(err, ERR_TOOBIG, "%s: more than %d entries", var, VAULT_MAX_KEYS);
            goto done;
        }
        struct vault_key *k = &keys[count];
        rc = parse_entry(k, str_trim(entry), count + 1, var, err);
        if (rc < 0)
            goto done;
        for (size_t j = 0; j < count; j++) {
            if (strcmp(keys[j].id, k->id) == 0) {
                rc = err_set(err, ERR_INVALID, "%s: entry %zu (\"%s\"): key id repeats entry %zu",
                             var, count + 1, k->id, j + 1);
                goto done;
            }
            if (CRYPTO_memcmp(keys[j].key, k->key, VAULT_KEY_LEN) == 0) {
                rc = err_set(err, ERR_INVALID,
                             "%s: entry %zu (\"%s\"): same key as entry %zu (\"%s\")", var,
                             count + 1, k->id, j + 1, keys[j].id);
                goto done;
            }
        }
    }
    rc = vault__new(out, keys, count, err);
    keys = NULL;
done:
    if (keys) {
        OPENSSL_cleanse(keys, VAULT_MAX_KEYS * sizeof(*keys));
        xfree(keys);
    }
    return rc;
}

int vault_parse_keys(struct vault **out, const struct secret *text, const char *var,
                     struct err *err)
{
    return parse_keys(out, (const char *)text->p, text->n, var, err);
}

/* Whether every character of s is a hex digit. */
static bool all_hex(struct str s)
{
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

int vault_parse_single_key(struct vault **out, const struct secret *text, const char *var,
                           struct err *err)
{
    struct str t = str_trim((struct str){(const char *)text->p, text->n});
    struct vault_key *k = NULL;
    struct err why;
    size_t len = 0;
    int rc;

    if (text->n > VAULT_KEYS_MAX_LEN)
        return err_set(err, ERR_TOOBIG, "%s: %zu bytes, at most %d", var, text->n,
                       VAULT_KEYS_MAX_LEN);
    if (t.n == 0)
        return err_set(err, ERR_INVALID, "%s: %s (it is empty)", var, single_expected);
    if (t.n != 2 * (size_t)VAULT_KEY_LEN && all_hex(t))
        return err_set(err, ERR_INVALID, "%s: %s (found %zu hex characters)", var, single_expected,
                       t.n);
    if (memchr(t.p, ':', t.n))
        return err_set(err, ERR_INVALID,
                       "%s: %s (found a ':'; id:base64key lists go in "
                       "INLET_KEYS)",
                       var, single_expected);

    k = xcalloc(1, sizeof(*k));
    if (t.n == 2 * (size_t)VAULT_KEY_LEN) {
        /* 64 characters are hex or nothing: as base64 they would be 48 bytes. */
        rc = encode_hex_parse(k->key, &len, t.p, t.n, NULL, &why);
        if (rc < 0) {
            rc = err_set(err, ERR_INVALID, "%s: %s (%s)", var, single_expected, why.msg);
            goto done;
        }
    } else {
        unsigned char *raw = xmalloc(ENCODE_B64_DECODED_MAX(t.n) + 1);
        rc = encode_b64_parse(raw, &len, t.p, t.n, NULL, &why);
        if (rc < 0)
            rc = err_set(err, ERR_INVALID, "%s: %s (%s)", var, single_expected, why.msg);
        else if (len != VAULT_KEY_LEN)
            rc = err_set(err, ERR_INVALID, "%s: %s (found base64 of %zu bytes)", var,
                         single_expected, len);
        else
            memcpy(k->key, raw, VAULT_KEY_LEN);
        OPENSSL_cleanse(raw, ENCODE_B64_DECODED_MAX(t.n) + 1);
        xfree(raw);
        if (rc < 0)
            goto done;
    }
    derive_id(k->id, k->key);
    rc = vault__new(out, k, 1, err);
    k = NULL;
done:
    if (k) {
        OPENSSL_cleanse(k, sizeof(*k));
        xfree(k);
    }
    return rc;
}

void vault_key_generate(struct secret *out)
{
    unsigned char key[VAULT_KEY_LEN];
    char id[VAULT_ID_MAX + 1];
    size_t cap = VAULT_ID_MAX + 1 + ENCODE_B64_LEN(VAULT_KEY_LEN) + 1;
    char *line = xmalloc(cap);

    random_bytes(key, sizeof(key));
    derive_id(id, key);
    size_t n = strlen(id);
    memcpy(line, id, n); // NOLINT(bugprone-not-null-terminated-result): more follows
    line[n++] = ':';
    n += encode_b64_format(line + n, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    secret_take(out, (unsigned char *)line, n);
}

/* Read the key file at path. ERR_NOTFOUND (message set) when it is absent. */
static int load_file(struct vault **out, const char *path, struct err *err)
{
    char var[ERR_MSG_MAX];
    char text[VAULT_KEYS_MAX_LEN + 1];
    size_t n = 0;
    struct stat st;
    int fd, rc = 0;

    snprintf(var, sizeof(var), "key file %s", path);
    /* O_NONBLOCK: a FIFO planted at path must not hang the start. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", var,
                       strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = err_set(err, ERR_IO, "%s: %s", var, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = err_set(err, ERR_INVALID, "%s: not a regular file", var);
        goto done;
    }
    if (st.st_mode & 077) {
        rc = err_set(err, ERR_INVALID,
                     "%s: mode %04o lets group or others at the key; it must be 0600 or "
                     "stricter (chmod 600)",
                     var, (unsigned)(st.st_mode & 07777));
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, text + n, sizeof(text) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_set(err, ERR_IO, "%s: %s", var, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof(text)) {
            rc = err_set(err, ERR_TOOBIG, "%s: over %d bytes", var, VAULT_KEYS_MAX_LEN);
            goto done;
        }
    }
    rc = parse_keys(out, text, n, var, err);
done:
    OPENSSL_cleanse(text, n);
    close(fd);
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding path, so that the new name survives a crash. */
static int sync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Make the key file. ERR_CONFLICT (message set) when one appeared meanwhile. */
static int create_file(struct vault **out, const char *path, struct err *err)
{
    char var[ERR_MSG_MAX];
    char tmp[PATH_MAX];
    unsigned char rnd[8];
    char suffix[ENCODE_HEX_LEN(sizeof(rnd)) + 1];
    struct secret line = {0};
    bool made = false;
    int fd = -1, rc = 0;

    snprintf(var, sizeof(var), "key file %s", path);
    random_bytes(rnd, sizeof(rnd));
    encode_hex_format(suffix, rnd, sizeof(rnd));
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, suffix) >= sizeof(tmp))
        return err_set(err, ERR_INVALID, "%s: path too long", var);

    vault_key_generate(&line);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = err_set(err, ERR_IO, "%s: cannot create %s: %s", var, tmp, strerror(errno));
        goto done;
    }
    made = true;
    if (write_all(fd, line.p, line.n) != 0 || write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
        rc = err_set(err, ERR_IO, "%s: writing %s: %s", var, tmp, strerror(errno));
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = err_set(err, ERR_IO, "%s: writing %s: %s", var, tmp, strerror(errno));
        goto done;
    }
    fd = -1;
    /* link(), unlike rename(), refuses to replace: if another process
     * created the file since we looked, its key wins and ours is dropped
     * before anything was sealed with it. */
    if (link(tmp, path) != 0) {
        rc = err_set(err, errno == EEXIST ? ERR_CONFLICT : ERR_IO, "%s: cannot create: %s", var,
                     strerror(errno));
        goto done;
    }
    unlink(tmp);
    made = false;
    if (sync_dir(path) != 0) {
        rc = err_set(err, ERR_IO, "%s: syncing its directory: %s", var, strerror(errno));
        goto done;
    }
    rc = parse_keys(out, (const char *)line.p, line.n, var, err);
done:
    if (fd >= 0)
        close(fd);
    if (made)
        unlink(tmp);
    secret_dispose(&line);
    return rc;
}

int vault_load_or_create_file(struct vault **out, const char *path, bool *created, struct err *err)
{
    *created = false;
    int rc = load_file(out, path, err);
    if (rc != ERR_NOTFOUND)
        return rc;
    rc = create_file(out, path, err);
    if (rc == ERR_CONFLICT)
        return load_file(out, path, err);
    if (rc == 0)
        *created = true;
    return rc;
}
