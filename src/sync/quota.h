/* sync/quota.h - what a provider's answer says of the integration's API
 * quota: Salesforce's "Sforce-Limit-Info: api-usage=USED/LIMIT" (the org's
 * daily requests), HubSpot's X-HubSpot-RateLimit-Daily and -Daily-Remaining.
 * Pure. Used by sync/call.c, which keeps the last one seen with the
 * integration's api_usage (GET /api/integrations/{id}/usage). */
#ifndef INLET_SYNC_QUOTA_H
#define INLET_SYNC_QUOTA_H
#include <stdbool.h>
#include <stdint.h>

#include "http/fetch.h"

/* The quota r reports into *limit and *remaining (both >= 0, remaining
 * at most limit); false when it reports none, or nothing that parses. */
bool quota_parse(int64_t *limit, int64_t *remaining, const struct fetch_resp *r);

#endif
