/**
 * The outbox's mail side (issue #4, point 5): staging attachments, new mail through submitCompose
 * (stand-in item), the files moved with the entry and back when the submit fails, reply/seen/flag on
 * cached mail, the durable checkpoint the runner hands to the adapter, retry of an uncertain send,
 * and the start-up sweep of the file folders.
 */
import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  type BackendAdapter,
  type NormalizedRecord,
  type PerformContext,
  type PerformResult,
  type PullPage,
} from '../../../src/core/adapters/adapter';
import { normalizeMail } from '../../../src/core/adapters/mail.normalize';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { OutboxFiles, STAGED_FILE_MAX_AGE_MS } from '../../../src/core/outbox/outbox.files';
import { OutboxRepository } from '../../../src/core/outbox/outbox.repository';
import { OutboxRunner } from '../../../src/core/outbox/outbox.runner';
import { OutboxService } from '../../../src/core/outbox/outbox.service';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { MAIL_MAX_ATTACHMENT_BYTES, type ItemAction, type MailSendAction, type StagedAttachment } from '../../../src/shared/actions';
import type { CoreEvent } from '../../../src/shared/api';
import { dossier, NOW, tempDir } from './fixtures/records.fixture';

const ACTOR = { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' };

/** A mail backend whose perform is scripted by the test (it sees the context the runner builds). */
class ScriptedMail implements BackendAdapter {
  readonly kind = 'mail' as const;
  readonly label = 'Thư công vụ';
  readonly capabilities = { cursor: true, incremental: true, paging: true, sessionRenewal: true, push: false, actions: true };
  calls: Array<{ externalId: string; action: ItemAction; ctx: PerformContext }> = [];
  script: Array<(ctx: PerformContext) => PerformResult | Promise<PerformResult>> = [];

  constructor(readonly id: string) {}

  async pull(): Promise<PullPage> {
    return { records: [], quarantined: [], cursor: null, hasMore: false, remaining: 0 };
  }

  async perform(externalId: string, action: ItemAction, ctx: PerformContext): Promise<PerformResult> {
    this.calls.push({ externalId, action, ctx });
    const step = this.script.shift();
    if (!step) throw new Error('unexpected perform');
    return step(ctx);
  }

  async close(): Promise<void> {}
}

function mailRecord(o: { messageId: string; folder?: string; seen?: boolean; subject?: string }): NormalizedRecord {
  return normalizeMail(
    {
      uid: 5,
      flags: new Set(o.seen ? ['\\Seen'] : []),
      size: 900,
      internalDate: new Date(NOW - 3_600_000),
      envelope: {
        subject: o.subject ?? 'Về việc báo cáo số liệu hộ tịch',
        messageId: `<${o.messageId}>`,
        from: [{ name: 'Trần Văn Hùng', address: 'hung@example.test' }],
        to: [{ address: 'lan@example.test' }],
      },
    },
    { folder: o.folder ?? 'INBOX', uid: 5, uidValidity: '1' },
    'Kính gửi chị Lan',
  );
}

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let clock: number;
let events: CoreEvent[];
let queue: QueueService;
let audit: AuditLog;
let files: OutboxFiles;
let outbox: OutboxService;
let runner: OutboxRunner;
let mail: ScriptedMail;
/** Backends that can send: 'm' (SMTP configured); 'r' is a mail backend that only reads. */
const ACCOUNTS: Record<string, { address: string; displayName: string | null }> = { m: { address: 'lan@example.test', displayName: 'Nguyễn Thị Lan' } };

function build(auditLog: AuditLog = new AuditLog(db, () => clock)): void {
  const syncState = new SyncStateRepository(db);
  queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), syncState, {
    username: 'canbo.lan',
    now: () => clock,
    marks: new OutboxRepository(db),
  });
  audit = auditLog;
  files = new OutboxFiles(db, dir, () => clock);
  outbox = new OutboxService({
    db,
    queue,
    audit,
    emit: (e) => events.push(e),
    now: () => clock,
    actor: ACTOR,
    acceptsActions: (id) => id === 'm' || id === 'r' || id === 'p',
    files,
    mailAccount: (id) => ACCOUNTS[id] ?? null,
  });
  runner = new OutboxRunner({ adapters: [mail], outbox, actor: ACTOR, now: () => clock, log: () => {}, retry: { baseMs: 1000, maxMs: 8000, maxAttempts: 3 }, random: () => 0.5, files });
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-outbox-mail-'));
  db = openCacheDatabase(dir);
  clock = NOW;
  events = [];
  mail = new ScriptedMail('m');
  build();
  queue.upsertBatch('m', [mailRecord({ messageId: 'goc-1@example.test' })], [], null);
  queue.upsertBatch('p', [dossier({ externalId: 'X', status: '4', updatedAt: NOW - 60_000 })], [], null);
});

