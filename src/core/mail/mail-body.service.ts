/**
 * Mail bodies, attachments and remote images on demand (issue #4).
 *
 * mail.body: served from `mail_bodies` when the mail was read before (also after it was deleted on the
 * server, and while offline); otherwise fetched once through the mail adapter (streamed through
 * mailparser: attachment contents never in memory), stored, and the links in the full text merged
 * into the mail's links through QueueService.relinkMail (the rules run again: a dossier code deep in
 * the body can make the mail work). Concurrent reads of one mail share one fetch.
 *
 * Attachments (`openAttachment`, not in the JSON contract): the cached body's list says which IMAP
 * part an index is; the part is streamed from the server into the disk cache (MailFileCache: temp
 * file, renamed when complete, bounded, LRU) and served from disk — also on every later open, without
 * the server. Downloading to disk first means the folder lock on the IMAP connection is held only for
 * the transfer, never for as long as a slow reader takes. `saveAttachment` copies it to a path the
 * Electron shell got from a save dialog (temp file beside it, renamed when complete).
 *
 * Failures become ApiFailure 'unavailable' with a Vietnamese message that says why (offline, the mail
 * moved or deleted on the server, sign-in refused) and a machine-readable `details: ['reason:…']`.
 */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { CoreEvent, MailBodyView } from '../../shared/api';
import type { WorkItem } from '../../shared/work-item';
import { AdapterError, type BackendAdapter } from '../adapters/adapter';
import type { MailLocator, MailPartRequest } from '../adapters/mail.adapter';
import { MailGoneError, type MailBody } from '../adapters/mail.body';
import { ApiFailure } from '../api/api.dispatcher';
import type { CoreLog } from '../core.log';
import type { QueueService } from '../queue/queue.service';
import { MailFileCache } from './mail-files.cache';
import { htmlToText } from './mail-html';
import { extractLinks, uniqueLinks } from '../../shared/mail-links';
import type { RemoteImageFetcher } from './remote-images';

/** What the core needs of a mail adapter to read bodies and attachments (MailAdapter has it). */
export interface MailReader {
  fetchBody(target: MailLocator, signal?: AbortSignal): Promise<MailBody>;
  downloadAttachment<T>(
    target: MailLocator,
    request: MailPartRequest,
    consume: (content: Readable) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
}

export function mailReaderOf(adapter: BackendAdapter): MailReader | null {
  const candidate = adapter as BackendAdapter & Partial<MailReader>;
  return adapter.kind === 'mail' && typeof candidate.fetchBody === 'function' && typeof candidate.downloadAttachment === 'function'
    ? (candidate as BackendAdapter & MailReader)
    : null;
}

/** An attachment ready to be read (from the disk cache). */
export interface OpenedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  stream: Readable;
  /** Served from the disk cache without asking the server. */
  fromCache: boolean;
}

/** Links kept per body (a long circular can cite hundreds of numbers). */
const BODY_LINKS_MAX = 200;
/** Text scanned for links (characters). */
const LINK_SCAN_MAX_CHARS = 1_000_000;
const CHANGED_IDS_CAP = 500;

const CachedAttachmentSchema = z.object({
  index: z.number().int().min(0),
  part: z.string().min(1).max(100),
  filename: z.string().nullable(),
  contentType: z.string(),
  size: z.number().int().nullable(),
  inline: z.boolean(),
  contentId: z.string().nullable(),
});
type CachedAttachment = z.infer<typeof CachedAttachmentSchema>;

interface StoredBody {
  text: string | null;
  html: string | null;
  attachments: CachedAttachment[];
  inlineImages: Record<string, string>;
}

interface BodyRow {
  text: string | null;
  html: string | null;
  attachments_json: string;
  inline_images_json: string;
}

export interface MailBodyServiceDeps {
  db: Database.Database;
  queue: QueueService;
  /** The mail reader of a backend, null when the backend is not a (configured) mail account. */
  readerFor: (backendId: string) => MailReader | null;
  files: MailFileCache;
  images: RemoteImageFetcher;
  emit: (event: CoreEvent) => void;
  now: () => number;
  log: CoreLog;
  /** Issue #6: an attachment is in the disk cache (its text is extracted for the search; must not throw). */
  onAttachmentCached?: (file: { itemId: string; index: number; filename: string | null; contentType: string; path: string; size: number }) => void;
  /** Bound of the cached bodies (text + HTML + inline images), default 256 MiB. */
  maxBodyBytes?: number;
}

