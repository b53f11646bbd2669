import { describe, expect, it } from 'vitest';
import { UpdateController, parseUpdateSettings, type UpdateSettings, type UpdateSource } from '../../../src/main/updater';

function fake(opts: { available?: string | null; failCheck?: boolean; answer?: boolean } = {}) {
  const log: string[] = [];
  const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  const source: UpdateSource = {
    setFeedURL: (url) => log.push(`feed ${url}`),
    check: async () => {
      log.push('check');
      if (opts.failCheck) throw new Error('getaddrinfo ENOTFOUND capnhat.hanoi.gov.vn');
      return opts.available ?? null;
    },
    download: async () => {
      log.push('download');
    },
    quitAndInstall: () => log.push('quitAndInstall'),
  };
  const shell = {
    askRestart: async (v: string) => {
      log.push(`ask ${v}`);
      return opts.answer ?? false;
    },
    log: (level: string, msg: string) => log.push(`${level}: ${msg}`),
  };
  const schedule = (fn: () => void, ms: number) => {
    const t = { fn, ms, cancelled: false };
    timers.push(t);
    return () => {
      t.cancelled = true;
    };
  };
  return { log, timers, source, shell, schedule };
}

const SETTINGS: UpdateSettings = { url: 'https://capnhat.hanoi.gov.vn/ban-lam-viec/', intervalHours: 6, inTraining: false };

describe('update settings (update.json, written by IT staff)', () => {
  it('no file: updates off, no error', () => {
    expect(parseUpdateSettings(null)).toEqual({ settings: null, error: null });
  });
  it('defaults interval and training switch', () => {
    expect(parseUpdateSettings('{"url":"https://capnhat.hanoi.gov.vn/cw/"}').settings).toEqual({ url: 'https://capnhat.hanoi.gov.vn/cw/', intervalHours: 6, inTraining: false });
  });
  it('refuses plain http off loopback, bad JSON and unknown fields with a Vietnamese reason', () => {
    expect(parseUpdateSettings('{"url":"http://capnhat.hanoi.gov.vn/"}').error).toMatch(/https/);
    expect(parseUpdateSettings('{"url":"http://127.0.0.1:8080/"}').settings?.url).toBe('http://127.0.0.1:8080/');
    expect(parseUpdateSettings('{url:').error).toMatch(/không phải JSON/);
    expect(parseUpdateSettings('{"url":"https://a.vn/","intervalHours":0}').error).toMatch(/intervalHours/);
    expect(parseUpdateSettings('{"url":"https://a.vn/","token":"x"}').error).toMatch(/update\.json sai/);
  });
});

describe('UpdateController', () => {
  it('checks at start and every interval; up to date means nothing else happens', async () => {
    const f = fake();
    const c = new UpdateController({ source: f.source, shell: f.shell, settings: SETTINGS, training: false, schedule: f.schedule });
    c.start();
    await new Promise((r) => setImmediate(r));
    expect(f.log).toEqual(['feed https://capnhat.hanoi.gov.vn/ban-lam-viec/', 'check']);
    expect(f.timers).toHaveLength(1);
    expect(f.timers[0]?.ms).toBe(6 * 3_600_000);
    f.timers[0]?.fn();
    await new Promise((r) => setImmediate(r));
    expect(f.log.filter((l) => l === 'check')).toHaveLength(2);
    c.stop();
    expect(f.timers[0]?.cancelled).toBe(true);
  });

  it('downloads, then asks before restarting; declining keeps working and asks again later without downloading twice', async () => {
    const f = fake({ available: '0.2.0', answer: false });
    const c = new UpdateController({ source: f.source, shell: f.shell, settings: SETTINGS, training: false, schedule: f.schedule });
    expect(await c.checkNow()).toBe('later');
    expect(f.log.filter((l) => !l.startsWith('info'))).toEqual(['check', 'download', 'ask 0.2.0']);
    expect(await c.checkNow()).toBe('later');
    expect(f.log.filter((l) => l === 'download')).toHaveLength(1);
    expect(f.log).not.toContain('quitAndInstall');
  });

  it('installs only when the official says yes', async () => {
    const f = fake({ available: '0.2.0', answer: true });
    const c = new UpdateController({ source: f.source, shell: f.shell, settings: SETTINGS, training: false, schedule: f.schedule });
    expect(await c.checkNow()).toBe('installing');
    expect(f.log.at(-1)).toBe('quitAndInstall');
  });

  it('never checks in training mode unless IT staff allowed it, nor without update.json', async () => {
    const off = fake({ available: '0.2.0' });
    const training = new UpdateController({ source: off.source, shell: off.shell, settings: SETTINGS, training: true, schedule: off.schedule });
    training.start();
    expect(await training.checkNow()).toBe('disabled');
    expect(off.log).toEqual(['info: updates off: training mode']);
    expect(off.timers).toHaveLength(0);
    const none = new UpdateController({ source: off.source, shell: off.shell, settings: null, training: false, schedule: off.schedule });
    expect(await none.checkNow()).toBe('disabled');
    const allowed = fake({ available: null });
    const ok = new UpdateController({ source: allowed.source, shell: allowed.shell, settings: { ...SETTINGS, inTraining: true }, training: true, schedule: allowed.schedule });
    expect(await ok.checkNow()).toBe('up_to_date');
  });

  it('a failed check is logged and does not throw; the next interval tries again', async () => {
    const f = fake({ failCheck: true });
    const c = new UpdateController({ source: f.source, shell: f.shell, settings: SETTINGS, training: false, schedule: f.schedule });
    expect(await c.checkNow()).toBe('failed');
    expect(f.log.at(-1)).toMatch(/^warn: update check failed: getaddrinfo ENOTFOUND/);
    expect(await c.checkNow()).toBe('failed');
  });
});
