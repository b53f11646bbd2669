/**
 * Issue #7 accessibility: axe-core (WCAG 2.x A/AA rules) on every screen of the real app in Chromium,
 * no `serious` or `critical` violation anywhere; the main flow with the keyboard alone; text at 200 %.
 * Screens other features register (src/renderer/screens/screen-registry.ts) are found through their
 * nav buttons `[data-testid^="nav-"]`, so new screens are audited without editing this file.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { startAs } from './support/role-app';

// The callbacks given to page.evaluate run in the browser; tests compile without the DOM lib, so the
// little of the DOM they use is declared here (module scope only).
interface DomEl {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number; right: number };
  blur(): void;
  contains(other: DomEl | null): boolean;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  title: string;
  textContent: string | null;
  parentElement: DomEl | null;
}
declare const document: {
  activeElement: DomEl | null;
  body: DomEl;
  documentElement: DomEl & { style: { setProperty(name: string, value: string, priority: string): void } };
  querySelectorAll(selector: string): ArrayLike<DomEl>;
};
declare function getComputedStyle(el: DomEl): { overflowX: string; overflowY: string; textOverflow: string; webkitLineClamp: string };

interface Finding {
  where: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

async function audit(page: Page, where: string, findings: Finding[]): Promise<void> {
  // Let transitions and lazy screens settle: axe reads the rendered state.
  await page.waitForTimeout(150);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    findings.push({ where, rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 40).map((n) => `${n.target.join(' ')} — ${(n.any[0]?.message ?? n.failureSummary ?? '').split('\n')[0]}`) });
  }
}

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `[${f.where}] ${f.impact} ${f.rule}: ${f.help}\n    ${f.targets.join('\n    ')}`).join('\n');
}

async function openApp(page: Page, url: string): Promise<void> {
  page.on('pageerror', (e) => process.stderr.write(`pageerror: ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`console: ${m.text()}\n`);
  });
  await page.goto(url);
  await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('filter-scope-all').click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible();
}

/** Show only one source in the queue and open its first item. */
async function openFirstOf(page: Page, source: 'procedure' | 'document' | 'mail'): Promise<Locator> {
  const active = await page.locator('[data-testid^="filter-source-"][aria-pressed="true"]').all();
  for (const b of active) await b.click();
  await page.getByTestId(`filter-source-${source}`).click();
  await expect(page.getByTestId('queue')).toHaveAttribute('data-busy', 'false');
  const row = page.locator(`[data-testid="queue-row"][data-source="${source}"]`).first();
  const id = (await row.getAttribute('data-item-id')) ?? '';
  await row.click();
  const detail = page.getByTestId('detail');
  await expect(detail.locator(`[data-item-id="${id}"]`)).toBeVisible();
  await page.getByTestId(`filter-source-${source}`).click();
  return detail;
}

/** Every nav screen the signed-in role sees, audited. */
async function auditNavScreens(page: Page, label: string, findings: Finding[]): Promise<string[]> {
  const navIds = await page.locator('[data-testid^="nav-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  for (const nav of navIds) {
    await page.getByTestId(nav).click();
    const id = nav.slice('nav-'.length);
    if (id !== 'queue') {
      await expect(page.getByTestId(`screen-${id}`)).toBeVisible();
      await expect(page.getByTestId(`screen-${id}`).locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 15_000 });
    }
    await audit(page, `${label} screen ${id}`, findings);
  }
  if (navIds.includes('nav-queue')) await page.getByTestId('nav-queue').click();
  return navIds;
}

