/**
 * Unified search (issue #6): dossiers, documents, mail and the text of mail attachments, with
 * filters (source, status, received date, SLA), results grouped by citizen and case.
 *
 * The words are folded like the indexes (no marks, đ → d) and each becomes a quoted term
 * (`unifiedMatch`, shared with the queue's search: whole words first, the last one as a prefix), so nothing typed
 * can become FTS5 syntax. Bound (as the queue search): each
 * index (records, attachment text) is read newest row first, at most SEARCH_CANDIDATE_LIMIT hits, the
 * filters applied in SQL as the hits stream, stopping at `limit + 1` matches; the two lists are merged
 * newest received first. `truncated`: there are more matches than shown (add words or filters).
 *
 * Grouping: a dossier belongs to its applicant's ID number and is its own case; a mail belongs to the
 * dossier it cites (case) and that dossier's applicant, else to the ID number it cites; a document
 * to the case of nothing, unless a mail in the results links it.
 */
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { SLA_STATES } from '../../shared/domain';
import type { SearchFilterSchema, SearchGroup, SearchOutput } from '../../shared/citizen';
import type { DeadlinePolicy } from '../queue/deadline.policy';
import { SEARCH_CANDIDATE_LIMIT, slaConditionSql, unifiedMatch, type QueueService } from '../queue/queue.service';

export type SearchFilterValue = z.output<typeof SearchFilterSchema>;

interface HitRow {
  id: string;
  source: string;
  ref: string;
  citizen_id: string | null;
  received_at: number;
  attachment: string | null;
}

export interface SearchServiceDeps {
  db: Database.Database;
  queue: QueueService;
  deadlines: DeadlinePolicy;
  now: () => number;
  candidateLimit?: number;
}

type Params = Record<string, string | number>;

export class SearchService {
  private readonly statements = new Map<string, Database.Statement<[Params], HitRow>>();
  private readonly linksOf: Database.Statement<[string], { from_id: string; kind: string; value_key: string; to_id: string | null }>;
  private readonly itemRefs: Database.Statement<[string], { id: string; ref: string; citizen_id: string | null }>;
  private readonly names: Database.Statement<[string], { id_number: string; name: string }>;
  private readonly limit: number;

  constructor(private readonly deps: SearchServiceDeps) {
    this.limit = deps.candidateLimit ?? SEARCH_CANDIDATE_LIMIT;
    this.linksOf = deps.db.prepare(`SELECT from_id, kind, value_key, to_id FROM item_links
      WHERE from_id IN (SELECT value FROM json_each(?)) AND removed_at IS NULL ORDER BY created_at`);
    this.itemRefs = deps.db.prepare('SELECT id, ref, citizen_id FROM items WHERE id IN (SELECT value FROM json_each(?))');
    this.names = deps.db.prepare(`SELECT id_number, COALESCE(scan_full_name, full_name) AS name FROM citizens
      WHERE id_number IN (SELECT value FROM json_each(?))`);
  }

