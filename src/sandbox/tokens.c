/* sandbox/tokens.c - the emulators' OAuth grant store: codes, access tokens
 * and refresh tokens in one fixed array of SB_GRANTS_MAX slots, searched
 * linearly (a sandbox holds a few hundred live grants). Expired and revoked
 * slots are reused first; when every slot is live the oldest is evicted, so
 * a long benchmark can never exhaust the store. The caller holds p->mu. */
#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "sandbox/sandbox_int.h"

#define RANDOM_BYTES 32 /* 43 base64url characters, 256 bits */

#define PREFIX_MAX 24 /* bytes of a provider's token prefix (sandbox.c sets them) */

static void value_new(char out[SB_TOKEN_MAX], const char *prefix)
{
    unsigned char r[RANDOM_BYTES];
    size_t n = strlen(prefix);

    static_assert(PREFIX_MAX + 1 + ENCODE_B64URL_LEN(RANDOM_BYTES) <= SB_TOKEN_MAX,
                  "token too long");
    assert(n <= PREFIX_MAX);
    random_bytes(r, sizeof(r));
    memcpy(out, prefix, n + 1);
    encode_b64url_format(out + n, r, sizeof(r));
}

static bool grant_expired(const struct sb_grant *g, int64_t now_ms)
{
    return g->expires_ms != 0 && g->expires_ms <= now_ms;
}

/* When g was issued, for eviction order. The struct keeps no issue time,
 * so it is derived from the expiry of codes and access tokens; refresh
 * tokens never expire and count as newer than both (they are what a client
 * keeps), ordered among themselves by family. */
static int64_t grant_age_key(const struct sb_provider *p, const struct sb_grant *g)
{
    switch (g->kind) {
    case SB_CODE:
        return g->expires_ms - (int64_t)SB_CODE_TTL_S * 1000;
    case SB_ACCESS:
        return g->expires_ms - (int64_t)p->token_ttl_s * 1000;
    case SB_REFRESH:
    default:
        return INT64_MAX / 2 + (int64_t)(g->family & 0xffffffffu);
    }
}

/* A slot for a new grant: the oldest expired or revoked one, else a fresh
 * one, else (the store is full of live grants) the oldest. */
static struct sb_grant *slot_get(struct sb_provider *p, int64_t now_ms)
{
    struct sb_grants *gs = &p->grants;
    struct sb_grant *dead = NULL, *oldest = NULL;

    for (size_t i = 0; i < gs->n; i++) {
        struct sb_grant *g = &gs->g[i];
        int64_t key = grant_age_key(p, g);
        if ((g->revoked || grant_expired(g, now_ms)) && (!dead || key < grant_age_key(p, dead)))
            dead = g;
        if (!oldest || key < grant_age_key(p, oldest))
            oldest = g;
    }
    if (!dead && gs->n < SB_GRANTS_MAX)
        dead = &gs->g[gs->n++];
    if (!dead)
        dead = oldest;
    assert(dead != NULL); /* n == 0 took a fresh slot */
    memset(dead, 0, sizeof(*dead));
    return dead;
}

