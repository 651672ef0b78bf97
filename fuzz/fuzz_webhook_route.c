/* fuzz/fuzz_webhook_route.c - arbitrary bodies into webhook_route under
 * the built-in connectors' "webhooks" sections (HubSpot's event array,
 * Slack's handshake and events). Besides memory errors it checks
 * properties: a refusal is ERR_INVALID with a non-empty one-line message
 * and leaves the route zeroed; an accepted body is either a handshake
 * (a challenge of 1..WEBHOOK_CHALLENGE_MAX bytes, no streams) or events
 * (matched <= events <= WEBHOOK_ROUTE_EVENTS_MAX, streams distinct, each
 * one the spec names, none when nothing matched); the same bytes route
 * the same way twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/jsonx.h"
#include "webhook/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = {
    "{\"scheme\":\"hubspot_v3\",\"secret\":\"oauth_client\",\"event\":\"/subscriptionType\","
    "\"streams\":{\"contact.\":[\"contacts\"],\"company.\":[\"companies\"],\"deal.\":[\"deals\"],"
    "\"ticket.\":[\"tickets\"]}}",
    "{\"scheme\":\"slack_v0\",\"secret\":\"signing\",\"event\":\"/event/type\",\"streams\":"
    "{\"\":[\"all\"],\"message\":[\"messages\",\"all\"]},\"handshake\":{\"when\":{\"/type\":"
    "\"url_verification\"},\"echo\":\"/challenge\"}}",
};

static bool named(const struct json_object *spec, const char *stream)
{
    json_object_object_foreach(jsonx_members(jsonx_get(spec, "streams")), k, names)
    {
        (void)k;
        for (size_t i = 0; i < jsonx_len(names); i++)
            if (strcmp(jsonx_str(jsonx_at(names, i)), stream) == 0)
                return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct webhook_route zero;
    for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
        struct json_object *spec = NULL;
        struct webhook_route r, again;
        struct err e, e2;
        if (jsonx_parse(&spec, specs[k], strlen(specs[k]), strlen(specs[k]) + 1, &e) < 0)
            abort();
        int rc = webhook_route(&r, spec, (const char *)data, size, &e);
        int rc2 = webhook_route(&again, spec, (const char *)data, size, &e2);
        if (rc != rc2)
            abort();
        if (rc != 0) {
            if (rc != ERR_INVALID || !e.msg[0] || strchr(e.msg, '\n') ||
                strcmp(e.msg, e2.msg) != 0 || memcmp(&r, &zero, sizeof(r)) != 0)
                abort();
        } else if (r.challenge) {
            size_t n = strlen(r.challenge);
            if (n == 0 || n > WEBHOOK_CHALLENGE_MAX || r.nstreams || !again.challenge ||
                strcmp(r.challenge, again.challenge) != 0)
                abort();
        } else {
            if (r.matched > r.events || r.events > WEBHOOK_ROUTE_EVENTS_MAX ||
                (r.matched == 0) != (r.nstreams == 0) || r.nstreams != again.nstreams)
                abort();
            for (size_t i = 0; i < r.nstreams; i++) {
                if (!named(spec, r.streams[i]) || strcmp(r.streams[i], again.streams[i]) != 0)
                    abort();
                for (size_t j = 0; j < i; j++)
                    if (strcmp(r.streams[i], r.streams[j]) == 0)
                        abort();
            }
        }
        webhook_route_dispose(&r);
        webhook_route_dispose(&again);
        json_object_put(spec);
    }
    return 0;
}
