/**
 * Acting from the one window (issue #3), end to end in Chromium against the real browser host,
 * core, outbox, SQLite file and training sandbox: every action kind lands on the backend, offline
 * actions wait and go out, conflicts are shown and resolved both ways, the palette runs an action,
 * the audit log lists it all and verifies. Items come from the sandbox's ground truth through the
 * app process (`find`), each handed out once.
 */
import type { Locator, Page } from '@playwright/test';
import type { ItemActionKind } from '../../src/shared/actions';
import { expect, test, type WebAppHandle } from './support/fixtures';

type Kind = 'procedure' | 'document';

interface Target {
  kind: Kind;
  /** MaHoSo / DocId on the backend. */
  id: string;
  /** What the official types to find it. */
  ref: string;
  /** The queue's item id. */
  itemId: string;
}

const STATUS_WORDS: Record<string, string> = {
  'procedure:2': 'Đã tiếp nhận',
  'procedure:3': 'Không được tiếp nhận',
  'procedure:4': 'Đang xử lý',
  'procedure:5': 'Yêu cầu bổ sung',
  'procedure:6': 'Chờ thực hiện nghĩa vụ tài chính',
  'procedure:8': 'Dừng xử lý',
  'procedure:9': 'Đã xử lý xong',
  'procedure:10': 'Đã trả kết quả',
  'document:02': 'Từ chối tiếp nhận',
  'document:03': 'Đã tiếp nhận',
  'document:04': 'Phân công',
  'document:05': 'Đang xử lý',
  'document:06': 'Hoàn thành',
};

/** CSP violations and other console errors, per page. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (apply|load|execute)/i.test(text)) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

async function openApp(page: Page, url: string): Promise<string[]> {
  const problems = watchConsole(page);
  await page.goto(url);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('filter-scope-all').click();
  // Items that an action closes (refused, returned, done) stay in the list.
  await page.getByTestId('filter-closed').click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible();
  return problems;
}

async function find(app: WebAppHandle, kind: Kind, statuses: string[], opts: { overdue?: boolean } = {}): Promise<Target> {
  const r = await app.command({ cmd: 'find', kind, statuses, overdue: opts.overdue ?? false });
  const id = String(r['id']);
  return { kind, id, ref: String(r['ref']), itemId: `training-${kind}:${id}` };
}

async function backendStatus(app: WebAppHandle, t: Target): Promise<{ status: string | null; steps: number; replies: number }> {
  const r = await app.command({ cmd: 'item', kind: t.kind, id: t.id });
  return { status: (r['status'] as string | null) ?? null, steps: Number(r['steps'] ?? 0), replies: Number(r['replies'] ?? 0) };
}

function row(page: Page, t: Target): Locator {
  return page.locator(`[data-testid="queue-row"][data-item-id="${t.itemId}"]`);
}

/** Search for the item (the sync may still be bringing it in), select it and wait for its detail. */
async function openItem(page: Page, t: Target): Promise<void> {
  await page.getByTestId('search').fill(t.ref);
  await expect(row(page, t)).toBeVisible({ timeout: 20_000 });
  await row(page, t).click();
  await expect(page.locator(`[data-testid="detail"] article[data-item-id="${t.itemId}"]`)).toBeVisible();
  await expect(page.getByTestId('action-bar')).toHaveAttribute('data-for-item', t.itemId);
}

