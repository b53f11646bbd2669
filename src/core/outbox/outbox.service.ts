/**
 * The outbox: the official's actions, stored durably before anything is sent, shown at once
 * (optimistically) and confirmed by the backend later.
 *
 * Every state change happens in ONE transaction together with its audit entry, and is followed by
 * an `outbox.changed` event and an `items.changed` event for the item. States:
 *
 *   submit ──► pending ──► sending ──► done                 (applied: the returned record lands in the cache)
 *                ▲  ▲         ├──────► pending (retry)     (unreachable/time-out: not counted; other
 *                │  │         │                             transient failures counted, cap → needs_attention)
 *                │  │         ├──────► needs_attention      (rejected, not found, non-retryable, cap reached)
 *                │  │         └──────► conflict             (the item changed since the official saw it)
 *                │  └── retry ◄── needs_attention
 *                └───── resolveConflict(apply_anyway) ◄── conflict
 *   pending | needs_attention | conflict ──► discarded      (discard / resolveConflict(discard))
 *   sending (found at start-up: the process died mid-send) ──► pending, resent with the SAME key
 *
 * Mail (issue #4): `mail.markSeen`/`mail.flag` and reply/forward (`mail.send`) are actions on a cached
 * mail item; a new mail (`submitCompose`) has no item and gets a stand-in base item
 * (`<backendId>:outgoing:<uuid>`, status 'outgoing') so its entry is listed like any other. The files a
 * mail.send names are moved from the staging area into the entry's folder inside the submit's
 * transaction (OutboxFiles) and deleted once the entry is done or discarded. SMTP has no idempotency
 * key: the adapter keeps a durable checkpoint in `outbox.progress` (saveProgress); `retry` clears an
 * uncertain one (`…_started`: the official decided to send again) and keeps the others.
 *
 * The optimistic status (ACTION_TRANSITIONS[kind].to, or the status it starts from when the action
 * keeps it) is shown while an entry is pending or sending; it is not written into `items`, so a sync
 * page can never erase it, and it disappears by itself when the entry stops being pending.
 */
import type Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import {
  ACTION_TRANSITIONS,
  DOCUMENT_ACTION_KINDS,
  isActionAllowed,
  MAIL_ACTION_KINDS,
  optimisticStatusFor,
  stagedFilesOf,
  type ItemAction,
  type DossierRegisterAction,
  type ItemActionKind,
  type MailSendAction,
} from '../../shared/actions';
import type { CoreEvent, OutboxEntry, OutboxState } from '../../shared/api';
import type { WorkItem } from '../../shared/work-item';
import { isUncertainProgress, type NormalizedRecord } from '../adapters/adapter';
import { ApiFailure } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { QueueService } from '../queue/queue.service';
import type { OutboxFiles } from './outbox.files';
import {
  OutboxRepository,
  toOutboxEntry,
  type OutboxError,
  type OutboxPatch,
  type OutboxRecord,
} from './outbox.repository';

/** Who acts: the configured official. */
export interface OutboxActor {
  username: string;
  fullName: string;
}

export interface OutboxServiceDeps {
  db: Database.Database;
  queue: Pick<QueueService, 'getItem' | 'upsertRecord' | 'workItemFromRecord'>;
  audit: AuditLog;
  emit: (event: CoreEvent) => void;
  now: () => number;
  actor: OutboxActor;
  /** Whether a backend exists and accepts actions. */
  acceptsActions: (backendId: string) => boolean;
  /** Actor recorded for the runner's own state changes. */
  systemActor?: string;
  /** Files of outgoing mail (staged attachments); without it, mail with attachments is refused. */
  files?: OutboxFiles;
  /** The sending account of a mail backend (SMTP configured); null when it cannot send mail. */
  mailAccount?: (backendId: string) => MailAccount | null;
}

/** A mail backend the official can send from. */
export interface MailAccount {
  address: string;
  displayName: string | null;
}

export const SYSTEM_ACTOR = 'system';

