/**
 * Issue #6 benchmark: unified search and the citizen view on 1,000,000 records.
 *
 * A temp cache (encrypted like the app's, all migrations) is filled in one transaction with prepared
 * statements: mixed sources (≈60 % dossiers, 15 % incoming documents, 25 % mail), realistic Vietnamese
 * text from the sandbox's vocabulary (names by family-name share, procedures, senders, document types,
 * streets), valid CCCD numbers and phones, the citizens table, mail → dossier/citizen links, and
 * extracted attachment text on 3 % of the mails (through the FTS triggers, as the app writes them).
 * Then it measures through the real services (SearchService, CitizenService — the view includes its
 * audit entry): search p95 over Vietnamese queries with and without diacritics, citizen view p95, and
 * the size of the search indexes (dbstat) and of the file.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../src/core/audit/audit.log';
import { CitizenService } from '../src/core/citizen/citizen.service';
import { SearchService } from '../src/core/citizen/search.service';
import { openCacheDatabase } from '../src/core/db/cache.database';
import { keyFileCacheKey } from '../src/core/db/cache-key';
import { NO_DUE_KEY } from '../src/core/db/migrations/001-initial';
import { defaultCalendar, type WorkCalendar } from '../src/core/deadline';
import { calendarDeadlinePolicy } from '../src/core/queue/deadline.policy';
import { QueueService } from '../src/core/queue/queue.service';
import { SyncStateRepository } from '../src/core/sync/sync-state.repository';
import { DOC_TYPES, PROCEDURES, SENDERS, STREETS, SUPPLEMENT_REASONS } from '../src/sandbox/commune-data';
import { cccdNumber, personName, type Sex } from '../src/sandbox/data-generator';
import { Rng } from '../src/sandbox/prng';
import { SearchFilterSchema } from '../src/shared/citizen';
import { foldVietnamese, searchWords } from '../src/shared/text';
import { percentile } from './bench-common';

export interface SearchBenchResult {
  search_1m_records: number;
  search_1m_seed_s: number;
  search_1m_p50_ms: number;
  search_1m_p95_ms: number;
  search_1m_samples: number;
  search_1m_per_query_p95_ms: Record<string, number>;
  citizen_view_p50_ms: number;
  citizen_view_p95_ms: number;
  citizen_view_samples: number;
  citizen_find_p95_ms: number;
  search_index_mb: number | null;
  search_index_items_fts_mb: number | null;
  search_index_attachment_fts_mb: number | null;
  search_1m_db_mb: number;
}

const PHONE_PREFIXES = ['032', '033', '034', '035', '036', '037', '038', '039', '096', '097', '098', '081', '082', '083', '084', '085', '091', '094', '070', '076', '077', '078', '079', '090', '093'];
const SUBJECTS = [
  'triển khai công tác cải cách thủ tục hành chính năm 2026',
  'tăng cường công tác phòng cháy, chữa cháy khu dân cư',
  'hướng dẫn thực hiện Đề án 06 về dữ liệu dân cư',
  'kiểm tra việc chứng thực bản sao từ bản chính',
  'tổ chức Ngày Pháp luật Việt Nam',
  'rà soát hộ nghèo, hộ cận nghèo cuối năm',
  'báo cáo kết quả giải quyết hồ sơ đăng ký hộ tịch',
  'chỉnh trang đô thị và trật tự vỉa hè',
  'tiêm chủng mở rộng cho trẻ em dưới 5 tuổi',
  'thu thập, cập nhật dữ liệu đất đai',
];
const MAIL_SUBJECTS = ['Hỏi về tiến độ hồ sơ', 'Bổ sung giấy tờ cho hồ sơ', 'Xin hẹn lịch nhận kết quả', 'Đề nghị sửa thông tin trên giấy tờ', 'Gửi bản scan CCCD'];
const ATTACHMENT_TEXT = [
  'Tờ khai đăng ký khai sinh, họ tên người yêu cầu, nơi cư trú, giấy tờ tùy thân',
  'Giấy chứng sinh do bệnh viện Xanh Pôn cấp, cân nặng khi sinh',
  'Biên bản xác minh nơi cư trú, tổ dân phố, trưởng thôn xác nhận',
  'Hợp đồng chuyển nhượng quyền sử dụng đất, thửa đất số, tờ bản đồ số',
  'Đơn đề nghị cấp bản sao trích lục hộ tịch, lý do cấp lại',
];

interface Person {
  id: string;
  name: string;
  phone: string;
  birthYear: number;
  sex: Sex;
  address: string;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** The same folded distinct-word text the queue writes (searchTextOf). */
