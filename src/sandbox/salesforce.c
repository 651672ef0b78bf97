/* sandbox/salesforce.c - the Salesforce emulator's routes: the OAuth 2.0
 * web-server flow on the login host's paths, the REST data API under
 * /services/data/, and the sandbox's own /_sandbox/ control API. One
 * origin plays both login.salesforce.com and the org's instance, whose
 * URL the token response gives as instance_url. */
#include "sandbox/sandbox_int.h"

const struct http_route sb_salesforce_routes[] = {
    {"GET", "/services/oauth2/authorize", sf_authorize_page, NULL},
    {"POST", "/services/oauth2/authorize", sf_authorize_submit, NULL},
    {"POST", "/services/oauth2/token", sf_token, NULL},
    {"POST", "/services/oauth2/revoke", sf_revoke, NULL},
    {"GET", "/services/oauth2/revoke", sf_revoke, NULL},
    {"GET", "/services/oauth2/userinfo", sf_userinfo, NULL},
    {"GET", "/id/{org}/{user}", sf_identity, NULL},

    {"GET", "/services/data", sf_versions, NULL},
    {"GET", "/services/data/{version}/sobjects", sf_global_describe, NULL},
    {"GET", "/services/data/{version}/sobjects/{object}/describe", sf_describe, NULL},
    {"GET", "/services/data/{version}/query", sf_query, NULL},
    {"GET", "/services/data/{version}/queryAll", sf_query, NULL},
    {"GET", "/services/data/{version}/query/{locator}", sf_query_more, NULL},
    {"GET", "/services/data/{version}/queryAll/{locator}", sf_query_more, NULL},
    {"POST", "/services/data/{version}/sobjects/{object}", sf_sobject_create, NULL},
    {"GET", "/services/data/{version}/sobjects/{object}/{id}", sf_sobject_get, NULL},
    {"PATCH", "/services/data/{version}/sobjects/{object}/{id}", sf_sobject_update, NULL},
    {"DELETE", "/services/data/{version}/sobjects/{object}/{id}", sf_sobject_delete, NULL},
    {"GET", "/services/data/{version}/limits", sf_limits, NULL},
    {"GET", "/services/data/{version}/sobjects/{object}/{id}/Body", sf_blob, NULL},
    {"GET", "/services/data/{version}/_sandbox/moved", sf_moved, NULL},

    {"GET", "/_sandbox/counters", sb_control_counters, NULL},
    {"POST", "/_sandbox/mutate", sb_control_mutate, NULL},
    {"GET", "/_sandbox/schema", sb_control_schema_show, NULL},
    {"POST", "/_sandbox/schema", sb_control_schema_set, NULL},
};

const size_t sb_salesforce_nroutes = sizeof(sb_salesforce_routes) / sizeof(sb_salesforce_routes[0]);
