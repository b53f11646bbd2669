/**
 * Issue #6 API methods: `citizen.find`, `citizen.view` (by ID number or by a raw CCCD scan, checked
 * again here: the core never trusts the renderer's parse), `search.query`. Refused to the IT role
 * (personal data is for the counter officials and supervisors).
 */
import type Database from 'better-sqlite3';
import { parseCccdQr } from '../../shared/citizen';
import { ApiFailure, type ApiHandlers } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { WorkCalendar } from '../deadline';
import { calendarDeadlinePolicy } from '../queue/deadline.policy';
import type { QueueService } from '../queue/queue.service';
import { CitizenService } from './citizen.service';
import { SearchService } from './search.service';

export interface CitizenHandlerDeps {
  db: Database.Database;
  queue: QueueService;
  audit: AuditLog;
  calendar: WorkCalendar;
  now: () => number;
  actor: { username: string };
  /** Citizens' personal data is for the counter: officials and supervisors, not IT staff. */
  role: string;
}

export function citizenHandlers(deps: CitizenHandlerDeps): Pick<ApiHandlers, 'citizen.find' | 'citizen.view' | 'search.query'> {
  const citizens = new CitizenService({ db: deps.db, queue: deps.queue, audit: deps.audit, now: deps.now, actor: deps.actor });
  const search = new SearchService({ db: deps.db, queue: deps.queue, deadlines: calendarDeadlinePolicy(deps.calendar), now: deps.now });
  const allowed = (): void => {
    if (deps.role === 'it') throw new ApiFailure('unauthorized', 'Tài khoản cán bộ CNTT không được xem dữ liệu cá nhân của công dân.');
  };
  return {
    'citizen.find': ({ q }) => {
      allowed();
      return citizens.find(q);
    },
    'citizen.view': ({ idNumber, scan }) => {
      allowed();
      if (scan !== undefined) {
        const parsed = parseCccdQr(scan, deps.now());
        if (!parsed.ok) throw new ApiFailure('invalid_input', parsed.message, [`scan:${parsed.code}`]);
        return citizens.view(parsed.card.idNumber, parsed.card);
      }
      if (idNumber === undefined) throw new ApiFailure('invalid_input', 'Cần số định danh hoặc mã QR đã quét.');
      return citizens.view(idNumber);
    },
    'search.query': (filter) => {
      allowed();
      return search.search(filter);
    },
  };
}
