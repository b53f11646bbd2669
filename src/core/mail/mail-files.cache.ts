/**
 * Attachments downloaded once, kept on disk under `<dataDir>/mail-files/` (issue #4).
 *
 * - A download is written to `<key>.<random>.part` while it streams from the server and renamed to
 *   `<key>.bin` only when complete: a crash or a dropped connection never leaves a file that looks
 *   whole. Leftover `.part` files are removed before the first download of a run (the folder is
 *   created then, not before).
 * - Keys are sha256 hex of (item id, IMAP part number): no name from a mail ever reaches the file
 *   system.
 * - The total size is bounded (default 512 MiB): after each completed download the least recently
 *   used files (mtime, refreshed on every open) are deleted until the total fits. The file just
 *   downloaded is never evicted by its own download (it is about to be served); one larger than the
 *   bound on its own goes at the next download.
 * - `open` returns an open file handle's stream: eviction unlinking the file meanwhile does not cut a
 *   reader off (POSIX; where unlink of an open file fails, the file is skipped and evicted later).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { open, readdir, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const DEFAULT_MAIL_FILES_MAX_BYTES = 512 * 1024 * 1024;

export interface CachedFile {
  stream: Readable;
  size: number;
}

export class MailFileCache {
  private readonly inFlight = new Map<string, Promise<void>>();

  private prepared = false;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number = DEFAULT_MAIL_FILES_MAX_BYTES,
  ) {}

  /** Create the folder on first use and drop `.part` files an earlier run left behind. */
  private prepare(): void {
    if (this.prepared) return;
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.part')) continue;
      try {
        unlinkSync(join(this.dir, name));
      } catch {
        // gone meanwhile
      }
    }
    this.prepared = true;
  }

  static key(itemId: string, part: string): string {
    return createHash('sha256').update(itemId).update('\u0000').update(part).digest('hex');
  }

  private file(key: string): string {
    return join(this.dir, `${key}.bin`);
  }

  /** The cached file as a stream, or null when it is not cached. Refreshes its place in the LRU order. */
  async open(key: string): Promise<CachedFile | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.file(key), 'r');
    } catch {
      return null;
    }
    try {
      const info = await handle.stat();
      const now = new Date();
      await utimes(this.file(key), now, now).catch(() => undefined);
      return { stream: handle.createReadStream({ autoClose: true }), size: info.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Fill the cache entry `key` with what `write` writes into the given stream (it resolves when the
   * stream is finished). Concurrent fills of the same key share one download. Resolves once the file
   * is complete and renamed into place.
   */
  async fill(key: string, write: (out: Writable) => Promise<void>): Promise<void> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const task = this.download(key, write).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, task);
    return task;
  }

  private async download(key: string, write: (out: Writable) => Promise<void>): Promise<void> {
    this.prepare();
    const temp = join(this.dir, `${key}.${randomBytes(6).toString('hex')}.part`);
    const handle = await open(temp, 'wx');
    const out = handle.createWriteStream({ autoClose: true });
    try {
      await write(out);
      if (!out.writableFinished) await new Promise<void>((resolve, reject) => {
        out.once('finish', resolve);
        out.once('error', reject);
      });
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rename(temp, this.file(key));
    } catch (error) {
      out.destroy();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.evict(key);
  }

  /** Delete least recently used files until the total fits; never `justWritten`. */
  private async evict(justWritten: string): Promise<void> {
    const entries: { name: string; size: number; used: number }[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.bin')) continue;
      try {
        const info = await stat(join(this.dir, name));
        entries.push({ name, size: info.size, used: info.mtimeMs });
      } catch {
        // gone meanwhile
      }
    }
    let total = entries.reduce((n, e) => n + e.size, 0);
    const last = `${justWritten}.bin`;
    entries.sort((a, b) => (a.name === last ? 1 : b.name === last ? -1 : a.used - b.used));
    for (const e of entries) {
      if (total <= this.maxBytes || e.name === last) break;
      try {
        await unlink(join(this.dir, e.name));
        total -= e.size;
      } catch {
        // open elsewhere on a platform that refuses: evicted next time
      }
    }
  }

  /** Bytes currently cached (tests, diagnostics). */
  async totalBytes(): Promise<number> {
    this.prepare();
    let total = 0;
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.bin')) continue;
      total += (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }
}
