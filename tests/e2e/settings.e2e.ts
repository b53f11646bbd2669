/**
 * IT staff's settings screen end to end (issue #5): Chromium against the real browser host, core,
 * SQLite file, training sandbox and a config.json on disk (support/settings-app.process.ts, role 'it').
 * Test connection names the failing step in Vietnamese; an interval edit is saved to config.json;
 * a holiday is added to the calendar; a profile is exported (no secret in it) and imported, a foreign
 * file refused; sync health and the log viewer show the real failures of a backend that is down.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test as base, expect } from '@playwright/test';

interface SettingsApp {
  openUrl: string;
  secret: string;
  command(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const test = base.extend<object, { settingsApp: SettingsApp }>({
  settingsApp: [
    async ({}, use) => {
      const root = join(import.meta.dirname, '..', '..');
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/e2e/support/settings-app.process.ts')], { cwd: root, stdio: 'pipe' });
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      const waiting: Array<(msg: Record<string, unknown>) => void> = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          waiting.shift()?.(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a protocol line
        }
      });
      const next = (): Promise<Record<string, unknown>> => new Promise((ok) => waiting.push(ok));
      const ready = await next();
      if (ready['type'] !== 'ready') throw new Error(`settings app failed: ${JSON.stringify(ready)}`);
      await use({
        openUrl: String(ready['openUrl']),
        secret: String(ready['secret']),
        async command(cmd) {
          const reply = next();
          child.stdin.write(`${JSON.stringify(cmd)}\n`);
          const msg = await reply;
          if (msg['type'] === 'error') throw new Error(String(msg['message']));
          return msg;
        },
      });
      const bye = next();
      child.stdin.write(`${JSON.stringify({ cmd: 'quit' })}\n`);
      await Promise.race([bye, new Promise((ok) => setTimeout(ok, 10_000))]);
      child.kill();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

// At 1440 px the top bar's nav is squeezed to nothing by three backend chips (top-bar layout, reported);
// a wider window shows the "Cài đặt" button.
test.use({ viewport: { width: 1920, height: 1000 } });

async function openSettings(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('screen-settings')).toBeVisible();
}

interface FileConfig {
  backends: Array<{ adapter: Record<string, unknown>; pollIntervalMs: number }>;
  calendar?: { data: { holidays: Array<{ date: string; name: string }> } };
}

test('test connection shows the failing step in Vietnamese; an edited interval is saved to config.json', async ({ page, settingsApp }) => {
  await openSettings(page, settingsApp.openUrl);
  const down = page.getByTestId('settings-backend-dvc-tinh');
  await expect(down).toBeVisible();
  // The secret field says a password is stored, never shows it.
  await expect(down.getByLabel('Mật khẩu', { exact: true })).toHaveValue('');
  await expect(down.getByLabel('Mật khẩu', { exact: true })).toHaveAttribute('placeholder', /Đã lưu trong kho khóa/);
  await down.getByTestId('settings-test-dvc-tinh').click();
  const result = down.getByTestId('connection-result');
  await expect(result).toContainText('Kết nối thất bại ở bước: Mở kết nối (TCP)');
  await expect(result.getByTestId('step-dns')).toHaveAttribute('data-status', 'ok');
  await expect(result.getByTestId('step-tcp')).toHaveAttribute('data-status', 'failed');
  await expect(result.getByTestId('step-tcp')).toContainText('từ chối kết nối ở cổng');
  await expect(result.getByTestId('step-tcp')).toContainText('Cách xử lý:');
  await expect(result.getByTestId('step-auth')).toHaveAttribute('data-status', 'skipped');

  const training = page.getByTestId('settings-backend-training-procedure');
  await training.getByTestId('settings-test-training-procedure').click();
  await expect(training.getByTestId('connection-result')).toContainText('Kết nối tốt');
  await expect(training.getByTestId('step-sample')).toContainText('Lấy thử được');

  await page.getByTestId('settings-poll-training-procedure').fill('45');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-status')).toContainText('Đã lưu cấu hình');
  // Applied at once: the core is rebuilt from the file and the window says so.
  await expect(page.getByTestId('notice')).toContainText('Cấu hình mới đã được áp dụng');
  const saved = (await settingsApp.command({ cmd: 'config' }))['config'] as FileConfig;
  expect(saved.backends[0]?.pollIntervalMs).toBe(45_000);
  expect(saved.backends[2]?.adapter['password']).toEqual({ $secret: 'dvc-tinh.password' });

  // An invalid value is refused with the field named, and the file keeps the saved one.
  await page.getByTestId('settings-poll-training-procedure').fill('0.01');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-issues')).toContainText('backends.0.pollIntervalMs');
  const after = (await settingsApp.command({ cmd: 'config' }))['config'] as FileConfig;
  expect(after.backends[0]?.pollIntervalMs).toBe(45_000);
});

test('calendar: a holiday is added and saved', async ({ page, settingsApp }) => {
  await openSettings(page, settingsApp.openUrl);
  await page.getByTestId('settings-tab-calendar').click();
  const holidays = page.getByTestId('settings-holidays');
  await expect(holidays).toContainText('2026-09-02');
  await page.getByTestId('settings-holidays-date').fill('2026-11-24');
  await page.getByTestId('settings-holidays-name').fill('Ngày Văn hóa Việt Nam');
  await page.getByTestId('settings-holidays-add').click();
  await expect(holidays.getByRole('row', { name: /2026-11-24/ })).toContainText('Ngày Văn hóa Việt Nam');
  await page.getByTestId('settings-calendar-save').click();
  await expect(page.getByTestId('settings-calendar-status')).toContainText('Đã lưu lịch làm việc');
  const saved = (await settingsApp.command({ cmd: 'config' }))['config'] as FileConfig;
  expect(saved.calendar?.data.holidays).toContainEqual({ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' });
});

test('sync health and the log viewer show the failures of a backend that is down, without secrets', async ({ page, settingsApp }) => {
  await openSettings(page, settingsApp.openUrl);
  await page.getByTestId('settings-tab-health').click();
  const row = page.getByTestId('health-dvc-tinh');
  await expect(row).toBeVisible();
  await expect(async () => {
    await page.getByTestId('settings-health-refresh').click();
    const cells = await row.locator('td').allTextContents();
    expect(Number(cells[4])).toBeGreaterThan(0);
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText('chưa lần nào');
  await page.getByTestId('health-errors-dvc-tinh').locator('summary').click();
  await expect(page.getByTestId('health-errors-dvc-tinh')).toContainText('ECONNREFUSED');

  await page.getByTestId('settings-log-level').selectOption('warn');
  await page.getByTestId('settings-log-backend').selectOption('dvc-tinh');
  const log = page.getByTestId('settings-log-table');
  await expect(log).toContainText('sync failed');
  const backends = await log.locator('tbody tr td:nth-child(3)').allTextContents();
  expect(backends.length).toBeGreaterThan(0);
  expect(new Set(backends)).toEqual(new Set(['dvc-tinh']));
  expect(await page.content()).not.toContain(settingsApp.secret);
});

test('profiles: export without secrets, a foreign file is refused, the exported profile imports', async ({ page, settingsApp }) => {
  await openSettings(page, settingsApp.openUrl);
  await page.getByTestId('settings-tab-profiles').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('settings-profile-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^ho-so-cau-hinh-.*\.json$/);
  const path = await file.path();
  const content = readFileSync(path, 'utf8');
  expect(content).toContain('"kind": "commune-workstation/config-profile"');
  expect(content).not.toContain(settingsApp.secret);
  expect(content).toContain('"$secret": "dvc-tinh.password"');

  const before = JSON.stringify((await settingsApp.command({ cmd: 'config' }))['config']);
  await page.getByTestId('settings-profile-file').setInputFiles({ name: 'bao-cao.json', mimeType: 'application/json', buffer: Buffer.from('{"tieuDe":"Báo cáo tháng"}') });
  await expect(page.getByTestId('settings-profile-result')).toContainText('không phải hồ sơ cấu hình');
  expect(JSON.stringify((await settingsApp.command({ cmd: 'config' }))['config'])).toBe(before);

  await page.getByTestId('settings-profile-file').setInputFiles({ name: file.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(content) });
  await expect(page.getByTestId('settings-profile-result')).toContainText('Đã nhập hồ sơ: 1 hệ thống');
  const applied = (await settingsApp.command({ cmd: 'config' }))['config'] as FileConfig & { user: { role: string } };
  expect(applied.user.role).toBe('it');
  expect(applied.backends.map((b) => b.adapter['id'])).toEqual(['dvc-tinh']);
});

test('each settings tab has no serious or critical accessibility violation (axe, WCAG 2.2 AA)', async ({ page, settingsApp }) => {
  await openSettings(page, settingsApp.openUrl);
  const findings: string[] = [];
  for (const tab of ['connections', 'calendar', 'profiles', 'health'] as const) {
    await page.getByTestId(`settings-tab-${tab}`).click();
    await expect(page.getByTestId(`settings-tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId(`settings-${tab}`)).toBeVisible();
    const result = await new AxeBuilder({ page }).include('[data-testid="screen-settings"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    for (const v of result.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') findings.push(`[${tab}] ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  expect(findings.join('\n')).toBe('');
});
