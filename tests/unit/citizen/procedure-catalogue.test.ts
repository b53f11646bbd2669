/**
 * Issue #6 declare once, offline: `procedures.list` keeps each backend's last catalogue in the cache
 * (migration 013) and offers it, marked stale with its time, when the backend cannot be read; nothing
 * kept → a Vietnamese refusal; a kept row that no longer parses is not offered. Real SQLite file; the
 * adapters are stand-ins (the live path over HTTP is tests/integration/citizen/dossier-register.test.ts).
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterError, type BackendAdapter } from '../../../src/core/adapters/adapter';
import type { ProcedureInfo } from '../../../src/core/adapters/procedure.schema';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { registerHandlers } from '../../../src/core/citizen/register.handlers';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration013ProcedureCatalogue } from '../../../src/core/db/migrations/013-procedure-catalogue';
import { tempDir } from '../core/fixtures/records.fixture';

const ONE: ProcedureInfo = {
  code: '1.004873.000.00.00.H26',
  name: 'Cấp Giấy xác nhận tình trạng hôn nhân',
  fieldName: 'Hộ tịch',
  papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân'],
  fees: [{ name: 'Lệ phí', amount: 15_000 }],
} as ProcedureInfo;

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let online: boolean;

function adapter(): BackendAdapter & { listProcedures(): Promise<ProcedureInfo[]> } {
  return {
    id: 'dvc',
    kind: 'procedure',
    label: 'Một cửa điện tử',
    capabilities: { actions: true } as BackendAdapter['capabilities'],
    pull: () => Promise.reject(new Error('not used')),
    perform: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
    listProcedures: () => (online ? Promise.resolve([ONE]) : Promise.reject(new AdapterError('unreachable', 'ECONNREFUSED', true))),
  };
}

function handlers(at: number): ReturnType<typeof registerHandlers> {
  return registerHandlers({ outbox: { submitRegister: () => Promise.reject(new Error('not used')) } as never, adapters: [adapter()], role: 'official', db, now: () => at });
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-catalogue-'));
  db = openCacheDatabase(dir);
  online = true;
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('procedure catalogue kept for offline use', () => {
  it('is migration 13 and applies on a version-12 file', () => {
    expect(MIGRATIONS[12]).toBe(migration013ProcedureCatalogue);
    db.close();
    cleanup();
    ({ dir, cleanup } = tempDir('cw-catalogue-'));
    openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 12) }).close();
    db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 13) });
    expect(schemaVersion(db)).toBe(13);
    expect(db.prepare('SELECT COUNT(*) AS n FROM procedure_catalogue').get()).toEqual({ n: 0 });
  });

  it('nothing kept and the backend unreachable → a Vietnamese refusal naming the backend', async () => {
    online = false;
    const failure = await Promise.resolve(handlers(1000)['procedures.list']({})).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).message).toMatch(/chưa lưu danh mục/);
    expect((failure as ApiFailure).details).toEqual(['Một cửa điện tử: unreachable']);
  });

  it('read live → kept; unreachable later → the kept one, stale with its time and reason', async () => {
    expect(await handlers(1000)['procedures.list']({})).toEqual({ procedures: [{ backendId: 'dvc', ...ONE }], stale: [] });
    online = false;
    expect(await handlers(5000)['procedures.list']({})).toEqual({
      procedures: [{ backendId: 'dvc', ...ONE }],
      stale: [{ backendId: 'dvc', label: 'Một cửa điện tử', fetchedAt: 1000, reason: 'unreachable' }],
    });
  });

  it('a kept row that no longer parses is not offered', async () => {
    db.prepare("INSERT INTO procedure_catalogue (backend_id, fetched_at, json) VALUES ('dvc', 1000, '[{\"code\": 7}]')").run();
    online = false;
    await expect(Promise.resolve(handlers(2000)['procedures.list']({}))).rejects.toThrow(/chưa lưu danh mục/);
  });
});
