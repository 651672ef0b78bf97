/* webhook/route.h - what a provider's delivery asks of inlet, read by the
 * connector file's "webhooks" section: a handshake to answer (Slack's
 * url_verification: {"challenge": ...} back), or the streams its events
 * make due for a sync ("streams": event type prefix -> stream names, the
 * longest prefix winning, "" for any event). The body is read only after
 * its signature passed (webhook/verify.h). Pure: no I/O. Used by
 * api/webhooks.c; docs/webhooks.md, "Provider webhooks". */
#ifndef INLET_WEBHOOK_ROUTE_H
#define INLET_WEBHOOK_ROUTE_H
#include <stddef.h>

#include <json-c/json_object.h>

#include "core/err.h"

#define WEBHOOK_ROUTE_EVENTS_MAX  1000 /* events of one delivery (HubSpot batches up to 100) */
#define WEBHOOK_ROUTE_STREAMS_MAX 64   /* distinct streams one delivery makes due */
#define WEBHOOK_CHALLENGE_MAX     512  /* bytes of a handshake's challenge */

struct webhook_route {
    char *challenge; /* xmalloc: the handshake's value to echo; NULL when not one */
    char **streams;  /* xmalloc'd array of xmalloc'd names, in first-seen order */
    size_t nstreams;
    size_t events;  /* events in the delivery */
    size_t matched; /* of which named streams */
};

/* Route body[0..n) by spec (a connector's "webhooks" object, checked at
 * load) into *out (webhook_route_dispose, on failure too). ERR_INVALID
 * "the body is not JSON: ...", or naming what is wrong: an array of more
 * than WEBHOOK_ROUTE_EVENTS_MAX events, an event type that is not text,
 * a challenge that is not 1..WEBHOOK_CHALLENGE_MAX bytes of text. An event
 * without a type, or one no prefix matches, is counted, not an error: a
 * provider adds event types without asking. */
MUST_CHECK int webhook_route(struct webhook_route *out, const struct json_object *spec,
                             const char *body, size_t n, struct err *err);

void webhook_route_dispose(struct webhook_route *r);

#endif
