/**
 * Issue #6 end to end in Chromium against the real browser host, core, SQLite cache and training
 * sandbox: a CCCD QR code "typed" by a scanner into the window (trusted key events, a few ms apart,
 * then Enter) lands on the right citizen — from the queue list and from inside a text field, which
 * gets its value back —, the new-dossier form is prefilled with the card's and the cache's values and
 * says where each came from; an invalid scan shows a Vietnamese message; search finds the same
 * dossier with and without diacritics. Declare once, sent: a new dossier with a paper ticked from the
 * catalogue, a free-text paper and the catalogue's fee paid at the counter; a supplement recorded for a
 * dossier waiting for papers (status 5), with the requested paper, a corrected phone → status 4.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { cccdFacts } from '../../src/shared/citizen';
import { foldVietnamese } from '../../src/shared/text';
import { expect, test, type WebAppHandle } from './support/fixtures';

interface Applicant {
  itemId: string;
  ref: string;
  name: string;
  idNumber: string;
  phone: string | null;
  birthYear: number;
  sex: 'male' | 'female';
}

async function call<T>(request: APIRequestContext, app: WebAppHandle, method: string, input: unknown): Promise<T> {
  const res = await request.post(new URL(`/api/${method}`, app.url).toString(), { headers: { Authorization: `Bearer ${app.token}` }, data: input });
  const body = (await res.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message ?? 'failed'}`);
  return body.data as T;
}

/** Wait until an outbox entry is done (the backend accepted it). */
async function waitDone(request: APIRequestContext, app: WebAppHandle, itemId: string, id: string): Promise<void> {
  await expect
    .poll(async () => (await call<{ entries: { id: string; state: string }[] }>(request, app, 'outbox.list', { itemId, limit: 20 })).entries.find((e) => e.id === id)?.state, {
      timeout: 30_000,
    })
    .toBe('done');
}

/** A cached dossier whose applicant is a person with a 12-digit CCCD (ground truth: the cache, once synced). */
async function findApplicant(request: APIRequestContext, app: WebAppHandle): Promise<Applicant> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const found = await tryFindApplicant(request, app);
    if (found) return found;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  throw new Error('no dossier with a personal applicant in the cache after 30 s');
}

async function tryFindApplicant(request: APIRequestContext, app: WebAppHandle): Promise<Applicant | null> {
  const page = await call<{ items: { id: string }[] }>(request, app, 'queue.list', {
    filter: { includeClosed: true, sources: ['procedure'], scope: 'all' },
    offset: 0,
    limit: 200,
  });
  for (const { id } of page.items) {
    const got = await call<{ item: { ref: string }; detail: { applicant: string; applicantIdNumber: string | null; applicantType: number; phone: string | null } }>(
      request,
      app,
      'item.get',
      { id },
    );
    const d = got.detail;
    const facts = d.applicantIdNumber ? cccdFacts(d.applicantIdNumber) : null;
    // A name with marks, so the search with and without diacritics differs.
    if (d.applicantType === 1 && facts && foldVietnamese(d.applicant) !== d.applicant.toLowerCase()) {
      return { itemId: id, ref: got.item.ref, name: d.applicant, idNumber: d.applicantIdNumber ?? '', phone: d.phone, birthYear: facts.birthYear, sex: facts.sex };
    }
  }
  return null;
}

function qrOf(a: Applicant, address = 'Số 3 Liễu Giai, phường Ngọc Hà, Hà Nội'): string {
  return `${a.idNumber}||${a.name}|1506${a.birthYear}|${a.sex === 'male' ? 'Nam' : 'Nữ'}|${address}|01072021`;
}

/**
 * What a keyboard-emulating scanner does: one trusted key press per character (through the DevTools
 * protocol, so Vietnamese letters come as key events with their character, as a scanner's Unicode
 * input does; Playwright's keyboard knows only the US layout's keys), then Enter.
 */