/** Vietnamese names of the actions, for audit summaries. */
export const ACTION_LABELS: Readonly<Record<ItemActionKind, string>> = {
  'dossier.receive': 'Tiếp nhận hồ sơ',
  'dossier.refuse': 'Từ chối tiếp nhận hồ sơ',
  'dossier.forward': 'Chuyển xử lý hồ sơ',
  'dossier.sendBack': 'Trả lại bước trước',
  'dossier.requestSupplement': 'Yêu cầu bổ sung hồ sơ',
  'dossier.supplementReceived': 'Nhận bổ sung hồ sơ',
  'dossier.requestFees': 'Yêu cầu thực hiện nghĩa vụ tài chính',
  'dossier.recordResult': 'Cập nhật kết quả',
  'dossier.returnResult': 'Trả kết quả',
  'dossier.stop': 'Dừng xử lý hồ sơ',
  'dossier.apology': 'Phiếu xin lỗi và hẹn lại',
  'dossier.register': 'Tiếp nhận hồ sơ mới',
  'document.register': 'Vào sổ văn bản đến',
  'document.refuse': 'Từ chối văn bản',
  'document.assign': 'Phân công xử lý văn bản',
  'document.inProgress': 'Chuyển trạng thái đang xử lý',
  'document.done': 'Hoàn thành xử lý văn bản',
  'document.reply': 'Dự thảo văn bản trả lời',
  'mail.markSeen': 'Đánh dấu đã đọc/chưa đọc thư',
  'mail.flag': 'Gắn/bỏ cờ thư',
  'mail.send': 'Gửi thư',
};

const DOCUMENT_KINDS: ReadonlySet<string> = new Set(DOCUMENT_ACTION_KINDS);
const MAIL_KINDS: ReadonlySet<string> = new Set(MAIL_ACTION_KINDS);

export function actionFitsSource(kind: ItemActionKind, source: WorkItem['source']): boolean {
  if (source === 'document') return DOCUMENT_KINDS.has(kind);
  if (source === 'mail') return MAIL_KINDS.has(kind);
  return source === 'procedure' && !DOCUMENT_KINDS.has(kind) && !MAIL_KINDS.has(kind);
}

/** The status an item shows while `action` is pending, starting from `status`. */
export function optimisticStatusAfter(action: ItemAction, status: string): string {
  return optimisticStatusFor(action, status);
}

/** Stand-in item status of a new mail waiting in the outbox (MAIL_STATUSES). */
export const OUTGOING_MAIL_STATUS = 'outgoing';

/**
 * The action as the audit trail keeps it: a mail's body is replaced by its length and SHA-256 (the
 * trail stays small and the text is still provable), the rest verbatim.
 */
