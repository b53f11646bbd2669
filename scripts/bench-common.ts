/**
 * Helpers shared by the benchmark scripts (bench.ts, bench-mail.ts): percentiles, and the cache
 * seeding of sandbox dossiers/documents through the cache's own write path (QueueService.upsertBatch).
 */
import { spawnSync } from 'node:child_process';
import { type NormalizedRecord } from '../src/core/adapters/adapter';
import { parseEdxml } from '../src/core/adapters/edxml.parser';
import { validateDossier } from '../src/core/adapters/procedure.adapter';
import { TRAINING_DOCUMENT_BACKEND_ID, TRAINING_PROCEDURE_BACKEND_ID } from '../src/core/config/config.schema';
import { endOfDateInOffice, type WorkCalendar } from '../src/core/deadline';
import { type QueueService } from '../src/core/queue/queue.service';
import { toDocumentEntry, toDossierJson, type DocumentRecord, type DossierRecord } from '../src/sandbox/data-generator';
import { renderEdxml } from '../src/sandbox/edxml-render';

/**
 * Write back the page cache's dirty pages before a timed run (coreutils `sync`), so a measurement does
 * not pay for the disk writes of what ran before it (the seeded 200k cache, the last round's 175 MB
 * Maildir): without it mbsync's runs here varied 0.8–4.8 s with the writeback state.
 */
export function flushDisk(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Number((sorted[idx] ?? NaN).toFixed(2));
}

/** Documents are rendered to edXML and parsed by the real parser; a pool of parsed headers is reused for volume. */
export function documentRecord(calendar: WorkCalendar, doc: DocumentRecord, poolDetail: NormalizedRecord['detail']): NormalizedRecord {
  const entry = toDocumentEntry(doc);
  const detail = {
    ...poolDetail,
    documentId: doc.docId,
    codeNumber: doc.codeNumber,
    codeNotation: doc.codeNotation,
    subject: doc.subject,
    content: doc.content,
    priority: doc.priority,
  } as NormalizedRecord['detail'];
  return {
    source: 'document',
    externalId: doc.docId,
    ref: `${doc.codeNumber}/${doc.codeNotation}`,
    title: doc.subject,
    party: doc.sender.name,
    kind: doc.type.name,
    status: doc.status,
    receivedAt: doc.receivedAt,
    dueAt: doc.internalDueAt ?? (doc.dueDate ? endOfDateInOffice(calendar, doc.dueDate) : null),
    urgency: doc.priority,
    assignee: entry.Handler?.Username ?? null,
    assigneeName: entry.Handler?.FullName ?? null,
    updatedAt: doc.updatedAt,
    searchText: `${doc.signer.fullName} ${doc.sender.name}`,
    detail,
  };
}

/** Land dossiers and documents in the cache (5,000 a transaction) as the training backends' records. */
export function seedItems(queue: QueueService, calendar: WorkCalendar, dossiers: readonly DossierRecord[], docs: readonly DocumentRecord[]): number {
  let items = 0;
  for (let i = 0; i < dossiers.length; i += 5000) {
    const batch: NormalizedRecord[] = [];
    for (const d of dossiers.slice(i, i + 5000)) {
      const v = validateDossier(toDossierJson(d));
      if ('record' in v) batch.push(v.record);
    }
    queue.upsertBatch(TRAINING_PROCEDURE_BACKEND_ID, batch, [], null);
    items += batch.length;
  }
  const pool = docs.slice(0, 500).map((d) => parseEdxml(renderEdxml(d)));
  for (let i = 0; i < docs.length; i += 5000) {
    const batch = docs.slice(i, i + 5000).map((d, j) => documentRecord(calendar, d, pool[(i + j) % pool.length] as NormalizedRecord['detail']));
    queue.upsertBatch(TRAINING_DOCUMENT_BACKEND_ID, batch, [], null);
    items += batch.length;
  }
  return items;
}
