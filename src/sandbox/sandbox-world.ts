/**
 * The sandbox's live state shared by both servers: the generated dataset, keyset indexes for the
 * incremental listings, lookups by id, the status feedback log, and every change after start
 * (emitted items, the steady stream, posted status feedback).
 *
 * Keyset safety: every write gets a key strictly after the newest existing key of its kind, so an
 * incremental client paging by (update time, id) never misses a change made between two pages.
 */
import type { ItemActionKind } from '../shared/actions';
import type { DocumentStatusCode } from '../shared/domain';
import { OFFICIALS, type Official } from './commune-data';
import {
  advanceDocument, advanceDossier, createCounterDossier, createDocument, createDossier, generateDataset, isDocumentAdvanceable,
  isDossierAdvanceable, nextIncomingNumber, officialByUsername, toDocumentEntry, toDossierJson,
  type CounterDossierInput, type Dataset, type DocumentEntryJson, type DocumentRecord, type DossierJson, type DossierRecord, type GenerateOptions,
} from './data-generator';
import { KeysetIndex } from './keyset-index';
import { formatVnTimestamp, parseVnTimestamp } from './vn-time';

/** An official other than `notUser` (the leader by default), or `by` when named. */
function otherOfficial(notUser: string | null, by?: string): Official {
  const named = by ? officialByUsername(by) : undefined;
  if (named) return named;
  const pick = OFFICIALS.find((o) => o.role === 'leader' && o.username !== notUser) ?? OFFICIALS.find((o) => o.username !== notUser);
  return pick ?? (OFFICIALS[0] as Official);
}

export interface AssignmentInput {
  Lead: string;
  Cooperating: string[];
  ForInfo: string[];
  InternalDueDate?: string | undefined;
  Instruction?: string | undefined;
}

export interface StatusFeedbackInput {
  StatusCode: DocumentStatusCode;
  Description: string;
  Handler?: string | undefined;
  IncomingNumber?: string | undefined;
  /** yyyyMMddHHmmss (register). */
  IncomingDate?: string | undefined;
  Reason?: string | undefined;
  Assignment?: AssignmentInput | undefined;
}

/** One action the sandbox applied (ground truth for idempotency tests): each key at most once. */
export interface ActionLogEntry {
  key: string;
  system: ItemKind;
  /** MaHoSo / DocId. */
  id: string;
  action: ItemActionKind;
  /** Write time of the change (epoch ms). */
  at: number;
}

/** A reply draft started on the gateway (POST /edoc/replies). */
export interface ReplyDraftRecord {
  draftId: string;
  /** DocId of the original. */
  responseFor: string;
  subject: string;
  note: string | null;
  createdAt: number;
  /** Status of the original before / after the reply. */
  previousStatus: string;
  status: string;
}

export interface StatusFeedbackRecord extends StatusFeedbackInput {
  DocId: string;
  /** When the sandbox recorded it (epoch ms). */
  at: number;
  previousStatus: string;
}

/** The document as tests see it: listing entry plus the header fields of its edXML. */
export interface DocumentView extends DocumentEntryJson {
  From: { OrganId: string; OrganName: string };
  CodeNumber: string;
  CodeNotation: string;
  DocumentType: string;
  Subject: string;
  Priority: number;
  DueDate: string | null;
  Attachments: string[];
}

export type ItemKind = 'procedure' | 'document';

export class SandboxWorld {
  readonly dataset: Dataset;
  readonly dossierIndex: KeysetIndex<DossierRecord>;
  readonly documentIndex: KeysetIndex<DocumentRecord>;
  readonly dossierByCode = new Map<string, DossierRecord>();
  readonly documentById = new Map<string, DocumentRecord>();
  readonly feedback: StatusFeedbackRecord[] = [];
  readonly actions: ActionLogEntry[] = [];
  readonly replies: ReplyDraftRecord[] = [];

  constructor(options: GenerateOptions) {
    this.dataset = generateDataset(options);
    this.dossierIndex = new KeysetIndex(this.dataset.dossiers, (d) => d.updatedAt, (d) => d.code);
    this.documentIndex = new KeysetIndex(this.dataset.documents, (d) => d.updatedAt, (d) => d.docId);
    for (const d of this.dataset.dossiers) this.dossierByCode.set(d.code, d);
    for (const d of this.dataset.documents) this.documentById.set(d.docId, d);
  }

  // ---------------------------------------------------------------- write times

  /** A write instant for an item of the index: at `now`, but strictly after the newest key. */
  private writeTime<T>(index: KeysetIndex<T>, timeOf: (t: T) => number, idOf: (t: T) => string, now: number, id: string | null): number {
    const all = index.all();
    const last = all[all.length - 1];
    const t = Math.floor(now / 1000) * 1000;
    if (!last) return t;
    const lastTime = timeOf(last);
    if (t > lastTime) return t;
    // Same second as the newest key: fine only when our id sorts after it; otherwise one second later.
    if (t === lastTime && id !== null && id > idOf(last)) return t;
    return lastTime + 1000;
  }

