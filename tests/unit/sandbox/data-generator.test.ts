import { describe, expect, it } from 'vitest';
import { computeDue, defaultCalendar } from '../../../src/core/deadline';
import { PROCEDURE_STATUS_CODES } from '../../../src/shared/domain';
import {
  centurySexDigit, closedPauses, copyFee, generateDataset, toDossierJson, toProcedureJson, PROCEDURES, UNIT_CODE,
  type Dataset,
} from '../../../src/sandbox/data-generator';
import { mulberry32 } from '../../../src/sandbox/prng';
import { parseVnTimestamp } from '../../../src/sandbox/vn-time';

const NOW = Date.parse('2026-03-18T10:30:00+07:00');
const calendar = defaultCalendar();
let cached: Dataset | null = null;
function dataset(): Dataset {
  cached ??= generateDataset({ seed: 7, now: NOW, days: 40, dossiersPerDay: 60, documentsPerDay: 15, calendar });
  return cached;
}

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe('generateDataset', () => {
  it('is deterministic for (seed, now, sizes)', () => {
    const opts = { seed: 3, now: NOW, days: 5, dossiersPerDay: 30, documentsPerDay: 8, calendar };
    const a = generateDataset(opts);
    const b = generateDataset(opts);
    expect(a.dossiers.map(toDossierJson)).toEqual(b.dossiers.map(toDossierJson));
    expect(a.documents).toEqual(b.documents);
    const c = generateDataset({ ...opts, seed: 4 });
    expect(c.dossiers.map((d) => d.summary)).not.toEqual(a.dossiers.map((d) => d.summary));
  });

  it('produces roughly the requested volumes, all in the past', () => {
    const ds = dataset();
    expect(ds.dossiers.length).toBeGreaterThan(40 * 60 * 0.8);
    expect(ds.dossiers.length).toBeLessThan(40 * 60 * 1.25);
    expect(ds.documents.length).toBeGreaterThan(40 * 15 * 0.75);
    for (const d of ds.dossiers) expect(d.updatedAt).toBeLessThanOrEqual(NOW);
    for (const d of ds.documents) expect(d.updatedAt).toBeLessThanOrEqual(NOW);
  });

  it('gives valid CCCD numbers whose century/sex digit matches birth year and sex', () => {
    const ds = dataset();
    let cccd = 0;
    let cmnd = 0;
    const provinces = new Map<string, number>();
    for (const c of ds.citizens) {
      if (c.idType === 2) {
        expect(c.idNumber).toMatch(/^\d{9}$/);
        cmnd++;
        continue;
      }
      cccd++;
      expect(c.idNumber).toMatch(/^\d{12}$/);
      const digit = Number(c.idNumber[3]);
      expect(digit).toBe(centurySexDigit(c.sex, c.birthYear));
      expect(digit).toBe((c.birthYear >= 2000 ? 2 : 0) + (c.sex === 'female' ? 1 : 0));
      expect(c.idNumber.slice(4, 6)).toBe(String(c.birthYear % 100).padStart(2, '0'));
      expect(c.birthDate.slice(4)).toBe(String(c.birthYear));
      provinces.set(c.idNumber.slice(0, 3), (provinces.get(c.idNumber.slice(0, 3)) ?? 0) + 1);
      expect(c.phone).toMatch(/^0(3[2-9]|9[0134678]|8[1-5]|7[06-9])\d{7}$/);
    }
    expect(cccd).toBeGreaterThan(cmnd * 10);
    expect(cmnd).toBeGreaterThan(0);
    expect((provinces.get('001') ?? 0) / cccd).toBeGreaterThan(0.6);
    expect(provinces.size).toBeGreaterThan(3);
    expect(centurySexDigit('male', 1984)).toBe(0);
    expect(centurySexDigit('female', 2003)).toBe(3);
    expect(centurySexDigit('female', 2101)).toBe(5);
  });

  it('codes dossiers <unit>-<YYMMDD of receipt>-<daily sequence> with gap-free unique sequences', () => {
    const ds = dataset();
    const byDay = new Map<string, number[]>();
    const codes = new Set<string>();
    for (const d of ds.dossiers) {
      const m = /^(.+)-(\d{6})-(\d{4})$/.exec(d.code);
      expect(m, d.code).not.toBeNull();
      if (!m) continue;
      expect(m[1]).toBe(UNIT_CODE);
      expect(codes.has(d.code)).toBe(false);
      codes.add(d.code);
      const ref = d.receivedAt ?? d.refusedAt;
      if (ref !== null) {
        const key = new Date(ref + 7 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, '');
        expect(m[2]).toBe(key);
      }
      const list = byDay.get(m[2] ?? '') ?? [];
      list.push(Number(m[3]));
      byDay.set(m[2] ?? '', list);
    }
    for (const seqs of byDay.values()) {
      const sorted = [...seqs].sort((a, b) => a - b);
      expect(sorted[0]).toBe(1);
      expect(sorted[sorted.length - 1]).toBe(sorted.length);
    }
  });

  it('has a realistic status mix', () => {
    const ds = dataset();
    const count = (s: string): number => ds.dossiers.filter((d) => d.status === s).length;
    const total = ds.dossiers.length;
    expect(count('10') / total).toBeGreaterThan(0.85);
    for (const s of ['2', '4', '5', '9', '10', '3']) expect(count(s), `status ${s}`).toBeGreaterThan(0);
    const overdue = ds.dossiers.filter((d) => ['2', '4', '6'].includes(d.status) && d.dueAt !== null && d.dueAt < NOW);
    expect(overdue.length).toBeGreaterThan(0);
    for (const d of ds.dossiers) expect(PROCEDURE_STATUS_CODES).toContain(d.status);
  });

  it('keeps steps, status and dates consistent', () => {
    for (const rec of dataset().dossiers) {
      const j = toDossierJson(rec);
      const steps = j.QuaTrinhXuLy;
      if (rec.status === '1') {
        expect(steps).toHaveLength(0);
        expect(j.NgayTiepNhan).toBe('');
        expect(j.NgayHenTra).toBe('');
        continue;
      }
      const last = steps[steps.length - 1];
      expect(last?.TrangThai).toBe(rec.status);
      expect(last?.ThoiDiemXuLy).toBe(j.NgayCapNhat);
      for (let i = 1; i < steps.length; i++) {
        expect((steps[i]?.ThoiDiemXuLy ?? '') > (steps[i - 1]?.ThoiDiemXuLy ?? '')).toBe(true);
        expect(steps[i]?.MaHoSo).toBe(j.MaHoSo);
      }
      if (rec.status === '3') {
        expect(j.NgayTuChoi).not.toBe('');
        expect(j.NgayHenTra).toBe('');
        continue;
      }
      expect(steps[0]?.TrangThai).toBe('2');
      expect(j.NgayTiepNhan).toBe(steps[0]?.ThoiDiemXuLy);
      if (rec.status === '10') {
        expect(j.NgayTra).toBe(j.NgayCapNhat);
        expect(j.NguoiXuLyHienTai).toBeNull();
        expect(j.DanhSachGiayToKetQua.length).toBe(1);
      }
      if (rec.status === '9' || rec.status === '10') expect(j.NgayKetThucXuLy).not.toBe('');
      if (rec.status === '5') {
        const open = j.DanhSachHoSoBoSung.filter((s) => s.NgayTiepNhanBoSung === '');
        expect(open).toHaveLength(1);
        expect(open[0]?.NgayHenTraCu).toBe(j.NgayHenTra);
      }
      if (rec.status === '6') {
        expect(j.DanhSachLePhi.length).toBeGreaterThan(0);
        expect(j.DanhSachLePhi.every((f) => !f.DaThanhToan)).toBe(true);
      }
      if (['2', '4', '5', '6', '9'].includes(rec.status)) expect(j.NguoiXuLyHienTai).not.toBeNull();
      for (const s of j.DanhSachHoSoBoSung) {
        if (s.NgayTiepNhanBoSung !== '') expect(s.NgayHenTraMoi > s.NgayHenTraCu).toBe(true);
      }
    }
  });

  it('NgayHenTra equals computeDue of reception, duration and closed supplement pauses', () => {
    let withPause = 0;
    for (const rec of dataset().dossiers) {
      if (rec.receivedAt === null) {
        expect(rec.dueAt).toBeNull();
        continue;
      }
      const pauses = closedPauses(rec);
      if (pauses.length > 0) withPause++;
      const due = computeDue(calendar, { receivedAt: rec.receivedAt, duration: { hours: rec.procedure.hours, unit: rec.procedure.unit }, pauses });
      expect(rec.dueAt).toBe(due);
      expect(parseVnTimestamp(toDossierJson(rec).NgayHenTra)).toBe(Math.floor(due / 1000) * 1000);
    }
    expect(withPause).toBeGreaterThan(0);
  });

  it('has a catalogue with realistic codes and units, and certified-copy fees', () => {
    for (const p of PROCEDURES.map(toProcedureJson)) {
      expect(p.MaTTHC).toMatch(/^[12]\.\d{6}\.000\.00\.00\.H26$/);
      expect(['ngày làm việc', 'ngày', 'trong ngày']).toContain(p.DonViTinh);
      expect(p.ThoiGianGiaiQuyet).toBeGreaterThan(0);
    }
    expect(copyFee(1)).toBe(2_000);
    expect(copyFee(3)).toBe(5_000);
    expect(copyFee(500)).toBe(200_000);
  });

  it('registers documents with incoming numbers and handlers consistent with their status', () => {
    const docs = dataset().documents;
    const byStatus = new Map<string, number>();
    for (const d of docs) {
      byStatus.set(d.status, (byStatus.get(d.status) ?? 0) + 1);
      expect(`${d.codeNumber}/${d.codeNotation}`).toMatch(/^\d+\/[A-ZĐa-z.]+-[A-ZĐa-z0-9.]+$/);
      if (['03', '04', '05', '06'].includes(d.status)) expect(d.incomingNumber).not.toBeNull();
      if (['04', '05', '06'].includes(d.status)) expect(d.handler).not.toBeNull();
      if (d.status === '01') expect(d.incomingNumber).toBeNull();
      if (d.dueDate) expect(d.dueDate).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
    }
    expect((byStatus.get('06') ?? 0) / docs.length).toBeGreaterThan(0.6);
    const priorities = new Set(docs.map((d) => d.priority));
    expect(priorities.has(0) && priorities.has(1)).toBe(true);
  });

  it('generates 25k items quickly', () => {
    const t = performance.now();
    const ds = generateDataset({ seed: 9, now: NOW, days: 10, dossiersPerDay: 2000, documentsPerDay: 500, calendar });
    const ms = performance.now() - t;
    expect(ds.dossiers.length + ds.documents.length).toBeGreaterThan(20_000);
    expect(ms).toBeLessThan(4_000);
  });
});
