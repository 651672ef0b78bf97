// web/lib/data_format.js - the synced data's own values as people read
// them: money (a decimal string, docs/data.md) with its currency, and a
// calendar date (YYYY-MM-DD, no time zone).

// money("1250.5", "EUR") -> "€1,250.50"; the amount is formatted from its
// digits, never through a binary double, so what is shown is what is stored.
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return null;
  const s = String(amount);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return currency ? `${s} ${currency}` : s;
  const [, sign, whole, frac = ''] = m;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const digits = frac ? '.' + frac.padEnd(2, '0') : '';
  const value = grouped + digits;
  if (!currency) return sign + value;
  let symbol = null;
  try {
    const part = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
      .formatToParts(1).find((p) => p.type === 'currency');
    symbol = part ? part.value : null;
  } catch (e) { symbol = null; }   // not an ISO 4217 code Intl knows
  // A symbol shared by many currencies ($) still names the code beside it.
  if (symbol && symbol !== currency && symbol !== '$') return `${sign}${symbol}${value}`;
  return `${sign}${symbol === '$' ? '$' : ''}${value} ${currency}`;
}

// day("2026-05-15") -> "May 15, 2026", read as that calendar day wherever
// the browser is.
export function day(d) {
  if (!d) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return d;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' });
}
