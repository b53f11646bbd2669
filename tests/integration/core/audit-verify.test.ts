import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { openCacheDatabase } from '../../../src/core/db/cache.database';

const ROOT = resolve(import.meta.dirname, '../../..');

function verify(dataDir: string): { code: number | null; out: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/audit-verify.ts'), '--data-dir', dataDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('scripts/audit-verify.ts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cw-audit-verify-'));
    const db = openCacheDatabase(dir);
    const log = new AuditLog(db, Date.now);
    for (let i = 1; i <= 6; i++) log.append({ actor: 'canbo.lan', kind: 'action', summary: `Thao tác ${i}`, data: { i } });
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says the chain is intact (exit 0), then names a tampered entry and a deleted one (exit 1)', () => {
    expect(verify(dir)).toMatchObject({ code: 0, out: expect.stringContaining('intact: 6 entries') });

    const db = openCacheDatabase(dir);
    db.prepare("UPDATE audit_log SET summary = 'Không có gì' WHERE seq = 4").run();
    db.close();
    const edited = verify(dir);
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/TAMPERED: first bad entry seq 4/);

    const db2 = openCacheDatabase(dir);
    db2.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    db2.close();
    const deleted = verify(dir);
    expect(deleted.code).toBe(1);
    expect(deleted.out).toMatch(/seq 2 — entries 2 are missing/);
  });

  it('refuses a missing directory or argument (exit 2)', () => {
    expect(verify(join(dir, 'nope')).code).toBe(2);
  });
});
