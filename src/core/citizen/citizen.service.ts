/**
 * Citizens (issue #6): who a person is according to the cache, and everything of theirs on one
 * timeline.
 *
 * - `find(q)`: a 9/12-digit ID number → that citizen; a phone number → its holders; a name with a
 *   birth year ("nguyen van duc 1984") → folded-name prefix + year; a name alone → folded-name prefix.
 *   All index probes (migration 008: primary key, citizens_name_year, citizens_phone).
 * - `view(id, scanned?)`: the citizen with per-field provenance, and the timeline: the dossiers they
 *   applied for (items.citizen_id), the mails citing their ID number or one of those dossiers
 *   (item_links), and the documents those mails cite. Each opening is written to the audit trail
 *   (privacy); a scanned card is stored (`scan_*`) before the view is built, so it shows as the source
 *   of the prefilled fields.
 */
import type Database from 'better-sqlite3';
import { cccdFacts, normalizePhone, type Citizen, type CitizenView, type Provenance, type ScannedCard, type TimelineEntry } from '../../shared/citizen';
import { foldVietnamese, searchWords } from '../../shared/text';
import type { WorkItem } from '../../shared/work-item';
import type { AuditLog } from '../audit/audit.log';
import type { QueueService } from '../queue/queue.service';

export const CITIZEN_FIND_LIMIT = 50;
/** A person with more than this many items shows the newest ones (bounded view). */
export const TIMELINE_LIMIT = 300;

interface CitizenRow {
  id_number: string;
  full_name: string;
  birth_year: number | null;
  sex: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  source_item_id: string | null;
  source_ref: string | null;
  source_at: number;
  scan_full_name: string | null;
  scan_birth_date: string | null;
  scan_sex: string | null;
  scan_address: string | null;
  scanned_at: number | null;
  updated_at: number;
}

export interface CitizenServiceDeps {
  db: Database.Database;
  queue: QueueService;
  audit: AuditLog;
  now: () => number;
  actor: { username: string };
}

const sexOf = (v: string | null): 'male' | 'female' | null => (v === 'male' || v === 'female' ? v : null);

export class CitizenService {
  private readonly byId: Database.Statement<[string], CitizenRow>;
  private readonly byPhone: Database.Statement<[string, number], CitizenRow>;
  private readonly byNameYear: Database.Statement<[string, string, number, number], CitizenRow>;
  private readonly byName: Database.Statement<[string, string, number], CitizenRow>;
  private readonly countDossiers: Database.Statement<[string], { n: number }>;
  private readonly dossiersOf: Database.Statement<[string, number], { id: string }>;
  private readonly mailsCiting: Database.Statement<[string, string, number], { from_id: string; to_id: string | null }>;
  private readonly linksFrom: Database.Statement<[string], { to_id: string; kind: string }>;
  private readonly saveScan: Database.Statement<{
    idNumber: string;
    fullName: string;
    nameFolded: string;
    birthYear: number;
    sex: string;
    birthDate: string;
    address: string;
    oldId: string | null;
    at: number;
  }>;

