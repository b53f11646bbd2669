import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, formatLogLine } from '../../../src/core/core.log';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cw-log-'));
  dirs.push(d);
  return d;
}

describe('core log rotation', () => {
  it('rotates by size and keeps only N old files, newest first, no line lost or split', () => {
    const dir = tmp();
    const log = new RotatingLogFile({ dir: join(dir, 'logs'), maxBytes: 1000, keep: 3 });
    const lines = Array.from({ length: 200 }, (_, i) => formatLogLine(0, 'info', `dòng số ${i}`, { i }));
    for (const l of lines) log.write(l);
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['core.log', 'core.log.1', 'core.log.2', 'core.log.3']);
    let kept: string[] = [];
    for (const f of log.files().reverse()) {
      const text = readFileSync(f, 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      kept = kept.concat(text.trimEnd().split('\n'));
    }
    // The kept lines are exactly the newest ones, in order, each whole JSON.
    expect(kept).toEqual(lines.slice(lines.length - kept.length));
    expect(kept.length).toBeGreaterThan(20);
    for (const k of kept) expect(JSON.parse(k)).toMatchObject({ level: 'info' });
  });

  it('continues an existing file after a restart, counting its size', () => {
    const dir = tmp();
    const a = new RotatingLogFile({ dir, maxBytes: 300, keep: 1 });
    a.write('x'.repeat(250));
    const b = new RotatingLogFile({ dir, maxBytes: 300, keep: 1 });
    b.write('y'.repeat(100));
    expect(readFileSync(join(dir, 'core.log.1'), 'utf8')).toBe(`${'x'.repeat(250)}\n`);
    expect(readFileSync(join(dir, 'core.log'), 'utf8')).toBe(`${'y'.repeat(100)}\n`);
  });

  it('keep 0 truncates instead of keeping old files; a write error never throws', () => {
    const dir = tmp();
    const log = new RotatingLogFile({ dir, maxBytes: 50, keep: 0 });
    log.write('a'.repeat(40));
    log.write('b'.repeat(40));
    expect(readdirSync(dir)).toEqual(['core.log']);
    rmSync(dir, { recursive: true, force: true });
    expect(() => log.write('after the folder was removed')).not.toThrow();
  });
});
