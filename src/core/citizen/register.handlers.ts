/**
 * Issue #6 "declare once": `dossier.register` (a new dossier received at the counter, through the
 * outbox, sent to the procedure system's DongBoHoSoMC by the adapter) and `procedures.list` (the
 * procedure catalogue for the form's picker, read live from the procedure backends). Officials and
 * supervisors only; only a procedure backend that accepts actions takes new dossiers.
 */
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
}

export function registerHandlers(deps: RegisterHandlerDeps): Pick<ApiHandlers, 'dossier.register' | 'procedures.list'> {
  const allowed = (): void => {
    if (deps.role !== 'official' && deps.role !== 'supervisor') {
      throw new ApiFailure('unauthorized', 'Chỉ cán bộ tiếp nhận và lãnh đạo được tiếp nhận hồ sơ mới.');
    }
  };
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
      const procedures: {
        backendId: string;
        code: string;
        name: string;
        fieldName: string | null;
        papers: string[];
        fees: { name: string; amount: number }[];
      }[] = [];
      const failures: string[] = [];
      for (const adapter of backends) {
        if (!readsCatalogue(adapter)) continue;
        try {
          for (const p of await adapter.listProcedures()) {
            procedures.push({ backendId: adapter.id, code: p.code, name: p.name, fieldName: p.fieldName, papers: p.papers, fees: p.fees });
          }
        } catch (error) {
          failures.push(`${adapter.label}: ${error instanceof AdapterError ? error.code : 'error'}`);
        }
      }
      if (procedures.length === 0) {
        throw new ApiFailure(
          'unavailable',
          'Chưa tải được danh mục thủ tục từ hệ thống một cửa điện tử (mất kết nối hoặc hệ thống lỗi). Vui lòng thử lại sau.',
          failures,
        );
      }
      procedures.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
      return { procedures };
    },
  };
}
