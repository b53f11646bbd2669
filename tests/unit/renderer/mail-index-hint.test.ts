/**
 * Issue #4 progress: the top bar's hint while the mail search index is written ("còn 4.000 thư"),
 * from the `mail.searchIndex` event as the contract checks it to the words in both languages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CoreEventSchema } from '../../../src/shared/api';
import type { Translate } from '../../../src/renderer/format/translate';
import { MAIL_INDEX_IDLE, mailIndexWords, nextMailIndexState, type MailIndexState } from '../../../src/renderer/format/mail-index.format';
import { translators } from './i18n-fixture';

let vi: Translate;
let en: Translate;
beforeAll(async () => {
  ({ vi, en } = await translators());
});

describe('mail search index hint', () => {
  it('the event passes the contract; a negative or fractional count does not', () => {
    expect(CoreEventSchema.parse({ type: 'mail.searchIndex', pending: 4000, indexed: 0 })).toEqual({ type: 'mail.searchIndex', pending: 4000, indexed: 0 });
    expect(CoreEventSchema.safeParse({ type: 'mail.searchIndex', pending: -1, indexed: 0 }).success).toBe(false);
    expect(CoreEventSchema.safeParse({ type: 'mail.searchIndex', pending: 1.5, indexed: 0 }).success).toBe(false);
    expect(CoreEventSchema.safeParse({ type: 'mail.searchIndex', pending: 3 }).success).toBe(false);
  });

  it('shows the count while mails are pending (vi-VN numbers by default, English too)', () => {
    const state: MailIndexState = nextMailIndexState(MAIL_INDEX_IDLE, 4000);
    const words = mailIndexWords(vi, 'vi', state);
    expect(words?.text).toBe('Đang lập chỉ mục tìm kiếm thư: còn 4.000 thư');
    expect(words?.hint).toContain('4.000 thư chưa tìm kiếm được');
    // Screen readers hear a steady sentence, not every count.
    expect(words?.spoken).toBe(mailIndexWords(vi, 'vi', nextMailIndexState(state, 1200))?.spoken);
    expect(mailIndexWords(en, 'en', state)?.text).toBe('Indexing mail for search: 4,000 left');
  });

  it('nothing before any report; when the count reaches 0 nothing is shown and screen readers hear it is done', () => {
    expect(mailIndexWords(vi, 'vi', MAIL_INDEX_IDLE)).toBeNull();
    // A pass that finds nothing pending (every sync cycle): still nothing.
    expect(nextMailIndexState(MAIL_INDEX_IDLE, 0)).toEqual(MAIL_INDEX_IDLE);
    let state = MAIL_INDEX_IDLE;
    for (const pending of [4000, 3500, 0]) state = nextMailIndexState(state, pending);
    expect(state).toEqual({ pending: 0, finished: true });
    const done = mailIndexWords(vi, 'vi', state);
    expect(done?.text).toBe('');
    expect(done?.spoken).toBe('Đã lập xong chỉ mục tìm kiếm thư; mọi thư đều tìm kiếm được.');
    // Another pass later shows the count again.
    expect(nextMailIndexState(state, 20)).toEqual({ pending: 20, finished: false });
  });
});
