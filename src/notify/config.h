/* notify/config.h - a notification channel's settings: the kinds (Slack
 * incoming webhook, signed webhook, SMTP email), the checks on what a
 * client sends, the text that is sealed (it holds the secrets: a Slack
 * webhook URL is its own credential, the signing secret, the SMTP
 * password), and the summary the API shows instead (secrets as "set").
 * Also the channel's list of events. Used by api/notifications.c,
 * store/notify_channel.c and the senders. */
#ifndef INLET_NOTIFY_CONFIG_H
#define INLET_NOTIFY_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/secret.h"

#define NOTIFY_URL_MAX    2048  /* bytes of a URL */
#define NOTIFY_ADDR_MAX   254   /* bytes of an email address */
#define NOTIFY_TO_MAX     20    /* recipients of an email channel */
#define NOTIFY_USER_MAX   256   /* bytes of an SMTP user name or password */
#define NOTIFY_CONFIG_MAX 16384 /* bytes of a config as JSON (sealed or sent) */
#define NOTIFY_NAME_MAX   200   /* bytes of a channel's name */

enum notify_kind {
    NOTIFY_KIND_SLACK = 1, /* "slack" */
    NOTIFY_KIND_WEBHOOK,   /* "webhook" */
    NOTIFY_KIND_EMAIL,     /* "email" */
};

/* A channel's settings, parsed and checked. Owned (notify_config_dispose). */
struct notify_config {
    enum notify_kind kind;
    struct secret url;      /* slack, webhook: http(s) URL; email: smtp(s) URL (not secret) */
    struct secret secret;   /* webhook: "whsec_..." as given */
    char *username;         /* email: from xmalloc; NULL: no AUTH */
    struct secret password; /* email: with username */
    char *from;             /* email: from xmalloc */
    char **to;              /* email: nto addresses, each and the array from xmalloc */
    size_t nto;
    bool starttls; /* email over smtp://: refuse to go on without STARTTLS */
};

/* "slack", "webhook" or "email". */
const char *notify_kind_name(enum notify_kind k);
/* The kind named s; 0 when none. */
enum notify_kind notify_kind_parse(const char *s);

/* Check cfg (a JSON object, as a client sends it under "config") for kind
 * into *out (OUT, notify_config_dispose). keep (NULL: none) is the
 * channel's stored config of the same kind: a secret member that cfg
 * leaves out keeps its value (so that a replace need not send secrets
 * again). ERR_INVALID with "<pointer>: <problem>", the pointer under
 * "/config", e.g. "/config/url: expected an https or http URL"; messages
 * never quote a secret member. Members:
 *   slack    url (http or https)
 *   webhook  url (http or https), secret ("whsec_" + base64 of 24-64 bytes)
 *   email    url (smtp://host[:port] or smtps://, no user part), from, to
 *            (1..NOTIFY_TO_MAX addresses), username and password (both or
 *            neither), starttls (boolean, default true) */
MUST_CHECK int notify_config_parse(struct notify_config *out, enum notify_kind kind,
                                   const struct json_object *cfg, const struct notify_config *keep,
                                   struct err *err);

/* The whole config as JSON text into *out (OUT, secret_dispose): what is
 * sealed. notify_config_load reads it back. */
void notify_config_seal_text(struct secret *out, const struct notify_config *c);

/* Parse n bytes of sealed text (from notify_config_seal_text) of kind into
 * *out (notify_config_dispose). ERR_INVALID when it is not one; the
 * message never quotes the text. */
MUST_CHECK int notify_config_load(struct notify_config *out, enum notify_kind kind,
                                  const void *text, size_t n, struct err *err);

/* Append the config as the API shows it, a JSON object in which secret
 * members read "set" (and a password not given null). */
void notify_config_summary(struct buf *b, const struct notify_config *c);

/* Wipe the secrets, free everything; a zeroed struct is fine. */
void notify_config_dispose(struct notify_config *c);

/* Check a channel's "events" (NULL: absent, meaning ["*"]): an array of
 * 1..7 distinct strings, each "*" or an event name (notify/notify.h).
 * The canonical array into b (compact JSON). ERR_INVALID
 * "/events...: problem". */
MUST_CHECK int notify_events_check(struct buf *b, const struct json_object *events,
                                   struct err *err);

#define NOTIFY_URL_NO_USER  1 /* no "user@" before the host */
#define NOTIFY_URL_NO_QUERY 2 /* no "?..." */

/* Whether s (n bytes, at most NOTIFY_URL_MAX) is a URL of scheme a or b
 * (any case): printable ASCII without spaces, "scheme://", a host (an
 * IPv6 literal in brackets, or a name or address with an optional port
 * 1..65535), no fragment, and what flags also forbid. For the channels'
 * URLs and the host's event subscriptions (events/). */
bool notify_url_ok(const char *s, size_t n, const char *a, const char *b, unsigned flags);

/* Check a channel's name: 1..NOTIFY_NAME_MAX bytes of UTF-8 without
 * control characters. ERR_INVALID "/name: problem". */
MUST_CHECK int notify_name_check(const char *name, size_t n, struct err *err);

#endif
