/**
 * Issue #5 end to end in Chromium against the real browser host, core, SQLite file and training
 * sandbox, signed in as a supervisor (tests/e2e/support/dashboard-app.process.ts): the dashboard
 * shows the figures computed independently from the sandbox's own records; a late dossier is
 * reassigned and lands on the backend once; the authority matrix is edited and the flag appears on
 * the dashboard and in the queue row; both exports download and read back.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';

interface App {
  openUrl: string;
  command(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const test = base.extend<object, { app: App }>({
  app: [
    async ({}, use) => {
      const root = join(import.meta.dirname, '..', '..');
      const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/e2e/support/dashboard-app.process.ts')], {
        cwd: root,
        env: process.env,
        stdio: 'pipe',
      });
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      const waiting: Array<(msg: Record<string, unknown>) => void> = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          const msg = JSON.parse(line) as Record<string, unknown>;
          waiting.shift()?.(msg);
        } catch {
          // not a protocol line
        }
      });
      const next = (): Promise<Record<string, unknown>> => new Promise((ok) => waiting.push(ok));
      const ready = await next();
      if (ready['type'] !== 'ready') throw new Error(`dashboard app failed: ${JSON.stringify(ready)}`);
      const app: App = {
        openUrl: String(ready['openUrl']),
        async command(cmd) {
          const reply = next();
          child.stdin.write(`${JSON.stringify(cmd)}\n`);
          const msg = await reply;
          if (msg['type'] === 'error') throw new Error(String(msg['message']));
          return msg;
        },
      };
      await use(app);
      await app.command({ cmd: 'quit' }).catch(() => undefined);
      child.kill();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

interface Expected {
  totals: { backlog: number; dueToday: number; overdue: number; paused: number; resolved: number; onTime: number };
  byOfficial: Record<string, { backlog: number; dueToday: number; overdue: number; paused: number }>;
  resolvedByName: Record<string, { resolved: number; onTime: number }>;
  aging: Record<string, number>;
  lateTotal: number;
}

/** CSP violations (ECharts must draw without inline styles) and errors thrown from the dashboard's code. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (apply|load|execute)/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => {
    if (/dashboard|authority|echarts/i.test(err.stack ?? err.message)) problems.push(`pageerror: ${err.message}`);
    else console.warn(`page error outside the dashboard: ${err.message}`);
  });
  return problems;
}

async function intOf(locator: Locator): Promise<number> {
  return Number((await locator.innerText()).replace(/\D/g, ''));
}

async function openDashboard(page: Page, app: App): Promise<string[]> {
  const problems = watchConsole(page);
  await page.goto(app.openUrl);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('dash-total-backlog')).toBeVisible({ timeout: 30_000 });
  return problems;
}

test('the dashboard shows the figures computed independently from the sandbox', async ({ page, app }) => {
  const problems = await openDashboard(page, app);
  const e = (await app.command({ cmd: 'expected', days: 30 })) as unknown as Expected;
  expect(e.totals.resolved).toBeGreaterThan(20);
  // The first sync may still be landing: the page refreshes itself from the core's events.
  await expect(page.getByTestId('dash-total-rate')).toHaveAttribute('data-resolved', String(e.totals.resolved), { timeout: 30_000 });
  await expect(page.getByTestId('dash-total-rate')).toHaveAttribute('data-on-time', String(e.totals.onTime));
  for (const k of ['backlog', 'dueToday', 'overdue', 'paused'] as const) {
    await expect(page.getByTestId(`dash-total-${k}`), k).toHaveAttribute('data-value', String(e.totals[k]));
  }
  const rate = (e.totals.onTime / e.totals.resolved) * 100;
  await expect(page.getByTestId('dash-total-rate')).toContainText(`${rate.toFixed(1).replace('.', ',')}`);
  for (const [username, figures] of Object.entries(e.byOfficial)) {
    if (username === '(none)') continue;
    const row = page.locator(`[data-testid="dash-official-row"][data-username="${username}"]`);
    for (const [col, value] of Object.entries(figures)) expect(await intOf(row.locator(`td[data-col="${col}"]`)), `${username} ${col}`).toBe(value);
  }
  for (const [name, figures] of Object.entries(e.resolvedByName)) {
    const row = page.getByTestId('dash-official-row').filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
    expect(await intOf(row.locator('td[data-col="resolved"]')), name).toBe(figures.resolved);
    expect(await intOf(row.locator('td[data-col="onTime"]')), name).toBe(figures.onTime);
  }
  for (const [bucket, count] of Object.entries(e.aging)) {
    expect(await intOf(page.locator(`[data-testid="dash-aging"] td[data-bucket="${bucket}"]`)), bucket).toBe(count);
  }
  await expect(page.getByTestId('dash-late-title')).toContainText(`(${e.lateTotal})`);
  await expect(page.getByTestId('dash-aging-chart').locator('canvas')).toHaveCount(1);
  // Another period: the scorecard widens to the independent figures of 90 days.
  await page.getByTestId('dash-period').selectOption('quarter');
  const q = (await app.command({ cmd: 'expected', days: 90 })) as unknown as Expected;
  await expect(page.getByTestId('dash-total-rate')).toHaveAttribute('data-resolved', String(q.totals.resolved));
  // Live: dossiers arriving on the backend reach the figures through sync, without a reload.
  const created = (await app.command({ cmd: 'emit', count: 2 }))['created'] as string[];
  expect(created).toHaveLength(2);
  const after = (await app.command({ cmd: 'expected', days: 90 })) as unknown as Expected;
  expect(after.totals.backlog).toBe(q.totals.backlog + 2);
  await expect(page.getByTestId('dash-total-backlog')).toHaveAttribute('data-value', String(after.totals.backlog), { timeout: 30_000 });
  // Accessibility of the screen with the matrix open (serious and critical findings).
  await page.getByTestId('dash-matrix-toggle').click();
  await expect(page.getByTestId('authority-matrix')).toBeVisible();
  const axe = await new AxeBuilder({ page }).include('[data-testid="dashboard"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
  expect(problems).toEqual([]);
});

test('reassign a late dossier, edit the authority matrix, see the flag, download both exports', async ({ page, app }) => {
  const problems = await openDashboard(page, app);
  const late = await app.command({ cmd: 'find-late' });
  const code = String(late['code']);
  const kind = String(late['kind']);
  const itemId = `training-procedure:${code}`;
  const row = page.locator(`[data-testid="dash-late"] tr[data-item-id="${itemId}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.locator('input[type="checkbox"]').check();
  await expect(page.getByTestId('dash-selected')).toContainText('1');
  await page.getByTestId('dash-reassign-to').selectOption('canbo.tuan');
  await page.getByTestId('dash-reassign').click();
  await expect(page.getByText('Đã ghi nhận giao lại 1 mục')).toBeVisible();
  await expect
    .poll(async () => {
      const d = await app.command({ cmd: 'dossier', id: code });
      return [d['assignee'], d['forwards']];
    }, { timeout: 30_000 })
    .toEqual(['canbo.tuan', 1]);
  // The dashboard updates live: the late row now names the new handler.
  await expect(row).toContainText('Phạm Minh Tuấn', { timeout: 30_000 });

  // Authority: only Mai may handle this procedure → every open one held by someone else is flagged.
  await page.getByTestId('dash-matrix-toggle').click();
  const matrixRow = page.locator(`[data-testid="authority-matrix"] tr[data-kind="${kind}"]`);
  await matrixRow.getByTestId('matrix-canbo.mai').check();
  await page.getByTestId('matrix-save').click();
  await expect(page.getByText('Đã lưu ma trận phân quyền.')).toBeVisible();
  const outside = await app.command({ cmd: 'outside', kind, allowed: ['canbo.mai'] });
  expect(outside['codes']).toContain(code);
  await expect(page.getByTestId('dash-total-outside')).toHaveAttribute('data-value', String(outside['count']));
  await expect(page.locator(`[data-testid="dash-flagged"] tr[data-item-id="${itemId}"]`)).toBeVisible();

  // Exports.
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dash-export-xlsx').click()]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  const bytes = readFileSync(await xlsx.path());
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  expect(wb.worksheets.map((s) => s.name)).toEqual(['Tổng hợp', 'Theo cán bộ', 'Theo thủ tục', 'Quá hạn']);
  const values = new Map<string, unknown>();
  wb.getWorksheet('Tổng hợp')?.eachRow((r) => values.set(String(r.getCell(1).value), r.getCell(2).value));
  expect(values.get('Quá hạn')).toBe(Number(await page.getByTestId('dash-total-overdue').getAttribute('data-value')));
  expect(values.get('Giao sai thẩm quyền')).toBe(outside['count']);
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dash-export-pdf').click()]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const pdfBytes = readFileSync(await pdf.path());
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdfBytes), isEvalSupported: false }).promise;
  const first = await (await doc.getPage(1)).getTextContent();
  const text = first.items.map((i) => ('str' in i ? i.str : '')).join(' ');
  await doc.destroy();
  expect(text).toContain('BÁO CÁO ĐIỀU HÀNH');
  expect(text).toContain('Tỷ lệ đúng hạn');

  // The official's queue marks the item too.
  await page.getByTestId('nav-queue').click();
  await page.getByTestId('filter-scope-all').click();
  await page.getByTestId('search').fill(code);
  const queueRow = page.locator(`[data-testid="queue-row"][data-item-id="${itemId}"]`);
  await expect(queueRow).toBeVisible({ timeout: 20_000 });
  await expect(queueRow.getByTestId('row-outside-authority')).toHaveText('Sai thẩm quyền');
  expect(problems).toEqual([]);
});
