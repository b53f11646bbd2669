/**
 * One interface for every backend adapter (procedures, documents, later mail).
 * The sync engine only knows this interface; adapters only know their backend's protocol.
 */
import type { ItemAction } from '../../shared/actions';
import type { BackendErrorCode } from '../../shared/api';
import type { Source } from '../../shared/domain';
import type { ItemDetail } from '../../shared/work-item';
import type { DueDateToInstant } from './backend-date.util';
import type { BackoffFn, RetryInfo, SleepFn } from './http-client';

export interface AdapterCapabilities {
  /** pull() accepts and returns an opaque cursor. */
  cursor: boolean;
  /** Later pulls return only what changed since the cursor. */
  incremental: boolean;
  /** Results come in pages (hasMore). */
  paging: boolean;
  /** The adapter renews an expired session/token by itself. */
  sessionRenewal: boolean;
  /** The backend pushes changes (IMAP IDLE); otherwise the engine polls. */
  push: boolean;
  /** The backend accepts actions (status feedback, processing steps). */
  actions: boolean;
}

/** A backend record mapped to the cache's shape. */
export interface NormalizedRecord {
  source: Source;
  externalId: string;
  ref: string;
  title: string;
  party: string | null;
  kind: string | null;
  status: string;
  receivedAt: number;
  /** The backend's own due time; null lets the deadline engine decide (see deadlineHint). */
  dueAt: number | null;
  urgency: number;
  assignee: string | null;
  assigneeName: string | null;
  updatedAt: number;
  /** Extra text for search (ID numbers, signer, procedure name…), besides ref/title/party. */
  searchText: string;
  detail: ItemDetail;
  /**
   * The cache may land the record without its search index entry and add it right after, in the
   * background (a large first mail sync: headers first, search after; src/core/mail/mail-search-backfill.ts).
   */
  searchDeferred?: boolean;
}

/** A record that failed validation: kept with its error, never silently dropped. */
export interface QuarantinedRecord {
  externalId: string | null;
  error: string;
  /** The raw payload (truncated) for IT staff. */
  raw: string;
}

export interface PullPage {
  records: NormalizedRecord[];
  quarantined: QuarantinedRecord[];
  /** Cursor to store once this page has landed in the cache. */
  cursor: string | null;
  hasMore: boolean;
  /** Items still to come including this page, when the backend says; for progress. */
  remaining: number | null;
}

/** What the outbox knows about an action besides the action itself. */
export interface PerformContext {
  /**
   * The outbox entry's id. Sent as the `Idempotency-Key` header on every attempt: the backend answers
   * a key it has seen with its stored answer and changes nothing, so a retry never acts twice.
   */
  idempotencyKey: string;
  /** `updatedAt` of the item as the official saw it; the backend refuses (conflict) if it changed since. null = no check. */
  baseUpdatedAt: number | null;
  /** The acting official (sent as NguoiXuLy / Handler). */
  actor: { username: string; fullName: string };
  /** When the official acted (the outbox entry's creation), epoch ms; a sent mail's Date header. */
  createdAt?: number;
  /**
   * A durable checkpoint for actions whose backend has no idempotency (SMTP). Present when the
   * outbox runs the action; `save` writes it to the outbox row synchronously (committed and synced
   * before it returns), so it survives a crash at any later instant. See PerformProgress.
   */
  progress?: PerformProgress;
  /** Files of the action on local disk (a mail's staged attachments): attachment id → absolute path. */
  attachmentPaths?: Readonly<Record<string, string>>;
}

/**
 * The checkpoint of one outbox entry. Values are the adapter's own (the mail adapter: 'smtp_started'
 * = the end of the message may have reached the server, outcome unknown; 'smtp_accepted' = the server
 * answered 250). Convention the outbox relies on: a value ending in `_started` marks a
 * non-idempotent step whose outcome is unknown. The adapter never repeats such a step by itself; the
 * entry needs the official, and `outbox.retry` (their explicit decision to send again) clears the
 * value. Other values survive retries (the step is known to be done and is skipped).
 */
export interface PerformProgress {
  readonly value: string | null;
  save(value: string | null): void;
}

/** True for a checkpoint of a non-idempotent step whose outcome is unknown (see PerformProgress). */
export function isUncertainProgress(value: string | null): boolean {
  return value !== null && value.endsWith('_started');
}

/**
 * Definite answers of the backend to an action. Anything else (unreachable, timeout, HTTP 5xx after
 * the retries, an answer that cannot be read) is thrown as an AdapterError: the outcome is then
 * unknown and the action may be retried with the same idempotency key.
 */
export type PerformResult =
  /** Done; `record` is the item as the backend has it after the action. */
  | { outcome: 'applied'; record: NormalizedRecord }
  /** The item changed since `baseUpdatedAt`; nothing was done. `current` is the item now (null if unreadable). */
  | { outcome: 'conflict'; current: NormalizedRecord | null; message: string }
  /** The backend refused the action (illegal from the current status, invalid data); message verbatim. */
  | { outcome: 'rejected'; message: string }
  /** The backend does not know the item. */
  | { outcome: 'not_found'; message: string };

export interface BackendAdapter {
  readonly id: string;
  readonly kind: Source;
  readonly label: string;
  readonly capabilities: AdapterCapabilities;
  /** Fetch one page of changes after `cursor` (null = from the beginning). */
  pull(cursor: string | null, signal?: AbortSignal): Promise<PullPage>;
  /**
   * Perform an official's action on item `externalId` (present when `capabilities.actions`).
   * Exactly once on the backend: every attempt, including internal retries and session renewal,
   * carries `ctx.idempotencyKey`. Throws AdapterError when the outcome is unknown, or the caller's
   * abort reason when `signal` aborts.
   */
  perform?(externalId: string, action: ItemAction, ctx: PerformContext, signal?: AbortSignal): Promise<PerformResult>;
  /**
   * Push (capabilities.push): call `onChange` when the backend reports a change (IMAP IDLE); resolves
   * with the function that stops watching, rejects when watching cannot start. `onEnd` is called once
   * when the watch ends by itself (connection lost, server restarted) — never after stop — so the
   * caller can start a new one; changes made while no watch ran are only seen by the next pull.
   */
  watch?(onChange: () => void, onEnd?: (reason: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * What the composition root injects into adapters besides their (serialisable) config:
 * the office calendar, and hooks that make retries observable and tests fast.
 */
export interface AdapterDeps {
  /** End instant of a due *date* (edXML DueDate, internal deadline). Default: 17:00 +07:00 that day. */
  dueDateToInstant?: DueDateToInstant;
  /** Delay before retry n (1-based). Default: exponential backoff with jitter. */
  backoff?: BackoffFn;
  /** Abortable sleep used between retries (tests may inject an instant one). */
  sleep?: SleepFn;
  /** Called before each retry, for logs and tests. */
  onRetry?: (info: RetryInfo) => void;
}

/** Failure of a backend call, classified so the UI can explain it in plain Vietnamese. */
export class AdapterError extends Error {
  constructor(
    readonly code: BackendErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AdapterError';
  }
}