  private dossierWriteTime(now: number, id: string | null): number {
    return this.writeTime(this.dossierIndex, (d) => d.updatedAt, (d) => d.code, now, id);
  }

  private documentWriteTime(now: number, id: string | null): number {
    return this.writeTime(this.documentIndex, (d) => d.updatedAt, (d) => d.docId, now, id);
  }

  // ---------------------------------------------------------------- creating and advancing

  emitDossiers(count: number, now: number): DossierRecord[] {
    const out: DossierRecord[] = [];
    for (let i = 0; i < count; i++) {
      const rec = createDossier(this.dataset, this.dossierWriteTime(now, null));
      this.dataset.dossiers.push(rec);
      this.dossierByCode.set(rec.code, rec);
      this.dossierIndex.insert(rec);
      out.push(rec);
    }
    return out;
  }

  /** Issue #6: a dossier registered at the counter through DongBoHoSoMC (see createCounterDossier). */
  registerDossier(input: CounterDossierInput, now: number): DossierRecord {
    const rec = createCounterDossier(this.dataset, this.dossierWriteTime(now, null), input);
    this.dataset.dossiers.push(rec);
    this.dossierByCode.set(rec.code, rec);
    this.dossierIndex.insert(rec);
    return rec;
  }

  emitDocuments(count: number, now: number): DocumentRecord[] {
    const out: DocumentRecord[] = [];
    for (let i = 0; i < count; i++) {
      const doc = createDocument(this.dataset, this.documentWriteTime(now, null));
      this.dataset.documents.push(doc);
      this.documentById.set(doc.docId, doc);
      this.documentIndex.insert(doc);
      out.push(doc);
    }
    return out;
  }

  emit(kind: ItemKind, count: number, now: number): string[] {
    return kind === 'procedure' ? this.emitDossiers(count, now).map((d) => d.code) : this.emitDocuments(count, now).map((d) => d.docId);
  }

  /** Advance one open dossier (recent ones first); returns its code or null. */
  advanceSomeDossier(now: number): string | null {
    const rec = this.pickOpen(this.dossierIndex.all(), isDossierAdvanceable);
    if (!rec) return null;
    this.advanceDossierRecord(rec, now);
    return rec.code;
  }

  advanceDossierRecord(rec: DossierRecord, now: number): boolean {
    let moved = false;
    const t = this.dossierWriteTime(now, rec.code);
    this.dossierIndex.update(rec, () => {
      moved = advanceDossier(this.dataset, rec, t);
    });
    return moved;
  }

  advanceSomeDocument(now: number): string | null {
    const doc = this.pickOpen(this.documentIndex.all(), isDocumentAdvanceable);
    if (!doc) return null;
    const t = this.documentWriteTime(now, doc.docId);
    this.documentIndex.update(doc, () => {
      advanceDocument(this.dataset, doc, t);
    });
    return doc.docId;
  }

  private pickOpen<T>(items: readonly T[], open: (t: T) => boolean): T | null {
    const rng = this.dataset.rng;
    const window = Math.min(items.length, 3000);
    for (let tries = 0; tries < 40 && window > 0; tries++) {
      const item = items[items.length - 1 - rng.int(0, window - 1)];
      if (item !== undefined && open(item)) return item;
    }
    return null;
  }

  /** One beat of the steady stream: a new item, and sometimes an existing one moves on. */
  tick(now: number): string[] {
    const rng = this.dataset.rng;
    const changed: string[] = [];
    if (rng.chance(0.7)) changed.push(...this.emit('procedure', 1, now));
    else changed.push(...this.emit('document', 1, now));
    if (rng.chance(0.5)) {
      const id = rng.chance(0.7) ? this.advanceSomeDossier(now) : this.advanceSomeDocument(now);
      if (id) changed.push(id);
    }
    return changed;
  }

  // ---------------------------------------------------------------- changes by actions

  /**
   * Change a dossier at a write time after the newest key (and after its own NgayCapNhat), keeping
   * the listing index sorted. `change` receives that time and must set `rec.updatedAt` to it (or leave it).
   */
  updateDossier(rec: DossierRecord, now: number, change: (t: number) => void): number {
    const t = Math.max(this.dossierWriteTime(now, rec.code), rec.updatedAt + 1000);
    this.dossierIndex.update(rec, () => {
      change(t);
      rec.updatedAt = t;
    });
    return t;
  }

  updateDocument(doc: DocumentRecord, now: number, change: (t: number) => void): number {
    const t = Math.max(this.documentWriteTime(now, doc.docId), doc.updatedAt + 1000);
    this.documentIndex.update(doc, () => {
      change(t);
      doc.updatedAt = t;
    });
    return t;
  }

  logAction(entry: ActionLogEntry): void {
    this.actions.push(entry);
  }

