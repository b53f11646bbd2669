/**
 * Numbered schema migrations. Each one runs in its own transaction together with the
 * `PRAGMA user_version` bump, so a crash leaves the database at a whole version.
 * Migrations run before any service touches the database (see core.ts).
 */
import type Database from 'better-sqlite3';
import { migration001Initial } from './migrations/001-initial';
import { migration002OutboxAudit } from './migrations/002-outbox-audit';
import { migration003ItemLinks } from './migrations/003-item-links';
import { migration004MailOutbox } from './migrations/004-mail-outbox';
import { migration005MailBodiesLinks } from './migrations/005-mail-bodies-links';
import { migration006MailBodiesBound } from './migrations/006-mail-bodies-bound';
import { migration007Dashboard } from './migrations/007-dashboard';
import { migration008CitizensSearch } from './migrations/008-citizens-search';
import { migration009SyncErrors } from './migrations/009-sync-errors';
import { migration010NotifyState } from './migrations/010-notify-state';
import { migration011CipherSpeed } from './migrations/011-cipher-speed';
import { migration012MailSearchPending } from './migrations/012-mail-search-pending';
import { migration013ProcedureCatalogue } from './migrations/013-procedure-catalogue';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

/** Every migration the code knows, in order. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002OutboxAudit,
  migration003ItemLinks,
  migration004MailOutbox,
  migration005MailBodiesLinks,
  migration006MailBodiesBound,
  migration007Dashboard,
  migration008CitizensSearch,
  migration009SyncErrors,
  migration010NotifyState,
  migration011CipherSpeed,
  migration012MailSearchPending,
  migration013ProcedureCatalogue,
];

export class DatabaseTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `The cache database is at schema version ${databaseVersion}, but this program only knows up to ` +
        `version ${codeVersion}. It was written by a newer version of the workstation: update the ` +
        `program, or move the cache file away to rebuild it from the backends.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  const value: unknown = db.pragma('user_version', { simple: true });
  return typeof value === 'number' ? value : 0;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new Error(`Migration list broken: expected version ${index + 1}, found ${m.version} (${m.name})`);
    }
  });
}

/**
 * Bring the database up to the latest version. Returns the versions applied.
 * Throws DatabaseTooNewError (and changes nothing) when the file is newer than the code.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkSequence(migrations);
  const latest = migrations.length;
  const current = schemaVersion(db);
  if (current > latest) throw new DatabaseTooNewError(current, latest);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      // Integer from our own list, never user input.
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