  search(filter: SearchFilterValue): SearchOutput {
    const match = unifiedMatch(filter.q);
    if (match === null) return { groups: [], total: 0, truncated: false };
    const now = this.deps.now();
    const params: Params = { match: match.first, cand: this.limit, limit: filter.limit };
    const conditions: string[] = [];
    if (!filter.includeClosed) conditions.push('i.is_open = 1');
    const sources = filter.sources ? [...new Set(filter.sources)] : [];
    if (sources.length > 0) {
      conditions.push(`i.source IN (${sources.map((_, n) => `@source${n}`).join(', ')})`);
      sources.forEach((s, n) => (params[`source${n}`] = s));
    }
    const statuses = filter.statuses ? [...new Set(filter.statuses)] : [];
    if (statuses.length > 0) {
      conditions.push(`i.status IN (${statuses.map((_, n) => `@status${n}`).join(', ')})`);
      statuses.forEach((s, n) => (params[`status${n}`] = s));
    }
    if (filter.from !== undefined) {
      conditions.push('i.received_at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      conditions.push('i.received_at <= @to');
      params.to = filter.to;
    }
    const sla = filter.sla ? SLA_STATES.filter((s) => filter.sla?.includes(s)) : [];
    if (sla.length > 0 && sla.length < SLA_STATES.length) {
      conditions.push(slaConditionSql(sla));
      const b = this.deps.deadlines.boundaries(now);
      params.slaNow = b.now;
      params.slaEndOfToday = b.endOfToday;
      params.slaEndOfNextWorkingDay = b.endOfNextWorkingDay;
    }
    const where = conditions.length > 0 ? ` AND ${conditions.join(' AND ')}` : '';
    params.limit = filter.limit + 1;
    const cols = 'i.id, i.source, i.ref, i.citizen_id, i.received_at';
    // Each bounded hit list (newest rows first) stays the outer loop (CROSS JOIN) and is streamed: an
    // unfiltered search stops after `limit + 1` hits instead of sorting thousands.
    const recordSql = `SELECT ${cols}, NULL AS attachment FROM
        (SELECT rowid AS hit FROM items_fts WHERE items_fts MATCH @match ORDER BY rowid DESC LIMIT @cand) AS h
        CROSS JOIN items AS i ON i.rowid = h.hit WHERE 1${where} LIMIT @limit`;
    const attachmentSql = `SELECT ${cols}, a.filename AS attachment FROM
        (SELECT rowid AS hit FROM attachment_fts WHERE attachment_fts MATCH @match ORDER BY rowid DESC LIMIT @cand) AS h
        CROSS JOIN attachment_texts AS a ON a.rowid = h.hit
        CROSS JOIN items AS i ON i.id = a.item_id WHERE 1${where} LIMIT @limit`;
    let records = this.statement(recordSql).all(params);
    let attachments = this.statement(attachmentSql).all(params);
    if (match.fallback !== null && records.length + attachments.length <= filter.limit) {
      // The last word may be the start of a longer word ("nguy"): a prefix pass fills the page.
      params.match = match.fallback;
      records = this.statement(recordSql).all(params);
      attachments = this.statement(attachmentSql).all(params);
    }
    const truncated = records.length > filter.limit || attachments.length > filter.limit;
    const rows = [...records.slice(0, filter.limit), ...attachments.slice(0, filter.limit)];
    return { ...this.group(rows, now, filter.limit), truncated };
  }

  private statement(sql: string): Database.Statement<[Params], HitRow> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.deps.db.prepare<[Params], HitRow>(sql);
      if (this.statements.size > 100) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private group(rows: readonly HitRow[], now: number, limit: number): { groups: SearchGroup[]; total: number } {
    // One hit per item; `attachment` names the attachment the words were found in, if any. Newest first.
    const byId = new Map<string, HitRow>();
    for (const r of rows) {
      const seen = byId.get(r.id);
      if (!seen) byId.set(r.id, r);
      else if (seen.attachment === null && r.attachment !== null) byId.set(r.id, { ...seen, attachment: r.attachment });
    }
    const hits = [...byId.values()].sort((a, b) => b.received_at - a.received_at || a.id.localeCompare(b.id)).slice(0, limit);
    const mailIds = hits.filter((h) => h.source === 'mail').map((h) => h.id);
    const mailLinks = new Map<string, { dossier: string | null; citizen: string | null }>();
    const dossierIds = new Set<string>();
    if (mailIds.length > 0) {
      for (const l of this.linksOf.all(JSON.stringify(mailIds))) {
        const entry = mailLinks.get(l.from_id) ?? { dossier: null, citizen: null };
        if (l.kind === 'dossier' && l.to_id !== null && entry.dossier === null) {
          entry.dossier = l.to_id;
          dossierIds.add(l.to_id);
        }
        if (l.kind === 'citizen' && entry.citizen === null) entry.citizen = l.value_key;
        mailLinks.set(l.from_id, entry);
      }
    }
    const dossiers = new Map<string, { ref: string; citizen: string | null }>();
    if (dossierIds.size > 0) {
      for (const d of this.itemRefs.all(JSON.stringify([...dossierIds]))) dossiers.set(d.id, { ref: d.ref, citizen: d.citizen_id });
    }
    const groups = new Map<string, SearchGroup>();
    const citizenIds = new Set<string>();
    let total = 0;
    for (const h of hits) {
      let citizenId: string | null = null;
      let caseRef: string | null = null;
      if (h.source === 'procedure') {
        citizenId = h.citizen_id;
        caseRef = h.ref;
      } else if (h.source === 'mail') {
        const l = mailLinks.get(h.id);
        const d = l?.dossier ? dossiers.get(l.dossier) : undefined;
        caseRef = d?.ref ?? null;
        citizenId = d?.citizen ?? l?.citizen ?? null;
      }
      const item = this.deps.queue.getItem(h.id, now);
      if (!item) continue;
      const key = `${citizenId ?? ''}\u0000${caseRef ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = { citizenId, citizenName: null, caseRef, hits: [] };
        groups.set(key, group);
      }
      group.hits.push({ item, inAttachment: h.attachment });
      if (citizenId !== null) citizenIds.add(citizenId);
      total += 1;
    }
    if (citizenIds.size > 0) {
      const names = new Map(this.names.all(JSON.stringify([...citizenIds])).map((r) => [r.id_number, r.name]));
      for (const g of groups.values()) if (g.citizenId !== null) g.citizenName = names.get(g.citizenId) ?? null;
    }
    return { groups: [...groups.values()], total };
  }
}
