/* web/connect.js - the snippet a host product's page includes to open
 * inlet's connect page in a popup (docs/embedding.md, "web/connect.js"):
 *
 *   <script src="https://inlet.example.com/ui/connect.js"></script>
 *   InletConnect.open({ token }).then((r) => ...)   // r.status: "connected" | "cancelled"
 *
 * A classic script with no dependencies, so that any page can include it.
 * The token is never put in a URL: the popup opens without it, says
 * "inlet:ready", and gets it by postMessage, addressed to inlet's origin
 * only. Messages are taken only from that popup and that origin. The
 * redirect mode needs no script: send the browser to the session's url. */
(function () {
  'use strict';

  // Where inlet is: the origin this script was loaded from, unless open()
  // is given another.
  var script = document.currentScript;
  var loadedFrom = script && script.src ? script.src : null;

  function failure(message, code) {
    var e = new Error(message);
    e.code = code;
    return e;
  }

  // open({token, base?, width?, height?}) -> Promise of {status: "connected",
  // integration_id, connector} or {status: "cancelled"}. Rejects with an
  // Error (e.code "blocked", "closed", "error" or "usage") when the popup
  // was blocked, was closed before the end, or the page reported an error.
  function open(opts) {
    return new Promise(function (resolve, reject) {
      opts = opts || {};
      var origin;
      try {
        origin = new URL(opts.base || loadedFrom).origin;
      } catch (e) {
        reject(failure('InletConnect.open: no base URL (load this script from inlet, or give base)', 'usage'));
        return;
      }
      if (typeof opts.token !== 'string' || opts.token.indexOf('inlet_cs_') !== 0) {
        reject(failure('InletConnect.open: token must be a connect session token (inlet_cs_...)', 'usage'));
        return;
      }
      var width = opts.width || 480;
      var height = opts.height || 720;
      // Centred on the host's window.
      var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || width) - width) / 2);
      var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || height) - height) / 2);
      var popup = null;
      var watch = null;
      var settled = false;

      function end(ok, value) {
        if (settled) return;
        settled = true;
        window.removeEventListener('message', onMessage);
        clearInterval(watch);
        (ok ? resolve : reject)(value);
      }

      function onMessage(e) {
        var d = e.data;
        if (!popup || e.source !== popup || e.origin !== origin || !d || typeof d !== 'object') return;
        if (d.type === 'inlet:ready') {
          popup.postMessage({ type: 'inlet:token', token: opts.token }, origin);
        } else if (d.type === 'inlet:connect') {
          // Heard: the page may close now (it closes by itself after a second otherwise).
          popup.postMessage({ type: 'inlet:ack' }, origin);
          if (d.status === 'connected') end(true, { status: 'connected', integration_id: d.integration_id, connector: d.connector });
          else if (d.status === 'cancelled') end(true, { status: 'cancelled' });
          else end(false, failure(d.message || 'The account could not be connected.', 'error'));
        }
      }

      // Listening before the popup exists: its "inlet:ready" cannot be missed.
      window.addEventListener('message', onMessage);
      popup = window.open(origin + '/connect', 'inlet-connect',
        'popup=yes,width=' + width + ',height=' + height + ',left=' + Math.round(left) + ',top=' + Math.round(top));
      if (!popup) {
        end(false, failure('The browser blocked the window that connects the account: allow popups for this site and try again.', 'blocked'));
        return;
      }
      // Closed by the person (or by the page before its message arrived,
      // which the acknowledgement above prevents).
      watch = setInterval(function () {
        if (popup.closed) end(false, failure('The window was closed before the account was connected.', 'closed'));
      }, 400);
    });
  }

  window.InletConnect = { open: open };
})();
