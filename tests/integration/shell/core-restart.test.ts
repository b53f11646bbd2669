/**
 * Issue #7 shell resilience: the supervisor the Electron shell uses (src/shared/core-supervisor.ts),
 * driving the real core process (src/core/main.ts forked with tsx, as Electron runs it) on a real
 * SQLite file against the training sandbox over HTTP. The core is SIGKILLed while actions wait in the
 * outbox (backends down): it is restarted, the official is told, the same entries are still there,
 * and once the backends are back each action reaches the backend exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAINING_DOCUMENT_BACKEND_ID, TRAINING_OFFICIALS, TRAINING_PROCEDURE_BACKEND_ID } from '../../../src/core/config/config.schema';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { CoreSupervisor } from '../../../src/shared/core-supervisor';
import type { OutboxEntry } from '../../../src/shared/api';
import { CoreProcess } from '../../support/outbox-harness';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a crashed core is restarted with the outbox intact', () => {
  it('SIGKILL → restart with backoff → the official is told → waiting actions still there → sent exactly once', async () => {
    const sandbox = await TrainingSandbox.start({ seed: 11, days: 6, streamIntervalMs: 0, mail: false });
    cleanup.push(() => sandbox.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-core-restart-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const c = sandbox.credentials;
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26', officials: TRAINING_OFFICIALS },
        user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
        backends: [
          {
            adapter: { kind: 'procedure', id: TRAINING_PROCEDURE_BACKEND_ID, label: 'Một cửa (đào tạo)', baseUrl: sandbox.procedureUrl, username: c.procedure.username, password: c.procedure.password, timeoutMs: 500, retries: 0 },
            pollIntervalMs: 500,
            training: true,
          },
          {
            adapter: { kind: 'document', id: TRAINING_DOCUMENT_BACKEND_ID, label: 'Văn bản (đào tạo)', baseUrl: sandbox.documentUrl, clientId: c.document.clientId, clientSecret: c.document.clientSecret, timeoutMs: 500, retries: 0 },
            pollIntervalMs: 500,
            training: true,
          },
        ],
        outbox: { retryBaseMs: 50, retryMaxMs: 300, maxAttempts: 8 },
      }),
    );

    let current: CoreProcess | null = null;
    const told: Array<{ restartsLastMinute: number }> = [];
    const supervisor: CoreSupervisor = new CoreSupervisor({
      baseDelayMs: 100,
      launch: async () => {
        const proc = new CoreProcess(dataDir);
        current = proc;
        void proc.exited.then((code) => {
          if (current === proc) supervisor.exited(code);
        });
        await proc.ready;
      },
      onRestarted: (info) => told.push(info),
    });
    cleanup.push(async () => {
      supervisor.stop();
      await current?.shutdown();
    });
    await supervisor.start();
    const core = (): CoreProcess => {
      if (!current) throw new Error('no core');
      return current;
    };

    // First sync, then the backends go down: actions wait in the outbox.
    const items = await waitFor('the first sync', async () => {
      const page = await core().call<{ items: Array<{ id: string; status: string; updatedAt: number }> }>('queue.list', {
        filter: { sources: ['procedure'], statuses: ['2', '4'], scope: 'all' },
        offset: 0,
        limit: 50,
      });
      return page.items.length >= 3 ? page.items.slice(0, 3) : null;
    });
    await sandbox.stop();
    const submitted: string[] = [];
    for (const item of items) {
      const entry = await core().call<OutboxEntry>('action.submit', {
        itemId: item.id,
        action: { kind: 'dossier.forward', toUser: 'canbo.mai', note: 'Chuyển xử lý (kiểm thử khởi động lại)' },
        baseUpdatedAt: item.updatedAt,
      });
      submitted.push(entry.id);
    }

    const killed = core();
    await killed.kill();
    const restarted = await waitFor('the restart', async () => (told.length === 1 && current !== killed ? core() : null));
    await restarted.ready;
    expect(told).toEqual([{ restartsLastMinute: 1, at: expect.any(Number) }]);
    expect(supervisor.current).toBe('running');

    // The same entries, not lost, still waiting (the backends are still down).
    const after = await restarted.call<{ entries: OutboxEntry[] }>('outbox.list', { limit: 100 });
    const mine = after.entries.filter((e) => submitted.includes(e.id));
    expect(mine.map((e) => e.id).sort()).toEqual([...submitted].sort());
    for (const e of mine) expect(['pending', 'sending']).toContain(e.state);

    // Backends back: every action is applied once.
    await sandbox.restart();
    await waitFor(
      'the outbox to drain',
      async () => {
        const list = await restarted.call<{ entries: OutboxEntry[] }>('outbox.list', { limit: 100 });
        const done = list.entries.filter((e) => submitted.includes(e.id) && e.state === 'done');
        return done.length === submitted.length ? done : null;
      },
      45_000,
    );
    // The sandbox's own log of applied actions, by Idempotency-Key (= outbox entry id): each once.
    const applied = sandbox.actionLog().map((a) => a.key).filter((k) => submitted.includes(k));
    expect([...applied].sort()).toEqual([...submitted].sort());
  }, 120_000);
});
