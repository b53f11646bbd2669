/** Mail in the window, pure parts: keys, commands, flags, outbox words, saving attachments, bodies. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, type ApiInput, type ApiMethod, type ApiOutput, type MailBodyView, type OutboxEntry } from '../../../src/shared/api';
import { TransportError } from '../../../src/renderer/api/envelope';
import { attachmentUrl, HttpTransport, type FetchLike, type FileDownloader } from '../../../src/renderer/api/http.transport';
import { IpcTransport } from '../../../src/renderer/api/ipc.transport';
import { isMailCommand, MAIL_COMMANDS, mailCommandsFor } from '../../../src/renderer/actions/action-catalog';
import { shortcutFor, type FocusZone } from '../../../src/renderer/keyboard/shortcuts';
import { effectiveFlagged } from '../../../src/renderer/mail/mail-flags';
import { actionTitle, outboxEntryWords } from '../../../src/renderer/outbox/outbox-words';
import { MailBodyStore } from '../../../src/renderer/state/mail-body.store';
import type { Translate } from '../../../src/renderer/format/translate';
import { translators } from './i18n-fixture';
import { FIXTURE_NOW } from './work-item-fixture';

let vi: Translate;
beforeAll(async () => {
  ({ vi } = await translators());
});

const key = (k: string, zone: FocusZone) => shortcutFor({ key: k, zone, ctrlKey: false, metaKey: false, altKey: false });

describe('mail keys and commands', () => {
  it('r, R, f, u, s act on the selected mail and c writes a new one, never while typing or in a form', () => {
    const expected = { r: 'reply', R: 'replyAll', f: 'forward', u: 'toggleSeen', s: 'toggleFlag', c: 'compose' } as const;
    for (const [k, action] of Object.entries(expected)) {
      for (const zone of ['list', 'detail', 'body', 'other'] as const) expect(key(k, zone)).toBe(action);
      expect(key(k, 'text')).toBeNull();
      expect(key(k, 'off')).toBeNull();
    }
    expect(shortcutFor({ key: 'r', zone: 'list', ctrlKey: true, metaKey: false, altKey: false })).toBeNull();
  });
  it('offers the five mail commands, none on a deleted or outgoing mail', () => {
    expect(mailCommandsFor('unseen')).toEqual([...MAIL_COMMANDS]);
    expect(mailCommandsFor('seen')).toHaveLength(5);
    expect(mailCommandsFor('deleted')).toEqual([]);
    expect(mailCommandsFor('outgoing')).toEqual([]);
    expect(isMailCommand('mail.reply')).toBe(true);
    expect(isMailCommand('dossier.receive')).toBe(false);
  });
});

function entry(action: OutboxEntry['action'], createdAt: number): Pick<OutboxEntry, 'action' | 'createdAt'> {
  return { action, createdAt };
}

describe('mail flags while actions wait in the outbox', () => {
  it('the latest queued flag action wins over the cached flag', () => {
    expect(effectiveFlagged({ flagged: false }, [])).toBe(false);
    expect(effectiveFlagged({ flagged: false }, [entry({ kind: 'mail.flag', flagged: true }, 1)])).toBe(true);
    expect(effectiveFlagged({ flagged: false }, [entry({ kind: 'mail.flag', flagged: true }, 1), entry({ kind: 'mail.flag', flagged: false }, 2)])).toBe(false);
    expect(effectiveFlagged({ flagged: true }, [entry({ kind: 'mail.markSeen', seen: true }, 3)])).toBe(true);
  });
  it('names mail actions in the outbox', () => {
    expect(actionTitle(vi, { kind: 'mail.markSeen', seen: true })).toBe('Đánh dấu đã đọc');
    expect(actionTitle(vi, { kind: 'mail.markSeen', seen: false })).toBe('Đánh dấu chưa đọc');
    expect(actionTitle(vi, { kind: 'mail.flag', flagged: false })).toBe('Bỏ cờ');
    const send: OutboxEntry['action'] = {
      kind: 'mail.send', mode: 'replyAll', to: ['a@b.vn', 'c@d.vn'], cc: ['e@f.vn'], bcc: [], subject: 'Re: Giấy mời', text: 'x',
      attachments: [{ id: '3f2b8c1e-1d2a-4c7b-9f7e-2a4b6c8d0e1f', filename: 'a.pdf', contentType: 'application/pdf', size: 3 }], includeOriginalAttachments: false,
    };
    const w = outboxEntryWords(vi, 'vi', {
      id: 'x', itemId: 'mail:1', backendId: 'mail', itemRef: 'hung@hanoi.gov.vn', itemTitle: 'Giấy mời', action: send, state: 'pending', attempts: 0,
      createdAt: FIXTURE_NOW, updatedAt: FIXTURE_NOW, nextAttemptAt: null, lastError: null, conflict: null,
    });
    expect(w.action).toBe('Trả lời tất cả');
    expect(w.detail).toBe('Re: Giấy mời · gửi a@b.vn, c@d.vn, e@f.vn · 1 tệp đính kèm');
  });
});

describe('saving attachments through either transport', () => {
  const noFetch: FetchLike = async () => ({ ok: true, status: 200, json: async () => ({}) });

  it('browser host: GET /api/mail/attachment with the bearer token, the browser saves the download', async () => {
    const calls: Array<{ url: string; headers: Record<string, string>; filename: string }> = [];
    const download: FileDownloader = async (url, headers, filename) => {
      calls.push({ url, headers, filename });
      return { ok: true };
    };
    const api = new HttpTransport({ origin: 'http://127.0.0.1:5190', token: 'tok', fetch: noFetch, download });
    await expect(api.saveAttachment({ itemId: 'mail:INBOX/1', index: 2, filename: 'Báo cáo.pdf' })).resolves.toEqual({ saved: true, path: null });
    expect(calls).toEqual([{ url: 'http://127.0.0.1:5190/api/mail/attachment?itemId=mail%3AINBOX%2F1&index=2', headers: { Authorization: 'Bearer tok' }, filename: 'Báo cáo.pdf' }]);
    expect(attachmentUrl('http://h:1', 'a b', 0)).toBe('http://h:1/api/mail/attachment?itemId=a+b&index=0');
  });
  it('browser host: error envelopes become ApiCallError, an unreachable host a TransportError', async () => {
    const refusing = new HttpTransport({
      origin: 'http://h', token: 't', fetch: noFetch,
      download: async () => ({ ok: false, status: 404, body: { ok: false, error: { code: 'not_found', message: 'Thư không còn trên máy chủ' } } }),
    });
    const err = await refusing.saveAttachment({ itemId: 'x', index: 0, filename: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).error).toEqual({ code: 'not_found', message: 'Thư không còn trên máy chủ' });
    const html = new HttpTransport({ origin: 'http://h', token: 't', fetch: noFetch, download: async () => ({ ok: false, status: 401, body: null }) });
    expect(((await html.saveAttachment({ itemId: 'x', index: 0, filename: 'a' }).catch((e: unknown) => e)) as ApiCallError).error.code).toBe('unauthorized');
    const down = new HttpTransport({ origin: 'http://h', token: 't', fetch: noFetch, download: async () => { throw new Error('ECONNREFUSED'); } });
    expect(await down.saveAttachment({ itemId: 'x', index: 0, filename: 'a' }).catch((e: unknown) => e)).toBeInstanceOf(TransportError);
    expect(down.linkState).toBe('down');
    const none = new HttpTransport({ origin: 'http://h', token: 't', fetch: noFetch });
    expect(await none.saveAttachment({ itemId: 'x', index: 0, filename: 'a' }).catch((e: unknown) => e)).toBeInstanceOf(TransportError);
  });
  it('Electron: mail.saveAttachment through the bridge (the shell shows the save dialog)', async () => {
    const invoked: Array<[string, unknown]> = [];
    const api = new IpcTransport({
      invoke: async (method, input) => {
        invoked.push([method, input]);
        return { ok: true, data: { saved: true, path: '/home/lan/Tải về/Báo cáo.pdf' } };
      },
      onEvent: () => () => undefined,
    });
    await expect(api.saveAttachment({ itemId: 'mail:1', index: 0, filename: 'ignored.pdf' })).resolves.toEqual({ saved: true, path: '/home/lan/Tải về/Báo cáo.pdf' });
    expect(invoked).toEqual([['mail.saveAttachment', { itemId: 'mail:1', index: 0 }]]);
  });
});

describe('mail bodies in the window', () => {
  const body = (patch: Partial<MailBodyView> = {}): MailBodyView => ({ text: null, html: null, attachments: [], inlineImages: {}, fromCache: false, ...patch });
  function fakeApi(answers: Array<MailBodyView | Error>) {
    const calls: string[] = [];
    const api = {
      call: async <M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> => {
        calls.push(`${method}:${JSON.stringify(input)}`);
        const next = answers.shift();
        if (!next) throw new Error('no answer');
        if (next instanceof Error) throw next;
        return next as ApiOutput<M>;
      },
    };
    return { api, calls };
  }
  it('asks the core once per mail, asks again after a failure or when told to', async () => {
    const { api, calls } = fakeApi([new ApiCallError({ code: 'unavailable', message: 'offline' }), body({ text: 'A' }), body({ text: 'B' })]);
    const store = new MailBodyStore(api, () => ({ html: '', blockedRemoteImages: 0, remoteImageUrls: [], removedCssUrls: 0, failedRemoteImages: 0, links: [] }), () => '');
    await expect(store.load('m1')).rejects.toBeInstanceOf(ApiCallError);
    await expect(store.load('m1')).resolves.toMatchObject({ text: 'A' });
    await expect(store.load('m1')).resolves.toMatchObject({ text: 'A' });
    await expect(store.load('m1', { fresh: true })).resolves.toMatchObject({ text: 'B' });
    expect(calls).toHaveLength(3);
  });
  it('quotes the text part, else the text of the sanitised HTML', async () => {
    const { api } = fakeApi([body({ text: 'Chào chị', html: '<p>x</p>' }), body({ html: '<p>Kính <b>gửi</b></p><script>x</script>' })]);
    const sanitized: string[] = [];
    const store = new MailBodyStore(
      api,
      (html) => {
        sanitized.push(html);
        return { html: html.replace(/<script[\s\S]*?<\/script>/g, ''), blockedRemoteImages: 0, remoteImageUrls: [], removedCssUrls: 0, failedRemoteImages: 0, links: [] };
      },
      (clean) => clean.replace(/<[^>]+>/g, ''),
    );
    await expect(store.textOf('a')).resolves.toBe('Chào chị');
    await expect(store.textOf('b')).resolves.toBe('Kính gửi');
    expect(sanitized).toEqual(['<p>Kính <b>gửi</b></p><script>x</script>']);
  });
});
