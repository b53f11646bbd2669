import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';

const START = Date.parse('2026-03-18T10:30:00+07:00');
let now = START;
const clock = (): number => now;
let sb: TrainingSandbox;

interface ProcedureAnswer {
  error_code: string;
  message: string;
  session?: string;
  HetHan?: string;
  result?: unknown;
  CoTiep?: boolean;
  TongSo?: number;
}

async function post(path: string, body: unknown, session?: string): Promise<{ status: number; data: ProcedureAnswer }> {
  const res = await fetch(`${sb.procedureUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(session ? { session } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, data: (await res.json()) as ProcedureAnswer };
}

async function login(): Promise<string> {
  const { data } = await post('/api/DangNhap', { TenDangNhap: sb.credentials.procedure.username, MatKhau: sb.credentials.procedure.password });
  expect(data.error_code).toBe('0');
  return data.session ?? '';
}

async function token(): Promise<string> {
  const res = await fetch(`${sb.documentUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: sb.credentials.document.clientId, client_secret: sb.credentials.document.clientSecret }),
  });
  expect(res.status).toBe(200);
  const data = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(data.token_type).toBe('Bearer');
  return data.access_token;
}

interface Entry {
  DocId: string;
  Status: string;
  UpdatedAt: string;
}
interface ListAnswer {
  items: Entry[];
  nextCursor: string;
  hasMore: boolean;
  total: number;
}

