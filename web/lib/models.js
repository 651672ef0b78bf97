// web/lib/models.js - the four normalized models the data explorer shows
// (docs/data.md): their words, what a row is called, the columns of the
// list and the fields of a record's page. The pages draw from this table so
// the four stay alike.
import { money, day } from './data_format.js';
import { dateTime } from './format.js';

const fullName = (r) => [r.first_name, r.last_name].filter(Boolean).join(' ');
const bare = (v) => (v === null || v === undefined || v === '' ? null : String(v));

// kind of a field: how the record page shows it. 'account' and 'contact'
// are links to those rows; 'time' an instant; 'money' uses the row's
// currency; 'email' and 'url' are links.
export const models = {
  contacts: {
    words: 'Contacts', nameWord: 'Name', one: 'contact', many: 'contacts',
    search: 'name, last name or email',
    title: (r) => fullName(r) || r.email || 'Unnamed contact',
    byAccount: true,
    columns: [
      { label: 'Name', value: (r) => fullName(r) || r.email, primary: true },
      { label: 'Email', value: (r) => r.email, kind: 'email' },
      { label: 'Phone', value: (r) => r.phone },
      { label: 'Title', value: (r) => r.title },
      { label: 'Account', value: (r) => r.company, kind: 'account' },
    ],
    fields: [['first_name', 'First name'], ['last_name', 'Last name'], ['email', 'Email', 'email'], ['phone', 'Phone'],
      ['title', 'Title'], ['account_id', 'Account', 'account'], ['company', 'Company'], ['lead_source', 'Lead source'],
      ['lead_status', 'Lead status']],
  },
  accounts: {
    words: 'Accounts', nameWord: 'Name', one: 'account', many: 'accounts',
    search: 'name or domain',
    title: (r) => r.name || r.domain || 'Unnamed account',
    byAccount: false,
    columns: [
      { label: 'Name', value: (r) => r.name || r.domain, primary: true },
      { label: 'Domain', value: (r) => r.domain },
      { label: 'Industry', value: (r) => r.industry },
    ],
    fields: [['name', 'Name'], ['domain', 'Domain'], ['website', 'Website', 'url'], ['industry', 'Industry'], ['phone', 'Phone'],
      ['employees', 'Employees', 'number'], ['annual_revenue', 'Annual revenue', 'money']],
  },
  tickets: {
    words: 'Tickets', nameWord: 'Subject', one: 'ticket', many: 'tickets',
    search: 'subject',
    title: (r) => r.subject || 'Ticket without a subject',
    byAccount: true,
    columns: [
      { label: 'Subject', value: (r) => r.subject, primary: true },
      { label: 'Status', value: (r) => r.status },
      { label: 'Priority', value: (r) => r.priority },
      { label: 'Opened', value: (r) => r.remote_created_at, kind: 'time' },
    ],
    fields: [['subject', 'Subject'], ['description', 'Description'], ['status', 'Status'], ['priority', 'Priority'],
      ['requester_email', 'Requester', 'email'], ['assignee', 'Assignee'], ['account_id', 'Account', 'account'],
      ['contact_id', 'Contact', 'contact'], ['remote_closed_at', 'Closed', 'time']],
  },
  deals: {
    words: 'Deals', nameWord: 'Name', one: 'deal', many: 'deals',
    search: 'name',
    title: (r) => r.name || 'Unnamed deal',
    byAccount: true,
    columns: [
      { label: 'Name', value: (r) => r.name, primary: true },
      { label: 'Amount', value: (r) => money(r.amount, r.currency), num: true },
      { label: 'Stage', value: (r) => r.stage },
      { label: 'Close date', value: (r) => day(r.close_date) },
    ],
    fields: [['name', 'Name'], ['amount', 'Amount', 'money'], ['currency', 'Currency'], ['stage', 'Stage'], ['status', 'Status'],
      ['probability', 'Probability', 'percent'], ['close_date', 'Close date', 'day'], ['owner', 'Owner'],
      ['account_id', 'Account', 'account'], ['contact_id', 'Contact', 'contact']],
  },
};

export const modelNames = Object.keys(models);

// The source's and inlet's own times, shown on every record.
export const times = [['remote_created_at', 'Created at the source'], ['remote_updated_at', 'Changed at the source'],
  ['created_at', 'First loaded'], ['updated_at', 'Last changed in inlet'], ['last_synced_at', 'Last synced']];

// The sorts the API takes (DataSort), in words; the first is the default.
// "name" sorts by the model's name key (a ticket's subject).
export const sorts = (m) => [
  ['-updated_at', 'Recently changed first'], ['updated_at', 'Least recently changed first'],
  ['name', `${m.nameWord}, A to Z`], ['-name', `${m.nameWord}, Z to A`],
  ['-created_at', 'Newest in inlet first'], ['created_at', 'Oldest in inlet first'],
];

// text(row, [key, label, kind]): the value of a plain field as words.
export function text(row, [key, , kind]) {
  const v = row[key];
  if (kind === 'money') return money(v, row.currency);
  if (kind === 'day') return day(v);
  if (kind === 'time') return v ? dateTime(v) : null;
  if (kind === 'percent') return v === null || v === undefined ? null : `${v}%`;
  return bare(v);
}
