// web/lib/load.js - useLoad(fn, deps): run an async fn when deps change and
// keep {data, error, loading, reload}. A slower older call never overwrites
// a newer one's answer.
import { useState, useEffect, useRef } from './html.js';

export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = (quiet) => {
    const mine = ++seq.current;
    if (!quiet) setState((s) => ({ ...s, loading: true, error: null }));
    return fn().then(
      (data) => { if (seq.current === mine) setState({ data, error: null, loading: false }); },
      (error) => { if (seq.current === mine) setState((s) => ({ data: s.data, error, loading: false })); },
    );
  };
  useEffect(() => { run(false); }, deps);
  useEffect(() => () => { seq.current = -1; }, []);
  return { ...state, reload: (quiet = true) => run(quiet) };
}

// usePoll(fn, ms, active): call fn every ms while active (and the tab is visible).
export function usePoll(fn, ms, active) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => { if (!document.hidden) saved.current(); }, ms);
    return () => clearInterval(t);
  }, [ms, active]);
}
