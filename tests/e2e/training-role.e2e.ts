/**
 * Training mode: a trainee switches role from the signed-in user in the top bar, and the window
 * loads again as the sandbox's supervisor (Bảng điều hành), IT officer (Cài đặt, no Công dân) and
 * counter official — real browser host, core rebuilt, SQLite file and sandbox; the choice survives a
 * reload of the page and is in the audit log.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

async function switchTo(page: Page, role: 'official' | 'supervisor' | 'it'): Promise<void> {
  await page.getByTestId('training-role-trigger').click();
  await expect(page.getByTestId('training-role-menu')).toBeVisible();
  await page.getByTestId(`training-role-${role}`).click();
  // The window loads again as the new user.
  await expect(page.getByTestId('training-role-trigger')).toContainText(
    { official: 'canbo.lan', supervisor: 'lanhdao.thang', it: 'cntt.khoa' }[role],
    { timeout: 30_000 },
  );
}

test('a trainee signs in as supervisor, IT officer and counter official from the top bar', async ({ page, ownApp }) => {
  test.setTimeout(120_000);
  await page.goto(ownApp.openUrl);
  const trigger = page.getByTestId('training-role-trigger');
  await expect(trigger).toContainText('Nguyễn Thị Lan');
  await expect(trigger).toHaveAccessibleName('Nguyễn Thị Lan, Cán bộ một cửa (canbo.lan): đổi vai trò trong chế độ đào tạo');
  await expect(page.getByTestId('nav-dashboard')).toHaveCount(0);
  await expect(page.getByTestId('queue-row').first()).toBeVisible({ timeout: 30_000 });

  // The open choice is accessible (axe, WCAG 2.x A/AA: no serious or critical finding) and says what it does.
  await trigger.click();
  const menu = page.getByTestId('training-role-menu');
  await expect(menu).toContainText('Vai trò khi tập huấn');
  await expect(menu.getByRole('radio', { name: 'Cán bộ một cửa' })).toBeChecked();
  const axe = await new AxeBuilder({ page }).include('[data-testid="training-role-menu"]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);

  await switchTo(page, 'supervisor');
  await expect(trigger).toContainText('Đỗ Quang Thắng');
  await expect(trigger).toContainText('Lãnh đạo, giám sát');
  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByRole('heading', { name: /Bảng điều hành/ }).first()).toBeVisible();
  // The queue is still the sandbox's, now as the supervisor.
  await expect(page.getByTestId('training-label')).toBeVisible();

  // A reload keeps the role (stored by the core, not by the page).
  await page.reload();
  await expect(trigger).toContainText('lanhdao.thang');

  await switchTo(page, 'it');
  await expect(page.getByTestId('nav-settings')).toBeVisible();
  await expect(page.getByTestId('nav-citizen')).toHaveCount(0);
  await expect(page.getByTestId('nav-dashboard')).toHaveCount(0);

  await switchTo(page, 'official');
  await expect(trigger).toContainText('Nguyễn Thị Lan');
  await expect(page.getByTestId('nav-settings')).toHaveCount(0);
  await expect(page.getByTestId('nav-citizen')).toBeVisible();

  // Each switch is in the audit log, by whoever was signed in.
  await page.getByTestId('audit-button').click();
  const panel = page.getByTestId('audit-panel');
  await expect(panel).toContainText('đăng nhập với vai trò lãnh đạo (lanhdao.thang)');
  await expect(panel).toContainText('đăng nhập với vai trò cán bộ CNTT (cntt.khoa)');
  await expect(panel).toContainText('đăng nhập với vai trò cán bộ một cửa (canbo.lan)');
});