test.describe('accessibility', () => {
  test('axe: no serious or critical violation on any screen, in Vietnamese and in English', async ({ page, app }) => {
    test.setTimeout(180_000);
    const findings: Finding[] = [];
    await openApp(page, app.openUrl);
    await audit(page, 'queue', findings);

    for (const source of ['procedure', 'document', 'mail'] as const) {
      await openFirstOf(page, source);
      if (source === 'mail') await expect(page.getByTestId('detail')).not.toContainText(/Đang tải/i, { timeout: 15_000 });
      await audit(page, `detail ${source}`, findings);
    }

    await page.getByTestId('outbox-button').click();
    await expect(page.getByTestId('outbox-panel')).toBeVisible();
    await audit(page, 'outbox panel', findings);
    await page.getByTestId('outbox-panel').getByTestId('panel-close').click();

    await page.getByTestId('audit-button').click();
    await expect(page.getByTestId('audit-panel')).toBeVisible();
    await expect(page.getByTestId('audit-entry').first()).toBeVisible();
    await audit(page, 'audit panel', findings);
    await page.getByTestId('audit-panel').getByTestId('panel-close').click();

    await page.getByTestId('compose-button').click();
    await expect(page.getByTestId('compose')).toBeVisible();
    await audit(page, 'compose', findings);
    await page.getByTestId('compose-close').click();

    await page.getByTestId('palette-button').click();
    await expect(page.getByTestId('palette')).toBeVisible();
    await audit(page, 'palette', findings);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('palette')).toBeHidden();

    await auditNavScreens(page, 'official', findings);

    await page.getByTestId('lang-switch').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await audit(page, 'queue (English)', findings);
    await openFirstOf(page, 'procedure');
    await audit(page, 'detail procedure (English)', findings);
    await page.getByTestId('lang-switch').click();

    expect(findings, `serious/critical accessibility violations:\n${describeFindings(findings)}`).toEqual([]);
  });

  for (const role of ['supervisor', 'it'] as const) {
    test(`axe: the screens of the ${role} role`, async ({ page }) => {
      test.setTimeout(180_000);
      const app = await startAs(role);
      try {
        const findings: Finding[] = [];
        await page.goto(app.openUrl);
        await expect(page.getByTestId('queue')).toHaveAttribute('data-ready', 'true');
        await audit(page, `${role} queue`, findings);
        const screens = await auditNavScreens(page, role, findings);
        expect(screens.filter((n) => n !== 'nav-queue').length, `${role} sees at least one screen beside the queue`).toBeGreaterThan(0);
        expect(findings, `serious/critical accessibility violations:\n${describeFindings(findings)}`).toEqual([]);
      } finally {
        app.stop();
      }
    });
  }

  test('keyboard only: Tab reaches the queue (every stop visible), j + Enter open an item, a opens its actions, Esc, / searches, Ctrl+K palette', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    await page.locator('body').click({ position: { x: 1, y: 1 } }).catch(() => undefined);
    await page.evaluate(() => document.activeElement?.blur());
    // Tab from the top of the page reaches the queue without a mouse, and every stop is visible.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      const state = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return { testid: null, visible: false };
        const r = el.getBoundingClientRect();
        return { testid: el.getAttribute('data-testid'), visible: r.width > 0 && r.height > 0 };
      });
      expect(state.visible, `focus stop ${i} (${state.testid ?? '?'}) is visible`).toBe(true);
      reached = state.testid === 'queue' || (await page.getByTestId('queue').evaluate((q) => (q as unknown as DomEl).contains(document.activeElement)));
    }
    expect(reached, 'Tab reaches the queue').toBe(true);
    await page.keyboard.press('j');
    const selected = page.locator('[data-testid="queue-row"][aria-selected="true"]');
    await expect(selected).toHaveCount(1);
    const id = (await selected.getAttribute('data-item-id')) ?? '';
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('detail').locator(`[data-item-id="${id}"]`)).toBeVisible();
    // Focus is somewhere a keyboard user can continue from (not lost on <body>).
    expect(await page.evaluate(() => document.activeElement !== document.body)).toBe(true);
    // The item's actions from the keyboard: `a` opens the menu (numbered), Esc closes it.
    await page.getByTestId('queue').focus();
    await page.keyboard.press('a');
    await expect(page.getByTestId('action-menu')).toBeVisible();
    await expect(page.getByTestId('action-menu-item').first()).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('action-menu')).toBeHidden();
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await expect(page.getByTestId('search')).toBeFocused();
    await page.keyboard.type('khai sinh');
    await expect(page.getByTestId('queue')).toHaveAttribute('data-busy', 'false');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await expect(page.getByTestId('palette-input')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('palette')).toBeHidden();
  });

  test('text at 200 %: nothing in the top bar, filters, rows or detail is clipped or pushed off-screen', async ({ page, app }) => {
    await openApp(page, app.openUrl);
    // WCAG 1.4.4: root font size doubled (what browser text-size settings do), same window. Set through
    // CSSOM: the CSP (style-src 'self') blocks injected <style> but not CSSOM.
    await page.evaluate(() => document.documentElement.style.setProperty('font-size', '200%', 'important'));
    await openFirstOf(page, 'procedure');
    await page.waitForTimeout(200);
    const problems = await page.evaluate(() => {
      const out: string[] = [];
      const selectors = ['.top-bar button', '.top-bar a', '[data-testid^="filter-"]', '[data-testid="queue-row"]', '[data-testid="detail"] h1, [data-testid="detail"] h2, [data-testid="detail"] h3', '[data-testid="detail"] button'];
      const docWidth = document.documentElement.clientWidth;
      const scrollableAncestor = (el: DomEl): boolean => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (/(auto|scroll)/.test(s.overflowX) && p.scrollWidth > p.clientWidth) return true;
          if (/(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight) return true;
        }
        return false;
      };
      for (const sel of selectors) {
        for (const el of Array.from(document.querySelectorAll(sel))) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue; // not rendered (virtualised, hidden)
          const s = getComputedStyle(el);
          const label = `${sel} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
          // Text cut off inside its own box without an ellipsis (a deliberate, titled truncation is fine).
          // A compact control that carries its whole text in its tooltip and accessible name (the
          // backend chips: "label — state — last sync") may shorten what it shows.
          const fullTextElsewhere = (el.title || el.getAttribute('aria-label') || '').length >= (el.textContent ?? '').trim().length * 0.8;
          const clipsX = el.scrollWidth > el.clientWidth + 1 && s.overflowX === 'hidden' && s.textOverflow !== 'ellipsis' && !fullTextElsewhere;
          const clipsY = el.scrollHeight > el.clientHeight + 1 && s.overflowY === 'hidden' && s.webkitLineClamp === 'none' && !fullTextElsewhere;
          if (clipsX || clipsY) out.push(`clipped: ${label}`);
          // Off-screen to the right with no scroll path.
          if (r.right > docWidth + 1 && !scrollableAncestor(el)) out.push(`off-screen: ${label} (right ${Math.round(r.right)} > ${docWidth})`);
        }
      }
      return out;
    });
    expect(problems, problems.join('\n')).toEqual([]);
    // And the page as a whole can still be used: the queue and the detail are both on screen.
    await expect(page.getByTestId('queue')).toBeInViewport();
    await expect(page.getByTestId('detail')).toBeInViewport();
  });
});
