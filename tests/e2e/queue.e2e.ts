/**
 * End to end in Debian's Chromium against the real browser host, core, SQLite file and training
 * sandbox over HTTP (one web app per file, see support/fixtures.ts).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

interface RowInfo {
  id: string;
  source: string;
  sla: string;
  dueAt: number | null;
  text: string;
}

async function visibleRows(page: Page): Promise<RowInfo[]> {
  return page.getByTestId('queue-row').evaluateAll((els) =>
    els.map((el) => {
      const due = el.getAttribute('data-due-at');
      return {
        id: el.getAttribute('data-item-id') ?? '',
        source: el.getAttribute('data-source') ?? '',
        sla: el.getAttribute('data-sla') ?? '',
        dueAt: due ? Number(due) : null,
        text: el.textContent ?? '',
        index: Number(el.getAttribute('data-index')),
      };
    }).sort((a, b) => a.index - b.index),
  );
}

/** Scrolls through the virtualised list and collects rows in list order. */
async function collectRows(page: Page, max: number): Promise<RowInfo[]> {
  const seen = new Map<string, RowInfo>();
  const order: string[] = [];
  const list = page.getByTestId('queue');
  for (let step = 0; step < 60 && order.length < max; step++) {
    await expect(page.getByTestId('queue-row-placeholder')).toHaveCount(0);
    for (const r of await visibleRows(page)) {
      if (!seen.has(r.id)) {
        seen.set(r.id, r);
        order.push(r.id);
      }
    }
    const atEnd = await list.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
    if (atEnd) break;
    await list.evaluate((el) => el.scrollBy(0, el.clientHeight * 0.9));
  }
  return order.map((id) => seen.get(id) as RowInfo);
}

async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('filter-scope-all').click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible();
}

test.describe('one queue over the training backends', () => {
  test('shows dossiers, documents and mail in one list, in deadline order, in training mode', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await expect(page.getByTestId('training-label')).toBeVisible();
    await expect(page.getByTestId('backend-training-procedure')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('backend-training-document')).toHaveAttribute('data-state', 'online');
    // The training mailbox over IMAP/SMTP: mail citing dossiers is work with a reply deadline.
    await expect(page.getByTestId('backend-training-mail')).toHaveAttribute('data-state', 'online');

    const rows = await collectRows(page, 400);
    expect(rows.length).toBeGreaterThan(20);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['procedure', 'document', 'mail']));
    // Deadline order: due times never go down; items without a deadline come last.
    const firstNull = rows.findIndex((r) => r.dueAt === null);
    const dated = firstNull === -1 ? rows : rows.slice(0, firstNull);
    for (let i = 1; i < dated.length; i++) expect(dated[i]?.dueAt ?? 0).toBeGreaterThanOrEqual(dated[i - 1]?.dueAt ?? 0);
    if (firstNull !== -1) expect(rows.slice(firstNull).every((r) => r.dueAt === null)).toBe(true);
  });

  test('the overdue filter shows only overdue work', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('filter-sla-overdue').click();
    await expect(page.getByTestId('queue')).toHaveAttribute('data-busy', 'false');
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    const rows = await collectRows(page, 200);
    expect(rows.length).toBeGreaterThan(0);
    const now = Date.now();
    for (const r of rows) {
      expect(r.sla).toBe('overdue');
      expect(r.dueAt).not.toBeNull();
      expect(r.dueAt ?? Infinity).toBeLessThan(now);
    }
    // Overdue rows say so in words.
    await expect(page.getByTestId('queue-row').first()).toContainText(/quá hạn/i);
  });

  test('the detail pane shows a dossier with its steps and a document with its signer', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('filter-source-procedure').click();
    const dossierRow = page.locator('[data-testid="queue-row"][data-source="procedure"]').first();
    const dossierId = (await dossierRow.getAttribute('data-item-id')) ?? '';
    const code = dossierId.split(':').slice(1).join(':');
    await dossierRow.click();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('detail');
    await expect(detail.locator(`[data-item-id="${dossierId}"]`)).toBeVisible();
    await expect(detail).toContainText(code);
    await expect(detail).toContainText(/Quá trình xử lý/i);

    await page.getByTestId('filter-source-procedure').click();
    await page.getByTestId('filter-source-document').click();
    const docRow = page.locator('[data-testid="queue-row"][data-source="document"]').first();
    const docId = (await docRow.getAttribute('data-item-id')) ?? '';
    await docRow.click();
    await expect(detail.locator(`[data-item-id="${docId}"]`)).toBeVisible();
    await expect(detail).toContainText(/Người ký/i);
    await expect(detail).toContainText(/Số\/ký hiệu|Số, ký hiệu/i);

    // A document without a DueDate: its "Hạn xử lý" shows the deadline the queue counts (from the
    // priority) and says so, instead of an empty field under a "quá hạn" header.
    const docRows = page.locator('[data-testid="queue-row"][data-source="document"]');
    let assumed = 0;
    for (let i = 0; i < Math.min(12, await docRows.count()) && assumed === 0; i++) {
      const row = docRows.nth(i);
      const id = (await row.getAttribute('data-item-id')) ?? '';
      await row.click();
      await expect(detail.locator(`[data-item-id="${id}"]`)).toBeVisible();
      assumed = await detail.getByTestId('document-due-assumed').count();
    }
    expect(assumed, 'no document without a DueDate among the first rows').toBe(1);
    const field = detail.getByTestId('document-due-assumed');
    await expect(field).toContainText('Văn bản không ghi hạn: hạn tính theo độ khẩn');
    const date = /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/.exec((await field.textContent()) ?? '')?.[0] ?? 'none';
    await expect(detail.locator('header')).toContainText(`Hạn ${date}`);
  });

  test('keyboard: j/k move, Enter opens, / searches', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('queue').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selected = page.locator('[data-testid="queue-row"][aria-selected="true"]');
    await expect(selected).toHaveCount(1);
    await expect(selected).toHaveAttribute('data-index', '1');
    const id = (await selected.getAttribute('data-item-id')) ?? '';
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('detail').locator(`[data-item-id="${id}"]`)).toBeVisible();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await expect(page.getByTestId('search')).toBeFocused();
  });

  test('search ignores diacritics and folds đ', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('search').fill('đăng ký');
    await expect(page.getByTestId('queue')).toHaveAttribute('data-busy', 'false');
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    const withMarks = (await visibleRows(page)).map((r) => r.id);
    expect(withMarks.length).toBeGreaterThan(0);
    await page.getByTestId('search').fill('dang ky');
    await expect.poll(async () => (await visibleRows(page)).map((r) => r.id)).toEqual(withMarks);
    expect((await visibleRows(page)).some((r) => /đăng ký/i.test(r.text))).toBe(true);
  });

  test('older training mail comes by the history backfill: found by search, not work, marked "Thư cũ"', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('filter-scope-all').click();
    await page.getByTestId('filter-closed').click();
    await page.getByTestId('search').fill('lien thong dang ky khai sinh');
    const row = page.locator('[data-testid="queue-row"][data-source="mail"]').filter({ hasText: 'Hướng dẫn liên thông đăng ký khai sinh' });
    await expect(row).toHaveCount(1, { timeout: 30_000 });
    // 95 days old and read: not work, no deadline.
    await expect(row).toHaveAttribute('data-sla', 'none');
    await row.click();
    await expect(page.getByTestId('mail-history')).toHaveText('Thư cũ');
  });

  test('switches to English and back', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('lang-switch')).toHaveAttribute('data-lang', 'en');
    await expect(page.getByTestId('filter-sla-overdue')).toContainText('Overdue');
    // The rows' source column fits the longer English labels: each source's icon keeps its size and
    // its label is whole (the icon was squeezed to 3 px beside "DOCUMENT").
    for (const source of ['procedure', 'document', 'mail'] as const) {
      await page.getByTestId(`filter-source-${source}`).click();
      const row = page.locator(`[data-testid="queue-row"][data-source="${source}"]`).first();
      await expect(row.locator('.queue-row__source-text')).toHaveText({ procedure: 'Dossier', document: 'Document', mail: 'Email' }[source]);
      const fit = await row.evaluate((el) => {
        const text = el.querySelector('.queue-row__source-text');
        return { icon: el.querySelector('.queue-row__source svg')?.getBoundingClientRect().width ?? 0, cut: text ? text.scrollWidth > text.clientWidth : true };
      });
      expect(fit, `${source} row`).toEqual({ icon: 14, cut: false });
      await page.getByTestId(`filter-source-${source}`).click();
    }
    await page.getByTestId('lang-switch').click();
    await expect(page.getByTestId('filter-sla-overdue')).toContainText('Quá hạn');
  });
});

