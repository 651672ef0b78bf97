// web/lib/connectors.js - the connector catalogue, fetched once per page
// load (it changes only when the server restarts).
import { get } from './api.js';

let pending = null;
// connectors() -> Promise of {list, byName}.
export function connectors() {
  if (!pending) {
    pending = get('/api/connectors').then((r) => {
      const byName = {};
      for (const c of r.data) byName[c.name] = c;
      return { list: r.data, byName };
    });
    pending.catch(() => { pending = null; });
  }
  return pending;
}
