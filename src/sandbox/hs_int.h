/* sandbox/hs_int.h - what the HubSpot emulator's files share: the handlers
 * of hs_oauth.c, which hubspot.c puts in its route table, and the fixed
 * account the sandbox plays. Only sandbox/hubspot.c and hs_oauth.c include
 * it. */
#ifndef INLET_SANDBOX_HS_INT_H
#define INLET_SANDBOX_HS_INT_H
#include "sandbox/sandbox_int.h"

/* The emulated HubSpot account (portal), app and installing user. */
#define HS_HUB_ID_S   "24681357"
#define HS_HUB_DOMAIN "sandbox-inlet.hubspot.test"
#define HS_APP_ID_S   "1234567"
#define HS_USER_ID_S  "7654321"

/* GET and POST /oauth/authorize: the install page and its form. */
void hs_authorize_page(struct http_req *req, struct http_resp *resp);
void hs_authorize_submit(struct http_req *req, struct http_resp *resp);
/* POST /oauth/v1/token, /oauth/v3/token and /oauth/2026-03/token. */
void hs_token(struct http_req *req, struct http_resp *resp);
/* DELETE /oauth/v1/refresh-tokens/{token}: 204; the access tokens live on. */
void hs_refresh_delete(struct http_req *req, struct http_resp *resp);
/* GET /oauth/v1/access-tokens/{token} and /oauth/v1/refresh-tokens/{token}. */
void hs_access_info(struct http_req *req, struct http_resp *resp);
void hs_refresh_info(struct http_req *req, struct http_resp *resp);

/* POST /_sandbox/hubspot/webhooks (hs_webhooks.c): signed event deliveries. */
void hs_webhooks_deliver(struct http_req *req, struct http_resp *resp);

#endif
