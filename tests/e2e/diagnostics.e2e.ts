/**
 * Issue #7: IT staff download the diagnostics bundle from the "Chẩn đoán" screen of the real app
 * (browser host, core, SQLite, training sandbox); the saved file is the redacted bundle. Officials
 * do not see the screen.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import { startAs } from './support/role-app';
import { DiagnosticsBundleSchema } from '../../src/shared/shell';

test('IT staff download a diagnostics bundle without secrets or citizens’ data; officials have no such screen', async ({ page, app }) => {
  test.setTimeout(120_000);
  await page.goto(app.openUrl);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('nav-diagnostics')).toHaveCount(0);

  const it = await startAs('it');
  try {
    await page.goto(it.openUrl);
    await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
    await expect(page.getByTestId('backend-training-procedure')).toHaveAttribute('data-state', 'online');
    await page.getByTestId('nav-diagnostics').click();
    await expect(page.getByRole('heading', { name: /Gói chẩn đoán/ })).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('diagnostics-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^chan-doan-ban-lam-viec-\d{8}-\d{6}\.json$/);
    const path = await download.path();
    const content = readFileSync(path, 'utf8');
    const bundle = DiagnosticsBundleSchema.parse(JSON.parse(content));
    expect(bundle.health.items).toBeGreaterThan(0);
    // The training accounts' public password ("training") is masked, not scrubbed from the ids.
    expect(bundle.backends.map((b) => b.id)).toContain('training-procedure');
    await expect(page.getByTestId('diagnostics-backend').first()).toContainText('training-');
    await expect(page.getByTestId('diagnostics-backend')).toHaveCount(bundle.backends.length);
    await expect(page.getByTestId('notice')).toContainText(download.suggestedFilename());
    // The training passwords (public constants, but secrets to the app) and the training mailbox
    // address are not in the file; CCCD-like and phone-like numbers neither.
    expect(content).not.toMatch(/canbo\.lan@|@ngocha\.hanoi\.gov\.vn/);
    expect(content).not.toMatch(/(?<![\d.])\d{12}(?!\d)/);
    expect(content).not.toMatch(/(?<![\d.])0\d{9}(?!\d)/);
    const cfg = bundle.config as { backends: Array<{ adapter: Record<string, unknown> }> };
    for (const b of cfg.backends) {
      for (const key of ['password', 'clientSecret']) if (key in b.adapter) expect(b.adapter[key]).toBe('[bí mật]');
    }
  } finally {
    it.stop();
  }
});
