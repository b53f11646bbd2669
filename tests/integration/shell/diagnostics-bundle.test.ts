/**
 * Issue #7: the diagnostics bundle from a real core (temp SQLite file synced from the training
 * sandbox over HTTP). Secrets and a citizen's data are planted in the configuration, the cache holds
 * hundreds of real-looking citizens; the bundle's bytes are scanned for every one of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingConfig, type WorkstationConfigInput } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { BackendStatus } from '../../../src/shared/api';
import { DiagnosticsBundleSchema } from '../../../src/shared/shell';

const PLANTED_SECRET = 'Mật-khẩu-Bí-Mật-7f3a9c';
let sandbox: TrainingSandbox;
const dirs: string[] = [];
const cores: Core[] = [];

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 7, days: 5, streamIntervalMs: 0, mail: false });
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
  await sandbox.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cw-diag-'));
  dirs.push(d);
  return d;
}

function config(role: 'it' | 'official', citizen: { name: string; id: string; phone: string; email: string }): WorkstationConfigInput {
  const base = trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 60_000 });
  return {
    ...base,
    user: { ...base.user, role },
    office: {
      ...base.office,
      // Personal data where IT staff might have typed it: an official's name, phone, ID and mail.
      officials: [...(base.office.officials ?? []), { username: 'tiep.dan', fullName: citizen.name, title: `SĐT ${citizen.phone}, CCCD ${citizen.id}, ${citizen.email}` }],
    },
    backends: [
      ...base.backends,
      {
        // A plain-text password in the file (as IT staff sometimes type it) for a backend that is down.
        adapter: { kind: 'procedure', id: 'dvc-tinh', label: 'Một cửa tỉnh', baseUrl: 'http://127.0.0.1:9/', username: 'lan.nt', password: PLANTED_SECRET, retries: 0, timeoutMs: 500 },
        pollIntervalMs: 60_000,
      },
    ],
  };
}

async function waitSynced(core: Core): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const env = await core.handle('backends.list', {});
    if (env.ok) {
      const rows = env.data as BackendStatus[];
      if (rows.filter((b) => b.training).every((b) => b.lastSyncAt !== null && b.itemCount > 0)) return;
    }
    if (Date.now() > deadline) throw new Error('first sync did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('diagnostics.bundle', () => {
  it('carries versions, backend states and health counters, without any secret or personal data', async () => {
    const dossiers = sandbox.dossiers().filter((d) => d.LoaiDoiTuong === 1 && d.Email !== '');
    const planted = dossiers[0];
    if (!planted) throw new Error('the sandbox generated no citizen with an e-mail address');
    const citizen = { name: planted.ChuHoSo, id: planted.SoGiayToChuHoSo, phone: planted.SoDienThoai, email: planted.Email };
    const core = await createCore({ dataDir: dataDir(), config: config('it', citizen), backoff: { baseMs: 50, maxMs: 200 } });
    cores.push(core);
    core.start();
    await waitSynced(core);

    const env = await core.handle('diagnostics.bundle', {});
    if (!env.ok) throw new Error(env.error.message);
    const { filename, content } = env.data as { filename: string; content: string };
    expect(filename).toMatch(/^chan-doan-ban-lam-viec-\d{8}-\d{6}\.json$/);
    const bundle = DiagnosticsBundleSchema.parse(JSON.parse(content));

    // Useful to IT staff.
    expect(bundle.versions['node']).toBe(process.versions.node);
    // The training sandbox's public accounts (its password is the word "training") are masked in the
    // configuration but not scrubbed from the text: the backend ids stay readable.
    expect(bundle.backends.map((b) => b.id)).toEqual(['training-procedure', 'training-document', 'dvc-tinh']);
    expect(bundle.backends.find((b) => b.id === 'dvc-tinh')?.state).not.toBe('online');
    expect(bundle.health.items).toBeGreaterThan(50);
    expect(bundle.health.schemaVersion).toBeGreaterThanOrEqual(6);
    expect(bundle.recentLog.length).toBeGreaterThan(0);
    expect(bundle.recentLog.join('\n')).toContain('core ready');
    const cfg = bundle.config as { backends: Array<{ adapter: Record<string, unknown> }> };
    expect(cfg.backends.find((b) => b.adapter['id'] === 'dvc-tinh')?.adapter['password']).toBe('[bí mật]');
    expect(cfg.backends.find((b) => b.adapter['id'] === 'training-procedure')?.adapter['password']).toBe('[bí mật]');
    expect(cfg.backends.find((b) => b.adapter['id'] === 'training-document')?.adapter['clientSecret']).toBe('[bí mật]');
    expect(bundle.recentLog.join('\n')).not.toContain('[bí mật]-');
    expect(bundle.redactions['name']).toBeGreaterThanOrEqual(1);

    // Nothing secret or personal, byte for byte (any case for names).
    const bytes = Buffer.from(content, 'utf8');
    const lower = content.toLocaleLowerCase('vi');
    expect(bytes.includes(Buffer.from(PLANTED_SECRET, 'utf8')), 'the planted secret in the bundle').toBe(false);
    expect(content.includes('lan.nt')).toBe(true); // (its user name is not secret: the check above can fail)
    for (const v of [citizen.id, citizen.phone, citizen.email]) expect(content.includes(v), `${v} in the bundle`).toBe(false);
    expect(lower.includes(citizen.name.toLocaleLowerCase('vi'))).toBe(false);
    // Every citizen the cache knows: name, ID number, phone, e-mail.
    for (const d of sandbox.dossiers()) {
      for (const v of [d.SoGiayToChuHoSo, d.SoDienThoai, d.Email].filter((x) => x.length >= 6)) expect(content.includes(v), `${v} in the bundle`).toBe(false);
      if (d.ChuHoSo.includes(' ')) expect(lower.includes(d.ChuHoSo.toLocaleLowerCase('vi')), `${d.ChuHoSo} in the bundle`).toBe(false);
    }
  }, 60_000);

  it('is for IT staff only', async () => {
    const core = await createCore({ dataDir: dataDir(), config: config('official', { name: 'Trần Văn Bình', id: '001203004005', phone: '0912345678', email: 'binh@example.vn' }) });
    cores.push(core);
    const env = await core.handle('diagnostics.bundle', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    if (!env.ok) expect(env.error.message).toMatch(/cán bộ công nghệ thông tin/);
  });
});
