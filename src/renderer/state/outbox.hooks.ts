/**
 * The outbox as the UI shows it: the latest entries and the counts per state, loaded once, then
 * kept live from `outbox.changed` events (the entry is applied at once, the list and counts are
 * re-read shortly after so they never drift).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OutboxEntry, OutboxState } from '../../shared/api';
import { useApi } from './api.context';

const RELOAD_DELAY_MS = 250;
const LIST_LIMIT = 200;

export interface OutboxView {
  entries: OutboxEntry[];
  counts: Partial<Record<OutboxState, number>>;
  loaded: boolean;
  error: unknown;
  reload: () => void;
  /** An event or an answer carried a fresh entry: show it now, re-read soon. */
  apply: (entry: OutboxEntry) => void;
}

export function useOutbox(): OutboxView {
  const api = useApi();
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  const [counts, setCounts] = useState<Partial<Record<OutboxState, number>>>({});
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);

  const reload = useCallback(() => {
    const mine = ++seq.current;
    api.call('outbox.list', { limit: LIST_LIMIT }).then(
      (r) => {
        if (mine !== seq.current) return;
        setEntries(r.entries);
        setCounts(r.counts);
        setLoaded(true);
        setError(null);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setError(err);
        console.warn('outbox.list failed', err);
      },
    );
  }, [api]);

  const scheduleReload = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, RELOAD_DELAY_MS);
  }, [reload]);

  const apply = useCallback(
    (entry: OutboxEntry) => {
      setEntries((prev) => {
        const i = prev.findIndex((e) => e.id === entry.id);
        if (i < 0) return [entry, ...prev];
        if (prev[i]?.updatedAt !== undefined && prev[i].updatedAt > entry.updatedAt) return prev;
        const next = prev.slice();
        next[i] = entry;
        return next;
      });
      scheduleReload();
    },
    [scheduleReload],
  );

  useEffect(() => {
    reload();
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [reload]);

  return { entries, counts, loaded, error, reload, apply };
}