  /** Another official changes the dossier on the backend (a comment step, status unchanged). */
  touchDossier(rec: DossierRecord, now: number, by?: string, text?: string): void {
    const official = otherOfficial(rec.assignee?.username ?? null, by);
    this.updateDossier(rec, now, (t) => {
      const prev = rec.steps[rec.steps.length - 1];
      rec.steps.push({
        at: t,
        startedAt: prev ? prev.at : rec.submittedAt,
        dueAt: rec.dueAt,
        official,
        content: text ?? 'Ý kiến chỉ đạo: đề nghị khẩn trương giải quyết, báo cáo kết quả',
        status: rec.status,
      });
    });
  }

  /** Another official changes the document on the backend (a leader's note; status unchanged). */
  touchDocument(doc: DocumentRecord, now: number, by?: string, text?: string): void {
    const official = otherOfficial(doc.handler?.username ?? null, by);
    this.updateDocument(doc, now, (t) => {
      doc.notes = (doc.notes ?? []).concat({ at: t, by: official.username, text: text ?? 'Lãnh đạo bổ sung ý kiến chỉ đạo xử lý' });
    });
  }

  /** Record a reply draft for a document (its status change, if any, is the caller's feedback). */
  addReply(draft: Omit<ReplyDraftRecord, 'draftId'>): ReplyDraftRecord {
    const ymd = formatVnTimestamp(draft.createdAt).slice(0, 8);
    const seq = this.replies.filter((r) => r.draftId.startsWith(`DT-${ymd}-`)).length + 1;
    const record: ReplyDraftRecord = { draftId: `DT-${ymd}-${String(seq).padStart(4, '0')}`, ...draft };
    this.replies.push(record);
    return record;
  }

  // ---------------------------------------------------------------- status feedback

  /** Record status feedback for a document and bump its UpdatedAt. */
  applyFeedback(doc: DocumentRecord, input: StatusFeedbackInput, now: number): StatusFeedbackRecord {
    const t = this.documentWriteTime(now, doc.docId);
    const previousStatus = doc.status;
    this.documentIndex.update(doc, () => {
      doc.status = input.StatusCode;
      doc.updatedAt = Math.max(t, doc.updatedAt + 1000);
      // Handler is the official sending the feedback; only an assignment (04) makes someone the
      // document's handler (the Lead, or Handler when no Assignment is given); 05/06 name one only if none.
      const firstHandler = doc.handler === null && (input.StatusCode === '05' || input.StatusCode === '06');
      const lead = input.Assignment?.Lead ?? (input.StatusCode === '04' || firstHandler ? input.Handler : undefined);
      if (lead) {
        const official = officialByUsername(lead);
        doc.handler = { username: lead, fullName: official ? official.fullName : lead };
      }
      if (input.Assignment) {
        const a = input.Assignment;
        doc.assignment = { lead: a.Lead, cooperating: [...a.Cooperating], forInfo: [...a.ForInfo], instruction: a.Instruction ?? null };
        const internalDue = a.InternalDueDate ? parseVnTimestamp(a.InternalDueDate) : null;
        if (internalDue !== null) doc.internalDueAt = internalDue;
      }
      if (input.StatusCode === '02' && input.Reason) doc.refusalReason = input.Reason;
      const incomingDate = input.IncomingDate ? parseVnTimestamp(input.IncomingDate) : null;
      if (input.IncomingNumber) {
        doc.incomingNumber = input.IncomingNumber;
        doc.incomingDate = incomingDate ?? doc.incomingDate ?? t;
      } else if (input.StatusCode === '03' && doc.incomingNumber === null) {
        doc.incomingNumber = String(nextIncomingNumber(this.dataset.counters, t));
        doc.incomingDate = t;
      }
    });
    const record: StatusFeedbackRecord = { ...input, DocId: doc.docId, at: t, previousStatus };
    this.feedback.push(record);
    return record;
  }

  // ---------------------------------------------------------------- ground truth

  dossierJson(): DossierJson[] {
    return this.dossierIndex.all().map(toDossierJson);
  }

  documentViews(): DocumentView[] {
    return this.documentIndex.all().map((d) => ({
      ...toDocumentEntry(d),
      From: { OrganId: d.sender.id, OrganName: d.sender.name },
      CodeNumber: d.codeNumber,
      CodeNotation: d.codeNotation,
      DocumentType: d.type.name,
      Subject: d.subject,
      Priority: d.priority,
      DueDate: d.dueDate,
      Attachments: d.attachments.map((a) => a.name),
    }));
  }

  counts(): { dossiers: number; documents: number; dossiersByStatus: Record<string, number>; documentsByStatus: Record<string, number> } {
    const dossiersByStatus: Record<string, number> = {};
    for (const d of this.dossierIndex.all()) dossiersByStatus[d.status] = (dossiersByStatus[d.status] ?? 0) + 1;
    const documentsByStatus: Record<string, number> = {};
    for (const d of this.documentIndex.all()) documentsByStatus[d.status] = (documentsByStatus[d.status] ?? 0) + 1;
    return { dossiers: this.dossierIndex.length, documents: this.documentIndex.length, dossiersByStatus, documentsByStatus };
  }
}