  constructor(private readonly deps: CitizenServiceDeps) {
    const { db } = deps;
    const cols = `id_number, full_name, birth_year, sex, address, phone, email, source_item_id, source_ref, source_at,
      scan_full_name, scan_birth_date, scan_sex, scan_address, scanned_at, updated_at`;
    this.byId = db.prepare(`SELECT ${cols} FROM citizens WHERE id_number = ?`);
    this.byPhone = db.prepare(`SELECT ${cols} FROM citizens INDEXED BY citizens_phone WHERE phone = ? LIMIT ?`);
    // Prefix range on the folded name (the upper bound is the prefix + U+FFFF).
    this.byNameYear = db.prepare(`SELECT ${cols} FROM citizens INDEXED BY citizens_name_year
      WHERE name_folded >= ? AND name_folded < ? AND birth_year = ? LIMIT ?`);
    this.byName = db.prepare(`SELECT ${cols} FROM citizens INDEXED BY citizens_name_year
      WHERE name_folded >= ? AND name_folded < ? LIMIT ?`);
    this.countDossiers = db.prepare(`SELECT COUNT(*) AS n FROM items INDEXED BY items_citizen
      WHERE citizen_id = ? AND source = 'procedure'`);
    this.dossiersOf = db.prepare(`SELECT id FROM items INDEXED BY items_citizen
      WHERE citizen_id = ? AND source = 'procedure' ORDER BY updated_at DESC LIMIT ?`);
    // Mails citing the ID number, or any of the person's dossiers (json array of ids).
    this.mailsCiting = db.prepare(`SELECT from_id, to_id FROM item_links INDEXED BY item_links_value
        WHERE kind = 'citizen' AND value_key = ? AND removed_at IS NULL
      UNION
      SELECT from_id, to_id FROM item_links INDEXED BY item_links_to
        WHERE to_id IN (SELECT value FROM json_each(?)) AND removed_at IS NULL
      LIMIT ?`);
    this.linksFrom = db.prepare(`SELECT to_id, kind FROM item_links
      WHERE from_id = ? AND to_id IS NOT NULL AND removed_at IS NULL`);
    this.saveScan = db.prepare(`INSERT INTO citizens (id_number, full_name, name_folded, birth_year, sex, source_at,
        scan_full_name, scan_birth_date, scan_sex, scan_address, scan_old_id, scanned_at, updated_at)
      VALUES (@idNumber, @fullName, @nameFolded, @birthYear, @sex, 0, @fullName, @birthDate, @sex, @address, @oldId, @at, @at)
      ON CONFLICT (id_number) DO UPDATE SET scan_full_name = excluded.scan_full_name,
        scan_birth_date = excluded.scan_birth_date, scan_sex = excluded.scan_sex, scan_address = excluded.scan_address,
        scan_old_id = excluded.scan_old_id, scanned_at = excluded.scanned_at, updated_at = excluded.updated_at,
        birth_year = COALESCE(citizens.birth_year, excluded.birth_year), sex = COALESCE(citizens.sex, excluded.sex)`);
  }

  /** Find people by ID number, phone, name + birth year, or name. */
  find(q: string): { by: 'id' | 'phone' | 'name_year' | 'name'; citizens: Citizen[] } {
    const text = q.normalize('NFC').trim();
    const compact = text.replace(/[\s.-]/g, '');
    if (/^(\d{9}|\d{12})$/.test(compact)) {
      const row = this.byId.get(compact);
      if (row || compact.length === 12) return { by: 'id', citizens: row ? [this.toCitizen(row)] : [] };
      // 9 digits: an old CMND number, else maybe nothing (phones have 10 digits).
      return { by: 'id', citizens: [] };
    }
    if (/^\+?\d{10,11}$/.test(compact)) {
      return { by: 'phone', citizens: this.byPhone.all(normalizePhone(compact), CITIZEN_FIND_LIMIT).map((r) => this.toCitizen(r)) };
    }
    const yearMatch = /(?:^|\s)((?:19|20)\d{2})(?:\s|$)/.exec(text);
    const nameText = yearMatch ? text.replace(yearMatch[1] ?? '', ' ') : text;
    const words = searchWords(nameText);
    if (words.length === 0) return { by: 'name', citizens: [] };
    const prefix = words.join(' ');
    const upper = `${prefix}\uffff`;
    if (yearMatch) {
      const rows = this.byNameYear.all(prefix, upper, Number(yearMatch[1]), CITIZEN_FIND_LIMIT);
      return { by: 'name_year', citizens: rows.map((r) => this.toCitizen(r)) };
    }
    return { by: 'name', citizens: this.byName.all(prefix, upper, CITIZEN_FIND_LIMIT).map((r) => this.toCitizen(r)) };
  }

  /** Store what a scanned card says (the counter's source of truth for name, birth date, sex, address). */
  recordScan(card: ScannedCard): void {
    this.saveScan.run({
      idNumber: card.idNumber,
      fullName: card.fullName,
      nameFolded: foldVietnamese(card.fullName).replace(/\s+/g, ' ').trim(),
      birthYear: Number(card.birthDate.slice(0, 4)),
      sex: card.sex,
      birthDate: card.birthDate,
      address: card.address,
      oldId: card.oldIdNumber,
      at: this.deps.now(),
    });
  }

