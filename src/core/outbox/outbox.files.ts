/**
 * Files that travel with outbox entries: the attachments of outgoing mail.
 *
 *   mail.stageAttachment ──► <dataDir>/mail-staging/<id>            + row in mail_staged_files
 *   submit / compose     ──► <dataDir>/outbox-files/<outbox id>/<id> (rename, inside the submit's
 *                            transaction: the staging row is deleted in it, the moves are undone
 *                            when it fails)
 *   entry done/discarded ──► folder deleted
 *
 * A crash between the moves and the commit leaves a folder without an outbox row: the start-up sweep
 * moves its files back to the staging area (their rows were never deleted), so the official's retry of
 * the same submit still finds them. The sweep also deletes the folders of finished entries (a crash
 * before the delete), staged files older than 24 h, half-written files and rows without a file.
 *
 * Adapters never see the data directory: the runner hands them the paths of one entry's files.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIL_MAX_ATTACHMENT_BYTES, type StagedAttachment } from '../../shared/actions';
import type { OutboxState } from '../../shared/api';
import { ApiFailure } from '../api/api.dispatcher';

/** Staged files not sent within this time are deleted at start-up. */
export const STAGED_FILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** type/subtype (RFC 6838 restricted names), parameters dropped. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f/\\]/g;

export interface StageInput {
  filename: string;
  contentType: string;
  dataBase64: string;
}

interface StagedRow {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  created_at: number;
}

export interface SweepReport {
  /** Folders of finished (done/discarded) entries deleted. */
  finishedFolders: number;
  /** Folders without an outbox row (a crash mid-submit); their files went back to staging. */
  orphanFolders: number;
  restoredFiles: number;
  /** Staged files (and rows) deleted: too old, half written, or without their other half. */
  stagedRemoved: number;
}

/** A file name as it goes into Content-Disposition: no path separators or control characters. */
export function cleanAttachmentName(name: string): string {
  const cleaned = name.normalize('NFC').replace(UNSAFE_NAME_CHARS, '_').trim();
  if (cleaned === '' || /^[.\s_]+$/.test(cleaned)) {
    throw new ApiFailure('invalid_input', `Tên tệp "${name.slice(0, 100)}" không hợp lệ: hãy đổi tên tệp rồi đính kèm lại.`);
  }
  return cleaned;
}

/** `type/subtype` in lower case (parameters dropped), or an invalid_input failure. */
export function cleanContentType(contentType: string): string {
  const base = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (!MIME_TYPE.test(base)) {
    throw new ApiFailure('invalid_input', `Kiểu tệp "${contentType.slice(0, 100)}" không hợp lệ.`);
  }
  return base;
}

export class OutboxFiles {
  readonly stagingDir: string;
  readonly entriesDir: string;
  private readonly selectStaged: Database.Statement<[string], StagedRow>;
  private readonly insertStaged: Database.Statement<StagedRow>;
  private readonly deleteStaged: Database.Statement<[string]>;
  private readonly selectAllStaged: Database.Statement<[], StagedRow>;

  constructor(
    private readonly db: Database.Database,
    dataDir: string,
    private readonly now: () => number,
  ) {
    this.stagingDir = join(dataDir, 'mail-staging');
    this.entriesDir = join(dataDir, 'outbox-files');
    this.selectStaged = db.prepare('SELECT * FROM mail_staged_files WHERE id = ?');
    this.insertStaged = db.prepare(`INSERT INTO mail_staged_files (id, filename, content_type, size, created_at)
      VALUES (@id, @filename, @content_type, @size, @created_at)`);
    this.deleteStaged = db.prepare('DELETE FROM mail_staged_files WHERE id = ?');
    this.selectAllStaged = db.prepare('SELECT * FROM mail_staged_files');
  }

  /** Decode and store a file the official picked; checks name, type and size (25 MB). */
  stage(input: StageInput): StagedAttachment {
    const filename = cleanAttachmentName(input.filename);
    const contentType = cleanContentType(input.contentType);
    const b64 = input.dataBase64;
    if (b64.length % 4 !== 0 || !BASE64.test(b64)) {
      throw new ApiFailure('invalid_input', `Nội dung tệp "${filename}" không đúng định dạng base64.`);
    }
    const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
    const size = (b64.length / 4) * 3 - padding;
    if (size > MAIL_MAX_ATTACHMENT_BYTES) {
      throw new ApiFailure(
        'invalid_input',
        `Tệp "${filename}" lớn hơn ${MAIL_MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB, không gửi qua thư được.`,
      );
    }
    const data = Buffer.from(b64, 'base64');
    const id = randomUUID();
    mkdirSync(this.stagingDir, { recursive: true });
    const final = join(this.stagingDir, id);
    const part = `${final}.part`;
    try {
      writeFileSync(part, data, { flag: 'wx', mode: 0o600 });
      renameSync(part, final);
      this.insertStaged.run({ id, filename, content_type: contentType, size: data.length, created_at: this.now() });
    } catch (error) {
      rmSync(part, { force: true });
      rmSync(final, { force: true });
      throw error;
    }
    return { id, filename, contentType, size: data.length };
  }

