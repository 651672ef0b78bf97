/* store/connect_settings.h - what a tenant sets for its connect page
 * (docs/embedding.md): the origins a connect session's return_url may
 * name - so that neither a redirect nor a postMessage goes anywhere the
 * tenant did not register - and the branding the page shows. Also the
 * checks of both, whose messages start with the JSON pointer of the
 * member at fault ("/allowed_origins/2: ..."). */
#ifndef INLET_STORE_CONNECT_SETTINGS_H
#define INLET_STORE_CONNECT_SETTINGS_H
#include <stdbool.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

#define CONNECT_ORIGIN_MAX  256    /* bytes of "https://host:port" */
#define CONNECT_ORIGINS_MAX 20     /* registered origins per tenant */
#define CONNECT_URL_MAX     2048   /* bytes of a return_url or logo_url */
#define CONNECT_LOGO_MAX    100000 /* bytes of a data: logo */

/* A tenant's settings; strings owned (connect_settings_dispose). */
struct connect_settings {
    char *origins;  /* JSON array text of origins */
    char *branding; /* JSON object text: name, logo_url, accent_color as set */
    char *tenant_name;
};

void connect_settings_dispose(struct connect_settings *s);

/* Read tenant_id's settings into *out (OUT). ERR_NOTFOUND. */
MUST_CHECK int connect_settings_get(struct connect_settings *out, struct db *db,
                                    const char *tenant_id, struct err *err);

/* Replace what is not NULL: origins (JSON array text), branding (JSON
 * object text), both checked by the functions below. */
MUST_CHECK int connect_settings_put(struct db *db, const char *tenant_id, const char *origins,
                                    const char *branding, struct err *err);

/* The origin ("https://app.example.com", "http://127.0.0.1:8080": scheme
 * and host lower-cased) of url, an absolute http or https URL without
 * user information, into out. With origin_only, url may hold nothing
 * after the origin but "/". ERR_INVALID saying what is wrong. */
MUST_CHECK int connect_origin_of(char out[CONNECT_ORIGIN_MAX], const char *url, bool origin_only,
                                 struct err *err);

/* Whether origin is among origins (JSON array text). */
bool connect_origin_listed(const char *origins, const char *origin);

/* Check arr, the body's allowed_origins (at most CONNECT_ORIGINS_MAX
 * origins), and append it normalized and deduplicated as JSON to out.
 * ERR_INVALID "/allowed_origins/N: ...". */
MUST_CHECK int connect_origins_check(struct buf *out, const struct json_object *arr,
                                     struct err *err);

/* Check obj, the body's branding ({"name","logo_url","accent_color"}, each
 * optional, null to leave out), and append it as JSON to out. name: text
 * of at most 100 bytes; logo_url: an https URL or a base64 data: URL of a
 * PNG, JPEG, GIF, WebP or SVG image; accent_color: "#rrggbb". ERR_INVALID
 * "/branding/MEMBER: ...". */
MUST_CHECK int connect_branding_check(struct buf *out, const struct json_object *obj,
                                      struct err *err);

#endif