async function listDocs(t: string, cursor: string, limit: number): Promise<ListAnswer> {
  const res = await fetch(`${sb.documentUrl}/edoc/received?cursor=${encodeURIComponent(cursor)}&limit=${limit}`, { headers: { authorization: `Bearer ${t}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as ListAnswer;
}

interface DossierLike {
  MaHoSo?: string;
  NgayCapNhat?: string;
  TrangThaiHoSo?: string;
  NgayHenTra?: string;
}

beforeAll(async () => {
  sb = await TrainingSandbox.start({ seed: 11, now: START, clock, days: 5, dossiersPerDay: 40, documentsPerDay: 12, streamIntervalMs: 0, sessionTtlMs: 60_000 });
});

afterAll(async () => {
  await sb.stop();
});

describe('procedure system', () => {
  it('logs in, refuses a wrong password and bad parameters', async () => {
    const ok = await post('/api/DangNhap', { TenDangNhap: 'canbo.lan', MatKhau: 'training' });
    expect(ok.status).toBe(200);
    expect(ok.data.session).toMatch(/^[0-9a-f]{48}$/);
    expect(ok.data.HetHan).toMatch(/^\d{14}$/);
    const wrong = await post('/api/DangNhap', { TenDangNhap: 'canbo.lan', MatKhau: 'nope' });
    expect(wrong.data.error_code).toBe('1');
    const bad = await post('/api/DangNhap', { TenDangNhap: 42 });
    expect(bad.data.error_code).toBe('3');
    const s = ok.data.session ?? '';
    expect((await post('/api/LayDanhSachHoSo', { TuThoiDiem: '2026', SauMaHoSo: '', SoLuong: 10 }, s)).data.error_code).toBe('3');
    expect((await post('/api/LayDanhSachHoSo', { TuThoiDiem: '', SauMaHoSo: '', SoLuong: 5000 }, s)).data.error_code).toBe('3');
    expect((await post('/api/LayDanhSachHoSo', { TuThoiDiem: '', SauMaHoSo: '', SoLuong: 10 })).data.error_code).toBe('2');
  });

  it('expires sessions with error_code 2', async () => {
    const s = await login();
    expect((await post('/api/LayDanhSachTTHC', {}, s)).data.error_code).toBe('0');
    now += 61_000;
    try {
      expect((await post('/api/LayDanhSachTTHC', {}, s)).data.error_code).toBe('2');
    } finally {
      now = START;
    }
  });

  it('serves the catalogue and looks dossiers up', async () => {
    const s = await login();
    const cat = await post('/api/LayDanhSachTTHC', {}, s);
    const procs = cat.data.result as { MaTTHC: string; DonViTinh: string }[];
    expect(procs.length).toBeGreaterThanOrEqual(15);
    const code = sb.dossiers()[0]?.MaHoSo ?? '';
    const found = await post('/api/TraCuuHoSo', { MaHoSo: code }, s);
    expect((found.data.result as DossierLike).MaHoSo).toBe(code);
    expect((await post('/api/TraCuuHoSo', { MaHoSo: 'nope' }, s)).data.error_code).toBe('404');
  });

  it('pages by keyset over every dossier exactly once, even while new ones arrive', async () => {
    const s = await login();
    const seen = new Map<string, number>();
    let cursor = { TuThoiDiem: '', SauMaHoSo: '' };
    let pages = 0;
    let emitted: string[] = [];
    let firstTotal = -1;
    for (;;) {
      const { data } = await post('/api/LayDanhSachHoSo', { ...cursor, SoLuong: 37 }, s);
      expect(data.error_code).toBe('0');
      const result = data.result as DossierLike[];
      if (firstTotal < 0) firstTotal = data.TongSo ?? -1;
      for (const d of result) seen.set(d.MaHoSo ?? '', (seen.get(d.MaHoSo ?? '') ?? 0) + 1);
      pages++;
      if (pages % 2 === 0 && pages < 8) emitted = emitted.concat(sb.emit('procedure', 3));
      const last = result[result.length - 1];
      if (last) cursor = { TuThoiDiem: last.NgayCapNhat ?? '', SauMaHoSo: last.MaHoSo ?? '' };
      // Items emitted after the final page arrive in the next sync round: keep going until a page is empty.
      if (!data.CoTiep && result.length === 0) break;
    }
    expect(emitted.length).toBeGreaterThan(0);
    const truth = sb.dossiers().map((d) => d.MaHoSo);
    expect(firstTotal).toBe(truth.length - emitted.length);
    expect(seen.size).toBe(truth.length);
    for (const code of truth) expect(seen.get(code), code).toBe(1);

    // Incremental: from the last cursor only a later change shows up.
    const changed = sb.advance('procedure');
    expect(changed).not.toBeNull();
    const { data } = await post('/api/LayDanhSachHoSo', { ...cursor, SoLuong: 100 }, s);
    const result = data.result as DossierLike[];
    expect(result.map((d) => d.MaHoSo)).toContain(changed);
  });
});

describe('document gateway', () => {
  it('issues tokens, refuses wrong clients and expired tokens', async () => {
    const wrong = await fetch(`${sb.documentUrl}/oauth/token`, { method: 'POST', body: JSON.stringify({ client_id: 'workstation', client_secret: 'x' }) });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
    const t = await token();
    expect((await listDocs(t, '', 5)).items).toHaveLength(5);
    now += 61_000;
    try {
      const res = await fetch(`${sb.documentUrl}/edoc/received?limit=5`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    } finally {
      now = START;
    }
  });

  it('lists with a cursor over every document exactly once, serves well-formed edXML', async () => {
    const t = await token();
    const seen = new Set<string>();
    let cursor = '';
    let emitted = 0;
    for (let page = 0; ; page++) {
      const data = await listDocs(t, cursor, 13);
      for (const e of data.items) {
        expect(seen.has(e.DocId)).toBe(false);
        seen.add(e.DocId);
      }
      if (page === 1) emitted += sb.emit('document', 2).length;
      cursor = data.nextCursor;
      if (!data.hasMore) break;
    }
    expect(emitted).toBe(2);
    expect(seen.size).toBe(sb.documents().length);

    const truth = sb.documents();
    const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true });
    for (const doc of truth.slice(0, 15)) {
      const res = await fetch(`${sb.documentUrl}/edoc/received/${encodeURIComponent(doc.DocId)}`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.headers.get('content-type')).toContain('application/xml');
      const xml = await res.text();
      expect(xml).toContain('xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"');
      expect(XMLValidator.validate(xml)).toBe(true);
      const parsed = parser.parse(xml) as {
        edXMLEnvelope: {
          edXMLHeader: { MessageHeader: { Code: { CodeNumber: string | number; CodeNotation: string }; Subject: string; From: { OrganId: string } } };
          AttachmentEncoded: { Attachment: { Value: string } | { Value: string }[] };
        };
      };
      const header = parsed.edXMLEnvelope.edXMLHeader.MessageHeader;
      expect(String(header.Code.CodeNumber)).toBe(doc.CodeNumber);
      expect(header.Code.CodeNotation).toBe(doc.CodeNotation);
      expect(header.Subject).toBe(doc.Subject);
      expect(header.From.OrganId).toBe(doc.From.OrganId);
      const atts = parsed.edXMLEnvelope.AttachmentEncoded.Attachment;
      const first = Array.isArray(atts) ? atts[0] : atts;
      const pdf = Buffer.from(first?.Value ?? '', 'base64').toString('latin1');
      expect(pdf.startsWith('%PDF-1.4')).toBe(true);
      expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    }
  });

  it('records status feedback, validates it and shows the change in the next incremental listing', async () => {
    const t = await token();
    // Cursor at the current end.
    let cursor = '';
    for (;;) {
      const data = await listDocs(t, cursor, 1000);
      cursor = data.nextCursor;
      if (!data.hasMore) break;
    }
    // Assigning (04) is legal from 03/04/05 (ACTION_TRANSITIONS); every write carries an Idempotency-Key.
    const target = sb.documents().find((d) => d.Status === '03' || d.Status === '05');
    const url = `${sb.documentUrl}/edoc/received/${encodeURIComponent(target?.DocId ?? '')}/status`;
    const headers = (key: string): Record<string, string> => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', 'idempotency-key': key });
    const bad = await fetch(url, { method: 'POST', headers: headers('legacy-1'), body: JSON.stringify({ StatusCode: '09', Description: '' }) });
    expect(bad.status).toBe(400);
    const refuseNoReason = await fetch(url, { method: 'POST', headers: headers('legacy-2'), body: JSON.stringify({ StatusCode: '02', Description: 'Sai nơi nhận' }) });
    expect(refuseNoReason.status).toBe(400);
    const ok = await fetch(url, { method: 'POST', headers: headers('legacy-3'), body: JSON.stringify({ StatusCode: '04', Description: 'Phân công xử lý', Handler: 'canbo.hung' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, status: '04', entry: { DocId: target?.DocId, Status: '04' } });
    const fb = sb.statusFeedback();
    expect(fb[fb.length - 1]).toMatchObject({ DocId: target?.DocId, StatusCode: '04', Handler: 'canbo.hung' });
    const next = await listDocs(t, cursor, 100);
    const entry = next.items.find((e) => e.DocId === target?.DocId) as (Entry & { Handler: { Username: string } }) | undefined;
    expect(entry?.Status).toBe('04');
    expect(entry?.Handler.Username).toBe('canbo.hung');
  });
});

describe('faults and control', () => {
  it('answers HTTP 500 at the error rate and recovers', async () => {
    const s = await login();
    sb.setFaults({ errorRate: 1 });
    const res = await fetch(`${sb.procedureUrl}/api/LayDanhSachTTHC`, { method: 'POST', headers: { session: s }, body: '{}' });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('500');
    sb.setFaults({ errorRate: 0.5 });
    let errors = 0;
    for (let i = 0; i < 40; i++) {
      const r = await fetch(`${sb.procedureUrl}/api/LayDanhSachTTHC`, { method: 'POST', headers: { session: s }, body: '{}' });
      await r.arrayBuffer();
      if (r.status === 500) errors++;
    }
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(32);
    sb.setFaults({ errorRate: 0 });
  });

  it('corrupts some dossiers of a page and some edXML bodies', async () => {
    const s = await login();
    sb.setFaults({ malformedRate: 0.3 });
    try {
      const { data } = await post('/api/LayDanhSachHoSo', { TuThoiDiem: '', SauMaHoSo: '', SoLuong: 100 }, s);
      const result = data.result as DossierLike[];
      const bad = result.filter((d) => !d.MaHoSo || d.TrangThaiHoSo === '99' || d.NgayHenTra === 'not-a-date' || !d.NgayCapNhat || typeof (d as { KenhThucHien?: unknown }).KenhThucHien !== 'number');
      expect(bad.length).toBeGreaterThan(10);
      expect(bad.length).toBeLessThan(60);
      const last = result[result.length - 1];
      expect(last?.MaHoSo).toBeTruthy();
      expect(last?.NgayCapNhat).toBeTruthy();

      const t = await token();
      let broken = 0;
      for (const doc of sb.documents().slice(0, 20)) {
        const res = await fetch(`${sb.documentUrl}/edoc/received/${encodeURIComponent(doc.DocId)}`, { headers: { authorization: `Bearer ${t}` } });
        const xml = await res.text();
        if (XMLValidator.validate(xml) !== true || !xml.includes('<edXML:Subject>') || !xml.includes('<edXML:CodeNumber>')) broken++;
      }
      expect(broken).toBeGreaterThan(0);
      expect(broken).toBeLessThan(20);
    } finally {
      sb.setFaults({ malformedRate: 0 });
    }
  });

  it('holds requests open until the client aborts (timeout fault), and adds latency', async () => {
    const s = await login();
    sb.setFaults({ timeoutRate: 1 }, 'procedure');
    const started = Date.now();
    await expect(
      fetch(`${sb.procedureUrl}/api/LayDanhSachTTHC`, { method: 'POST', headers: { session: s }, body: '{}', signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    sb.setFaults({ timeoutRate: 0, latencyMs: 150 }, 'procedure');
    const t0 = Date.now();
    const res = await fetch(`${sb.procedureUrl}/api/LayDanhSachTTHC`, { method: 'POST', headers: { session: s }, body: '{}' });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    sb.setFaults({ latencyMs: 0 });
  });

  it('serves /__sandbox/state, /faults and /emit', async () => {
    const state = (await (await fetch(`${sb.procedureUrl}/__sandbox/state`)).json()) as { total: number; faults: { errorRate: number } };
    expect(state.total).toBe(sb.dossiers().length);
    const set = await fetch(`${sb.documentUrl}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 0.25 }) });
    expect(((await set.json()) as { faults: { errorRate: number } }).faults.errorRate).toBe(0.25);
    expect(sb.faults().document.errorRate).toBe(0.25);
    sb.setFaults({ errorRate: 0 });
    const badFaults = await fetch(`${sb.documentUrl}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }) });
    expect(badFaults.status).toBe(400);
    const before = sb.documents().length;
    const emitted = (await (await fetch(`${sb.documentUrl}/__sandbox/emit`, { method: 'POST', body: JSON.stringify({ count: 3 }) })).json()) as { created: string[] };
    expect(emitted.created).toHaveLength(3);
    expect(sb.documents().length).toBe(before + 3);
  });

  it('stop() refuses connections at once; restart() comes back on the same ports', async () => {
    const url = sb.procedureUrl;
    const s = await login();
    // A held request must not keep stop() waiting.
    sb.setFaults({ timeoutRate: 1 }, 'procedure');
    const held = fetch(`${url}/api/LayDanhSachTTHC`, { method: 'POST', headers: { session: s }, body: '{}' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await sb.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await held).toBeInstanceOf(Error);
    await expect(fetch(`${url}/__sandbox/state`)).rejects.toThrow();
    await expect(fetch(`${sb.documentUrl}/__sandbox/state`)).rejects.toThrow();
    sb.setFaults({ timeoutRate: 0 });
    await sb.restart();
    expect(sb.procedureUrl).toBe(url);
    const res = await fetch(`${url}/__sandbox/state`);
    expect(res.status).toBe(200);
  });
});

describe('steady stream', () => {
  it('creates new items and advances open ones every interval', async () => {
    const live = await TrainingSandbox.start({ seed: 3, days: 1, dossiersPerDay: 10, documentsPerDay: 3, streamIntervalMs: 20 });
    try {
      const before = live.counts();
      const newestBefore = Math.max(...live.dossierRecords().map((d) => d.updatedAt), ...live.documentRecords().map((d) => d.updatedAt));
      await new Promise((r) => setTimeout(r, 250));
      const after = live.counts();
      expect(after.dossiers + after.documents).toBeGreaterThan(before.dossiers + before.documents + 3);
      const newestAfter = Math.max(...live.dossierRecords().map((d) => d.updatedAt), ...live.documentRecords().map((d) => d.updatedAt));
      expect(newestAfter).toBeGreaterThan(newestBefore);
    } finally {
      await live.stop();
    }
  });
});
