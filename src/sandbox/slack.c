/* sandbox/slack.c - placeholder until the Slack emulator lands: only the
 * control API's counters. */
#include "sandbox/sandbox_int.h"

const struct http_route sb_slack_routes[] = {
    {"GET", "/_sandbox/counters", sb_control_counters, NULL},
};
const size_t sb_slack_nroutes = sizeof(sb_slack_routes) / sizeof(sb_slack_routes[0]);

int sb_slack_init(struct sb_provider *p, struct err *err)
{
    (void)p;
    (void)err;
    return 0;
}