  /** Where an entry's files live. */
  entryDir(outboxId: string): string {
    if (!UUID.test(outboxId)) throw new Error(`not an outbox id: ${outboxId.slice(0, 80)}`);
    return join(this.entriesDir, outboxId);
  }

  /** Paths of an entry's attachments (attachment id → file), for the adapter. */
  pathsFor(outboxId: string, attachments: readonly StagedAttachment[]): Record<string, string> {
    const dir = this.entryDir(outboxId);
    return Object.fromEntries(attachments.map((a) => [a.id, join(dir, a.id)]));
  }

  /**
   * Move the staged files an action names into the entry's folder and delete their staging rows.
   * Call INSIDE the transaction that inserts the outbox row; if that transaction fails, call the
   * returned function to move the files back (the rollback restores the rows). An unknown, reused or
   * mismatched id is an invalid_input failure and nothing is moved.
   */
  claim(outboxId: string, attachments: readonly StagedAttachment[]): () => void {
    if (attachments.length === 0) return () => undefined;
    const seen = new Set<string>();
    for (const a of attachments) {
      if (seen.has(a.id)) throw new ApiFailure('invalid_input', `Tệp "${a.filename}" được đính kèm hai lần.`);
      seen.add(a.id);
      const row = this.selectStaged.get(a.id);
      const source = join(this.stagingDir, a.id);
      if (!row || !existsSync(source)) {
        throw new ApiFailure(
          'invalid_input',
          `Tệp đính kèm "${a.filename}" không còn trong vùng chờ gửi (đã dùng cho thư khác, quá 24 giờ hoặc chưa tải lên): hãy đính kèm lại.`,
        );
      }
      if (row.filename !== a.filename || row.content_type !== a.contentType || row.size !== a.size || statSync(source).size !== row.size) {
        throw new ApiFailure(
          'invalid_input',
          `Tệp đính kèm "${a.filename}" không khớp với tệp đã tải lên (tên, kiểu hoặc kích thước khác): hãy đính kèm lại.`,
        );
      }
    }
    const dir = this.entryDir(outboxId);
    mkdirSync(dir, { recursive: true });
    const moved: Array<{ from: string; to: string }> = [];
    const undo = (): void => {
      for (const m of moved.splice(0).reverse()) {
        try {
          renameSync(m.to, m.from);
        } catch {
          // left in the entry folder: the start-up sweep moves it back
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        // not empty or already gone: the sweep deals with it
      }
    };
    try {
      for (const a of attachments) {
        const m = { from: join(this.stagingDir, a.id), to: join(dir, a.id) };
        renameSync(m.from, m.to);
        moved.push(m);
        this.deleteStaged.run(a.id);
      }
    } catch (error) {
      undo();
      throw error;
    }
    return undo;
  }

  /** Delete an entry's files (done or discarded). Best effort: the sweep retries at start-up. */
  release(outboxId: string): void {
    try {
      rmSync(this.entryDir(outboxId), { recursive: true, force: true });
    } catch {
      // the sweep retries
    }
  }

  /**
   * Start-up clean-up (before anything is submitted). `stateOf` answers the outbox state of an entry
   * id, null when there is no row.
   */
  sweep(stateOf: (outboxId: string) => OutboxState | null): SweepReport {
    const report: SweepReport = { finishedFolders: 0, orphanFolders: 0, restoredFiles: 0, stagedRemoved: 0 };
    // Both folders are created on first use only.
    for (const name of existsSync(this.entriesDir) ? readdirSync(this.entriesDir) : []) {
      const dir = join(this.entriesDir, name);
      if (!UUID.test(name)) continue;
      const state = stateOf(name);
      if (state === 'done' || state === 'discarded') {
        rmSync(dir, { recursive: true, force: true });
        report.finishedFolders += 1;
      } else if (state === null) {
        for (const file of readdirSync(dir)) {
          if (UUID.test(file) && this.selectStaged.get(file) && !existsSync(join(this.stagingDir, file))) {
            renameSync(join(dir, file), join(this.stagingDir, file));
            report.restoredFiles += 1;
          }
        }
        rmSync(dir, { recursive: true, force: true });
        report.orphanFolders += 1;
      }
    }
    const cutoff = this.now() - STAGED_FILE_MAX_AGE_MS;
    const rows = new Map(this.selectAllStaged.all().map((r) => [r.id, r]));
    for (const file of existsSync(this.stagingDir) ? readdirSync(this.stagingDir) : []) {
      const row = rows.get(file);
      if (!row || row.created_at < cutoff) {
        rmSync(join(this.stagingDir, file), { recursive: true, force: true });
        report.stagedRemoved += 1;
      }
    }
    const remove = this.db.transaction((ids: string[]) => {
      for (const id of ids) this.deleteStaged.run(id);
    });
    remove([...rows.values()].filter((r) => r.created_at < cutoff || !existsSync(join(this.stagingDir, r.id))).map((r) => r.id));
    return report;
  }
}
