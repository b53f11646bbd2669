/**
 * Mail in the one window (issue #4), end to end in Chromium: the real browser host, core, outbox and
 * SQLite file, a mail account on real Dovecot + Postfix (users lan and hung) beside the training
 * backends, and a loopback HTTP server that records every request a mail could make.
 *
 * Reading safely (nothing in a hostile mail runs or loads; its own styles apply through CSSOM; remote
 * images wait for the official and are fetched by the core; links only from the list, after
 * confirming), attachments saved through the browser, flags that reach the server, links both ways,
 * and sending: a reply with an attachment and a new mail arrive in hung's mailbox, with a Sent copy.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { ImapFlow, type MessageStructureObject } from 'imapflow';
import { expect, test, type WebAppHandle } from './support/fixtures';
import { ATTACHMENT_NAME, attachmentMail, dossierMail, hostileMail, pdfBytes, vectorsMail, vietnameseMail, type SeedMail } from './support/mail-seed';

interface MailInfo {
  backendId: string;
  imap: { host: string; port: number };
  domain: string;
  users: Array<{ user: string; password: string; address: string; displayName: string }>;
  recorderUrl: string;
}

// Playwright's trace snapshotter injects scripts into every frame; the sandboxed mail frame blocks
// them and Chromium logs "Blocked script execution in 'about:srcdoc'" — the very message these tests
// must never see. Screenshots on failure stay on.
test.use({ trace: 'off' });

const TAG = `e2e-${Date.now().toString(36)}`;
const PDF = pdfBytes(6_000);

let info: MailInfo;
let dossierCode = '';
let documentRef = '';
const mails: Record<'hostile' | 'vectors' | 'vietnamese' | 'dossier' | 'attachment', SeedMail | null> = { hostile: null, vectors: null, vietnamese: null, dossier: null, attachment: null };

function seeded(which: keyof typeof mails): SeedMail {
  const m = mails[which];
  if (!m) throw new Error(`${which} mail not seeded`);
  return m;
}

function user(name: 'lan' | 'hung'): MailInfo['users'][number] {
  const u = info.users.find((x) => x.user === name);
  if (!u) throw new Error(`no user ${name}`);
  return u;
}

// ---------- the server side, read with imapflow ----------

async function withImap<T>(name: 'lan' | 'hung', folder: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const u = user(name);
  const client = new ImapFlow({ host: info.imap.host, port: info.imap.port, secure: false, doSTARTTLS: false, auth: { user: u.user, pass: u.password }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      return await fn(client);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** Flags of a message in lan's INBOX, by Message-ID. */
async function serverFlags(messageId: string): Promise<string[]> {
  return withImap('lan', 'INBOX', async (client) => {
    const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    const uid = uids ? uids[0] : undefined;
    if (uid === undefined) return ['(missing)'];
    const msg = await client.fetchOne(String(uid), { flags: true }, { uid: true });
    return msg && msg.flags ? [...msg.flags].sort() : [];
  });
}

function attachmentNames(node: MessageStructureObject | undefined): string[] {
  if (!node) return [];
  const own = node.disposition === 'attachment' ? [node.dispositionParameters?.['filename'] ?? node.parameters?.['name'] ?? '?'] : [];
  return [...own, ...(node.childNodes ?? []).flatMap(attachmentNames)];
}

/** Messages of a folder whose subject contains `fragment`: subject and attachment names. */
async function findMail(name: 'lan' | 'hung', folder: string, fragment: string): Promise<Array<{ subject: string; attachments: string[]; to: string[] }>> {
  return withImap(name, folder, async (client) => {
    const out: Array<{ subject: string; attachments: string[]; to: string[] }> = [];
    if (client.mailbox === false || client.mailbox.exists === 0) return out;
    for await (const msg of client.fetch('1:*', { envelope: true, bodyStructure: true })) {
      const subject = msg.envelope?.subject ?? '';
      if (subject.includes(fragment)) out.push({ subject, attachments: attachmentNames(msg.bodyStructure), to: (msg.envelope?.to ?? []).map((a) => a.address ?? '') });
    }
    return out;
  });
}

// ---------- the window ----------

/** CSP violations and other page errors (none may happen). */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (apply|load|execute|frame)|Blocked script execution/i.test(text)) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

async function openApp(page: Page, app: WebAppHandle): Promise<string[]> {
  const problems = watchConsole(page);
  await page.goto(app.openUrl);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('filter-scope-all').click();
  // Read mail stays visible (a read mail is no longer open work).
  await page.getByTestId('filter-closed').click();
  return problems;
}