/** Open an action's form with its button, or from the keyboard (`a`, then its number). */
async function openForm(page: Page, kind: ItemActionKind, via: 'click' | 'keys' = 'click'): Promise<Locator> {
  if (via === 'keys') {
    await page.getByTestId('queue').focus();
    await page.keyboard.press('a');
    const menu = page.getByTestId('action-menu');
    await expect(menu).toBeVisible();
    const kinds = await menu.getByTestId('action-menu-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    const index = kinds.indexOf(kind);
    expect(index, `${kind} offered in ${kinds.join(', ')}`).toBeGreaterThanOrEqual(0);
    await page.keyboard.press(String(index + 1));
  } else {
    await page.locator(`[data-testid="action-button"][data-kind="${kind}"]`).click();
  }
  const form = page.locator(`[data-testid="action-form"][data-kind="${kind}"]`);
  await expect(form).toBeVisible();
  return form;
}

/** Fill and submit (Enter or the button); the form closes once the core has queued the action. */
async function act(page: Page, kind: ItemActionKind, fill?: (form: Locator) => Promise<void>, opts: { via?: 'click' | 'keys'; submit?: 'click' | 'enter' } = {}): Promise<void> {
  const form = await openForm(page, kind, opts.via);
  if (fill) await fill(form);
  if (opts.submit === 'enter') await page.keyboard.press('Enter');
  else await form.getByTestId('action-submit').click();
  await expect(form).toHaveCount(0);
}

const stepCount = (page: Page): Promise<number> => page.locator('[data-testid="detail"] .timeline__item').count();

/** The action reached the backend and came back: status in words, no pending mark, a new step. */
async function landed(page: Page, app: WebAppHandle, t: Target, status: string, stepsBefore?: number): Promise<void> {
  await expect.poll(async () => (await backendStatus(app, t)).status, { timeout: 30_000 }).toBe(status);
  await expect(row(page, t).getByTestId('row-pending')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('detail-pending')).toHaveCount(0);
  await expect(page.getByTestId('detail-status')).toHaveText(STATUS_WORDS[`${t.kind}:${status}`] ?? status);
  await expect(row(page, t)).toHaveAttribute('data-status', status);
  if (stepsBefore !== undefined) await expect.poll(() => stepCount(page)).toBeGreaterThan(stepsBefore);
}

async function fillReason(form: Locator, text = 'Hồ sơ không thuộc thẩm quyền giải quyết'): Promise<void> {
  await form.getByTestId('action-field-reason').fill(text);
}

test.describe('acting on dossiers and documents', () => {
  test('every dossier action lands on the procedure system', async ({ page, app }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, app.openUrl);

    // A: new online dossier, through its whole life.
    const a = await find(app, 'procedure', ['1']);
    await openItem(page, a);
    await expect(page.getByTestId('detail-status')).toHaveText('Mới đăng ký');
    let steps = await stepCount(page);
    await act(page, 'dossier.receive', undefined, { via: 'keys' });
    await landed(page, app, a, '2', steps);

    // A validation message in Vietnamese first, then the real request.
    const supplement = await openForm(page, 'dossier.requestSupplement');
    await supplement.getByTestId('action-submit').click();
    await expect(supplement.getByTestId('action-error').first()).toContainText('Vui lòng ghi rõ giấy tờ cần bổ sung');
    await supplement.getByTestId('action-field-missing').fill('Bản sao Giấy chứng sinh có chứng thực');
    steps = await stepCount(page);
    await supplement.getByTestId('action-submit').click();
    await landed(page, app, a, '5', steps);

    steps = await stepCount(page);
    await act(page, 'dossier.supplementReceived', undefined, { via: 'keys' });
    await landed(page, app, a, '4', steps);

    steps = await stepCount(page);
    await act(page, 'dossier.forward', async (form) => {
      await form.locator('[data-testid="action-official"][data-username="canbo.mai"]').click();
    });
    await landed(page, app, a, '4', steps);
    await expect(page.locator('[data-testid="detail"]')).toContainText('Lê Thị Mai');

    steps = await stepCount(page);
    await act(page, 'dossier.sendBack', (form) => fillReason(form, 'Đề nghị kiểm tra lại thông tin người yêu cầu'));
    await landed(page, app, a, '4', steps);

    steps = await stepCount(page);
    await act(page, 'dossier.requestFees', async (form) => {
      const name = form.getByTestId('action-fee-name').first();
      if ((await name.inputValue()) === '') {
        await name.fill('Lệ phí đăng ký hộ tịch');
        await form.getByTestId('action-fee-amount').first().fill('8.000');
      }
    });
    await landed(page, app, a, '6', steps);

    steps = await stepCount(page);
    await act(page, 'dossier.recordResult', (form) => form.getByTestId('action-field-resultName').fill('Giấy khai sinh (bản chính)'));
    await landed(page, app, a, '9', steps);

    steps = await stepCount(page);
    await act(page, 'dossier.returnResult', undefined, { via: 'keys', submit: 'enter' });
    await landed(page, app, a, '10', steps);
    await expect(page.getByTestId('action-bar')).toContainText('Không có thao tác nào');

    // B: refused at reception.
    const b = await find(app, 'procedure', ['2']);
    await openItem(page, b);
    steps = await stepCount(page);
    await act(page, 'dossier.refuse', (form) => fillReason(form));
    await landed(page, app, b, '3', steps);

    // C: processing stopped.
    const c = await find(app, 'procedure', ['4']);
    await openItem(page, c);
    steps = await stepCount(page);
    await act(page, 'dossier.stop', (form) => fillReason(form, 'Công dân đề nghị dừng để bổ sung hồ sơ khác'));
    await landed(page, app, c, '8', steps);

    // D: a late dossier: apology and a new appointment (status unchanged, a new step).
    const d = await find(app, 'procedure', ['2', '4', '6'], { overdue: true });
    await openItem(page, d);
    const status = (await backendStatus(app, d)).status ?? '';
    const before = (await backendStatus(app, d)).steps;
    steps = await stepCount(page);
    await act(page, 'dossier.apology', (form) => fillReason(form, 'Cần thêm thời gian xác minh thông tin'));
    await expect.poll(async () => (await backendStatus(app, d)).steps, { timeout: 30_000 }).toBeGreaterThan(before);
    await landed(page, app, d, status, steps);

    expect(problems).toEqual([]);
  });

  test('every document action lands on the document gateway', async ({ page, app }) => {
    test.setTimeout(90_000);
    const problems = await openApp(page, app.openUrl);

    const x = await find(app, 'document', ['01']);
    await openItem(page, x);
    await act(page, 'document.register', (form) => form.getByTestId('action-field-incomingNumber').fill('245'), { via: 'keys' });
    await landed(page, app, x, '03');
    await expect(page.getByTestId('detail')).toContainText('245');

    await act(page, 'document.assign', async (form) => {
      await form.locator('tr[data-username="canbo.mai"]').getByTestId('action-assign-lead').click();
      await form.locator('tr[data-username="canbo.hung"]').getByTestId('action-assign-cooperating').click();
      await form.getByTestId('action-field-instruction').fill('Tham mưu văn bản trả lời trước hạn');
    });
    await landed(page, app, x, '04');

    await act(page, 'document.inProgress');
    await landed(page, app, x, '05');

    const reply = await openForm(page, 'document.reply');
    await expect(reply.getByTestId('action-field-subject')).toHaveValue(`V/v trả lời văn bản số ${x.ref}`);
    await reply.getByTestId('action-submit').click();
    await expect.poll(async () => (await backendStatus(app, x)).replies, { timeout: 30_000 }).toBe(1);
    await landed(page, app, x, '05');

    await act(page, 'document.done');
    await landed(page, app, x, '06');

    const y = await find(app, 'document', ['01']);
    await openItem(page, y);
    await act(page, 'document.refuse', (form) => fillReason(form, 'Văn bản gửi nhầm đơn vị'));
    await landed(page, app, y, '02');

    expect(problems).toEqual([]);
  });
});

