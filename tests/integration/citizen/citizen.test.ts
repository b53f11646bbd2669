/**
 * Issue #6 end to end under Node: the training sandbox over HTTP (procedure system, document gateway)
 * and its mailbox over real IMAP → the real core and a temp SQLite cache. Checked against the
 * sandbox's own ground truth: citizen lookups by ID, phone and name + birth year find the person's
 * dossiers and the mails citing them; a scan becomes the provenance of the prefilled fields; invalid
 * scans are refused in Vietnamese; every opening is audited; search ignores diacritics and đ, groups by
 * citizen and case, finds the text inside a PDF attachment once it was downloaded, and never breaks
 * on FTS syntax.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { DossierJson } from '../../../src/sandbox/data-generator';
import type { AuditEntry, BackendStatus, Envelope } from '../../../src/shared/api';
import type { CitizenView, SearchOutput } from '../../../src/shared/citizen';
import { cccdFacts, normalizePhone } from '../../../src/shared/citizen';
import { foldVietnamese } from '../../../src/shared/text';
import type { WorkItem } from '../../../src/shared/work-item';
import { ok } from '../../support/envelope';

const WAIT = { timeout: 30_000, interval: 50 };
const P = 'training-procedure';

let sandbox: TrainingSandbox;
let core: Core;
let dataDir: string;
let truth: DossierJson[];

type FindOut = { by: string; citizens: { idNumber: string; fullName: string; phone: string | null; provenance: Record<string, { kind: string }> }[] };

async function listAll(source: string): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = ok<{ items: WorkItem[]; hasMore: boolean }>(
      await core.handle('queue.list', { filter: { includeClosed: true, sources: [source] }, offset, limit: 500 }),
    );
    items.push(...page.items);
    if (!page.hasMore) return items;
  }
}

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 606, days: 15, streamIntervalMs: 0 });
  truth = sandbox.dossiers();
  dataDir = mkdtempSync(join(tmpdir(), 'cw-citizen-it-'));
  const imapPort = sandbox.imapPort;
  const smtpPort = sandbox.smtpPort;
  if (imapPort === null || smtpPort === null) throw new Error('the training mailbox did not start');
  core = await createCore({
    dataDir,
    config: trainingConfig({
      procedureUrl: sandbox.procedureUrl,
      documentUrl: sandbox.documentUrl,
      credentials: sandbox.credentials,
      pollIntervalMs: 600_000,
      mail: { imapPort, smtpPort },
    }),
    backoff: { baseMs: 50, maxMs: 200 },
  });
  core.start();
  await vi.waitFor(async () => {
    const statuses = ok<BackendStatus[]>(await core.handle('backends.list', {}));
    expect(statuses.every((b) => b.state === 'online' && b.lastSyncAt !== null)).toBe(true);
  }, WAIT);
}, 60_000);

afterAll(async () => {
  await core?.close();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Citizens of the sandbox (personal applicants) with their dossier codes, by ID number. */
function citizensOfTruth(): Map<string, { name: string; phone: string; codes: Set<string> }> {
  const out = new Map<string, { name: string; phone: string; codes: Set<string> }>();
  for (const d of truth) {
    if (d.LoaiDoiTuong !== 1) continue;
    const entry = out.get(d.SoGiayToChuHoSo) ?? { name: d.ChuHoSo, phone: d.SoDienThoai, codes: new Set<string>() };
    entry.codes.add(d.MaHoSo);
    out.set(d.SoGiayToChuHoSo, entry);
  }
  return out;
}

async function view(input: Record<string, unknown>): Promise<CitizenView> {
  return ok<CitizenView>(await core.handle('citizen.view', input));
}

