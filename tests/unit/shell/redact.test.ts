import { describe, expect, it } from 'vitest';
import { createRedactor, nameSet, namesPresent, redactDeep, stripSecrets } from '../../../src/core/shell/redact';

describe('redaction of personal data and secrets', () => {
  it('removes ID numbers, phone numbers and e-mail addresses but keeps codes, dates and timestamps', () => {
    const r = createRedactor();
    const line =
      '{"at":"2026-11-25T17:49:45.123Z","msg":"sync failed","data":{"ms":1764092985123,"cccd":"001203004005","cmnd":"012345678",' +
      '"phone":"0912 345 678","phone2":"+84912345678","mail":"nguyen.van.a@gmail.com","code":"000.26.13.H26-251003-0012","so":"7816/VPCP-TTĐT"}}';
    const out = r.redact(line);
    expect(out).not.toMatch(/001203004005|012345678|0912 345 678|\+84912345678|nguyen\.van\.a@gmail\.com/);
    expect(out).toContain('2026-11-25T17:49:45.123Z');
    expect(out).toContain('1764092985123');
    expect(out).toContain('000.26.13.H26-251003-0012');
    expect(out).toContain('7816/VPCP-TTĐT');
    expect(r.counts).toMatchObject({ idNumber: 1, phone: 3, email: 1 });
  });

  it('removes names known to the cache, in any case and spacing, whole words only', () => {
    const names = nameSet(['Nguyễn Thị Lan', 'Lê Văn Hùng', 'Hùng', null, 'Công ty TNHH Minh Phát']);
    expect(names.has('hùng')).toBe(false); // one word would hit ordinary text
    const text = 'Hồ sơ của NGUYỄN THỊ LAN, chuyển cho lê  văn hùng; Nguyễn Thị Lanh không phải Lan. Hùng ở bộ phận một cửa.';
    const r = createRedactor({ names: namesPresent(names, text) });
    const out = r.redact(text);
    expect(out).toBe('Hồ sơ của [họ tên], chuyển cho [họ tên]; Nguyễn Thị Lanh không phải Lan. Hùng ở bộ phận một cửa.');
    expect(r.counts.name).toBe(2);
  });

  it('removes exact secret values wherever they appear, before any pattern', () => {
    const r = createRedactor({ secrets: ['S3cr3t!pa55', 'abc'] });
    expect(r.redact('login with S3cr3t!pa55 failed (S3cr3t!pa55)')).toBe('login with [bí mật] failed ([bí mật])');
    expect(r.redact('abc stays: too short to be matched safely')).toContain('abc');
    expect(r.counts.secret).toBe(2);
  });

  it('strips secrets from a configuration, keeps $secret references, and reports the values', () => {
    const { clean, secretValues } = stripSecrets({
      backends: [
        { adapter: { id: 'dvc', password: 'pw-1', username: 'lan', clientSecret: 'cs-2', smtp: { password: { $secret: 'mail.smtp.password' } } } },
        { adapter: { id: 'qlvb', apiKey: 'k-3', token: '' } },
      ],
    });
    expect(clean).toEqual({
      backends: [
        { adapter: { id: 'dvc', password: '[bí mật]', username: 'lan', clientSecret: '[bí mật]', smtp: { password: { $secret: 'mail.smtp.password' } } } },
        { adapter: { id: 'qlvb', apiKey: '[bí mật]', token: '[bí mật]' } },
      ],
    });
    expect(secretValues.sort()).toEqual(['cs-2', 'k-3', 'pw-1']);
  });

  it('redacts every string and key of a nested value', () => {
    const r = createRedactor({ names: ['Trần Văn Bình'] });
    expect(redactDeep({ 'Trần Văn Bình': ['gọi 0987654321', 5, null], ok: true }, r)).toEqual({ '[họ tên]': ['gọi [số điện thoại]', 5, null], ok: true });
  });
});