/** Default bound of the mail body cache in SQLite. */
export const DEFAULT_MAIL_BODIES_MAX_BYTES = 256 * 1024 * 1024;

type Reason = 'offline' | 'gone' | 'auth_failed' | 'no_account' | 'server_error' | 'file_system';

function unavailable(message: string, reason: Reason): ApiFailure {
  return new ApiFailure('unavailable', message, [`reason:${reason}`]);
}

/** An adapter failure while reading `what` (e.g. "nội dung thư") → a Vietnamese ApiFailure. */
export function readFailure(error: unknown, what: string): ApiFailure {
  if (error instanceof ApiFailure) return error;
  if (error instanceof MailGoneError) {
    return unavailable(`Không tải được ${what}: ${error.message} Nội dung này chưa được lưu trên máy.`, 'gone');
  }
  if (error instanceof AdapterError) {
    if (error.code === 'unreachable' || error.code === 'timeout') {
      return unavailable(`Không tải được ${what} vì đang ngoại tuyến: ${error.message} Hãy thử lại khi có kết nối.`, 'offline');
    }
    if (error.code === 'auth_failed') return unavailable(`Không tải được ${what}: ${error.message}`, 'auth_failed');
    return unavailable(`Không tải được ${what}: máy chủ thư báo lỗi (${error.message}).`, 'server_error');
  }
  const message = error instanceof Error ? error.message : String(error);
  return unavailable(`Không tải được ${what}: lỗi không xác định (${message}).`, 'server_error');
}

function byteLength(text: string | null): number {
  return text === null ? 0 : Buffer.byteLength(text, 'utf8');
}

export class MailBodyService {
  private readonly selectBody: Database.Statement<[string], BodyRow>;
  private readonly liveSize: Database.Statement<[], { total: number }>;
  private readonly oldestLive: Database.Statement<[], { item_id: string; size: number }>;
  private readonly evictBody: Database.Statement<{ itemId: string; at: number }>;
  private readonly upsertBody: Database.Statement<{
    itemId: string;
    text: string | null;
    html: string | null;
    attachments: string;
    inlineImages: string;
    links: string;
    size: number;
    at: number;
  }>;
  private readonly fetching = new Map<string, Promise<StoredBody>>();

  constructor(private readonly deps: MailBodyServiceDeps) {
    this.selectBody = deps.db.prepare(
      'SELECT text, html, attachments_json, inline_images_json FROM mail_bodies WHERE item_id = ? AND evicted_at IS NULL',
    );
    this.liveSize = deps.db.prepare('SELECT COALESCE(SUM(size), 0) AS total FROM mail_bodies INDEXED BY mail_bodies_live WHERE evicted_at IS NULL');
    this.oldestLive = deps.db.prepare(
      'SELECT item_id, size FROM mail_bodies INDEXED BY mail_bodies_live WHERE evicted_at IS NULL ORDER BY fetched_at LIMIT 200',
    );
    // The links found in the body stay: the mail keeps them although its text is gone from the cache.
    this.evictBody = deps.db.prepare(`UPDATE mail_bodies SET text = NULL, html = NULL, inline_images_json = '{}', size = 0,
      evicted_at = @at WHERE item_id = @itemId`);
    this.upsertBody = deps.db.prepare(`INSERT INTO mail_bodies
        (item_id, text, html, attachments_json, inline_images_json, body_links_json, size, fetched_at)
      VALUES (@itemId, @text, @html, @attachments, @inlineImages, @links, @size, @at)
      ON CONFLICT (item_id) DO UPDATE SET text = excluded.text, html = excluded.html,
        attachments_json = excluded.attachments_json, inline_images_json = excluded.inline_images_json,
        body_links_json = excluded.body_links_json, size = excluded.size, fetched_at = excluded.fetched_at,
        evicted_at = NULL`);
  }

