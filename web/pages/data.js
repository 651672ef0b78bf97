// web/pages/data.js - the data explorer: /ui/data and /ui/data/:model list
// a model's rows (contacts by default), /ui/data/:model/:id shows one row.
import { html } from '../lib/html.js';
import { Link } from '../lib/router.js';
import { models } from '../lib/models.js';
import { DataList } from './data_list.js';
import { DataRecord } from './data_record.js';

export function DataExplorer({ model = 'contacts', id }) {
  if (!models[model]) {
    return html`<section class="page"><h1>Page not found</h1>
      <p>The data explorer has contacts, accounts, tickets and deals. <${Link} href="/ui/data">Go to contacts</${Link}>.</p></section>`;
  }
  return id ? html`<${DataRecord} model=${model} id=${id} />` : html`<${DataList} model=${model} />`;
}
