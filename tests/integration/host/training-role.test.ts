/**
 * Training mode's role switch (training.setRole) through the real web app: the sandbox, the core
 * rebuilt from training-role.json, the SQLite file and its audit log. Outside training mode the call
 * is refused and nothing is written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, CoreEvent, Envelope, Session } from '../../../src/shared/api';
import { TRAINING_CREDENTIALS } from '../../../src/core/config/config.schema';
import { TRAINING_ROLE_FILE } from '../../../src/core/config/training-role';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { startWebApp, type WebApp } from '../../../src/host/web-app';
import { writeOfficeConfig } from '../../support/config-file';
import { ok } from '../../support/envelope';

let dataDir: string;
let rendererDir: string;
let secrets: MemorySecretStore;
const apps: WebApp[] = [];
const logs: string[] = [];

async function start(): Promise<WebApp> {
  const app = await startWebApp({
    dataDir,
    rendererDir,
    seed: 5,
    sandboxDays: 2,
    streamIntervalMs: 0,
    pollIntervalMs: 60_000,
    sync: false,
    // One store per test: the cache key lives there, as in the OS keyring across restarts.
    secrets,
    log: (level, msg) => logs.push(`${level} ${msg}`),
  });
  apps.push(app);
  return app;
}

async function session(app: WebApp): Promise<Session> {
  return ok<Session>(await app.core.handle('session.get', {}));
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-training-role-'));
  rendererDir = mkdtempSync(join(tmpdir(), 'cw-training-role-ui-'));
  logs.length = 0;
  secrets = new MemorySecretStore({});
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(rendererDir, { recursive: true, force: true });
});

describe('training.setRole', () => {
  it('signs the trainee in as the supervisor: stored, the core rebuilt, audited, kept across a restart', async () => {
    const app = await start();
    expect((await session(app)).user).toEqual({ username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' });
    const refused = (await app.core.handle('dashboard.get', {})) as Envelope<unknown>;
    expect(refused.ok ? null : refused.error.code).toBe('unauthorized');
    const events: CoreEvent[] = [];
    app.core.subscribe((e) => events.push(e));

    const answer = ok<{ role: string; username: string; fullName: string }>(await app.core.handle('training.setRole', { role: 'supervisor' }));
    expect(answer).toEqual({ role: 'supervisor', username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng' });
    expect(JSON.parse(readFileSync(join(dataDir, TRAINING_ROLE_FILE), 'utf8'))).toEqual({ role: 'supervisor' });

    // The next call waits for the rebuilt core, which runs as the supervisor over the same sandbox.
    const now = await session(app);
    expect(now.user).toEqual({ username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', role: 'supervisor' });
    expect(now.training).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ type: 'config.applied', ok: true }));
    // A supervisor's method answers now (it was refused to the official).
    expect((await app.core.handle('dashboard.get', {})).ok).toBe(true);

    const audit = ok<{ entries: AuditEntry[] }>(await app.core.handle('audit.list', { offset: 0, limit: 50 })).entries;
    const entry = audit.find((e) => e.summary.includes('vai trò lãnh đạo'));
    expect(entry).toMatchObject({ actor: 'canbo.lan', kind: 'config', data: { trainingRole: 'supervisor', from: 'official' } });

    await app.close();
    apps.length = 0;
    const again = await start();
    expect((await session(again)).user.username).toBe('lanhdao.thang');

    ok(await again.core.handle('training.setRole', { role: 'it' }));
    expect((await session(again)).user).toEqual({ username: 'cntt.khoa', fullName: 'Trần Minh Khoa', role: 'it' });
  });

  it('refuses a role that does not exist, and the official stays signed in', async () => {
    const app = await start();
    const answer = (await app.core.handle('training.setRole', { role: 'admin' })) as Envelope<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe('invalid_input');
    expect(existsSync(join(dataDir, TRAINING_ROLE_FILE))).toBe(false);
    expect((await session(app)).user.role).toBe('official');
  });

  it('starts as the counter official when training-role.json is damaged, and says why in the log', async () => {
    writeFileSync(join(dataDir, TRAINING_ROLE_FILE), '{"role": "giám đốc"}');
    const app = await start();
    expect((await session(app)).user.username).toBe('canbo.lan');
    expect(logs).toContain(`warn ${TRAINING_ROLE_FILE} names no known role; the counter official is signed in`);
  });

  it('is refused outside training mode: the user comes from config.json and nothing is written', async () => {
    writeOfficeConfig(dataDir, [
      {
        adapter: { kind: 'procedure', id: 'dvc', label: 'Một cửa', baseUrl: 'http://127.0.0.1:9', username: TRAINING_CREDENTIALS.procedure.username, password: 'x', retries: 0 },
        pollIntervalMs: 60_000,
      },
    ]);
    const app = await start();
    expect(app.sandbox).toBeNull();
    const answer = (await app.core.handle('training.setRole', { role: 'supervisor' })) as Envelope<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe('unauthorized');
      expect(answer.error.message).toContain('chế độ đào tạo');
    }
    expect(existsSync(join(dataDir, TRAINING_ROLE_FILE))).toBe(false);
    expect((await session(app)).user.role).toBe('official');
  });
});
