import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreToParentSchema, type CoreToParent, type ParentToCore } from '../../../src/shared/core-channel';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';

/** The core as its own process (what Electron runs as a utilityProcess), spoken to over the core channel. */
describe('core process (src/core/main.ts)', () => {
  let sandbox: TrainingSandbox;
  let child: ChildProcess;
  let dataDir: string;
  const inbox: CoreToParent[] = [];
  const waiters: Array<() => void> = [];

  function next(pred: (m: CoreToParent) => boolean, timeoutMs = 20_000): Promise<CoreToParent> {
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('timed out waiting for the core')), timeoutMs);
      const check = (): void => {
        const i = inbox.findIndex(pred);
        if (i >= 0) {
          clearTimeout(timer);
          ok(inbox.splice(i, 1)[0] as CoreToParent);
        } else waiters.push(check);
      };
      check();
    });
  }

  let callId = 0;
  async function call(method: string, input: unknown): Promise<unknown> {
    const id = ++callId;
    child.send({ type: 'call', id, method, input } satisfies ParentToCore);
    const reply = await next((m) => m.type === 'result' && m.id === id);
    return reply.type === 'result' ? reply.envelope : null;
  }

  beforeAll(async () => {
    sandbox = await TrainingSandbox.start({ seed: 4, days: 5, streamIntervalMs: 0 });
    dataDir = mkdtempSync(join(tmpdir(), 'cw-core-proc-'));
    child = fork(resolve(import.meta.dirname, '../../../src/core/main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        CW_DATA_DIR: dataDir,
        CW_TRAINING_URLS: JSON.stringify({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl }),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (raw) => {
      const parsed = CoreToParentSchema.safeParse(raw);
      if (parsed.success) inbox.push(parsed.data);
      for (const w of waiters.splice(0)) w();
    });
    await next((m) => m.type === 'ready');
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.send({ type: 'shutdown' } satisfies ParentToCore);
      await new Promise((ok) => child.once('exit', ok));
    }
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers contract calls with envelopes and streams events', async () => {
    const session = (await call('session.get', {})) as { ok: boolean; data: { training: boolean } };
    expect(session.ok).toBe(true);
    expect(session.data.training).toBe(true);

    await next((m) => m.type === 'event' && (m.event as { type: string }).type === 'items.changed');
    const expected = sandbox.counts().dossiers + sandbox.counts().documents;
    let listed = 0;
    for (let i = 0; i < 100 && listed < expected; i++) {
      const backends = (await call('backends.list', {})) as { ok: true; data: Array<{ itemCount: number }> };
      listed = backends.data.reduce((n, b) => n + b.itemCount, 0);
      if (listed < expected) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toBe(expected);
  });

  it('refuses invalid input and unknown methods without dying', async () => {
    const bad = (await call('queue.list', { limit: 'lots' })) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const unknown = (await call('items.dropAll', {})) as { ok: boolean; error: { code: string } };
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const still = (await call('queue.list', { limit: 5 })) as { ok: boolean; data: { items: unknown[] } };
    expect(still.ok).toBe(true);
    expect(still.data.items.length).toBe(5);
  });

  it('shuts down cleanly on request', async () => {
    child.send({ type: 'shutdown' } satisfies ParentToCore);
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(0);
  });
});
