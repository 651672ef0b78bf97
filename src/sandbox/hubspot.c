/* sandbox/hubspot.c - placeholder until the HubSpot emulator lands: only the
 * control API's counters. */
#include "sandbox/sandbox_int.h"

const struct http_route sb_hubspot_routes[] = {
    {"GET", "/_sandbox/counters", sb_control_counters, NULL},
};
const size_t sb_hubspot_nroutes = sizeof(sb_hubspot_routes) / sizeof(sb_hubspot_routes[0]);

int sb_hubspot_init(struct sb_provider *p, struct err *err)
{
    (void)p;
    (void)err;
    return 0;
}
