/**
 * Issue #5: the supervisor's API handlers (dashboard, exports, reassignment, authority matrix),
 * spread into the core's handler table by core.ts. Every method but `authority.get` (the queue's
 * mark needs the matrix in every role) requires the session's role to be 'supervisor'.
 *
 * Reassignment goes through the outbox like any action: a dossier is forwarded to the new official
 * (`dossier.forward`, backends accept it from "Đã tiếp nhận"/"Đang xử lý"), a document gets a new
 * lead (`document.assign`, from "Đã tiếp nhận"/"Phân công"/"Đang xử lý"). A bulk request is one
 * transaction: one outbox entry per item, each with its own idempotency key, all stored together.
 */
import { DOSSIER_STATUS_WORDS } from '../../shared/domain';
import type Database from 'better-sqlite3';
import type { ItemAction } from '../../shared/actions';
import type { CoreEvent } from '../../shared/api';
import type { ReassignOutput } from '../../shared/dashboard';
import type { WorkItem } from '../../shared/work-item';
import { ApiFailure, type ApiHandlers } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { WorkstationConfig } from '../config/config.schema';
import type { WorkCalendar } from '../deadline';
import type { OutboxService } from '../outbox/outbox.service';
import type { QueueService } from '../queue/queue.service';
import { AuthorityService } from './authority.service';
import { dashboardPdf, dashboardWorkbook, exportFilename } from './dashboard.export';
import { DashboardService } from './dashboard.service';

export interface DashboardHandlerDeps {
  db: Database.Database;
  calendar: WorkCalendar;
  config: WorkstationConfig;
  queue: Pick<QueueService, 'getItem'>;
  outbox: Pick<OutboxService, 'submit'>;
  audit: AuditLog;
  emit: (event: CoreEvent) => void;
  now: () => number;
}

type DashboardMethods = 'dashboard.get' | 'dashboard.export' | 'dashboard.reassign' | 'authority.get' | 'authority.set';

const DOCUMENT_STATUS_WORDS: Readonly<Record<string, string>> = {
  '01': 'Đã đến, chưa vào sổ',
  '02': 'Đã từ chối',
  '06': 'Đã hoàn thành',
};

/** The action that hands `item` to `toUser`, or why it cannot be done now (Vietnamese). */
export function reassignAction(item: WorkItem, toUser: string, note: string | undefined): { action: ItemAction } | { refusal: string } {
  if (item.assignee === toUser) return { refusal: `${item.ref}: đang do chính cán bộ này xử lý.` };
  if (item.source === 'procedure') {
    if (item.status !== '2' && item.status !== '4') {
      return {
        refusal: `${item.ref}: hồ sơ đang ở trạng thái "${DOSSIER_STATUS_WORDS[item.status] ?? item.status}"; chỉ chuyển được hồ sơ đã tiếp nhận hoặc đang xử lý.`,
      };
    }
    return { action: { kind: 'dossier.forward', toUser, ...(note ? { note } : {}) } };
  }
  if (item.source === 'document') {
    if (!['03', '04', '05'].includes(item.status)) {
      return {
        refusal: `${item.ref}: văn bản đang ở trạng thái "${DOCUMENT_STATUS_WORDS[item.status] ?? item.status}"; chỉ giao lại được văn bản đã vào sổ, đã phân công hoặc đang xử lý.`,
      };
    }
    return { action: { kind: 'document.assign', lead: toUser, cooperating: [], forInfo: [], ...(note ? { instruction: note } : {}) } };
  }
  return { refusal: `${item.ref}: thư điện tử không giao lại được cho cán bộ khác.` };
}

export function dashboardHandlers(deps: DashboardHandlerDeps): Pick<ApiHandlers, DashboardMethods> {
  const { config, now } = deps;
  const officials = (): { username: string; fullName: string }[] => (config.office.officials ?? []).map((o) => ({ username: o.username, fullName: o.fullName }));
  const dashboard = new DashboardService({ db: deps.db, calendar: deps.calendar, officials });
  const authority = new AuthorityService({ db: deps.db, audit: deps.audit, dashboard, actor: config.user.username, emit: deps.emit });
  const requireSupervisor = (what: string): void => {
    if (config.user.role !== 'supervisor') {
      throw new ApiFailure('unauthorized', `Chỉ lãnh đạo (vai trò giám sát) mới được ${what}. Tài khoản ${config.user.username} không có quyền này.`);
    }
  };

  return {
    'dashboard.get': (filter) => {
      requireSupervisor('xem bảng điều hành');
      return dashboard.get(filter, now());
    },
    'dashboard.export': async ({ filter, format }) => {
      requireSupervisor('xuất báo cáo điều hành');
      const data = dashboard.get(filter, now());
      const ctx = { officeName: config.office.name, by: config.user.fullName, filter: { official: filter.official, procedure: filter.procedure } };
      const bytes = format === 'xlsx' ? await dashboardWorkbook(data, ctx) : await dashboardPdf(data, ctx);
      return {
        filename: exportFilename(data, format),
        mimeType: format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/pdf',
        base64: bytes.toString('base64'),
      };
    },
    'dashboard.reassign': ({ items, toUser, note }) => {
      requireSupervisor('giao lại hồ sơ, văn bản');
      // The office's officials, and handlers the cache knows beyond them (a config without the list).
      if (!dashboard.choices().officials.some((o) => o.username === toUser)) {
        throw new ApiFailure('invalid_input', `Không có cán bộ "${toUser}" trong danh sách cán bộ của đơn vị.`);
      }
      const at = now();
      const out: ReassignOutput = { queued: [], refused: [] };
      // One transaction: every entry stored together (each its own idempotency key), or none on a crash.
      deps.db.transaction(() => {
        for (const { id, baseUpdatedAt } of items) {
          const item = deps.queue.getItem(id, at);
          if (!item) {
            out.refused.push({ itemId: id, message: `Không tìm thấy mục "${id}" trong dữ liệu đã đồng bộ.` });
            continue;
          }
          const planned = reassignAction(item, toUser, note);
          if ('refusal' in planned) {
            out.refused.push({ itemId: id, message: planned.refusal });
            continue;
          }
          try {
            const entry = deps.outbox.submit({ itemId: id, action: planned.action, baseUpdatedAt });
            out.queued.push({ itemId: id, entryId: entry.id });
          } catch (error) {
            if (!(error instanceof ApiFailure)) throw error;
            out.refused.push({ itemId: id, message: `${item.ref}: ${error.message}` });
          }
        }
      })();
      return out;
    },
    'authority.get': () => authority.get(),
    'authority.set': ({ rules }) => {
      requireSupervisor('sửa ma trận phân quyền xử lý');
      return authority.set(rules);
    },
  };
}
