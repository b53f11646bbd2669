/**
 * Links both ways and by hand (issue #4) through the core's contract, with the mail on a real Dovecot
 * and the cited dossiers from a fake procedure backend: an automatic link removed by hand stays
 * removed when the mail is synced again (a flag changed on the server, then a UIDVALIDITY reset that
 * re-syncs the whole folder); adding it back restores it; citizen links show on every dossier of the
 * citizen; every change is audited and announced for both sides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdapter as registryCreateAdapter } from '../../../src/core/adapters/adapter.registry';
import { createCore, type Core } from '../../../src/core/core';
import type { AuditEntry, BackendStatus, CoreEvent, ItemLinksView, ItemLinkView } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { connectedImap, type MailServers, startMailServers } from '../../support/mail-servers';
import { FakeAdapter } from '../../unit/core/fixtures/fake.adapter';
import { dossier } from '../../unit/core/fixtures/records.fixture';
import { encodeWord } from './mail-fixtures';
import { ok } from '../../support/envelope';

const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';
const CODE = '000.26.13.H26-251003-0012';
const CODE2 = '000.26.13.H26-251010-0003';
const CITIZEN = '001084000999';
const SUBJECT = `Về hồ sơ ${CODE} của công dân`;
const WAIT = { timeout: 15_000, interval: 25 };

let servers: MailServers;
let core: Core;
let dataDir: string;
let mailId = '';
const events: CoreEvent[] = [];

async function get(id: string): Promise<{ item: WorkItem; links: ItemLinksView }> {
  return ok(await core.handle('item.get', { id }));
}

async function setSeen(seen: boolean): Promise<void> {
  const client = await connectedImap(servers, { user: USER, password: PASSWORD });
  try {
    await client.mailboxOpen('INBOX');
    const uids = (await client.search({ header: { 'message-id': 'links-1@sotuphap.example.com' } }, { uid: true })) || [];
    if (seen) await client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true });
    else await client.messageFlagsRemove(uids.join(','), ['\\Seen'], { uid: true });
  } finally {
    await client.logout();
  }
}

/** Sync the mail backend now and wait until the mail shows `status`. */
async function resync(status: string): Promise<void> {
  ok(await core.handle('sync.now', { backendId: 'mail' }));
  await vi.waitFor(async () => expect((await get(mailId)).item.status).toBe(status), WAIT);
  await vi.waitFor(async () => {
    const mail = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === 'mail');
    expect(mail?.state).toBe('online');
  }, WAIT);
}

const dossierLinks = (links: ItemLinkView[]): unknown[] => links.filter((l) => l.kind === 'dossier').map((l) => [l.value, l.origin, l.toId]);