afterEach(async () => {
  await runner.stop();
  db.close();
  cleanup();
});

function stage(name = 'Báo cáo quý III.pdf', bytes: Buffer = Buffer.from('%PDF-1.4 nội dung thử')): StagedAttachment {
  return files.stage({ filename: name, contentType: 'application/pdf', dataBase64: bytes.toString('base64') });
}

function newMail(attachments: StagedAttachment[] = [], over: Partial<MailSendAction> = {}): MailSendAction {
  return {
    kind: 'mail.send',
    mode: 'new',
    to: ['hung@example.test'],
    cc: [],
    bcc: ['mai@example.test'],
    subject: 'Báo cáo tình hình đăng ký khai sinh',
    text: 'Kính gửi anh Hùng,\nPhường gửi báo cáo kèm theo.',
    attachments,
    includeOriginalAttachments: false,
    ...over,
  };
}

function failure(run: () => unknown): ApiFailure {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    return error as ApiFailure;
  }
  throw new Error('accepted');
}

function row(id: string): { state: string; progress: string | null } {
  return db.prepare<[string], { state: string; progress: string | null }>('SELECT state, progress FROM outbox WHERE id = ?').get(id)!;
}

async function drain(max = 20): Promise<void> {
  for (let i = 0; i < max; i++) if ((await runner.runOnce('m')) === 'idle') return;
  throw new Error('did not drain');
}

describe('staging attachments', () => {
  it('stores the decoded file under mail-staging/<id> with a row; name and type cleaned', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
    const s = files.stage({ filename: '..\\thư/mục/Tờ khai.docx', contentType: 'Application/VND.openxmlformats-officedocument.wordprocessingml.document; name=x', dataBase64: bytes.toString('base64') });
    expect(s).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      filename: '.._thư_mục_Tờ khai.docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      size: 8,
    });
    expect(readFileSync(join(dir, 'mail-staging', s.id)).equals(bytes)).toBe(true);
    expect(db.prepare('SELECT filename, size FROM mail_staged_files WHERE id = ?').get(s.id)).toEqual({ filename: s.filename, size: 8 });
    expect(readdirSync(join(dir, 'mail-staging'))).toEqual([s.id]);
  });

  it('refuses bad base64, a bad type, a name that is only dots, and more than 25 MB', () => {
    const put = (filename: string, contentType: string, dataBase64: string): string => failure(() => files.stage({ filename, contentType, dataBase64 })).message;
    expect(put('a.pdf', 'application/pdf', 'abc')).toMatch(/base64/);
    expect(put('a.pdf', 'application/pdf', 'ab$=')).toMatch(/base64/);
    expect(put('a.pdf', 'pdf', 'AAAA')).toMatch(/Kiểu tệp "pdf" không hợp lệ/);
    expect(put('a.pdf', 'text/<script>', 'AAAA')).toMatch(/Kiểu tệp/);
    expect(put(' .. ', 'application/pdf', 'AAAA')).toMatch(/Tên tệp/);
    const tooBig = 'A'.repeat(Math.ceil((MAIL_MAX_ATTACHMENT_BYTES + 1) / 3) * 4);
    expect(put('to.bin', 'application/octet-stream', tooBig)).toMatch(/lớn hơn 25 MB/);
    expect(existsSync(join(dir, 'mail-staging')) ? readdirSync(join(dir, 'mail-staging')) : []).toEqual([]);
    // Exactly 25 MB is accepted.
    const max = files.stage({ filename: 'max.bin', contentType: 'application/octet-stream', dataBase64: Buffer.alloc(MAIL_MAX_ATTACHMENT_BYTES, 7).toString('base64') });
    expect(max.size).toBe(MAIL_MAX_ATTACHMENT_BYTES);
  });
});