test.describe('offline, conflicts, palette, audit', () => {
  test('offline: the action waits with a pending mark and the banner count, then lands', async ({ page, app }) => {
    const problems = await openApp(page, app.openUrl);
    const x = await find(app, 'document', ['01']);
    await openItem(page, x);

    await app.command({ cmd: 'sandbox-stop' });
    try {
      await expect(page.getByTestId('offline-banner')).toBeVisible({ timeout: 20_000 });
      await act(page, 'document.register', (form) => form.getByTestId('action-field-incomingNumber').fill('301'));
      // Applied at once (optimistic), marked as waiting, counted in the banner and the top bar.
      await expect(row(page, x).getByTestId('row-pending')).toBeVisible();
      await expect(page.getByTestId('detail-pending')).toBeVisible();
      await expect(page.getByTestId('detail-status')).toHaveText('Đã tiếp nhận');
      await expect(page.getByTestId('offline-banner')).toContainText('Mất kết nối tới');
      await expect(page.getByTestId('offline-banner')).toContainText('1 thao tác đang chờ gửi');
      await expect(page.getByTestId('outbox-button')).toHaveAttribute('data-count', '1');
      // The next action is offered from the optimistic status, offline too.
      await expect(page.locator('[data-testid="action-button"][data-kind="document.assign"]')).toBeVisible();
    } finally {
      await app.command({ cmd: 'sandbox-start' });
    }
    await landed(page, app, x, '03');
    await expect(page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('outbox-button')).toHaveAttribute('data-count', '0');
    expect(problems).toEqual([]);
  });

  /**
   * Act while the backend is unreachable, let another official change the item there meanwhile,
   * then bring it back: the queued action meets the newer version.
   */
  async function conflictOn(page: Page, app: WebAppHandle, t: Target): Promise<Locator> {
    await openItem(page, t);
    await app.command({ cmd: 'sandbox-stop' });
    try {
      await act(page, 'dossier.requestSupplement', (form) => form.getByTestId('action-field-missing').fill('Bản sao sổ hộ khẩu'));
      await expect(row(page, t).getByTestId('row-pending')).toBeVisible();
      await app.command({ cmd: 'touch', kind: t.kind, id: t.id });
    } finally {
      await app.command({ cmd: 'sandbox-start' });
    }
    await expect(row(page, t).getByTestId('row-attention')).toHaveAttribute('data-attention', 'conflict', { timeout: 30_000 });
    await expect(page.getByTestId('detail-attention')).toHaveText('Xung đột');
    await page.getByTestId('outbox-button').click();
    const panel = page.getByTestId('outbox-panel');
    await expect(panel).toBeVisible();
    const entry = panel.locator(`[data-testid="outbox-entry"][data-item-id="${t.itemId}"][data-state="conflict"]`);
    await expect(entry.getByTestId('outbox-state')).toHaveText('Xung đột');
    const view = entry.getByTestId('conflict-view');
    await expect(view).toContainText('Khi bạn thao tác');
    await expect(view).toContainText('Hiện tại trên hệ thống');
    await expect(view).toContainText('Đang xử lý');
    // At least the update time differs, highlighted.
    await expect(view.locator('tr.is-changed')).not.toHaveCount(0);
    return entry;
  }

  test('conflict: both versions side by side; "Vẫn thực hiện" sends it against the current version', async ({ page, app }) => {
    const problems = await openApp(page, app.openUrl);
    const t = await find(app, 'procedure', ['4']);
    const entry = await conflictOn(page, app, t);
    await entry.getByTestId('conflict-apply').click();
    await expect.poll(async () => (await backendStatus(app, t)).status, { timeout: 30_000 }).toBe('5');
    await expect(page.locator(`[data-testid="outbox-entry"][data-item-id="${t.itemId}"]`)).toHaveCount(0);
    await expect(row(page, t).getByTestId('row-attention')).toHaveCount(0);
    expect(problems).toEqual([]);
  });

  test('conflict: "Bỏ thao tác" drops the action and the optimistic status', async ({ page, app }) => {
    const problems = await openApp(page, app.openUrl);
    const t = await find(app, 'procedure', ['4']);
    const entry = await conflictOn(page, app, t);
    await entry.getByTestId('conflict-discard').click();
    await expect(page.locator(`[data-testid="outbox-entry"][data-item-id="${t.itemId}"]`)).toHaveCount(0);
    await expect(row(page, t).getByTestId('row-attention')).toHaveCount(0, { timeout: 20_000 });
    await expect(row(page, t)).toHaveAttribute('data-status', '4');
    expect((await backendStatus(app, t)).status).toBe('4');
    expect(problems).toEqual([]);
  });

  test('the command palette runs an action, and the audit log lists it and verifies', async ({ page, app }) => {
    const problems = await openApp(page, app.openUrl);
    const t = await find(app, 'procedure', ['4']);
    await openItem(page, t);
    const steps = await stepCount(page);

    await page.getByTestId('queue').focus();
    await page.keyboard.press('Control+k');
    await expect(page.getByTestId('palette')).toBeVisible();
    await page.getByTestId('palette-input').fill('yeu cau bo sung');
    await expect(page.getByTestId('palette-item').first()).toHaveAttribute('data-command-id', 'action:dossier.requestSupplement');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('palette')).toHaveCount(0);
    const form = page.locator('[data-testid="action-form"][data-kind="dossier.requestSupplement"]');
    await expect(form.getByTestId('action-field-missing')).toBeFocused();
    await page.keyboard.type('Tờ khai có chữ ký của người yêu cầu');
    await page.keyboard.press('Enter');
    await landed(page, app, t, '5', steps);

    // Palette: app commands, diacritics ignored.
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').fill('nhat ky');
    await expect(page.getByTestId('palette-item').first()).toHaveAttribute('data-command-id', 'app:audit');
    await page.keyboard.press('Enter');

    const audit = page.getByTestId('audit-panel');
    await expect(audit).toBeVisible();
    await expect(audit.locator('[data-testid="audit-entry"][data-kind="action"]').first()).toBeVisible();
    await expect(audit).toContainText(t.ref);
    await audit.getByTestId('audit-verify').click();
    await expect(audit.getByTestId('audit-verify-result')).toHaveAttribute('data-ok', 'true');
    await expect(audit.getByTestId('audit-verify-result')).toContainText('toàn vẹn');
    const download = page.waitForEvent('download');
    await audit.getByTestId('audit-export').click();
    expect((await download).suggestedFilename()).toMatch(/\.jsonl$/);
    expect(problems).toEqual([]);
  });
});