function folded(...parts: (string | null)[]): string {
  return [...new Set(searchWords(parts.filter(Boolean).join(' ')))].join(' ');
}

function seed(db: ReturnType<typeof openCacheDatabase>, records: number, now: number): { people: Person[]; dossierCodes: string[] } {
  const rng = new Rng(6006);
  const people: Person[] = [];
  const peopleCount = Math.max(1000, Math.round(records * 0.15));
  for (let i = 0; i < peopleCount; i++) {
    const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
    const birthYear = rng.int(1940, 2007);
    const id = cccdNumber(rng.chance(0.8) ? '001' : rng.pick(['031', '034', '036', '038', '040', '079']), sex, birthYear, pad(i, 6));
    people.push({
      id,
      name: personName(rng, sex),
      phone: `${rng.pick(PHONE_PREFIXES)}${pad(rng.int(0, 9_999_999), 7)}`,
      birthYear,
      sex,
      address: `Số ${rng.int(1, 200)} ${rng.pick(STREETS)}, phường Ngọc Hà, Hà Nội`,
    });
  }
  const item = db.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, party, kind, status, received_at,
      due_at, due_key, urgency, assignee, assignee_name, updated_at, is_open, clock_running, paused, search_folded, detail_json,
      ref_folded, citizen_id)
    VALUES (@id, @source, @backend, @ext, @ref, @title, @party, @kind, @status, @at, @due, @dueKey, 0, @assignee, NULL, @at,
      @open, @open, 0, @search, @detail, @refFolded, @citizen)`);
  const citizen = db.prepare(`INSERT INTO citizens (id_number, full_name, name_folded, birth_year, sex, address, phone, email,
      source_item_id, source_ref, source_at, updated_at)
    VALUES (@id, @name, @nameFolded, @year, @sex, @address, @phone, NULL, @itemId, @ref, @at, @at)
    ON CONFLICT (id_number) DO UPDATE SET source_item_id = excluded.source_item_id, source_ref = excluded.source_ref,
      source_at = excluded.source_at WHERE excluded.source_at > citizens.source_at`);
  const link = db.prepare(`INSERT OR IGNORE INTO item_links (from_id, kind, value_key, value, to_id, origin, created_at)
    VALUES (?, ?, ?, ?, ?, 'auto', ?)`);
  const attachment = db.prepare(`INSERT INTO attachment_texts (item_id, part_index, filename, status, text_folded, extracted_at)
    VALUES (?, 0, ?, 'ok', ?, ?)`);
  const dossierCodes: string[] = [];
  const span = 8 * 365 * 86_400_000;
  const perDay = Math.max(1, Math.round(records / (8 * 365)));
  db.transaction(() => {
    for (let n = 0; n < records; n++) {
      // Oldest first, so rowid order is arrival order as in a real cache.
      const at = now - span + Math.floor((n / records) * span);
      const roll = rng.float();
      const dayCode = new Date(at + 7 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, '');
      if (roll < 0.6) {
        const p = rng.pick(people);
        const proc = rng.pick(PROCEDURES);
        const code = `000.26.13.H26-${dayCode}-${pad((n % perDay) + 1, 4)}`;
        const id = `training-procedure:${code}#${n}`;
        const status = at > now - 10 * 86_400_000 ? rng.pick(['2', '4', '5']) : rng.pick(['9', '10', '10', '3']);
        const title = `${proc.name} cho ${p.name}`;
        item.run({
          id, source: 'procedure', backend: 'training-procedure', ext: `${code}#${n}`, ref: code, title, party: p.name, kind: proc.name,
          status, at, due: at + 3 * 86_400_000, dueKey: at + 3 * 86_400_000, assignee: 'canbo.lan', open: ['2', '4', '5'].includes(status) ? 1 : 0,
          search: folded(code, title, p.name, proc.name, p.id, p.phone),
          detail: JSON.stringify({ source: 'procedure', code, applicant: p.name, applicantIdNumber: p.id, phone: p.phone, address: p.address, appointmentAt: at + 3 * 86_400_000 }),
          refFolded: foldVietnamese(code).replace(/\s+/g, ''), citizen: p.id,
        });
        citizen.run({ id: p.id, name: p.name, nameFolded: foldVietnamese(p.name), year: p.birthYear, sex: p.sex, address: p.address, phone: p.phone, itemId: id, ref: code, at });
        dossierCodes.push(id);
      } else if (roll < 0.75) {
        const s = rng.pick(SENDERS);
        const type = rng.pick(DOC_TYPES);
        const ref = `${rng.int(1, 9999)}/${rng.pick(s.letterNotations)}`;
        const title = `${type.name} về việc ${rng.pick(SUBJECTS)}`;
        item.run({
          id: `training-document:${n}`, source: 'document', backend: 'training-document', ext: String(n), ref, title, party: s.name, kind: type.name,
          status: at > now - 10 * 86_400_000 ? '03' : '06', at, due: at + 5 * 86_400_000, dueKey: at + 5 * 86_400_000, assignee: 'canbo.lan',
          open: at > now - 10 * 86_400_000 ? 1 : 0, search: folded(ref, title, s.name, type.name), detail: '{"source":"document"}',
          refFolded: foldVietnamese(ref).replace(/\s+/g, ''), citizen: null,
        });
      } else {
        const p = rng.pick(people);
        // A mail cites one of the recent dossiers (the last 5,000).
        const cites = dossierCodes.length > 0 && rng.chance(0.4) ? (dossierCodes[dossierCodes.length - 1 - rng.int(0, Math.min(4999, dossierCodes.length - 1))] ?? null) : null;
        const subject = `${rng.pick(MAIL_SUBJECTS)}${cites ? ` ${cites.split(':')[1]?.split('#')[0] ?? ''}` : ''}`;
        const withId = rng.chance(0.3);
        const preview = `Kính gửi UBND phường, tôi là ${p.name}${withId ? `, CCCD ${p.id}` : ''}. ${rng.pick(SUPPLEMENT_REASONS)}`;
        const id = `training-mail:INBOX:${n}`;
        item.run({
          id, source: 'mail', backend: 'training-mail', ext: `INBOX:${n}`, ref: subject, title: subject, party: p.name, kind: null,
          status: 'seen', at, due: null, dueKey: NO_DUE_KEY, assignee: 'canbo.lan', open: 0,
          search: folded(subject, p.name, preview), detail: '{"source":"mail"}', refFolded: null, citizen: null,
        });
        if (cites) link.run(id, 'dossier', cites, cites, cites, at);
        if (withId) link.run(id, 'citizen', p.id, p.id, null, at);
        if (rng.chance(0.03)) attachment.run(id, 'Bản scan giấy tờ.pdf', folded(rng.pick(ATTACHMENT_TEXT), p.name), at);
      }
    }
  })();
  return { people, dossierCodes };
}