export function auditedAction(action: ItemAction): Record<string, unknown> {
  if (action.kind !== 'mail.send') return { ...action };
  const { text, ...rest } = action;
  return { ...rest, textLength: text.length, textSha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

function recipientsOf(action: MailSendAction): string {
  const all = [...action.to, ...action.cc, ...action.bcc];
  return all.length > 3 ? `${all.slice(0, 3).join(', ')} và ${all.length - 3} người khác` : all.join(', ');
}

const MAIL_MODE_LABELS: Readonly<Record<MailSendAction['mode'], string>> = {
  new: 'thư mới',
  reply: 'trả lời',
  replyAll: 'trả lời tất cả',
  forward: 'chuyển tiếp',
};

/** Audit summaries of the mail adapter's checkpoints (PerformProgress values). */
const PROGRESS_LABELS: Readonly<Record<string, string>> = {
  smtp_started: 'Đã chuyển hết nội dung thư cho máy chủ gửi thư, chờ xác nhận',
  smtp_accepted: 'Máy chủ gửi thư đã nhận thư',
  '': 'Xoá mốc gửi (thư chưa được gửi đi)',
};

export interface SubmitInput {
  itemId: string;
  action: ItemAction;
  baseUpdatedAt: number;
}

export class OutboxService {
  readonly repo: OutboxRepository;
  private readonly systemActor: string;
  private wakeListener: ((backendId: string) => void) | null = null;

  constructor(private readonly deps: OutboxServiceDeps) {
    this.repo = new OutboxRepository(deps.db);
    this.systemActor = deps.systemActor ?? SYSTEM_ACTOR;
  }

  /** The runner listens here to hear of new or re-queued work. */
  onWork(listener: (backendId: string) => void): void {
    this.wakeListener = listener;
  }

  // ---------- the official's operations ----------

  submit(input: SubmitInput): OutboxEntry {
    const { queue, now, actor } = this.deps;
    const at = now();
    let undoFiles: (() => void) | null = null;
    const tx = this.deps.db.transaction((): OutboxRecord => {
      const item = queue.getItem(input.itemId, at);
      if (!item) throw new ApiFailure('invalid_input', `No item with id "${input.itemId}" in the cache`);
      const kind = input.action.kind;
      if (!actionFitsSource(kind, item.source)) {
        throw new ApiFailure(
          'invalid_input',
          `Action ${kind} does not apply to ${item.source === 'document' ? 'a document' : `a ${item.source} item`} (${item.ref})`,
        );
      }
      if (!this.deps.acceptsActions(item.backendId)) {
        throw new ApiFailure('invalid_input', `The backend "${item.backendId}" of ${item.ref} does not accept actions`);
      }
      // item.status already shows the pending actions' outcome (the optimistic status).
      if (!isActionAllowed(kind, item.status)) {
        throw new ApiFailure(
          'invalid_input',
          `Action ${kind} is not allowed on ${item.ref} in status ${item.status}` +
            `${item.pendingActions > 0 ? ' (after the actions still pending)' : ''}; allowed from status ` +
            `${ACTION_TRANSITIONS[kind].from.join(', ')}`,
        );
      }
      const id = randomUUID();
      if (input.action.kind === 'mail.send') {
        if (input.action.mode === 'new') {
          throw new ApiFailure('invalid_input', 'Thư mới không gắn với thư nào: hãy gửi bằng "mail.compose" (soạn thư mới), không phải thao tác trên một thư.');
        }
        this.requireMailAccount(item.backendId);
      }
      undoFiles = this.claimFiles(id, input.action);
      const optimisticStatus = optimisticStatusAfter(input.action, item.status);
      this.repo.insert({
        id,
        itemId: item.id,
        backendId: item.backendId,
        actor: actor.username,
        action: input.action,
        base: item,
        baseUpdatedAt: input.baseUpdatedAt,
        optimisticStatus,
        at,
      });
      this.deps.audit.append({
        actor: actor.username,
        kind: 'action',
        summary: input.action.kind === 'mail.send'
          ? `${ACTION_LABELS[kind]} (${MAIL_MODE_LABELS[input.action.mode]}) "${input.action.subject}" đến ${recipientsOf(input.action)}`
          : `${ACTION_LABELS[kind]} ${item.ref}`,
        data: { event: 'submit', outboxId: id, itemId: item.id, backendId: item.backendId, action: auditedAction(input.action), fromStatus: item.status, toStatus: optimisticStatus, baseUpdatedAt: input.baseUpdatedAt },
      });
      return this.mustGet(id);
    });
    const entry = this.runWithFiles(tx, () => undoFiles);
    this.announce(entry);
    this.wakeListener?.(entry.backendId);
    return toOutboxEntry(entry);
  }

  /**
   * A new mail (mode 'new') from a mail backend: no cached item, so the entry gets a stand-in base
   * item `<backendId>:outgoing:<uuid>` (status 'outgoing', ref and title = the subject).
   */
  submitCompose(backendId: string, action: MailSendAction): OutboxEntry {
    const { now, actor } = this.deps;
    if (action.mode !== 'new') {
      throw new ApiFailure(
        'invalid_input',
        'Trả lời, trả lời tất cả và chuyển tiếp là thao tác trên thư gốc: hãy gửi bằng "action.submit" với mã của thư gốc.',
      );
    }
    const at = now();
    let undoFiles: (() => void) | null = null;
    const tx = this.deps.db.transaction((): OutboxRecord => {
      const account = this.requireMailAccount(backendId);
      const id = randomUUID();
      const label = action.subject.trim() === '' ? '(không có tiêu đề)' : action.subject.trim();
      const base = this.standInItem(backendId, 'outgoing', at, { source: 'mail', ref: label, title: label, party: recipientsOf(action), kind: null, status: OUTGOING_MAIL_STATUS });
      undoFiles = this.claimFiles(id, action);
      this.repo.insert({
        id,
        itemId: base.id,
        backendId,
        actor: actor.username,
        action,
        base,
        baseUpdatedAt: null,
        optimisticStatus: OUTGOING_MAIL_STATUS,
        at,
      });
      this.deps.audit.append({
        actor: actor.username,
        kind: 'action',
        summary: `${ACTION_LABELS['mail.send']} (${MAIL_MODE_LABELS.new}) "${action.subject}" từ ${account.address} đến ${recipientsOf(action)}`,
        data: { event: 'submit', outboxId: id, itemId: base.id, backendId, action: auditedAction(action), from: account.address, fromStatus: null, toStatus: OUTGOING_MAIL_STATUS },
      });
      return this.mustGet(id);
    });
    const entry = this.runWithFiles(tx, () => undoFiles);
    this.announce(entry);
    this.wakeListener?.(entry.backendId);
    return toOutboxEntry(entry);
  }

  /**
   * Issue #6 "declare once": a new dossier received at the counter, for a procedure backend that
   * accepts actions. No cached item yet, so the entry gets a stand-in base item
   * `<backendId>:new:<uuid>` (status '2', ref "Hồ sơ mới", party = the applicant). The stand-in lives
   * only in the outbox row; once applied, the backend's dossier lands in the cache as its own item.
   */
  submitRegister(backendId: string, action: DossierRegisterAction): OutboxEntry {
    const { now, actor } = this.deps;
    if (!this.deps.acceptsActions(backendId)) {
      throw new ApiFailure('invalid_input', `Hệ thống "${backendId}" không nhận thao tác nên chưa tiếp nhận hồ sơ mới được.`);
    }
    const at = now();
    let undoFiles: (() => void) | null = null;
    const tx = this.deps.db.transaction((): OutboxRecord => {
      const id = randomUUID();
      undoFiles = this.claimFiles(id, action);
      const status = ACTION_TRANSITIONS['dossier.register'].to ?? '2';
      const base = this.standInItem(backendId, 'new', at, { source: 'procedure', ref: 'Hồ sơ mới', title: action.summary, party: action.applicantName, kind: action.procedureCode, status });
      this.repo.insert({ id, itemId: base.id, backendId, actor: actor.username, action, base, baseUpdatedAt: null, optimisticStatus: status, at });
      this.deps.audit.append({
        actor: actor.username,
        kind: 'action',
        summary: `${ACTION_LABELS['dossier.register']}: thủ tục ${action.procedureCode}, người nộp ${action.applicantName}`,
        data: { event: 'submit', outboxId: id, itemId: base.id, backendId, action: auditedAction(action), fromStatus: null, toStatus: status },
      });
      return this.mustGet(id);
    });
    const entry = this.runWithFiles(tx, () => undoFiles);
    this.announce(entry);
    this.wakeListener?.(entry.backendId);
    return toOutboxEntry(entry);
  }

  /**
   * The base item of an entry that has no cached item yet (a new mail, a new dossier):
   * `<backendId>:<prefix>:<uuid>`, held by the official, never written into `items`.
   */
  private standInItem(
    backendId: string,
    prefix: string,
    at: number,
    shown: Pick<WorkItem, 'source' | 'ref' | 'title' | 'party' | 'kind' | 'status'>,
  ): WorkItem {
    const externalId = `${prefix}:${randomUUID()}`;
    return {
      id: `${backendId}:${externalId}`,
      backendId,
      externalId,
      ...shown,
      receivedAt: at,
      dueAt: null,
      urgency: 0,
      assignee: this.deps.actor.username,
      assigneeName: this.deps.actor.fullName,
      updatedAt: at,
      sla: 'none',
      remainingWorkingMinutes: null,
      pendingActions: 0,
      attention: 'none',
    };
  }

  list(input: { states?: OutboxState[] | undefined; itemId?: string | undefined; limit: number }): {
    entries: OutboxEntry[];
    counts: Record<OutboxState, number>;
  } {
    return {
      entries: this.repo.list(input.states, input.itemId, input.limit).map(toOutboxEntry),
      counts: this.repo.counts(),
    };
  }

  get(id: string): OutboxEntry | null {
    const r = this.repo.get(id);
    return r ? toOutboxEntry(r) : null;
  }

  /**
   * needs_attention → pending (the cap counts again from zero). An uncertain checkpoint (a mail that
   * may already have gone out) is cleared: retrying is the official's decision to send again.
   */
  retry(id: string): OutboxEntry {
    const entry = this.userTransition(id, ['needs_attention'], 'retry', (r, at) => ({
      patch: { state: 'pending', at, countedFailures: 0, nextAttemptAt: at, ...(isUncertainProgress(r.progress) ? { progress: null } : {}) },
      summary: isUncertainProgress(r.progress)
        ? `Gửi lại (cán bộ xác nhận gửi lại dù có thể đã gửi): ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`
        : `Gửi lại: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
      data: { progressBefore: r.progress },
    }));
    this.wakeListener?.(entry.backendId);
    return entry;
  }

  /** pending | needs_attention | conflict → discarded; the optimistic status goes away with it. */
  discard(id: string): OutboxEntry {
    const entry = this.userTransition(id, ['pending', 'needs_attention', 'conflict'], 'discard', (r, at) => ({
      patch: { state: 'discarded', at, nextAttemptAt: null },
      summary: `Hủy thao tác: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
    }));
    this.releaseFiles(entry);
    return entry;
  }

  /** A conflict: send again against the backend's current version, or drop the action. */
  resolveConflict(id: string, resolution: 'apply_anyway' | 'discard'): OutboxEntry {
    if (resolution === 'discard') {
      const discarded = this.userTransition(id, ['conflict'], 'resolve_discard', (r, at) => ({
        patch: { state: 'discarded', at, nextAttemptAt: null },
        summary: `Xung đột — hủy thao tác: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
      }));
      this.releaseFiles(discarded);
      return discarded;
    }
    const entry = this.userTransition(id, ['conflict'], 'resolve_apply_anyway', (r, at) => {
      const current = r.conflict?.current ?? this.deps.queue.getItem(r.itemId, at);
      if (!current) throw new ApiFailure('invalid_input', `The item ${r.base.ref} is no longer in the cache`);
      if (!isActionAllowed(r.action.kind, current.status)) {
        throw new ApiFailure(
          'invalid_input',
          `Action ${r.action.kind} is no longer allowed on ${r.base.ref} (status now ${current.status}); discard it instead`,
        );
      }
      return {
        patch: {
          state: 'pending',
          at,
          baseUpdatedAt: current.updatedAt,
          countedFailures: 0,
          nextAttemptAt: at,
          optimisticStatus: optimisticStatusAfter(r.action, current.status),
          conflict: null,
          // The backend keeps its 409 under the old key: a new round gets a new key.
          keyRound: r.keyRound + 1,
        },
        summary: `Xung đột — vẫn thực hiện: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
        data: { baseUpdatedAt: current.updatedAt },
      };
    });
    this.wakeListener?.(entry.backendId);
    return entry;
  }

  // ---------- start-up ----------

  /**
   * Entries left in `sending` by a process that died mid-send go back to pending. They are resent
   * with the same idempotency key: if the backend had applied them, it answers with its stored result.
   */
  recoverInterrupted(): number {
    const interrupted = this.repo.sending();
    for (const r of interrupted) {
      this.transition(r, { state: 'pending', at: this.deps.now(), nextAttemptAt: this.deps.now() }, {
        actor: this.systemActor,
        summary: `Tiếp tục gửi sau khi khởi động lại: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
        data: { event: 'recovered' },
      });
    }
    return interrupted.length;
  }

  // ---------- the runner's transitions ----------

  nextDue(backendId: string, now: number): { entry: OutboxRecord | null; wakeAt: number | null; unreadable: string | null } {
    const { row, wakeAt } = this.repo.nextDue(backendId, now);
    if (!row) return { entry: null, wakeAt, unreadable: null };
    try {
      return { entry: this.repo.decode(row), wakeAt: null, unreadable: null };
    } catch {
      return { entry: null, wakeAt: null, unreadable: row.id };
    }
  }

  /** A stored row that no longer decodes: park it so it does not block its backend. */
  parkUnreadable(id: string): void {
    const at = this.deps.now();
    this.deps.db.transaction(() => {
      this.repo.update(id, {
        state: 'needs_attention',
        at,
        nextAttemptAt: null,
        lastError: { code: 'malformed', message: 'The stored action could not be read', at },
      });
      this.deps.audit.append({ actor: this.systemActor, kind: 'outbox', summary: 'Thao tác lưu trữ bị hỏng, cần xử lý', data: { outboxId: id, state: 'needs_attention' } });
    })();
  }

  /** pending → sending; returns the entry with the version to send as the conflict check. */
  markSending(r: OutboxRecord): OutboxRecord {
    const baseUpdatedAt = this.repo.effectiveBase(r);
    const attempt = r.attempts + 1;
    return this.transition(r, { state: 'sending', at: this.deps.now(), attempts: attempt, baseUpdatedAt, nextAttemptAt: null }, {
      actor: this.systemActor,
      summary: `Đang gửi (lần ${attempt}): ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
      data: { event: 'send', attempt, baseUpdatedAt },
    });
  }

  /**
   * The adapter's durable checkpoint of an entry being sent (PerformContext.progress). Committed
   * with synchronous = FULL (the WAL is synced before this returns), so not even a power cut can lose
   * a checkpoint the adapter relies on; audited.
   */
  saveProgress(r: OutboxRecord, value: string | null): void {
    const db = this.deps.db;
    const before: unknown = db.pragma('synchronous', { simple: true });
    db.pragma('synchronous = FULL');
    try {
      db.transaction(() => {
        this.repo.setProgress(r.id, value);
        this.deps.audit.append({
          actor: this.systemActor,
          kind: 'outbox',
          summary: `${PROGRESS_LABELS[value ?? ''] ?? `Mốc gửi "${value}"`}: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
          data: { outboxId: r.id, itemId: r.itemId, event: 'progress', progress: value },
        });
      })();
    } finally {
      db.pragma(`synchronous = ${typeof before === 'number' ? before : 1}`);
    }
  }

  /** The backend applied the action: its record lands in the cache, the entry is done. */
  markApplied(r: OutboxRecord, record: NormalizedRecord): OutboxRecord {
    const applied = this.transition(
      r,
      { state: 'done', at: this.deps.now(), nextAttemptAt: null, optimisticStatus: null, resultUpdatedAt: record.updatedAt, lastError: null },
      {
        actor: this.systemActor,
        summary: `Hệ thống đã ghi nhận: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
        data: { event: 'applied', status: record.status, updatedAt: record.updatedAt },
      },
      () => this.deps.queue.upsertRecord(r.backendId, record),
    );
    // A new mail's record is its Sent copy, a new dossier's record the backend's dossier: another item than the stand-in.
    const recordItemId = `${r.backendId}:${record.externalId}`;
    if (recordItemId !== r.itemId) this.deps.emit({ type: 'items.changed', ids: [recordItemId], more: false });
    this.releaseFiles(applied);
    return applied;
  }

  /** The item changed since the official saw it; the backend's current copy lands in the cache. */
  markConflict(r: OutboxRecord, current: NormalizedRecord | null, message: string): OutboxRecord {
    const at = this.deps.now();
    return this.transition(
      r,
      { state: 'conflict', at, nextAttemptAt: null, lastError: { code: 'conflict', message, at } },
      {
        actor: this.systemActor,
        summary: `Xung đột dữ liệu: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
        data: { event: 'conflict', message },
      },
      () => {
        if (current) this.deps.queue.upsertRecord(r.backendId, current);
        const currentItem = current
          ? this.deps.queue.workItemFromRecord(r.backendId, current, at)
          : this.deps.queue.getItem(r.itemId, at);
        this.repo.update(r.id, { state: 'conflict', at, conflict: { base: r.base, current: currentItem ?? r.base } });
      },
    );
  }

  markNeedsAttention(r: OutboxRecord, error: OutboxError, countedFailures?: number): OutboxRecord {
    return this.transition(
      r,
      { state: 'needs_attention', at: this.deps.now(), nextAttemptAt: null, lastError: error, ...(countedFailures !== undefined ? { countedFailures } : {}) },
      {
        actor: this.systemActor,
        summary: `Cần xử lý: ${ACTION_LABELS[r.action.kind]} ${r.base.ref} — ${error.message.slice(0, 300)}`,
        data: { event: 'needs_attention', code: error.code, message: error.message },
      },
    );
  }

  /** A transient failure: back to pending, due again at `nextAttemptAt`. */
  markRetry(r: OutboxRecord, error: OutboxError, nextAttemptAt: number, countedFailures: number): OutboxRecord {
    return this.transition(
      r,
      { state: 'pending', at: this.deps.now(), nextAttemptAt, lastError: error, countedFailures },
      {
        actor: this.systemActor,
        summary: `Gửi chưa được (${error.code}), sẽ thử lại: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
        data: { event: 'retry_scheduled', code: error.code, message: error.message.slice(0, 500), nextAttemptAt, countedFailures },
      },
    );
  }

  /** The send was abandoned because the core is closing: pending again, nothing counted. */
  markInterrupted(r: OutboxRecord): OutboxRecord {
    const at = this.deps.now();
    return this.transition(r, { state: 'pending', at, nextAttemptAt: at }, {
      actor: this.systemActor,
      summary: `Dừng gửi khi đóng ứng dụng, sẽ gửi lại: ${ACTION_LABELS[r.action.kind]} ${r.base.ref}`,
      data: { event: 'interrupted' },
    });
  }

  /** A backend came back: entries that waited for it are due now. */
  expedite(backendId: string): number {
    return this.repo.expedite(backendId, this.deps.now());
  }

  // ---------- internals ----------

  private requireMailAccount(backendId: string): MailAccount {
    const account = this.deps.mailAccount?.(backendId) ?? null;
    if (account !== null) return account;
    if (!this.deps.acceptsActions(backendId)) {
      throw new ApiFailure('invalid_input', `Không có hộp thư "${backendId}" để gửi thư.`);
    }
    throw new ApiFailure(
      'invalid_input',
      `Hộp thư "${backendId}" chưa được cấu hình máy chủ gửi thư (SMTP), nên chưa gửi thư được: đề nghị bộ phận CNTT bổ sung cấu hình "smtp".`,
    );
  }

  /** Move the staged files of a mail or a new dossier into the entry's folder (inside the submit's transaction). */
  private claimFiles(outboxId: string, action: ItemAction): () => void {
    const files = stagedFilesOf(action);
    if (files.length === 0) return () => undefined;
    if (!this.deps.files) throw new ApiFailure('unavailable', 'Chưa gửi được tệp đính kèm: vùng lưu tệp chưa sẵn sàng.');
    return this.deps.files.claim(outboxId, files);
  }

  /** Run a submit transaction; when it fails, move the files it claimed back to the staging area. */
  private runWithFiles(tx: () => OutboxRecord, undo: () => (() => void) | null): OutboxRecord {
    try {
      return tx();
    } catch (error) {
      undo()?.();
      throw error;
    }
  }

  private releaseFiles(entry: Pick<OutboxEntry, 'id' | 'action'> | Pick<OutboxRecord, 'id' | 'action'>): void {
    if (stagedFilesOf(entry.action).length > 0) this.deps.files?.release(entry.id);
  }

  private mustGet(id: string): OutboxRecord {
    const r = this.repo.get(id);
    if (!r) throw new ApiFailure('not_found', `No outbox entry with id "${id}"`);
    return r;
  }

  private userTransition(
    id: string,
    from: readonly OutboxState[],
    event: string,
    decide: (r: OutboxRecord, at: number) => { patch: OutboxPatch; summary: string; data?: Record<string, unknown> },
  ): OutboxEntry {
    const at = this.deps.now();
    const updated = this.deps.db.transaction((): OutboxRecord => {
      const r = this.mustGet(id);
      if (!from.includes(r.state)) {
        throw new ApiFailure('invalid_input', `The action is ${r.state}; this is only possible when it is ${from.join(' or ')}`);
      }
      const { patch, summary, data } = decide(r, at);
      this.repo.update(id, patch);
      this.deps.audit.append({
        actor: this.deps.actor.username,
        kind: 'action',
        summary,
        data: { event, outboxId: id, itemId: r.itemId, from: r.state, to: patch.state, ...data },
      });
      return this.mustGet(id);
    })();
    this.announce(updated);
    return toOutboxEntry(updated);
  }

  /** One state change: row + audit (+ extra writes) in one transaction, then the events. */
  private transition(
    r: OutboxRecord,
    patch: OutboxPatch,
    audit: { actor: string; summary: string; data: Record<string, unknown> },
    extra?: () => unknown,
  ): OutboxRecord {
    const updated = this.deps.db.transaction((): OutboxRecord => {
      this.repo.update(r.id, patch);
      extra?.();
      this.deps.audit.append({
        actor: audit.actor,
        kind: 'outbox',
        summary: audit.summary,
        data: { outboxId: r.id, itemId: r.itemId, from: r.state, to: patch.state, ...audit.data },
      });
      return this.mustGet(r.id);
    })();
    this.announce(updated);
    return updated;
  }

  private announce(r: OutboxRecord): void {
    this.deps.emit({ type: 'outbox.changed', entry: toOutboxEntry(r) });
    this.deps.emit({ type: 'items.changed', ids: [r.itemId], more: false });
  }
}
