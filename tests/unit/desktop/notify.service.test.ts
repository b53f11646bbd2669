/**
 * The notification service on a real SQLite cache (QueueService write path, the core's event hub),
 * with a pinned clock: what is raised, when, and what the tray shows.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { CoreEventHub } from '../../../src/core/events/event.hub';
import { NotifyService } from '../../../src/core/notify/notify.service';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import type { CoreEvent } from '../../../src/shared/api';
import type { DesktopNotification, NotifySettingsInput, TrayCounts } from '../../../src/shared/desktop';
import { NotifySettingsSchema } from '../../../src/shared/desktop';
import { at, document, dossier, NOW, tempDir } from '../core/fixtures/records.fixture';

const calendar = defaultCalendar();
let dir: string;
let cleanup: () => void;
let db: Database.Database;
let queue: QueueService;
let hub: CoreEventHub;
let clock: number;
let raised: DesktopNotification[];
let counts: TrayCounts[];
let service: NotifyService | null;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-notify-'));
  db = openCacheDatabase(dir);
  clock = NOW;
  queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => clock });
  hub = new CoreEventHub(() => undefined);
  raised = [];
  counts = [];
  hub.subscribe((e: CoreEvent) => {
    if (e.type === 'notify.raised') raised.push(e.notification);
    if (e.type === 'tray.counts') counts.push(e.counts);
  });
  service = null;
});

afterEach(() => {
  service?.stop();
  db.close();
  cleanup();
});

function start(settings: NotifySettingsInput = {}): NotifyService {
  service = new NotifyService({
    db,
    queue,
    calendar,
    settings: NotifySettingsSchema.parse({ burstMs: 30, ...settings }),
    username: 'canbo.lan',
    emit: (e) => hub.emit(e),
    subscribe: (l) => hub.subscribe(l),
    now: () => clock,
    log: () => undefined,
    tickMs: 3_600_000,
  });
  service.start();
  return service;
}

/** A sync page landing: the cache write, then the change event as the sync engine emits it. */
function land(backend: string, records: Parameters<QueueService['upsertBatch']>[1]): void {
  queue.upsertBatch(backend, records, [], null);
  hub.emit({ type: 'items.changed', ids: records.map((r) => `${backend}:${r.externalId}`), more: false });
}