  /** The citizen view; every call is an audit entry. */
  view(idNumber: string, scanned?: ScannedCard): CitizenView {
    const { db, queue, audit, now, actor } = this.deps;
    if (scanned && scanned.idNumber !== idNumber) {
      throw new Error('The scanned card is not the one asked for');
    }
    return db.transaction((): CitizenView => {
      if (scanned) this.recordScan(scanned);
      const at = now();
      const row = this.byId.get(idNumber);
      const citizen = row ? this.toCitizen(row) : null;
      const timeline = this.timeline(idNumber, at, queue);
      audit.append({
        actor: actor.username,
        kind: 'action',
        summary: `Mở hồ sơ công dân ${idNumber}${scanned ? ' (quét CCCD)' : ''}`,
        data: { type: 'citizen.view', idNumber, scanned: scanned !== undefined, items: timeline.length },
      });
      return { citizen, idNumber, timeline };
    })();
  }

  private timeline(idNumber: string, at: number, queue: QueueService): TimelineEntry[] {
    const entries = new Map<string, { item: WorkItem; via: TimelineEntry['via']; links: Set<string> }>();
    const add = (id: string, via: TimelineEntry['via']): boolean => {
      if (entries.has(id) || entries.size >= TIMELINE_LIMIT) return entries.has(id);
      const item = queue.getItem(id, at);
      if (!item) return false;
      entries.set(id, { item, via, links: new Set() });
      return true;
    };
    const link = (a: string, b: string): void => {
      entries.get(a)?.links.add(b);
      entries.get(b)?.links.add(a);
    };
    const dossierIds = this.dossiersOf.all(idNumber, TIMELINE_LIMIT).map((r) => r.id);
    for (const id of dossierIds) add(id, 'applicant');
    const mails = this.mailsCiting.all(idNumber, JSON.stringify(dossierIds), TIMELINE_LIMIT);
    for (const m of mails) {
      const via = m.to_id !== null && dossierIds.includes(m.to_id) ? 'cites_dossier' : 'cites_id';
      if (!add(m.from_id, via)) continue;
      if (m.to_id !== null) link(m.from_id, m.to_id);
      for (const l of this.linksFrom.all(m.from_id)) {
        if (l.kind === 'document' && add(l.to_id, 'linked')) link(m.from_id, l.to_id);
        else if (entries.has(l.to_id)) link(m.from_id, l.to_id);
      }
    }
    return [...entries.values()]
      .map((e) => ({ item: e.item, at: e.item.receivedAt, via: e.via, linkedIds: [...e.links].sort() }))
      .sort((a, b) => b.at - a.at || a.item.id.localeCompare(b.item.id));
  }

  private toCitizen(row: CitizenRow): Citizen {
    const provenance: Record<string, Provenance> = {};
    const fromDossier: Provenance | null =
      row.source_item_id !== null ? { kind: 'dossier', ref: row.source_ref, itemId: row.source_item_id, at: row.source_at } : null;
    const fromScan: Provenance | null = row.scanned_at !== null ? { kind: 'scan', ref: null, itemId: null, at: row.scanned_at } : null;
    const fromId: Provenance = { kind: 'id', ref: null, itemId: null, at: row.updated_at };
    const pick = <T>(field: string, scanValue: T | null, dossierValue: T | null, idValue: T | null = null): T | null => {
      if (scanValue !== null && fromScan) {
        provenance[field] = fromScan;
        return scanValue;
      }
      if (dossierValue !== null && fromDossier) {
        provenance[field] = fromDossier;
        return dossierValue;
      }
      if (idValue !== null) {
        provenance[field] = fromId;
        return idValue;
      }
      return null;
    };
    const facts = cccdFacts(row.id_number);
    provenance['idNumber'] = fromScan ?? fromDossier ?? fromId;
    const fullName = pick('fullName', row.scan_full_name, row.full_name) ?? row.full_name;
    const birthDate = pick('birthDate', row.scan_birth_date, null);
    const birthYear = birthDate !== null ? Number(birthDate.slice(0, 4)) : (facts?.birthYear ?? row.birth_year);
    if (birthDate === null && birthYear !== null) provenance['birthYear'] = fromId;
    else if (birthDate !== null && fromScan) provenance['birthYear'] = fromScan;
    return {
      idNumber: row.id_number,
      fullName,
      birthYear,
      birthDate,
      sex: sexOf(pick('sex', row.scan_sex, null, facts?.sex ?? row.sex)),
      address: pick('address', row.scan_address, row.address),
      phone: pick('phone', null, row.phone),
      email: pick('email', null, row.email),
      provenance,
      dossierCount: this.countDossiers.get(row.id_number)?.n ?? 0,
      updatedAt: row.updated_at,
    };
  }
}
