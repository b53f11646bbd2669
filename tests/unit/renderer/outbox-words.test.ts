import { beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_STATES, type OutboxEntry } from '../../../src/shared/api';
import {
  actionDetail,
  isOpenState,
  openCount,
  outboxEntryWords,
  outboxErrorText,
  sortOutbox,
  waitingCount,
} from '../../../src/renderer/outbox/outbox-words';
import type { Translate } from '../../../src/renderer/format/translate';
import { translators } from './i18n-fixture';
import { FIXTURE_NOW, workItem } from './work-item-fixture';

let vi: Translate;
let en: Translate;
beforeAll(async () => {
  ({ vi, en } = await translators());
});

function entry(patch: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id: 'ob-1',
    itemId: 'training-procedure:000.26.13.H26-260316-0001',
    backendId: 'training-procedure',
    itemRef: '000.26.13.H26-260316-0001',
    itemTitle: 'Đăng ký khai sinh',
    action: { kind: 'dossier.receive' },
    state: 'pending',
    attempts: 0,
    createdAt: FIXTURE_NOW,
    updatedAt: FIXTURE_NOW,
    nextAttemptAt: null,
    lastError: null,
    conflict: null,
    ...patch,
  };
}

const OFFICIALS = [{ username: 'canbo.mai', fullName: 'Lê Thị Mai' }];

describe('outbox entries in words', () => {
  it('names the outbox states in Vietnamese', () => {
    const expected = { pending: 'Chờ gửi', sending: 'Đang gửi', done: 'Đã gửi', needs_attention: 'Cần xử lý', conflict: 'Xung đột', discarded: 'Đã bỏ' };
    for (const state of OUTBOX_STATES) {
      expect(outboxEntryWords(vi, 'vi', entry({ state })).state).toBe(expected[state]);
      expect(outboxEntryWords(en, 'en', entry({ state })).state).not.toMatch(/^outboxState\./);
    }
  });

  it('says the action and its particulars', () => {
    const w = outboxEntryWords(vi, 'vi', entry({ action: { kind: 'dossier.forward', toUser: 'canbo.mai' } }), OFFICIALS);
    expect(w.action).toBe('Chuyển xử lý');
    expect(w.detail).toBe('→ Lê Thị Mai');
    expect(actionDetail(vi, 'vi', { kind: 'dossier.refuse', reason: 'Sai thẩm quyền' }, [])).toBe('Lý do: Sai thẩm quyền');
    expect(actionDetail(vi, 'vi', { kind: 'dossier.requestFees', fees: [{ name: 'Lệ phí', amount: 50000 }] }, [])).toMatch(/^1 khoản, tổng 50\.000\s?₫$/);
    expect(actionDetail(vi, 'vi', { kind: 'dossier.returnResult', method: 1 }, [])).toBe('Qua dịch vụ bưu chính');
    expect(actionDetail(vi, 'vi', { kind: 'document.assign', lead: 'canbo.x', cooperating: [], forInfo: [] }, [])).toBe('Chủ trì: canbo.x');
    expect(outboxEntryWords(en, 'en', entry({ action: { kind: 'document.register', incomingNumber: '12', incomingDate: FIXTURE_NOW } })).detail).toBe('Incoming no. 12, 16/03/2026');
  });

  it("shows the backend's refusal verbatim and transport failures in plain Vietnamese", () => {
    const rejected = outboxErrorText(vi, { code: 'rejected', message: 'Hồ sơ đã được tiếp nhận trước đó.', at: FIXTURE_NOW });
    expect(rejected).toEqual({ text: 'Hồ sơ đã được tiếp nhận trước đó.', technical: null });
    const down = outboxErrorText(vi, { code: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:4000', at: FIXTURE_NOW });
    expect(down?.text).toBe(vi('backendError.unreachable'));
    expect(down?.text).toMatch(/Không kết nối được/);
    expect(down?.technical).toBe('connect ECONNREFUSED 127.0.0.1:4000');
    expect(outboxErrorText(vi, { code: 'conflict', message: '', at: FIXTURE_NOW })?.text).toBe(vi('outbox.conflictText'));
    expect(outboxErrorText(vi, null)).toBeNull();
  });

  it('counts what waits and what is open, and sorts what needs the official first', () => {
    const counts = { pending: 2, sending: 1, done: 40, needs_attention: 1, conflict: 1, discarded: 3 };
    expect(waitingCount(counts)).toBe(3);
    expect(openCount(counts)).toBe(5);
    expect(openCount({})).toBe(0);
    expect(isOpenState('done')).toBe(false);
    expect(isOpenState('conflict')).toBe(true);
    const sorted = sortOutbox([
      entry({ id: 'a', state: 'done', updatedAt: 5 }),
      entry({ id: 'b', state: 'pending', updatedAt: 4 }),
      entry({ id: 'c', state: 'conflict', updatedAt: 1, conflict: { base: workItem(), current: workItem({ status: '5' }) } }),
      entry({ id: 'd', state: 'needs_attention', updatedAt: 3 }),
    ]);
    expect(sorted.map((e) => e.id)).toEqual(['c', 'd', 'b', 'a']);
  });
});