function indexSizes(db: ReturnType<typeof openCacheDatabase>): { total: number | null; items: number | null; attachments: number | null } {
  try {
    const rows = db
      .prepare<[], { name: string; bytes: number }>(
        "SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'items_fts%' OR name LIKE 'attachment_fts%' GROUP BY name",
      )
      .all();
    const mb = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));
    const items = rows.filter((r) => r.name.startsWith('items_fts')).reduce((n, r) => n + r.bytes, 0);
    const attachments = rows.filter((r) => r.name.startsWith('attachment_fts')).reduce((n, r) => n + r.bytes, 0);
    return { total: mb(items + attachments), items: mb(items), attachments: mb(attachments) };
  } catch {
    return { total: null, items: null, attachments: null };
  }
}

export function runSearchBench(options: { dataDir: string; records: number; samples: number; calendar?: WorkCalendar; log: (m: string) => void }): SearchBenchResult {
  const { dataDir, records, log } = options;
  const calendar = options.calendar ?? defaultCalendar();
  const now = Date.now();
  const db = openCacheDatabase(dataDir, { key: keyFileCacheKey(dataDir) });
  try {
    const started = performance.now();
    // Bulk load: a large page cache for the load only (the indexes take random keys), then the app's own.
    const cacheSize: unknown = db.pragma('cache_size', { simple: true });
    db.pragma('cache_size = -524288');
    const { people } = seed(db, records, now);
    db.pragma(`cache_size = ${typeof cacheSize === 'number' ? cacheSize : -65536}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const seedS = Number(((performance.now() - started) / 1000).toFixed(1));
    log(`  seeded ${records.toLocaleString('en')} records (${people.length.toLocaleString('en')} citizens) in ${seedS} s`);
    const queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => now });
    const search = new SearchService({ db, queue, deadlines: calendarDeadlinePolicy(calendar), now: () => now });
    const citizens = new CitizenService({ db, queue, audit: new AuditLog(db, () => now), now: () => now, actor: { username: 'canbo.lan' } });

    const rng = new Rng(77);
    const sample = people[rng.int(0, people.length - 1)] as Person;
    const queries = [
      'Nguyễn Văn', 'nguyen van', 'Trần Thị Hương', 'tran thi huong', 'đăng ký khai sinh', 'dang ky khai sinh', 'Đỗ Đức', 'do duc',
      'xác nhận tình trạng hôn nhân', 'xac nhan tinh trang hon nhan', 'Sở Tư pháp', 'công văn phòng cháy', 'giấy chứng sinh bệnh viện',
      sample.id, sample.phone, `${foldVietnamese(sample.name)}`,
    ];
    const perQuery: Record<string, number> = {};
    const all: number[] = [];
    for (const q of queries) search.search(SearchFilterSchema.parse({ q, limit: 100 })); // warm-up
    for (const q of queries) {
      const times: number[] = [];
      for (let i = 0; i < options.samples; i++) {
        const t0 = performance.now();
        search.search(SearchFilterSchema.parse({ q, limit: 100 }));
        times.push(performance.now() - t0);
      }
      perQuery[q] = percentile(times, 95);
      all.push(...times);
    }
    const views: number[] = [];
    const finds: number[] = [];
    for (let i = 0; i < options.samples * 4; i++) {
      const p = people[rng.int(0, people.length - 1)] as Person;
      const t0 = performance.now();
      citizens.view(p.id);
      views.push(performance.now() - t0);
      const t1 = performance.now();
      citizens.find(`${p.name} ${p.birthYear}`);
      finds.push(performance.now() - t1);
    }
    const sizes = indexSizes(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      search_1m_records: records,
      search_1m_seed_s: seedS,
      search_1m_p50_ms: percentile(all, 50),
      search_1m_p95_ms: percentile(all, 95),
      search_1m_samples: all.length,
      search_1m_per_query_p95_ms: perQuery,
      citizen_view_p50_ms: percentile(views, 50),
      citizen_view_p95_ms: percentile(views, 95),
      citizen_view_samples: views.length,
      citizen_find_p95_ms: percentile(finds, 95),
      search_index_mb: sizes.total,
      search_index_items_fts_mb: sizes.items,
      search_index_attachment_fts_mb: sizes.attachments,
      search_1m_db_mb: Number((statSync(join(dataDir, 'cache.sqlite')).size / 2 ** 20).toFixed(1)),
    };
  } finally {
    db.close();
  }
}
