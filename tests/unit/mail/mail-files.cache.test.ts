/** MailFileCache: temp file renamed when complete, shared concurrent fills, LRU bound, leftovers swept. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailFileCache } from '../../../src/core/mail/mail-files.cache';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-mail-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);
const writer = (data: Buffer) => (out: Writable) => pipeline(Readable.from([data.subarray(0, 10), data.subarray(10)]), out);

describe('MailFileCache', () => {
  it('creates nothing until the first download; serves what was downloaded', async () => {
    const cache = new MailFileCache(join(dir, 'mail-files'), 1000);
    expect(existsSync(join(dir, 'mail-files'))).toBe(false);
    const key = MailFileCache.key('mail:INBOX:a@b', '2');
    expect(await cache.open(key)).toBeNull();
    await cache.fill(key, writer(bytes(100, 1)));
    const hit = await cache.open(key);
    expect(hit?.size).toBe(100);
    expect(await read(hit!.stream)).toEqual(bytes(100, 1));
    expect(readdirSync(join(dir, 'mail-files'))).toEqual([`${key}.bin`]);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a failed download leaves no file, and no .part either', async () => {
    const cache = new MailFileCache(join(dir, 'mail-files'), 1000);
    const key = MailFileCache.key('x', '1');
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        this.destroy(new Error('connection lost'));
      },
    });
    await expect(cache.fill(key, (out) => pipeline(failing, out))).rejects.toThrow('connection lost');
    expect(await cache.open(key)).toBeNull();
    expect(readdirSync(join(dir, 'mail-files'))).toEqual([]);
  });

  it('concurrent fills of one key share one download', async () => {
    const cache = new MailFileCache(join(dir, 'mail-files'), 1000);
    const key = MailFileCache.key('x', '1');
    let downloads = 0;
    const write = async (out: Writable): Promise<void> => {
      downloads++;
      await new Promise((r) => setTimeout(r, 20));
      await pipeline(Readable.from([bytes(50, 2)]), out);
    };
    await Promise.all([cache.fill(key, write), cache.fill(key, write), cache.fill(key, write)]);
    expect(downloads).toBe(1);
    expect((await cache.open(key))?.size).toBe(50);
  });

  it('keeps the total under the bound by evicting the least recently used, never the file just written', async () => {
    const cache = new MailFileCache(join(dir, 'mail-files'), 250);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => MailFileCache.key(n, '1')) as [string, string, string, string];
    await cache.fill(a, writer(bytes(100, 1)));
    await cache.fill(b, writer(bytes(100, 2)));
    // Make a older than b, then use a: b becomes the least recently used.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'mail-files', `${a}.bin`), past, past);
    utimesSync(join(dir, 'mail-files', `${b}.bin`), past, new Date(Date.now() - 30_000));
    (await cache.open(a))?.stream.destroy();
    await cache.fill(c, writer(bytes(100, 3)));
    expect(await cache.open(b)).toBeNull();
    expect((await cache.open(a))?.size).toBe(100);
    expect(await cache.totalBytes()).toBeLessThanOrEqual(250);
    // Larger than the bound on its own: kept for its reader, gone at the next download.
    await cache.fill(d, writer(bytes(400, 4)));
    expect((await cache.open(d))?.size).toBe(400);
    await cache.fill(b, writer(bytes(10, 5)));
    expect(await cache.open(d)).toBeNull();
  });

  it('an open reader keeps its data when the file is evicted meanwhile', async () => {
    const cache = new MailFileCache(join(dir, 'mail-files'), 150);
    const [a, b] = [MailFileCache.key('a', '1'), MailFileCache.key('b', '1')];
    await cache.fill(a, writer(bytes(100, 7)));
    const reader = await cache.open(a);
    await new Promise((r) => setTimeout(r, 5));
    await cache.fill(b, writer(bytes(100, 8)));
    expect(await cache.open(a)).toBeNull();
    expect(await read(reader!.stream)).toEqual(bytes(100, 7));
  });

  it('sweeps .part files an earlier run left behind', async () => {
    const folder = join(dir, 'mail-files');
    mkdirSync(folder);
    writeFileSync(join(folder, 'deadbeef.0011.part'), 'half');
    const keep = MailFileCache.key('k', '1');
    writeFileSync(join(folder, `${keep}.bin`), 'whole');
    const cache = new MailFileCache(folder, 1000);
    await cache.fill(MailFileCache.key('n', '1'), writer(bytes(20, 1)));
    expect(readdirSync(folder).filter((n) => n.endsWith('.part'))).toEqual([]);
    expect(readFileSync(join(folder, `${keep}.bin`), 'utf8')).toBe('whole');
  });
});