describe('notification service', () => {
  it('raises nothing for what was cached before the start; the tray counts open / due today / overdue', async () => {
    queue.upsertBatch(
      'p',
      [
        dossier({ externalId: 'late', dueAt: at('2026-11-24T16:00:00') }),
        dossier({ externalId: 'today', dueAt: at('2026-11-25T16:45:00') }),
        dossier({ externalId: 'later', dueAt: at('2026-12-04T17:00:00') }),
        dossier({ externalId: 'done', status: '10' }),
      ],
      [],
      null,
    );
    queue.upsertBatch('q', [document({ externalId: 'k1', urgency: 3, dueAt: at('2026-12-10T17:00:00') })], [], null);
    start({ leadMinutes: [60] });
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toEqual([]);
    expect(counts).toEqual([{ open: 4, dueToday: 1, overdue: 1, unread: 0 }]);
    expect(service?.list()).toMatchObject({ notifications: [], unread: 0, counts: { open: 4, dueToday: 1, overdue: 1, unread: 0 }, quietNow: false });
  });

  it('a new urgent document → one notification with the item; a burst of 12 → one "12 văn bản khẩn mới"; updates and normal items → nothing', async () => {
    queue.upsertBatch('q', [document({ externalId: 'old', urgency: 1 })], [], null);
    start();
    land('q', [document({ externalId: '7816', urgency: 2, subject: 'V/v phòng chống bão số 9' }), document({ externalId: 'n0', urgency: 0 })]);
    await vi.waitFor(() => expect(raised).toHaveLength(1));
    expect(raised[0]).toMatchObject({ kind: 'urgent', title: 'Văn bản thượng khẩn mới', body: '7816/VPCP-TTĐT — V/v phòng chống bão số 9', itemIds: ['q:7816'], quiet: false });
    expect(counts.at(-1)).toMatchObject({ open: 3 });

    land('q', Array.from({ length: 12 }, (_, n) => document({ externalId: `b${n}`, urgency: 1 })));
    await vi.waitFor(() => expect(raised).toHaveLength(2));
    expect(raised[1]).toMatchObject({ kind: 'urgent', title: '12 văn bản khẩn mới', count: 12 });
    expect(raised[1]?.itemIds).toHaveLength(12);

    land('q', [document({ externalId: 'old', urgency: 1, updatedAt: NOW }), document({ externalId: '7816', urgency: 2, updatedAt: NOW })]);
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toHaveLength(2);
    expect(service?.list().unread).toBe(2);
    expect(counts.at(-1)).toMatchObject({ unread: 2 });
    expect(service?.markRead([raised[0]?.id ?? ''])).toEqual({ unread: 1 });
    expect(counts.at(-1)).toMatchObject({ unread: 1 });
    expect(service?.markRead(undefined)).toEqual({ unread: 0 });
    expect(counts.at(-1)).toMatchObject({ unread: 0 });
  });

  it('about to go overdue: each working-time threshold once, as time passes; overdue items are left to the tray', async () => {
    // Wed 10:00; due 14:00 the same day = 3 working hours left (lunch 12:00–13:00 does not count).
    queue.upsertBatch('p', [dossier({ externalId: 'D1', dueAt: at('2026-11-25T14:00:00') })], [], null);
    const s = start({ leadMinutes: [240, 60] });
    await vi.waitFor(() => expect(raised).toHaveLength(1));
    expect(raised[0]).toMatchObject({ kind: 'due_soon', itemIds: ['p:D1'], title: 'Sắp quá hạn: còn 3 giờ làm việc' });
    clock = at('2026-11-25T11:00:00');
    s.check();
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toHaveLength(1);
    clock = at('2026-11-25T13:10:00');
    s.check();
    await vi.waitFor(() => expect(raised).toHaveLength(2));
    expect(raised[1]).toMatchObject({ kind: 'due_soon', title: 'Sắp quá hạn: còn 50 phút làm việc' });
    clock = at('2026-11-25T14:30:00');
    s.check();
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toHaveLength(2);
    expect(counts.at(-1)).toMatchObject({ overdue: 1 });
  });

  it('quiet hours: urgent items are listed without pop-up, then summed up when the quiet time ends; due-soon waits', async () => {
    clock = at('2026-11-25T19:00:00');
    const s = start({ leadMinutes: [240] });
    const far = at('2026-12-10T17:00:00');
    land('q', [document({ externalId: 'night1', urgency: 1, receivedAt: clock, dueAt: far }), document({ externalId: 'night2', urgency: 3, receivedAt: clock, dueAt: far })]);
    // Due at 09:00 next morning: 1.5 working hours left at 07:30.
    land('p', [dossier({ externalId: 'D2', dueAt: at('2026-11-26T09:00:00') })]);
    await vi.waitFor(() => expect(raised).toHaveLength(1));
    expect(raised[0]).toMatchObject({ kind: 'urgent', quiet: true, count: 2 });
    clock = at('2026-11-26T07:40:00');
    s.check();
    await vi.waitFor(() => expect(raised).toHaveLength(3));
    expect(raised.find((n) => n.kind === 'quiet_summary')).toMatchObject({ quiet: false, title: 'Trong giờ nghỉ có 2 văn bản khẩn mới' });
    expect(raised.find((n) => n.kind === 'due_soon')).toMatchObject({ quiet: false, itemIds: ['p:D2'] });
  });

  it('a restart keeps what was said: due-soon thresholds are not repeated, the list and its read marks survive', async () => {
    queue.upsertBatch('p', [dossier({ externalId: 'D1', dueAt: at('2026-11-25T14:00:00') }), dossier({ externalId: 'D3', dueAt: at('2026-11-25T15:00:00') })], [], null);
    const first = start({ leadMinutes: [240, 60] });
    await vi.waitFor(() => expect(raised).toHaveLength(1));
    expect(raised[0]?.itemIds).toEqual(['p:D1', 'p:D3']);
    expect(first.markRead([raised[0]?.id ?? ''])).toEqual({ unread: 0 });
    land('q', [document({ externalId: 'u1', urgency: 2 })]);
    await vi.waitFor(() => expect(raised).toHaveLength(2));
    first.stop();

    // The same cache, a new process: nothing is raised again, the two notifications are listed, one unread.
    clock = at('2026-11-25T10:30:00');
    const second = start({ leadMinutes: [240, 60] });
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toHaveLength(2);
    const listed = second.list();
    expect(listed.notifications.map((n) => [n.kind, n.read])).toEqual([
      ['urgent', false],
      ['due_soon', true],
    ]);
    expect(listed.unread).toBe(1);
    expect(counts.at(-1)).toMatchObject({ unread: 1 });

    // The next threshold is still raised once; D1 closed → its mark is dropped from the cache.
    clock = at('2026-11-25T13:10:00');
    second.check();
    await vi.waitFor(() => expect(raised).toHaveLength(3));
    expect(raised[2]).toMatchObject({ kind: 'due_soon', itemIds: ['p:D1'] });
    expect(db.prepare('SELECT item_id, threshold FROM notify_marks ORDER BY item_id').all()).toEqual([
      { item_id: 'p:D1', threshold: 60 },
      { item_id: 'p:D3', threshold: 240 },
    ]);
    queue.upsertBatch('p', [dossier({ externalId: 'D1', status: '9', dueAt: at('2026-11-25T14:00:00'), updatedAt: NOW + 1 })], [], null);
    second.check();
    expect(db.prepare('SELECT item_id FROM notify_marks').all()).toEqual([{ item_id: 'p:D3' }]);
  });

  it('switched off: no notifications, the tray still counts', async () => {
    start({ enabled: false });
    land('q', [document({ externalId: 'u', urgency: 4 })]);
    await vi.waitFor(() => expect(counts.at(-1)).toMatchObject({ open: 1 }));
    await new Promise((r) => setTimeout(r, 80));
    expect(raised).toEqual([]);
  });
});