function mailRow(page: Page, subject: string): Locator {
  return page.locator('[data-testid="queue-row"][data-source="mail"]').filter({ hasText: subject });
}

/** Search the mail (the sync may still be bringing it in), open it and wait for its content. */
async function openMail(page: Page, m: SeedMail): Promise<string> {
  await page.getByTestId('search').fill(m.subject);
  const row = mailRow(page, m.subject);
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  const itemId = (await row.getAttribute('data-item-id')) ?? '';
  await row.click();
  await expect(page.locator(`[data-testid="detail"] article[data-item-id="${itemId}"]`)).toBeVisible();
  await expect(page.getByTestId('mail-body')).toBeVisible({ timeout: 20_000 });
  return itemId;
}

/** The DOM of the mail frame as these checks read it (the tests compile without the DOM library). */
interface FrameNode {
  tagName: string;
  attributes: ArrayLike<{ name: string }>;
  hasAttribute(name: string): boolean;
  getAttribute(name: string): string | null;
  naturalWidth?: number;
}
interface FrameDocument {
  documentElement: FrameNode;
  images: ArrayLike<FrameNode>;
  querySelector(selector: string): FrameNode | null;
  querySelectorAll(selector: string): ArrayLike<FrameNode>;
}
interface FrameWindow {
  getComputedStyle(el: FrameNode): { color: string; fontWeight: string; position: string; backgroundColor: string };
}

/** The frame element as seen from the window: its document is readable (same origin). */
interface FrameElement {
  contentDocument: FrameDocument;
  contentWindow: FrameWindow;
}

/**
 * The mail frame, to read its document from the window (the frame itself never runs scripts). The
 * callbacks run in the page: they cast the element themselves and use no outer variables.
 */
function mailFrame(page: Page): Locator {
  return page.getByTestId('mail-frame');
}

async function noPending(page: Page): Promise<void> {
  await expect(page.getByTestId('detail-pending')).toHaveCount(0, { timeout: 30_000 });
}

async function hits(app: WebAppHandle): Promise<Array<{ path: string; userAgent: string }>> {
  const r = await app.command({ cmd: 'hits' });
  return r['hits'] as Array<{ path: string; userAgent: string }>;
}

async function routeExternal(context: BrowserContext): Promise<void> {
  await context.route(/^https:\/\/(dichvucong-gov\.vn\.login\.example|dichvucong\.gov\.vn)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>ngoài</title><p>trang ngoài</p>' }),
  );
}

