// web/lib/format.js - times, durations and counts as people read them.
const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const nf = new Intl.NumberFormat('en');

// relTime("2026-12-06T10:00:00Z") -> "3 minutes ago" / "in 2 hours"; "—" for none.
export function relTime(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(s) < 10) return 'just now';
  for (const [u, n] of units) if (Math.abs(s) >= n || u === 'second') return rtf.format(Math.trunc(s / n), u);
  return iso;
}

export function dateTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}

// duration(75) -> "1 min 15 s".
export function duration(s) {
  if (s === null || s === undefined) return '—';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const num = (n) => (n === null || n === undefined ? '—' : nf.format(n));
export const plural = (n, one, many = one + 's') => `${num(n)} ${n === 1 ? one : many}`;
