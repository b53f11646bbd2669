/**
 * Issue #5: the authority matrix on the renderer side, for the queue row's "outside authority" mark.
 * Loaded once per transport (`authority.get`, readable by every role) and again when the core says
 * many items changed (`items.changed` with `more`: a sync batch, or the supervisor saved the matrix).
 * Each row then does one Map lookup — no call per row.
 */
import { useSyncExternalStore } from 'react';
import type { RendererTransport } from '../api/envelope';
import { allowedMap, isOutsideAuthority } from '../../shared/dashboard';
import type { WorkItem } from '../../shared/work-item';
import { useApi } from './api.context';

type Allowed = ReadonlyMap<string, ReadonlySet<string>>;

class AuthorityStore {
  private allowed: Allowed = new Map();
  private readonly listeners = new Set<() => void>();
  private started = false;
  private loading = false;
  private again = false;

  constructor(private readonly api: RendererTransport) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.started) {
      this.started = true;
      this.load();
      this.api.subscribe((event) => {
        if (event.type === 'items.changed' && event.more) this.load();
      });
    }
    return () => this.listeners.delete(listener);
  };

  snapshot = (): Allowed => this.allowed;

  /** Replace the matrix at once (the dashboard after a successful save). */
  set(rules: Parameters<typeof allowedMap>[0]): void {
    this.allowed = allowedMap(rules);
    for (const l of this.listeners) l();
  }

  load(): void {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    this.api.call('authority.get', {}).then(
      (matrix) => {
        this.loading = false;
        this.set(matrix.rules);
        if (this.again) {
          this.again = false;
          this.load();
        }
      },
      (error: unknown) => {
        this.loading = false;
        console.warn('authority.get failed', error);
      },
    );
  }
}

const stores = new WeakMap<RendererTransport, AuthorityStore>();

export function authorityStoreOf(api: RendererTransport): AuthorityStore {
  let store = stores.get(api);
  if (!store) stores.set(api, (store = new AuthorityStore(api)));
  return store;
}

/** Is this queue item held outside the authority matrix? */
export function useOutsideAuthority(item: WorkItem | undefined): boolean {
  const store = authorityStoreOf(useApi());
  const allowed = useSyncExternalStore(store.subscribe, store.snapshot);
  if (!item || (item.source !== 'procedure' && item.source !== 'document')) return false;
  return isOutsideAuthority(allowed, item.source, item.kind, item.assignee);
}
