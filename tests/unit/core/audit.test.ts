import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditExportFilename, AuditLog, canonicalJson, GENESIS_HASH } from '../../../src/core/audit/audit.log';
import { backendSignInRecorder, configFingerprint, recordStartup } from '../../../src/core/audit/audit.startup';
import { parseConfig, trainingConfig } from '../../../src/core/config/config.schema';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { AuditEntrySchema, type BackendStatus } from '../../../src/shared/api';
import { NOW, tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let log: AuditLog;
let clock: number;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-audit-'));
  db = openCacheDatabase(dir);
  clock = NOW;
  log = new AuditLog(db, () => clock++);
});

afterEach(() => {
  db.close();
  cleanup();
});

function fill(n: number): void {
  for (let i = 1; i <= n; i++) {
    log.append({ actor: 'canbo.lan', kind: 'action', summary: `Thao tác ${i}`, data: { i, nested: { b: 2, a: [1, 'x'] } } });
  }
}

describe('canonical JSON', () => {
  it('sorts keys at every level, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null }, e: 'ế' })).toBe(
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1,"e":"ế"}',
    );
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });
});

describe('audit log', () => {
  it('chains entries: hash = sha256(prevHash + canonical JSON), the first links to 64 zeros', () => {
    fill(3);
    const { entries, total } = log.list(0, 10);
    expect(total).toBe(3);
    expect(entries.map((e) => e.seq)).toEqual([3, 2, 1]); // newest first
    for (const e of entries) expect(AuditEntrySchema.safeParse(e).success).toBe(true);
    const first = entries[2]!;
    expect(first.prevHash).toBe(GENESIS_HASH);
    const body = canonicalJson({ seq: 1, at: first.at, actor: 'canbo.lan', kind: 'action', summary: 'Thao tác 1', data: first.data });
    expect(first.hash).toBe(createHash('sha256').update(GENESIS_HASH + body).digest('hex'));
    expect(entries[1]!.prevHash).toBe(first.hash);
    expect(log.verify()).toEqual({ ok: true, checked: 3, firstBadSeq: null, reason: null });
  });

  it('names the first tampered entry when a summary is edited with SQL', () => {
    fill(5);
    db.prepare("UPDATE audit_log SET summary = 'Không có gì' WHERE seq = 3").run();
    expect(log.verify()).toMatchObject({ ok: false, checked: 2, firstBadSeq: 3, reason: expect.stringMatching(/entry 3 was changed/) });
  });

  it('detects an entry re-hashed to hide an edit: the next one no longer links to it', () => {
    fill(4);
    db.prepare("UPDATE audit_log SET hash = 'f' || substr(hash, 2) WHERE seq = 2").run();
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(2);
  });

  it('reports a gap when a row is deleted, and a missing tail', () => {
    fill(5);
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/entries 3 are missing/) });
    db.prepare('DELETE FROM audit_log WHERE seq >= 3').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/3–5 at the end are missing/) });
    // A new entry never reuses a deleted number.
    expect(log.append({ actor: 'x', kind: 'outbox', summary: 's' }).seq).toBe(6);
  });

  it('exports JSON Lines named after the office date', () => {
    fill(2);
    const { filename, content } = log.exportJsonl();
    expect(filename).toBe('nhat-ky-2026-11-25.jsonl');
    expect(auditExportFilename(Date.parse('2026-11-25T18:30:00Z'))).toBe('nhat-ky-2026-11-26.jsonl'); // 01:30 in Hanoi
    const lines = content.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(content.endsWith('\n')).toBe(true);
  });

  it('appends inside the caller transaction: rolled back with it', () => {
    expect(() =>
      db.transaction(() => {
        log.append({ actor: 'a', kind: 'action', summary: 'x' });
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    expect(log.list(0, 10).total).toBe(0);
    expect(log.append({ actor: 'a', kind: 'action', summary: 'y' }).seq).toBe(1);
    expect(log.verify().ok).toBe(true);
  });
});

describe('session start and configuration', () => {
  const base = trainingConfig({ procedureUrl: 'http://127.0.0.1:1', documentUrl: 'http://127.0.0.1:2' });

  it('records the start of work each time, and the configuration only when it changed, without secrets', () => {
    recordStartup(log, base);
    recordStartup(log, base);
    let entries = log.list(0, 10).entries.reverse();
    expect(entries.map((e) => e.kind)).toEqual(['sign_in', 'config', 'sign_in']);
    expect(entries[0]).toMatchObject({ actor: 'canbo.lan', data: { event: 'app_start', training: true } });
    expect(entries[1]?.data['fingerprint']).toBe(configFingerprint(base));

    const changed = parseConfig({
      ...base,
      backends: base.backends.map((b, i) =>
        i === 0 ? { ...b, adapter: { ...b.adapter, baseUrl: 'https://canbo:hunter22@dvc.example.vn', password: 'hunter22' } } : b,
      ),
    });
    expect(configFingerprint(changed)).not.toBe(configFingerprint(base));
    recordStartup(log, changed);
    entries = log.list(0, 10).entries;
    expect(entries[0]).toMatchObject({ kind: 'config', summary: 'Cấu hình đã thay đổi', data: { previousFingerprint: configFingerprint(base) } });
    // A password change alone is not visible (the password never reaches the log).
    const samePassword = parseConfig({ ...changed, backends: changed.backends.map((b, i) => (i === 0 ? { ...b, adapter: { ...b.adapter, password: 'other' } } : b)) });
    expect(configFingerprint(samePassword)).toBe(configFingerprint(changed));
    const all = JSON.stringify(log.exportJsonl().content);
    expect(all).not.toContain('hunter22');
    expect(all).not.toMatch(/password|clientSecret/);
    expect(all).toContain('https://dvc.example.vn');
    expect(log.verify().ok).toBe(true);
  });

  it('records backend sign-in success once per session and each credential refusal', () => {
    const record = backendSignInRecorder(log, 'canbo.lan');
    const status = (state: BackendStatus['state'], code: 'auth_failed' | 'unreachable' | null): BackendStatus => ({
      id: 'p',
      kind: 'procedure',
      label: 'Một cửa điện tử',
      training: false,
      state,
      lastSyncAt: null,
      lastAttemptAt: null,
      lastError: code ? { code, message: 'x', at: 0 } : null,
      progress: null,
      itemCount: 0,
      quarantined: 0,
    });
    record(status('connecting', null));
    record(status('online', null));
    record(status('online', null));
    record(status('offline', 'unreachable'));
    record(status('online', null));
    record(status('error', 'auth_failed'));
    record(status('error', 'auth_failed'));
    record(status('online', null));
    expect(log.list(0, 10).entries.reverse().map((e) => [e.summary, e.data['ok']])).toEqual([
      ['Đăng nhập thành công: Một cửa điện tử', true],
      ['Đăng nhập thất bại: Một cửa điện tử', false],
      ['Đăng nhập thành công: Một cửa điện tử', true],
    ]);
  });
});
