/** Hooks over the transport: link state, backends (list once, then events), item detail. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ApiOutput, BackendStatus, CoreEvent } from '../../shared/api';
import type { LinkState } from '../api/envelope';
import { useApi } from './api.context';

export function useLinkState(): LinkState {
  const api = useApi();
  return useSyncExternalStore(
    (cb) => api.onLinkState(cb),
    () => api.linkState,
  );
}

/** Subscribe to core events for the component's lifetime; the latest handler is always used. */
export function useCoreEvents(handler: (event: CoreEvent) => void): void {
  const api = useApi();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => api.subscribe((event) => ref.current(event)), [api]);
}

/** Call when the link comes back after being down (missed events: refresh). */
export function useOnReconnect(handler: () => void): void {
  const api = useApi();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => {
    let wasDown = api.linkState === 'down';
    return api.onLinkState((state) => {
      if (state === 'down') wasDown = true;
      else if (state === 'open' && wasDown) {
        wasDown = false;
        ref.current();
      }
    });
  }, [api]);
}

export function useBackends(): { backends: BackendStatus[]; loaded: boolean; reload: () => void; apply: (b: BackendStatus) => void } {
  const api = useApi();
  const [backends, setBackends] = useState<BackendStatus[]>([]);
  const [loaded, setLoaded] = useState(false);
  const reload = useCallback(() => {
    api.call('backends.list', {}).then(
      (list) => {
        setBackends(list);
        setLoaded(true);
      },
      (error: unknown) => console.warn('backends.list failed', error),
    );
  }, [api]);
  const apply = useCallback((b: BackendStatus) => {
    setBackends((prev) => {
      const i = prev.findIndex((x) => x.id === b.id);
      if (i < 0) return [...prev, b];
      const next = prev.slice();
      next[i] = b;
      return next;
    });
  }, []);
  useEffect(() => {
    reload();
  }, [reload]);
  return { backends, loaded, reload, apply };
}

export type DetailState =
  | { state: 'idle' }
  | { state: 'loading'; id: string }
  | { state: 'ready'; id: string; data: ApiOutput<'item.get'>; refreshing: boolean }
  | { state: 'error'; id: string; error: unknown };

/**
 * Detail of the selected item, fetched shortly after the selection settles (so j/k through the
 * list does not fire a call per row). `reloadKey` bumps when a change event names this item.
 */
export function useItemDetail(id: string | null, reloadKey: number): DetailState {
  const api = useApi();
  const [state, setState] = useState<DetailState>({ state: 'idle' });
  const current = useRef<DetailState>(state);
  current.current = state;
  useEffect(() => {
    if (id === null) {
      setState({ state: 'idle' });
      return;
    }
    let cancelled = false;
    const prev = current.current;
    const sameItem = prev.state === 'ready' && prev.id === id;
    if (sameItem) setState({ ...prev, refreshing: true });
    else setState({ state: 'loading', id });
    const timer = setTimeout(
      () => {
        api.call('item.get', { id }).then(
          (data) => {
            if (!cancelled) setState({ state: 'ready', id, data, refreshing: false });
          },
          (error: unknown) => {
            if (!cancelled) setState({ state: 'error', id, error });
          },
        );
      },
      sameItem ? 0 : 90,
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, id, reloadKey]);
  return state;
}
