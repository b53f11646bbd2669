/**
 * Issue #7 (feature `shell`): the core methods of the desktop shell work, wired into core.ts with one
 * spread line. `diagnostics.bundle` is for IT staff only (config `user.role = 'it'`).
 */
import type { ApiHandlers } from '../api/api.dispatcher';
import { ApiFailure } from '../api/api.dispatcher';
import type { Role } from '../../shared/api';
import { buildDiagnosticsBundle, type DiagnosticsDeps } from './diagnostics.service';

export interface ShellHandlerDeps extends DiagnosticsDeps {
  role: Role;
}

export function shellHandlers(deps: ShellHandlerDeps): Pick<ApiHandlers, 'diagnostics.bundle'> {
  return {
    'diagnostics.bundle': () => {
      if (deps.role !== 'it') {
        throw new ApiFailure('unauthorized', 'Chỉ cán bộ công nghệ thông tin mới tải được gói chẩn đoán.');
      }
      const { filename, content } = buildDiagnosticsBundle(deps);
      return { filename, content };
    },
  };
}
