/**
 * Issue #6 "declare once": `dossier.register` (a new dossier received at the counter, through the
 * outbox, sent to the procedure system's DongBoHoSoMC by the adapter) and `procedures.list` (the
 * procedure catalogue for the form's picker, read live from the procedure backends; each backend's
 * last catalogue is kept in the cache, migration 013, and offered when the backend cannot be read, so
 * the counter can still take a dossier offline — it waits in the outbox). Officials and supervisors
 * only; only a procedure backend that accepts actions takes new dossiers.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ProcedureInfo } from '../adapters/procedure.schema';
import type { BackendAdapter } from '../adapters/adapter';
import { AdapterError } from '../adapters/adapter';
import { ApiFailure, type ApiHandlers } from '../api/api.dispatcher';
import type { OutboxService } from '../outbox/outbox.service';

/** A backend adapter that can read the procedure catalogue (ProcedureAdapter). */
interface CatalogueReader {
  listProcedures(signal?: AbortSignal): Promise<ProcedureInfo[]>;
}

function readsCatalogue(adapter: BackendAdapter): adapter is BackendAdapter & CatalogueReader {
  return typeof (adapter as Partial<CatalogueReader>).listProcedures === 'function';
}

export interface RegisterHandlerDeps {
  outbox: Pick<OutboxService, 'submitRegister'>;
  adapters: readonly BackendAdapter[];
  role: string;
  /** The cache (the last catalogue per backend); without it the catalogue is only read live. */
  db?: Database.Database;
  now?: () => number;
}

const CatalogueEntrySchema = z.object({
  code: z.string(),
  name: z.string(),
  fieldName: z.string().nullable(),
  papers: z.array(z.string()),
  fees: z.array(z.object({ name: z.string(), amount: z.number() })),
});
type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;

/** The last catalogue read from each backend (migration 013); absent table (older file) → nothing kept. */
class CatalogueCache {
  private readonly put: Database.Statement<[string, number, string]>;
  private readonly get: Database.Statement<[string], { fetched_at: number; json: string }>;

  private constructor(db: Database.Database) {
    this.put = db.prepare(`INSERT INTO procedure_catalogue (backend_id, fetched_at, json) VALUES (?, ?, ?)
      ON CONFLICT (backend_id) DO UPDATE SET fetched_at = excluded.fetched_at, json = excluded.json`);
    this.get = db.prepare('SELECT fetched_at, json FROM procedure_catalogue WHERE backend_id = ?');
  }

  static open(db: Database.Database | undefined): CatalogueCache | null {
    if (!db) return null;
    const has = db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'procedure_catalogue'").get() !== undefined;
    return has ? new CatalogueCache(db) : null;
  }

  save(backendId: string, at: number, entries: readonly CatalogueEntry[]): void {
    this.put.run(backendId, at, JSON.stringify(entries));
  }

  /** The kept catalogue, or null when none was kept or it no longer parses. */
  load(backendId: string): { fetchedAt: number; entries: CatalogueEntry[] } | null {
    const row = this.get.get(backendId);
    if (!row) return null;
    try {
      const parsed = z.array(CatalogueEntrySchema).safeParse(JSON.parse(row.json));
      return parsed.success ? { fetchedAt: row.fetched_at, entries: parsed.data } : null;
    } catch {
      return null;
    }
  }
}

export function registerHandlers(deps: RegisterHandlerDeps): Pick<ApiHandlers, 'dossier.register' | 'procedures.list'> {
  const allowed = (): void => {
    if (deps.role !== 'official' && deps.role !== 'supervisor') {
      throw new ApiFailure('unauthorized', 'Chỉ cán bộ tiếp nhận và lãnh đạo được tiếp nhận hồ sơ mới.');
    }
  };
  const cache = CatalogueCache.open(deps.db);
  const now = deps.now ?? Date.now;
  const procedureBackends = (): BackendAdapter[] => deps.adapters.filter((a) => a.kind === 'procedure' && typeof a.perform === 'function');
  return {
    'dossier.register': ({ backendId, action }) => {
      allowed();
      const adapter = deps.adapters.find((a) => a.id === backendId);
      if (!adapter) throw new ApiFailure('not_found', `Không có hệ thống "${backendId}".`);
      if (adapter.kind !== 'procedure' || typeof adapter.perform !== 'function') {
        throw new ApiFailure('invalid_input', `Hệ thống "${adapter.label}" không phải hệ thống một cửa điện tử nhận hồ sơ mới.`);
      }
      return deps.outbox.submitRegister(backendId, action);
    },
    'procedures.list': async () => {
      allowed();
      const backends = procedureBackends();
      if (backends.length === 0) throw new ApiFailure('unavailable', 'Chưa cấu hình hệ thống một cửa điện tử nhận hồ sơ mới.');
      const procedures: (CatalogueEntry & { backendId: string })[] = [];
      const stale: { backendId: string; label: string; fetchedAt: number | null; reason: string }[] = [];
      const failures: string[] = [];
      for (const adapter of backends) {
        if (!readsCatalogue(adapter)) continue;
        let entries: CatalogueEntry[];
        try {
          entries = (await adapter.listProcedures()).map((p) => ({ code: p.code, name: p.name, fieldName: p.fieldName, papers: p.papers, fees: p.fees }));
        } catch (error) {
          const reason = error instanceof AdapterError ? error.code : 'error';
          failures.push(`${adapter.label}: ${reason}`);
          const kept = cache?.load(adapter.id) ?? null;
          stale.push({ backendId: adapter.id, label: adapter.label, fetchedAt: kept?.fetchedAt ?? null, reason });
          for (const e of kept?.entries ?? []) procedures.push({ backendId: adapter.id, ...e });
          continue;
        }
        cache?.save(adapter.id, now(), entries);
        for (const e of entries) procedures.push({ backendId: adapter.id, ...e });
      }
      if (procedures.length === 0) {
        throw new ApiFailure(
          'unavailable',
          'Chưa tải được danh mục thủ tục từ hệ thống một cửa điện tử (mất kết nối hoặc hệ thống lỗi) và máy chưa lưu danh mục nào. Vui lòng thử lại sau.',
          failures,
        );
      }
      procedures.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
      return { procedures, stale };
    },
  };
}
