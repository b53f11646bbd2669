/**
 * Issue #5: the authority matrix — which official may handle which procedure (TenTTHC) or document
 * type, stored in SQLite (`authority`, migration 007). A subject without rules is unrestricted; an
 * open item whose handler is not among its subject's officials is flagged (dashboard + queue row).
 * `set` replaces the matrix and writes its audit entry in the same transaction.
 */
import type Database from 'better-sqlite3';
import { ApiFailure } from '../api/api.dispatcher';
import type { AuditLog } from '../audit/audit.log';
import type { AuthorityMatrix, AuthorityRule } from '../../shared/dashboard';
import type { CoreEvent } from '../../shared/api';
import type { DashboardService } from './dashboard.service';

export interface AuthorityDeps {
  db: Database.Database;
  audit: AuditLog;
  dashboard: DashboardService;
  actor: string;
  emit: (event: CoreEvent) => void;
}

const ruleKey = (r: AuthorityRule): string => `${r.source}\u0000${r.kind}\u0000${r.username}`;

export class AuthorityService {
  private readonly selectAll: Database.Statement<[], AuthorityRule>;

  constructor(private readonly deps: AuthorityDeps) {
    this.selectAll = deps.db.prepare('SELECT source, kind, username FROM authority ORDER BY source DESC, kind, username');
  }

  rules(): AuthorityRule[] {
    return this.selectAll.all();
  }

  get(): AuthorityMatrix {
    const choices = this.deps.dashboard.choices();
    return { rules: this.rules(), kinds: choices.kinds, officials: choices.officials };
  }

  set(rules: readonly AuthorityRule[]): AuthorityMatrix {
    const choices = this.deps.dashboard.choices();
    const officials = new Set(choices.officials.map((o) => o.username));
    const kinds = new Set(choices.kinds.map((k) => `${k.source}\u0000${k.kind}`));
    const problems: string[] = [];
    for (const r of rules) {
      if (!officials.has(r.username)) problems.push(`Không có cán bộ "${r.username}" trong danh sách cán bộ của đơn vị.`);
      if (!kinds.has(`${r.source}\u0000${r.kind}`)) {
        problems.push(`${r.source === 'procedure' ? 'Không có thủ tục' : 'Không có loại văn bản'} "${r.kind}" trong dữ liệu đã đồng bộ.`);
      }
    }
    if (problems.length > 0) {
      const unique = [...new Set(problems)];
      throw new ApiFailure('invalid_input', `Không lưu được ma trận phân quyền: ${unique[0]}${unique.length > 1 ? ` (và ${unique.length - 1} lỗi khác)` : ''}`, unique.slice(0, 20));
    }
    const next = new Map(rules.map((r) => [ruleKey(r), r]));
    const { db, audit, actor } = this.deps;
    db.transaction(() => {
      const before = new Map(this.rules().map((r) => [ruleKey(r), r]));
      const added = [...next.entries()].filter(([k]) => !before.has(k)).map(([, r]) => r);
      const removed = [...before.entries()].filter(([k]) => !next.has(k)).map(([, r]) => r);
      db.prepare('DELETE FROM authority').run();
      const insert = db.prepare<[string, string, string]>('INSERT INTO authority (source, kind, username) VALUES (?, ?, ?)');
      for (const r of next.values()) insert.run(r.source, r.kind, r.username);
      audit.append({
        actor,
        kind: 'config',
        summary: `Cập nhật ma trận phân quyền xử lý: ${next.size} quyền (thêm ${added.length}, bỏ ${removed.length})`,
        data: { total: next.size, added: added.slice(0, 200), removed: removed.slice(0, 200) },
      });
    })();
    // Flags change on every open item of the subjects touched: the queue and dashboard refresh.
    this.deps.emit({ type: 'items.changed', ids: [], more: true });
    return this.get();
  }
}
