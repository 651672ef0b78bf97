// web/lib/store.js - shared state that several components watch (the
// session, toasts, the unread count): a value, set() to change it, and a
// hook that re-renders a component when it changes.
import { useState, useEffect } from './html.js';

export function store(initial) {
  let value = initial;
  const subs = new Set();
  return {
    get: () => value,
    set(next) {
      value = typeof next === 'function' ? next(value) : next;
      for (const fn of subs) fn(value);
    },
    subscribe(fn) { subs.add(fn); return () => subs.delete(fn); },
    use() {
      const [v, setV] = useState(value);
      useEffect(() => { setV(value); const off = this.subscribe(setV); return off; }, []);
      return v;
    },
  };
}