static void copy_field(char dst[SB_FIELD_MAX], const char *src)
{
    size_t n = src ? strnlen(src, SB_FIELD_MAX - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The grant of kind whose value is token, or NULL. The comparison runs in
 * time independent of the values' contents. */
static struct sb_grant *grant_find(struct sb_provider *p, enum sb_grant_kind kind,
                                   const char *token)
{
    size_t n = token ? strnlen(token, SB_TOKEN_MAX) : SB_TOKEN_MAX;

    if (n == 0 || n >= SB_TOKEN_MAX)
        return NULL;
    for (size_t i = 0; i < p->grants.n; i++) {
        struct sb_grant *g = &p->grants.g[i];
        if (g->kind == kind && strlen(g->value) == n && hash_equal(g->value, token, n))
            return g;
    }
    return NULL;
}

void sb_code_issue(struct sb_provider *p, const char *client_id, const char *redirect_uri,
                   const char *challenge, const char *scope, int64_t now_ms, char out[SB_TOKEN_MAX])
{
    struct sb_grant *g = slot_get(p, now_ms);

    g->kind = SB_CODE;
    value_new(g->value, p->code_prefix);
    copy_field(g->client_id, client_id);
    copy_field(g->redirect_uri, redirect_uri);
    copy_field(g->challenge, challenge);
    copy_field(g->scope, scope);
    g->family = ++p->grants.next_family;
    g->expires_ms = now_ms + (int64_t)SB_CODE_TTL_S * 1000;
    memcpy(out, g->value, SB_TOKEN_MAX);
}

/* base64url(SHA-256(verifier)) == challenge (RFC 7636 section 4.6). */
static bool pkce_ok(const char *challenge, const char *verifier)
{
    char want[PKCE_CHALLENGE_LEN + 1];

    if (!verifier || !verifier[0])
        return false;
    pkce_challenge(want, verifier, strlen(verifier));
    return strlen(challenge) == strlen(want) && hash_equal(challenge, want, strlen(want));
}

enum sb_check sb_code_redeem(struct sb_provider *p, const char *code, const char *client_id,
                             const char *redirect_uri, const char *verifier, int64_t now_ms,
                             char scope[SB_FIELD_MAX])
{
    struct sb_grant *g = grant_find(p, SB_CODE, code);
    bool used;

    if (!g)
        return SB_UNKNOWN;
    used = g->used || g->revoked;
    g->used = true; /* spent by this attempt, whatever its outcome */
    if (used)
        return SB_REVOKED;
    if (grant_expired(g, now_ms))
        return SB_EXPIRED;
    if (!client_id || strcmp(g->client_id, client_id) != 0)
        return SB_WRONG_CLIENT;
    if (!redirect_uri || strcmp(g->redirect_uri, redirect_uri) != 0)
        return SB_WRONG_REDIRECT;
    if (g->challenge[0] && !pkce_ok(g->challenge, verifier))
        return SB_BAD_VERIFIER;
    copy_field(scope, g->scope);
    return SB_OK;
}

static void token_issue(struct sb_provider *p, enum sb_grant_kind kind, const char *client_id,
                        const char *scope, uint64_t family, int64_t now_ms, char out[SB_TOKEN_MAX])
{
    struct sb_grant *g = slot_get(p, now_ms);

    g->kind = kind;
    value_new(g->value, kind == SB_ACCESS ? p->access_prefix : p->refresh_prefix);
    copy_field(g->client_id, client_id);
    copy_field(g->scope, scope);
    g->family = family;
    g->expires_ms = kind == SB_ACCESS ? now_ms + (int64_t)p->token_ttl_s * 1000 : 0;
    memcpy(out, g->value, SB_TOKEN_MAX);
}

void sb_tokens_issue(struct sb_provider *p, const char *client_id, const char *scope,
                     int64_t now_ms, char access[SB_TOKEN_MAX], char *refresh)
{
    uint64_t family = ++p->grants.next_family;

    if (refresh)
        token_issue(p, SB_REFRESH, client_id, scope, family, now_ms, refresh);
    token_issue(p, SB_ACCESS, client_id, scope, family, now_ms, access);
}

enum sb_check sb_refresh(struct sb_provider *p, const char *refresh, const char *client_id,
                         int64_t now_ms, char access[SB_TOKEN_MAX], char *new_refresh,
                         char scope[SB_FIELD_MAX])
{
    struct sb_grant *g = grant_find(p, SB_REFRESH, refresh);
    char cid[SB_FIELD_MAX];
    uint64_t family;

    if (new_refresh)
        new_refresh[0] = '\0';
    if (!g)
        return SB_UNKNOWN;
    if (g->revoked)
        return SB_REVOKED;
    if (!client_id || strcmp(g->client_id, client_id) != 0)
        return SB_WRONG_CLIENT;
    /* Copies: issuing may reuse a slot, and g must not be read after it. */
    copy_field(scope, g->scope);
    copy_field(cid, g->client_id);
    family = g->family;
    if (p->rotate_refresh && new_refresh) {
        g->revoked = true; /* the old one dies at once; its access tokens live on */
        token_issue(p, SB_REFRESH, cid, scope, family, now_ms, new_refresh);
    }
    token_issue(p, SB_ACCESS, cid, scope, family, now_ms, access);
    return SB_OK;
}

enum sb_check sb_access_check(struct sb_provider *p, const char *access, int64_t now_ms)
{
    const struct sb_grant *g = grant_find(p, SB_ACCESS, access);

    if (!g)
        return SB_UNKNOWN;
    if (g->revoked)
        return SB_REVOKED;
    if (grant_expired(g, now_ms))
        return SB_EXPIRED;
    return SB_OK;
}

bool sb_revoke(struct sb_provider *p, const char *token)
{
    struct sb_grant *g = grant_find(p, SB_ACCESS, token);

    if (g) {
        g->revoked = true;
        return true;
    }
    g = grant_find(p, SB_REFRESH, token);
    if (!g)
        return false;
    for (size_t i = 0; i < p->grants.n; i++) {
        struct sb_grant *o = &p->grants.g[i];
        if (o->kind != SB_CODE && o->family == g->family)
            o->revoked = true;
    }
    return true;
}

void sb_expire_access(struct sb_provider *p)
{
    for (size_t i = 0; i < p->grants.n; i++)
        if (p->grants.g[i].kind == SB_ACCESS)
            p->grants.g[i].expires_ms = 1;
}

size_t sb_revoke_all_refresh(struct sb_provider *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->grants.n; i++) {
        struct sb_grant *g = &p->grants.g[i];
        if (g->kind == SB_REFRESH && !g->revoked && sb_revoke(p, g->value))
            n++;
    }
    return n;
}

void sb_grants_free(struct sb_grants *g)
{
    if (g->g)
        secret_wipe(g->g, SB_GRANTS_MAX * sizeof(*g->g));
    xfree(g->g);
    g->g = NULL;
    g->n = 0;
}
