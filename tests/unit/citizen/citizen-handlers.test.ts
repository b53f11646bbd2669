/** Issue #6 handlers on a real cache: IT staff are refused personal data; a scan is checked again by the core. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { citizenHandlers } from '../../../src/core/citizen/citizen.handlers';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { SearchFilterSchema } from '../../../src/shared/citizen';
import { dossier, NOW, tempDir } from '../core/fixtures/records.fixture';
import type Database from 'better-sqlite3';

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let queue: QueueService;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-citizen-handlers-'));
  db = openCacheDatabase(dir);
  const calendar = defaultCalendar();
  queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW });
  queue.upsertBatch('p', [dossier({ externalId: '000.26.13.H26-251003-0012', applicant: 'Nguyễn Văn Đức' })], [], null);
});
afterEach(() => {
  db.close();
  cleanup();
});

function handlers(role: string): ReturnType<typeof citizenHandlers> {
  return citizenHandlers({ db, queue, audit: new AuditLog(db, () => NOW), calendar: defaultCalendar(), now: () => NOW, actor: { username: 'canbo.lan' }, role });
}

describe('citizen handlers', () => {
  it('serve the counter roles: the dossier landed its applicant into citizens', async () => {
    const h = handlers('official');
    const found = await h['citizen.find']({ q: '001084000999' });
    expect(found.citizens.map((c) => [c.idNumber, c.fullName, c.birthYear, c.sex])).toEqual([['001084000999', 'Nguyễn Văn Đức', 1984, 'male']]);
    const view = await h['citizen.view']({ idNumber: '001084000999' });
    expect(view.timeline.map((e) => e.item.ref)).toEqual(['000.26.13.H26-251003-0012']);
    const out = await h['search.query'](SearchFilterSchema.parse({ q: 'nguyen van duc' }));
    expect(out.groups[0]?.citizenId).toBe('001084000999');
  });

  it('refuse IT staff', () => {
    const h = handlers('it');
    expect(() => h['citizen.find']({ q: '001084000999' })).toThrow(ApiFailure);
    expect(() => h['citizen.view']({ idNumber: '001084000999' })).toThrow(/CNTT/);
    expect(() => h['search.query'](SearchFilterSchema.parse({ q: 'nguyen' }))).toThrow(ApiFailure);
  });

  it('check a scan again in the core and refuse an invalid one with its Vietnamese message', () => {
    const h = handlers('official');
    expect(() => h['citizen.view']({ scan: '001084000999|012345678|Nguyễn Văn Đức|15031984|Nữ|Hà Nội|10052021' })).toThrow(/giới tính/);
  });
});
