/**
 * Issue #7 point 3 in Chromium against the real browser host, core, SQLite file and training sandbox:
 * a new urgent document on the sandbox raises a notification in the page (the "Thông báo" screen,
 * live, and — outside quiet hours — a Web Notification), the tray counts match the queue's, and
 * "Mở việc" opens the item in the queue.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

/** A recording stand-in for the browser's Notification API, permission granted. */
async function recordWebNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shown: Array<{ title: string; body: string }> = [];
    class FakeNotification {
      static permission = 'granted';
      static requestPermission(): Promise<string> {
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? '' });
      }
      close(): void {}
    }
    Object.defineProperty(globalThis, 'Notification', { value: FakeNotification, configurable: true });
    Object.defineProperty(globalThis, '__shownNotifications', { value: shown });
  });
}

test.describe('notifications (browser host)', () => {
  test('a new urgent sandbox document raises a notification in the page; its button opens the item', async ({ page, app }) => {
    await recordWebNotifications(page);
    await page.goto(app.openUrl);
    await expect(page.getByTestId('queue-row').first()).toBeVisible();
    await page.getByTestId('nav-notifications').click();
    await expect(page.getByRole('heading', { name: 'Thông báo' })).toBeVisible();
    await expect(page.getByTestId('tray-open')).not.toHaveText('');
    const quiet = (await page.getByTestId('quiet-now').count()) > 0;
    // The first sync done (its own new items are notified together at the start).
    for (const backend of ['training-procedure', 'training-document', 'training-mail']) {
      await expect(page.getByTestId(`backend-${backend}`)).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
    }

    // Emit documents one at a time until one is urgent (the sandbox picks each document's độ khẩn);
    // one at a time, so its notification names it alone.
    let urgentId: string | null = null;
    let ref = '';
    for (let round = 0; round < 30 && urgentId === null; round++) {
      const reply = await app.command({ cmd: 'emit', kind: 'document', count: 1 });
      const urgent = reply['urgent'] as string[];
      if (urgent.length > 0) {
        urgentId = urgent[0] as string;
        const created = reply['created'] as string[];
        ref = (reply['refs'] as string[])[created.indexOf(urgentId)] as string;
      }
    }
    expect(urgentId, 'the sandbox emitted no urgent document in 30 tries').not.toBeNull();
    const itemId = `training-document:${urgentId as string}`;

    const row = page.locator(`[data-testid="notification"][data-kind="urgent"][data-item-ids~="${itemId}"]`);
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText(ref);
    await expect(row).toContainText(/khẩn|hỏa tốc/i);
    await expect(page.getByTestId('notify-unread')).not.toHaveText('0 thông báo chưa đọc');
    const shown = await page.evaluate(() => (globalThis as unknown as { __shownNotifications: Array<{ title: string; body: string }> }).__shownNotifications);
    if (quiet) {
      // Quiet hours (17:30–07:30 office time, or a day off): listed here, no pop-up.
      await expect(row).toContainText('trong giờ nghỉ');
      expect(shown.some((n) => n.body.includes(ref))).toBe(false);
    } else {
      expect(shown.some((n) => n.body.includes(ref))).toBe(true);
    }

    // The tray's open count is the queue's (all open items of the office).
    const open = Number(await page.getByTestId('tray-open').textContent());
    expect(open).toBeGreaterThan(0);

    // "Mở việc" opens the notification's first item (its first line: "<ref> — <title>").
    const firstRef = ((await row.locator('.desktop-notify__body').textContent()) ?? '').split(' — ')[0] as string;
    expect(firstRef.length).toBeGreaterThan(0);
    await row.getByTestId('notification-open').click();
    await expect(page.getByTestId('search')).toBeVisible();
    // Back in the queue with the item open in the detail pane (it may not be on the list's first screen).
    await expect(page.locator('article').filter({ hasText: firstRef }).getByRole('heading', { level: 2 })).toBeVisible();
  });
});
