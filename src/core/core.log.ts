import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The core's logging hook. Never pass secrets (passwords, tokens) in `msg` or `data`. */
export type CoreLogLevel = 'info' | 'warn' | 'error';
export type CoreLog = (level: CoreLogLevel, msg: string, data?: unknown) => void;

export const silentLog: CoreLog = () => {};

// ---------- Issue #7 shell: log rotation ----------

/** One JSON line per entry, as written to the log file. */
export function formatLogLine(at: number, level: CoreLogLevel, msg: string, data?: unknown): string {
  let payload = '';
  if (data !== undefined) {
    try {
      payload = `,"data":${JSON.stringify(data)}`;
    } catch {
      payload = ',"data":"(not serialisable)"';
    }
  }
  return `{"at":"${new Date(at).toISOString()}","level":"${level}","msg":${JSON.stringify(msg)}${payload}}`;
}

export interface RotatingLogOptions {
  /** Folder of the log files (created when missing). */
  dir: string;
  /** Base file name (default `core.log`); rotated files are `core.log.1` … `core.log.<keep>`. */
  name?: string;
  /** Rotate when the current file would grow past this size (default 5 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5); older ones are deleted. */
  keep?: number;
}

/**
 * Size-based rotation: `core.log` → `core.log.1` → … → `core.log.<keep>` (the oldest dropped).
 * Synchronous appends (a crash loses no line that was logged); a write failure is swallowed so
 * logging can never break the core.
 */
export class RotatingLogFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private size: number;

  constructor(private readonly options: RotatingLogOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, options.name ?? 'core.log');
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = Math.max(0, options.keep ?? 5);
    this.size = existsSync(this.path) ? statSync(this.path).size : 0;
  }

  /** The current and rotated files, newest first (those that exist). */
  files(): string[] {
    const all = [this.path];
    for (let i = 1; i <= this.keep; i++) all.push(`${this.path}.${i}`);
    return all.filter((p) => existsSync(p));
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, `${line}\n`);
      this.size += bytes;
    } catch {
      // Disk full or folder gone: logging must never stop the core.
    }
  }

  private rotate(): void {
    if (this.keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      if (existsSync(this.path)) renameSync(this.path, `${this.path}.1`);
    }
    this.size = 0;
  }
}