test.describe('live and offline', () => {
  test('a new sandbox item appears without reload', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    const reply = await app.command({ cmd: 'emit', kind: 'procedure', count: 1 });
    const created = reply['created'] as string[];
    expect(created).toHaveLength(1);
    const code = created[0] as string;
    // Search narrows the list to the new code; the row must arrive through sync + change events.
    await page.getByTestId('search').fill(code);
    await expect(page.locator(`[data-testid="queue-row"][data-item-id="training-procedure:${code}"]`)).toBeVisible({ timeout: 20_000 });
    // And without a search, it is in the full queue too (the page never reloads).
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const doc = await app.command({ cmd: 'emit', kind: 'document', count: 1 });
    const second = (doc['created'] as string[])[0] as string;
    await page.getByTestId('search').fill((doc['refs'] as string[])[0] as string);
    await expect(page.locator(`[data-testid="queue-row"][data-item-id="training-document:${second}"]`)).toBeVisible({ timeout: 20_000 });
    expect(navigations).toEqual([]);
  });

  test('sandbox stopped: backends offline, cached queue still lists and searches; back online after restart', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    const before = await visibleRows(page);
    expect(before.length).toBeGreaterThan(0);
    const someone = before.find((r) => r.source === 'procedure');
    expect(someone).toBeDefined();

    await app.command({ cmd: 'sandbox-stop' });
    await expect(page.getByTestId('backend-training-procedure')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await expect(page.getByTestId('backend-training-document')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
    await expect(page.getByTestId('backend-training-mail')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });

    // The cache still answers: filters, and a diacritics-free search of a name from the list.
    await page.getByTestId('filter-sla-overdue').click();
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    await page.getByTestId('filter-sla-overdue').click();
    const code = (someone?.id ?? '').split(':')[1] ?? '';
    await page.getByTestId('search').fill(code);
    await expect(page.locator(`[data-testid="queue-row"][data-item-id="${someone?.id}"]`)).toBeVisible();
    await page.getByTestId('search').fill('nguyen');
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    const found = await visibleRows(page);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((r) => /Nguyễn/.test(r.text))).toBe(true);

    await app.command({ cmd: 'sandbox-start' });
    await expect(page.getByTestId('backend-training-procedure')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  });
});
