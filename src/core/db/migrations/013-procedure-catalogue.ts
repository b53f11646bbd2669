/**
 * 013 (issue #6, declare once offline): the last procedure catalogue read from each procedure
 * backend (`procedures.list`: codes, names, component papers, fees), so the counter's new-dossier form
 * still offers its picker when the backend is unreachable — the dossier itself then waits in the
 * outbox. One row per backend, replaced on every successful read.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration013ProcedureCatalogue: Migration = {
  version: 13,
  name: 'procedure-catalogue',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE procedure_catalogue (
        backend_id TEXT PRIMARY KEY,
        fetched_at INTEGER NOT NULL,
        json TEXT NOT NULL
      );
    `);
  },
};