  /**
   * Keep the cached bodies under `maxBytes` (text + HTML + inline images): the oldest fetched are
   * evicted first, never `keep` (the body just stored). Returns how many were evicted.
   */
  private bound(keep: string): number {
    const max = this.deps.maxBodyBytes ?? DEFAULT_MAIL_BODIES_MAX_BYTES;
    let total = this.liveSize.get()?.total ?? 0;
    let evicted = 0;
    const at = this.deps.now();
    while (total > max) {
      const batch = this.oldestLive.all().filter((r) => r.item_id !== keep);
      if (batch.length === 0) break;
      for (const r of batch) {
        if (total <= max) break;
        this.evictBody.run({ itemId: r.item_id, at });
        total -= r.size;
        evicted += 1;
      }
    }
    return evicted;
  }

  /** `mail.body`: from the cache, else from the server (then cached). */
  async body(itemId: string): Promise<MailBodyView> {
    const mail = this.mailItem(itemId);
    const cached = this.cached(itemId);
    if (cached) return this.view(cached, true);
    return this.view(await this.fetch(mail), false);
  }

  /** `mail.remoteImages`: only URLs of this mail's HTML (read first if needed), see remote-images.ts. */
  async remoteImages(itemId: string, urls: readonly string[]): Promise<{ images: Record<string, string | null> }> {
    const mail = this.mailItem(itemId);
    const stored = this.cached(itemId) ?? (await this.fetch(mail));
    return { images: await this.deps.images.fetchAll(stored.html, urls) };
  }

  /** The attachment `index` of the mail's body as a stream, from the disk cache (downloaded first if needed). */
  async openAttachment(itemId: string, index: number): Promise<OpenedAttachment> {
    const mail = this.mailItem(itemId);
    const stored = this.cached(itemId) ?? (await this.fetch(mail));
    const att = stored.attachments.find((a) => a.index === index);
    if (!att) {
      throw new ApiFailure('not_found', `Thư "${mail.title}" không có tệp đính kèm số ${index + 1} (chỉ số ${index}).`);
    }
    const key = MailFileCache.key(itemId, att.part);
    const cachedFile = (size: number): void =>
      this.deps.onAttachmentCached?.({ itemId, index, filename: att.filename, contentType: att.contentType, path: join(this.deps.files.dir, `${key}.bin`), size });
    const hit = await this.deps.files.open(key);
    if (hit) {
      cachedFile(hit.size);
      return { filename: att.filename, contentType: att.contentType, size: hit.size, stream: hit.stream, fromCache: true };
    }
    const reader = this.readerOf(mail);
    const what = `tệp đính kèm "${att.filename ?? `số ${index + 1}`}"`;
    const request: MailPartRequest = { part: att.part, filename: att.filename, contentType: att.contentType };
    try {
      await this.deps.files.fill(key, (out) =>
        reader.downloadAttachment(this.locator(mail), request, (content) => pipeline(content, out)),
      );
    } catch (error) {
      throw readFailure(error, what);
    }
    const opened = await this.deps.files.open(key);
    if (!opened) throw unavailable(`Không mở được ${what} vừa tải về (bộ nhớ tệp đã bị dọn).`, 'file_system');
    cachedFile(opened.size);
    return { filename: att.filename, contentType: att.contentType, size: opened.size, stream: opened.stream, fromCache: false };
  }

