/**
 * The Electron secret path without Electron: the core as its own process with CW_SECRETS=parent asks
 * its parent (here the test, playing the shell's safeStorage) for backend passwords over the core
 * channel. A plain-text password in config.json is handed to the shell and the file rewritten with
 * the reference; the backend then signs in with the password the shell returns.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CoreToParentSchema, type CoreToParent, type ParentToCore } from '../../../src/shared/core-channel';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';

const PASSWORD = 'Mật-khẩu-một-cửa-Ω7';

describe('core process secrets from the shell (CW_SECRETS=parent)', () => {
  let sandbox: TrainingSandbox;
  let child: ChildProcess;
  let dataDir: string;
  const vault = new Map<string, string>();
  const requests: Array<{ op: string; name: string }> = [];
  const results = new Map<number, unknown>();
  let ready = false;
  let fatal: string | null = null;

  beforeAll(async () => {
    sandbox = await TrainingSandbox.start({ seed: 5, days: 3, streamIntervalMs: 0, procedureCredentials: { username: 'canbo.lan', password: PASSWORD } });
    dataDir = mkdtempSync(join(tmpdir(), 'cw-core-secrets-'));
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
        user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
        backends: [{ adapter: { kind: 'procedure', id: 'motcua', label: 'Một cửa', baseUrl: sandbox.procedureUrl, username: 'canbo.lan', password: PASSWORD }, pollIntervalMs: 500 }],
      }),
    );
    child = fork(resolve(import.meta.dirname, '../../../src/core/main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CW_DATA_DIR: dataDir, CW_SECRETS: 'parent' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (raw) => {
      const parsed = CoreToParentSchema.safeParse(raw);
      if (!parsed.success) return;
      const msg: CoreToParent = parsed.data;
      if (msg.type === 'ready') ready = true;
      else if (msg.type === 'fatal') fatal = msg.message;
      else if (msg.type === 'result') results.set(msg.id, msg.envelope);
      else if (msg.type === 'secret') {
        requests.push({ op: msg.op, name: msg.name });
        let answer: ParentToCore;
        if (msg.op === 'set') {
          vault.set(msg.name, msg.value ?? '');
          answer = { type: 'secret-result', id: msg.id, ok: true, value: null };
        } else if (msg.op === 'get') answer = { type: 'secret-result', id: msg.id, ok: true, value: vault.get(msg.name) ?? null };
        else answer = { type: 'secret-result', id: msg.id, ok: true, value: null, deleted: vault.delete(msg.name) };
        child.send(answer);
      }
    });
    await vi.waitFor(() => expect(ready || fatal !== null).toBe(true), { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.send({ type: 'shutdown' } satisfies ParentToCore);
      await new Promise((ok) => child.once('exit', ok));
    }
    await sandbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves the password to the shell, rewrites config.json and signs in with it', async () => {
    expect(fatal).toBeNull();
    expect(requests.filter((r) => !r.name.startsWith('cache-key.'))).toEqual([
      { op: 'set', name: 'motcua.password' },
      { op: 'get', name: 'motcua.password' },
    ]);
    // The cache key (issue #7): created in the shell's store on the first start.
    expect(requests.filter((r) => r.name.startsWith('cache-key.')).map((r) => r.op)).toEqual(['get', 'set']);
    expect(vault.get('motcua.password')).toBe(PASSWORD);
    const file = readFileSync(join(dataDir, 'config.json'), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).toContain('"$secret": "motcua.password"');
    child.send({ type: 'call', id: 1, method: 'backends.list', input: {} } satisfies ParentToCore);
    await vi.waitFor(
      () => {
        child.send({ type: 'call', id: 2, method: 'backends.list', input: {} } satisfies ParentToCore);
        const env = results.get(2) as { ok: boolean; data: Array<{ id: string; state: string; itemCount: number }> } | undefined;
        expect(env?.data[0]).toMatchObject({ id: 'motcua', state: 'online' });
        expect(env?.data[0]?.itemCount).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 300 },
    );
  }, 60_000);
});