test.describe.serial('mail in the window', () => {
  test.beforeAll(async ({ mailApp }) => {
    test.setTimeout(90_000);
    info = (await mailApp.command({ cmd: 'mail-info' })) as unknown as MailInfo;
    const lan = user('lan').address;
    const dossier = await mailApp.command({ cmd: 'find', kind: 'procedure', statuses: ['2', '4'] });
    dossierCode = String(dossier['ref']);
    const document = await mailApp.command({ cmd: 'find', kind: 'document', statuses: ['03', '04', '05'] });
    documentRef = String(document['ref']);
    mails.hostile = hostileMail(lan, info.recorderUrl, TAG);
    mails.vectors = vectorsMail(lan, info.recorderUrl, TAG);
    mails.vietnamese = vietnameseMail(lan, TAG);
    mails.dossier = dossierMail(user('hung').address, lan, dossierCode, TAG);
    mails.attachment = attachmentMail(lan, TAG, PDF);
    for (const m of Object.values(mails)) if (m) await mailApp.command({ cmd: 'mail-deliver', to: 'lan', raw: m.raw });
  });

  test('a hostile HTML mail: nothing runs or loads, its styles apply, links wait in the list', async ({ page, context, mailApp }) => {
    test.setTimeout(120_000);
    await routeExternal(context);
    const problems = await openApp(page, mailApp);
    const title = await page.title();
    const mail = seeded('hostile');
    const itemId = await openMail(page, mail);
    const frame = page.getByTestId('mail-frame');
    await expect(frame).toHaveAttribute('sandbox', 'allow-same-origin');
    await expect
      .poll(() => mailFrame(page).evaluate((el) => (el as unknown as FrameElement).contentDocument.documentElement.getAttribute('data-cw-ready')))
      .toBe('1');

    // Nothing active is left in the document, nothing carries a handler, a style attribute or a URL to follow.
    const leftovers = await mailFrame(page).evaluate((el) => {
      const doc = (el as unknown as FrameElement).contentDocument;
      const all = Array.from(doc.querySelectorAll('*'));
      const active = ['script', 'style', 'iframe', 'form', 'input', 'button', 'object', 'embed', 'svg', 'video', 'meta', 'link', 'base', 'image'];
      return {
        tags: all.map((e) => e.tagName.toLowerCase()).filter((t) => active.includes(t)),
        handlers: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
        // Inline styles never stay as attributes: they were applied through CSSOM from data-cw-style.
        styleAttrs: all.filter((e) => e.hasAttribute('style') && !e.hasAttribute('data-cw-style')).length,
        urls: all.filter((e) => ['href', 'action', 'formaction', 'background', 'ping', 'poster', 'srcset'].some((a) => e.hasAttribute(a))).length,
        srcs: Array.from(doc.images).map((i) => i.getAttribute('src') ?? ''),
      };
    });
    // The only <meta> are the frame's own CSP, charset and referrer policy.
    expect(leftovers.tags.filter((t) => t !== 'meta')).toEqual([]);
    expect(leftovers.handlers).toBe(0);
    expect(leftovers.styleAttrs).toBe(0);
    expect(leftovers.urls).toBe(0);
    expect(leftovers.srcs.every((s) => s === '' )).toBe(true);
    const metas = await mailFrame(page).evaluate((el) =>
      Array.from((el as unknown as FrameElement).contentDocument.querySelectorAll('meta')).map((m) => m.getAttribute('http-equiv') ?? m.getAttribute('name') ?? 'charset'),
    );
    expect(metas).toEqual(['Content-Security-Policy', 'charset', 'referrer']);

    // The mail's own look, applied through CSSOM: colours and weight yes, fixed positioning and expression() no.
    const styled = await mailFrame(page).evaluate((el) => {
      const { contentDocument: doc, contentWindow: win } = el as unknown as FrameElement;
      const cs = (selector: string) => {
        const node = doc.querySelector(selector);
        if (!node) throw new Error(`missing ${selector}`);
        return win.getComputedStyle(node);
      };
      return {
        color: cs('#styled').color,
        weight: cs('#styled').fontWeight,
        position: cs('#styled').position,
        heading: cs('#heading').color,
        cell: cs('td').backgroundColor,
        tableWidth: doc.querySelector('#layout')?.getAttribute('width') ?? null,
      };
    });
    expect(styled).toEqual({ color: 'rgb(0, 128, 0)', weight: '700', position: 'static', heading: 'rgb(200, 16, 46)', cell: 'rgb(255, 240, 200)', tableWidth: '480' });
    const height = Number(await frame.getAttribute('data-height'));
    expect(height).toBeGreaterThan(150);

    // Nothing ran and nothing reached the network.
    await page.waitForTimeout(1500);
    expect(await page.title()).toBe(title);
    expect(await hits(mailApp)).toEqual([]);

    // Links: neutralised in the body, listed with their real destination and warnings.
    const rows = page.getByTestId('mail-link');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toHaveAttribute('data-openable', 'false');
    await expect(rows.nth(0)).toHaveAttribute('data-warnings', 'blocked');
    await expect(rows.nth(1)).toHaveAttribute('data-host', 'dichvucong-gov.vn.login.example');
    await expect(rows.nth(1)).toHaveAttribute('data-dangerous', 'true');
    await expect(rows.nth(1).getByTestId('mail-link-warnings')).toContainText('Chữ hiển thị ghi “dichvucong.gov.vn” nhưng liên kết thật dẫn tới “dichvucong-gov.vn.login.example”');
    await expect(rows.nth(2)).toHaveAttribute('data-warnings', '');
    await expect(rows.nth(2)).toHaveAttribute('data-host', 'dichvucong.gov.vn');
    await expect(page.getByTestId('mail-links-danger')).toHaveText('2 liên kết đáng ngờ');

    // Clicking a marked link in the body only points at its row.
    await page.frameLocator('[data-testid="mail-frame"]').locator('[data-cw-link="2"]').click();
    await expect(rows.nth(1)).toHaveClass(/is-active/);
    expect(context.pages()).toHaveLength(1);

    // Opening needs a confirmation; cancelling opens nothing.
    await rows.nth(1).getByTestId('mail-link-open').click();
    const confirm = rows.nth(1).getByTestId('mail-link-confirm');
    await expect(confirm).toContainText('Mở dichvucong-gov.vn.login.example trong trình duyệt?');
    await expect(confirm).toContainText('dấu hiệu lừa đảo');
    await confirm.getByTestId('mail-link-confirm-cancel').click();
    await expect(confirm).toHaveCount(0);
    await page.waitForTimeout(300);
    expect(context.pages()).toHaveLength(1);
    await rows.nth(1).getByTestId('mail-link-open').click();
    const opened = context.waitForEvent('page');
    await rows.nth(1).getByTestId('mail-link-confirm-open').click();
    const popup = await opened;
    await popup.waitForURL('https://dichvucong-gov.vn.login.example/xac-thuc');
    // No opener: the external page cannot reach back into the workstation.
    expect(await popup.evaluate(() => (globalThis as unknown as { opener: unknown }).opener === null)).toBe(true);
    await popup.close();

    // Remote images: withheld with a bar; on request the core (never the window) fetches them.
    const bar = page.getByTestId('remote-images-bar');
    await expect(bar).toHaveAttribute('data-count', '2');
    await expect(bar).toContainText('Thư có 2 hình ảnh từ xa đã bị chặn');
    expect(await hits(mailApp)).toEqual([]);
    await bar.getByTestId('remote-images-show').click();
    await expect(bar).toHaveCount(0, { timeout: 20_000 });
    await expect
      .poll(() => mailFrame(page).evaluate((el) => Array.from((el as unknown as FrameElement).contentDocument.images).map((i) => (i.getAttribute('src') ?? '').slice(0, 22))))
      .toEqual(['data:image/png;base64,', 'data:image/png;base64,', '']);
    await expect
      .poll(() => mailFrame(page).evaluate((el) => (el as unknown as FrameElement).contentDocument.querySelector('#remote-logo')?.naturalWidth ?? 0))
      .toBe(1);
    const fetched = await hits(mailApp);
    expect(fetched.map((h) => h.path).sort()).toEqual(['/remote-logo.png', '/tracking.png?u=lan']);
    for (const h of fetched) expect(h.userAgent).not.toMatch(/Chrome|Mozilla/);

    expect(await page.title()).toBe(title);
    await expect(page.locator(`[data-testid="detail"] article[data-item-id="${itemId}"]`)).toBeVisible();

    // A reply quotes the mail's text (as the core decoded it), never its code.
    await page.getByTestId('detail').focus();
    await page.keyboard.press('r');
    const quote = page.getByTestId('compose-text');
    await expect(quote).toHaveValue(/đã viết:\n(?:> .*\n|>\n)*> Đoạn văn có định dạng riêng của thư\.\n/);
    expect(await quote.inputValue()).not.toMatch(/<script|onerror|onload|fetch\(|style-sheet|@import|expression\(/);
    // The reply puts the cursor in its text (a frame after the quote appears); Escape there, with
    // nothing typed yet, closes without asking.
    await expect(quote).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('compose')).toHaveCount(0);
    expect(problems).toEqual([]);
  });

  test('known sanitiser bypasses stay inert; an inline cid: image shows from the mail itself', async ({ page, mailApp }) => {
    const problems = await openApp(page, mailApp);
    const title = await page.title();
    const before = (await hits(mailApp)).length;
    await openMail(page, seeded('vectors'));
    await expect
      .poll(() => mailFrame(page).evaluate((el) => (el as unknown as FrameElement).contentDocument.documentElement.getAttribute('data-cw-ready')))
      .toBe('1');
    const seen = await mailFrame(page).evaluate((el) => {
      const doc = (el as unknown as FrameElement).contentDocument;
      const all = Array.from(doc.querySelectorAll('body *'));
      const active = ['script', 'style', 'iframe', 'form', 'input', 'object', 'embed', 'svg', 'math', 'video', 'source', 'link', 'noscript', 'mglyph'];
      return {
        tags: all.map((e) => e.tagName.toLowerCase()).filter((t) => active.includes(t)),
        handlers: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
        urls: all.filter((e) => ['href', 'srcset', 'background', 'srcdoc', 'data'].some((a) => e.hasAttribute(a))).length,
        images: Array.from(doc.images).map((i) => ({ id: i.getAttribute('id'), src: (i.getAttribute('src') ?? '').slice(0, 22), width: i.naturalWidth ?? 0 })),
      };
    });
    expect(seen.tags).toEqual([]);
    expect(seen.handlers).toBe(0);
    expect(seen.urls).toBe(0);
    // The logo came from the mail's own inline part; every other image has no source at all.
    expect(seen.images.find((i) => i.id === 'logo')).toEqual({ id: 'logo', src: 'data:image/png;base64,', width: 1 });
    expect(seen.images.filter((i) => i.id !== 'logo' && i.src !== '')).toEqual([]);
    await expect(page.getByTestId('remote-images-bar')).toHaveAttribute('data-count', '2');
    const links = page.getByTestId('mail-link');
    await expect(links).toHaveCount(3);
    for (let i = 0; i < 3; i++) await expect(links.nth(i)).toHaveAttribute('data-openable', 'false');
    await page.waitForTimeout(1500);
    expect(await page.title()).toBe(title);
    expect((await hits(mailApp)).slice(before)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('a Vietnamese windows-1258 mail reads as text; opening it does not mark it read; flags reach the server', async ({ page, mailApp }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, mailApp);
    const mail = seeded('vietnamese');
    await openMail(page, mail);
    await expect(page.locator('#detail-title')).toHaveText(mail.subject);
    await expect(page.getByTestId('mail-body')).toHaveAttribute('data-kind', 'text');
    await expect(page.getByTestId('mail-text')).toContainText('Phòng Tư pháp đề nghị bổ sung bản sao giấy khai sinh và sổ hộ khẩu.');
    await expect(page.getByTestId('mail-text')).toContainText('Trần Thị Mai');
    // Its link is listed like any other (no warning: https to the domain it names).
    await expect(page.getByTestId('mail-link')).toHaveCount(1);
    await expect(page.getByTestId('mail-link').first()).toHaveAttribute('data-host', 'dichvucong.gov.vn');
    const row = mailRow(page, mail.subject);
    await expect(row).toHaveAttribute('data-status', 'unseen');
    await expect(row.locator('.queue-row__title')).toHaveCSS('font-weight', '700');

    // Reading is not "done": the mail stays unread on the server.
    await page.waitForTimeout(1000);
    expect(await serverFlags(mail.messageId)).toEqual([]);
    await expect(page.getByTestId('mail-flags')).toHaveAttribute('data-seen', 'false');

    // s: flag (optimistic, pending until the server confirms).
    await page.getByTestId('detail').focus();
    await page.keyboard.press('s');
    await expect(page.getByTestId('mail-flags')).toHaveAttribute('data-flagged', 'true');
    await expect.poll(() => serverFlags(mail.messageId), { timeout: 30_000 }).toEqual(['\\Flagged']);
    await noPending(page);
    // The button: unflag.
    await page.locator('[data-testid="mail-command"][data-kind="mail.toggleFlag"]').click();
    await expect(page.getByTestId('mail-flags')).toHaveAttribute('data-flagged', 'false');
    await expect.poll(() => serverFlags(mail.messageId), { timeout: 30_000 }).toEqual([]);
    await noPending(page);
    // u: read.
    await page.getByTestId('detail').focus();
    await page.keyboard.press('u');
    await expect(page.getByTestId('mail-flags')).toHaveAttribute('data-seen', 'true');
    await expect.poll(() => serverFlags(mail.messageId), { timeout: 30_000 }).toEqual(['\\Seen']);
    await noPending(page);
    await expect(row).toHaveAttribute('data-status', 'seen');
    await expect(row.locator('.queue-row__title')).not.toHaveCSS('font-weight', '700');
    // From the menu: unread again.
    await page.getByTestId('detail').focus();
    await page.keyboard.press('a');
    await page.locator('[data-testid="action-menu-item"][data-kind="mail.toggleSeen"]').click();
    await expect.poll(() => serverFlags(mail.messageId), { timeout: 30_000 }).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('links both ways: from the mail to the dossier and back; manual links with validation, removal and undo', async ({ page, mailApp }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, mailApp);
    const mail = seeded('dossier');
    const mailId = await openMail(page, mail);
    const links = page.getByTestId('item-links');
    const toDossier = links.locator(`[data-testid="item-link"][data-direction="outgoing"][data-kind="dossier"][data-value="${dossierCode}"]`);
    await expect(toDossier).toHaveAttribute('data-resolved', 'true', { timeout: 20_000 });
    await expect(toDossier).toHaveAttribute('data-origin', 'auto');
    await expect(toDossier).toContainText('tự động');
    // The dossier's source icon keeps its 13 px beside a long title (it was squeezed to 0–8 px).
    expect(await toDossier.locator('[data-testid="item-link-open"] svg').evaluate((svg) => svg.getBoundingClientRect().width)).toBe(13);

    // Open the dossier from the mail: the dossier lists the mail among those citing it.
    await toDossier.getByTestId('item-link-open').click();
    const dossierArticle = page.locator('[data-testid="detail"] article[data-source="procedure"]');
    await expect(dossierArticle).toBeVisible();
    await expect(dossierArticle.locator('.detail-ref')).toHaveText(dossierCode);
    const fromMail = page.locator(`[data-testid="item-link"][data-direction="incoming"][data-other-id="${mailId}"]`);
    await expect(fromMail).toBeVisible();
    await expect(fromMail).toContainText(mail.subject);
    // And back to the mail.
    await fromMail.getByTestId('item-link-open').click();
    await expect(page.locator(`[data-testid="detail"] article[data-item-id="${mailId}"]`)).toBeVisible();

    // Manual links: checked as typed, in Vietnamese.
    const add = page.getByTestId('item-link-add');
    await add.getByTestId('item-link-kind').selectOption('document');
    await add.getByTestId('item-link-value').fill('12/ABC');
    await add.getByTestId('item-link-submit').click();
    await expect(add.getByTestId('item-link-error')).toHaveText('Số/ký hiệu phải có dạng 7816/VPCP-TTĐT hoặc 25/2026/QĐ-UBND.');
    await add.getByTestId('item-link-kind').selectOption('citizen');
    await add.getByTestId('item-link-value').fill('12345');
    await add.getByTestId('item-link-value').press('Enter');
    await expect(add.getByTestId('item-link-error')).toHaveText('Số định danh phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND).');
    await add.getByTestId('item-link-kind').selectOption('document');
    await add.getByTestId('item-link-value').fill(documentRef);
    await add.getByTestId('item-link-submit').click();
    const toDocument = links.locator(`[data-testid="item-link"][data-kind="document"][data-value="${documentRef}"]`);
    await expect(toDocument).toHaveAttribute('data-origin', 'manual');
    await expect(toDocument).toHaveAttribute('data-resolved', 'true');
    await expect(toDocument).toContainText('thêm tay');
    // A value not in the cache yet is kept, unresolved.
    await add.getByTestId('item-link-kind').selectOption('dossier');
    await add.getByTestId('item-link-value').fill('000.26.13.H26-200101-9999');
    await add.getByTestId('item-link-submit').click();
    const unresolved = links.locator('[data-testid="item-link"][data-value="000.26.13.H26-200101-9999"]');
    await expect(unresolved).toHaveAttribute('data-resolved', 'false');
    await expect(unresolved.getByTestId('item-link-unresolved')).toHaveText('chưa có trong bộ nhớ đệm');

    // Remove, undo, remove again.
    await toDocument.getByTestId('item-link-remove').click();
    await expect(toDocument).toHaveCount(0);
    await expect(page.getByTestId('item-link-removed')).toContainText(`Đã gỡ liên kết Văn bản ${documentRef}.`);
    await page.getByTestId('item-link-undo').click();
    await expect(toDocument).toHaveAttribute('data-resolved', 'true');
    await toDocument.getByTestId('item-link-remove').click();
    await expect(toDocument).toHaveCount(0);
    await unresolved.getByTestId('item-link-remove').click();
    await expect(unresolved).toHaveCount(0);
    // The automatic dossier link is untouched.
    await expect(toDossier).toHaveAttribute('data-resolved', 'true');
    expect(problems).toEqual([]);
  });

  test('mail server down: the content says so in Vietnamese, "Thử lại" loads it once the server is back', async ({ page, mailApp }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, mailApp);
    const late = vietnameseMail(user('lan').address, `${TAG}-offline`);
    await mailApp.command({ cmd: 'mail-deliver', to: 'lan', raw: late.raw });
    await page.getByTestId('search').fill(late.subject);
    await expect(mailRow(page, late.subject)).toHaveCount(1, { timeout: 30_000 });
    await mailApp.command({ cmd: 'imap-stop' });
    try {
      await mailRow(page, late.subject).click();
      const error = page.getByTestId('mail-body-error');
      await expect(error).toBeVisible({ timeout: 30_000 });
      await expect(error).toContainText('Không tải được nội dung thư: máy chủ thư đang mất kết nối.');
      await expect(error).toContainText('Bản xem trước đã lưu: Kính gửi chị Lan');
      // What the cache knows is still there.
      await expect(page.locator('#detail-title')).toHaveText(late.subject);
    } finally {
      await mailApp.command({ cmd: 'imap-start' });
    }
    await expect(async () => {
      if ((await page.getByTestId('mail-body-error').count()) > 0) await page.getByTestId('mail-body-retry').click();
      await expect(page.getByTestId('mail-text')).toContainText('Phòng Tư pháp đề nghị bổ sung', { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    expect(problems).toEqual([]);
  });

  test('an attachment is saved through the browser with its name and bytes', async ({ page, mailApp }) => {
    const problems = await openApp(page, mailApp);
    await openMail(page, seeded('attachment'));
    const row = page.getByTestId('mail-attachment');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-filename', ATTACHMENT_NAME);
    await expect(row).toContainText('application/pdf');
    const download = page.waitForEvent('download');
    await row.getByTestId('mail-attachment-save').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(ATTACHMENT_NAME);
    const path = await file.path();
    expect(Buffer.compare(readFileSync(path), PDF)).toBe(0);
    await expect(row.getByTestId('mail-attachment-status')).toHaveText('Đã tải về máy.');
    expect(problems).toEqual([]);
  });

  test('forwarding with the original attachments: f, recipients typed, Fwd: once, the PDF travels along', async ({ page, mailApp }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, mailApp);
    const mail = seeded('attachment');
    await openMail(page, mail);
    await page.getByTestId('detail').focus();
    await page.keyboard.press('f');
    const compose = page.getByTestId('compose');
    await expect(compose).toHaveAttribute('data-mode', 'forward');
    await expect(compose).toHaveAttribute('data-state', 'ready');
    await expect(compose.getByTestId('compose-to')).toBeFocused();
    await expect(compose.getByTestId('compose-to')).toHaveValue('');
    await expect(compose.getByTestId('compose-subject')).toHaveValue(`Fwd: ${mail.subject}`);
    await expect(compose.getByTestId('compose-text')).toHaveValue(/---------- Thư chuyển tiếp ----------\nTừ: Văn phòng UBND phường <vanphong@ngocha\.hanoi\.gov\.vn>/);
    await expect(compose.getByTestId('compose-include-original')).toBeChecked();
    await compose.getByTestId('compose-to').fill(`${user('hung').address}; `);
    await compose.getByTestId('compose-send').click();
    await expect(page.getByTestId('compose')).toHaveCount(0);
    await expect
      .poll(() => findMail('hung', 'INBOX', `Fwd: ${mail.subject}`), { timeout: 60_000 })
      .toEqual([{ subject: `Fwd: ${mail.subject}`, attachments: [ATTACHMENT_NAME], to: [user('hung').address] }]);
    expect(problems).toEqual([]);
  });

  test('a reply with an attachment reaches the sender, a copy lands in Sent', async ({ page, mailApp }) => {
    test.setTimeout(150_000);
    const problems = await openApp(page, mailApp);
    const mail = seeded('dossier');
    await openMail(page, mail);
    await page.getByTestId('detail').focus();
    await page.keyboard.press('r');
    const compose = page.getByTestId('compose');
    await expect(compose).toHaveAttribute('data-mode', 'reply');
    await expect(compose).toHaveAttribute('data-state', 'ready');
    await expect(compose.getByTestId('compose-to')).toHaveValue(user('hung').address);
    await expect(compose.getByTestId('compose-subject')).toHaveValue(`Re: ${mail.subject}`);
    const text = compose.getByTestId('compose-text');
    await expect(text).toBeFocused();
    const quoted = await text.inputValue();
    expect(quoted).toMatch(/^\n\nVào \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}, Nguyễn Văn Hùng đã viết:\n> Kính gửi Bộ phận Một cửa,\n>\n> Tôi nộp hồ sơ mã /);
    await page.keyboard.type('Hồ sơ của anh đang được xử lý, dự kiến trả kết quả đúng hẹn.');

    // 25 MB per mail, checked before anything is read or sent.
    const files = compose.getByTestId('compose-files');
    await files.setInputFiles({ name: 'quá-lớn.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(26 * 1024 * 1024) });
    await expect(compose.getByTestId('compose-budget-error')).toContainText('vượt giới hạn 25 MB của một thư');
    await expect(compose.getByTestId('compose-file')).toHaveCount(0);
    const receipt = pdfBytes(3_000, 11);
    await files.setInputFiles({ name: 'Phiếu hẹn trả kết quả.pdf', mimeType: 'application/pdf', buffer: receipt });
    await expect(compose.getByTestId('compose-file')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });

    // Recipients are checked as addresses, in Vietnamese.
    await compose.getByTestId('compose-to').fill('hung@example');
    await compose.getByTestId('compose-send').click();
    await expect(compose.locator('[data-testid="compose-error"][data-field="to"]')).toHaveText('Địa chỉ thư không hợp lệ: hung@example');
    await compose.getByTestId('compose-to').fill(`Nguyễn Văn Hùng <${user('hung').address}>`);
    await compose.getByTestId('compose-to').press('Control+Enter');
    await expect(page.getByTestId('compose')).toHaveCount(0);
    await expect(page.getByTestId('notice')).toContainText(`Đã đưa thư “Re: ${mail.subject}” vào hộp thao tác`);

    // Queued in the outbox, then through Postfix into hung's INBOX, with a copy in lan's Sent.
    await page.getByTestId('outbox-button').click();
    await page.getByTestId('outbox-history-toggle').click({ timeout: 30_000 }).catch(() => undefined);
    await expect(page.locator('[data-testid="outbox-entry"][data-kind="mail.send"]').first()).toBeVisible();
    await expect.poll(() => findMail('hung', 'INBOX', `Re: ${mail.subject}`), { timeout: 60_000 }).toEqual([
      { subject: `Re: ${mail.subject}`, attachments: ['Phiếu hẹn trả kết quả.pdf'], to: [user('hung').address] },
    ]);
    await expect.poll(async () => (await findMail('lan', 'Sent', `Re: ${mail.subject}`)).length, { timeout: 30_000 }).toBe(1);
    expect(problems).toEqual([]);
  });

  test('a new mail from the compose panel: account chosen, closing asks first, it arrives with a 1.5 MB file', async ({ page, mailApp }) => {
    test.setTimeout(120_000);
    const problems = await openApp(page, mailApp);
    const subject = `Giấy mời họp giao ban tuần ${TAG}`;
    await page.getByTestId('compose-button').click();
    const compose = page.getByTestId('compose');
    await expect(compose).toHaveAttribute('data-mode', 'new');
    await expect(compose.getByTestId('compose-to')).toBeFocused();
    await compose.getByTestId('compose-to').fill(user('hung').address);
    await compose.getByTestId('compose-subject').fill(subject);
    await compose.getByTestId('compose-text').fill('Kính mời anh dự họp giao ban lúc 8 giờ sáng thứ Hai.');

    // Closing with content asks first; keeping goes on writing.
    await page.keyboard.press('Escape');
    await expect(compose.getByTestId('compose-confirm-close')).toContainText('Bỏ thư đang soạn?');
    await compose.getByTestId('compose-keep').click();
    await expect(compose.getByTestId('compose-text')).toHaveValue('Kính mời anh dự họp giao ban lúc 8 giờ sáng thứ Hai.');
    // Looking at the queue keeps the mail; the top bar brings it back.
    await page.locator('[data-testid="queue-row"]').first().click();
    await expect(page.getByTestId('compose-panel')).toBeHidden();
    await expect(page.getByTestId('compose-button')).toHaveAttribute('data-composing', 'true');
    await page.getByTestId('compose-button').click();
    await expect(compose.getByTestId('compose-subject')).toHaveValue(subject);

    // Two accounts can send (the training mailbox and the official's): choose the official's.
    const from = compose.getByTestId('compose-from');
    await expect(from.locator('option')).toHaveCount(2);
    await from.selectOption(info.backendId);
    // A larger file (1.5 MB, over the host's ordinary request size) goes through staging too.
    await compose.getByTestId('compose-files').setInputFiles({ name: 'Kế hoạch năm 2027.pdf', mimeType: 'application/pdf', buffer: pdfBytes(1_500_000, 3) });
    await expect(compose.getByTestId('compose-file')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
    await compose.getByTestId('compose-send').click();
    await expect(page.getByTestId('compose')).toHaveCount(0);
    await expect
      .poll(() => findMail('hung', 'INBOX', subject), { timeout: 60_000 })
      .toEqual([{ subject, attachments: ['Kế hoạch năm 2027.pdf'], to: [user('hung').address] }]);
    await expect.poll(async () => (await findMail('lan', 'Sent', subject)).length, { timeout: 30_000 }).toBe(1);
    expect(problems).toEqual([]);
  });
});