async function scan(page: Page, text: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    // Stamped 4 ms apart like a scanner's keys (the OS stamps real input when the device sends it; without
    // a stamp, a loaded 2-core machine spaces CDP events like human typing). Sent back to back.
    const start = Date.now() / 1000;
    let n = 0;
    const stamp = (): number => start + (n++ * 4) / 1000;
    const sends: Promise<unknown>[] = [];
    for (const ch of text) {
      const timestamp = stamp();
      sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, unmodifiedText: ch, timestamp }));
      sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch, timestamp: timestamp + 0.001 }));
    }
    const timestamp = stamp();
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r', timestamp }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, timestamp: timestamp + 0.001 }));
    await Promise.all(sends);
  } finally {
    await cdp.detach();
  }
}

async function openApp(page: Page, app: WebAppHandle): Promise<void> {
  await page.goto(app.openUrl);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('queue-row').first()).toBeVisible();
}

test.describe('counter mode and the citizen view', () => {
  // The first test waits for the training sync to land a personal applicant's dossier.
  test.describe.configure({ timeout: 120_000 });
  test('a scan on the queue lands on the right citizen with the new-dossier form prefilled, sources shown', async ({ page, app, request }) => {
    const a = await findApplicant(request, app);
    await openApp(page, app);
    await page.getByTestId('queue-row').first().click();
    await scan(page, qrOf(a));

    await expect(page.getByTestId('screen-citizen')).toBeVisible();
    await expect(page.getByTestId('citizen-name')).toHaveText(a.name);
    await expect(page.getByTestId('citizen-id')).toContainText(a.idNumber);
    await expect(page.locator(`[data-testid="citizen-timeline-entry"][data-item-id="${a.itemId}"]`)).toBeVisible();

    // Declare once: the card's values and the cache's, each with where it came from.
    const form = page.getByTestId('citizen-form');
    await expect(form).toBeVisible();
    await expect(page.getByTestId('citizen-form-fullName')).toHaveValue(a.name);
    await expect(page.getByTestId('citizen-form-idNumber')).toHaveValue(a.idNumber);
    await expect(page.getByTestId('citizen-form-birthDate')).toHaveValue(`${a.birthYear}-06-15`);
    await expect(page.getByTestId('citizen-form-birthDate-source')).toContainText('từ CCCD quét lúc');
    await expect(page.getByTestId('citizen-form-address')).toHaveValue('Số 3 Liễu Giai, phường Ngọc Hà, Hà Nội');
    await expect(page.getByTestId('citizen-form-sex')).toHaveValue(a.sex);
    if (a.phone !== null) {
      await expect(page.getByTestId('citizen-form-phone')).toHaveValue(a.phone.replace(/\D/g, ''));
      await expect(page.getByTestId('citizen-form-phone-source')).toContainText('từ hồ sơ');
    }
    // The scanner's letters never reached the queue's shortcuts (c = compose, r = reply…).
    await expect(page.getByTestId('compose')).toHaveCount(0);

    // Send it (issue #6 point 4): without a procedure → a Vietnamese message, nothing sent.
    await page.getByTestId('citizen-form-send').click();
    await expect(page.getByTestId('citizen-register-invalid')).toContainText('Chưa chọn thủ tục');
    await expect(page.getByTestId('citizen-register-status')).toHaveCount(0);
    // The picker holds the sandbox's catalogue (procedures.list → LayDanhSachTTHC).
    const picker = page.getByTestId('citizen-form-procedure');
    await expect(picker).toBeEnabled();
    await picker.selectOption({ label: 'Chứng thực chữ ký trong các giấy tờ, văn bản' });
    await page.getByTestId('citizen-form-summary').fill('Chứng thực chữ ký trong giấy ủy quyền');
    // Papers: the catalogue's component papers to tick, and one typed.
    await expect(page.getByTestId('citizen-paper-option')).toHaveCount(2);
    await page.locator('[data-testid="citizen-paper-option"][data-name="Giấy tờ, văn bản cần chứng thực chữ ký"]').check();
    await page.getByTestId('citizen-paper-input').fill('Giấy ủy quyền (bản chính)');
    await page.getByTestId('citizen-paper-add').click();
    await expect(page.getByTestId('citizen-paper-extra')).toHaveText(/Giấy ủy quyền \(bản chính\)/);
    // Fees: the catalogue's, prefilled; a wrong amount is refused in Vietnamese, then paid at the counter.
    await expect(page.getByTestId('citizen-fee-name')).toHaveValue('Phí chứng thực chữ ký');
    await expect(page.getByTestId('citizen-fee-amount')).toHaveValue('10000');
    await page.getByTestId('citizen-fee-amount').fill('mười nghìn');
    await page.getByTestId('citizen-form-send').click();
    await expect(page.getByTestId('citizen-register-invalid')).toContainText('Mức phí phải là số tiền');
    await page.getByTestId('citizen-fee-amount').fill('10.000');
    await page.getByTestId('citizen-fee-paid').check();
    // A scanned paper: too big is refused with the limit; a real one is staged and sent with the dossier.
    const files = page.getByTestId('citizen-files-input');
    await files.setInputFiles({ name: 'qua-lon.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 1) });
    await expect(page.getByTestId('citizen-files-problem')).toContainText('tối đa 5 MB');
    const scanned = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(30_000, 7)]);
    await files.setInputFiles({ name: 'giay-uy-quyen.pdf', mimeType: 'application/pdf', buffer: scanned });
    await expect(page.getByTestId('citizen-file')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('citizen-files-problem')).toHaveCount(0);
    await page.getByTestId('citizen-form-send').click();
    await expect(page.getByTestId('citizen-register-invalid')).toHaveCount(0);
    const status = page.getByTestId('citizen-register-status');
    await expect(status).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(status).toContainText(/Đã tiếp nhận hồ sơ 000\.26\.13\.H26-\d{6}-\d{4}/);
    const code = /(000\.26\.13\.H26-\d{6}-\d{4})/.exec(await status.innerText())?.[1] ?? '';
    // The new dossier is on the citizen's timeline at once (the backend's record landed in the cache).
    const created = page.locator(`[data-testid="citizen-timeline-entry"][data-item-id="training-procedure:${code}"]`);
    await expect(created).toBeVisible();
    await expect(created).toContainText('Chứng thực chữ ký trong giấy ủy quyền');
    const got = await call<{ detail: { applicantIdNumber: string; applicant: string; procedureName: string; files: { name: string; size: number | null }[]; fees: unknown[] } }>(
      request,
      app,
      'item.get',
      { id: `training-procedure:${code}` },
    );
    expect(got.detail).toMatchObject({ applicantIdNumber: a.idNumber, applicant: a.name, procedureName: 'Chứng thực chữ ký trong các giấy tờ, văn bản' });
    expect(got.detail.files.map((f) => [f.name, f.size])).toEqual([
      ['Giấy tờ, văn bản cần chứng thực chữ ký', null],
      ['Giấy ủy quyền (bản chính)', null],
      ['giay-uy-quyen.pdf', scanned.length],
    ]);
    expect(got.detail.fees).toEqual([{ name: 'Phí chứng thực chữ ký', amount: 10_000, paid: true }]);
  });

  test('a supplement for a dossier waiting for papers is recorded with its papers and a corrected phone', async ({ page, app, request }) => {
    // A citizen of our own with a dossier asked for papers (status 5), made through the same API.
    const person = { applicantName: 'Phạm Thị Thu Hà', idNumber: '001188654321', birthDate: '1988-09-21', sex: 'female', address: 'Số 20 phố Hoàng Hoa Thám, Hà Nội', phone: '0987654321' };
    const procedures = await call<{ procedures: { backendId: string; code: string; name: string }[] }>(request, app, 'procedures.list', {});
    const proc = procedures.procedures.find((p) => p.name === 'Cấp Giấy xác nhận tình trạng hôn nhân');
    if (!proc) throw new Error('the catalogue lost "Cấp Giấy xác nhận tình trạng hôn nhân"');
    const registered = await call<{ id: string; itemId: string }>(request, app, 'dossier.register', {
      backendId: proc.backendId,
      action: { kind: 'dossier.register', procedureCode: proc.code, ...person, summary: 'Xác nhận tình trạng hôn nhân để đăng ký kết hôn', papers: ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân'] },
    });
    await waitDone(request, app, registered.itemId, registered.id);
    const view = await call<{ timeline: { item: { id: string; ref: string; updatedAt: number; source: string } }[] }>(request, app, 'citizen.view', { idNumber: person.idNumber });
    const dossier = view.timeline.find((e) => e.item.source === 'procedure')?.item;
    if (!dossier) throw new Error('the new dossier is not on the timeline');
    const asked = await call<{ id: string; itemId: string }>(request, app, 'action.submit', {
      itemId: dossier.id,
      action: { kind: 'dossier.requestSupplement', missing: 'Bổ sung giấy tờ chứng minh nơi cư trú' },
      baseUpdatedAt: dossier.updatedAt,
    });
    await waitDone(request, app, dossier.id, asked.id);

    await openApp(page, app);
    await page.getByTestId('nav-citizen').click();
    await page.getByTestId('citizen-search-input').fill(person.idNumber);
    await page.getByTestId('citizen-search-submit').click();
    await page.locator(`[data-testid="citizen-person"][data-id="${person.idNumber}"] button`).click();
    await expect(page.getByTestId('citizen-name')).toHaveText(person.applicantName);
    await page.getByTestId('citizen-supplement').click();
    const form = page.getByTestId('citizen-form');
    await expect(form).toHaveAttribute('data-kind', 'supplement');
    // Only the dossier waiting for papers is offered; the person's fields come prefilled with their source.
    await expect(page.getByTestId('citizen-supplement-dossier').locator('option')).toHaveCount(1);
    await expect(page.getByTestId('citizen-supplement-dossier')).toHaveValue(dossier.id);
    await expect(page.getByTestId('citizen-form-phone')).toHaveValue(person.phone);
    await expect(page.getByTestId('citizen-form-phone-source')).toContainText(`từ hồ sơ ${dossier.ref}`);
    // Nothing ticked or typed: a Vietnamese message, nothing sent.
    await page.getByTestId('citizen-supplement-send').click();
    await expect(page.getByTestId('citizen-register-invalid')).toContainText('Chưa ghi giấy tờ nào nhận bổ sung');
    // The paper the request asked for, and a corrected phone number.
    const requested = page.locator('[data-testid="citizen-paper-option"][data-name="Bổ sung giấy tờ chứng minh nơi cư trú"]');
    await requested.check();
    await page.getByTestId('citizen-form-phone').fill('0912 000 111');
    await expect(page.getByTestId('citizen-supplement-corrected')).toBeVisible();
    // The paper scanned, sent with it.
    const scanned = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(12_000, 3)]);
    await page.getByTestId('citizen-files-input').setInputFiles({ name: 'xac-nhan-cu-tru.pdf', mimeType: 'application/pdf', buffer: scanned });
    await expect(page.getByTestId('citizen-file')).toHaveAttribute('data-state', 'ready');
    await page.getByTestId('citizen-supplement-send').click();
    const status = page.getByTestId('citizen-register-status');
    await expect(status).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(status).toContainText(`Đã ghi nhận hồ sơ bổ sung cho hồ sơ ${dossier.ref}`);
    // Back in processing on the timeline, with the paper and the new phone on the dossier.
    await expect(page.locator(`[data-testid="citizen-timeline-entry"][data-item-id="${dossier.id}"]`)).toContainText('Đang xử lý');
    const got = await call<{ item: { status: string }; detail: { files: { name: string; size: number | null }[]; phone: string | null; supplements: { receivedAt: number | null }[] } }>(
      request,
      app,
      'item.get',
      { id: dossier.id },
    );
    expect(got.item.status).toBe('4');
    expect(got.detail.files.map((f) => [f.name, f.size])).toEqual([
      ['Tờ khai cấp Giấy xác nhận tình trạng hôn nhân', null],
      ['Bổ sung giấy tờ chứng minh nơi cư trú', null],
      ['xac-nhan-cu-tru.pdf', scanned.length],
    ]);
    expect(got.detail.phone).toBe('0912000111');
    expect(got.detail.supplements.at(-1)?.receivedAt).not.toBeNull();
    // No other dossier of hers waits for papers now.
    await page.getByTestId('citizen-new-dossier').click();
    await page.getByTestId('citizen-supplement').click();
    await expect(page.getByTestId('citizen-supplement-none')).toBeVisible();
  });

  test('a scan typed into a text field opens the citizen and gives the field its value back', async ({ page, app, request }) => {
    const a = await findApplicant(request, app);
    await openApp(page, app);
    const search = page.getByTestId('search');
    await search.click();
    await search.fill('khai');
    await scan(page, qrOf(a));
    await expect(page.getByTestId('screen-citizen')).toBeVisible();
    await expect(page.getByTestId('citizen-name')).toHaveText(a.name);
    await expect(search).toHaveValue('khai');
  });

  test('an invalid scan shows a Vietnamese message and opens nothing', async ({ page, app, request }) => {
    const a = await findApplicant(request, app);
    await openApp(page, app);
    await page.getByTestId('queue-row').first().click();
    // The sex on the card contradicts the ID number's century/sex digit.
    const wrong = qrOf({ ...a, sex: a.sex === 'male' ? 'female' : 'male' });
    await scan(page, wrong);
    await expect(page.getByTestId('notice')).toContainText('không khớp giới tính');
    await expect(page.getByTestId('screen-citizen')).toHaveCount(0);
  });

  test('search finds the dossier with and without diacritics, grouped under its citizen and case', async ({ page, app, request }) => {
    const a = await findApplicant(request, app);
    await openApp(page, app);
    await page.getByTestId('nav-citizen').click();
    const input = page.getByTestId('citizen-search-input');
    const hitIds = async (): Promise<string[]> =>
      (await page.getByTestId('citizen-hit').evaluateAll((els) => els.map((el) => el.getAttribute('data-item-id') ?? ''))).sort();

    await input.fill(a.name);
    await page.getByTestId('citizen-search-submit').click();
    const hit = page.locator(`[data-testid="citizen-hit"][data-item-id="${a.itemId}"]`);
    await expect(hit).toBeVisible();
    const group = page.locator('[data-testid="citizen-group"]', { has: hit });
    await expect(group).toHaveAttribute('data-citizen', a.idNumber);
    await expect(group).toContainText(a.ref);
    const withMarks = await hitIds();

    await input.fill(foldVietnamese(a.name));
    await page.getByTestId('citizen-search-submit').click();
    await expect(hit).toBeVisible();
    await expect.poll(hitIds).toEqual(withMarks);
    await expect(page.locator(`[data-testid="citizen-person"][data-id="${a.idNumber}"]`)).toBeVisible();

    // Privacy mode: the citizen being served stays readable, others are masked.
    await page.locator(`[data-testid="citizen-person"][data-id="${a.idNumber}"] button`).click();
    await expect(page.getByTestId('citizen-name')).toHaveText(a.name);
    await page.getByTestId('citizen-privacy').check();
    await expect(page.getByTestId('citizen-name')).toHaveText(a.name);
    const otherCitizenGroups = page.locator(`[data-testid="citizen-group"]:not([data-citizen="${a.idNumber}"]):not([data-citizen=""])`);
    if ((await otherCitizenGroups.count()) > 0) {
      const head = otherCitizenGroups.first().locator('.citizen-group__head');
      await expect(head).toContainText('•');
    }
    // …and on the queue, which a visitor at the counter can see too.
    await page.getByTestId('nav-queue').click();
    const parties = page.locator('[data-testid="queue-row"]:not([data-source="document"]) .queue-row__party');
    await expect(parties.first()).toBeVisible();
    const texts = await parties.allTextContents();
    const masked = texts.filter((x) => /^(\p{L}\.\s?)+$/u.test(x.trim()));
    expect(masked.length).toBeGreaterThan(0);
    // Every citizen's name on the queue is masked, except the one being served.
    expect(texts.filter((x) => x !== a.name && !masked.includes(x))).toEqual([]);
    // …and in the detail of another citizen's dossier: name, ID, phone and address.
    const otherRow = page.locator('[data-testid="queue-row"][data-source="procedure"]').filter({ hasNotText: a.name }).first();
    await otherRow.click();
    const detail = page.getByTestId('detail');
    await expect(detail).toHaveAttribute('data-state', 'ready');
    const applicant = detail.locator('[data-masked="true"]').first();
    await expect(applicant).toHaveText(/^(\p{L}\.\s?)+$/u);
    await expect(detail).not.toContainText(/\b\d{12}\b/);
    await page.getByTestId('nav-citizen').click();
    await page.getByTestId('citizen-privacy').uncheck();
  });
});