describe('new mail (submitCompose)', () => {
  it('stores the entry with a stand-in item, moves the files in the same transaction, audits in Vietnamese without the body', () => {
    const a = stage();
    const entry = outbox.submitCompose('m', newMail([a]));
    expect(entry).toMatchObject({ state: 'pending', backendId: 'm', itemRef: 'Báo cáo tình hình đăng ký khai sinh', itemTitle: 'Báo cáo tình hình đăng ký khai sinh', attempts: 0 });
    expect(entry.itemId).toMatch(/^m:outgoing:[0-9a-f-]{36}$/);
    const stored = outbox.repo.get(entry.id)!;
    expect(stored.base).toMatchObject({ source: 'mail', status: 'outgoing', externalId: entry.itemId.slice(2), assignee: 'canbo.lan', party: 'hung@example.test, mai@example.test' });
    expect(stored.progress).toBeNull();
    // The file moved: gone from staging (file and row), present in the entry's folder.
    expect(existsSync(join(dir, 'mail-staging', a.id))).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM mail_staged_files').get()).toEqual({ n: 0 });
    expect(readFileSync(join(dir, 'outbox-files', entry.id, a.id)).toString()).toBe('%PDF-1.4 nội dung thử');
    const log = audit.list(0, 5).entries[0]!;
    expect(log.summary).toBe('Gửi thư (thư mới) "Báo cáo tình hình đăng ký khai sinh" từ lan@example.test đến hung@example.test, mai@example.test');
    const action = log.data['action'] as Record<string, unknown>;
    expect(action['text']).toBeUndefined();
    expect(action).toMatchObject({ mode: 'new', textLength: newMail().text.length, textSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(events.map((e) => e.type)).toEqual(['outbox.changed', 'items.changed']);
    // Listed like any other entry.
    expect(outbox.list({ limit: 10 }).entries.map((e) => e.id)).toEqual([entry.id]);
  });

  it('refuses reply/forward through compose, a new mail through action.submit, and a mailbox that cannot send', () => {
    expect(failure(() => outbox.submitCompose('m', newMail([], { mode: 'reply' }))).message).toMatch(/thư gốc: hãy gửi bằng "action.submit"/);
    const viaSubmit = failure(() => outbox.submit({ itemId: 'm:INBOX:goc-1@example.test', action: newMail(), baseUpdatedAt: 0 }));
    expect(viaSubmit.message).toMatch(/"mail.compose"/);
    expect(failure(() => outbox.submitCompose('r', newMail())).message).toMatch(/chưa được cấu hình máy chủ gửi thư \(SMTP\)/);
    expect(failure(() => outbox.submitCompose('zzz', newMail())).message).toMatch(/Không có hộp thư "zzz"/);
    expect(outbox.list({ limit: 10 }).entries).toEqual([]);
  });

  it('refuses unknown, reused, duplicated and mismatched staged files, and moves nothing', () => {
    const a = stage();
    const unknown = { ...a, id: '00000000-0000-4000-8000-000000000000' };
    expect(failure(() => outbox.submitCompose('m', newMail([unknown]))).message).toMatch(/không còn trong vùng chờ gửi/);
    expect(failure(() => outbox.submitCompose('m', newMail([{ ...a, size: a.size + 1 }]))).message).toMatch(/không khớp/);
    expect(failure(() => outbox.submitCompose('m', newMail([{ ...a, filename: 'khác.pdf' }]))).message).toMatch(/không khớp/);
    expect(failure(() => outbox.submitCompose('m', newMail([a, a]))).message).toMatch(/hai lần/);
    expect(existsSync(join(dir, 'mail-staging', a.id))).toBe(true);
    outbox.submitCompose('m', newMail([a]));
    expect(failure(() => outbox.submitCompose('m', newMail([a]))).code).toBe('invalid_input');
    expect(outbox.list({ limit: 10 }).entries).toHaveLength(1);
  });

  it('puts the files back when the submit transaction fails after moving them', () => {
    const a = stage();
    const b = stage('Phụ lục.pdf');
    class FailingAudit extends AuditLog {
      override append(input: Parameters<AuditLog['append']>[0]): ReturnType<AuditLog['append']> {
        if (input.data?.['event'] === 'submit') throw new Error('disk full');
        return super.append(input);
      }
    }
    build(new FailingAudit(db, () => clock));
    expect(() => outbox.submitCompose('m', newMail([a, b]))).toThrow(/disk full/);
    expect(outbox.list({ limit: 10 }).entries).toEqual([]);
    for (const s of [a, b]) expect(readFileSync(join(dir, 'mail-staging', s.id)).length).toBe(s.size);
    expect(db.prepare('SELECT COUNT(*) AS n FROM mail_staged_files').get()).toEqual({ n: 2 });
    expect(readdirSync(join(dir, 'outbox-files'))).toEqual([]);
    // The same files can be sent once the disk is fine again.
    build();
    expect(outbox.submitCompose('m', newMail([a, b])).state).toBe('pending');
  });
});

describe('actions on a cached mail', () => {
  const id = 'm:INBOX:goc-1@example.test';

  it('seen/flag fit mail items only; markSeen shows its status at once, flag keeps it', () => {
    expect(failure(() => outbox.submit({ itemId: id, action: { kind: 'dossier.receive' }, baseUpdatedAt: 0 })).message).toMatch(/does not apply to a mail item/);
    expect(failure(() => outbox.submit({ itemId: 'p:X', action: { kind: 'mail.flag', flagged: true }, baseUpdatedAt: 0 })).message).toMatch(/does not apply/);
    outbox.submit({ itemId: id, action: { kind: 'mail.markSeen', seen: true }, baseUpdatedAt: 0 });
    expect(queue.getItem(id, clock)).toMatchObject({ status: 'seen', pendingActions: 1 });
    outbox.submit({ itemId: id, action: { kind: 'mail.flag', flagged: true }, baseUpdatedAt: 0 });
    expect(queue.getItem(id, clock)).toMatchObject({ status: 'seen', pendingActions: 2 });
  });

  it('a reply claims its files and goes to the adapter with the original, the files and a checkpoint; done deletes the files', async () => {
    const a = stage();
    const entry = outbox.submit({ itemId: id, action: newMail([a], { mode: 'reply', subject: 'Re: Về việc báo cáo số liệu hộ tịch' }), baseUpdatedAt: 0 });
    expect(audit.list(0, 1).entries[0]!.summary).toBe('Gửi thư (trả lời) "Re: Về việc báo cáo số liệu hộ tịch" đến hung@example.test, mai@example.test');
    const folder = join(dir, 'outbox-files', entry.id);
    expect(existsSync(join(folder, a.id))).toBe(true);
    mail.script.push((ctx) => {
      expect(readFileSync(ctx.attachmentPaths![a.id]!).toString()).toBe('%PDF-1.4 nội dung thử');
      expect(ctx.createdAt).toBe(NOW);
      expect(ctx.progress!.value).toBeNull();
      ctx.progress!.save('smtp_started');
      expect(row(entry.id).progress).toBe('smtp_started');
      ctx.progress!.save('smtp_accepted');
      expect(ctx.progress!.value).toBe('smtp_accepted');
      return { outcome: 'applied', record: mailRecord({ messageId: 'goc-1@example.test', seen: true }) };
    });
    await drain();
    expect(mail.calls[0]!.externalId).toBe('INBOX:goc-1@example.test');
    expect(row(entry.id)).toEqual({ state: 'done', progress: 'smtp_accepted' });
    expect(existsSync(folder)).toBe(false);
    expect(queue.getItem(id, clock)).toMatchObject({ status: 'seen', pendingActions: 0 });
    // Checkpoints are audited and committed with synchronous = FULL, NORMAL afterwards.
    const progress = audit.list(0, 20).entries.filter((e) => e.data['event'] === 'progress').map((e) => e.summary);
    expect(progress).toEqual([
      'Máy chủ gửi thư đã nhận thư: Gửi thư hung@example.test',
      'Đã chuyển hết nội dung thư cho máy chủ gửi thư, chờ xác nhận: Gửi thư hung@example.test',
    ]);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('a new mail that lands: its Sent record is announced besides the stand-in, the folder is deleted', async () => {
    const a = stage();
    const entry = outbox.submitCompose('m', newMail([a]));
    mail.script.push(() => ({ outcome: 'applied', record: mailRecord({ messageId: `${entry.id}@example.test`, folder: 'Sent', seen: true, subject: 'Báo cáo tình hình đăng ký khai sinh' }) }));
    events = [];
    await drain();
    expect(outbox.get(entry.id)?.state).toBe('done');
    const changed = events.filter((e) => e.type === 'items.changed').flatMap((e) => (e.type === 'items.changed' ? e.ids : []));
    expect(changed).toEqual(expect.arrayContaining([entry.itemId, `m:Sent:${entry.id}@example.test`]));
    expect(queue.getItem(`m:Sent:${entry.id}@example.test`, clock)).toMatchObject({ status: 'seen', source: 'mail' });
    expect(existsSync(join(dir, 'outbox-files', entry.id))).toBe(false);
  });
});

describe('an uncertain send', () => {
  it('needs the official; retry clears the uncertain checkpoint (their decision), discard deletes the files', async () => {
    const a = stage();
    const entry = outbox.submitCompose('m', newMail([a]));
    mail.script.push((ctx) => {
      ctx.progress!.save('smtp_started');
      throw new AdapterError('unknown', 'Không chắc thư đã được gửi', false);
    });
    await drain();
    expect(outbox.get(entry.id)).toMatchObject({ state: 'needs_attention', lastError: { code: 'unknown', message: 'Không chắc thư đã được gửi' } });
    expect(row(entry.id).progress).toBe('smtp_started');
    outbox.retry(entry.id);
    expect(row(entry.id)).toEqual({ state: 'pending', progress: null });
    expect(audit.list(0, 1).entries[0]).toMatchObject({ summary: expect.stringMatching(/^Gửi lại \(cán bộ xác nhận gửi lại/), data: { progressBefore: 'smtp_started' } });
    // Sent, but Sent copy failed for good: a retry keeps 'smtp_accepted' (never sent twice).
    mail.script.push((ctx) => {
      expect(ctx.progress!.value).toBeNull();
      ctx.progress!.save('smtp_accepted');
      throw new AdapterError('auth_failed', 'IMAP từ chối mật khẩu', false);
    });
    await drain();
    expect(row(entry.id)).toEqual({ state: 'needs_attention', progress: 'smtp_accepted' });
    outbox.retry(entry.id);
    expect(row(entry.id)).toEqual({ state: 'pending', progress: 'smtp_accepted' });
    expect(existsSync(join(dir, 'outbox-files', entry.id, a.id))).toBe(true);
    outbox.discard(entry.id);
    expect(existsSync(join(dir, 'outbox-files', entry.id))).toBe(false);
  });
});

describe('start-up sweep', () => {
  it('returns the files of an interrupted submit to staging, deletes finished folders and old or broken staged files', () => {
    const a = stage('a.pdf');
    const b = stage('b.pdf');
    const old = stage('cũ.pdf');
    // A crash after the moves, before the commit: the files are in a folder without an outbox row,
    // their staging rows were never deleted (the transaction did not commit).
    const orphan = '11111111-2222-4333-8444-555555555555';
    mkdirSync(join(dir, 'outbox-files', orphan), { recursive: true });
    for (const s of [a, b]) renameSync(join(dir, 'mail-staging', s.id), join(dir, 'outbox-files', orphan, s.id));
    const done = outbox.submitCompose('m', newMail([stage('xong.pdf')]));
    const pending = outbox.submitCompose('m', newMail([stage('chờ.pdf')]));
    db.prepare("UPDATE outbox SET state = 'done' WHERE id = ?").run(done.id);
    // An old staged file (row + file), a half-written file, a file without a row, a row without a file.
    db.prepare('UPDATE mail_staged_files SET created_at = ? WHERE id = ?').run(clock - STAGED_FILE_MAX_AGE_MS - 1, old.id);
    writeFileSync(join(dir, 'mail-staging', '22222222-2222-4333-8444-555555555555.part'), 'x');
    writeFileSync(join(dir, 'mail-staging', '33333333-2222-4333-8444-555555555555'), 'x');
    const ghost = stage('ma.pdf');
    unlinkSync(join(dir, 'mail-staging', ghost.id));

    const report = files.sweep((id) => outbox.repo.stateOf(id));
    expect(report).toEqual({ finishedFolders: 1, orphanFolders: 1, restoredFiles: 2, stagedRemoved: 3 });
    expect(readdirSync(join(dir, 'outbox-files'))).toEqual([pending.id]);
    expect(readdirSync(join(dir, 'mail-staging')).sort()).toEqual([a.id, b.id].sort());
    expect(db.prepare<[], { id: string }>('SELECT id FROM mail_staged_files').all().map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    // The restored files are whole and can be sent again.
    expect(readFileSync(join(dir, 'mail-staging', a.id)).toString()).toBe('%PDF-1.4 nội dung thử');
    expect(outbox.submitCompose('m', newMail([a, b])).state).toBe('pending');
    // A second sweep finds nothing to do.
    expect(files.sweep((id) => outbox.repo.stateOf(id))).toEqual({ finishedFolders: 0, orphanFolders: 0, restoredFiles: 0, stagedRemoved: 0 });
  });
});
