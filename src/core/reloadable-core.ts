/**
 * Settings saved by IT staff take effect at once: after a successful call that rewrote config.json
 * (config.save, calendar.set / calendar.import, profile.import) — or, in training mode, the signed-in
 * role (training.setRole, training-role.json) — the core is rebuilt from the file —
 * the old one is closed first (sync loops stopped, the outbox drained to a safe point: entries stay
 * in SQLite and are picked up by the new runner, so nothing is lost or sent twice), then a new one is
 * created and started. Calls that arrive meanwhile wait for the new core; event subscribers stay
 * subscribed across the swap and get a `config.applied` event when it is done (or failed: the old
 * configuration is rebuilt so the window keeps working, and the event says why).
 */
import type { CoreEvent, Envelope } from '../shared/api';
import type { Core } from './core';
import type { CoreLog } from './core.log';

/** Contract methods whose success means config.json changed and the core must be rebuilt. */
export const CONFIG_WRITING_METHODS: ReadonlySet<string> = new Set(['config.save', 'calendar.set', 'calendar.import', 'profile.import', 'training.setRole']);

export interface ReloadableCoreOptions {
  /** Builds a core from the configuration on disk (not started). */
  build: () => Promise<Core>;
  /** Start the sync loops of each core built (as the first one was). */
  autoStart: boolean;
  log: CoreLog;
}

export interface ReloadableCore extends Core {
  /** Rebuild now (also what a config-writing call triggers); resolves when the new core serves. */
  reload(): Promise<void>;
}

export async function createReloadableCore(options: ReloadableCoreOptions): Promise<ReloadableCore> {
  let current = await options.build();
  const listeners = new Set<(event: CoreEvent) => void>();
  const forward = (event: CoreEvent): void => {
    for (const l of listeners) l(event);
  };
  let unsubscribe = current.subscribe(forward);
  let started = false;
  let closed = false;
  /** Set while a rebuild runs: calls wait for it. */
  let swapping: Promise<void> | null = null;

  const ready = async (): Promise<Core> => {
    while (swapping) await swapping;
    return current;
  };

  const rebuild = async (): Promise<void> => {
    const old = current;
    unsubscribe();
    await old.close();
    let reason: string | null = null;
    try {
      current = await options.build();
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      options.log('error', 'the new configuration could not be applied; the previous one is rebuilt', { reason });
      // config.json was validated before it was written, so this is rare (a secret gone, the disk):
      // build again (from the same file); if that fails too, the error reaches the caller.
      current = await options.build();
    }
    unsubscribe = current.subscribe(forward);
    if (started) current.start();
    forward({ type: 'config.applied', ok: reason === null, ...(reason !== null ? { reason } : {}), at: Date.now() });
    options.log('info', reason === null ? 'configuration applied: core rebuilt' : 'configuration not applied');
  };

  const reload = (): Promise<void> => {
    if (closed) return Promise.resolve();
    const previous = swapping;
    const run = (async () => {
      if (previous) await previous;
      await rebuild();
    })();
    const tracked = run.finally(() => {
      if (swapping === tracked) swapping = null;
    });
    swapping = tracked;
    return tracked;
  };

  const wrapper: ReloadableCore = {
    async handle(method: string, input: unknown): Promise<Envelope<unknown>> {
      const core = await ready();
      const envelope = await core.handle(method, input);
      if (envelope.ok && CONFIG_WRITING_METHODS.has(method)) {
        // Answer first; the rebuild runs right after (calls wait for it).
        void reload().catch((error: unknown) => options.log('error', 'core rebuild failed', { error: String(error) }));
      }
      return envelope;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    linksOf: (itemId) => current.linksOf(itemId),
    async openAttachment(itemId, index) {
      return (await ready()).openAttachment(itemId, index);
    },
    async saveAttachment(itemId, index, path) {
      return (await ready()).saveAttachment(itemId, index, path);
    },
    start() {
      started = true;
      current.start();
    },
    async close() {
      closed = true;
      while (swapping) await swapping.catch(() => undefined);
      unsubscribe();
      await current.close();
    },
    reload,
  };
  if (options.autoStart) wrapper.start();
  return wrapper;
}
