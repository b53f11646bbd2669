import { describe, expect, it } from 'vitest';
import { createAdapter } from '../../../src/core/adapters/adapter.registry';
import {
  ConfigError,
  parseConfig,
  TRAINING_CREDENTIALS,
  trainingConfig,
} from '../../../src/core/config/config.schema';

describe('workstation config', () => {
  it('builds the training config, whose adapter configs the registry accepts', async () => {
    const config = trainingConfig({
      procedureUrl: 'http://127.0.0.1:7101',
      documentUrl: 'http://127.0.0.1:7102',
      credentials: TRAINING_CREDENTIALS,
      pollIntervalMs: 5000,
    });
    expect(config.user).toEqual({ username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' });
    expect(config.office.name).toBe('UBND phường Ngọc Hà');
    expect(config.backends.map((b) => [b.adapter['kind'], b.pollIntervalMs, b.training])).toEqual([
      ['procedure', 5000, true],
      ['document', 5000, true],
    ]);
    for (const backend of config.backends) {
      const adapter = createAdapter(backend.adapter);
      expect(adapter.id).toBe(backend.adapter['id']);
      await adapter.close();
    }
  });

  it('applies defaults and accepts a calendar by path or inline', () => {
    const config = parseConfig({
      office: { name: 'UBND xã A', unitCode: '000.00.00.X' },
      user: { username: 'a', fullName: 'A', role: 'supervisor' },
      calendar: { path: 'calendar.json' },
      backends: [{ adapter: { kind: 'procedure' } }],
    });
    expect(config.backends[0]).toMatchObject({ pollIntervalMs: 30_000, training: false });
    expect(() =>
      parseConfig({ ...config, calendar: { path: 'a.json', data: {} } }),
    ).toThrow(ConfigError);
  });

  it('lists every problem with its path', () => {
    let error: unknown;
    try {
      parseConfig({
        office: { name: '' },
        user: { username: 'a', fullName: 'A', role: 'admin' },
        backends: [{ adapter: {}, pollIntervalMs: 5 }],
        extra: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/^office\.name: /m);
    expect(issues).toMatch(/^office\.unitCode: /m);
    expect(issues).toMatch(/^user\.role: /m);
    expect(issues).toMatch(/^backends\.0\.pollIntervalMs: /m);
    expect(issues).toMatch(/^\(root\): .*extra/m);
  });

  it('accepts the office officials and the outbox retry policy, with defaults', () => {
    const config = parseConfig({
      office: { name: 'UBND', unitCode: 'X', officials: [{ username: 'canbo.mai', fullName: 'Lê Thị Mai' }] },
      user: { username: 'a', fullName: 'A', role: 'official' },
      backends: [],
      outbox: { retryBaseMs: 200 },
    });
    expect(config.office.officials).toEqual([{ username: 'canbo.mai', fullName: 'Lê Thị Mai', title: null }]);
    expect(config.outbox).toEqual({ retryBaseMs: 200, retryMaxMs: 60_000, maxAttempts: 8 });
    expect(() => parseConfig({ ...config, outbox: { maxAttempts: 0 } })).toThrow(/outbox\.maxAttempts/);
  });

  it('accepts mail backends and optional mail rules, naming a bad rule field', async () => {
    const base = trainingConfig({ procedureUrl: 'http://127.0.0.1:7101', documentUrl: 'http://127.0.0.1:7102' });
    const mailBackend = {
      adapter: { kind: 'mail', id: 'mail', label: 'Thư công vụ', host: '127.0.0.1', port: 1143, tls: 'none', user: 'lan', password: 'x' },
    };
    const config = parseConfig({ ...base, backends: [...base.backends, mailBackend] });
    expect(config.mailRules).toBeUndefined();
    const adapter = createAdapter(config.backends[2]?.adapter);
    expect(adapter.kind).toBe('mail');
    await adapter.close();
    const rules = { rules: [{ name: 'Mọi thư', when: {}, then: { work: true, replyWithinWorkingHours: 4 } }] };
    expect(parseConfig({ ...base, mailRules: rules }).mailRules?.rules.map((r) => r.name)).toEqual(['Mọi thư']);
    expect(() =>
      parseConfig({ ...base, mailRules: { rules: [{ name: 'x', when: {}, then: { work: true, urgency: 9 } }] } }),
    ).toThrow(/mailRules\.rules\.0\.then\.urgency/);
  });
});
