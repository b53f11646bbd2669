/**
 * The core log as IT staff read it in the settings screen (`logs.tail`): the newest entries since the
 * core started, in memory, with every secret redacted — values under secret keys (password,
 * clientSecret, token…) and any occurrence of a secret value the core resolved from the keyring.
 */
import type { LogEntry } from '../../shared/settings';
import type { CoreLog } from '../core.log';
import { SECRET_KEYS } from '../secrets/config-secrets';

const REDACTED = '[đã ẩn]';

export class LogRing {
  private readonly entries: LogEntry[] = [];
  private readonly secretValues = new Set<string>();
  private seq = 0;

  constructor(
    private readonly capacity = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Values that must never appear (passwords resolved from the keyring); short ones are ignored. */
  addSecrets(values: Iterable<string>): void {
    for (const v of values) if (v.length >= 4) this.secretValues.add(v);
  }

  /** A CoreLog that records into the ring, then calls `next`. */
  wrap(next: CoreLog): CoreLog {
    return (level, msg, data) => {
      this.push(level, msg, data);
      next(level, msg, data);
    };
  }

  private redact(text: string): string {
    let out = text;
    for (const secret of this.secretValues) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  push(level: LogEntry['level'], msg: string, data?: unknown): void {
    let json: string | null = null;
    let backend: string | null = null;
    if (data !== undefined) {
      try {
        json = JSON.stringify(data, (key, value: unknown) => (SECRET_KEYS.has(key) ? REDACTED : value));
      } catch {
        json = '"(không tuần tự hóa được)"';
      }
      if (typeof data === 'object' && data !== null) {
        const rec = data as Record<string, unknown>;
        const b = rec['backend'] ?? rec['backendId'];
        if (typeof b === 'string') backend = b;
      }
    }
    this.entries.push({
      seq: ++this.seq,
      at: this.now(),
      level,
      msg: this.redact(msg).slice(0, 2000),
      backend,
      data: json === null ? null : this.redact(json).slice(0, 4000),
    });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** The newest `limit` entries as JSON lines (as in the log file), redacted like the entries. */
  lines(limit: number): string[] {
    return this.entries.slice(-limit).map((e) => `{"at":"${new Date(e.at).toISOString()}","level":"${e.level}","msg":${JSON.stringify(e.msg)}${e.data !== null ? `,"data":${e.data}` : ''}}`);
  }

  /** Newest last; at most `limit` entries after filtering. */
  tail(filter: { levels?: readonly LogEntry['level'][] | undefined; backend?: string | undefined; limit: number }): { entries: LogEntry[]; total: number } {
    const matching = this.entries.filter(
      (e) => (!filter.levels || filter.levels.length === 0 || filter.levels.includes(e.level)) && (filter.backend === undefined || e.backend === filter.backend),
    );
    return { entries: matching.slice(-filter.limit), total: matching.length };
  }
}
