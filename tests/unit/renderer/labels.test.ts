import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_ERROR_CODES, BACKEND_STATES } from '../../../src/shared/api';
import { DOCUMENT_STATUS_CODES, PROCEDURE_STATUS_CODES, SLA_STATES, SOURCES } from '../../../src/shared/domain';
import {
  backendErrorLabel,
  backendStateLabel,
  isUrgent,
  priorityLabel,
  slaLabel,
  sourceLabel,
  statusLabel,
} from '../../../src/renderer/format/labels.format';
import type { Translate } from '../../../src/renderer/format/translate';
import { allParts, collisions, loadEnBundle, viBundle } from '../../../src/renderer/locales/bundle';
import { translators } from './i18n-fixture';

let vi: Translate;
let enT: Translate;
beforeAll(async () => {
  ({ vi, en: enT } = await translators());
});

/** Every leaf key of a nested locale object, dotted. */
function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('status and code labels', () => {
  it('names every dossier status (TrangThaiHoSo 1–10) in both languages', () => {
    for (const code of PROCEDURE_STATUS_CODES) {
      for (const t of [vi, enT]) {
        const label = statusLabel(t, 'procedure', code);
        expect(label, code).not.toBe(code);
        expect(label).not.toMatch(/^status\./);
      }
    }
    expect(statusLabel(vi, 'procedure', '4')).toBe('Đang xử lý');
    expect(statusLabel(vi, 'procedure', '5')).toBe('Yêu cầu bổ sung');
    expect(statusLabel(vi, 'procedure', '10')).toBe('Đã trả kết quả');
  });

  it('names every document status (01–06) in both languages', () => {
    for (const code of DOCUMENT_STATUS_CODES) {
      for (const t of [vi, enT]) expect(statusLabel(t, 'document', code), code).not.toBe(code);
    }
    expect(statusLabel(vi, 'document', '03')).toBe('Đã tiếp nhận');
    expect(statusLabel(vi, 'document', '04')).toBe('Phân công');
    expect(statusLabel(vi, 'document', '06')).toBe('Hoàn thành');
  });

  it('shows an unknown status code as itself', () => {
    expect(statusLabel(vi, 'procedure', '99')).toBe('99');
  });

  it('names priorities 0–4', () => {
    expect([0, 1, 2, 3, 4].map((p) => priorityLabel(vi, p))).toEqual(['Thường', 'Khẩn', 'Thượng khẩn', 'Hỏa tốc', 'Hỏa tốc hẹn giờ']);
    for (const p of [0, 1, 2, 3, 4]) expect(priorityLabel(enT, p)).not.toBe(String(p));
    expect(isUrgent(0)).toBe(false);
    expect(isUrgent(1)).toBe(true);
  });

  it('names SLA states, sources and backend states', () => {
    expect(SLA_STATES.map((s) => slaLabel(vi, s))).toEqual(['Quá hạn', 'Đến hạn hôm nay', 'Sắp đến hạn', 'Trong hạn', 'Tạm dừng', 'Không tính hạn']);
    expect(SOURCES.map((s) => sourceLabel(vi, s))).toEqual(['Hồ sơ TTHC', 'Văn bản đến', 'Thư điện tử']);
    expect(BACKEND_STATES.map((s) => backendStateLabel(vi, s))).toEqual(['Đang kết nối', 'Trực tuyến', 'Đang đồng bộ', 'Mất kết nối', 'Lỗi']);
    for (const s of [...SLA_STATES]) expect(slaLabel(enT, s)).not.toMatch(/^sla\./);
  });

  it('explains every backend error code in plain words', () => {
    for (const code of BACKEND_ERROR_CODES) {
      for (const t of [vi, enT]) {
        const text = backendErrorLabel(t, code);
        expect(text.length, code).toBeGreaterThan(30);
        expect(text).not.toMatch(/^backendError\./);
      }
    }
    expect(backendErrorLabel(vi, 'unreachable')).toBe(
      'Không kết nối được tới hệ thống. Bạn vẫn làm việc được với dữ liệu đã lưu; ứng dụng sẽ tự thử lại.',
    );
  });

  it('has the same keys in Vietnamese and English, main and feature files (plural forms aside)', async () => {
    const strip = (k: string): string => k.replace(/_(one|other)$/, '');
    const viKeys = new Set(keys(viBundle).map(strip));
    const enKeys = new Set(keys(await loadEnBundle()).map(strip));
    expect(viKeys.has('nav.queue')).toBe(true);
    expect([...viKeys].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys].filter((k) => !viKeys.has(k))).toEqual([]);
  });

  it('lets each top-level key live in one file only', async () => {
    const parts = await allParts();
    expect(collisions(parts.vi)).toEqual([]);
    expect(collisions(parts.en)).toEqual([]);
    expect(parts.vi.length).toBe(parts.en.length);
  });
});