  /**
   * Electron: write the attachment to `path` (chosen by the official in the shell's save dialog):
   * a temp file beside it, renamed over `path` when complete.
   */
  async saveAttachment(itemId: string, index: number, path: string): Promise<{ saved: true; path: string; size: number }> {
    if (!isAbsolute(path)) throw new ApiFailure('invalid_input', `Đường dẫn lưu tệp phải là đường dẫn tuyệt đối: "${path}".`);
    const opened = await this.openAttachment(itemId, index);
    const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(opened.stream, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, path);
    } catch (error) {
      opened.stream.destroy();
      await unlink(temp).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      throw unavailable(`Không lưu được tệp vào "${path}": ${message}`, 'file_system');
    }
    return { saved: true, path, size: opened.size };
  }

  // ---------- internals ----------

  private mailItem(itemId: string): WorkItem & { locator: MailLocator } {
    const found = this.deps.queue.get(itemId, this.deps.now());
    if (!found) throw new ApiFailure('not_found', `Không tìm thấy thư "${itemId}" trong bộ nhớ đệm.`);
    const { item, detail } = found;
    if (detail.source !== 'mail') throw new ApiFailure('invalid_input', `"${item.ref}" không phải là thư điện tử.`);
    if (item.status === 'outgoing') throw new ApiFailure('invalid_input', `Thư "${item.title}" đang chờ gửi, chưa có trên máy chủ.`);
    return {
      ...item,
      locator: { externalId: item.externalId, folder: detail.folder, uid: detail.uid, uidValidity: detail.uid > 0 ? detail.uidValidity : null },
    };
  }

  private locator(mail: { locator: MailLocator }): MailLocator {
    return mail.locator;
  }

  private readerOf(mail: WorkItem): MailReader {
    const reader = this.deps.readerFor(mail.backendId);
    if (!reader) {
      throw unavailable(`Không đọc được thư: tài khoản thư "${mail.backendId}" không còn trong cấu hình của máy này.`, 'no_account');
    }
    return reader;
  }

  private cached(itemId: string): StoredBody | null {
    const row = this.selectBody.get(itemId);
    if (!row) return null;
    try {
      const attachments = z.array(CachedAttachmentSchema).parse(JSON.parse(row.attachments_json));
      const inlineImages = z.record(z.string(), z.string()).parse(JSON.parse(row.inline_images_json));
      return { text: row.text, html: row.html, attachments, inlineImages };
    } catch (error) {
      // A damaged row is read again from the server.
      this.deps.log('warn', 'cached mail body unreadable; fetching it again', { itemId, error: String(error) });
      return null;
    }
  }

  private fetch(mail: WorkItem & { locator: MailLocator }): Promise<StoredBody> {
    const running = this.fetching.get(mail.id);
    if (running) return running;
    const task = this.fetchAndStore(mail).finally(() => this.fetching.delete(mail.id));
    this.fetching.set(mail.id, task);
    return task;
  }

  private async fetchAndStore(mail: WorkItem & { locator: MailLocator }): Promise<StoredBody> {
    const reader = this.readerOf(mail);
    let body: MailBody;
    try {
      body = await reader.fetchBody(mail.locator);
    } catch (error) {
      throw readFailure(error, 'nội dung thư');
    }
    if (body.problems.length > 0) {
      this.deps.log('warn', 'mail body partly unreadable', { itemId: mail.id, problems: body.problems.slice(0, 5) });
    }
    const stored: StoredBody = {
      text: body.text,
      html: body.html,
      attachments: body.attachments.map((a, index) => ({
        index,
        part: a.part,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        inline: a.inline,
        contentId: a.contentId,
      })),
      inlineImages: body.inlineImages,
    };
    const scan = (body.text !== null && body.text.trim() !== '' ? body.text : body.html !== null ? htmlToText(body.html) : '').slice(
      0,
      LINK_SCAN_MAX_CHARS,
    );
    const links = uniqueLinks(extractLinks(scan, { now: this.deps.now() }))
      .slice(0, BODY_LINKS_MAX)
      .map((l) => ({ kind: l.kind, value: l.value }));
    const size =
      byteLength(body.text) + byteLength(body.html) + Object.values(body.inlineImages).reduce((n, uri) => n + uri.length, 0);
    const changed = this.deps.db.transaction(() => {
      this.upsertBody.run({
        itemId: mail.id,
        text: body.text,
        html: body.html,
        attachments: JSON.stringify(stored.attachments),
        inlineImages: JSON.stringify(stored.inlineImages),
        links: JSON.stringify(links),
        size,
        at: this.deps.now(),
      });
      const relinked = this.deps.queue.relinkMail(mail.id);
      const evicted = this.bound(mail.id);
      if (evicted > 0) this.deps.log('info', 'mail body cache over its limit: oldest bodies dropped (fetched again when opened)', { evicted });
      return relinked;
    })();
    if (changed.length > 0) {
      this.deps.emit({ type: 'items.changed', ids: changed.slice(0, CHANGED_IDS_CAP), more: changed.length > CHANGED_IDS_CAP });
    }
    return stored;
  }

  private view(stored: StoredBody, fromCache: boolean): MailBodyView {
    return {
      text: stored.text,
      html: stored.html,
      attachments: stored.attachments.map((a) => ({
        index: a.index,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        inline: a.inline,
        contentId: a.contentId,
      })),
      inlineImages: { ...stored.inlineImages },
      fromCache,
    };
  }
}