describe('citizen lookups against the sandbox', () => {
  it('finds a citizen by ID number, with every one of their dossiers on the timeline', async () => {
    const people = citizensOfTruth();
    // The person with the most dossiers (a CCCD holder), so the timeline has several.
    const [id, person] = [...people].filter(([k]) => k.length === 12).sort((a, b) => b[1].codes.size - a[1].codes.size)[0] ?? [];
    if (id === undefined || person === undefined) throw new Error('sandbox has no citizen');
    const found = ok<FindOut>(await core.handle('citizen.find', { q: id }));
    expect(found.by).toBe('id');
    expect(found.citizens.map((c) => c.idNumber)).toEqual([id]);
    expect(found.citizens[0]?.fullName).toBe(person.name);
    expect(found.citizens[0]?.provenance['fullName']?.kind).toBe('dossier');

    const v = await view({ idNumber: id });
    const dossierRefs = v.timeline.filter((e) => e.item.source === 'procedure').map((e) => e.item.ref);
    expect(new Set(dossierRefs)).toEqual(person.codes);
    // Newest first.
    const ats = v.timeline.map((e) => e.at);
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
  });

  it('finds by phone number (any spelling) and by name with birth year', async () => {
    const people = citizensOfTruth();
    const [id, person] = [...people].find(([k]) => k.length === 12) ?? [];
    if (id === undefined || person === undefined) throw new Error('sandbox has no citizen');
    const phone = normalizePhone(person.phone);
    const spaced = `+84 ${phone.slice(1, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
    const byPhone = ok<FindOut>(await core.handle('citizen.find', { q: spaced }));
    expect(byPhone.by).toBe('phone');
    expect(byPhone.citizens.map((c) => c.idNumber)).toContain(id);
    for (const c of byPhone.citizens) expect(c.phone).toBe(phone);

    const year = cccdFacts(id)?.birthYear;
    const byName = ok<FindOut>(await core.handle('citizen.find', { q: `${foldVietnamese(person.name)} ${year}` }));
    expect(byName.by).toBe('name_year');
    expect(byName.citizens.map((c) => c.idNumber)).toContain(id);
    for (const c of byName.citizens) expect(foldVietnamese(c.fullName).startsWith(foldVietnamese(person.name))).toBe(true);

    // The wrong year finds nobody of that ID.
    const wrongYear = ok<FindOut>(await core.handle('citizen.find', { q: `${person.name} ${(year ?? 1990) + 1}` }));
    expect(wrongYear.citizens.map((c) => c.idNumber)).not.toContain(id);
  });

  it('puts on the timeline exactly the mails that cite the person or their dossiers, linked to them', async () => {
    const mails = await listAll('mail');
    // Every mail citing a citizen ID (links computed by the mail sync).
    const citing = mails.flatMap((m) => core.linksOf(m.id).outgoing.filter((l) => l.kind === 'citizen').map((l) => ({ mail: m.id, id: l.value })));
    expect(citing.length).toBeGreaterThan(0);
    const id = citing[0]?.id ?? '';
    const v = await view({ idNumber: id });
    const dossierIds = new Set(v.timeline.filter((e) => e.item.source === 'procedure').map((e) => e.item.id));
    const expected = mails
      .filter((m) => core.linksOf(m.id).outgoing.some((l) => (l.kind === 'citizen' && l.value === id) || (l.toId !== null && dossierIds.has(l.toId))))
      .map((m) => m.id)
      .sort();
    expect(expected).toContain(citing[0]?.mail);
    const onTimeline = v.timeline.filter((e) => e.item.source === 'mail');
    expect(onTimeline.map((e) => e.item.id).sort()).toEqual(expected);
    // A mail citing one of the dossiers is linked to it on the timeline.
    for (const e of onTimeline) {
      const cited = core.linksOf(e.item.id).outgoing.filter((l) => l.toId !== null && dossierIds.has(l.toId)).map((l) => l.toId);
      for (const d of cited) expect(e.linkedIds).toContain(d);
    }
  });

  it('records every opening in the audit trail', async () => {
    const id = [...citizensOfTruth().keys()][0] ?? '';
    await view({ idNumber: id });
    const audit = ok<{ entries: AuditEntry[] }>(await core.handle('audit.list', { limit: 20 }));
    const entry = audit.entries.find((e) => e.data['type'] === 'citizen.view' && e.data['idNumber'] === id);
    expect(entry?.summary).toContain(id);
  });
});

describe('counter scans', () => {
  it('opens the view from a scan and shows the card as the source of the prefilled fields', async () => {
    const [id, person] = [...citizensOfTruth()].find(([k]) => k.length === 12 && cccdFacts(k) !== null) ?? [];
    if (id === undefined || person === undefined) throw new Error('sandbox has no CCCD holder');
    const facts = cccdFacts(id);
    const scan = `${id}||${person.name}|1506${facts?.birthYear}|${facts?.sex === 'male' ? 'Nam' : 'Nữ'}|Số 1 Đội Cấn, Ngọc Hà, Hà Nội|01072021`;
    const v = await view({ scan });
    expect(v.idNumber).toBe(id);
    expect(v.citizen?.birthDate).toBe(`${facts?.birthYear}-06-15`);
    expect(v.citizen?.provenance['birthDate']?.kind).toBe('scan');
    expect(v.citizen?.address).toBe('Số 1 Đội Cấn, Ngọc Hà, Hà Nội');
    expect(v.citizen?.provenance['address']?.kind).toBe('scan');
    // The phone is not on the card: it still comes from the newest dossier.
    expect(v.citizen?.provenance['phone']?.kind).toBe('dossier');
  });

  it('refuses invalid and partial scans with a Vietnamese message and stores nothing', async () => {
    const partial = (await core.handle('citizen.view', { scan: '001084000999||Nguyễn Văn' })) as Envelope<unknown>;
    expect(partial.ok).toBe(false);
    if (!partial.ok) {
      expect(partial.error.code).toBe('invalid_input');
      expect(partial.error.message).toMatch(/chưa đủ/);
    }
    const wrongSex = (await core.handle('citizen.view', { scan: '001184000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021' })) as Envelope<unknown>;
    expect(wrongSex.ok).toBe(false);
    const found = ok<FindOut>(await core.handle('citizen.find', { q: '001184000999' }));
    expect(found.citizens).toEqual([]);
  });
});

describe('unified search', () => {
  it('ignores diacritics and folds đ, and groups dossier hits by their applicant and case', async () => {
    const d = truth.find((x) => x.LoaiDoiTuong === 1 && /đ|Đ/.test(x.ChuHoSo)) ?? truth[0];
    if (!d) throw new Error('no dossier');
    const withMarks = ok<SearchOutput>(await core.handle('search.query', { q: d.ChuHoSo, limit: 500 }));
    const folded = ok<SearchOutput>(await core.handle('search.query', { q: foldVietnamese(d.ChuHoSo), limit: 500 }));
    const ids = (o: SearchOutput): string[] => o.groups.flatMap((g) => g.hits.map((h) => h.item.id)).sort();
    expect(ids(folded)).toEqual(ids(withMarks));
    expect(ids(withMarks)).toContain(`${P}:${d.MaHoSo}`);
    const group = withMarks.groups.find((g) => g.hits.some((h) => h.item.id === `${P}:${d.MaHoSo}`));
    expect(group?.caseRef).toBe(d.MaHoSo);
    expect(group?.citizenId).toBe(d.SoGiayToChuHoSo);
  });

  it('finds by the start of the last word (whole words first, then the prefix)', async () => {
    const d = truth.find((x) => x.LoaiDoiTuong === 1 && [...(foldVietnamese(x.ChuHoSo).split(' ').at(-1) ?? '')].length >= 5);
    if (!d) throw new Error('no applicant with a long given name');
    const words = foldVietnamese(d.ChuHoSo).split(' ');
    const q = [...words.slice(0, -1), (words.at(-1) ?? '').slice(0, 4)].join(' ');
    const out = ok<SearchOutput>(await core.handle('search.query', { q, sources: ['procedure'], limit: 500 }));
    expect(out.groups.flatMap((g) => g.hits.map((h) => h.item.id))).toContain(`${P}:${d.MaHoSo}`);
  });

  it('applies the source filter and the received-date range', async () => {
    const d = truth[Math.floor(truth.length / 2)];
    if (!d) throw new Error('no dossier');
    const word = d.ChuHoSo.split(' ')[0] ?? 'Nguyễn';
    const out = ok<SearchOutput>(await core.handle('search.query', { q: word, sources: ['mail'], limit: 500 }));
    for (const g of out.groups) for (const h of g.hits) expect(h.item.source).toBe('mail');
    const all = ok<SearchOutput>(await core.handle('search.query', { q: word, limit: 500 }));
    const times = all.groups.flatMap((g) => g.hits.map((h) => h.item.receivedAt)).sort((a, b) => a - b);
    const mid = times[Math.floor(times.length / 2)] ?? 0;
    const late = ok<SearchOutput>(await core.handle('search.query', { q: word, from: mid, limit: 500 }));
    const lateTimes = late.groups.flatMap((g) => g.hits.map((h) => h.item.receivedAt));
    expect(lateTimes.length).toBeGreaterThan(0);
    for (const t of lateTimes) expect(t).toBeGreaterThanOrEqual(mid);
  });

  it('never breaks on FTS syntax', async () => {
    const hostile = ['"', '""', '"nguyen', 'nguyen"*', '(', ')', 'a OR b', 'NEAR(a b)', 'NEAR/2', '*', '^nguyen', 'title:abc', 'search_folded:x',
      '- nguyen', 'AND', 'a AND', '{a b}', '\u0000', "'; DROP TABLE items; --", 'đ*^"()', '+', ':'];
    for (const q of hostile) {
      const r = (await core.handle('search.query', { q })) as Envelope<SearchOutput>;
      expect(r.ok, q).toBe(true);
    }
  });

  it('finds words inside a PDF attachment once it was downloaded, and says the hit is in the attachment', async () => {
    const mails = await listAll('mail');
    const mail = mails.find((m) => m.title.includes('CMND') || m.title.includes('giấy tờ'));
    const bodyIds = mails.map((m) => m.id);
    // A mail with a PDF attachment: read its body to learn the attachments.
    let target: { id: string; filename: string } | null = null;
    for (const id of [mail?.id, ...bodyIds].filter((x): x is string => typeof x === 'string')) {
      const body = ok<{ attachments: { index: number; filename: string | null; contentType: string }[] }>(await core.handle('mail.body', { itemId: id }));
      const pdf = body.attachments.find((a) => a.contentType === 'application/pdf');
      if (pdf) {
        target = { id, filename: pdf.filename ?? '' };
        const opened = await core.openAttachment(id, pdf.index);
        for await (const chunk of opened.stream) void chunk;
        break;
      }
    }
    if (!target) throw new Error('the training mailbox has no PDF attachment');
    // The sandbox's tiny PDFs print their title: "Ban sao CMND <number>", or the file name ("7816-VPCP").
    const q = /cmnd/i.test(target.filename) ? 'ban sao cmnd' : target.filename.replace(/\.pdf$/i, '');
    await vi.waitFor(async () => {
      const out = ok<SearchOutput>(await core.handle('search.query', { q, sources: ['mail'], limit: 500 }));
      const hit = out.groups.flatMap((g) => g.hits).find((h) => h.item.id === target?.id && h.inAttachment !== null);
      expect(hit?.inAttachment).toBe(target?.filename);
    }, WAIT);
  });
});