beforeAll(async () => {
  servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false });
  dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-links-'));
  await servers.deliver(
    [
      `From: ${encodeWord('Văn thư Sở Tư pháp')} <vanthu@sotuphap.example.com>`,
      `To: ${USER}@${servers.domain}`,
      `Subject: ${encodeWord(SUBJECT)}`,
      'Message-ID: <links-1@sotuphap.example.com>',
      `Date: ${new Date().toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Đề nghị phường xem xét.',
      '',
    ].join('\r\n'),
    USER,
  );
  const procedure = new FakeAdapter('p');
  procedure.records = [dossier({ externalId: CODE }), dossier({ externalId: CODE2, updatedAt: Date.now() - 3_600_000 })];
  core = await createCore({
    dataDir,
    config: {
      office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
      user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
      backends: [
        { adapter: { kind: 'procedure', id: 'p' }, pollIntervalMs: 600_000, training: true },
        {
          adapter: { kind: 'mail', id: 'mail', label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: USER, password: PASSWORD, timeoutMs: 4000 },
          pollIntervalMs: 600_000,
        },
      ],
    },
    createAdapter: (cfg) => ((cfg as { kind?: string }).kind === 'procedure' ? procedure : registryCreateAdapter(cfg)),
    backoff: { baseMs: 50, maxMs: 300 },
  });
  core.subscribe((e) => events.push(e));
  core.start();
  await vi.waitFor(async () => {
    const items = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 50 }),
    ).items;
    mailId = items.find((i) => i.title === SUBJECT)?.id ?? '';
    expect(mailId).not.toBe('');
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([[CODE, 'auto', `p:${CODE}`]]);
  }, WAIT);
});

afterAll(async () => {
  await core?.close();
  await servers?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('links both ways, by hand, across re-syncs', () => {
  it('item.get lists links both ways with the item on the other side', async () => {
    const mail = await get(mailId);
    expect(mail.item.urgency).toBe(1); // linked to a dossier: work
    const link = mail.links.outgoing.find((l) => l.kind === 'dossier');
    expect(link?.other).toEqual({ id: `p:${CODE}`, source: 'procedure', ref: CODE, title: expect.any(String), status: '4' });
    const d = await get(`p:${CODE}`);
    expect(d.links.incoming.map((l) => [l.fromId, l.kind, l.other?.title, l.other?.source])).toEqual([[mailId, 'dossier', SUBJECT, 'mail']]);
  });

  it('an automatic link removed by hand stays removed across re-syncs (flag change, UIDVALIDITY reset)', async () => {
    events.length = 0;
    expect(ok(await core.handle('links.remove', { fromId: mailId, kind: 'dossier', value: CODE }))).toEqual({ removed: true });
    const changed = events.flatMap((e) => (e.type === 'items.changed' ? e.ids : []));
    expect(changed).toEqual(expect.arrayContaining([mailId, `p:${CODE}`]));
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([]);
    expect((await get(`p:${CODE}`)).links.incoming).toEqual([]);
    expect((await get(mailId)).item.dueAt).toBeNull(); // not work any more (not gov.vn, no link)

    await setSeen(true);
    await resync('seen');
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([]);
    await setSeen(false);
    await resync('unseen');
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([]);

    const { before, after } = await servers.resetUidValidity(USER, 'INBOX');
    expect(after).not.toBe(before);
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    await vi.waitFor(async () => {
      const detail = ok<{ detail: { source: string; uidValidity?: string } }>(await core.handle('item.get', { id: mailId })).detail;
      expect(detail.uidValidity).toBe(String(after));
    }, WAIT);
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([]);
    expect((await get(mailId)).item.dueAt).toBeNull();
  });

  it('adding it back by hand restores it (manual), and it survives the next sync', async () => {
    const view = ok<ItemLinkView>(await core.handle('links.add', { fromId: mailId, kind: 'dossier', value: CODE.toLowerCase() }));
    expect(view).toMatchObject({ value: CODE, origin: 'manual', toId: `p:${CODE}`, other: { ref: CODE } });
    expect((await get(mailId)).item.urgency).toBe(1);
    await setSeen(true);
    await resync('seen');
    expect(dossierLinks((await get(mailId)).links.outgoing)).toEqual([[CODE, 'manual', `p:${CODE}`]]);
  });

  it('a citizen link by hand shows on every dossier of the citizen; invalid values are refused in Vietnamese', async () => {
    ok(await core.handle('links.add', { fromId: mailId, kind: 'citizen', value: '001.084.000.999' }));
    for (const id of [`p:${CODE}`, `p:${CODE2}`]) {
      expect((await get(id)).links.incoming.filter((l) => l.kind === 'citizen').map((l) => [l.fromId, l.value]), id).toEqual([[mailId, CITIZEN]]);
    }
    expect(await core.handle('links.add', { fromId: mailId, kind: 'dossier', value: 'hồ sơ số 12' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/^Mã hồ sơ không đúng dạng/) },
    });
    expect(await core.handle('links.add', { fromId: `p:${CODE}`, kind: 'citizen', value: CITIZEN })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await core.handle('links.remove', { fromId: 'mail:INBOX:none', kind: 'citizen', value: CITIZEN })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('every change is in the audit log (kind action, Vietnamese), and the chain verifies', async () => {
    const entries = ok<{ entries: AuditEntry[] }>(await core.handle('audit.list', { offset: 0, limit: 50 })).entries.filter((e) => e.kind === 'action');
    expect(entries.map((e) => e.summary)).toEqual([
      `Liên kết thư "${SUBJECT}" với công dân số định danh ${CITIZEN}`,
      `Khôi phục liên kết thư "${SUBJECT}" với hồ sơ ${CODE}`,
      `Bỏ liên kết thư "${SUBJECT}" với hồ sơ ${CODE}`,
    ]);
    expect(entries.every((e) => e.actor === 'canbo.lan')).toBe(true);
    expect(ok<{ ok: boolean }>(await core.handle('audit.verify', {})).ok).toBe(true);
  });
});
